"""Exact phrases, checked with sets of positions instead of Whoosh's span matchers; Whoosh's scores.

Whoosh checks a phrase one candidate at a time through a tree of span
matchers, about a tenth of a millisecond a passage: seconds for a phrase of
common words ("gaat over tot de orde van de dag" is in 16,000 passages of the
13k). Here the passages holding the rarest word are read a block at a time,
the other words' postings only for those passages, each distinct encoding of a
word's positions is decoded once (the passages of a section share a heading),
and a phrase is a position p of the first word with p+1 for the second, and so
on. The passages that hold the phrase are then scored as the matcher Whoosh
builds for a phrase scores them (an intersection of the words' term matchers in
a binary tree, each node adding its sides): the same sums in the same order, so
the scores are Whoosh's to the last bit (tests/test_phrases.py compares them).
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Iterable
from itertools import accumulate, compress, repeat
from operator import add, and_, mul, or_, rshift
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.scoring import BaseScorer, BM25FScorer, WeightLengthScorer
from whoosh.system import _INT_SIZE

from search.docsets import Restricted, bm25f_scores, segment_ids


class Phrase(wq.Phrase):  # type: ignore[misc]  # whoosh is untyped
    """A Whoosh phrase (slop 1: the words in a row) with a faster matcher."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        fieldname = self.fieldname
        if self.slop != 1 or fieldname not in searcher.schema or len(self.words) < 2:
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's own error
        words: list[bytes] = []
        reader = searcher.reader()
        for word in self.words:
            try:
                encoded = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, encoded) not in reader:
                return matching.NullMatcher()
            words.append(encoded)
        if not isinstance(searcher, Restricted):
            # a whole segment: only the passages that hold the rarest word can hold the phrase
            rarest = min(words, key=lambda w: reader.doc_frequency(fieldname, w))
            searcher = Restricted(searcher, segment_ids(reader, fieldname, rarest))
        weighting = (context.weighting if context is not None else None) or searcher.weighting
        lists = {word: searcher.postings_lists(fieldname, word, weighting) for word in set(words)}
        shared: set[int] | None = None
        for ids, _, _, _ in lists.values():
            shared = set(ids) if shared is None else shared & set(ids)
        if not shared:
            return matching.NullMatcher()
        candidates = sorted(shared)
        encoded = {word: _kept(ids, values, shared)  # each word's positions in each candidate
                   for word, (ids, _, values, _) in lists.items()}
        masks = _Masks(field.format)
        docs = list(compress(candidates, _in_a_row_each([masks.column(encoded[word]) for word in words])))
        if not docs:
            return matching.NullMatcher()
        weights, scores = _summed(docs, [lists[word] for word in words])
        m = matching.ListMatcher(docs, weights, None, field.format, scorer=_Given(scores))
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


def _summed(docs: list[int], lists: list[Any]) -> tuple[list[float], list[float]]:
    """The weight and score of each passage in ``docs`` as the matcher Whoosh builds for a
    phrase gives them: an intersection of the words' term matchers in a binary tree
    (make_binary_tree), each node adding its two sides, wrapped with a boost of 1.0. The
    same additions in the same order give the same floats, without a matcher per word."""
    wanted = set(docs)
    weight_rows, score_rows = [], []
    lengths: list[Any] | None = None
    for ids, weights, _, scorer in lists:
        kept = _kept(ids, weights, wanted)
        weight_rows.append(kept)
        if isinstance(scorer, WeightLengthScorer):  # BM25F: the field's length, looked up once a passage
            if lengths is None:
                lengths = list(map(scorer.dfl, docs))
            if type(scorer) is BM25FScorer:
                score_rows.append(bm25f_scores(scorer, kept, lengths))
            else:
                score_rows.append(list(map(scorer._score, kept, lengths)))
        else:
            score_rows.append([scorer.score(_Posting(doc, w)) for doc, w in zip(docs, kept, strict=True)])
    return _tree_added(weight_rows), _tree_added(score_rows)


def _kept(ids: list[int], items: Iterable[Any], wanted: set[int]) -> list[Any]:
    """The items (one per id) of the wanted ids, in the ids' order; every wanted docnum is among
    the ids (a phrase's candidates hold all its words), so equal counts mean all of them."""
    if len(ids) == len(wanted):
        return list(items)
    return list(compress(items, map(wanted.__contains__, ids)))


def _tree_added(rows: list[list[float]]) -> list[float]:
    """The rows added position by position as make_binary_tree pairs the words: the first
    half's sum plus the second half's, halved again down to single rows, then times the
    wrapper's boost of 1.0 (operator.add mapped over the rows: no Python call per passage)."""

    def node(start: int, end: int) -> Iterable[float]:
        if end - start == 1:
            return rows[start]
        half = start + (end - start) // 2
        return map(add, node(start, half), node(half, end))

    return list(map(mul, node(0, len(rows)), repeat(1.0)))


class _Posting:
    """One posting as a scorer reads it from a matcher."""

    __slots__ = ("_id", "_weight")

    def __init__(self, doc: int, weight: float) -> None:
        self._id, self._weight = doc, weight

    def id(self) -> int:
        return self._id

    def weight(self) -> float:
        return self._weight


class _Given(BaseScorer):  # type: ignore[misc]  # whoosh is untyped
    """Scores worked out already, one per posting of the ListMatcher that carries it."""

    def __init__(self, scores: list[float]) -> None:
        self._scores = scores

    def supports_block_quality(self) -> bool:
        return False

    def score(self, matcher: Any) -> float:
        score: float = self._scores[matcher._i]
        return score

    def scores_for(self, matcher: Any) -> list[float]:
        """Every posting's score at once (search/docsets.py _leaf_scores)."""
        return self._scores

    def max_quality(self) -> float:
        return max(self._scores)


class _Masks:
    """Each word's positions in a passage as a bit mask (bit p for position p), worked out once
    per distinct encoding: every passage of a section has the same heading, and a word that
    occurs once near the start of a passage is encoded the same in thousands of passages."""

    def __init__(self, format: Any) -> None:
        if type(format) is Positions:  # Whoosh's encoding: a count, then the pickled gaps
            self._decode = _positions
        else:
            self._decode = format.decoder("positions")
        self._masks: dict[bytes, int] = {}

    def column(self, values: list[bytes]) -> list[int]:
        masks = self._masks
        for value in set(values).difference(masks):
            masks[value] = functools.reduce(or_, map(_BIT.__lshift__, self._decode(value)), 0)
        return list(map(masks.__getitem__, values))


_BIT = 1


def _positions(value: bytes) -> Iterable[int]:
    """Whoosh's Positions.decode_positions without its per-position Python loop."""
    if not value.endswith(b"."):  # as Whoosh's decoder: a pickle written without its STOP opcode
        value += b"."
    return accumulate(pickle.loads(value[_INT_SIZE:]))


def _in_a_row_each(columns: list[list[int]]) -> list[int]:
    """For each passage (a row across the words' columns of masks), the positions p where the
    first word is at p, the second at p+1, the third at p+2 …: nonzero where the words are in a
    row (``first & second >> 1 & third >> 2 …``, mapped over the columns)."""
    starts = columns[0]
    for offset, later in enumerate(columns[1:], start=1):
        starts = list(map(and_, starts, map(rshift, later, repeat(offset))))
    return starts

