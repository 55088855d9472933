"""The ranker judged on TidyTuesday playlists (a playlist has no listener: no co-listening rows)."""
