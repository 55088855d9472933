"""Real values online (ReccoBeats), as every page shows them: the consent toggle (Home) and the
background lookup's progress. The lookup starts only once the listener has agreed, never blocks a
page, and reruns the app when values land so every frame recomputes with them."""

from __future__ import annotations

import time

import streamlit as st

from dashboard import account, resources
from dashboard.engine_errors import engine_errors
from dashboard.formats import count
from engine.library.providers import consent

_SEEN = "online_found_seen"
REFRESH_EVERY_S = 10.0  # while values land, pages recompute at most this often (and once at the end)


def consent_toggle(library_id: int) -> bool:
    """Home's switch; the choice is remembered under TUNESCOPE_HOME for this account."""
    who = account.current()
    on = st.toggle("Fetch real audio features online", value=consent.allowed(who), key="online_consent",
                   disabled=account.read_only())  # the account's owner decides, not whoever views it
    st.caption(f"When on, Tunescope sends {consent.WHAT_IS_SENT} Off by default; switch it off any time.")
    if on != consent.allowed(who) and not account.read_only():
        with engine_errors(stop=False):  # a full or read-only disk: a message, the old choice stands
            consent.remember(on, who)
        job = resources.online_job(library_id, allowed=lambda: False)
        if on and job is not None and job["future"].done():  # one stopped earlier (turned off, offline) starts again
            resources.forget_online_job(library_id)
    return consent.allowed(who) if not account.read_only() else on


def status(library_id: int) -> None:
    """Start the lookup if agreed, and show it: progress while it runs, one calm note if it had to stop."""
    who = account.current()
    job = resources.online_job(library_id, allowed=lambda: consent.allowed(who))
    if job is None or (job["future"].done() and not consent.allowed(who)):
        return  # never agreed, or turned off: nothing to show
    running = not job["future"].done()
    st.fragment(run_every=1.5 if running else None)(_progress)(library_id, job, running)


def _progress(library_id: int, job: dict, was_running: bool) -> None:
    """Polls while the lookup runs (was_running); the whole app reruns when it ends, or at most every
    REFRESH_EVERY_S while values land, so the page's frames recompute with them."""
    from engine.library.providers.lookup import PROVIDER

    found = resources.store().online_found(PROVIDER, library_id)
    future, seen = job["future"], st.session_state.setdefault(_SEEN, {})
    shown, shown_at = seen.get(library_id, (found, time.monotonic()))
    if (was_running and future.done()) or (shown != found and time.monotonic() - shown_at >= REFRESH_EVERY_S):
        seen[library_id] = (found, time.monotonic())
        st.rerun(scope="app")
    seen.setdefault(library_id, (found, shown_at))
    if not future.done():
        total = max(job["total"], 1)
        st.progress(job["done"] / total, text=f"Fetching real values from ReccoBeats: {job['done']:,} of "
                                              f"{job['total']:,} tracks asked, {found:,} found so far")
        return
    note = future.exception() and "the lookup failed unexpectedly; nothing stored was lost"
    report = None if future.exception() else future.result()
    if report is not None and report.note:
        note = report.note
    if note:
        st.info(f"Real values online are paused: {note}", icon=":material/cloud_off:")
        if st.button("Try again", key="online_retry"):
            resources.forget_online_job(library_id)
            st.rerun(scope="app")
    elif found:
        st.caption(f"{count(found, 'track')} {'has' if found == 1 else 'have'} real values from ReccoBeats.")
