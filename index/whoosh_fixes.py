"""Six fixes to whoosh-reloaded 2.7.5 (pinned in pyproject.toml), applied by index.schema on import.

Lengths: a segment's per-document reader looks up the length column of a field for every posting it
writes or scores, and for fields without lengths (ID, KEYWORD, NUMERIC: not scorable) it asks
the file system each time: about 150 ``stat`` calls per letter while indexing. Segment files
never change once written, so "no such column" is remembered like a found column is
(tests/test_build.py checks that the patch is in place and the index unchanged), and a
length column (a byte a document) is read into memory in one read instead of a read per
posting scored.

Memory: a compound segment is one memory-mapped file, and each part that a reader opens
(postings, stored fields, columns) became a ``BufferFile`` whose constructor copied the part
into a BytesIO, although its reads go through ``get()`` on the map. A server thus held a
private copy of nearly the whole index (about 190 MB of the 13k's 193 MB). The part's file
object now reads from the map itself, copying only the bytes read.

Reads without a map (the search engine's: a map counts every page a query touched in the
server's memory): each part went through Whoosh's SubFile, which seeks the segment file that
all parts share before every read, under two layers of Python file objects; term lookups
read a few bytes at a time, so that was a fifth of a long query. A part now reads with
``os.pread`` at its own offset.

Term lookups: building a query's matchers asks the term table about each term up to four
times (is it there, its document frequency for ordering, its term info, its matcher), each
a hash lookup through file reads; a query with many compounds has hundreds of terms. A
segment's terms reader now remembers what it found (up to TERMS_REMEMBERED entries; a
segment never changes once written).

Block ids: a posting block's document numbers are stored as gaps, and Whoosh turned them back
into numbers with a Python generator, one step per posting (a third of a second for the 2.2
million postings a phrase of common words reads at 100k documents). ``itertools.accumulate``
gives the same numbers in C.

Block pickles: the segment codec pickled each posting block (its ids, weights and encoded
values) with protocol 2, which has no opcode for bytes: every value was written as a call to
``_codecs.encode`` and unpickling a block of 128 postings took about 80 µs, a third of a
phrase of common words. It now pickles with protocol 4 (bytes as bytes) without the memo
(``Pickler.fast``: the bytes depend only on the values, not on which of them happen to be
one object): about 12 µs to load and to dump, and a fifth smaller after zlib. Whoosh's
readers unpickle any protocol, so indexes written before read as they did.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from array import array
from itertools import accumulate
from typing import Any

from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3PerDocReader, W3TermInfo, W3TermsReader
from whoosh.columns import NumericColumn
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.reading import TermNotFound

_MISSING = object()


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    readers = self._readers
    reader = readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        if reader is not None:
            reader = load_numbers(reader) or reader
        readers[fieldname] = reader
    return reader


class Loaded:
    """A numeric column read into memory in one read: a length column is one byte a document,
    and scoring reads it for every posting it scores."""

    __slots__ = ("_values", "_default")

    def __init__(self, values: Any, default: Any) -> None:
        self._values = values
        self._default = default

    def __getitem__(self, docnum: int) -> Any:
        values = self._values
        return values[docnum] if docnum < len(values) else self._default

    def __len__(self) -> int:
        return len(self._values)

    @property
    def values(self) -> Any:
        """The stored values (an array), one per document the column was written for."""
        return self._values


def load_numbers(reader: Any) -> Loaded | None:
    """A NumericColumn's values in memory (None for another kind of column)."""
    if type(reader) is not NumericColumn.Reader:
        return None
    data = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
    values = array(reader._typecode, data)
    if reader._fixedlen > 1 and sys.byteorder == "little":
        values.byteswap()  # Whoosh writes them big-endian
    return Loaded(values, reader._default)


PEEK = 4096  # bytes handed to a reader that looks ahead


class _PartReader:
    """A read-only file over one part of a compound segment that fetches only what is read
    (subclasses say where from)."""

    __slots__ = ("_length", "_position")
    _length: int
    _position: int

    def _fetch(self, start: int, end: int) -> bytes:
        raise NotImplementedError

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, self._length)[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = self._length if size is None or size < 0 else min(self._length, start + size)
        if end <= start:
            return b""
        self._position = end
        return self._fetch(start, end)

    def peek(self, size: int = 0) -> bytes:
        """Bytes from the position on, without moving: the unpickler reads ahead through this
        instead of calling read() for every few bytes of a block header."""
        start = self._position
        end = min(self._length, start + max(size, PEEK))
        return self._fetch(start, end) if end > start else b""

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        start = self._position
        stop = self._length if size is None or size < 0 else min(self._length, start + size)
        for chunk_start in range(start, stop, PEEK):
            chunk_end = min(stop, chunk_start + PEEK)
            found = self._fetch(chunk_start, chunk_end).find(b"\n")
            if found >= 0:
                return self.read(chunk_start + found + 1 - start)
        return self.read(stop - start)

    def close(self) -> None:
        pass

    def flush(self) -> None:
        pass


class _BufferReader(_PartReader):
    """A part read from the memory map (a memoryview of it)."""

    __slots__ = ("_buffer",)

    def __init__(self, buffer: Any) -> None:
        self._buffer = buffer
        self._length = len(buffer)
        self._position = 0

    def _fetch(self, start: int, end: int) -> bytes:
        return bytes(self._buffer[start:end])


class _FileReader(_PartReader):
    """A part read from the segment file with ``os.pread``: one system call a read, and no seek
    position shared with the other parts (Whoosh's SubFile seeks the one file they share)."""

    __slots__ = ("_fd", "_offset")

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self._fd = fd
        self._offset = offset
        self._length = length
        self._position = 0

    def _fetch(self, start: int, end: int) -> bytes:
        return os.pread(self._fd, end - start, self._offset + start)


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _BufferReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


_open_compound_part = CompoundStorage.open_file


def _compound_open_file(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Without a memory map, a part reads through a _FileReader over the segment file."""
    if self.is_closed or self._source is not None or self._file is None or not self._file.is_real:
        return _open_compound_part(self, name, *args, **kwargs)
    offset, length = self.range(name)
    return StructFile(_FileReader(self._file.fileno(), offset, length), name=name)


TERMS_REMEMBERED = 50_000  # term table entries a segment's terms reader keeps
# Whoosh's own term lookups, kept for tests/test_whoosh_fixes.py to compare with
WHOOSH_TERM_LOOKUPS = {name: getattr(W3TermsReader, name)
                       for name in ("__contains__", "term_info", "frequency", "doc_frequency")}


def _term_entry(self: Any, fieldname: str, tbytes: bytes) -> bytes | None:
    """The term table's entry for a term (None: no such term), remembered."""
    try:
        entries = self._kz_entries
    except AttributeError:
        entries = self._kz_entries = {}
    key = self._keycoder(fieldname, tbytes)
    entry = entries.get(key, _MISSING)
    if entry is _MISSING:
        try:
            entry = self._tindex[key]
        except KeyError:
            entry = None
        if len(entries) >= TERMS_REMEMBERED:
            entries.clear()
        entries[key] = entry
    return entry  # type: ignore[no-any-return]


def _terms_contains(self: Any, term: tuple[str, bytes]) -> bool:
    return _term_entry(self, *term) is not None


def _terms_term_info(self: Any, fieldname: str, tbytes: bytes) -> Any:
    entry = _term_entry(self, fieldname, tbytes)
    if entry is None:
        raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
    return W3TermInfo.from_bytes(entry)


def _found(self: Any, fieldname: str, tbytes: bytes) -> Any:
    """The term info, or KeyError as Whoosh's own lookup raises it (readers then answer 0)."""
    entry = _term_entry(self, fieldname, tbytes)
    if entry is None:
        raise KeyError((fieldname, tbytes))
    return W3TermInfo.from_bytes(entry)


def _terms_frequency(self: Any, fieldname: str, tbytes: bytes) -> float:
    return float(_found(self, fieldname, tbytes).weight())


def _terms_doc_frequency(self: Any, fieldname: str, tbytes: bytes) -> int:
    return int(_found(self, fieldname, tbytes).doc_frequency())


BLOCK_PICKLE_PROTOCOL = 4


def _dumps(obj: Any, protocol: int | None = None) -> bytes:
    """Whoosh's ``dumps`` for its segment codec: protocol 4, no memo (see the module's notes)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, BLOCK_PICKLE_PROTOCOL)
    pickler.fast = True  # no memo: the same values give the same bytes; the codec pickles no cycles
    pickler.dump(obj)
    return out.getvalue()


def apply() -> None:
    W3PerDocReader._cached_reader = _cached_reader
    BufferFile.__init__ = _buffer_file_init
    CompoundStorage.open_file = _compound_open_file
    W3TermsReader.__contains__ = _terms_contains
    W3TermsReader.term_info = _terms_term_info
    W3TermsReader.frequency = _terms_frequency
    W3TermsReader.doc_frequency = _terms_doc_frequency
    whoosh3.delta_decode = accumulate  # only the block reader's ids use it
    whoosh3.dumps = _dumps  # posting blocks, their headers, inlined postings
