"""Importers: every supported file format -> `Parsed` pieces in the normalized schema.

`read_file(name, data)` detects the format from the content (not only the name) and returns
one Parsed per logical file (a ZIP gives one per member it recognises).
"""

from engine.library.importers.base import Parsed
from engine.library.importers.limits import MAX_FILE_BYTES
from engine.library.importers.detect import read_file

__all__ = ["MAX_FILE_BYTES", "Parsed", "read_file"]
