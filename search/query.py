"""Read a search-box query into a small AST, leniently, noting in Dutch each liberty taken."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from search.querytypes import (
    FIELDS,
    All,
    And,
    DateRange,
    Empty,
    FieldFilter,
    KamerstukRef,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Prefix,
    Span,
    Term,
    Word,
    combine_spans,
    field_value,
    render,
    say,
    terms,
)

__all__ = [
    "All", "And", "DateRange", "Empty", "FieldFilter", "KamerstukRef", "Node", "Not", "Or",
    "ParsedQuery", "Phrase", "Prefix", "Word", "parse", "terms",
]  # fmt: skip

MAX_LENGTH = 500
MAX_TERMS = 50
MAX_DEPTH = 10

_OPERATORS = {"AND": "AND", "EN": "AND", "OR": "OR", "OF": "OR", "NOT": "NOT", "NIET": "NOT"}
_QUOTES = '"“”„«»'
_EDGE = ".,:-"  # stripped from both ends of a word; kept inside ("1,5", "d.d", "covid-19")
# Separators inside a chunk; a colon only when not between digits, so "14:30" stays one word.
_SPLIT = re.compile(r"[/&|\\^~\[\]{}<>=;!?·+]+|(?<!\d):|:(?!\d)")
_FIELD = re.compile(r"([^\W\d_]+):(.*)", re.S)
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
# Kamerstuk references: "Kamerstukken II 2016/17, 28 676, nr. 266", "21 501-20, nr. 1234",
# "28676 nr 418", and the identifier forms "28676-418" and "kst-21501-20-1234".
_REF_NR = re.compile(
    r"(?:(?:(?i:verwijzing\s+naar)\s+)?(?i:kamerstuk(?:ken)?)(?:\s+I{1,2})?"
    r"(?:\s+\d{4}[/–-]\d{2,4})?\s*,?\s*)?"
    r"(?<!\w)(?P<d>\d{2}\s\d{3}|\d{5})(?!\d)"
    r"(?:\s?[-‑–]\s?(?P<s>\d{1,3}|[A-Z]{1,5})|\s(?P<r>[IVXLC]{1,6}[A-Z]?|[A-Z]))?"
    r"\s*,?\s*(?i:nr|nummer|no)\.?\s*(?P<n>\d{1,6})(?!\w)"
)
_REF_ID = re.compile(
    r"(?<!\w)(?:(?i:kst)-)?(?P<d>\d{5})(?:-(?P<s>\d{1,3}|[A-Z]{1,5}))?-(?P<n>\d{1,6})(?!\w)"
)
_BOUNDARY = re.compile(r"[\s()\"“”„«»]")  # what ends a run of text in the lexer
# A hyphen before a word is a weglatingsstreepje, not NIET, after "X en" / "X of" or in the list
# "X, -Y en -Z" (lowercase en/of: EN and OF are operators).
_ELIDED_AFTER_AND = re.compile(r"\w\s+(?:en|of)\s+$")
_ELIDED_AFTER_COMMA = re.compile(r"\w,\s+$")
_ELIDED_LIST = re.compile(r"-\w[\w'’.-]*(?:,\s+-\w[\w'’.-]*)*\s+(?:en|of)\s+-[^\W\d_]")
_START = {"term", "filter", "(", "NOT"}  # token kinds that can begin an operand
_END = {"term", "filter", ")"}  # token kinds that can end one


@dataclass(frozen=True)
class _Filter:
    key: str  # a value of FIELDS
    value: FieldFilter | Span
    shown: str  # as typed, for notes


@dataclass
class _Tok:
    kind: str  # "(", ")", "AND", "OR", "NOT", "term", "filter"
    text: str = ""  # an operator as typed ("EN", "-")
    node: Term | None = None
    filt: _Filter | None = None


@dataclass
class _Found:
    filt: _Filter
    under_or: bool = False
    negated: bool = False


def parse(text: str) -> ParsedQuery:
    """Read a query; never raises, whatever the input."""
    notes: list[str] = []
    if len(text) > MAX_LENGTH:
        cut = text[:MAX_LENGTH]
        if not text[MAX_LENGTH].isspace() and " " in cut.strip():
            cut = cut.rstrip().rsplit(" ", 1)[0]  # don't keep half a word
        text = cut
        say(notes, f"zoekvraag langer dan {MAX_LENGTH} tekens; ingekort")
    clean = _clean(text, notes)
    clean, reference = _reference(clean, notes)
    toks = _lex(clean, notes)
    toks, tail, cut_terms = _limit_terms(toks, notes)
    toks = _clean_operators(_balance(toks, notes, quiet=cut_terms) + tail, notes)
    parser = _Parser(toks, notes)
    found = parser.parse()
    filters, dates = _collect(parser.found, notes)
    root: Node
    if found is None:
        root = All() if (filters or dates) and reference is None else Empty()
        if not notes and reference is None and not filters and not dates and clean.strip():
            say(notes, "geen zoektermen over; niets gezocht")
    elif not terms(found):
        children = found.children if isinstance(found, And) else (found,)
        excluded = [
            ("zonder " + render(c.child)) if isinstance(c, Not) else render(c) for c in children
        ]
        say(notes, "alleen uitsluitingen: toont alle documenten " + " en ".join(excluded))
        root = And((All(), *children))
    else:
        root = found
    return ParsedQuery(text, root, filters, dates, reference, tuple(notes))


def _clean(text: str, notes: list[str]) -> str:
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif category == "Cc":
            say(notes, "stuurtekens verwijderd")
        elif category not in ("Cf", "Cs"):  # soft hyphens, zero-width marks, lone surrogates
            out.append(ch)
    return "".join(out)


def _reference(text: str, notes: list[str]) -> tuple[str, KamerstukRef | None]:
    """Take out the Kamerstuk references that stand on their own, and keep the first."""

    def alone(m: re.Match[str]) -> bool:
        # not part of a longer run (a URL, "dossier:21501-20"), nor between a pair of quotes
        before = _BOUNDARY.split(text[: m.start()])[-1]
        after = _BOUNDARY.split(text[m.end() :])[0]
        if (field := _FIELD.fullmatch(before)) and not field[2]:  # "name:" right before it
            key, value = FIELDS.get(field[1].lower()), _BOUNDARY.split(text[m.start() :])[0]
            before = "" if key is None or field_value(key, value, []) is None else before
        quoted = sum(text.count(q, 0, m.start()) for q in _QUOTES) % 2 == 1
        return not any(ch.isalnum() for ch in before + after) and not (
            quoted and any(q in text[m.end() :] for q in _QUOTES)
        )

    found = [m for rx in (_REF_NR, _REF_ID) for m in rx.finditer(text) if alone(m)]
    found.sort(key=lambda m: m.start())
    taken: list[re.Match[str]] = []
    for m in found:
        if not taken or m.start() >= taken[-1].end():
            taken.append(m)
    if not taken:
        return text, None
    if len(taken) > 1:
        say(notes, "meer dan één Kamerstukverwijzing; alleen de eerste gebruikt")
    for m in reversed(taken):
        text = text[: m.start()] + " " + text[m.end() :]
    first = taken[0]
    suffix = first["s"] or (first["r"] if "r" in first.groupdict() else None)
    dossier = re.sub(r"\s", "", first["d"]) + (f"-{suffix}" if suffix else "")
    return text, KamerstukRef(dossier, first["n"])


def _lex(text: str, notes: list[str]) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == " ":
            i += 1
        elif c in "()":
            toks.append(_Tok(c))
            i += 1
        elif c in _QUOTES:
            body, j, closed = _quoted(text, i)
            if not closed and len(body.split()) <= 1:
                say(notes, "aanhalingsteken niet gesloten; genegeerd")
                i += 1  # read what follows as ordinary text
                continue
            toks.extend(_phrase(body, closed, notes))
            i = j
        else:
            j = i
            while j < n and text[j] != " " and text[j] not in _QUOTES and text[j] not in "()":
                j += 1
            # a hyphen right after a closing quote or parenthesis joins, it does not negate:
            # '"fast lane"-experimenten' is the phrase and the word, not the phrase without the word
            attached = i > 0 and text[i - 1] != " "
            elided = not attached and _elision(text, i)
            chunk, i = text[i:j], j
            rest = chunk.lstrip("+-")
            minus = 0 if attached or elided else chunk[: len(chunk) - len(rest)].count("-")
            if elided:
                word = rest.rstrip(_EDGE)
                say(notes, f"-{word} gelezen als weglatingsstreepje (gezocht: {word}); "
                           f"uitsluiten gaat met NIET {word}")
            if minus > 1 and rest:
                say(notes, "dubbel minteken gelezen als één")
            if not rest:
                if minus and i < n and text[i] in _QUOTES + "(":
                    toks.append(_Tok("NOT", "-"))  # -"phrase", -(group)
                elif minus:
                    say(notes, "los minteken genegeerd")
                continue
            new, i = _chunk(rest, text, i, notes)
            if minus and len(new) > 1:
                new = [_Tok("("), *new, _Tok(")")]
            toks.extend([_Tok("NOT", "-"), *new] if minus else new)
    return toks


def _elision(text: str, i: int) -> bool:
    """Whether the hyphen at i stands for the shared part of a compound (a weglatingsstreepje), not
    for NIET: after a word and "en" or "of" ("wetgeving en -praktijk"), or after a comma in a list
    that such an "en" or "of" closes ("nazisymbolen, -groeten en -leuzen")."""
    if text[i : i + 1] != "-" or not text[i + 1 : i + 2].isalpha():
        return False
    before = text[:i]
    if _ELIDED_AFTER_AND.search(before):
        return True
    return bool(_ELIDED_AFTER_COMMA.search(before)) and bool(_ELIDED_LIST.match(text, i))


def _quoted(text: str, i: int) -> tuple[str, int, bool]:
    """The text from the quote at i to the next quote of any kind, and whether it was closed."""
    j = i + 1
    while j < len(text) and text[j] not in _QUOTES:
        j += 1
    if j < len(text):
        return text[i + 1 : j], j + 1, True
    return text[i + 1 :], j, False


def _phrase(body: str, closed: bool, notes: list[str]) -> list[_Tok]:
    text = " ".join(body.split())
    if not closed:
        say(notes, "aanhalingsteken niet gesloten; gelezen als zinsdeel")
        text = text.rstrip(") ")
    if not any(ch.isalnum() for ch in text):
        say(notes, 'leeg zinsdeel "" genegeerd')
        return []
    return [_Tok("term", node=Phrase(text))]


def _chunk(chunk: str, text: str, i: int, notes: list[str]) -> tuple[list[_Tok], int]:
    """Tokens for one run of text without spaces, quotes or parentheses, and where to go on."""
    if chunk in _OPERATORS:
        return [_Tok(_OPERATORS[chunk], chunk)], i
    url = chunk.rstrip(".,;!?")
    if _URL.fullmatch(url):
        return [_Tok("term", node=Word(url))], i
    m = _FIELD.fullmatch(chunk)
    if m is None:
        return _words(chunk, notes), i
    name, value, quoted = m[1], m[2], False
    if not value and i < len(text) and text[i] in _QUOTES:
        value, i, closed = _quoted(text, i)
        quoted = True
        if not closed:
            say(notes, "aanhalingsteken niet gesloten; gelezen tot het eind")
    return _field(name, value, quoted, notes), i


def _words(chunk: str, notes: list[str]) -> list[_Tok]:
    parts = [t for t in (_term(p, notes) for p in _SPLIT.split(chunk)) if t is not None]
    if not parts:
        return []
    if len(parts) == 1:
        if parts[0].text in _OPERATORS and isinstance(parts[0], Word):
            return [_Tok(_OPERATORS[parts[0].text], parts[0].text)]  # "[AND]" is still AND
        return [_Tok("term", node=parts[0])]
    phrase = " ".join(p.text for p in parts)
    say(notes, f'{chunk} gelezen als zinsdeel "{phrase}"')
    return [_Tok("term", node=Phrase(phrase))]


def _term(part: str, notes: list[str]) -> Word | Prefix | None:
    star = part.endswith("*")
    body = part.rstrip("*")
    if "*" in body:
        say(notes, f"jokerteken * alleen aan het eind van een woord; genegeerd in {part}")
        body = body.replace("*", "")
    body = body.strip(_EDGE)
    has_text = any(ch.isalnum() for ch in body)
    if star and (len(body) < 2 or not has_text):
        read = f"gelezen als {body}" if has_text else "genegeerd"
        say(notes, f"jokerteken te kort (minstens 2 tekens vóór *): {part} {read}")
    if not has_text:
        return None
    return Prefix(body) if star and len(body) >= 2 else Word(body)


def _field(name: str, value: str, quoted: bool, notes: list[str]) -> list[_Tok]:
    key = FIELDS.get(name.lower())
    value = " ".join(value.split()).strip(",;!?")

    def as_words() -> list[_Tok]:
        rest = _phrase(value, True, notes) if quoted and value else _words(value, notes)
        return _words(name, notes) + rest

    if key is None:
        if value:
            say(notes, f"onbekend veld {name}: gelezen als gewone woorden")
        return as_words()
    if not value:
        say(notes, f"veld {name}: zonder waarde; gelezen als gewoon woord")
        return _words(name, notes)
    item = field_value(key, value, notes)
    if item is None:
        say(notes, f"ongeldige waarde voor {name}: {value} gelezen als gewone woorden")
        return as_words()
    return [_Tok("filter", filt=_Filter(key, item, f"{name}:{value}"))]


def _limit_terms(toks: list[_Tok], notes: list[str]) -> tuple[list[_Tok], list[_Tok], bool]:
    """Keep the first MAX_TERMS terms; filters after the cut are kept, for the top level."""
    count = 0
    for idx, tok in enumerate(toks):
        count += tok.kind == "term"
        if count > MAX_TERMS:
            say(notes, f"meer dan {MAX_TERMS} zoektermen; alleen de eerste {MAX_TERMS} gebruikt")
            return toks[:idx], [t for t in toks[idx:] if t.kind == "filter"], True
    return toks, [], False


def _balance(toks: list[_Tok], notes: list[str], quiet: bool) -> list[_Tok]:
    """Drop unmatched ')', close unclosed '(', and flatten groups deeper than MAX_DEPTH."""
    out: list[_Tok] = []
    stack: list[bool] = []  # per open '(': was it kept?
    for tok in toks:
        if tok.kind == "(":
            keep = stack.count(True) < MAX_DEPTH
            if not keep:
                say(notes, f"meer dan {MAX_DEPTH} niveaus haakjes; diepere haakjes genegeerd")
            stack.append(keep)
        elif tok.kind == ")" and not stack:
            say(notes, "haakjes niet in evenwicht; haakje ) zonder ( genegeerd")
            continue
        elif tok.kind == ")" and not stack.pop():
            continue
        if tok.kind != "(" or stack[-1]:
            out.append(tok)
    if stack and not quiet:
        say(notes, "haakjes niet in evenwicht; ontbrekend haakje aangevuld")
    return out + [_Tok(")") for kept in stack if kept]


def _clean_operators(toks: list[_Tok], notes: list[str]) -> list[_Tok]:
    """Drop operators that lack an operand on either side, until none is left."""
    operators = ("AND", "OR", "NOT")
    only = bool(toks) and all(t.kind in (*operators, "(", ")") for t in toks)
    dropped: list[_Tok] = []
    while True:
        out: list[_Tok] = []
        for idx, tok in enumerate(toks):
            after = toks[idx + 1].kind if idx + 1 < len(toks) else None
            if tok.kind == "NOT":
                ok = after in _START
            elif tok.kind in operators:
                ok = bool(out) and out[-1].kind in _END and after in _START
            else:
                ok = True
            (out if ok else dropped).append(tok)
        if len(out) == len(toks):
            break
        toks = out
    if only and any(t.kind in operators for t in dropped):
        say(notes, "alleen een operator; niets gezocht")
    else:
        for tok in dropped:
            lone = "los minteken" if tok.text == "-" else f"losse operator {tok.text}"
            say(notes, lone + " genegeerd")
    return toks


class _Parser:
    """Recursive descent with NOT > AND > OR; filters are collected, not put in the tree."""

    def __init__(self, toks: list[_Tok], notes: list[str]) -> None:
        self.toks, self.pos, self.notes = toks, 0, notes
        self.found: list[_Found] = []

    def peek(self) -> str | None:
        return self.toks[self.pos].kind if self.pos < len(self.toks) else None

    def parse(self) -> Node | None:
        parts = []
        while self.pos < len(self.toks):
            parts.append(self.parse_or())
            if self.peek() == ")":  # cannot happen after _balance; guards the loop anyway
                self.pos += 1
        return _join(And, parts)

    def parse_or(self) -> Node | None:
        start = len(self.found)
        operands = [self.parse_and()]
        while self.peek() == "OR":
            self.pos += 1
            operands.append(self.parse_and())
        mine = self.found[start:]
        # "type:motie OF type:brief" is what repeated filters mean anyway; anything else changes
        if len(operands) > 1 and (any(operands) or len({f.filt.key for f in mine}) > 1):
            for f in mine:
                f.under_or = True
        return _join(Or, operands)

    def parse_and(self) -> Node | None:
        items = []
        while (kind := self.peek()) not in (None, ")", "OR"):
            if kind == "AND":
                self.pos += 1
            else:
                items.append(self.parse_unary())
        return _join(And, items)

    def parse_unary(self) -> Node | None:
        nots = 0
        while self.peek() == "NOT":
            nots, self.pos = nots + 1, self.pos + 1
        start = len(self.found)
        node = self.parse_primary()
        if isinstance(node, Not) and nots:
            node, nots = node.child, nots + 1
        if nots > 1:
            odd = "herhaalde NIET gelezen als één"
            say(self.notes, "dubbele ontkenning opgeheven" if nots % 2 == 0 else odd)
        if nots % 2 == 0:
            return node
        for f in self.found[start:]:
            f.negated = True
        return None if node is None else Not(node)

    def parse_primary(self) -> Node | None:
        tok = self.toks[self.pos] if self.pos < len(self.toks) else None
        if tok is None or tok.kind not in ("term", "filter", "("):
            return None
        self.pos += 1
        if tok.node is not None:
            return tok.node
        if tok.filt is not None:
            self.found.append(_Found(tok.filt))
            return None
        if self.peek() == ")":
            say(self.notes, "lege haakjes genegeerd")
        node = self.parse_or() if self.peek() != ")" else None
        if self.peek() == ")":
            self.pos += 1
        return node


def _join(kind: type[And] | type[Or], items: list[Node | None]) -> Node | None:
    """Flatten nested same-kind nodes, drop repeats, and collapse a single child."""
    kept: list[Node] = []
    for item in items:
        children = item.children if isinstance(item, And | Or) and type(item) is kind else (item,)
        kept.extend(c for c in children if c is not None and c not in kept)
    return None if not kept else kept[0] if len(kept) == 1 else kind(tuple(kept))


def _collect(
    found: list[_Found], notes: list[str]
) -> tuple[tuple[FieldFilter, ...], DateRange | None]:
    """Filters apply to the whole query: same field, any value; different fields, all."""
    filters: list[FieldFilter] = []
    spans: dict[str, list[Span]] = {}
    for f in found:
        if f.negated:
            say(notes, f"uitsluiten op een veld kan niet; filter {f.filt.shown} genegeerd")
            continue
        if f.under_or:
            say(notes, f"filter {f.filt.shown} stond binnen OF; geldt voor de hele zoekvraag")
        if isinstance(f.filt.value, FieldFilter):
            if f.filt.value not in filters:
                filters.append(f.filt.value)
        else:
            spans.setdefault(f.filt.key, []).append(f.filt.value)
    return tuple(filters), combine_spans(spans, notes) if spans else None
