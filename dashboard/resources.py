"""What the pages read, through the engine's one way in (engine.pipeline.facade.Tunescope).

One Tunescope per server and home (a resource); one EnrichedLibrary per library version (a resource:
every session that reads the same version shares it, and it hands out copies of its frames). The version
(the store's library_version) changes whenever an import or a sync adds tracks or runs, or online values
arrive for an account that allows them, so a page switch reads a kept library and a new import rebuilds it.
Everything heavy is imported inside the functions, so importing this module (every page does) is cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # pages run as scripts; make `engine` importable
    sys.path.insert(0, str(ROOT))

from dashboard import jobs  # noqa: E402  (needs the path above)
from engine.config import FEATURES, home_dir  # noqa: E402


def _home() -> str:
    return str(home_dir())


@st.cache_resource(show_spinner=False)
def _app(home: str):
    from engine.pipeline.facade import Tunescope

    return Tunescope(Path(home))


def app():
    """The Tunescope of this server's home: its store, models and libraries."""
    return _app(_home())


def store():
    """The store under TUNESCOPE_HOME (one per server and home)."""
    return app().store


def libraries():
    return store().libraries()


# --- which library, and its version ------------------------------------------------------------
def _online_allowed() -> bool:
    """Whether this browser's account agreed to online lookups: only then do its libraries show
    (and change version with) the values fetched online."""
    from dashboard import account
    from engine.library.providers import consent

    return consent.allowed(account.current())


def library_version(library_id: int) -> str:
    return app().library_version(int(library_id), online=_online_allowed())


@st.cache_resource(show_spinner="Predicting audio features for the library…", max_entries=8)
def _library(home: str, library_id: int, version: str, online: bool, _computed=None):
    """`_computed` (not part of the key): a library library() just built with progress, to keep."""
    return _computed if _computed is not None else _app(home).library(library_id, online=online)


@st.cache_resource(show_spinner=False)
def _built_keys() -> set:
    """(home, library, version) this server has built: those need no progress shown."""
    return set()


def _key(library_id: int) -> tuple:
    return _home(), int(library_id), library_version(library_id), _online_allowed()


def library_ready(library_id: int) -> bool:
    """Whether library(library_id) is kept already (no wait worth a progress bar)."""
    return _key(library_id) in _built_keys()


def library(library_id: int, progress=None):
    """The library as every page reads it (engine.pipeline.enriched.EnrichedLibrary). The first build per
    version reports progress(done, total, message) from the engine, on the script thread (a cached
    function must not draw: Streamlit would replay its elements)."""
    key = _key(library_id)
    if key in _built_keys():
        return _library(*key)
    built = _library(*key, _computed=_app(key[0]).library(key[1], online=key[3], progress=progress))
    _built_keys().add(key)
    return built


enriched_ready = library_ready


def enriched(library_id: int, progress=None):
    """The library's tracks with the 8 features, confidences, intervals and source (a copy)."""
    return library(library_id, progress).tracks


# --- the library's one cluster model ---------------------------------------------------------------
CHOSEN_K = "cluster_k"  # {library id: k} this session chose on the Clusters page (kept off any widget)


def k_table(library_id: int):
    """Silhouette per k for this library."""
    lib = library(library_id)
    return _derived(lib, "k_table", "Trying k = 3…12 …", lib.k_table)


def suggested_k(library_id: int) -> int:
    """The k every page uses unless this session chose another on the Clusters page."""
    k_table(library_id)  # with its spinner the first time
    return library(library_id).suggested_k()


def cluster_k(library_id: int) -> int:
    """The library's k: the one chosen on the Clusters page this session, else the suggested one."""
    table = k_table(library_id)
    chosen = st.session_state.get(CHOSEN_K, {}).get(int(library_id))
    return int(chosen) if chosen is not None and int(chosen) in set(table["k"].astype(int)) else suggested_k(library_id)


def choose_cluster_k(library_id: int, k: int) -> None:
    st.session_state.setdefault(CHOSEN_K, {})[int(library_id)] = int(k)


def library_clusters(library_id: int, k: int):
    lib = library(library_id)
    return _derived(lib, ("clusters", int(k)), "Clustering the library…", lambda: lib.clusters(int(k)))


def _derived(lib, name, waiting: str, compute):
    """compute() a value the library keeps, with a spinner only the first time (when there is a wait)."""
    if lib.has(name):
        return compute()
    with st.spinner(waiting):
        return compute()


def assignments(library_id: int):
    """Every track's cluster in the library's one cluster model at cluster_k, as ASSIGN_COLUMNS with the
    `enriched` index: what the Map, Coverage and Recommendations show."""
    return library(library_id).assignments(cluster_k(library_id))


# --- listening: plays over time (engine.listening) ---------------------------------------------------
def play_count(library_id: int) -> int:
    """How many plays the library holds (one indexed count: decides whether the Listening page shows)."""
    return store().play_count(library_id)


def episode_count(library_id: int) -> int:
    """How many podcast plays the library holds (kept apart from its music)."""
    return store().episode_count(library_id)


@st.cache_data(show_spinner="Summing up your listening…", max_entries=32)
def _listening(home: str, library_id: int, version: str, online: bool, period: str, tz: str, k: int):
    from engine.listening import listening_view

    lib = _library(home, library_id, version, online)
    return listening_view(lib.plays(), lib.listening_tracks(), lib.cluster_names(k), period=period, tz=tz, episodes=lib.episodes())


def listening(library_id: int, period: str, tz: str):
    """The Listening page's tables for a period and time zone (engine.listening.ListeningView)."""
    k = cluster_k(library_id)
    return _listening(*_key(library_id), period, tz, k)


@st.cache_data(show_spinner=False, max_entries=32)
def _listening_keys(home: str, library_id: int, version: str, online: bool, period: str, tz: str,
                    cluster: str | None, k: int):
    from engine.listening import played_keys

    lib = _library(home, library_id, version, online)
    return played_keys(lib.plays(), lib.tracks, period, tz, lib.cluster_names(k), cluster)


def listening_keys(library_id: int, period: str, tz: str, cluster: str | None = None) -> list[str]:
    """Keys of the tracks played in the period (and cluster), most played first."""
    k = cluster_k(library_id)
    return _listening_keys(*_key(library_id), period, tz, cluster, k)


# --- the map: UMAP off the script thread (dashboard.jobs) ------------------------------------------
map_model, map_model_ready = jobs.map_model, jobs.map_model_ready


def map_job(library_id: int, dims: int):
    """A future of the library's (n, dims) map coordinates, started once per library version.
    Home starts the 2-D one as soon as a library is ready, so the Map page usually finds it done."""
    key = _key(library_id)
    return jobs.map_job(key, _library(*key).tracks, dims)


@st.cache_data(show_spinner=False, max_entries=4)
def catalog_points(dims: int, sample: int):
    return jobs.map_model().catalog_points(dims=dims, sample=sample)


# --- real values online, and genres left for later (dashboard.jobs) -------------------------------
def _membership_key(library_id: int) -> tuple:
    """A lookup runs once per membership of the library (not per online value that arrives)."""
    return _home(), int(library_id), store().library_version(int(library_id))


def online_job(library_id: int, allowed) -> dict | None:
    return jobs.online_job(_membership_key(library_id), store(), int(library_id), allowed)


def forget_online_job(library_id: int) -> None:
    jobs.forget_online_job(_membership_key(library_id))


def genres_job(the_store, library_id: int, client=None) -> dict | None:
    return jobs.genres_job((_home(), int(library_id)), the_store, int(library_id), client)


# --- recommendations, the predictor form, lyrics ---------------------------------------------------
@st.cache_data(show_spinner="Finding recommendations…", max_entries=64)
def _recommendations(home: str, library_id: int, version: str, online: bool, seeds: tuple | None, method: str,
                     k: int, exclude_artists: tuple, tempo: tuple | None, energy: tuple | None, max_per_artist: int,
                     shelf: str = "blend"):
    with st.spinner("Loading the recommender…"):
        _app(home).recommender()
    return _app(home).recommend(_library(home, library_id, version, online), k=k,
                                seeds=list(seeds) if seeds is not None else None, method=method,
                                exclude_artists=exclude_artists, tempo=tempo, energy=energy,
                                max_per_artist=max_per_artist, shelf=shelf)


def recommendations(library_id: int, seeds=None, method: str = "ranker", k: int = 20,
                    exclude_artists=(), tempo=None, energy=None, max_per_artist: int = 3, shelf: str = "blend"):
    """Ranked tracks not in the library (engine.recs.recommend); seeds are track keys, None = the whole library;
    shelf (ranker only): blend, yours (artists the library has) or new (artists it does not have)."""
    return _recommendations(*_key(library_id), tuple(seeds) if seeds is not None else None, method, int(k),
                            tuple(exclude_artists), tuple(tempo) if tempo else None,
                            tuple(energy) if energy else None, int(max_per_artist), shelf)


@st.cache_data(show_spinner=False)
def recommender_figures() -> dict:
    """The served methods' real-listener recall@50 beside the charts' (models/ranker/metrics.json)."""
    from engine.recs.shelves import listener_figures

    return listener_figures()


@st.cache_data(show_spinner=False)
def shelf_figures() -> dict:
    """The learned ranker's real-listener figure per shelf, in words (models/ranker/metrics.json)."""
    from engine.recs.shelves import shelf_figures as figures

    return figures()


@st.cache_data(show_spinner=False, max_entries=256)
def similar_tracks(features: tuple, k: int = 5):
    """The nearest real catalog tracks to a feature vector (FEATURES order)."""
    return app().similar_tracks(dict(zip(FEATURES, features)), k=k)


@st.cache_data(show_spinner=False, max_entries=256)
def _predict_track(home: str, title: str, artists: str, fields: tuple) -> dict:
    with st.spinner("Loading the predictor…"):
        return _app(home).predict_track(title, artists, **dict(fields))


def predict_track(title: str, artists: str, **fields) -> dict:
    """One track for the form; a rerun with the same fields (e.g. typing lyrics) reuses the answer."""
    return _predict_track(_home(), title, artists, tuple(sorted(fields.items())))


@st.cache_data(show_spinner="Reading the lyrics…", max_entries=64)
def _analyze_lyrics(home: str, text: str, features: tuple, k: int) -> dict:
    return _app(home).analyze_lyrics(text, dict(features), k=k)


def analyze_lyrics(text: str, features: dict, k: int = 8) -> dict:
    """The lyrics model (sharing the predictor's MiniLM encoder) on pasted lyrics; a rerun with the same
    lyrics and features (any other widget moved) reuses the answer."""
    return _analyze_lyrics(_home(), text, tuple(sorted((f, float(v)) for f, v in features.items()
                                                       if f in FEATURES)), int(k))


@st.cache_resource
def spotify_sign_ins():
    """PKCE verifiers by OAuth state, one store per server: the redirect back from Spotify opens a
    new Streamlit session, so a verifier kept in session state would be lost."""
    from engine.library.spotify.auth import PendingSignIns

    return PendingSignIns(ttl_s=600)


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
