"""Two fixes to whoosh-reloaded 2.7.5 (pinned in pyproject.toml), applied by index.schema on import.

Lengths: a segment's per-document reader looks up the length column of a field for every posting it
writes or scores, and for fields without lengths (ID, KEYWORD, NUMERIC: not scorable) it asks
the file system each time: about 150 ``stat`` calls per letter while indexing. Segment files
never change once written, so "no such column" is remembered like a found column is
(tests/test_build.py checks that the patch is in place and the index unchanged).

Memory: a compound segment is one memory-mapped file, and each part that a reader opens
(postings, stored fields, columns) became a ``BufferFile`` whose constructor copied the part
into a BytesIO, although its reads go through ``get()`` on the map. A server thus held a
private copy of nearly the whole index (about 190 MB of the 13k's 193 MB). The part's file
object now reads from the map itself, copying only the bytes read.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.filedb.structfile import BufferFile

_MISSING = object()


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    readers = self._readers
    reader = readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        readers[fieldname] = reader
    return reader


PEEK = 4096  # bytes handed to a reader that looks ahead


class _BufferReader:
    """A read-only file over a buffer (a memoryview of the map) that copies only what is read."""

    __slots__ = ("_buffer", "_position")

    def __init__(self, buffer: Any) -> None:
        self._buffer = buffer
        self._position = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, len(self._buffer))[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._buffer) if size is None or size < 0 else min(len(self._buffer), start + size)
        self._position = max(start, end)
        return bytes(self._buffer[start:end])

    def peek(self, size: int = 0) -> bytes:
        """Bytes from the position on, without moving: the unpickler reads ahead through this
        instead of calling read() for every few bytes of a block header."""
        start = self._position
        return bytes(self._buffer[start : start + max(size, PEEK)])

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        start = self._position
        view = self._buffer[start:] if size is None or size < 0 else self._buffer[start : start + size]
        end = bytes(view).find(b"\n") if len(view) < 4096 else _find_newline(view)
        return self.read(len(view) if end < 0 else end + 1)

    def close(self) -> None:
        pass

    def flush(self) -> None:
        pass


def _find_newline(view: Any) -> int:
    for start in range(0, len(view), 4096):
        found = bytes(view[start : start + 4096]).find(b"\n")
        if found >= 0:
            return start + found
    return -1


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _BufferReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def apply() -> None:
    W3PerDocReader._cached_reader = _cached_reader
    BufferFile.__init__ = _buffer_file_init
