""""Bedoelde u …?": replace query words the index hardly knows by a close, more common word."""

from __future__ import annotations

import re
from typing import Any

from whoosh.support.levenshtein import damerau_levenshtein

from index.analysis import analyze
from search.query import ParsedQuery, Word, terms

MAX_LOOKUPS = 5  # words of one query looked up: each lookup reads part of the lexicon
MAX_DISTANCE = 2  # edits (Damerau-Levenshtein)
KNOWN = 3  # a word in this many letters' passages or more needs no correction


def suggest(reader: Any, parsed: ParsedQuery) -> str | None:
    """The query with its rare words replaced by close, clearly more common ones; None if none."""
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
            for candidate in close_words(reader, "exact", term.folded):
                if reader.doc_frequency("exact", candidate) > frequency * 3:
                    replacement = candidate
                    if term.original[:1].isupper():
                        replacement = candidate[:1].upper() + candidate[1:]
                    text = re.sub(re.escape(term.original), replacement, text, count=1)
                    changed = True
                    break
    return text if changed else None


def close_words(reader: Any, field: str, word: str, limit: int = 5) -> list[str]:
    """Indexed words within MAX_DISTANCE edits of ``word`` that share its first letter, most frequent
    first (ties alphabetical), as Whoosh's ReaderCorrector ranks them; the distance is computed only
    for words whose length and letters do not already put them too far away."""
    found: list[tuple[float, str]] = []
    size = len(word)
    letters = set(word)
    for raw in reader.expand_prefix(field, word[:1]):
        candidate = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if abs(len(candidate) - size) > MAX_DISTANCE:
            continue
        # an edit adds or removes at most two letters from the set of letters used, so words
        # whose letters differ by more than that are too far without counting the edits
        if len(letters.symmetric_difference(candidate)) > 2 * MAX_DISTANCE:
            continue
        if damerau_levenshtein(candidate, word, limit=MAX_DISTANCE) <= MAX_DISTANCE:
            found.append((reader.frequency(field, candidate) or 1, candidate))
    return [w for _, w in sorted(found, key=lambda item: (-item[0], item[1]))[:limit]]
