"""search.phrases: the passages Whoosh's own Phrase finds, found through words and word pairs,
scored as one term with the phrase's frequency."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BM25F

from index.analysis import analyze
from index.schema import make_schema
from search import phrases
from search.docsets import DocSets
from search.engine import Engine
from search.phrases import _starting_at

PHRASES = [
    "twee procent van het BBP", "de NAVO", "van de", "NAVO verdragsgebied", "Europese Unie",
    "de de", "Rusland Oekraïne", "in het kader van", "Minister van Defensie", "Krim Rusland",
    "vooruitgeschoven aanwezigheid", "het het het", "nergens te vinden woordenreeks",
    "de Tweede Kamer", "van het", "Kamer der Staten-Generaal",
]


def _stems(text: str) -> list[str]:
    return [t.stem for t in analyze(text) if not t.joined]


def _one_term_scores(searcher: Any, field: str, stems: list[str], boost: float = 1.0) -> dict[int, float]:
    """The reference: every passage Whoosh's phrase matches, scored as the phrase should be: for
    each word, BM25F with its idf and the phrase's frequency as the weight, summed; the frequency
    counted from Whoosh's own positions of the words."""
    found: dict[int, float] = {}
    fmt = searcher.schema[field].format
    matched = [docnum for _, docnum in searcher.search(wq.Phrase(field, stems), limit=None).top_n]
    weighting = searcher.weighting if isinstance(searcher.weighting, BM25F) else BM25F()
    scorers = [weighting.scorer(searcher, field, stem) for stem in stems] if matched else []
    for docnum in matched:
        at = []
        for stem in stems:
            matcher = searcher.postings(field, stem)
            matcher.skip_to(docnum)
            at.append(set(matcher.value_as("positions")))
        count = sum(all(p + i in at[i] for i in range(len(stems))) for p in at[0])
        length = searcher.doc_field_length(docnum, field)
        found[docnum] = boost * sum(scorer._score(count * fmt.field_boost, length) for scorer in scorers)
    return found


def _approx(scores: dict[int, float]) -> dict[int, Any]:
    return {doc: pytest.approx(score, rel=1e-12) for doc, score in scores.items()}


@pytest.mark.parametrize("text", PHRASES)
@pytest.mark.parametrize("field", ["text", "heading", "title"])
def test_a_phrase_matches_as_whooshs_phrase_and_scores_as_one_term(engine: Engine, text: str, field: str) -> None:
    searcher = engine.searcher()
    sets, _ = engine.docsets(searcher)
    stems = _stems(text)
    ours = phrases.Phrase(field, stems)
    expected = _one_term_scores(searcher, field, stems)
    if (text, field) in {("in het kader van", "text"), ("de NAVO", "heading"), ("van de", "title"),
                         ("Minister van Defensie", "title")}:
        assert expected  # the seeds hold these: the comparison is not of two empty sets
    assert {d: s for s, d in searcher.search(ours, limit=None).top_n} == _approx(expected)
    assert {d: s for s, d in sets.scores(ours, None)} == _approx(expected)
    some = sorted(range(0, searcher.doc_count_all(), 2))
    assert {d: s for s, d in sets.scores(ours, some)} == _approx({d: s for d, s in expected.items() if d % 2 == 0})
    assert sets.docs(ours) == set(expected)


def test_a_boosted_phrase_keeps_its_boost(engine: Engine) -> None:
    searcher = engine.searcher()
    stems = _stems("de NAVO")
    boosted = {d: s for s, d in searcher.search(phrases.Phrase("text", stems, boost=2.5), limit=None).top_n}
    assert boosted and boosted == _approx(_one_term_scores(searcher, "text", stems, boost=2.5))


def test_a_phrase_with_slop_is_left_to_whoosh(engine: Engine) -> None:
    searcher = engine.searcher()
    stems = _stems("NAVO Rusland")
    ours = {d for _, d in searcher.search(phrases.Phrase("text", stems, slop=4), limit=None).top_n}
    assert ours == {d for _, d in searcher.search(wq.Phrase("text", stems, slop=4), limit=None).top_n}


@pytest.mark.parametrize("text, cover", [
    ("verzoekt de regering", ["verzoekt de", "de reger"]),  # never "de" alone: its pairs are rarer
    ("in het kader van", ["in het", "kader van"]),
    ("het het het", ["het het", "het het"]),  # pairs overlap
])
def test_a_phrase_of_stopwords_is_proven_by_its_pairs(tmp_path: Path, text: str, cover: list[str]) -> None:
    # the phrase five times; its words, and stopwords in other pairs, ten times more
    index = _index(tmp_path, [text] * 5 + ["regering kader verzoekt het de van in een"] * 10)
    with index.searcher() as searcher:
        found = phrases._cover(searcher.reader(), "text", [s.encode() for s in _stems(text)], True)
    assert found is not None and [term.decode() for term, _ in found] == cover


def _index(folder: Path, texts: list[str]) -> Any:
    """An index of the schema's passage text alone, written by Whoosh's own writer."""
    index = whoosh_index.create_in(str(folder), make_schema())
    with index.writer() as writer:
        for n, text in enumerate(texts):
            writer.add_document(kind="passage", letter=f"l{n}", text=text)
    return index


# Words for random passages: stopwords (paired), other words, a compound whose closed form
# shares its first part's position, and a word whose stem is a stopword's.
_WORDS = ["de", "het", "van", "en", "in", "navo", "kamer", "brief", "zorg", "NAVO-top", "ten", "hebben"]


@pytest.fixture(scope="module")
def random_index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    rng = random.Random(11)
    texts = [" ".join(rng.choices(_WORDS, k=rng.randint(1, 30))) for _ in range(400)]
    return _index(tmp_path_factory.mktemp("random-phrases"), texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=6))
def test_any_phrase_finds_the_passages_whooshs_phrase_finds(random_index: Any, words: list[str]) -> None:
    stems = _stems(" ".join(words))
    with random_index.searcher() as searcher:
        expected = _one_term_scores(searcher, "text", stems)
        assert {d: s for s, d in searcher.search(phrases.Phrase("text", stems), limit=None).top_n} == _approx(expected)
        assert DocSets(searcher).docs(phrases.Phrase("text", stems)) == set(expected)


@pytest.mark.parametrize("positions, expected", [
    ([{1}, {2}, {3}], True),
    ([{1, 7}, {8}, {9}], True),
    ([{1}, {3}], False),  # a word between
    ([{2}, {1}], False),  # the wrong order
    ([{4}, {4}], False),  # the same position (a compound and its first part) is not "in a row"
    ([{1, 3}, {2, 4}, {1, 3}], True),  # "de X de": the same word twice
    ([{5}, set()], False),
])
def test_words_in_a_row(positions: list[set[int]], expected: bool) -> None:
    assert _in_a_row([_mask(p) for p in positions]) is expected


@given(st.lists(st.sets(st.integers(0, 300), max_size=12), min_size=2, max_size=6))
def test_the_bit_masks_say_what_the_positions_say(positions: list[set[int]]) -> None:
    starts = positions[0]
    for offset, later in enumerate(positions[1:], start=1):
        starts = {p for p in starts if p + offset in later}
    assert _in_a_row([_mask(p) for p in positions]) is bool(starts)


def _mask(positions: set[int]) -> int:
    return sum(1 << p for p in positions)


def _in_a_row(masks: list[int]) -> bool:
    """One passage's verdict from the column-wise check the phrase matcher runs, each word a term."""
    return bool(_starting_at([[mask] for mask in masks], list(range(len(masks))))[0])


@given(st.lists(st.integers(0, 100_000), unique=True).map(sorted))
def test_positions_decode_as_whooshs_format_decodes_them(positions: list[int]) -> None:
    value = Positions().encode(positions)
    assert list(phrases._positions(value)) == Positions().decode_positions(value) == positions
    assert list(phrases._positions(value[:-1])) == positions  # without the STOP, as Whoosh reads it


_NEAR_WORDS = ["navo", "kamer", "brief", "zorg", "de", "regering"]


@pytest.fixture(scope="module")
def near_index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    rng = random.Random(12)
    texts = [" ".join(rng.choices(_NEAR_WORDS + ["woord"] * 6, k=rng.randint(1, 40))) for _ in range(300)]
    return _index(tmp_path_factory.mktemp("random-near"), texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_NEAR_WORDS), min_size=2, max_size=4), st.integers(1, 9), st.booleans(),
       st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_near_matches_and_scores_as_whooshs_span_near(near_index: Any, words: list[str], slop: int, ordered: bool,
                                                      mindist: int, seed: int) -> None:
    """Whoosh's SpanNear2 walked, and ours, over a whole segment and over some of its passages."""
    terms = [wq.Term("text", stem) for stem in _stems(" ".join(words))]
    ours = phrases.Near(terms, slop=slop, ordered=ordered, mindist=mindist)
    theirs = SpanNear2(terms, slop=slop, ordered=ordered, mindist=mindist)
    with near_index.searcher() as searcher:
        expected = {d: s for s, d in searcher.search(theirs, limit=None).top_n}
        assert {d: s for s, d in searcher.search(ours, limit=None).top_n} == expected  # to the bit
        some = sorted(random.Random(seed).sample(range(searcher.doc_count_all()), 120))
        assert dict((d, s) for s, d in DocSets(searcher).scores(ours, some)) == {
            d: s for d, s in expected.items() if d in some}


def test_near_keeps_to_whooshs_rule_for_words_inside_a_span() -> None:
    """A third word inside the span the first two make is at distance 0: not near (mindist 1)."""
    assert phrases._near(([1], [5], [3]), slop=8, ordered=False, mindist=1) is False
    assert phrases._near(([1], [5], [7]), slop=8, ordered=False, mindist=1) is True
    assert phrases._near(([5], [1]), slop=8, ordered=True, mindist=1) is False
