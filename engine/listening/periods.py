"""Periods and time zones: the files give UTC; every month, year, hour and weekday here is the listener's.

A period is 'all', 'last-12-months' (the twelve calendar months ending with the month of the latest
play, so an old history still opens on its last year), a year '2024' or a month '2024-03'.
"""

from __future__ import annotations

import re
import zoneinfo

import numpy as np
import pandas as pd

from engine.errors import ListeningOptionError

ALL, LAST_12 = "all", "last-12-months"
_YEAR, _MONTH = re.compile(r"\d{4}"), re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def time_zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(str(name).strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ListeningOptionError(f"Unknown time zone {str(name)[:60]!r}. Use an IANA name such as "
                                   "Europe/Berlin, America/New_York or UTC.") from None


def parse_period(text: str | None) -> str:
    period = (text or LAST_12).strip().lower()
    if period in (ALL, LAST_12) or _YEAR.fullmatch(period) or _MONTH.fullmatch(period):
        return period
    raise ListeningOptionError(f"Unknown period {str(text)[:40]!r}. Use all, last-12-months, a year (2024) "
                               "or a month (2024-03).")


def period_bounds(period: str, months: pd.Series) -> tuple[pd.Period | None, pd.Period | None]:
    """First and last month (inclusive) of the period; None for an open end."""
    period = parse_period(period)
    if period == ALL or months.empty:
        return None, None
    if period == LAST_12:
        last = months.max()
        return last - 11, last
    if _YEAR.fullmatch(period):
        return pd.Period(f"{period}-01", "M"), pd.Period(f"{period}-12", "M")
    return pd.Period(period, "M"), pd.Period(period, "M")


def in_period(months: pd.Series, period: str, every_month: pd.Series | None = None) -> np.ndarray:
    """Which of `months` fall in the period; `every_month` (default `months`) places 'the last 12 months'
    (music and podcasts share one period, whichever was played last)."""
    first, last = period_bounds(period, months if every_month is None else every_month)
    keep = np.ones(len(months), bool)
    if first is not None:
        keep &= (months >= first).to_numpy() & (months <= last).to_numpy()
    return keep


def period_label(period: str, months: pd.Series) -> str:
    period = parse_period(period)
    if period == ALL:
        return "all time" + (f" ({months.min()} to {months.max()})" if len(months) else "")
    if period == LAST_12:
        first, last = period_bounds(period, months)
        return "the last 12 months" + (f" of your history ({first} to {last})" if first is not None else "")
    return pd.Period(period, "M").strftime("%B %Y") if _MONTH.fullmatch(period) else period


def available_periods(months: pd.Series) -> list[str]:
    """What a period selector offers: the last 12 months, all time, then every year and month with plays, newest first."""
    present = pd.Series(months.unique()).sort_values(ascending=False)
    years = sorted({str(m.year) for m in present}, reverse=True)
    return [LAST_12, ALL, *years, *(str(m) for m in present)]
