"""From a parsed query (search.query) to what the engine runs: which letters match, how passages rank.

The boolean logic holds per letter ("letters that mention NAVO and Rusland",
"letters about NAVO that never mention Rusland"), so the query becomes a
tree whose leaves are Whoosh queries over passages; the engine turns each
leaf into the set of letters with a matching passage and combines the sets.
Passages are ranked by one query: any positive word, phrase or prefix, so a
passage that holds all of them scores highest. Words go through the same
Dutch analysis as the index, so "Oekraine" meets "Oekraïne".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from whoosh import query as wq

from index.acronyms import AcronymTable
from index.analysis import Term, analyze, fold, stem
from index.compounds import LINKERS, MIN_HEAD, known_part, split
from search import phrases
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
MAX_EXPANSION = 200  # words that prefixes and compound parts may stand for in one query, all together
PART_WEIGHT = 0.4  # a compound found by its last part counts for less than the word itself
NEAR = 8  # words apart at most for the proximity bonus
TITLE_ALL = 2.0  # weight of the bonus for a title that holds every word of the query
TITLE_PHRASE = 1.0  # weight of the bonus for a title that holds the query word for word


# The letter-level boolean tree: ("leaf", query over passages) | ("and", [...]) |
# ("or", [...]) | ("not", tree) | ("all",) for every letter.
Tree = tuple[Any, ...]


@dataclass
class Compiled:
    tree: Tree | None  # None: nothing to search for
    ranking: wq.Query | None  # scores passages: any positive leaf (Every when there is none)
    matcher: Matcher
    any_words: Tree | None = None  # the any-word fallback of an all-words query
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _OpenPair:
    """Two words in a row that the index also knows written as one: either both, or the compound."""

    first: Word
    second: Word
    closed: Word


class _Translator:
    def __init__(self, reader: Any, acronyms: AcronymTable | None = None) -> None:
        self.reader = reader
        self.acronyms = acronyms or AcronymTable()
        self.stems: set[str] = set()
        self.prefixes: list[str] = []
        self.phrases: list[tuple[str, ...]] = []
        self.labels: dict[object, str] = {}
        self.notes: list[str] = []
        self.ignored: list[str] = []
        self.positive: list[wq.Query] = []  # the leaves that rank passages
        self.near: list[str] = []  # stems of the positive single words, for proximity
        self.budget = MAX_EXPANSION  # expansions left for this query (prefixes, compounds)

    def node(self, node: Node | _OpenPair, positive: bool = True) -> Tree | None:
        if isinstance(node, _OpenPair):
            both = [t for t in (self.node(node.first, positive), self.node(node.second, positive)) if t]
            closed = self.node(node.closed, positive)
            pair: list[Tree] = ([("and", both)] if len(both) == 2 else both) + ([closed] if closed else [])
            return ("or", pair) if len(pair) > 1 else (pair[0] if pair else None)
        if isinstance(node, (Word, Phrase, Prefix)):
            leaf = self.leaf(node, positive)
            return ("leaf", leaf) if leaf is not None else None
        if isinstance(node, Not):
            inner = self.node(node.child, positive=False)
            return ("not", inner) if inner is not None else None
        if isinstance(node, And):
            children = self._without_stopwords(self._open_compounds(self._long_forms(node.children)))
            parts: list[Tree] = [t for t in (self.node(c, positive) for c in children) if t is not None]
            if not parts:
                return None
            if all(p[0] == "not" for p in parts):
                parts.insert(0, ("all",))
            return parts[0] if len(parts) == 1 else ("and", parts)
        if isinstance(node, Or):
            options = [t for t in (self.node(c, positive) for c in node.children) if t is not None]
            options = [p for p in options if p[0] != "not"] or options
            return options[0] if len(options) == 1 else (("or", options) if options else None)
        if isinstance(node, All):
            return ("all",)
        return None  # Empty

    def leaf(self, node: Word | Phrase | Prefix, positive: bool) -> wq.Query | None:
        if isinstance(node, Word):
            query = self.word(node.text, positive)
        elif isinstance(node, Phrase):
            query = self.phrase(node.text, positive)
        else:
            query = self.prefix(node.text, positive)
        if query is not None and positive:
            self.positive.append(query)
        return query

    def _long_forms(self, children: tuple[Node, ...]) -> tuple[Node, ...]:
        """Words in a row that spell a known long form ("Verenigde Staten") are read as that phrase,
        which then also finds its acronym ("VS")."""
        out: list[Node] = []
        i = 0
        while i < len(children):
            for j in range(min(len(children), i + 8), i + 1, -1):
                run = children[i:j]
                if all(isinstance(c, Word) for c in run):
                    text = " ".join(c.text for c in run if isinstance(c, Word))
                    if " ".join(fold(text).split()) in self.acronyms.acronyms:
                        out.append(Phrase(text))
                        i = j
                        break
            else:
                out.append(children[i])
                i += 1
        return tuple(out)

    def _open_compounds(self, children: tuple[Node, ...]) -> tuple[Node | _OpenPair, ...]:
        """Two words in a row whose closed form the index knows ("wiskunde onderwijs") also find
        that closed form ("wiskundeonderwijs"): both words, or the compound."""
        out: list[Node | _OpenPair] = []
        i = 0
        while i < len(children):
            first, second = children[i], children[i + 1] if i + 1 < len(children) else None
            if isinstance(first, Word) and isinstance(second, Word):
                closed = fold(first.text) + fold(second.text)
                if closed.isalpha() and self._df(closed) > 0:
                    out.append(_OpenPair(first, second, Word(closed)))
                    i += 2
                    continue
            out.append(first)
            i += 1
        return tuple(out)

    def _acronym_alternatives(self, text: str, positive: bool) -> list[wq.Query]:
        """Queries for the other form: an acronym's long forms, or a long form's acronyms."""
        key = " ".join(fold(text).split())
        others = list(dict.fromkeys(self.acronyms.expansions(text) + self.acronyms.acronyms.get(key, [])))
        alternatives = []
        for other in others:
            stems = tuple(t.stem for t in analyze(other) if not t.joined)
            if not stems or other == key:
                continue
            if positive:
                self.notes.append(f"{text} ook gezocht als {self.acronyms.written.get(other, other)}")
            alternatives.append(_any_field(stems[0]) if len(stems) == 1 else _phrase_any_field(stems))
            if positive:
                if len(stems) == 1:
                    self.stems.add(stems[0])
                    self.labels.setdefault(stems[0], text)
                else:
                    self.phrases.append(stems)
                    self.labels.setdefault(stems, text)
        return alternatives

    def _df(self, word: str) -> int:
        return int(self.reader.doc_frequency("exact", word))

    def _compounds(self, term: Term, text: str, positive: bool) -> list[wq.Query]:
        """A word also finds the compounds it ends ("verdediging": luchtverdediging), with less weight,
        and a closed compound also its open form ("wiskundeonderwijs": "wiskunde onderwijs")."""
        found: list[wq.Query] = []
        parts = split(term.folded, self._df)
        if parts:
            stems = tuple(stem(part) for part in parts)
            found.append(_phrase_any_field(stems))
            if positive:
                self.phrases.append(stems)
                self.labels.setdefault(stems, text)
        if len(term.folded) < MIN_HEAD or len(term.stem) < 4:
            return found
        own = self.reader.doc_frequency("text", term.stem)
        tails = list(islice(self.reader.expand_prefix("tails", term.stem[::-1]), self.budget))
        self.budget -= len(tails)
        for reversed_stem in tails:
            longer = _text(reversed_stem)[::-1]
            front = longer[: len(longer) - len(term.stem)]
            more_common = self.reader.doc_frequency("text", longer) > max(own, 1)
            if not front or more_common or not _known_front(front, self._df):
                continue
            found.append(wq.Or([wq.Term(name, longer, boost=PART_WEIGHT) for name in TEXT_FIELDS]))
            if positive:
                self.stems.add(longer)
                self.labels.setdefault(longer, text)
        return found

    def _without_stopwords(self, children: tuple[Node | _OpenPair, ...]) -> tuple[Node | _OpenPair, ...]:
        """Stopwords carry no meaning in an all-words query; a query of only stopwords keeps them."""
        def is_stop(child: Node | _OpenPair) -> bool:
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
        alternatives = self._acronym_alternatives(text, positive)
        if len(parts) == 1:
            if positive and not parts[0].stop and parts[0].stem not in self.near:
                self.near.append(parts[0].stem)
            alternatives += self._compounds(parts[0], text, positive)
            own = _any_field(parts[0].stem)
            return wq.Or([own] + alternatives) if alternatives else own
        # a compound or identifier ("NAVO-verdragsgebied", "MQ-9"): its parts in a row, or joined
        alternatives = [_phrase_any_field(tuple(t.stem for t in parts))]
        alternatives += [_any_field(t.stem) for t in terms if t.joined]
        return wq.Or(alternatives)

    def phrase(self, text: str, positive: bool) -> wq.Query | None:
        terms = [t for t in analyze(text) if not t.joined]
        stems = tuple(t.stem for t in terms)
        if not stems:
            return None
        if len(stems) == 1:
            return self.word(text, positive)
        if positive:
            self.phrases.append(stems)
            self.labels.setdefault(stems, f'"{text}"')
        alternatives = self._acronym_alternatives(text, positive)
        closed = "".join(t.folded for t in terms)
        if len(terms) <= 3 and closed.isalpha() and self._df(closed) > 0:
            # "wiskunde onderwijs" is also written "wiskundeonderwijs"
            alternatives.append(_any_field(stem(closed)))
            if positive:
                self.stems.add(stem(closed))
                self.labels.setdefault(stem(closed), f'"{text}"')
        own = _phrase_any_field(stems)
        return wq.Or([own] + alternatives) if alternatives else own

    def prefix(self, text: str, positive: bool) -> wq.Query | None:
        start = fold(text).strip()
        if len(start) < 2:
            return None
        words = list(islice(self.reader.expand_prefix("exact", start), self.budget + 1))
        if len(words) > self.budget:
            self.notes.append(
                f"{text}* staat voor meer dan {self.budget} woorden; alleen de eerste {self.budget} zijn "
                f"gezocht (een zoekvraag omvat hoogstens {MAX_EXPANSION} woorden)"
            )
            words = words[: self.budget]
        self.budget -= len(words)
        if positive:
            self.prefixes.append(start)
            self.labels.setdefault(start, f"{text}*")
        if not words:
            return wq.NullQuery
        # The words' stems in the passages' text (the unstemmed field is a vocabulary of
        # letters): a word's other forms match too ("huiz*": huizen, so also huis), and are
        # highlighted as hits of the prefix.
        stems = dict.fromkeys(stem(_text(w)) for w in words)
        if positive:
            self.stems.update(stems)
            for found in stems:
                self.labels.setdefault(found, f"{text}*")
        return wq.Or([wq.Term("text", s) for s in stems])


def _known_front(front: str, df: Any) -> bool:
    """The front of a compound is a word of its own (after its linking -s-, -e- or -en-)."""
    for linker in LINKERS:
        if front.endswith(linker):
            base = front[: len(front) - len(linker)] if linker else front
            if known_part(base, df):
                return True
    return False


def _text(word: Any) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else str(word)


def _any_field(stem: str) -> wq.Query:
    return wq.Or([wq.Term(name, stem) for name in TEXT_FIELDS])


def _phrase_any_field(stems: tuple[str, ...]) -> wq.Query:
    return wq.Or([phrases.Phrase(name, list(stems)) for name in TEXT_FIELDS])


def _title_all(positive: list[wq.Query]) -> wq.Query | None:
    """The bonus for a title that holds every positive word and phrase (in any of their forms); none
    when the query has a prefix, which searches the unstemmed text that titles are not part of."""
    if not positive or not TITLE_ALL:
        return None
    parts = [_in_field(q, "title") for q in positive]
    if any(p is None for p in parts):
        return None
    kept = [p for p in parts if p is not None]
    query = kept[0] if len(kept) == 1 else wq.And(kept)
    return query.with_boost(query.boost * TITLE_ALL)


def _title_phrase(root: Node) -> wq.Query | None:
    """The bonus for a title that holds the words as typed, in a row, stopwords included: a letter
    titled "... uitspreken tegen diepzeemijnbouw" is what "uitspreken tegen diepzeemijnbouw" looks for,
    more than one titled "... uitspreken voor een moratorium op diepzeemijnbouw"."""
    if not TITLE_PHRASE or not isinstance(root, And):
        return None
    if not all(isinstance(c, (Word, Phrase)) for c in root.children):
        return None
    stems = [t.stem for c in root.children if isinstance(c, (Word, Phrase))
             for t in analyze(c.text) if not t.joined]
    return phrases.Phrase("title", stems, boost=TITLE_PHRASE) if len(stems) > 1 else None


def untitled(query: wq.Query) -> wq.Query | None:
    """The query without its title parts: how a passage's own text scores. The title rides on a
    letter's first passage; it counts for the letter, not for which of its passages are shown first."""
    return _fields(query, lambda name: name != "title", others=True)


def _in_field(query: wq.Query, name: str) -> wq.Query | None:
    """The part of a query that searches one field; None when it searches no such field."""
    return _fields(query, lambda field: field == name, others=False)


def _fields(query: wq.Query, keep: Callable[[str], bool], others: bool) -> wq.Query | None:
    """The query cut down to its terms and phrases in the fields ``keep`` accepts (an And that
    loses a part is lost whole); queries of other kinds (spans over the text, Every) are kept
    when ``others`` says so. None when nothing is left."""
    if isinstance(query, (wq.Term, wq.Phrase)):
        return query if keep(query.fieldname) else None
    if isinstance(query, (wq.Or, wq.And)):
        parts = [_fields(q, keep, others) for q in query.subqueries]
        if isinstance(query, wq.And) and any(p is None for p in parts):
            return None
        return _joined(query, [p for p in parts if p is not None])
    return query if others else None


def _joined(query: wq.Query, kept: list[wq.Query]) -> wq.Query | None:
    """An Or or And of what was kept of its parts, with its boost (with_boost would deep-copy them)."""
    if not kept:
        return None
    if len(kept) > 1:
        return type(query)(kept, boost=query.boost)
    return kept[0] if query.boost == 1 else kept[0].with_boost(kept[0].boost * query.boost)


def translate(parsed: ParsedQuery, reader: Any, acronyms: AcronymTable | None = None) -> Compiled:
    translator = _Translator(reader, acronyms)
    tree = None if isinstance(parsed.root, Empty) else translator.node(parsed.root)
    any_words = None
    if tree is not None and tree[0] == "and" and all(p[0] == "leaf" for p in tree[1]):
        any_words = ("or", tree[1])  # no letter has all the words: rank those with any of them
    ranking: wq.Query | None = None
    if len(translator.positive) == 1:
        ranking = translator.positive[0]
    elif translator.positive:
        # A passage that holds all the words scores twice: once for the words, once for having them all;
        # and once more when they stand within a few words of each other. The first passage, which
        # carries the letter's title, scores more when the title holds them all, and more again when it
        # holds the query word for word: a title says what the whole letter is about.
        clauses = [wq.And(translator.positive), wq.Or(translator.positive)]
        if 2 <= len(translator.near) <= 8:
            clauses.append(phrases.Near([wq.Term("text", s) for s in translator.near], slop=NEAR, ordered=False))
        titled = _title_all(translator.positive)
        if titled is not None:
            clauses.append(titled)
        verbatim = _title_phrase(parsed.root)
        if verbatim is not None:
            clauses.append(verbatim)
        ranking = wq.Or(clauses)
    elif tree is not None:
        ranking = wq.Every()
    notes = list(translator.notes)
    if translator.ignored:
        notes.append("veelvoorkomende woorden genegeerd: " + ", ".join(translator.ignored))
    matcher = Matcher(
        stems=frozenset(translator.stems),
        prefixes=tuple(translator.prefixes),
        phrases=tuple(translator.phrases),
        labels=translator.labels,
    )
    return Compiled(tree, ranking, matcher, any_words, notes)


def restrictions(parsed: ParsedQuery, extra: list[FieldFilter], dates: DateRange | None) -> wq.Query | None:
    """Filters from the query text and from the request, as one query over the letter records'
    fields; None when nothing is filtered."""
    parts: list[wq.Query] = []
    by_field: dict[str, list[wq.Query]] = {}
    for item in list(parsed.filters) + extra:
        by_field.setdefault(item.field, []).append(_filter_term(item))
    for alternatives in by_field.values():
        parts.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    for span in (parsed.dates, dates):
        if span is not None and (span.start or span.end):
            parts.append(wq.TermRange("date", span.start or "0000", span.end or "9999-12-31"))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


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
