"""Compounds: split by the index's own words, found by their last part (ranked lower), closed meets open."""

from __future__ import annotations

import pytest

from index.compounds import split
from search.engine import Engine
from search.results import SearchRequest

# How often each word stands on its own in a made-up index (passages).
WORDS = {
    "lucht": 50, "verdediging": 100, "luchtverdediging": 2, "land": 80, "kust": 20, "kustverdediging": 23,
    "onder": 500, "tekening": 5, "ondertekening": 90, "wijs": 30, "onderwijs": 400, "systeem": 60,
    "werk": 200, "gelegenheid": 100, "werkgelegenheid": 80, "wiskunde": 3, "ziekte": 12, "verlof": 9,
    "boek": 2, "boeken": 10, "kast": 4, "rusland": 40, "verdrag": 30, "gebied": 3, "verdragsgebied": 20,
    "zee": 9, "kustlijn": 1, "rijk": 1, "aanwe": 0, "ministerie": 70,
}


@pytest.mark.parametrize(
    "word, parts",
    [
        ("luchtverdediging", ("lucht", "verdediging")),
        ("landsverdediging", ("land", "verdediging")),  # linking -s-
        ("ziekteverlof", ("ziekte", "verlof")),
        ("boekenkast", None),  # "kast" (4 letters) is too short a head
        ("luchtverdedigingssysteem", ("lucht", "verdediging", "systeem")),  # the front splits again
        ("verdragsgebied", None),  # more common than "gebied" on its own: not read as a compound
        ("wiskundeonderwijs", ("wiskunde", "onderwijs")),
        # must not split
        ("ondertekening", None),  # far more common than "tekening": not onder + tekening
        ("onderwijs", None),  # "wijs" is too short to be a head
        ("verdediging", None),  # no known front
        ("ministerie", None),
        ("aanwezigheid", None),
        ("rijksverdediging", None),  # "rijk" seen once: a 4-letter part needs more evidence
        ("zeeverdediging", None),  # "zee" is shorter than a front may be
        ("navo-verdragsgebied", None),  # not a closed compound (the analyzer handles hyphens)
    ],
)
def test_compound_splits(word: str, parts: tuple[str, ...] | None) -> None:
    assert split(word, WORDS) == parts


def parts_found(engine: Engine, q: str) -> dict[str, list[str]]:
    matched: dict[str, list[str]] = {}
    for letter in engine.search(SearchRequest(q=q, explain=True, passages=20)).results:
        for word, forms in (letter.matched or {}).items():
            matched.setdefault(word, []).extend(f for f in forms if f not in matched.get(word, []))
    return matched


def test_a_word_finds_compounds_that_end_in_it(engine: Engine) -> None:
    assert "luchtverdediging" in parts_found(engine, "verdediging")["verdediging"]


def test_a_compound_found_by_its_part_ranks_below_the_word_itself(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="verdediging", passages=50))
    scores = {p.text: p.score for r in result.results for p in r.passages}
    compound = max(s for t, s in scores.items() if "luchtverdediging" in t and " verdediging" not in t)
    plain = max(s for t, s in scores.items() if " verdediging " in t)
    assert compound < plain


def test_closed_compound_finds_its_open_form(engine: Engine) -> None:
    # "bondgenootschappelijke" is written closed; the open "NAVO verdragsgebied" (001) is found by
    # the closed query because the index knows both parts
    result = engine.search(SearchRequest(q="navoverdragsgebied", explain=True, passages=20))
    assert result.total >= 3


@pytest.fixture(scope="module")
def spellings(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from index.build import build

    folder = tmp_path_factory.mktemp("spellings")
    letters = {
        "gesloten.md": "## Brief\n\nHet wiskundeonderwijs op scholen gaat achteruit, meldt de inspectie.\n",
        "koppelteken.md": "## Brief\n\nOver het wiskunde-onderwijs op scholen is de Kamer bezorgd.\n",
        "open.md": "## Brief\n\nDe minister schrijft dat wiskunde onderwijs op scholen verdient.\n",
        "los.md": "## Brief\n\nDe wiskunde is lastig. Het onderwijs in de lucht en de verdediging ook.\n",
    }
    for name, text in letters.items():
        (folder / name).write_text(text, "utf-8")
    build([str(folder)], folder / "ix", workers=1)
    return Engine(folder / "ix")


@pytest.mark.parametrize("q", ["wiskundeonderwijs", "wiskunde-onderwijs", "wiskunde onderwijs",
                               '"wiskunde onderwijs"'])
def test_closed_hyphenated_and_open_forms_find_each_other(spellings: Engine, q: str) -> None:
    found = {r.source.rsplit("/", 1)[-1] for r in spellings.search(SearchRequest(q=q)).results}
    assert {"gesloten.md", "koppelteken.md", "open.md"} <= found


def test_words_apart_are_not_a_phrase_match(spellings: Engine) -> None:
    found = {r.source.rsplit("/", 1)[-1] for r in spellings.search(SearchRequest(q='"wiskunde onderwijs"')).results}
    assert "los.md" not in found
