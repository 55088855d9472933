"""The learned ranker: candidates in stages, one home for its features, a gradient-boosted model."""

# Each shelf: its name, the truth it is judged on, its measures in models/ranker/metrics.json (recall@50,
# distinct artists, genre diversity), and the simple rules it is shown beside (the CLI's table, the card).
SHELVES = (("From artists you play", "tracks by the library's artists", "own_artist_recall@50",
            "own_distinct_artists@50", "genre_diversity@50_own", ("your_artists", "recent_artists")),
           ("New to you", "tracks by artists new to the library", "discovery_recall@50", "new_distinct_artists@50",
            "genre_diversity@50_new", ("genre_chart", "cooccurrence")))
