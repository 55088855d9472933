"""The reference catalog: tracks with real features, their keys, artist genres and popularity (catalog < every other wing)."""
