"""search.docsets gives what Whoosh's own docs_for_query and search give, only faster."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.binary import DisjunctionMaxMatcher, IntersectionMatcher, UnionMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.scoring import BM25F

from index.build import build
from search import docsets, phrases
from search.docsets import DocSets, letters_of, letters_of_records, passages_of
from search.engine import Engine
from search.query import parse
from search.translate import translate
from tests.conftest import SEED

QUERIES = [
    "NAVO", "Rusland Oekraïne", '"twee procent van het BBP"', "afschrik*", "verdediging",
    "NAVO NIET Rusland", "(Rusland OF Oekraïne) EN sancties", "wiskundeonderwijs", "BIV",
    '"de NAVO"', "Litouwen Rukla", "kamerbrieven", "aanwezigheid",
]


def whooshs_own(query: wq.Query) -> wq.Query:
    """The query with Whoosh's own Phrase for ours (search/phrases.py), to compare the documents
    with (a phrase scores as one term, not as Whoosh's: tests/test_phrases.py)."""
    if isinstance(query, phrases.Phrase):
        return wq.Phrase(query.fieldname, query.words, slop=query.slop, boost=query.boost)
    return query if query.is_leaf() else query.apply(whooshs_own)


def _compare(engine: Engine, q: str) -> None:
    searcher = engine.searcher()
    sets, _ = engine.docsets(searcher)
    compiled = translate(parse(q), searcher.reader(), engine.acronyms(searcher))
    query = compiled.ranking
    assert query is not None
    expected = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
    assert sets.docs(query) == set(searcher.docs_for_query(whooshs_own(query))) == set(expected)
    assert dict((d, s) for s, d in sets.scores(query, None)) == pytest.approx(expected)
    rng = random.Random(q)
    allowed = sorted(rng.sample(range(searcher.doc_count_all()), searcher.doc_count_all() // 3))
    restricted = dict((d, s) for s, d in sets.scores(query, allowed))
    assert restricted == pytest.approx({d: s for d, s in expected.items() if d in set(allowed)})


@pytest.mark.parametrize("q", QUERIES)
def test_sets_and_scores_equal_whoosh_on_the_seed_index(engine: Engine, q: str) -> None:
    _compare(engine, q)


def test_deleted_records_are_left_out(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEED["000"].parent, seeds)
    folder = tmp_path / "index"
    build([str(seeds)], folder, workers=1)
    (seeds / SEED["003"].name).unlink()  # 003 is the only letter with "Tillerson"
    build([str(seeds)], folder, workers=1)
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher(weighting=BM25F()) as searcher:
        assert searcher.reader().has_deletions()
        sets = DocSets(searcher)
        layout = sets.layout()
        assert "kst-28676-266" not in layout.ordinal
        assert sets.term("text", "tillerson") == set()
        assert sets.term("text", "navo") == set(searcher.docs_for_query(_term("navo")))
    engine = Engine(folder)
    for q in QUERIES:
        _compare(engine, q)
    engine.close()


def test_every_passage_belongs_to_its_letter(engine: Engine) -> None:
    searcher = engine.searcher()
    _, layout = engine.docsets(searcher)
    assert len(layout.ids) == 5
    for ordinal, letter_id in enumerate(layout.ids):
        docs = layout.passages[ordinal]
        assert docs == sorted(docs) and docs
        assert {searcher.stored_fields(d)["letter"] for d in docs} == {letter_id}
        assert searcher.stored_fields(layout.record[ordinal])["kind"] == "letter"
        assert letters_of(docs, layout) == {ordinal}
        assert letters_of_records(docs, layout) == set(), "a passage is not a letter record"
        assert letters_of_records({layout.record[ordinal], *docs}, layout) == {ordinal}
        assert letters_of({layout.record[ordinal]}, layout) == set(), "a letter record is not a passage"
        assert [layout.numbers[d] for d in docs] == [searcher.stored_fields(d)["n"] for d in docs]
    column = searcher.reader().column_reader("n")
    assert list(layout.numbers) == [column[d] for d in range(searcher.reader().doc_count_all())]
    assert passages_of(range(len(layout.ids)), layout) == sorted(
        searcher.docs_for_query(_term("passage", "kind")))


def _term(text: str, field: str = "text") -> wq.Query:
    return wq.Term(field, text)


def _naive(tree, letters_with, every):  # type: ignore[no-untyped-def]
    """The letter-level tree evaluated the obvious way: every leaf read in full."""
    kind = tree[0]
    if kind == "leaf":
        return letters_with(tree[1])
    if kind == "all":
        return set(every)
    if kind == "not":
        return set(every) - _naive(tree[1], letters_with, every)
    if kind == "or":
        return set().union(*(_naive(t, letters_with, every) for t in tree[1]))
    result = set(every)
    for part in tree[1]:
        if part[0] == "not":
            result -= _naive(part[1], letters_with, every)
        else:
            result &= _naive(part, letters_with, every)
    return result


@pytest.mark.parametrize("q", ["NAVO Tillerson", "Rukla Litouwen NAVO", "NAVO NIET Rusland", "Oekraïne -Tillerson",
                               "(Rusland OF Oekraïne) EN sancties", "kamerbrief Rusland Oekraïne Krim",
                               '"de NAVO" Litouwen', "NIET NAVO"])
def test_letters_rarest_first_and_within_equal_the_obvious_evaluation(engine: Engine, q: str) -> None:
    from search.engine import _Letters

    searcher = engine.searcher()
    sets, layout = engine.docsets(searcher)
    tree = translate(parse(q), searcher.reader(), engine.acronyms(searcher)).tree
    assert tree is not None
    every = set(range(len(layout.ids)))

    def letters_with(query):  # type: ignore[no-untyped-def]
        return letters_of(set(searcher.docs_for_query(whooshs_own(query))), layout)

    expected = _naive(tree, letters_with, every)
    assert _Letters(sets, layout, None).evaluate(tree) == expected
    assert _Letters(sets, layout, {0, 2, 4}).evaluate(tree) == expected & {0, 2, 4}


# -- scoring a matcher tree a node at a time (docsets._evaluate) gives walking's floats ---------

_LEAF = st.lists(st.tuples(st.integers(0, 40), st.floats(0.1, 9.0)), max_size=12).map(
    lambda postings: sorted(dict(postings).items()))
_TREE = st.recursive(
    _LEAF,
    lambda children: st.one_of(
        # Not AndNot or AndMaybe: walking them gives what they should not (AndNot([1], [0, 1])
        # walks to doc 1, which it excludes; under an intersection, And([0, 1, 3], AndMaybe([0, 3],
        # [1, 3])) scores doc 3 as 2.0, not 3.0), and what a tree above does with that depends on
        # how it steps them, so a tree with them cannot be compared with walking; the ranking has
        # neither (NIET is done with sets), and _evaluate walks them on their own.
        st.tuples(st.sampled_from(["union", "and", "dismax"]), children, children),
        st.tuples(st.just("boost"), st.floats(0.2, 3.0), children),
    ),
    max_leaves=10,
)


def _matcher(spec: Any) -> Any:
    """A fresh Whoosh matcher tree from a spec: leaves are (docnum, weight) lists."""
    if isinstance(spec, list):
        if not spec:
            return NullMatcher()
        return ListMatcher([d for d, _ in spec], [w for _, w in spec])
    if spec[0] == "boost":
        return WrappingMatcher(_matcher(spec[2]), boost=spec[1])
    kind = {"union": UnionMatcher, "and": IntersectionMatcher, "dismax": DisjunctionMaxMatcher}[spec[0]]
    return kind(_matcher(spec[1]), _matcher(spec[2]))


@given(_TREE)
def test_a_matcher_tree_scores_as_walking_it_does(spec: Any) -> None:
    assert _scored(_matcher(spec)) == list(docsets._walk(_matcher(spec)))


@pytest.mark.parametrize("q", QUERIES + ["NAVO OF Rusland NIET Oekraïne", "verdediging Rusland",
                                         '"de NAVO" Litouwen', "afschrik* NIET Rusland"])
def test_the_ranking_scores_as_walking_whooshs_matchers(engine: Engine, q: str) -> None:
    searcher = engine.searcher()
    compiled = translate(parse(q), searcher.reader(), engine.acronyms(searcher))
    assert compiled.ranking is not None
    context = searcher.context()
    for sub, _ in DocSets(searcher).leaves:
        scored = _scored(compiled.ranking.matcher(sub, context))
        assert scored == list(docsets._walk(compiled.ranking.matcher(sub, context)))  # to the bit
    rng = random.Random(q)
    for sub, _ in DocSets(searcher).leaves:  # over cut-down postings too (the bulk ListMatcher path)
        wanted = sorted(rng.sample(range(sub.doc_count_all()), sub.doc_count_all() // 2))
        scored = _scored(compiled.ranking.matcher(docsets.Restricted(sub, wanted), context))
        walked = list(docsets._walk(compiled.ranking.matcher(docsets.Restricted(sub, wanted), context)))
        assert scored == walked


# -- a query cut down to what the wanted documents can match (docsets.pruned_for) ---------------

def _holds(*present: str):
    return lambda field, text: text in present


def test_a_union_keeps_the_parts_some_wanted_document_holds() -> None:
    query = wq.Or([wq.Term("text", "a"), wq.Term("text", "b", boost=0.5), wq.Term("text", "c")])
    pruned = docsets.pruned_for(query, _holds("a", "c"))
    assert isinstance(pruned, wq.Or) and [t.text for t in pruned.subqueries] == ["a", "c"]
    assert [t.text for t in query.subqueries] == ["a", "b", "c"]  # the query itself is left alone
    assert docsets.pruned_for(query, _holds("a", "b", "c")) is query
    assert docsets.pruned_for(query, _holds()) is None


def test_an_intersection_or_phrase_with_a_part_no_wanted_document_holds_matches_nothing() -> None:
    both = wq.And([wq.Term("text", "a"), wq.Or([wq.Term("text", "b"), wq.Term("text", "c")])])
    assert docsets.pruned_for(both, _holds("a", "c")).subqueries[1].subqueries[0].text == "c"
    assert docsets.pruned_for(both, _holds("b", "c")) is None
    phrase = phrases.Phrase("text", ["a", "b"])
    assert docsets.pruned_for(phrase, _holds("a", "b")) is phrase
    assert docsets.pruned_for(phrase, _holds("a")) is None


def test_an_or_whose_boost_or_counting_would_change_is_kept_whole() -> None:
    boosted = wq.Or([wq.Term("text", "a"), wq.Term("text", "b")], boost=2.0)
    assert docsets.pruned_for(boosted, _holds("a")) is boosted  # Whoosh drops an Or-of-one's boost
    counted = wq.Or([wq.Term("text", "a"), wq.Term("text", "b"), wq.Term("text", "c")], minmatch=2)
    assert docsets.pruned_for(counted, _holds("a", "b")) is counted
    assert docsets.pruned_for(wq.Every(), _holds()) == wq.Every()  # not a term: kept as it is


@pytest.mark.parametrize("q", ["verdediging", "Rusland Oekraïne", "afschrik* NIET Rusland", '"de NAVO"'])
def test_scores_over_a_few_letters_use_only_the_terms_their_passages_hold(engine: Engine, q: str) -> None:
    searcher = engine.searcher()
    sets, layout = engine.docsets(searcher)
    ranking = translate(parse(q), searcher.reader(), engine.acronyms(searcher)).ranking
    for ordinal in range(len(layout.ids)):
        allowed = passages_of([ordinal], layout)
        expected = {}
        for sub, offset, local in sets._per_segment(allowed):
            whole = _scored(ranking.matcher(docsets.Restricted(sub, local), searcher.context()))
            wanted = set(local)
            expected.update((doc + offset, score) for score, doc in whole if doc in wanted)
        assert dict((d, s) for s, d in sets.scores(ranking, allowed)) == pytest.approx(expected)
        for sub, _, local in sets._per_segment(allowed):
            restricted = docsets.Restricted(sub, local)
            pruned = docsets.pruned_for(ranking, restricted.holds)
            kept = [] if pruned is None else list(pruned.all_terms())
            assert all(restricted.holds(field, text) for field, text in kept
                       if field in ("text", "title"))


# -- date ranges from the sorted table (DocSets.ranged) list what Whoosh's TermRange lists ---------

_DATE = st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()), st.sampled_from(
    ["2016", "2017-01-01", "2017-06-13", "2017-06-14", "2018-12-31", "", "9999"]))


@given(_DATE, _DATE, st.booleans(), st.booleans())
def test_a_date_range_lists_what_whooshs_term_range_lists(engine: Engine, start: str | None,
                                                           end: str | None, startexcl: bool,
                                                           endexcl: bool) -> None:
    searcher = engine.searcher()
    sets, _ = engine.docsets(searcher)
    query = wq.TermRange("date", start, end, startexcl=startexcl, endexcl=endexcl)
    assert sets.docs(query) == set(searcher.docs_for_query(query))


def test_the_seed_letters_dates_are_all_in_the_table(engine: Engine) -> None:
    searcher = engine.searcher()
    sets, layout = engine.docsets(searcher)
    table = sets.ranged("date")
    dated = {searcher.stored_fields(d)["date"] for d in layout.record} - {""}
    assert {t.decode() for t in table.terms} >= dated and len(dated) >= 3
    assert len(table.docs) == len(set(table.docs)) == sum(
        len(sets.term("date", t)) for t in table.terms)


@given(st.lists(st.tuples(st.floats(0.0, 500.0), st.integers(1, 5000)), max_size=30),
       st.floats(0.01, 20.0), st.floats(0.5, 900.0), st.floats(0.0, 1.0), st.floats(0.1, 3.0))
def test_bm25f_scores_are_whooshs_to_the_bit(postings: list[tuple[float, int]], idf: float, avgfl: float,
                                             b: float, k1: float) -> None:
    from whoosh.scoring import BM25FScorer

    scorer = BM25FScorer.__new__(BM25FScorer)  # the formula's parameters, without an index behind them
    scorer.idf, scorer.avgfl, scorer.B, scorer.K1 = idf, avgfl, b, k1
    weights, lengths = [w for w, _ in postings], [n for _, n in postings]
    assert docsets.bm25f_scores(scorer, weights, lengths) == list(map(scorer._score, weights, lengths))


def test_field_lengths_are_what_the_reader_gives_for_every_document(engine: Engine) -> None:
    searcher = engine.searcher()
    for sub, _ in DocSets(searcher).leaves:
        reader = sub.reader()
        for field in ("text", "title"):
            lengths = docsets.field_lengths(reader, field)
            assert lengths is not None
            assert list(lengths) == [sub.doc_field_length(d, field, 1) or 0 for d in range(reader.doc_count_all())]


def _scored(matcher: Any) -> list[tuple[float, int]]:
    """(score, docnum) of what docsets._evaluate gives for a matcher, in docnum order, as walking lists them."""
    return [(score, doc) for doc, score in sorted(docsets._evaluate(matcher).items())]
