"""The one place that caches: models and connections as resources, frames as data.

Frames are keyed by (home, library id, library version): the version changes whenever an import or
a sync adds tracks or runs, so a page switch reads a cached frame and a new import recomputes it.
Everything heavy is imported inside the functions, so importing this module (every page does) is cheap.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # pages run as scripts; make `engine` importable
    sys.path.insert(0, str(ROOT))

from engine.config import FEATURES, home_dir  # noqa: E402  (needs the path above)
from engine.errors import OnlineFeaturesUnavailableError  # noqa: E402


def _home() -> str:
    return str(home_dir())


# --- resources: one per server ----------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _store(home: str):
    from engine.library.store import Store

    return Store(Path(home) / "tunescope.db")


def store():
    """The store under TUNESCOPE_HOME (one connection per server and home)."""
    return _store(_home())


@st.cache_resource(show_spinner="Loading the predictor…")
def _enricher(home: str):
    from engine.predictor.enrich import Enricher

    return Enricher(store=_store(home))


def enricher():
    """One Enricher per server: the model, the encoder and the catalog load once."""
    return _enricher(_home())


@st.cache_resource(show_spinner="Loading the recommender…")
def recommender():
    from engine.recs.recommend import Recommender

    return Recommender.load(catalog=enricher().catalog)  # one catalog in memory, shared with the predictor


@st.cache_data(show_spinner=False)
def recommender_figures() -> dict:
    """The served methods' real-listener recall@50 beside the charts' (models/hybrid/metrics.json)."""
    from engine.recs.hybrid import listener_figures

    return listener_figures()


@st.cache_data(show_spinner=False)
def shelf_figures() -> dict:
    """The learned ranker's real-listener figure per shelf, in words (models/ranker/metrics.json)."""
    from engine.recs.ranker.serve import shelf_figures as figures

    return figures()


# --- which library, and its version ------------------------------------------------------------
def _membership(library_id: int) -> str:
    """Changes when the library's tracks or its runs change (cheap: three indexed counts)."""
    row = store().db.execute(
        "select (select count(*) from library_tracks where library_id = ?),"
        " (select coalesce(max(rowid), 0) from library_tracks where library_id = ?),"
        " (select coalesce(max(id), 0) from runs where library_id = ?)",
        [library_id, library_id, library_id]).fetchone()
    return ":".join(map(str, row))


_OFFLINE = ":offline"  # a version ending so is a frame without online values (engine.pipeline.run)


def library_version(library_id: int) -> str:
    """The membership, plus how many real values have arrived online: frames recompute when they land.
    For an account that has not agreed to online lookups, none: the shared cache's values are left out
    of its frames, and another account's lookups neither show there nor change its version."""
    from dashboard import account
    from engine.library.providers import consent
    from engine.library.providers.lookup import PROVIDER

    if not consent.allowed(account.current()):
        return _membership(library_id) + _OFFLINE
    return f"{_membership(library_id)}:{store().online_found(PROVIDER, library_id)}"


def libraries():
    return store().libraries()


# --- frames: cached per library version --------------------------------------------------------
@st.cache_data(show_spinner="Predicting audio features for the library…", max_entries=8)
def _enriched(home: str, library_id: int, version: str, _computed=None):
    """`_computed` (not part of the key): a frame enriched() just computed with progress, to keep."""
    return _computed if _computed is not None else _compute_enriched(home, library_id, version)


def _compute_enriched(home: str, library_id: int, version: str, progress=None):
    """The one call that enriches a library: online values only in a version that allows them."""
    from engine.pipeline.run import enriched_library

    return enriched_library(_store(home), library_id, _enricher(home), progress=progress,
                            online=not version.endswith(_OFFLINE))


@st.cache_resource(show_spinner=False)
def _enriched_keys() -> set:
    """(home, library, version) whose frame this server has computed: those need no progress shown."""
    return set()


def enriched_ready(library_id: int) -> bool:
    """Whether enriched(library_id) is served from this server's cache (no wait worth a progress bar)."""
    return (_home(), int(library_id), library_version(library_id)) in _enriched_keys()


def enriched(library_id: int, progress=None):
    """The library with the 8 features, confidences, intervals and source (engine.pipeline.run).
    The first computation per version reports progress(done, total, message) from the engine, on the
    script thread (a cached function must not draw: Streamlit would replay its elements)."""
    home, version = _home(), library_version(library_id)
    key = (home, int(library_id), version)
    if key in _enriched_keys():
        return _enriched(home, library_id, version)
    result = _enriched(home, library_id, version, _computed=_compute_enriched(home, library_id, version, progress))
    _enriched_keys().add(key)
    return result


def assignments(library_id: int):
    """Every track's cluster in the library's one cluster model (cluster_library at cluster_k), as
    ASSIGN_COLUMNS with the `enriched` index: what the Map, Coverage and Recommendations show."""
    result = library_clusters(library_id, cluster_k(library_id))
    return result.assignments(index=enriched(library_id).index)


@st.cache_data(show_spinner="Trying k = 3…12 …", max_entries=8)
def _k_table(home: str, library_id: int, version: str):
    from engine.explore.clusters import choose_k

    return choose_k(_enriched(home, library_id, version))


def k_table(library_id: int):
    """Silhouette per k for this library."""
    return _k_table(_home(), library_id, library_version(library_id))


@st.cache_data(show_spinner="Clustering the library…", max_entries=32)
def _library_clusters(home: str, library_id: int, version: str, k: int):
    from engine.explore.clusters import cluster_library

    return cluster_library(_enriched(home, library_id, version), k)


def library_clusters(library_id: int, k: int):
    return _library_clusters(_home(), library_id, library_version(library_id), int(k))


CHOSEN_K = "cluster_k"  # {library id: k} this session chose on the Clusters page (kept off any widget)


def cluster_k(library_id: int) -> int:
    """The library's k: the one chosen on the Clusters page this session, else the suggested one."""
    table = k_table(library_id)
    chosen = st.session_state.get(CHOSEN_K, {}).get(int(library_id))
    return int(chosen) if chosen is not None and int(chosen) in set(table["k"].astype(int)) else suggested_k(table)


def choose_cluster_k(library_id: int, k: int) -> None:
    st.session_state.setdefault(CHOSEN_K, {})[int(library_id)] = int(k)


# --- listening: plays over time (engine.listening) ---------------------------------------------------
def play_count(library_id: int) -> int:
    """How many plays the library holds (one indexed count: decides whether the Listening page shows)."""
    return store().play_count(library_id)


@st.cache_data(show_spinner="Reading your plays…", max_entries=8)
def _plays(home: str, library_id: int, version: str):
    return _store(home).plays(library_id)


def _cluster_names(home: str, library_id: int, version: str, k: int):
    """Each track's cluster in the library's one cluster model at k (as every page shows it)."""
    import numpy as np

    result = _library_clusters(home, library_id, version, int(k))
    return np.asarray(result.names_, dtype=object)[result.labels_]


@st.cache_data(show_spinner="Summing up your listening…", max_entries=32)
def _listening(home: str, library_id: int, version: str, period: str, tz: str, k: int):
    from engine.listening import listening_view

    return listening_view(_plays(home, library_id, version), _enriched(home, library_id, version),
                          _cluster_names(home, library_id, version, k), period=period, tz=tz)


def listening(library_id: int, period: str, tz: str):
    """The Listening page's tables for a period and time zone (engine.listening.ListeningView)."""
    return _listening(_home(), library_id, library_version(library_id), period, tz, cluster_k(library_id))


@st.cache_data(show_spinner=False, max_entries=32)
def _listening_keys(home: str, library_id: int, version: str, period: str, tz: str, cluster: str | None, k: int):
    from engine.listening import played_keys

    return played_keys(_plays(home, library_id, version), _enriched(home, library_id, version), period, tz,
                       _cluster_names(home, library_id, version, k), cluster)


def listening_keys(library_id: int, period: str, tz: str, cluster: str | None = None) -> list[str]:
    """Keys of the tracks played in the period (and cluster), most played first."""
    return _listening_keys(_home(), library_id, library_version(library_id), period, tz, cluster,
                           cluster_k(library_id))


# --- the map: UMAP off the script thread ----------------------------------------------------------
# Loading the UMAP models and the first transform compile numba code (a minute on a cold machine).
# A worker thread does it, so the page shows progress and stays interruptible instead of freezing.
@st.cache_resource(show_spinner=False)
def _map_worker():
    from engine.explore.projection import MapModel

    from dashboard.background import DaemonWorker

    pool = DaemonWorker("tunescope-map")  # a daemon: a stopping server does not wait for UMAP
    return {"pool": pool, "model": pool.submit(MapModel.load), "coords": OrderedDict()}


def map_model():
    """The fitted MapModel (waits for the worker to finish loading it)."""
    return _map_worker()["model"].result()


def map_model_ready() -> bool:
    """Whether the map model has loaded (its first load compiles UMAP's numba code)."""
    return _map_worker()["model"].done()


def map_job(library_id: int, dims: int) -> Future:
    """A future of the library's (n, dims) map coordinates, started once per library version.
    Home starts the 2-D one as soon as a library is ready, so the Map page usually finds it done."""
    worker, key = _map_worker(), (_home(), library_id, library_version(library_id), int(dims))
    job = worker["coords"].get(key)
    if job is None or (job.done() and job.exception() is not None):
        frame, model = _enriched(key[0], library_id, key[2]), worker["model"]
        job = _keep(worker["coords"], key,
                    worker["pool"].submit(lambda: model.result().transform(frame, dims=int(dims))))
    return job


def _keep(jobs: OrderedDict, key, job, most: int = 16):
    """Remember a background job under its key; the oldest are forgotten past `most`."""
    jobs[key] = job
    while len(jobs) > most:
        jobs.popitem(last=False)
    return job


# --- real values online: a background lookup, only with consent ----------------------------------
@st.cache_resource(show_spinner=False)
def _online_worker():
    from engine.library.providers.fair import FairLookups

    # Accounts take turns batch by batch, so one account's slow lookup never holds another's.
    return {"lookups": FairLookups(workers=2), "jobs": OrderedDict()}


def online_job(library_id: int, allowed) -> dict | None:
    """The library's lookup of real values (engine.library.providers.lookup) as {'future', 'done',
    'total'}: started when allowed() (the listener agreed) and none ran for this membership yet; it asks
    allowed() again before each batch. It runs behind the pages, so the library opens at once with
    catalog values and predictions."""
    worker, key = _online_worker(), (_home(), library_id, _membership(library_id))
    job = worker["jobs"].get(key)
    if job is None and allowed():
        from engine.library.providers.lookup import lookup_steps

        the_store, job = store(), _keep(worker["jobs"], key, {"done": 0, "total": 0})
        steps = lookup_steps(the_store, the_store.lookup_candidates(library_id),
                             progress=lambda done, total: job.update(done=done, total=total), allowed=allowed)
        try:
            job["future"] = worker["lookups"].submit(the_store.library_account(library_id) or "", steps)
        except OnlineFeaturesUnavailableError as refused:  # this account has enough lookups waiting
            from engine.library.providers.lookup import LookupReport

            job["future"] = Future()
            job["future"].set_result(LookupReport(note=str(refused)))
    return job


def forget_online_job(library_id: int) -> None:
    """Let the next online_job ask again (after a stop: offline, rate-limited, consent turned off)."""
    _online_worker()["jobs"].pop((_home(), library_id, _membership(library_id)), None)


# --- artists' genres a development-mode sync left for later ----------------------------------------
@st.cache_resource(show_spinner=False)
def _genres_worker():
    from dashboard.background import DaemonWorker

    return {"worker": DaemonWorker("tunescope-genres"), "jobs": OrderedDict()}


def genres_job(the_store, library_id: int, client=None) -> dict | None:
    """The library's background fetch of pending artists' genres (engine.library.spotify.genres_later) as
    {'future', 'done', 'total'}; started (or resumed) when a signed-in client is given and some are pending."""
    from engine.library.spotify.genres_later import fetch_pending_genres, pending_genres

    worker, key = _genres_worker(), (_home(), library_id)
    job = worker["jobs"].get(key)
    left = pending_genres(the_store, library_id) if client is not None else 0
    if left and (job is None or job["future"].done()):
        job = _keep(worker["jobs"], key, {"done": 0, "total": left})
        job["future"] = worker["worker"].submit(fetch_pending_genres, the_store, client, library_id,
                                                lambda done, total: job.update(done=done, total=total))
    return job


@st.cache_data(show_spinner=False, max_entries=4)
def catalog_points(dims: int, sample: int):
    return map_model().catalog_points(dims=dims, sample=sample)


@st.cache_data(show_spinner="Finding recommendations…", max_entries=64)
def _recommendations(home: str, library_id: int, version: str, seeds: tuple | None, method: str, k: int,
                     exclude_artists: tuple, tempo: tuple | None, energy: tuple | None, max_per_artist: int,
                     shelf: str = "blend"):
    return recommender().recommend(_enriched(home, library_id, version), k=k,
                                   seeds=list(seeds) if seeds is not None else None, method=method,
                                   exclude_artists=exclude_artists, tempo=tempo, energy=energy,
                                   max_per_artist=max_per_artist, shelf=shelf)


def recommendations(library_id: int, seeds=None, method: str = "ranker", k: int = 20,
                    exclude_artists=(), tempo=None, energy=None, max_per_artist: int = 3, shelf: str = "blend"):
    """Ranked tracks not in the library (engine.recs.recommend); seeds are track keys, None = the whole library;
    shelf (ranker only): blend, yours (artists the library has) or new (artists it does not have)."""
    return _recommendations(_home(), library_id, library_version(library_id),
                            tuple(seeds) if seeds is not None else None, method, int(k),
                            tuple(exclude_artists), tuple(tempo) if tempo else None,
                            tuple(energy) if energy else None, int(max_per_artist), shelf)


@st.cache_data(show_spinner=False, max_entries=256)
def similar_tracks(features: tuple, k: int = 5):
    """The nearest real catalog tracks to a feature vector (FEATURES order)."""
    return recommender().similar_tracks(dict(zip(FEATURES, features)), k=k)


@st.cache_data(show_spinner=False, max_entries=256)
def _predict_track(home: str, title: str, artists: str, fields: tuple) -> dict:
    return _enricher(home).predict_track(title, artists, **dict(fields))


def predict_track(title: str, artists: str, **fields) -> dict:
    """One track for the form; a rerun with the same fields (e.g. typing lyrics) reuses the answer."""
    return _predict_track(_home(), title, artists, tuple(sorted(fields.items())))


def suggested_k(k_table) -> int:
    """A library is small and its silhouette curve noisy: suggest the best-separated k itself."""
    from engine.explore.clusters import default_k

    return default_k(k_table, tolerance=0.0) if len(k_table) else 2


@st.cache_resource
def spotify_sign_ins():
    """PKCE verifiers by OAuth state, one store per server: the redirect back from Spotify opens a
    new Streamlit session, so a verifier kept in session state would be lost."""
    from engine.library.spotify.auth import PendingSignIns

    return PendingSignIns(ttl_s=600)


def setting(name: str) -> str:
    """A setting from .streamlit/secrets.toml, else the environment; '' when neither."""
    import os

    try:
        value = st.secrets.get(name, "")
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning the default
        value = ""
    return str(value or os.environ.get(name, "")).strip()


def spotify_client_id() -> str:
    """SPOTIFY_CLIENT_ID from .streamlit/secrets.toml, else the environment; '' when neither."""
    return setting("SPOTIFY_CLIENT_ID")


@st.cache_resource(show_spinner="Loading the lyrics model…")
def lyrics_model():
    """The lyrics model, sharing the predictor's MiniLM encoder."""
    from engine.lyrics.serving import LyricsModel

    return LyricsModel.load(encoder=enricher().encoder)


def analyze_lyrics(text: str, features: dict, k: int = 8) -> dict:
    return lyrics_model().analyze(text, features, k=k)


# --- model cards: read from models/<name>/ files, refreshed when any of them changes ---------------
def _models_stamp() -> tuple:
    from engine.config import models_dir

    names = ("metrics.json", "config.json", "train_config.json", "train_log.jsonl")
    return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(models_dir().glob("*/*")) if p.name in names)


@st.cache_data(show_spinner="Reading the model cards…", max_entries=2)
def _model_cards(stamp: tuple) -> list:
    from engine.cards import model_cards

    return model_cards()


def model_cards() -> list:
    """Every shipped model's card (engine.cards), read once per change of the artifacts."""
    return _model_cards(_models_stamp())
