"""A term's posting list read from disk in one read and decoded a block at a time, in C.

Whoosh's W3LeafMatcher opens a block with a seek and several small reads (the block's
length, its pickled header, its data) and rebuilds the weights of a block whose weights
are all alike with a Python generator. A common word ("de", "van") has thousands of
blocks in a 100k index, and a phrase or a filtered query reads them all: that was most of
such a query's time (docs/performance.md). Here the whole list is one read, the headers
are unpickled from memory, and only the blocks a caller asks for are decompressed and
decoded. The result is what Whoosh's matcher yields for the same term, posting for posting
(tests/test_postings.py compares them); deleted documents are the caller's to drop, as
they are for Whoosh's leaf matcher.

It reads private parts of whoosh-reloaded 2.7.5's W3 codec (pinned in pyproject.toml):
``blocks()`` raises TypeError for postings it does not know how to read (another codec, or
postings inlined in the term info), and callers then use Whoosh's public API.
"""

from __future__ import annotations

import io
import pickle
import zlib
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.system import _INT_SIZE, unpack_int


class Block(NamedTuple):
    """Where one block's data lies in the posting list's bytes, and its header's facts."""

    last: int  # the block's highest docnum
    size: int  # postings in the block
    compressed: bool
    start: int
    end: int


class Blocks:
    """The blocks of one term's posting list in one segment."""

    def __init__(self, data: bytes, fixedsize: int | None) -> None:
        self.data = data
        self.fixedsize = fixedsize
        self.blocks: list[Block] = _headers(data)

    def ids(self, block: Block) -> list[int]:
        """A block's docnums (the writer stores the gaps between them)."""
        return list(accumulate(self._data(block)[0]))

    def decode(self, block: Block) -> tuple[Sequence[int], Sequence[float], Sequence[Any]]:
        """A block's docnums, weights and encoded values, as W3LeafMatcher's _read_ids,
        _read_weights and _read_values give them."""
        ids, weights, values = self._data(block)
        count = block.size
        decoded_ids = list(accumulate(ids))
        if weights is None:
            decoded_weights = array("f", [1.0]) * count
        elif isinstance(weights, float):
            decoded_weights = array("f", [weights]) * count
        else:
            decoded_weights = weights
        fixedsize = self.fixedsize
        if fixedsize is None or fixedsize < 0:
            decoded_values = values
        elif fixedsize == 0:
            decoded_values = (None,) * count
        else:
            decoded_values = tuple(values[i:i + fixedsize] for i in range(0, len(values), fixedsize))
        return decoded_ids, decoded_weights, decoded_values

    def postings(self, chosen: Iterable[Block]) -> tuple[list[int], list[float], list[Any]]:
        """The docnums, weights and encoded values of the chosen blocks, end to end."""
        ids: list[int] = []
        weights: list[float] = []
        values: list[Any] = []
        for block in chosen:
            block_ids, block_weights, block_values = self.decode(block)
            ids.extend(block_ids)
            weights.extend(block_weights)
            values.extend(block_values)
        return ids, weights, values

    def _data(self, block: Block) -> tuple[Any, Any, Any]:
        raw = self.data[block.start:block.end]
        data: tuple[Any, Any, Any] = pickle.loads(zlib.decompress(raw) if block.compressed else raw)
        return data


def blocks(reader: Any, field: str, tbytes: bytes) -> Blocks | None:
    """The blocks of a term's postings in one segment (None: no such term). TypeError when
    this module cannot read them (see the module's docstring)."""
    terms = reader._terms
    if (field, tbytes) not in terms:
        return None
    info = terms.term_info(field, tbytes)
    if info.is_inlined():
        raise TypeError("inlined postings")
    if type(terms._codec) is not W3Codec:
        raise TypeError(type(terms._codec))
    offset, length = info.extent()
    return read_blocks(terms._postfile, offset, length, reader.schema[field].format.fixed_value_size())


def read_blocks(postfile: Any, offset: int, length: int | tuple[int], fixedsize: int | None) -> Blocks:
    """The blocks of the posting list at ``offset`` in a segment's postings file."""
    if isinstance(length, tuple):  # Whoosh's from_bytes keeps the length as unpack's 1-tuple
        (length,) = length
    data = postfile.get(offset, length)
    if data[:len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise TypeError("not a W3 posting list")
    return Blocks(data, fixedsize)


def _headers(data: bytes) -> list[Block]:
    """Each block: an int (its length, negative for the last block), a pickled header
    (count, highest docnum, highest weight, compression, shortest and longest length) and
    the pickled data, as W3LeafMatcher._goto reads them."""
    found: list[Block] = []
    stream = io.BytesIO(data)
    position = len(WHOOSH3_HEADER_MAGIC)
    while position < len(data):
        (length,) = unpack_int(data[position:position + _INT_SIZE])
        last_block = length < 0
        following = position + _INT_SIZE + abs(length)
        stream.seek(position + _INT_SIZE)
        count, highest, _, compression, _, _ = pickle.load(stream)
        found.append(Block(highest, count, bool(compression), stream.tell(), following))
        if last_block:
            break
        position = following
    return found
