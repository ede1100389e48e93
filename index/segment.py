"""A Whoosh segment writer that keeps postings in memory, term by term, and writes them in one pass.

Whoosh's SegmentWriter sends every posting through an external sorting pool (a tuple per
posting, pickled runs on disk, a heap merge) and then through ``FieldWriter.add_postings``, a
chain of Python calls per posting that also looks the document's field length up each time.
For a 13k build that was most of the indexing time (docs/performance.md).

Here a document's postings in a field are appended to their terms' lists in one call as the
document arrives. Documents get increasing numbers, so each list is already in order and only
the terms are sorted at the end; each term's blocks and its row of the terms table are then
written as W3 codec's writers write them, without their chain of calls per block (which also
asked the file for its position through a system call several times a term). The segment is
Whoosh's format byte for byte (tests/test_segment.py builds the same documents both ways, the
seeds and 1,500 documents of many-block lists, and compares the files), so readers, merges and
scores are unchanged.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterator
from itertools import chain
from operator import sub
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from index.whoosh_fixes import _dumps

_TERM_INFO = W3TermInfo._struct  # flags, weight, doc frequency, min/max length, max weight, min/max id

# docnums, weights, the encoded values end to end, where each value ends
_Entry = tuple["array[int]", "array[float]", bytearray, "array[int]"]


class TermPostings:
    """Stands in for Whoosh's PostingPool: per field, per term, its postings in docnum order
    (numbers in arrays and the encoded values in one buffer per term, not an object per
    posting: a worker holds the postings of half a 100k collection).

    The writer's own documents come a field at a time (``add_field``); Whoosh's merge
    (``add_reader``) sends postings one at a time (``add``).
    """

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, _Entry]] = {}
        self.fieldnames: set[str] = set()  # read by Whoosh's multiprocessing writer

    def add_field(self, fieldname: str, docnum: int, items: Any, boost: float) -> int:
        """A document's postings in one field, (term, frequency, weight, value) as the field's
        ``index`` gives them, weights times ``boost``: what Whoosh's add_document sends to its
        pool a posting at a time. Returns the field's length (the frequencies summed)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = 0
        for text, freq, weight, value in items:
            length += freq
            entry = terms.get(text)
            if entry is None:
                encoded = bytearray(value or b"")
                terms[text] = (array("I", (docnum,)), array("d", (weight * boost,)), encoded,
                               array("I", (len(encoded),)))
                continue
            docnums, weights, encoded, ends = entry
            if docnum <= docnums[-1]:  # Whoosh's writer would raise OutOfOrderError later
                raise ValueError(f"posting for document {docnum} after {docnums[-1]} in {fieldname}")
            docnums.append(docnum)
            weights.append(weight * boost)
            if value:
                encoded += value
            ends.append(len(encoded))
        return length

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting, as Whoosh's pool takes it (its merge, add_reader, sends them so)."""
        fieldname, text, docnum, weight, value = item
        self.add_field(fieldname, docnum, ((text, 0, weight, value),), 1.0)

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
        self._special = {name for name, field in self.schema.items() if field.vector or field.separate_spelling()}
        # the files written term by term ask for their position several times a term
        for structfile in (self.fieldwriter._postfile, self.fieldwriter._tindex.dbfile):
            structfile.file = Counted(structfile.file)

    def add_document(self, **fields: Any) -> None:
        """Whoosh's add_document, each field's postings handed to the pool in one call.
        Fields with a separate spelling field or term vectors take Whoosh's own path."""
        if not self._special.isdisjoint(fields):
            super().add_document(**fields)
            return
        schema = self.schema
        self._check_state()
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        add_field = self.pool.add_field
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = add_field(fieldname, docnum, field.index(value), boost)
                    if not field.scorable:
                        length = 0
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

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


class Counted:
    """A file being written that counts its position: a buffered file's ``tell`` asks the
    system (lseek) every time, and the terms and postings files ask several times a term."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._position = int(file.tell())

    def write(self, data: Any) -> int:
        written: int = self._file.write(data)
        self._position += written
        return written

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        self._position = int(self._file.seek(offset, whence))
        return self._position

    def __getattr__(self, name: str) -> Any:  # fileno, flush, close, ...
        return getattr(self._file, name)


def write_postings(fieldwriter: Any, schema: Any, lengths: Any, pool: TermPostings,
                   doccount: int) -> None:
    """What ``FieldWriter.add_postings`` writes through Whoosh's W3 codec, a term at a time:
    each term's blocks and its entry in the terms table as W3PostingsWriter and
    W3FieldWriter.finish_term write them (a posting list is a header, then blocks of
    ``blocklimit`` postings, each a pickled header and its pickled, compressed ids, weights and
    values), without their chain of calls per block and per posting."""
    postfile = fieldwriter._postfile
    add_term = fieldwriter._tindex.add
    codec = fieldwriter._codec
    limit, compression = codec._blocklimit, codec._compression
    for fieldname in sorted(pool.fields):
        fieldobj = schema[fieldname]
        field_lengths = (
            [lengths.doc_field_length(d, fieldname) for d in range(doccount)]
            if fieldobj.scorable else None
        )
        fieldwriter.start_field(fieldname, fieldobj)  # gives the field its number
        prefix = pack_ushort(fieldwriter._fieldid)
        fixedsize = fieldobj.format.fixed_value_size()
        terms = pool.fields[fieldname]
        for text in sorted(terms):
            docnums, weights, encoded, ends = terms[text]
            offset = postfile.tell()
            parts = [WHOOSH3_HEADER_MAGIC]
            total: float = 0  # W3TermInfo's statistics, summed block by block as add_block does
            minlength: int | None = None
            maxlength = 0
            maxweight: float = 0
            count = len(docnums)
            for start in range(0, count, limit):
                end = min(start + limit, count)
                ids = docnums[start:end]
                block_weights = weights[start:end]
                stored = array("f", block_weights)  # the weights as the block keeps them
                total += sum(stored)
                heaviest = max(block_weights)
                block_maxweight = heaviest if heaviest > 0 else 0
                block_min: int | None = None
                block_max = 0
                if field_lengths is not None:
                    present = [n for n in map(field_lengths.__getitem__, ids) if n]
                    if present:
                        block_min, block_max = min(present), max(present)
                if minlength is None:
                    minlength = block_min
                elif block_min is not None:
                    minlength = min(minlength, block_min)
                maxlength = max(maxlength, block_max)
                maxweight = max(maxweight, block_maxweight)
                data = (tuple(map(sub, ids, chain((0,), ids))),  # the gaps between docnums
                        _mini_weights(stored),
                        _mini_values(_values(encoded, ends, start, end), fixedsize))
                databytes = _dumps(data)
                if compression:
                    databytes = zlib.compress(databytes, compression)
                infobytes = _dumps((len(ids), ids[-1], block_maxweight, compression,
                                    length_to_byte(block_min), length_to_byte(block_max)))
                size = len(infobytes) + len(databytes)
                parts += (pack_int(-size if end == count else size), infobytes, databytes)
            postings = b"".join(parts)
            postfile.write(postings)
            info = _TERM_INFO.pack(False, total, count, 0 if minlength is None else length_to_byte(minlength),
                                   length_to_byte(maxlength), maxweight, docnums[0], docnums[-1])
            add_term(prefix + text, info + pack_long(offset) + pack_int(len(postings)))
        fieldwriter.finish_field()


def _mini_weights(weights: array[float]) -> Any:
    """W3PostingsWriter._mini_weights: None when all are 1, the one weight when all are alike."""
    if weights.count(1.0) == len(weights):
        return None
    first = weights[0]
    return first if weights.count(first) == len(weights) else tuple(weights)


def _mini_values(values: list[bytes], fixedsize: int | None) -> Any:
    """W3PostingsWriter._mini_values over the non-empty values (as add_posting keeps them)."""
    kept = [v for v in values if v]
    if fixedsize is None or fixedsize < 0:
        return tuple(kept)
    return None if fixedsize == 0 else b"".join(kept)


def _values(encoded: bytearray, ends: array[int], start: int, end: int) -> list[bytes]:
    """The encoded values of postings start..end-1 of a term."""
    first = ends[start - 1] if start else 0
    cuts = [first, *ends[start:end]]
    return [bytes(encoded[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
