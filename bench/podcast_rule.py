"""Precision and recall of the old-format podcast rule (engine.library.podcasts) on real histories.

    .venv/bin/python bench/podcast_rule.py            # prints the table docs/podcasts.md shows

Account exports before 2023 mix episodes into StreamingHistoryN.json with no type field. A 2023+ export keeps
them apart (StreamingHistory_podcast_N.json), so merging a listener's music and podcast files into one list of
old-format rows (show as artistName, episode as trackName) simulates the old format with the truth known.
The podcast files are those of the sample listeners in ../shared/data/samples/listeners/ (left out there),
kept in bench/data/podcasts/ (provenance in its README). Every other 2023+ sample listener has music files
only: the rule run on them counts false positives alone (what a listener without podcasts would lose).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.config import data_dir  # noqa: E402
from engine.library.podcasts import podcast_shows  # noqa: E402

PODCASTS = ROOT / "bench" / "data" / "podcasts"


def _music(folder: Path) -> pd.DataFrame:
    rows = [r for f in sorted(folder.rglob("StreamingHistory_music_*.json")) for r in json.loads(f.read_text("utf-8"))
            if r.get("artistName") and r.get("trackName")]  # what the importer keeps
    return pd.DataFrame({"artists": [r["artistName"] for r in rows], "title": [r["trackName"] for r in rows],
                         "ms_played": [r["msPlayed"] for r in rows], "podcast": False})


def _episodes(path: Path) -> pd.DataFrame:
    rows = json.loads(path.read_text("utf-8"))
    return pd.DataFrame({"artists": [r["podcastName"] for r in rows], "title": [r["episodeName"] for r in rows],
                         "ms_played": [r["msPlayed"] for r in rows], "podcast": True})


def judged(plays: pd.DataFrame) -> pd.DataFrame:
    shows = podcast_shows(plays)
    return plays.assign(called=plays["artists"].isin(shows))


def scores(frame: pd.DataFrame) -> dict:
    out = {}
    for unit, weight in (("plays", None), ("hours", "ms_played")):
        w = pd.Series(1.0, index=frame.index) if weight is None else frame[weight].astype(float) / 3.6e6
        tp, fp = w[frame["called"] & frame["podcast"]].sum(), w[frame["called"] & ~frame["podcast"]].sum()
        fn = w[~frame["called"] & frame["podcast"]].sum()
        out[unit] = {"tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp) if tp + fp else float("nan"),
                     "recall": tp / (tp + fn) if tp + fn else float("nan")}
    return out


def main() -> None:
    listeners = data_dir() / "samples" / "listeners"
    mixed, music_only = [], []
    for folder in sorted(p for p in listeners.iterdir() if p.is_dir()):
        if not any(folder.rglob("StreamingHistory_music_*.json")):
            continue
        podcast_file = PODCASTS / folder.name / "StreamingHistory_podcast_0.json"
        if podcast_file.exists():
            frame = judged(pd.concat([_music(folder), _episodes(podcast_file)], ignore_index=True))
            mixed.append(frame.assign(listener=folder.name))
        else:
            music_only.append(judged(_music(folder)).assign(listener=folder.name))
    both = pd.concat(mixed, ignore_index=True)
    print(f"{len(mixed)} listeners with a podcast file and a music file, merged as the old format: "
          f"{int(both['podcast'].sum()):,} episode plays among {len(both):,}")
    for unit, s in scores(both).items():
        print(f"  by {unit}: precision {s['precision']:.3f}, recall {s['recall']:.3f} "
              f"(right {s['tp']:,.1f}, music called podcast {s['fp']:,.1f}, episodes missed {s['fn']:,.1f})")
    for name, frame in both.groupby("listener"):
        s = scores(frame)["hours"]
        print(f"    {name}: {frame['podcast'].sum():,} episode plays; by hours precision {s['precision']:.3f}, "
              f"recall {s['recall']:.3f}")
    wrong = both[both["called"] != both["podcast"]].groupby(["listener", "artists", "podcast"]).agg(
        plays=("ms_played", "size"), hours=("ms_played", lambda m: m.sum() / 3.6e6)).reset_index()
    print("  shows missed and artists called shows:")
    print(wrong.sort_values("hours", ascending=False).to_string(index=False))
    only = pd.concat(music_only, ignore_index=True)
    called = only[only["called"]]
    print(f"{len(music_only)} listeners with music files only: {len(called):,} of {len(only):,} plays "
          f"({len(called) / len(only):.2%}; {called['ms_played'].sum() / 3.6e6:,.1f} of "
          f"{only['ms_played'].sum() / 3.6e6:,.1f} h) called podcasts, by "
          f"{called.groupby(['listener', 'artists']).ngroups} artists")
    print(called.groupby(["listener", "artists"]).size().sort_values(ascending=False).head(15).to_string())
    old = []  # pre-2023 exports: no truth to score against, so what the rule takes out is listed to be read
    for folder in sorted(p for p in listeners.iterdir() if p.is_dir()):
        files = sorted(f for f in folder.rglob("StreamingHistory*.json") if f.stem[len("StreamingHistory"):].isdigit())
        rows = [r for f in files for r in json.loads(f.read_text("utf-8")) if r.get("artistName") and r.get("trackName")]
        if rows:
            frame = pd.DataFrame({"artists": [r["artistName"] for r in rows], "title": [r["trackName"] for r in rows],
                                  "ms_played": [r["msPlayed"] for r in rows], "podcast": False})
            old.append(judged(frame).assign(listener=folder.name))
    old = pd.concat(old, ignore_index=True)
    called = old[old["called"]]
    print(f"{old['listener'].nunique()} pre-2023 listeners (episodes unmarked, no truth): {len(called):,} of {len(old):,} "
          f"plays ({called['ms_played'].sum() / 3.6e6:,.1f} of {old['ms_played'].sum() / 3.6e6:,.1f} h) called podcasts, "
          f"by {called.groupby(['listener', 'artists']).ngroups} shows; the 15 longest:")
    print(called.groupby(["listener", "artists"])["ms_played"].sum().div(3.6e6).round(1)
          .sort_values(ascending=False).head(15).to_string())


if __name__ == "__main__":
    main()
