"""From a parsed query (search.query) to a Whoosh query over passage records, and to a highlight matcher.

Words go through the same Dutch analysis as the index (index.analysis), so
"Oekraine" meets "Oekraïne" and "kamerbrieven" meets "kamerbrief".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from whoosh import query as wq

from index.analysis import analyze, fold
from search.query import (
    All,
    And,
    DateRange,
    Empty,
    FieldFilter,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Prefix,
    Word,
)
from search.snippets import Matcher

TEXT_FIELDS = ("text", "heading", "title")
MAX_EXPANSION = 200  # words a prefix* may stand for; more would make the query slow and vague


@dataclass
class Compiled:
    query: wq.Query | None  # None: nothing to search for
    matcher: Matcher
    any_words: wq.Query | None = None  # the ranked any-word fallback, for all-words queries
    notes: list[str] = field(default_factory=list)


class _Translator:
    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.stems: set[str] = set()
        self.prefixes: list[str] = []
        self.phrases: list[tuple[str, ...]] = []
        self.labels: dict[object, str] = {}
        self.notes: list[str] = []
        self.ignored: list[str] = []

    def node(self, node: Node, positive: bool = True) -> wq.Query | None:
        if isinstance(node, Word):
            return self.word(node.text, positive)
        if isinstance(node, Phrase):
            return self.phrase(node.text, positive)
        if isinstance(node, Prefix):
            return self.prefix(node.text, positive)
        if isinstance(node, Not):
            inner = self.node(node.child, positive=False)
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, And):
            children = self._without_stopwords(node.children)
            parts = [q for q in (self.node(c, positive) for c in children) if q is not None]
            if not parts:
                return None
            if all(isinstance(p, wq.Not) for p in parts):
                parts.insert(0, wq.Every())
            return parts[0] if len(parts) == 1 else wq.And(parts)
        if isinstance(node, Or):
            parts = [q for q in (self.node(c, positive) for c in node.children) if q is not None]
            parts = [p for p in parts if not isinstance(p, wq.Not)] or parts
            return parts[0] if len(parts) == 1 else (wq.Or(parts) if parts else None)
        if isinstance(node, All):
            return wq.Every()
        return None  # Empty

    def _without_stopwords(self, children: tuple[Node, ...]) -> tuple[Node, ...]:
        """Stopwords carry no meaning in an all-words query; a query of only stopwords keeps them."""
        def is_stop(child: Node) -> bool:
            if not isinstance(child, Word):
                return False
            terms = [t for t in analyze(child.text) if not t.joined]
            return bool(terms) and all(t.stop for t in terms)

        kept = tuple(c for c in children if not is_stop(c))
        if kept and len(kept) < len(children):
            self.ignored.extend(c.text for c in children if is_stop(c) and isinstance(c, Word))
            return kept
        return children

    def word(self, text: str, positive: bool) -> wq.Query | None:
        terms = analyze(text)
        parts = [t for t in terms if not t.joined]
        if not parts:
            return None
        if positive:
            for term in terms:
                self.stems.add(term.stem)
                self.labels.setdefault(term.stem, text)
        if len(parts) == 1:
            return _any_field(parts[0].stem)
        # a compound or identifier ("NAVO-verdragsgebied", "MQ-9"): its parts in a row, or joined
        alternatives = [_phrase_any_field(tuple(t.stem for t in parts))]
        alternatives += [_any_field(t.stem) for t in terms if t.joined]
        return wq.Or(alternatives)

    def phrase(self, text: str, positive: bool) -> wq.Query | None:
        stems = tuple(t.stem for t in analyze(text) if not t.joined)
        if not stems:
            return None
        if len(stems) == 1:
            return self.word(text, positive)
        if positive:
            self.phrases.append(stems)
            self.labels.setdefault(stems, f'"{text}"')
        return _phrase_any_field(stems)

    def prefix(self, text: str, positive: bool) -> wq.Query | None:
        stem = fold(text).strip()
        if len(stem) < 2:
            return None
        words = list(islice(self.reader.expand_prefix("exact", stem), MAX_EXPANSION + 1))
        if len(words) > MAX_EXPANSION:
            self.notes.append(
                f"{text}* staat voor meer dan {MAX_EXPANSION} woorden; "
                f"alleen de eerste {MAX_EXPANSION} zijn gezocht"
            )
            words = words[:MAX_EXPANSION]
        if positive:
            self.prefixes.append(stem)
            self.labels.setdefault(stem, f"{text}*")
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term("exact", _text(w)) for w in words])


def _text(word: Any) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else str(word)


def _any_field(stem: str) -> wq.Query:
    return wq.Or([wq.Term(name, stem) for name in TEXT_FIELDS])


def _phrase_any_field(stems: tuple[str, ...]) -> wq.Query:
    return wq.Or([wq.Phrase(name, list(stems)) for name in TEXT_FIELDS])


def _positive_words(node: Node) -> list[Node]:
    if isinstance(node, (Word, Phrase, Prefix)):
        return [node]
    if isinstance(node, And):
        return [leaf for child in node.children for leaf in _positive_words(child)]
    return []


def translate(parsed: ParsedQuery, reader: Any) -> Compiled:
    translator = _Translator(reader)
    query = translator.node(parsed.root)
    any_words = None
    root = parsed.root
    if isinstance(root, And) and not any(isinstance(c, (Or, Not)) for c in root.children):
        leaves = _positive_words(root)
        if len(leaves) >= 2:
            fallback = _Translator(reader)
            parts = [q for q in (fallback.node(leaf) for leaf in leaves) if q is not None]
            if len(parts) >= 2:
                any_words = wq.Or(parts)
    notes = list(translator.notes)
    if translator.ignored:
        notes.append("veelvoorkomende woorden genegeerd: " + ", ".join(translator.ignored))
    matcher = Matcher(
        stems=frozenset(translator.stems),
        prefixes=tuple(translator.prefixes),
        phrases=tuple(translator.phrases),
        labels=translator.labels,
    )
    if isinstance(root, Empty):
        query = None
    return Compiled(query, matcher, any_words, notes)


def filter_query(parsed: ParsedQuery, extra: list[FieldFilter], dates: DateRange | None) -> wq.Query:
    """Filters from the query text and from the request, over passage records."""
    parts: list[wq.Query] = [wq.Term("kind", "passage")]
    by_field: dict[str, list[wq.Query]] = {}
    for item in list(parsed.filters) + extra:
        by_field.setdefault(item.field, []).append(_filter_term(item))
    for alternatives in by_field.values():
        parts.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    for span in (parsed.dates, dates):
        if span is not None and (span.start or span.end):
            parts.append(wq.TermRange("date", span.start or "0000", span.end or "9999-12-31"))
    return wq.And(parts)


def _filter_term(item: FieldFilter) -> wq.Query:
    value = item.value.strip()
    if item.field == "type":
        return wq.Term("doctype", value.lower())
    if item.field == "dossier":
        return wq.Term("dossier", value.replace(" ", ""))
    if item.field == "number":
        return wq.Term("number", value)
    # signatory: every word of the name, folded ("Ollongren" finds "K.H. Ollongren")
    words = [t.folded for t in analyze(value) if not t.joined]
    if not words:
        return wq.NullQuery
    return wq.And([wq.Term("signer_words", w) for w in words])
