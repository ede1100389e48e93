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
from collections.abc import Callable, Iterable
from itertools import accumulate, compress
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.scoring import BaseScorer, WeightLengthScorer
from whoosh.system import _INT_SIZE

from search.docsets import Restricted, segment_ids


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
        encoded = {  # each word's encoded positions in each candidate, in the candidates' order
            word: list(map(dict(zip(ids, values, strict=True)).__getitem__, candidates))
            for word, (ids, _, values, _) in lists.items()}
        keys = list(zip(*(encoded[word] for word in words), strict=True))
        verdicts = _Checker(field.format).verdicts(set(keys))
        docs = list(compress(candidates, map(verdicts.__getitem__, keys)))
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
        kept = [weights[i] for i, doc in enumerate(ids) if doc in wanted]  # in docs' order: both ascend
        weight_rows.append(kept)
        if isinstance(scorer, WeightLengthScorer):  # BM25F: the field's length, looked up once a passage
            if lengths is None:
                lengths = [scorer.dfl(doc) for doc in docs]
            score_rows.append([scorer._score(w, n) for w, n in zip(kept, lengths, strict=True)])
        else:
            score_rows.append([scorer.score(_Posting(doc, w)) for doc, w in zip(docs, kept, strict=True)])
    add = _tree_sum(len(lists))
    return ([add(row) * 1.0 for row in zip(*weight_rows, strict=True)],
            [add(row) * 1.0 for row in zip(*score_rows, strict=True)])


@functools.cache
def _tree_sum(count: int) -> Callable[[tuple[float, ...]], float]:
    """A function adding ``count`` values as make_binary_tree pairs them: the first half's sum
    plus the second half's, halved again down to single values. Written out as one expression
    (``(v[0] + v[1]) + (v[2] + v[3])``) because a recursive call per node was a tenth of a
    common phrase's time; only numbers go into the expression."""

    def node(start: int, end: int) -> str:
        if end - start == 1:
            return f"v[{start}]"
        half = start + (end - start) // 2
        return f"({node(start, half)} + {node(half, end)})"

    adder: Callable[[tuple[float, ...]], float] = eval(f"lambda v: {node(0, count)}")  # noqa: S307
    return adder


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


class _Checker:
    """Whether the words' encoded positions in one passage hold them in a row, worked out once
    per distinct combination of encodings: every passage of a section has the same heading, and
    a word that occurs once near the start of a passage is encoded the same in thousands of
    passages. A word's positions are a bit mask (bit p for position p), so the words are in a row
    where ``first & second >> 1 & third >> 2 …`` has a bit set."""

    def __init__(self, format: Any) -> None:
        if type(format) is Positions:  # Whoosh's encoding: a count, then the pickled gaps
            self._decode = _positions
        else:
            self._decode = format.decoder("positions")
        self._masks: dict[bytes, int] = {}

    def verdicts(self, combinations: Iterable[tuple[bytes, ...]]) -> dict[tuple[bytes, ...], bool]:
        return {values: _in_a_row([self._mask(v) for v in values]) for values in combinations}

    def _mask(self, value: bytes) -> int:
        found = self._masks.get(value)
        if found is None:
            found = self._masks[value] = sum(map(_BIT.__lshift__, set(self._decode(value))))
        return found


_BIT = 1


def _positions(value: bytes) -> Iterable[int]:
    """Whoosh's Positions.decode_positions without its per-position Python loop."""
    if not value.endswith(b"."):  # as Whoosh's decoder: a pickle written without its STOP opcode
        value += b"."
    return accumulate(pickle.loads(value[_INT_SIZE:]))


def _in_a_row(masks: list[int]) -> bool:
    """Whether some position p of the first word has p+1 for the second word, p+2 for the third …"""
    starts = masks[0]
    for offset, later in enumerate(masks[1:], start=1):
        starts &= later >> offset
        if not starts:
            return False
    return True
