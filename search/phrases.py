"""Exact phrases, checked with sets of positions instead of Whoosh's span matchers; Whoosh's scores.

Whoosh checks a phrase one candidate at a time through a tree of span
matchers, about a tenth of a millisecond a passage: seconds for a phrase of
common words ("gaat over tot de orde van de dag" is in 16,000 passages of the
13k). Here the passages holding the rarest word are read a block at a time,
the other words' postings only for those passages, each word's positions are
decoded once, and a phrase is a position p of the first word with p+1 for the
second, and so on. The passages that hold the phrase are
then scored by the matcher Whoosh itself builds for a phrase (an intersection
of the words' term matchers, in the same binary tree), so scores are Whoosh's
to the last bit (tests/test_phrases.py compares them).
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.util import make_binary_tree

from search.docsets import Restricted, segment_ids


class Phrase(wq.Phrase):  # type: ignore[misc]  # whoosh is untyped
    """A Whoosh phrase (slop 1: the words in a row) with a faster matcher."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        fieldname = self.fieldname
        if self.slop != 1 or fieldname not in searcher.schema or len(self.words) < 2:
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's own error
        words: list[bytes] = []
        reader = searcher.reader()
        for word in self.words:
            try:
                encoded = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, encoded) not in reader:
                return matching.NullMatcher()
            words.append(encoded)
        if not isinstance(searcher, Restricted):
            # a whole segment: only the passages that hold the rarest word can hold the phrase
            rarest = min(words, key=lambda w: reader.doc_frequency(fieldname, w))
            searcher = Restricted(searcher, segment_ids(reader, fieldname, rarest))
        weighting = (context.weighting if context is not None else None) or searcher.weighting
        lists = {word: searcher.postings_lists(fieldname, word, weighting) for word in set(words)}
        shared: set[int] | None = None
        for ids, _, _, _ in lists.values():
            shared = set(ids) if shared is None else shared & set(ids)
        if not shared:
            return matching.NullMatcher()
        decode = field.format.decoder("positions")
        positions: dict[bytes, dict[int, set[int]]] = {}
        for word, (ids, _, values, _) in lists.items():
            positions[word] = {doc: set(decode(value)) for doc, value in zip(ids, values, strict=True)
                               if doc in shared}
        verified = {doc for doc in shared if _in_a_row([positions[w][doc] for w in words])}
        if not verified:
            return matching.NullMatcher()
        matchers = []
        for word in words:
            ids, weights, values, scorer = lists[word]
            keep = [i for i, doc in enumerate(ids) if doc in verified]
            matchers.append(matching.ListMatcher(
                [ids[i] for i in keep], [weights[i] for i in keep], [values[i] for i in keep],
                field.format, scorer=scorer, term=(fieldname, word)))
        # what SpanNear2 builds for a phrase, so the sums (and so the scores) are the same
        m = matching.WrappingMatcher(make_binary_tree(matching.IntersectionMatcher, matchers), boost=1.0)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


def _in_a_row(positions: list[set[int]]) -> bool:
    """Whether some position p of the first word has p+1 for the second word, p+2 for the third …"""
    starts = positions[0]
    for offset, later in enumerate(positions[1:], start=1):
        starts = {p for p in starts if p + offset in later}
        if not starts:
            return False
    return True
