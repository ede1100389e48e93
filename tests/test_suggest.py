"""search/suggest.py: the words close to a misspelling, found without trying every word."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.support.levenshtein import damerau_levenshtein

from search.suggest import MAX_DISTANCE, close_words, vocabulary

words = st.text(alphabet="abcdeilnorstëé", min_size=1, max_size=9)


@settings(max_examples=2000, deadline=None)
@given(words, words)
def test_the_distance_is_whooshs_damerau_levenshtein(a: str, b: str) -> None:
    """close_words counts edits with rapidfuzz's OSA; within the cut-off it agrees with Whoosh's."""
    from rapidfuzz.distance import OSA

    whooshs = damerau_levenshtein(a, b, limit=MAX_DISTANCE)
    ours = OSA.distance(a, b, score_cutoff=MAX_DISTANCE)
    assert (whooshs <= MAX_DISTANCE) == (ours <= MAX_DISTANCE)
    if whooshs <= MAX_DISTANCE:
        assert ours == whooshs


def test_close_words_are_every_indexed_word_within_the_distance(seed_index: Path) -> None:
    with whoosh_index.open_dir(str(seed_index)).searcher() as searcher:
        reader = searcher.reader()
        lexicon = [w.decode("utf-8") for w in reader.lexicon("exact")]
        for word in ("ruslnad", "oekraine", "defensei", "navo", "kamerbreif", "tilerson"):
            expected = sorted(
                ((reader.frequency("exact", w) or 1, w) for w in lexicon
                 if w[:1] == word[:1] and damerau_levenshtein(w, word, limit=MAX_DISTANCE) <= MAX_DISTANCE),
                key=lambda item: (-item[0], item[1]))
            assert close_words(reader, "exact", word, limit=50) == [w for _, w in expected][:50], word
            kept = vocabulary(reader).get(word[:1], [])
            assert close_words(reader, "exact", word, limit=50, words=kept) == [w for _, w in expected][:50]
        assert close_words(reader, "exact", "ruslnad")[:1] == ["rusland"]
