"""Spotify: PKCE sign-in (auth), the Web API client with retries (client), and the library sync (sync)."""
