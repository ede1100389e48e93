"""search.grouping: letters' scores, hits, order and facets by ordinal, as a plain per-letter
reading by id gives them."""

from __future__ import annotations

from array import array
from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from search.docsets import Layout
from search.engine import Engine
from search.grouping import SECOND, THIRD, LetterInfo, LetterTable, facets, group, rank
from search.results import SearchRequest

LETTERS = ["kst-36800-80", "kst-28676-266", "a", "kst-28676-418", "b-2", "kst-21501-20"]


def _layout(owners: list[int], numbers: list[int]) -> Layout:
    """A layout of len(LETTERS) letters whose records are docnums 0..len(owners)-1; -1: not a passage."""
    ids = LETTERS
    return Layout(ids, {i: n for n, i in enumerate(ids)}, [], array("i", [-1]) * len(owners), array("i", owners),
                  [[] for _ in ids],
                  array("q", numbers))


def _reference(found: list[tuple[float, int]], layout: Layout) -> tuple[dict[str, float], dict[str, list]]:
    """Every passage's hit appended to its letter's list; a letter scores its best passage plus
    SECOND times its second plus THIRD times its third."""
    hits: dict[str, list] = {}
    for score, docnum in found:
        owner = layout.letter_of[docnum]
        if owner >= 0:
            hits.setdefault(layout.ids[owner], []).append((score, layout.numbers[docnum], docnum))
    scores = {}
    for letter_id, found_hits in hits.items():
        best = sorted((h[0] for h in found_hits), reverse=True) + [0.0, 0.0, 0.0]
        scores[letter_id] = best[0] + SECOND * best[1] + THIRD * best[2]
    return scores, hits


_RECORDS = st.lists(st.tuples(st.integers(-1, len(LETTERS) - 1), st.integers(1, 40)), max_size=60)


@given(_RECORDS, st.data())
def test_letters_score_and_hold_the_hits_a_per_letter_reading_gives(records: list[tuple[int, int]],
                                                                      data: st.DataObject) -> None:
    layout = _layout([owner for owner, _ in records], [n for _, n in records])
    chosen = data.draw(st.lists(st.booleans(), min_size=len(records), max_size=len(records)))
    scores = data.draw(st.lists(st.floats(0.01, 50), min_size=len(records), max_size=len(records)))
    found = [(scores[d], d) for d in range(len(records)) if chosen[d]]
    expected_scores, expected_hits = _reference(found, layout)
    by_ordinal, hits = group(np.array([d for _, d in found], np.int64), np.array([v for v, _ in found]), layout)
    assert {layout.ids[o]: s for o, s in by_ordinal.items()} == expected_scores  # to the bit
    for ordinal, letter_id in enumerate(layout.ids):
        assert hits.get(ordinal) == expected_hits.get(letter_id, [])


def _info(letter_id: str, date: str, doctype: str, dossier: str, *names: str) -> LetterInfo:
    return LetterInfo.of(letter_id, date, doctype, dossier, names)


INFO = {
    "kst-36800-80": _info("kst-36800-80", "2023-11-09", "motie", "36800", "Dijk", "Kops"),
    "kst-28676-266": _info("kst-28676-266", "2016-10-21", "brief", "28676", "Hennis-Plasschaert"),
    "a": _info("a", "", "", ""),
    "kst-28676-418": _info("kst-28676-418", "2022-02-11", "brief", "28676", "Ollongren", "Hoekstra"),
    # "b-2" has no info: no date, no facets
    "kst-21501-20": _info("kst-21501-20", "2023-11-09", "brief", "21501", "Hoekstra", "Hoekstra"),
}


def _reference_facets(letter_ids: list[str]) -> dict[str, dict[str, int]]:
    items = [INFO[i] for i in letter_ids if i in INFO]

    def ordered(counter: Counter[str]) -> dict[str, int]:
        counter.pop("", None)
        return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    years = Counter(i.year for i in items)
    years.pop("", None)
    return {"year": dict(sorted(years.items(), reverse=True)),
            "type": ordered(Counter(i.doctype for i in items)),
            "dossier": ordered(Counter(i.dossier_label for i in items)),
            "signatory": ordered(Counter(name for i in items for name in i.signatories))}


@given(st.dictionaries(st.integers(0, len(LETTERS) - 1), st.sampled_from([1.0, 2.5, 7.25])),
       st.sampled_from(["relevance", "newest", "oldest"]), st.none() | st.integers(0, len(LETTERS) - 1))
def test_letters_rank_and_count_as_by_their_ids(scores: dict[int, float], sort: str, pinned: int | None) -> None:
    layout = _layout([], [])
    table = LetterTable.of(layout, INFO)
    ranked = [layout.ids[o] for o in rank(scores, table, sort, pinned)]
    by_id = {layout.ids[o]: s for o, s in scores.items()}
    if sort == "relevance":  # by score, ties by id
        expected = sorted(by_id, key=lambda i: (-by_id[i], i))
    else:  # by date (ties by id, both reversed for newest), undated last by id
        dated = sorted((i for i in by_id if i in INFO and INFO[i].date), key=lambda i: (INFO[i].date, i),
                       reverse=sort == "newest")
        expected = dated + sorted(i for i in by_id if not (i in INFO and INFO[i].date))
    if pinned is not None:
        expected = [layout.ids[pinned]] + [i for i in expected if i != layout.ids[pinned]]
    assert ranked == expected
    counted, sizes = facets(rank(scores, table, sort, pinned), table)
    assert counted == _reference_facets(ranked)
    assert sizes == {name: len(values) for name, values in counted.items()}


@given(dossiers=st.lists(st.sampled_from(["1", "2", "3", "4", "5", "6"]), min_size=6, max_size=6),
       limit=st.integers(1, 7), chosen=st.lists(st.integers(0, len(LETTERS) - 1), max_size=12))
def test_a_facet_lists_its_most_counted_values_and_says_how_many_it_has(
        dossiers: list[str], limit: int, chosen: list[int]) -> None:
    info = {i: _info(i, "2020-01-01", "brief", d, f"N{d}", "Vast") for i, d in zip(LETTERS, dossiers, strict=True)}
    table = LetterTable.of(_layout([], []), info)
    counted, sizes = facets(sorted(set(chosen)), table, limit)
    letters = [info[LETTERS[o]] for o in sorted(set(chosen))]
    for name, of in [("dossier", lambda i: [i.dossier_label]), ("signatory", lambda i: list(i.signatories))]:
        every = Counter(value for item in letters for value in of(item))
        assert counted[name] == dict(sorted(every.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
        assert sizes[name] == len(every)


def test_a_search_counts_its_letters_facts(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="NAVO", limit=10))
    info = engine.letters(engine.searcher())
    ids = [hit.id for hit in engine.search(SearchRequest(q="NAVO", limit=100)).results]
    assert result.total == len(ids) >= 4
    assert result.facets["type"] == dict(Counter(info[i].doctype for i in ids if info[i].doctype).most_common())
    assert sum(result.facets["year"].values()) == sum(1 for i in ids if info[i].year)
