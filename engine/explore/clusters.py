"""KMeans clusters over the 8 standardized features (tempo / 200 first), named from their profiles.

- ClusterModel: fitted once on the reference catalog (models/clusters/); assigns every library track,
  real or predicted, to its nearest centroid, so coverage is 100% by construction.
- cluster_library: a fresh KMeans over one library with a chosen k: the one cluster model every page
  of that library uses (Clusters, the Map's colours, coverage per cluster, recommendation scopes),
  named from its members' profile against the library's mean (engine.explore.naming).
- Assignment confidence: the soft-assignment mass of the chosen cluster, averaged over draws of the
  track's features within their uncertainty (the 90% interval from the predictor where the frame has
  it, else a spread that grows as the per-feature confidence falls). A real track is one draw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from engine.config import FEATURES, TEMPO_SCALE, models_dir
from engine.errors import EmptyLibraryError, ModelNotFoundError
from engine.catalog.items import feature_matrix
from engine.explore.naming import name_profiles
from engine.explore.placement import evidence, neighbours, placed_points

DRAWS = 64
SOFTNESS = 1.0          # temperature of the soft assignment, in squared standardized units
Z90 = 1.645             # a 90% interval spans +-1.645 sigma
SILHOUETTE_SAMPLE = 4000
ASSIGN_COLUMNS = ["cluster", "cluster_name", "cluster_confidence", "runner_up", "runner_up_name"]


def _require_tracks(frame: pd.DataFrame, what: str) -> None:
    if frame is None or len(frame) == 0:
        raise EmptyLibraryError(f"{what}: the library has no tracks. Import a playlist or open the demo library first.")
    missing = [f for f in FEATURES if f not in frame.columns]
    if missing:
        raise EmptyLibraryError(f"{what}: the library lacks the feature columns {', '.join(missing)}. "
                                "Enrich it first (python -m engine predict, or the Library page).")


def _spread(frame: pd.DataFrame, scaler: StandardScaler) -> np.ndarray:
    """(N, 8) standard deviation of each feature in standardized units (0 for real values)."""
    sigma = np.zeros((len(frame), len(FEATURES)))
    for j, feat in enumerate(FEATURES):
        scale = TEMPO_SCALE if feat == "tempo" else 1.0
        if f"{feat}_low" in frame and f"{feat}_high" in frame:
            width = (pd.to_numeric(frame[f"{feat}_high"], errors="coerce")
                     - pd.to_numeric(frame[f"{feat}_low"], errors="coerce")).to_numpy(dtype=float) / scale
            sigma[:, j] = width / (2 * Z90) / scaler.scale_[j]
        elif f"{feat}_confidence" in frame:
            conf = pd.to_numeric(frame[f"{feat}_confidence"], errors="coerce").to_numpy(dtype=float)
            sigma[:, j] = 1.0 - np.clip(conf, 0.0, 1.0)  # confidence 0.5 -> half a catalog standard deviation
    return np.nan_to_num(sigma, nan=0.0)


def soft_assign(points: np.ndarray, sigma: np.ndarray, centroids: np.ndarray, seed: int = 0,
                bias: np.ndarray | None = None):
    """(chosen cluster, its probability mass, runner-up) for standardized points with spreads: the
    cluster is the nearest centroid after `bias` (N, k; added to minus the squared distance: what the
    artist and genres say, engine.explore.placement.evidence) and the mass counts the bias too."""
    rng = np.random.default_rng(seed)
    bias = np.zeros((len(points), len(centroids))) if bias is None else bias
    nearest = (bias - ((points[:, None, :] - centroids[None]) ** 2).sum(-1)).argmax(1)
    draws = DRAWS if (sigma > 0).any() else 1
    mass = np.zeros((len(points), len(centroids)))
    for _ in range(draws):
        sample = points + rng.standard_normal(points.shape) * sigma if draws > 1 else points
        score = bias - ((sample[:, None, :] - centroids[None]) ** 2).sum(-1)
        logits = (score - score.max(1, keepdims=True)) / SOFTNESS
        p = np.exp(logits)
        mass += p / p.sum(1, keepdims=True)
    mass /= draws
    conf = mass[np.arange(len(points)), nearest]
    others = mass.copy()
    others[np.arange(len(points)), nearest] = -1.0
    runner = others.argmax(1) if len(centroids) > 1 else nearest
    return nearest, conf, runner


class ClusterModel:
    """KMeans over standardized features, fitted on the catalog. Learned: scaler_, centroids_, names_."""

    def __init__(self, k: int = 8, seed: int = 0):
        self.k, self.seed = k, seed

    def fit(self, frame: pd.DataFrame) -> "ClusterModel":
        _require_tracks(frame, "fit")
        x = feature_matrix(frame)
        self.scaler_ = StandardScaler().fit(x)
        z = self.scaler_.transform(x)
        self.kmeans_ = KMeans(n_clusters=self.k, n_init=4, random_state=self.seed).fit(z)
        self.centroids_ = self.kmeans_.cluster_centers_
        self.names_ = name_profiles(self.centroids_, self.profiles().to_numpy())
        self.sizes_ = np.bincount(self.kmeans_.labels_, minlength=self.k)
        self.silhouette_ = silhouette(z, self.kmeans_.labels_, self.seed)
        return self

    def profiles(self) -> pd.DataFrame:
        """Centroids back in real units (tempo in BPM), one row per cluster."""
        real = self.scaler_.inverse_transform(self.centroids_)
        real[:, -1] *= TEMPO_SCALE
        return pd.DataFrame(real, columns=FEATURES).rename_axis("cluster")

    def standardize(self, frame: pd.DataFrame) -> np.ndarray:
        return self.scaler_.transform(feature_matrix(frame))

    def assign(self, frame: pd.DataFrame) -> pd.DataFrame:
        """ASSIGN_COLUMNS for every row of an enriched frame (same index); no row is left out."""
        if len(frame) == 0:
            return pd.DataFrame(columns=ASSIGN_COLUMNS, index=frame.index)
        _require_tracks(frame, "assign")
        nearest, conf, runner = soft_assign(self.standardize(frame), _spread(frame, self.scaler_),
                                            self.centroids_, self.seed)
        names = np.asarray(self.names_, dtype=object)
        return pd.DataFrame({
            "cluster": nearest.astype(int), "cluster_name": names[nearest], "cluster_confidence": conf,
            "runner_up": runner.astype(int), "runner_up_name": names[runner],
        }, index=frame.index)

    def save(self, path: Path | str | None = None) -> None:
        path = Path(path or models_dir() / "clusters")
        path.mkdir(parents=True, exist_ok=True)
        np.savez(path / "clusters.npz", centroids=self.centroids_, mean=self.scaler_.mean_,
                 scale=self.scaler_.scale_, sizes=self.sizes_)
        from engine.versions import library_versions

        config = {"k": self.k, "seed": self.seed, "features": FEATURES, "tempo_scale": TEMPO_SCALE,
                  "names": list(self.names_), "softness": SOFTNESS, "draws": DRAWS,
                  "versions": library_versions(["numpy", "scikit-learn"])}
        (path / "config.json").write_text(json.dumps(config, indent=2))

    @classmethod
    def load(cls, path: Path | str | None = None) -> "ClusterModel":
        path = Path(path or models_dir() / "clusters")
        if not (path / "clusters.npz").exists() or not (path / "config.json").exists():
            raise ModelNotFoundError(f"{path}: no fitted clusters. Run `python -m engine fit-clusters`.")
        config = json.loads((path / "config.json").read_text())
        data = np.load(path / "clusters.npz")
        model = cls(config["k"], config["seed"])
        model.scaler_ = StandardScaler()
        model.scaler_.mean_, model.scaler_.scale_ = data["mean"], data["scale"]
        model.scaler_.var_, model.scaler_.n_features_in_ = data["scale"] ** 2, len(FEATURES)
        model.centroids_, model.sizes_, model.names_ = data["centroids"], data["sizes"], config["names"]
        return model


def silhouette(z: np.ndarray, labels: np.ndarray, seed: int = 0) -> float:
    """Silhouette on a fixed random sample (exact silhouette is quadratic in the number of tracks)."""
    if len(np.unique(labels)) < 2 or len(z) < 3:
        return float("nan")
    size = min(SILHOUETTE_SAMPLE, len(z))
    return float(silhouette_score(z, labels, sample_size=size if size < len(z) else None, random_state=seed))


def coverage_report(frame: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """source, total, clustered, pct: one row per source plus an 'all' row."""
    source = frame["source"] if "source" in frame else pd.Series("unknown", index=frame.index)
    done = assignments["cluster"].reindex(frame.index).notna()
    table = pd.DataFrame({"source": source.astype(str), "clustered": done.astype(int)})
    rows = [{"source": s, "total": len(g), "clustered": int(g["clustered"].sum())} for s, g in table.groupby("source")]
    rows.append({"source": "all", "total": len(table), "clustered": int(table["clustered"].sum())})
    out = pd.DataFrame(rows, columns=["source", "total", "clustered"])
    out["pct"] = np.where(out["total"] > 0, 100.0 * out["clustered"] / out["total"].clip(lower=1), 100.0)
    return out


@dataclass
class LibraryClusters:
    labels_: np.ndarray
    names_: list[str]
    profiles_: pd.DataFrame      # the members' mean features, real units (tempo in BPM), one row per cluster
    sizes_: np.ndarray
    silhouette_: float
    confidence_: np.ndarray
    runner_up_: np.ndarray
    z_: np.ndarray               # the same profiles in standard deviations from the library mean

    def assignments(self, index=None) -> pd.DataFrame:
        """ASSIGN_COLUMNS for every track, as ClusterModel.assign gives them (same row order)."""
        names = np.asarray(self.names_, dtype=object)
        return pd.DataFrame({"cluster": self.labels_.astype(int), "cluster_name": names[self.labels_],
                             "cluster_confidence": self.confidence_, "runner_up": self.runner_up_.astype(int),
                             "runner_up_name": names[self.runner_up_]}, index=index)


MIN_KNOWN_PER_CLUSTER = 10   # known tracks per cluster needed to fit the centroids on them alone


def _placed(frame: pd.DataFrame):
    """(scaler, standardized values, spreads, placed points, known rows: all 8 features known) for one library."""
    x = feature_matrix(frame)
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x)
    sigma = _spread(frame, scaler)
    points, _ = placed_points(z, sigma)
    return scaler, z, sigma, points, ~(sigma > 0).any(axis=1)


def _fit(points: np.ndarray, known: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Centroids of k clusters: fitted on the known tracks when there are MIN_KNOWN_PER_CLUSTER a
    cluster (measured music sets the kinds), else on every track's placed point."""
    base = points[known] if known.sum() >= MIN_KNOWN_PER_CLUSTER * k else points
    k = max(1, min(k, len(np.unique(np.round(base, 9), axis=0))))
    return KMeans(n_clusters=k, n_init=4, random_state=seed).fit(base).cluster_centers_


def _separation(points, labels, known, k: int, seed: int) -> float:
    """Silhouette over the tracks the centroids were fitted on (the known ones when there are enough):
    how well the measured music separates, not how the placed guesses happen to fall."""
    use = known if known.sum() >= MIN_KNOWN_PER_CLUSTER * k else np.ones(len(points), bool)
    return silhouette(points[use], labels[use], seed)


def _bias(similar, points, known, centroids) -> np.ndarray:
    """What predicted tracks' artists and genres say (engine.explore.placement.evidence), read from the
    clusters the known tracks fall in."""
    nearest = ((points[:, None, :] - centroids[None]) ** 2).sum(-1).argmin(1)
    return evidence(similar, nearest, known, len(centroids))


def cluster_library(frame: pd.DataFrame, k: int, seed: int = 0) -> LibraryClusters:
    """k clusters over one library (k is capped at the number of distinct tracks), each predicted track
    placed by what is known of it (engine.explore.placement); names and profiles come from each
    cluster's members' shown values, so the name says what the profile shows."""
    _require_tracks(frame, "cluster_library")
    scaler, z, sigma, points, known = _placed(frame)
    centroids = _fit(points, known, int(k), seed)
    bias = _bias(neighbours(frame, known), points, known, centroids)
    chosen, conf, runner = soft_assign(points, sigma, centroids, seed, bias=bias)
    k = len(centroids)
    profile = np.vstack([z[chosen == c].mean(axis=0) if (chosen == c).any() else centroids[c] for c in range(k)])
    real = scaler.inverse_transform(profile)
    real[:, -1] *= TEMPO_SCALE
    return LibraryClusters(labels_=chosen, names_=name_profiles(profile, real),
                           profiles_=pd.DataFrame(real, columns=FEATURES).rename_axis("cluster"),
                           sizes_=np.bincount(chosen, minlength=k),
                           silhouette_=_separation(points, chosen, known, k, seed),
                           confidence_=conf, runner_up_=runner, z_=profile)


def choose_k(frame: pd.DataFrame, ks=range(3, 13), seed: int = 0) -> pd.DataFrame:
    """Silhouette (over the placed points) of cluster_library's clusters for each k the library can hold
    (fewer than k distinct tracks cannot make k clusters: a library whose tracks all sound alike gets an
    empty table, and one cluster)."""
    _require_tracks(frame, "choose_k")
    _, z, sigma, points, known = _placed(frame)
    distinct = len(np.unique(np.round(z, 9), axis=0))
    similar = neighbours(frame, known)
    rows = []
    for k in ks:
        if k >= len(z) or k > distinct:
            break
        centroids = _fit(points, known, k, seed)
        labels = (_bias(similar, points, known, centroids)
                  - ((points[:, None, :] - centroids[None]) ** 2).sum(-1)).argmax(1)
        rows.append({"k": k, "silhouette": _separation(points, labels, known, k, seed)})
    return pd.DataFrame(rows, columns=["k", "silhouette"])


def default_k(table: pd.DataFrame, tolerance: float = 0.02) -> int:
    """The largest k whose silhouette is within `tolerance` of the best one measured: near-equal
    separation, more detail for the dashboard."""
    best = table["silhouette"].max()
    return int(table.loc[table["silhouette"] >= best - tolerance, "k"].max())


SUGGEST_TOLERANCE = 0.01   # silhouettes this close are equally well separated: prefer the finer clusters
TRACKS_PER_CLUSTER = 5     # at most sqrt(n / 5) clusters: a 435-track library gets at most 9, 2,700 tracks 23


def suggested_k(table: pd.DataFrame, tracks: int | None = None) -> int:
    """The k every view of a library uses unless the listener picks another: the largest k whose silhouette
    is within SUGGEST_TOLERANCE of the best (a varied library is not squeezed into 3 clusters for a
    silhouette 0.001 higher), at most sqrt(tracks / TRACKS_PER_CLUSTER); 2 when no k could be measured."""
    measured = table.dropna(subset=["silhouette"])
    if tracks is not None:
        cap = max(int(measured["k"].min()) if len(measured) else 2, int((tracks / TRACKS_PER_CLUSTER) ** 0.5))
        measured = measured[measured["k"] <= cap]
    return default_k(measured, tolerance=SUGGEST_TOLERANCE) if len(measured) else 2
