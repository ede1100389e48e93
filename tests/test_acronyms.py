"""Acronyms: definitions learned from letters, the curated list, and either form finding the other."""

from __future__ import annotations

import pytest

from index.acronyms import build_table, curated, find_definitions, is_acronym
from search.engine import Engine
from search.results import SearchRequest


@pytest.mark.parametrize(
    "text, expected",
    [
        ("de oprichting van een Very High Readiness Joint Task Force (VJTF) geleid",
         [("VJTF", "Very High Readiness Joint Task Force")]),
        ("bekostigd door het Budget Internationale Veiligheid (BIV).", [("BIV", "Budget Internationale Veiligheid")]),
        ("enhanced Forward Presence (eFP) in Litouwen", [("eFP", "enhanced Forward Presence")]),
        # the A is Air's, not and's
        ("bijdrage Air and Missile Defence Task Force (AMDTF);", [("AMDTF", "Air and Missile Defence Task Force")]),
        ("de Geïntegreerde Buitenland- en Veiligheidsstrategie (GBVS) en",
         [("GBVS", "Geïntegreerde Buitenland- en Veiligheidsstrategie")]),
        ("de NAVO (Noord-Atlantische Verdragsorganisatie) besloot",
         [("NAVO", "Noord-Atlantische Verdragsorganisatie")]),
        # must not be read as definitions
        ("in de periode 2016 (2017) tot nu", []),
        ("zoals de brief (Kamerstuk 29 521, nr. 335) liet zien", []),
        ("de relatie met Rusland (NRR) is", []),  # the letters do not spell the words before it
        ("een besluit (EN) van de Raad", []),  # a stopword is no acronym
        ("het kabinet (zie bijlage) meldt", []),
        ("de Kamer (K) besloot", []),  # one letter is no acronym
    ],
)
def test_definitions_are_learned_from_text(text: str, expected: list[tuple[str, str]]) -> None:
    assert find_definitions(text) == expected


@pytest.mark.parametrize("token, expected", [("NAVO", True), ("eFP", True), ("VS", True), ("EN", False),
                                             ("2016", False), ("Navo", False), ("K", False), ("MQ-9", False)])
def test_what_counts_as_an_acronym(token: str, expected: bool) -> None:
    assert is_acronym(token) is expected


def test_curated_list_names_the_usual_ones() -> None:
    pairs = {(a, f) for a, f, _ in curated()}
    assert {("NAVO", "NATO"), ("VS", "Verenigde Staten"), ("EU", "Europese Unie"), ("VN", "Verenigde Naties"),
            ("BBP", "bruto binnenlands product")} <= pairs


def test_lower_case_vs_is_versus_not_verenigde_staten() -> None:
    table = build_table([])
    assert table.expansions("VS") == ["verenigde staten"]
    assert table.expansions("vs") == []
    assert table.expansions("navo") == ["noord-atlantische verdragsorganisatie", "nato"]


def test_learned_acronyms_expand_only_in_capitals() -> None:
    table = build_table([("BIV", "Budget Internationale Veiligheid")])
    assert table.expansions("BIV") == ["budget internationale veiligheid"]
    assert table.expansions("biv") == []


def search(engine: Engine, q: str):
    return engine.search(SearchRequest(q=q, explain=True, passages=5))


def test_acronym_finds_its_long_form(engine: Engine) -> None:
    result = search(engine, "BIV")
    assert result.total == 2  # 001 defines "(BIV)"; 000 only says "Budget Internationale Veiligheid"
    assert "BIV ook gezocht als Budget Internationale Veiligheid" in result.read_as
    texts = " ".join(p.highlight for r in result.results for p in r.passages)
    assert "<mark>Budget Internationale Veiligheid</mark>" in texts


def test_long_form_finds_its_acronym(engine: Engine) -> None:
    assert {r.id for r in search(engine, "Verenigde Staten").results} >= {"002-c499737f92fb39c0"}
    assert search(engine, '"Very High Readiness Joint Task Force"').total == search(engine, "VJTF").total == 2


def test_navo_and_nato_find_each_other(engine: Engine) -> None:
    assert search(engine, "NATO").total == search(engine, "NAVO").total == 5
