""""Bedoelde u …?": replace query words the index hardly knows by a close, more common word."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from index.analysis import analyze
from search.query import ParsedQuery, Word, terms

MAX_LOOKUPS = 5  # words of one query looked up: each lookup reads part of the lexicon
MAX_DISTANCE = 2  # edits (Damerau-Levenshtein)
KNOWN = 3  # a word in this many letters' passages or more needs no correction


Vocabulary = dict[str, list[str]]  # first letter -> the indexed unstemmed words that start with it


def vocabulary(reader: Any, field: str = "exact") -> Vocabulary:
    """The field's words by first letter: what close_words looks through (kept per index version,
    so a lookup walks a list instead of the index's term table)."""
    found: Vocabulary = {}
    for word in _words(reader.lexicon(field)):
        found.setdefault(word[:1], []).append(word)
    return found


def _words(raw: Iterable[str | bytes]) -> list[str]:
    """A field's terms as text (the reader gives bytes)."""
    return [term.decode("utf-8") if isinstance(term, bytes) else term for term in raw]


def suggest(reader: Any, parsed: ParsedQuery, words: Vocabulary | None = None) -> str | None:
    """The query with its rare words replaced by close, clearly more common ones; None if none.
    ``words``: the vocabulary of the exact field, if kept (else the index's term table is read)."""
    text = parsed.text
    changed = False
    lookups = 0
    for leaf in terms(parsed.root):
        if not isinstance(leaf, Word):
            continue
        for term in analyze(leaf.text):
            if term.joined or term.stop or len(term.folded) < 4:
                continue
            frequency = reader.doc_frequency("exact", term.folded)
            if frequency >= KNOWN:
                continue
            lookups += 1
            if lookups > MAX_LOOKUPS:
                return text if changed else None
            known = words.get(term.folded[:1], []) if words is not None else None
            for candidate in close_words(reader, "exact", term.folded, words=known):
                if reader.doc_frequency("exact", candidate) > frequency * 3:
                    replacement = candidate
                    if term.original[:1].isupper():
                        replacement = candidate[:1].upper() + candidate[1:]
                    text = re.sub(re.escape(term.original), replacement, text, count=1)
                    changed = True
                    break
    return text if changed else None


def close_words(reader: Any, field: str, word: str, limit: int = 5,
                words: list[str] | None = None) -> list[str]:
    """Indexed words within MAX_DISTANCE edits of ``word`` that share its first letter, most frequent
    first (ties alphabetical), as Whoosh's ReaderCorrector ranks them. The distance is Whoosh's
    (Damerau-Levenshtein with adjacent transpositions: optimal string alignment), computed by
    rapidfuzz in C over the whole list, with a cut-off. ``words``: the field's words with the same
    first letter (from vocabulary()), else read from the index."""
    if words is None:
        words = _words(reader.expand_prefix(field, word[:1]))
    near = process.extract(word, words, scorer=OSA.distance, score_cutoff=MAX_DISTANCE, limit=None)
    found = [(reader.frequency(field, candidate) or 1, candidate) for candidate, _, _ in near]
    return [w for _, w in sorted(found, key=lambda item: (-item[0], item[1]))[:limit]]
