"""Named exceptions; the CLI and the dashboard turn each into a one-line friendly message."""


class TunescopeError(Exception):
    """Base class for errors a user can act on."""


class MissingColumnsError(TunescopeError):
    """An input table lacks the columns needed to identify tracks."""


class InputFileError(TunescopeError):
    """An input file cannot be read as a table."""


class DataNotFoundError(TunescopeError):
    """The reference datasets are not where TUNESCOPE_DATA_DIR points."""


class ModelNotFoundError(TunescopeError):
    """A trained artifact is missing or incomplete."""


class EmptyLibraryError(TunescopeError):
    """A library (or a seed selection) has no usable tracks for the requested operation."""


class UnknownSeedError(TunescopeError):
    """A seed track id is not in the library."""


class BadParameterError(TunescopeError):
    """A parameter (k, method, a filter range) is out of its allowed range."""
