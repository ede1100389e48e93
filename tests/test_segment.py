"""index/segment.py writes the segment Whoosh's own writer writes, byte for byte."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.writing import SegmentWriter

from index.ingest import process_file
from index.schema import add_letter, make_schema
from index.segment import BulkSegmentWriter, TermPostings
from tests.conftest import SEEDS


def _segment_files(index_dir: Path) -> dict[str, bytes]:
    """The files of the index's one segment, by extension (segment names are random)."""
    ix = whoosh_index.open_dir(str(index_dir))
    (segment,) = ix._segments()
    prefix = segment.make_filename("")
    return {name[len(prefix):]: (index_dir / name).read_bytes()
            for name in sorted(p.name for p in index_dir.iterdir()) if name.startswith(prefix)}


def _write(index_dir: Path, writer_class: type, optimize_from: int = 0) -> dict[str, bytes]:
    """The seeds indexed as `kamerzoek index` adds them; with ``optimize_from``, the first
    letters go into a segment of their own that the second commit merges (Whoosh's add_reader)."""
    index_dir.mkdir()
    ix = whoosh_index.create_in(str(index_dir), make_schema())
    results = [process_file(str(path)) for path in sorted(SEEDS.iterdir())]
    batches = [results[:optimize_from], results[optimize_from:]] if optimize_from else [results]
    for batch in batches:
        writer = writer_class(ix, compound=False)
        for result in batch:
            for letter in result.letters:
                add_letter(writer, letter, result.path, result.filehash)
        writer.commit(optimize=True)
    return _segment_files(index_dir)


@pytest.mark.parametrize("optimize_from", [0, 2])
def test_the_bulk_writer_writes_whooshs_files_byte_for_byte(tmp_path: Path, optimize_from: int) -> None:
    theirs = _write(tmp_path / "whoosh", SegmentWriter, optimize_from)
    ours = _write(tmp_path / "bulk", BulkSegmentWriter, optimize_from)
    assert set(ours) == set(theirs)
    assert {".trm", ".pst"} <= set(ours)  # the postings are among what is compared
    for extension in theirs:
        assert ours[extension] == theirs[extension], extension


def _write_long_lists(index_dir: Path, writer_class: type) -> dict[str, bytes]:
    """1,500 documents of seven words: posting lists of many blocks, positions and frequencies
    and neither, weights alike and not, a boosted field, scorable and not."""
    index_dir.mkdir()
    schema = Schema(body=TEXT(phrase=True), counts=TEXT(phrase=False, field_boost=1.5),
                    tag=KEYWORD(scorable=True), flag=ID)
    ix = whoosh_index.create_in(str(index_dir), schema)
    rng = random.Random(7)
    words = ["de", "het", "navo", "brief", "minister", "kamer", "zorg"]
    writer = writer_class(ix, compound=False)
    for n in range(1500):
        body = " ".join(rng.choices(words, k=rng.randint(1, 40)))
        writer.add_document(body=body, counts=body if n % 5 else "", tag=" ".join(rng.sample(words, 2)),
                            flag="ja" if n % 3 else "nee")
    writer.commit()
    return _segment_files(index_dir)


def test_the_bulk_writer_writes_long_posting_lists_byte_for_byte(tmp_path: Path) -> None:
    theirs = _write_long_lists(tmp_path / "whoosh", SegmentWriter)
    ours = _write_long_lists(tmp_path / "bulk", BulkSegmentWriter)
    assert set(ours) == set(theirs)
    for extension in theirs:
        assert ours[extension] == theirs[extension], extension
    ix = whoosh_index.open_dir(str(tmp_path / "bulk"))
    with ix.searcher() as searcher:
        assert searcher.reader().doc_frequency("body", "de") > 1000  # many blocks of 128


def test_postings_come_out_sorted_by_field_term_and_document() -> None:
    pool = TermPostings()
    for item in [("text", b"b", 0, 1.0, b"x"), ("text", b"a", 0, 2.0, b""), ("heading", b"z", 1, 1.0, b""),
                 ("text", b"b", 3, 1.0, b"y")]:
        pool.add(item)
    assert list(pool.iter_postings()) == [
        ("heading", b"z", 1, 1.0, b""), ("text", b"a", 0, 2.0, b""),
        ("text", b"b", 0, 1.0, b"x"), ("text", b"b", 3, 1.0, b"y"),
    ]


def test_a_posting_out_of_document_order_is_refused() -> None:
    pool = TermPostings()
    pool.add(("text", b"a", 5, 1.0, b""))
    with pytest.raises(ValueError, match="document 2 after 5"):
        pool.add(("text", b"a", 2, 1.0, b""))
