"""Precision and recall of the old-format podcast rule (engine.library.podcasts) on the shared data only.

    .venv/bin/python bench/podcast_rule.py            # prints the figures docs/podcasts.md shows

Real listeners are only those in the shared data (engine.config.data_dir(): TUNESCOPE_DATA_DIR, default
../shared/data); nothing else may be gathered. Account exports before 2023 mix episodes into StreamingHistoryN.json
with no type field, so the truth has to come from a file that marks episodes: an extended streaming history
(`spotify_episode_uri`, `episode_show_name`, `episode_name`). Each such file is rewritten as the old format
writes it (show or artist as artistName, episode or track as trackName) and the rule judged against the marks.
The 2023+ `StreamingHistory_music_N.json` files are music only: the rule run on them counts false positives
alone (what a listener without podcasts would lose). The pre-2023 files have no truth: what the rule takes out
is listed to be read, and a followed show (YourLibrary.json) that was played is a certain positive that the
score alone is asked to find. The rule's thresholds are fixed in advance (chosen before this truth existed);
nothing here tunes them.
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

# Where a shared file that marks episodes may lie (the samples README: extended histories, listeners, exports).
TRUTH_DIRS = ("extended_streaming_history", "listeners", "account_export")


def _rows(path: Path) -> list[dict]:
    rows = json.loads(path.read_text("utf-8"))
    return rows if isinstance(rows, list) else []


def _is_extended(rows: list[dict]) -> bool:
    return bool(rows) and isinstance(rows[0], dict) and "spotify_episode_uri" in rows[0] and "ts" in rows[0]


def extended_files(samples: Path) -> dict[str, list[Path]]:
    """Listener folder name -> its extended-history files, wherever in the samples they are kept."""
    out: dict[str, list[Path]] = {}
    for kind in TRUTH_DIRS:
        for path in sorted((samples / kind).rglob("*.json")):
            if _is_extended(_rows(path)):
                out.setdefault(path.parent.name, []).append(path)
    return out


def as_old_format(rows: list[dict]) -> list[dict]:
    """Extended-history plays as a pre-2023 StreamingHistoryN.json writes them, each with its truth.

    An audiobook chapter or a row with neither a track nor an episode is left out: the old format had no
    audiobooks, and the importer drops a row without artistName or trackName anyway."""
    out = []
    for r in rows:
        episode = bool(r.get("spotify_episode_uri"))
        artist = r.get("episode_show_name") if episode else r.get("master_metadata_album_artist_name")
        title = r.get("episode_name") if episode else r.get("master_metadata_track_name")
        if artist and title:
            out.append({"endTime": str(r["ts"])[:16].replace("T", " "), "artistName": artist, "trackName": title,
                        "msPlayed": int(r["ms_played"]), "podcast": episode})
    return out


def _frame(rows: list[dict]) -> pd.DataFrame:
    rows = [r for r in rows if r.get("artistName") and r.get("trackName")]  # what the importer keeps
    return pd.DataFrame({"artists": [r["artistName"] for r in rows], "title": [r["trackName"] for r in rows],
                         "ms_played": [r["msPlayed"] for r in rows],
                         "podcast": [bool(r.get("podcast", False)) for r in rows]})


def judged(plays: pd.DataFrame, followed: set[str] = frozenset()) -> pd.DataFrame:
    shows = podcast_shows(plays, followed)
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


def truth_frames(samples: Path) -> dict[str, pd.DataFrame]:
    """Per listener with an extended history: the old-format rows, judged, with the truth."""
    return {name: judged(_frame(as_old_format([r for f in files for r in _rows(f)])))
            for name, files in extended_files(samples).items()}


def music_only_frames(samples: Path) -> dict[str, pd.DataFrame]:
    """Per 2023+ listener (listeners/ and account_export/): the music files' plays, judged; all are music."""
    out = {}
    for kind in ("listeners", "account_export"):
        for folder in sorted(p for p in (samples / kind).iterdir() if p.is_dir()):
            files = sorted(folder.rglob("StreamingHistory_music_*.json"))
            if files:
                out[folder.name] = judged(_frame([r for f in files for r in _rows(f)]))
    return out


def _old_frames(samples: Path) -> dict[str, tuple[pd.DataFrame, set[str]]]:
    """Per pre-2023 listener: the mixed plays (truth unknown) and the shows YourLibrary.json says it follows."""
    out = {}
    for kind in ("listeners", "account_export"):
        for folder in sorted(p for p in (samples / kind).iterdir() if p.is_dir()):
            files = sorted(f for f in folder.rglob("StreamingHistory*.json")
                           if f.stem[len("StreamingHistory"):].isdigit())
            if files:
                library = folder / "YourLibrary.json"
                followed = ({s["name"] for s in json.loads(library.read_text("utf-8")).get("shows", [])}
                            if library.exists() else set())
                out[folder.name] = (_frame([r for f in files for r in _rows(f)]), followed)
    return out


def separation(samples: Path) -> None:
    """A 2023+ export's own separation: no show the person follows is an artistName of its music files."""
    for kind in ("listeners", "account_export"):
        for library in sorted((samples / kind).glob("*/YourLibrary.json")):
            music = sorted(library.parent.rglob("StreamingHistory_music_*.json"))
            if music:
                followed = {s["name"].strip() for s in json.loads(library.read_text("utf-8")).get("shows", [])}
                artists = {str(r.get("artistName", "")).strip() for f in music for r in _rows(f)}
                print(f"  {library.parent.name}: follows {len(followed)} shows; {len(followed & artists)} of them "
                      f"among the {len(artists):,} artists of its music files")


def _line(s: dict) -> str:
    return (f"precision {s['precision']:.3f}, recall {s['recall']:.3f} (right {s['tp']:,.2f}, "
            f"music called podcast {s['fp']:,.2f}, episodes missed {s['fn']:,.2f})")


def main() -> None:
    samples = data_dir() / "samples"
    truth = truth_frames(samples)
    print(f"Shared data: {data_dir()}")
    if truth:
        both = pd.concat(truth.values(), ignore_index=True)
        print(f"{len(truth)} listener(s) with an extended history (episodes marked), rewritten as the old format: "
              f"{int(both['podcast'].sum()):,} episode plays among {len(both):,}")
        for unit, s in scores(both).items():
            print(f"  pooled, by {unit}: {_line(s)}")
        for name, frame in truth.items():
            for unit, s in scores(frame).items():
                print(f"    {name}, by {unit}: {_line(s)}")
        shows = both[both["podcast"]].groupby("artists").agg(
            plays=("ms_played", "size"), minutes=("ms_played", lambda m: round(m.sum() / 6e4, 1)),
            called=("called", "all"))
        print("  the shows, and whether the rule called each one:")
        print(shows.sort_values("minutes", ascending=False).to_string())
        wrong = both[both["called"] & ~both["podcast"]]
        print(f"  music called podcast: {wrong['artists'].nunique()} artists, {len(wrong):,} plays")
    else:
        print("No file of the shared data marks episodes: precision and recall cannot be measured.")
    only = music_only_frames(samples)
    pooled = pd.concat(only.values(), ignore_index=True)
    called = pooled[pooled["called"]]
    print(f"{len(only)} 2023+ listeners with music files only: {len(called):,} of {len(pooled):,} plays "
          f"({len(called) / len(pooled):.4%}; {called['ms_played'].sum() / 6e4:,.1f} min of "
          f"{pooled['ms_played'].sum() / 3.6e6:,.1f} h) called podcasts, by "
          f"{sum(f['called'].any() for f in only.values())} listeners' "
          f"{sum(f.loc[f['called'], 'artists'].nunique() for f in only.values())} artists:")
    for name, frame in only.items():
        hit = frame[frame["called"]]
        if len(hit):
            print(f"    {name}: " + "; ".join(f"{a} ({n} plays, {m / 6e4:.1f} min)" for a, (n, m) in
                  hit.groupby("artists")["ms_played"].agg(["size", "sum"]).iterrows()))
    separation(samples)
    old = _old_frames(samples)
    frames = {name: judged(plays) for name, (plays, _) in old.items()}  # the score alone: followed shows aside
    every = pd.concat([f.assign(listener=n) for n, f in frames.items()], ignore_index=True)
    taken = every[every["called"]]
    print(f"{len(old)} pre-2023 listeners (episodes unmarked, no truth): {len(taken):,} of {len(every):,} plays "
          f"({taken['ms_played'].sum() / 3.6e6:,.1f} of {every['ms_played'].sum() / 3.6e6:,.1f} h) called podcasts, "
          f"by {taken.groupby(['listener', 'artists']).ngroups} shows; the 15 longest (h):")
    print(taken.groupby(["listener", "artists"])["ms_played"].sum().div(3.6e6).round(1)
          .sort_values(ascending=False).head(15).to_string())
    for name, (plays, followed) in old.items():
        played = followed & set(plays["artists"])
        if played:
            found = played & set(frames[name].loc[frames[name]["called"], "artists"])
            print(f"  {name}: followed shows played {sorted(played)}; the score alone finds {sorted(found)}")


if __name__ == "__main__":
    main()
