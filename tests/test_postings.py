"""search/postings.py reads a term's posting list as Whoosh's own leaf matcher does."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.scoring import BM25F

from index import whoosh_fixes
from search import docsets
from search.postings import blocks

whoosh_fixes.apply()

FIELDS = ["text", "heading", "title", "exact", "tails", "kind", "letter", "date", "signer_words"]


def _walked(reader: Any, field: str, text: bytes) -> tuple[list[int], list[float], list[Any]]:
    matcher = reader._terms.matcher(field, text, reader.schema[field].format)
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return ids, weights, values


def _read(reader: Any, field: str, text: bytes) -> tuple[list[int], list[float], list[Any]]:
    found = blocks(reader, field, text)
    assert found is not None
    ids: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    for block in found.blocks:
        block_ids, block_weights, block_values = found.decode(block)
        assert len(block_ids) == block.size and block_ids[-1] == block.last
        ids.extend(block_ids)
        weights.extend(block_weights)
        values.extend(block_values)
    return ids, weights, values


def test_every_term_reads_as_whooshs_matcher_walks_it(seed_index: Path) -> None:
    ix = whoosh_index.open_dir(str(seed_index))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field in FIELDS:
            for text in reader.lexicon(field):
                assert _read(reader, field, text) == _walked(reader, field, text), (field, text)
        assert blocks(reader, "text", b"geen-zulk-woord") is None


@pytest.fixture(scope="module")
def long_lists(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Many blocks, weights alike and not, positions and none, as Whoosh's own writer writes them."""
    schema = Schema(body=TEXT(phrase=True), tag=KEYWORD(scorable=True), flag=ID)
    ix = whoosh_index.create_in(str(tmp_path_factory.mktemp("long")), schema)
    rng = random.Random(7)
    words = ["de", "het", "navo", "brief", "minister", "kamer", "zorg"]
    with ix.writer() as writer:
        for n in range(1500):
            writer.add_document(body=" ".join(rng.choices(words, k=rng.randint(1, 40))),
                                tag=" ".join(rng.sample(words, 2)), flag="ja" if n % 3 else "nee")
    return ix


def test_long_lists_read_as_whooshs_matcher_walks_them(long_lists: Any) -> None:
    with long_lists.searcher() as searcher:
        reader = searcher.reader()
        lengths = []
        for field in ("body", "tag", "flag"):
            for text in reader.lexicon(field):
                assert _read(reader, field, text) == _walked(reader, field, text), (field, text)
                found = blocks(reader, field, text)
                assert found is not None
                lengths.append(len(found.blocks))
        assert max(lengths) >= 8


def test_a_leaf_matcher_that_has_moved_on_is_walked(long_lists: Any) -> None:
    with long_lists.searcher(weighting=BM25F()) as searcher:
        reader = searcher.reader()

        def fresh() -> Any:
            matcher = reader.postings("body", "de", scorer=searcher.weighting.scorer(searcher, "body", "de"))
            assert type(matcher) is W3LeafMatcher
            return matcher

        whole = docsets._leaf_scores(fresh())
        assert whole is not None and whole == {d: s for s, d in docsets._walk(fresh())}
        ids = sorted(whole)
        assert len(ids) > 1000
        for at in (1, 200, 700):  # in the first block, and further on
            matcher = fresh()
            matcher.skip_to(ids[at])
            assert docsets._leaf_scores(matcher) is None
            matcher = fresh()
            matcher.skip_to(ids[at])
            assert docsets._evaluate(matcher) == {d: whole[d] for d in ids[at:]}


@pytest.mark.parametrize("word", ["navo", "de", "rusland"])
def test_a_words_scores_from_its_whole_list_are_walkings(engine: Any, word: str) -> None:
    searcher = engine.searcher()
    for sub, _ in docsets.DocSets(searcher).leaves:
        reader = sub.reader()
        text = reader._text_to_bytes("text", word)
        scorer = searcher.weighting.scorer(sub, "text", text)
        bulk = docsets._leaf_scores(reader._terms.matcher("text", text, reader.schema["text"].format, scorer))
        assert bulk is not None and len(bulk) > 3
        walked = {doc: score for score, doc in docsets._walk(
            reader._terms.matcher("text", text, reader.schema["text"].format, scorer))}
        assert bulk == walked  # to the bit
