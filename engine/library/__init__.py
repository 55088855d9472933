"""A listener's library: the SQLite store, importers, the Spotify client and sync, the demo library."""
