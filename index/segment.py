"""A Whoosh segment writer that keeps postings in memory, term by term, and writes them in one pass.

Whoosh's SegmentWriter sends every posting through an external sorting pool (a tuple per
posting, pickled runs on disk, a heap merge) and then through ``FieldWriter.add_postings``, a
chain of Python calls per posting that also looks the document's field length up each time.
For a 13k build that was most of the indexing time (docs/performance.md).

Here a posting is appended to its term's lists as its document arrives. Documents get
increasing numbers, so each list is already in order and only the terms are sorted at the
end; each list is then cut into Whoosh's blocks, and Whoosh's own block writer pickles and
compresses them. The segment is Whoosh's format byte for byte (tests/test_segment.py builds
the same documents both ways and compares the files), so readers, merges and scores are
unchanged.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.writing import SegmentWriter

# docnums, weights, the encoded values end to end, where each value ends
_Entry = tuple["array[int]", "array[float]", bytearray, "array[int]"]


class TermPostings:
    """Stands in for Whoosh's PostingPool: per field, per term, its postings in docnum order
    (numbers in arrays and the encoded values in one buffer per term, not an object per
    posting: a worker holds the postings of half a 100k collection).

    Whoosh's merge (``add_reader``) feeds it through ``add`` as the writer's own documents do.
    """

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, _Entry]] = {}
        self.fieldnames: set[str] = set()  # read by Whoosh's multiprocessing writer

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, text, docnum, weight, value = item
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        entry = terms.get(text)
        if entry is None:
            encoded = bytearray(value or b"")
            terms[text] = (array("I", (docnum,)), array("d", (weight,)), encoded, array("I", (len(encoded),)))
            return
        docnums, weights, encoded, ends = entry
        if docnum <= docnums[-1]:  # Whoosh's writer would raise OutOfOrderError later
            raise ValueError(f"posting for document {docnum} after {docnums[-1]} in {fieldname}")
        docnums.append(docnum)
        weights.append(weight)
        if value:
            encoded += value
        ends.append(len(encoded))

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """The postings sorted as Whoosh's pool yields them (field, term, docnum)."""
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for text in sorted(terms):
                docnums, weights, encoded, ends = terms[text]
                values = _values(encoded, ends, 0, len(ends))
                for i, docnum in enumerate(docnums):
                    yield fieldname, text, docnum, weights[i], values[i]

    def cleanup(self) -> None:
        self.fields.clear()


class BulkSegmentWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh's SegmentWriter with :class:`TermPostings` as its pool and a bulk flush."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool.cleanup()  # Whoosh's pool has written nothing yet; only its temp folder exists
        self.pool: TermPostings = TermPostings()

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None,
               segments: list[Any] | None = None) -> None:
        """Whoosh's commit, with ``segments`` written by other writers (worker processes)
        added after this writer's own: one new table of contents names them all."""
        self._check_state()
        final = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final + list(segments or []))
        self._finish()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            write_postings(self.fieldwriter, self.schema, lengths, self.pool, self.docnum)
        finally:
            self.fieldwriter.close()
            lengths.close()


def write_postings(fieldwriter: Any, schema: Any, lengths: Any, pool: TermPostings,
                   doccount: int) -> None:
    """What ``FieldWriter.add_postings`` writes, a block at a time instead of a posting at a time."""
    for fieldname in sorted(pool.fields):
        fieldobj = schema[fieldname]
        field_lengths = (
            [lengths.doc_field_length(d, fieldname) for d in range(doccount)]
            if fieldobj.scorable else None
        )
        fieldwriter.start_field(fieldname, fieldobj)
        postwriter = fieldwriter._postwriter
        limit = postwriter._blocklimit
        terms = pool.fields[fieldname]
        for text in sorted(terms):
            docnums, weights, encoded, ends = terms[text]
            fieldwriter.start_term(text)
            for start in range(0, len(docnums), limit):
                if start:
                    postwriter._write_block()  # a full block; the last is written by finish_term
                end = min(start + limit, len(docnums))
                _fill_block(postwriter, docnums[start:end], weights[start:end],
                            _values(encoded, ends, start, end), field_lengths)
            fieldwriter.finish_term()
        fieldwriter.finish_field()


def _values(encoded: bytearray, ends: array[int], start: int, end: int) -> list[bytes]:
    """The encoded values of postings start..end-1 of a term."""
    first = ends[start - 1] if start else 0
    cuts = [first, *ends[start:end]]
    return [bytes(encoded[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def _fill_block(postwriter: Any, docnums: array[int], weights: array[float], values: list[bytes],
                field_lengths: list[int] | None) -> None:
    """Set the block buffer of Whoosh's W3PostingsWriter as its add_posting would have."""
    postwriter._ids = docnums
    postwriter._weights = array("f", weights)
    postwriter._values = [v for v in values if v]
    heaviest = max(weights)
    postwriter._maxweight = heaviest if heaviest > 0 else 0
    if field_lengths is None:
        postwriter._minlength, postwriter._maxlength = None, 0
        return
    present = [n for n in (field_lengths[d] for d in docnums) if n]
    postwriter._minlength = min(present) if present else None
    postwriter._maxlength = max(present) if present else 0
