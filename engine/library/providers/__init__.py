"""Online sources of real audio features for Spotify track ids (used only with the user's consent)."""
