"""The shelves: which ranked items a list keeps (one version per song, an artist cap), what each shelf holds,
and each shelf's real-listener figure in words from models/ranker/metrics.json.

Shelves of the ranker: "yours" (tracks by artists the library has), "new" (artists it does not have) and
"blend" (both, by the ranker's score).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

NAMES = ("blend", "yours", "new")

# Each shelf: its name, the truth it is judged on, its measures in models/ranker/metrics.json (recall@50,
# distinct artists, genre diversity), and the simple rules it is shown beside (the CLI's table, the card).
SHELVES = (("From artists you play", "tracks by the library's artists", "own_artist_recall@50",
            "own_distinct_artists@50", "genre_diversity@50_own", ("your_artists", "recent_artists")),
           ("New to you", "tracks by artists new to the library", "discovery_recall@50", "new_distinct_artists@50",
            "genre_diversity@50_new", ("genre_chart", "cooccurrence", "mpd_neighbours", "lastfm_artists")))

RULE_LABELS = {"your_artists": "your artists' popular tracks", "popularity": "the charts", "random": "random picks",
               "recent_artists": "popular tracks by the artists you played lately",
               "genre_chart": "a chart of your genres", "cooccurrence": "TidyTuesday playlist neighbours",
               "mpd_neighbours": "MPD playlist neighbours",
               "lastfm_artists": "artists your artists' Last.fm listeners play"}


def on_shelf(shelf: str, items: np.ndarray, artist_signal: np.ndarray) -> np.ndarray:
    """Which of `items` belong on the shelf: artist_signal is the library's affinity per item (> 0: an
    artist the library has)."""
    mine = artist_signal[items] > 0
    return {"blend": np.ones(len(items), bool), "yours": mine, "new": ~mine}[shelf]


def first_k(items: np.ndarray, artist: np.ndarray, k: int, cap: int | None, songs: np.ndarray | None = None) -> np.ndarray:
    """Positions in `items` (best first) of the first k that are neither beyond `cap` tracks by one artist
    (cap None: no cap) nor, with `songs` (song key per item), a second version of a song already kept."""
    per_artist: dict = {}
    listed: set = set()
    keep = []
    for position, item in enumerate(items):
        a = artist[item]
        if (songs is not None and songs[item] in listed) or (cap is not None and per_artist.get(a, 0) >= cap):
            continue
        if songs is not None:
            listed.add(songs[item])
        per_artist[a] = per_artist.get(a, 0) + 1
        keep.append(position)
        if len(keep) == k:
            break
    return np.asarray(keep, dtype=int)


def _ranker_metrics(path: Path | None) -> dict | None:
    from engine.config import models_dir

    metrics = Path(path or models_dir() / "ranker") / "metrics.json"
    return json.loads(metrics.read_text())["real_listeners"] if metrics.exists() else None


def shelf_figures(path: Path | None = None) -> dict:
    """Per shelf, the cross-validated real-listener figure in words from models/ranker/metrics.json:
    {"yours": text, "new": text, "blend": text}; {} when the metrics are missing."""
    real = _ranker_metrics(path)
    if real is None:
        return {}
    m = real["methods"]
    n = f"{m['ranker']['listeners']} real listeners"
    best = real["best_baseline"]
    best_new = real.get("best_discovery_baseline_any", real["best_discovery_baseline"])  # every rule, on the page
    best_own = max((b for b in ("your_artists", "recent_artists") if b in m), key=lambda b: m[b]["own_artist_recall@50"])

    def spread(artists: str) -> str:
        value = m["ranker"].get(artists)
        return f" Its top 50 held {value:.0f} different artists on average." if value else ""

    return {"yours": f"On {n}, this shelf found {m['ranker']['own_artist_recall@50']:.1%} of the tracks by their own "
                     f"artists they added next (in its top 50), vs {m[best_own]['own_artist_recall@50']:.1%} for "
                     f"the best simple rule ({RULE_LABELS[best_own]})." + spread("own_distinct_artists@50"),
            "new": f"On {n}, this shelf found {m['ranker']['discovery_recall@50']:.1%} of the tracks by artists new to "
                   f"them that they added next, vs {m[best_new]['discovery_recall@50']:.1%} for the best simple rule "
                   f"({RULE_LABELS.get(best_new, best_new)})." + spread("new_distinct_artists@50"),
            "blend": f"On {n}, these found {m['ranker']['recall@50']:.1%} of what listeners added next (in the top 50), "
                     f"vs {m[best]['recall@50']:.1%} for the best simple rule ({RULE_LABELS.get(best, best)})."}


def listener_figures(path: Path | None = None) -> dict:
    """{method: {"recall": pooled recall@50 on real listeners, "charts": global popularity's in the same
    run, "listeners": how many}} for every method of the ranker's cross-validated run (models/ranker), or
    {} when its metrics are missing (the page then shows no figure)."""
    real = _ranker_metrics(path)
    if real is None:
        return {}
    methods = real["methods"]
    charts = methods.get("popularity", {}).get("recall@50")
    return {name: {"recall": m["recall@50"], "charts": charts, "listeners": m["listeners"]}
            for name, m in methods.items()}
