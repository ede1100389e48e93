"""index/whoosh_fixes.py: a compound segment's parts read from the memory map, not from a private copy."""

from __future__ import annotations

import pickle
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.structfile import BufferFile

from index import whoosh_fixes  # noqa: F401 - index.schema applies the fixes on import
from search.engine import Engine

OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("read"), st.integers(-1, 40)),
    st.tuples(st.just("seek"), st.integers(0, 80)),
    st.tuples(st.just("seek_end"), st.integers(-80, 0)),
    st.tuples(st.just("skip"), st.integers(-10, 10)),
    st.tuples(st.just("readline"), st.integers(-1, 20)),
    st.tuples(st.just("readinto"), st.integers(0, 30)),
    st.tuples(st.just("peek"), st.integers(1, 30)),
), max_size=20)


@pytest.mark.parametrize("source", ["map", "file"])
@given(data=st.binary(max_size=64), operations=OPERATIONS)
def test_a_part_reads_like_bytesio(source: str, data: bytes, operations: list[tuple[str, int]]) -> None:
    """A part of a compound segment, read from the map or with pread from the file (here the
    part starts 7 bytes into the file and is followed by other bytes)."""
    if source == "map":
        _reads_like_bytesio(BufferFile(memoryview(data)).file, data, operations)
        return
    with tempfile.TemporaryFile() as handle:
        handle.write(b"before!" + data + b"after\n")
        handle.flush()
        _reads_like_bytesio(whoosh_fixes._FileReader(handle.fileno(), 7, len(data)), data, operations)


def _reads_like_bytesio(ours: Any, data: bytes, operations: list[tuple[str, int]]) -> None:
    theirs = BytesIO(data)
    for name, number in operations:
        if name == "read":
            assert ours.read(number) == theirs.read(number)
        elif name == "seek":
            assert ours.seek(number) == theirs.seek(number)
        elif name == "seek_end":
            if len(data) + number >= 0:
                assert ours.seek(number, 2) == theirs.seek(number, 2)
        elif name == "skip":
            if theirs.tell() + number >= 0:
                assert ours.seek(number, 1) == theirs.seek(number, 1)
        elif name == "readline":
            assert ours.readline(number) == theirs.readline(number)
        elif name == "peek":  # what the unpickler reads ahead with; BytesIO has no peek
            assert ours.peek(number)[:number] == data[theirs.tell():theirs.tell() + number]
        else:
            a, b = bytearray(number), bytearray(number)
            assert ours.readinto(a) == theirs.readinto(b) and a == b
        assert ours.tell() == theirs.tell()


def test_pickles_load_from_a_buffer_file() -> None:
    data = pickle.dumps({"kind": "letter", "n": 3}, -1) + pickle.dumps(["a", "b"], -1)
    handle = BufferFile(memoryview(data))
    assert handle.read_pickle() == {"kind": "letter", "n": 3}
    assert handle.read_pickle() == ["a", "b"]


def _part_files(searcher: object) -> list[object]:
    reader = searcher.reader()  # type: ignore[attr-defined]
    readers = [reader] if reader.is_atomic() else reader.readers
    files = []
    for sub in readers:
        files.append(sub._terms._dbfile)
        files.extend(handle for handle, _, _ in sub._perdoc._colfiles.values())
    return files


def test_the_parts_of_a_mapped_index_are_not_copied(seed_index: Path) -> None:
    """Whoosh's default: the index memory-mapped (writers merging segments read it so)."""
    from whoosh import index as whoosh_index
    from whoosh import query as wq

    with whoosh_index.open_dir(str(seed_index)).searcher() as searcher:
        assert len(list(searcher.documents(kind="letter"))) == 5  # stored fields have been read
        assert searcher.search(wq.Term("text", "navo")).scored_length() > 0  # and postings
        mapped = [f for f in _part_files(searcher) if isinstance(f, BufferFile)]
        assert mapped, "the seed index is one compound segment, read through the map"
        assert all(isinstance(f.file, whoosh_fixes._BufferReader) for f in mapped)


def test_the_engine_reads_its_index_without_a_map(engine: Engine) -> None:
    """So a server's memory does not grow with every index page a query touches."""
    from search.results import SearchRequest

    assert engine.search(SearchRequest(q="NAVO")).total > 0
    files = _part_files(engine.searcher())
    assert files and all(isinstance(f.file, whoosh_fixes._FileReader) for f in files)



def test_remembered_term_lookups_answer_as_whooshs(seed_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh import index as whoosh_index
    from whoosh.reading import TermNotFound

    original = whoosh_fixes.WHOOSH_TERM_LOOKUPS
    with whoosh_index.open_dir(str(seed_index)).searcher() as searcher:
        reader = searcher.reader()
        terms = reader._terms  # the seeds are one segment
        present = [("text", t) for t in list(reader.lexicon("text"))[::40]] + [("kind", b"letter")]
        absent = [("text", b"qqqzzz"), ("exact", b"rusland\x00"), ("nosuchfield", b"x")]
        for term in present + absent:
            assert (term in terms) == original["__contains__"](terms, term)
        for field, text in present:
            ours, theirs = terms.term_info(field, text), original["term_info"](terms, field, text)
            facts = ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id",
                     "extent")
            assert [getattr(ours, f)() for f in facts] == [getattr(theirs, f)() for f in facts]
            assert terms.doc_frequency(field, text) == original["doc_frequency"](terms, field, text)
            assert terms.frequency(field, text) == original["frequency"](terms, field, text)
        for field, text in absent:
            with pytest.raises(TermNotFound):
                terms.term_info(field, text)
            with pytest.raises(KeyError):
                terms.doc_frequency(field, text)
        looked: list[bytes] = []
        table = type(terms._tindex)
        monkeypatch.setattr(table, "__getitem__", lambda self, key: looked.append(key) or 1 / 0)
        for term in present + absent:  # all remembered: the term table is not read again
            assert (term in terms) == (term in present)
        assert looked == []



def test_block_ids_are_the_numbers_whooshs_generator_gives(seed_index: Path) -> None:
    from whoosh import index as whoosh_index
    from whoosh.codec import whoosh3
    from whoosh.util.numlists import delta_decode

    assert whoosh3.delta_decode is not delta_decode  # the fix is in place
    with whoosh_index.open_dir(str(seed_index)).searcher() as searcher:
        reader = searcher.reader()
        blocks = 0
        for text in list(reader.lexicon("text"))[::25] + [b"de"]:
            matcher = reader.postings("text", text)
            while matcher.is_active():
                matcher._read_ids()
                assert matcher._ids == tuple(delta_decode(matcher._data[0]))
                blocks += 1
                matcher._next_block()
        assert blocks > 50
