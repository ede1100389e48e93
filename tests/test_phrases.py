"""search.phrases: the same passages and the same scores as Whoosh's own Phrase, found faster."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.formats import Positions

from index.analysis import analyze
from search import phrases
from search.engine import Engine
from search.phrases import _in_a_row_each

PHRASES = [
    "twee procent van het BBP", "de NAVO", "van de", "NAVO verdragsgebied", "Europese Unie",
    "de de", "Rusland Oekraïne", "in het kader van", "Minister van Defensie", "Krim Rusland",
    "vooruitgeschoven aanwezigheid", "het het het", "nergens te vinden woordenreeks",
]


def _stems(text: str) -> list[str]:
    return [t.stem for t in analyze(text) if not t.joined]


@pytest.mark.parametrize("text", PHRASES)
@pytest.mark.parametrize("field", ["text", "heading", "title"])
def test_a_phrase_matches_and_scores_as_whooshs_phrase(engine: Engine, text: str, field: str) -> None:
    searcher = engine.searcher()
    sets, _ = engine.docsets(searcher)
    stems = _stems(text)
    ours, theirs = phrases.Phrase(field, stems), wq.Phrase(field, stems)
    expected = {d: s for s, d in searcher.search(theirs, limit=None).top_n}
    assert {d: s for s, d in searcher.search(ours, limit=None).top_n} == expected  # exactly equal
    assert {d: s for s, d in sets.scores(ours, None)} == expected
    some = sorted(range(0, searcher.doc_count_all(), 2))
    assert {d: s for s, d in sets.scores(ours, some)} == {d: s for d, s in expected.items() if d % 2 == 0}
    assert sets.docs(ours) == set(expected)


def test_a_boosted_phrase_keeps_its_boost(engine: Engine) -> None:
    searcher = engine.searcher()
    stems = _stems("de NAVO")
    boosted = {d: s for s, d in searcher.search(phrases.Phrase("text", stems, boost=2.5), limit=None).top_n}
    plain = {d: s for s, d in searcher.search(wq.Phrase("text", stems, boost=2.5), limit=None).top_n}
    assert boosted == plain and boosted


def test_a_phrase_with_slop_is_left_to_whoosh(engine: Engine) -> None:
    searcher = engine.searcher()
    stems = _stems("NAVO Rusland")
    ours = {d for _, d in searcher.search(phrases.Phrase("text", stems, slop=4), limit=None).top_n}
    assert ours == {d for _, d in searcher.search(wq.Phrase("text", stems, slop=4), limit=None).top_n}


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
    """One passage's verdict from the column-wise check the phrase matcher runs."""
    return bool(_in_a_row_each([[mask] for mask in masks])[0])


@given(st.lists(st.integers(0, 100_000), unique=True).map(sorted))
def test_positions_decode_as_whooshs_format_decodes_them(positions: list[int]) -> None:
    value = Positions().encode(positions)
    assert list(phrases._positions(value)) == Positions().decode_positions(value) == positions
    assert list(phrases._positions(value[:-1])) == positions  # without the STOP, as Whoosh reads it
