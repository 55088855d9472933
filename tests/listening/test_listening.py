"""Listening figures against a hand count of a real streaming history (plain json + collections +
zoneinfo, from the raw file), periods and time zones, skips, and the feature trends' predicted band."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from engine.errors import ListeningOptionError
from engine.library.imports import import_files
from engine.library.store import Store
from engine.listening import available_periods, listening_view, parse_period, played_keys
from engine.listening.events import play_events
from engine.listening.trends import feature_trends

HISTORY = ("listeners", "AOGbadamosi2018__Visualizing-Spotify-Streaming-Data", "StreamingHistory0.json")


@pytest.fixture(scope="module")
def history(samples):
    path = samples.joinpath(*HISTORY)
    store = Store(":memory:")
    report = import_files(store, [path])
    yield json.loads(path.read_text()), store.plays(report.library_id), store.library_tracks(report.library_id)
    store.close()


def utc(row) -> datetime:
    return datetime.strptime(row["endTime"], "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


def hand_count(rows, zone="UTC", keep=lambda when: True):
    """Listening ms, ms per artist, plays per local month: one play per (minute, artist, title)."""
    plays, ms, by_artist = Counter(), 0, Counter()
    seen = set()
    for row in rows:
        when = utc(row).astimezone(ZoneInfo(zone))
        if not keep(when):
            continue
        ms += row["msPlayed"]
        by_artist[row["artistName"]] += row["msPlayed"]
        if (row["endTime"], row["artistName"], row["trackName"]) not in seen:
            seen.add((row["endTime"], row["artistName"], row["trackName"]))
            plays[when.strftime("%Y-%m")] += 1
    return ms, by_artist, plays


def test_all_time_figures_match_a_hand_count_of_the_raw_file(history):
    rows, plays, tracks = history
    ms, by_artist, per_month = hand_count(rows)
    view = listening_view(plays, tracks, period="all")
    assert view.totals["hours"] == pytest.approx(ms / 3.6e6)
    assert view.totals["plays"] == sum(per_month.values())
    assert view.totals["artists"] == len(by_artist)
    top = view.tops[("artists", "time")].head(5)
    assert top["artist"].tolist() == [a for a, _ in by_artist.most_common(5)]
    assert top["hours"].tolist() == pytest.approx([m / 3.6e6 for _, m in by_artist.most_common(5)])
    monthly = view.monthly.assign(month=view.monthly["start"].dt.strftime("%Y-%m")).set_index("month")["plays"]
    assert monthly[monthly > 0].to_dict() == dict(per_month)
    assert view.label == "all time (2020-09 to 2021-09)"


def test_a_month_in_berlin_time_counts_the_plays_of_that_local_month(history):
    rows, plays, tracks = history
    berlin = ZoneInfo("Europe/Berlin")
    ms, by_artist, per_month = hand_count(rows, "Europe/Berlin", keep=lambda when: when.strftime("%Y-%m") == "2021-03")
    view = listening_view(plays, tracks, period="2021-03", tz="Europe/Berlin")
    assert view.totals["plays"] == per_month["2021-03"] > 0
    assert view.totals["hours"] == pytest.approx(ms / 3.6e6)
    assert view.label == "March 2021"
    # The heat map in local time: hours per (weekday, hour) by hand.
    grid = defaultdict(float)
    for row in rows:
        when = utc(row).astimezone(berlin)
        if when.strftime("%Y-%m") == "2021-03":
            grid[(when.weekday(), when.hour)] += row["msPlayed"] / 3.6e6
    heat = view.heatmap.to_numpy()
    assert heat.sum() == pytest.approx(sum(grid.values()))
    assert all(heat[d, h] == pytest.approx(v) for (d, h), v in grid.items())
    utc_view = listening_view(plays, tracks, period="2021-03", tz="UTC")
    assert not np.allclose(utc_view.heatmap.to_numpy(), heat)  # an hour apart (two, after the clocks change)


def test_default_period_is_the_last_twelve_months_of_the_history(history):
    rows, plays, tracks = history
    months = sorted({utc(r).strftime("%Y-%m") for r in rows})
    assert months[-1] == "2021-09"
    view = listening_view(plays, tracks)
    ms, _, per_month = hand_count(rows, keep=lambda when: "2020-10" <= when.strftime("%Y-%m") <= "2021-09")
    assert view.totals["plays"] == sum(per_month.values())
    assert view.label == "the last 12 months of your history (2020-10 to 2021-09)"
    year = listening_view(plays, tracks, period="2021")
    assert year.totals["plays"] == sum(n for m, n in hand_count(rows)[2].items() if m.startswith("2021"))
    offered = available_periods(plays["played_at"].dt.tz_localize(None).dt.to_period("M"))
    assert offered[:4] == ["last-12-months", "all", "2021", "2020"] and offered[4] == "2021-09" and len(offered) == 4 + 13


def test_new_artists_are_counted_in_the_month_of_their_first_play(history):
    rows, plays, tracks = history
    first = {}
    for row in sorted(rows, key=lambda r: r["endTime"]):
        first.setdefault(row["artistName"], row["endTime"][:7])
    view = listening_view(plays, tracks, period="all")
    assert view.new_artists.set_index("month")["new_artists"].to_dict() == dict(Counter(first.values()))


def test_bad_period_or_time_zone_is_a_clear_message(history):
    _, plays, tracks = history
    with pytest.raises(ListeningOptionError, match="Use all, last-12-months"):
        parse_period("2024-13")
    with pytest.raises(ListeningOptionError, match="Europe/Berlin"):
        listening_view(plays, tracks, tz="Berlin")


def test_skip_rate_uses_the_recorded_flag_and_the_30_second_rule(samples):
    files = sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))
    store = Store(":memory:")
    report = import_files(store, files)
    flags = {}
    for path in files:
        for row in json.loads(path.read_text()):
            if row.get("spotify_track_uri"):
                flags.setdefault((row["ts"], row["spotify_track_uri"]), []).append(bool(row["skipped"]))
    view = listening_view(store.plays(report.library_id), store.library_tracks(report.library_id), period="all")
    assert view.skips["recorded"] == view.skips["plays"] == len(flags)
    assert view.skips["skipped"] == sum(all(v) for v in flags.values())
    old = listening_view(*_plays_and_tracks(samples), period="all")  # no flag in the file: under 30 s
    assert old.skips["recorded"] == 0 and 0 < old.skips["rate"] < 1
    store.close()


def _plays_and_tracks(samples):
    store = Store(":memory:")
    report = import_files(store, [samples.joinpath(*HISTORY)])
    return store.plays(report.library_id), store.library_tracks(report.library_id)


def test_feature_trends_show_how_much_rests_on_predictions(samples, enricher):
    files = sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))
    store = Store(":memory:")
    report = import_files(store, files)
    plays = store.plays(report.library_id)
    june = plays[plays["played_at"].dt.strftime("%Y-%m") == "2023-06"]
    library = store.library_tracks(report.library_id)
    enriched = enricher.enrich(library[library["key"].isin(june["key"])].reset_index(drop=True))  # June's tracks only
    clusters = np.where(enriched["energy"] > 0.5, "loud", "quiet")
    view = listening_view(plays, enriched, clusters, period="2023-06")
    assert view.features_every == "week"  # a month is drawn per week (issue 29); its whole-month mean:
    monthly = feature_trends(play_events(june, enriched), enriched)
    energy = monthly[monthly["feature"] == "energy"].iloc[0]
    weeks = view.features[view.features["feature"] == "energy"]
    assert (weeks["mean"] * weeks["plays"]).sum() / weeks["plays"].sum() == pytest.approx(energy["mean"])
    played = enriched.set_index("key").loc[june["key"]]
    assert energy["mean"] == pytest.approx(played["energy"].mean())
    predicted = played["energy_confidence"] < 1
    assert energy["predicted"] == pytest.approx(predicted.mean())
    assert 0 < energy["predicted"] < 1
    assert energy["low"] < energy["mean"] < energy["high"]
    low = np.where(predicted, played["energy_low"], played["energy"]).mean()
    assert energy["low"] == pytest.approx(low)
    shares = view.clusters.set_index("cluster")["share"]
    assert shares.sum() == pytest.approx(1.0) and shares["loud"] == pytest.approx((played["energy"] > 0.5).mean())
    loud = played_keys(plays, enriched, "2023-06", "UTC", clusters, "loud")
    assert set(loud) == set(played.index[played["energy"] > 0.5])
    store.close()


def test_a_play_stamped_in_2262_is_skipped_and_the_last_twelve_months_stay_the_history_s(samples, tmp_path):
    """Issue 30 (9): one play stamped in 2262 made the default "last 12 months" that year (one play shown)."""
    path = samples.joinpath(*HISTORY)
    rows = json.loads(path.read_text(encoding="utf-8"))
    stray = dict(rows[0], endTime="2262-04-11 23:47")
    (tmp_path / path.name).write_text(json.dumps(rows + [stray]), encoding="utf-8")
    store = Store(":memory:")
    report = import_files(store, [tmp_path / path.name])
    assert any("stamped in the future" in note for note in report.problems)
    view = listening_view(store.plays(report.library_id), store.library_tracks(report.library_id))
    assert view.label == "the last 12 months of your history (2020-10 to 2021-09)" and view.totals["plays"] > 1000
