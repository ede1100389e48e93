"""Exact phrases, found by their rarest words and word pairs and checked with sets of positions.

Whoosh checks a phrase one candidate at a time through a tree of span matchers,
and reads every posting of every word: for "verzoekt de regering" all of "de",
in two of every three passages. Here a phrase is proven by a cover of terms
(_cover): its words, and for each pair of adjacent words of which one is a
stopword the pair itself, which the stemmed fields hold as a term ("de reger",
index/analysis.py PAIRED); the cover with the fewest postings, where pairs may
overlap ("het het" twice for "het het het"). The passages holding its rarest
term are read a block at a time, the other terms' postings only for those
passages, each distinct encoding of positions is decoded once (the passages of
a section share a heading), and the phrase is where each term is at p plus its
offset in the phrase: the same passages as Whoosh's phrase (tests/test_phrases.py).

A phrase scores as one term that occurs as often as the phrase does: for each of
its words, BM25F with that word's idf and the phrase's frequency, summed (docs/ranking.md).
Whoosh sums each word's own score instead, which needs every posting of "de"
and counts a passage with many "de"s as more about "verzoekt de regering".
"""

from __future__ import annotations

import functools
import pickle
from bisect import bisect_left
from collections.abc import Iterable
from itertools import accumulate, compress, islice, repeat
from operator import add, and_, or_, rshift
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BaseScorer, BM25FScorer, WeightLengthScorer
from whoosh.system import _INT_SIZE

from index.analysis import is_paired, pair_term
from index.schema import holds_pairs
from search.docsets import Restricted, bm25f_scores


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
        for word in self.words:
            try:
                words.append(field.to_bytes(word))
            except ValueError:
                return matching.NullMatcher()
        cover = _cover(searcher.reader(), fieldname, words, holds_pairs(field))
        if cover is None:
            return matching.NullMatcher()
        searcher, lists, shared = _sharing(searcher, fieldname, [term for term, _ in cover])
        if not shared:
            return matching.NullMatcher()
        candidates = sorted(shared)
        masks = _Masks(field.format)
        columns = [masks.column(_kept(lists[term][0], lists[term][2], shared)) for term, _ in cover]
        counts = [starts.bit_count() for starts in _starting_at(columns, [offset for _, offset in cover])]
        docs = list(compress(candidates, counts))
        if not docs:
            return matching.NullMatcher()
        boost = field.format.field_boost
        weights = [count * boost for count in counts if count]
        weighting = (context.weighting if context is not None else None) or searcher.weighting
        scorers = [searcher.scorer(fieldname, word, weighting) for word in words]
        m = matching.ListMatcher(docs, weights, None, field.format, scorer=_Given(_scores(scorers, docs, weights)))
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class Near(SpanNear2):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh's SpanNear2 (its words within ``slop`` positions of each other) with a faster
    matcher when its parts are plain terms of one positional field, as the ranking's proximity
    bonus is (search/translate.py). Whoosh's walks the intersection of the words a posting at a
    time and makes a Span object per position; here the passages holding all the words are
    found as a phrase's are, each one's positions checked with Whoosh's own rule on numbers
    (_near), and scored as Whoosh's intersection of the terms scores them: the words' BM25F
    scores added in the same tree (tests/test_phrases.py holds both to Whoosh's, to the bit)."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        terms = self.qs
        fieldname: str = terms[0].fieldname if terms else ""
        if (len(terms) < 2 or fieldname not in searcher.schema
                or any(type(q) is not wq.Term or q.fieldname != fieldname or q.boost != 1.0 for q in terms)
                or type(searcher.schema[fieldname].format) is not Positions):
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        try:
            words = [field.to_bytes(q.text) for q in terms]
        except ValueError:
            return matching.NullMatcher()
        reader = searcher.reader()
        if any((fieldname, word) not in reader for word in words):
            return matching.NullMatcher()
        searcher, lists, shared = _sharing(searcher, fieldname, words)
        if not shared:
            return matching.NullMatcher()
        candidates = sorted(shared)
        positions = [list(map(_decoded(), _kept(lists[word][0], lists[word][2], shared))) for word in words]
        near = list(map(functools.partial(_near, slop=self.slop, ordered=self.ordered, mindist=self.mindist),
                        zip(*positions, strict=True)))
        docs = list(compress(candidates, near))
        if not docs:
            return matching.NullMatcher()
        weighting = (context.weighting if context is not None else None) or searcher.weighting
        rows, weights = [], []
        for word in words:
            kept = list(compress(_kept(lists[word][0], lists[word][1], shared), near))
            rows.append(_term_scores(searcher.scorer(fieldname, word, weighting), docs, kept))
            weights.append(kept)
        return matching.ListMatcher(docs, _tree_sum(weights), None, field.format,
                                    scorer=_Given(_tree_sum(rows)))


def _sharing(searcher: Any, fieldname: str, terms: list[bytes]) -> tuple[Any, dict[bytes, Any], set[int]]:
    """The searcher restricted to the passages that can hold all the terms (in a whole segment,
    those holding the rarest), each term's postings there, and the passages holding them all."""
    if not isinstance(searcher, Restricted):
        reader = searcher.reader()
        rarest = min(terms, key=lambda term: reader.doc_frequency(fieldname, term))
        searcher = Restricted.holding(searcher, fieldname, rarest)
    lists = {term: searcher.lists(fieldname, term) for term in terms}
    shared: set[int] | None = None
    for ids, _, _ in lists.values():
        shared = set(ids) if shared is None else shared & set(ids)
    return searcher, lists, shared or set()


def _near(positions: tuple[list[int], ...], slop: int, ordered: bool, mindist: int) -> bool:
    """Whether SpanNear2Matcher finds spans for a passage with these positions of its words (each
    ascending): Whoosh's _get_spans with (start, end) pairs for Span objects. The spans of the
    first word, then for each next word every span it extends: a position of the word that is
    ``mindist`` to ``slop`` positions from the span (0 inside it), not before it when ``ordered``."""
    spans = {(p, p) for p in positions[0]}
    for later in positions[1:]:
        found = set()
        for start, end in spans:
            for b in islice(later, bisect_left(later, start if ordered else max(0, start - slop)), None):
                if b < start - slop or (ordered and start > b):
                    continue
                if b > end + slop:
                    break
                distance = 0 if start <= b <= end else (b - end if end < b else start - b)
                if mindist <= distance <= slop:
                    found.add((min(start, b), max(end, b)))
        if not found:
            return False
        spans = found
    return True


def _decoded() -> Any:
    """A decoder of Positions values to lists, each distinct value decoded once."""
    @functools.cache
    def decode(value: bytes) -> list[int]:
        return list(_positions(value))
    return decode


def _term_scores(scorer: Any, docs: list[int], weights: list[float]) -> list[float]:
    """What a term's matcher scores at each of these postings."""
    if type(scorer) is BM25FScorer:
        return bm25f_scores(scorer, weights, list(map(scorer.dfl, docs)))
    if isinstance(scorer, WeightLengthScorer):
        return list(map(scorer._score, weights, map(scorer.dfl, docs)))
    return [scorer.score(_Posting(doc, w)) for doc, w in zip(docs, weights, strict=True)]


def _tree_sum(rows: list[list[float]]) -> list[float]:
    """The rows added column by column as make_binary_tree's IntersectionMatchers add them."""
    if len(rows) == 1:
        return rows[0]
    half = len(rows) // 2
    return list(map(add, _tree_sum(rows[:half]), _tree_sum(rows[half:])))


def _cover(reader: Any, fieldname: str, words: list[bytes], pairs: bool) -> list[tuple[bytes, int]] | None:
    """The terms that prove the phrase in a segment, each with its offset in the phrase (a word
    at its place, a pair at its first word's): every word in one of them, the fewest postings in
    all. None when the segment cannot hold the phrase: a word, or a pair the field would hold
    (``pairs``: the field holds them; is_paired: these two words make one), is not in it."""
    def frequency(term: bytes) -> int:
        return int(reader.doc_frequency(fieldname, term))

    # best[i]: the cheapest cover of the first i words, as (postings, its last term, the i it extends)
    best: list[tuple[int, tuple[bytes, int] | None, int]] = [(0, None, 0)]
    for end in range(1, len(words) + 1):
        word = words[end - 1]
        if (fieldname, word) not in reader:
            return None
        options = [(best[end - 1][0] + frequency(word), (word, end - 1), end - 1)]
        if pairs and end >= 2:
            first, second = words[end - 2].decode("utf-8"), word.decode("utf-8")
            if is_paired(first, second):
                pair = pair_term(first, second).encode("utf-8")
                if (fieldname, pair) not in reader:
                    return None
                covered = min(end - 2, end - 1, key=lambda i: best[i][0])  # pairs may overlap
                options.append((best[covered][0] + frequency(pair), (pair, end - 2), covered))
        best.append(min(options, key=lambda option: option[0]))
    cover: list[tuple[bytes, int]] = []
    end = len(words)
    while end:
        _, unit, end = best[end]
        assert unit is not None
        cover.append(unit)
    return cover[::-1]


def _scores(scorers: list[Any], docs: list[int], weights: list[float]) -> list[float]:
    """The phrase's score in each passage: as a term with the phrase's weight (its frequency
    times the field's boost), BM25F with the words' idfs summed; a scorer of another kind scores
    the weight once per word, summed."""
    if all(type(scorer) is BM25FScorer for scorer in scorers):  # one field: one avgfl, B, K1
        idf = functools.reduce(add, (scorer.idf for scorer in scorers))
        return bm25f_scores(scorers[0], weights, list(map(scorers[0].dfl, docs)), idf=idf)
    rows = [_term_scores(scorer, docs, weights) for scorer in scorers]
    return [functools.reduce(add, column) for column in zip(*rows, strict=True)]


def _kept(ids: list[int], items: Iterable[Any], wanted: set[int]) -> list[Any]:
    """The items (one per id) of the wanted ids, in the ids' order; every wanted docnum is among
    the ids (a phrase's candidates hold all its terms), so equal counts mean all of them."""
    if len(ids) == len(wanted):
        return list(items)
    return list(compress(items, map(wanted.__contains__, ids)))


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


def _starting_at(columns: list[list[int]], offsets: list[int]) -> list[int]:
    """For each passage (a row across the terms' columns of masks), the positions p where every
    term is at p plus its offset: nonzero where the phrase is, one bit per occurrence
    (``first >> 0 & second >> 1 & third >> 2 …``, mapped over the columns)."""
    starts = list(map(rshift, columns[0], repeat(offsets[0])))
    for offset, later in zip(offsets[1:], columns[1:], strict=True):
        starts = list(map(and_, starts, map(rshift, later, repeat(offset))))
    return starts
