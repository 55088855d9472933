"""Work that runs behind the pages on daemon threads (dashboard.background): the map's UMAP transform,
the online lookup of real values, and the artists' genres a development-mode sync left for later.

Each job is kept under its key (home, library, version) so that a page switch finds it running or done;
the oldest are forgotten past KEEP.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import Future

import streamlit as st

from engine.errors import OnlineFeaturesUnavailableError

KEEP = 16


def _keep(jobs: OrderedDict, key, job, most: int = KEEP):
    jobs[key] = job
    while len(jobs) > most:
        jobs.popitem(last=False)
    return job


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


def map_job(key: tuple, frame, dims: int) -> Future:
    """A future of the (n, dims) map coordinates of `frame`, started once per key (home, library, version)."""
    worker, key = _map_worker(), (*key, int(dims))
    job = worker["coords"].get(key)
    if job is None or (job.done() and job.exception() is not None):
        model = worker["model"]
        job = _keep(worker["coords"], key, worker["pool"].submit(lambda: model.result().transform(frame, dims=int(dims))))
    return job


# --- real values online: a background lookup, only with consent ----------------------------------
@st.cache_resource(show_spinner=False)
def _online_worker():
    from engine.library.providers.fair import FairLookups

    # Accounts take turns batch by batch, so one account's slow lookup never holds another's.
    return {"lookups": FairLookups(workers=2), "jobs": OrderedDict()}


def online_job(key: tuple, store, library_id: int, allowed) -> dict | None:
    """The library's lookup of real values (engine.library.providers.lookup) as {'future', 'done', 'total'}:
    started when allowed() (the listener agreed) and none ran under `key` (its membership) yet; it asks
    allowed() again before each batch. It runs behind the pages, so the library opens at once with catalog
    values and predictions."""
    worker = _online_worker()
    job = worker["jobs"].get(key)
    if job is None and allowed():
        from engine.library.providers.lookup import LookupReport, lookup_steps

        job = _keep(worker["jobs"], key, {"done": 0, "total": 0})
        steps = lookup_steps(store, store.lookup_candidates(library_id),
                             progress=lambda done, total: job.update(done=done, total=total), allowed=allowed)
        try:
            job["future"] = worker["lookups"].submit(store.library_account(library_id) or "", steps)
        except OnlineFeaturesUnavailableError as refused:  # this account has enough lookups waiting
            job["future"] = Future()
            job["future"].set_result(LookupReport(note=str(refused)))
    return job


def forget_online_job(key: tuple) -> None:
    """Let the next online_job ask again (after a stop: offline, rate-limited, consent turned off)."""
    _online_worker()["jobs"].pop(key, None)


# --- artists' genres a development-mode sync left for later ----------------------------------------
@st.cache_resource(show_spinner=False)
def _genres_worker():
    from dashboard.background import DaemonWorker

    return {"worker": DaemonWorker("tunescope-genres"), "jobs": OrderedDict()}


def genres_job(key: tuple, store, library_id: int, client=None) -> dict | None:
    """The library's background fetch of pending artists' genres (engine.library.spotify.genres_later) as
    {'future', 'done', 'total'}; started (or resumed) when a signed-in client is given and some are pending."""
    from engine.library.spotify.genres_later import fetch_pending_genres, pending_genres

    worker = _genres_worker()
    job = worker["jobs"].get(key)
    left = pending_genres(store, library_id) if client is not None else 0
    if left and (job is None or job["future"].done()):
        job = _keep(worker["jobs"], key, {"done": 0, "total": left})
        job["future"] = worker["worker"].submit(fetch_pending_genres, store, client, library_id,
                                                lambda done, total: job.update(done=done, total=total))
    return job
