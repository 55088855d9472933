"""Named exceptions; the CLI and the dashboard turn each into a one-line friendly message."""

import errno
import sqlite3


class TunescopeError(Exception):
    """Base class for errors a user can act on."""


class MissingColumnsError(TunescopeError):
    """An input table lacks the columns needed to identify tracks."""


class InputFileError(TunescopeError):
    """An input file cannot be read as a table."""


class UnrecognisedExportError(InputFileError):
    """A JSON file is valid but is none of the Spotify export files Tunescope reads."""


class ImportTooLargeError(InputFileError):
    """One import (loose files and ZIP members together) is over a per-import limit: nothing of it is stored."""


class LibraryAccessError(TunescopeError):
    """An account tried to write into a library it does not own (someone else's, or the demo)."""


class DataNotFoundError(TunescopeError):
    """The reference datasets are not where TUNESCOPE_DATA_DIR points."""


class ModelNotFoundError(TunescopeError):
    """A trained artifact is missing or incomplete."""


class SpotifyConfigError(TunescopeError):
    """No Spotify client id is configured (secrets.toml or SPOTIFY_CLIENT_ID)."""


class SpotifyAuthError(TunescopeError):
    """The Spotify sign-in is missing, expired beyond refresh, or was refused."""


class SpotifyRateLimitError(TunescopeError):
    """Spotify kept answering 429 (or asked for a longer wait than we accept)."""


class SpotifyUnavailableError(TunescopeError):
    """Spotify kept failing (5xx, timeouts, dropped connections) after every retry."""


class SpotifyRequestError(TunescopeError):
    """Spotify refused a request (4xx other than 401/429); `.status` holds the HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class NothingToExportError(TunescopeError):
    """None of the tracks given has a Spotify id, so no Spotify playlist can be made of them."""


class LyricsError(TunescopeError):
    """Lyrics are empty, too short, or do not read as song lyrics."""


class EmptyLibraryError(TunescopeError):
    """A library (or a seed selection) has no usable tracks for the requested operation."""


class UnknownSeedError(TunescopeError):
    """A seed track id is not in the library."""


class BadParameterError(TunescopeError):
    """A parameter (k, method, a filter range) is out of its allowed range."""


class OnlineFeaturesUnavailableError(TunescopeError):
    """The online source of real features (ReccoBeats) kept failing or rate-limiting after every retry;
    what was fetched before is kept, and a re-run asks only for what is still missing."""


class TrainingConfigError(TunescopeError):
    """A training config file or a --set override names an unknown key or gives a value of the wrong type."""


class ListeningOptionError(TunescopeError):
    """A listening period or time zone Tunescope cannot read (e.g. --period 2024-13, --tz Berlin)."""


class DiskFullError(TunescopeError):
    """The disk under TUNESCOPE_HOME is full: SQLite's SQLITE_FULL or an OSError ENOSPC/EDQUOT."""


class SettingNotSavedError(TunescopeError):
    """A choice (online lookups) could not be written under TUNESCOPE_HOME; the previous one stands."""


def is_disk_full(exc: BaseException) -> bool:
    """True for the ways a full disk (or quota) surfaces: SQLite says so, or the OS does."""
    if isinstance(exc, sqlite3.OperationalError):
        return "database or disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
