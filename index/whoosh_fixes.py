"""A fix to whoosh-reloaded 2.7.5 (pinned in pyproject.toml), applied by index.schema on import.

A segment's per-document reader looks up the length column of a field for every posting it
writes or scores, and for fields without lengths (ID, KEYWORD, NUMERIC: not scorable) it asks
the file system each time: about 150 ``stat`` calls per letter while indexing. Segment files
never change once written, so "no such column" is remembered like a found column is
(tests/test_build.py checks that the patch is in place and the index unchanged).
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3PerDocReader

_MISSING = object()


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    readers = self._readers
    reader = readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        readers[fieldname] = reader
    return reader


def apply() -> None:
    W3PerDocReader._cached_reader = _cached_reader
