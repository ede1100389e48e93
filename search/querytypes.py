"""The parsed query: its node types, its Dutch rendering, and the syntax of filter values."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Word:
    text: str  # as typed; the analyzer lowercases, folds and stems it later


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Prefix:
    text: str  # without the '*'


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class All:
    """Matches every document: the root of a filter-only or exclusion-only query."""


@dataclass(frozen=True)
class Empty:
    """Nothing to search."""


Node = Word | Phrase | Prefix | And | Or | Not | All | Empty
Term = Word | Phrase | Prefix


@dataclass(frozen=True)
class FieldFilter:
    field: str  # one of FIELD_LABELS
    value: str


@dataclass(frozen=True)
class DateRange:
    start: str | None  # ISO dates, both ends inclusive; None is unbounded
    end: str | None


@dataclass(frozen=True)
class KamerstukRef:
    dossier: str  # digits, with a suffix after '-' for sub-dossiers: "21501-20", "36200-VII"
    number: str


# How each filter field is written back; the parser accepts these and English aliases.
FIELD_LABELS = {"type": "type", "dossier": "dossier", "number": "nr", "signatory": "ondertekenaar"}
_BARE_VALUE = re.compile(r"[\w.'-]+")
_ROMAN_SUFFIX = re.compile(r"[IVXLC]{1,6}[A-Z]?|[A-Z]")


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the input as received, after truncation
    root: Node
    filters: tuple[FieldFilter, ...]  # same field: any of them; different fields: all of them
    dates: DateRange | None
    reference: KamerstukRef | None
    notes: tuple[str, ...]  # Dutch, one per lenient reading

    @property
    def lenient(self) -> bool:
        return bool(self.notes)

    def read_as(self) -> str:
        """How the query was read, in query syntax, for "Gelezen als: ..." on the result page."""
        parts = [render(self.root)]
        if self.reference is not None:
            parts.append(render_reference(self.reference))
        if self.dates is not None:
            parts.append(render_dates(self.dates))
        parts.extend(render_filter(f) for f in self.filters)
        return " · ".join(p for p in parts if p)


def render(node: Node) -> str:
    """A node in query syntax: explicit EN/OF/NIET, OR groups inside AND in parentheses."""
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Phrase):
        return f'"{node.text}"'
    if isinstance(node, Prefix):
        return node.text + "*"
    if isinstance(node, Not):
        return "NIET " + _grouped(node.child)
    if isinstance(node, Or):
        return " OF ".join(_grouped(c) if isinstance(c, And) else render(c) for c in node.children)
    if isinstance(node, And):
        out = ""
        for child in node.children:
            if isinstance(child, All | Empty):
                continue
            part = render(child) if isinstance(child, Not) else _grouped(child)
            out = part if not out else out + (" " if isinstance(child, Not) else " EN ") + part
        return out
    return ""


def _grouped(node: Node) -> str:
    return f"({render(node)})" if isinstance(node, And | Or) else render(node)


def render_filter(f: FieldFilter) -> str:
    value = f.value if _BARE_VALUE.fullmatch(f.value) else f'"{f.value}"'
    return f"{FIELD_LABELS.get(f.field, f.field)}:{value}"


def render_dates(d: DateRange) -> str:
    """The shortest filter that parses back to the same range: jaar:2017, datum:2017-03, ..."""
    if d.start is None or d.end is None:
        return f"van:{d.start}" if d.start else f"tot:{d.end}" if d.end else ""
    s, e = date.fromisoformat(d.start), date.fromisoformat(d.end)
    if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31) and s <= e:
        return f"jaar:{s.year}" if s.year == e.year else f"jaar:{s.year}..{e.year}"
    if s.day == 1 and e.day == calendar.monthrange(e.year, e.month)[1] and s <= e:
        sm, em = d.start[:7], d.end[:7]
        return f"datum:{sm}" if sm == em else f"datum:{sm}..{em}"
    return f"datum:{d.start}" if s == e else f"datum:{d.start}..{d.end}"


def render_reference(ref: KamerstukRef) -> str:
    """The citation form, with the dossier digits grouped: Kamerstuk 21 501-20, nr. 1234."""
    digits, _, suffix = ref.dossier.partition("-")
    head = len(digits) % 3 or 3
    grouped = " ".join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])
    if suffix:
        grouped += (" " if _ROMAN_SUFFIX.fullmatch(suffix) else "-") + suffix
    return f"verwijzing naar Kamerstuk {grouped}, nr. {ref.number}"


def terms(node: Node) -> list[Term]:
    """The positive (not negated) words, phrases and prefixes, in query order, for highlighting."""
    out: list[Term] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Word | Phrase | Prefix):
            out.append(n)
        elif isinstance(n, And | Or):
            stack.extend(reversed(n.children))
    return out


# -- filter values: what may follow "jaar:", "dossier:", ... ----------------------------------

Span = tuple[date | None, date | None]  # first and last day, inclusive; None is unbounded

# Field names as typed (Dutch and English) to the field they filter on.
FIELDS = {
    "jaar": "year", "year": "year", "datum": "date", "date": "date",
    "van": "from", "vanaf": "from", "from": "from", "tot": "to", "to": "to", "until": "to",
    "type": "type", "soort": "type", "dossier": "dossier",
    "nr": "number", "nummer": "number", "number": "number",
    "ondertekenaar": "signatory", "signatory": "signatory",
}  # fmt: skip
DATE_FIELDS = {"year": "jaar", "date": "datum", "from": "van", "to": "tot"}
_YEAR_RANGE = re.compile(r"([1-9]\d{3})\s*[-–]\s*([1-9]\d{3})")
_ISO = re.compile(r"([1-9]\d{3})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
_DUTCH_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.]([1-9]\d{3})")
_COMPARE = re.compile(r"(>=|<=|>|<)\s*(.+)", re.S)
_DOSSIER = re.compile(
    r"(\d[\d ]*)(?:\s*[-‑–]\s*(\d{1,3}|[A-Za-z]{1,5})|\s+([IVXLCivxlc]{1,6}[A-Za-z]?))?"
)
_NUMBER = re.compile(r"\d{1,6}[A-Za-z]?")


def field_value(key: str, value: str, notes: list[str]) -> FieldFilter | Span | None:
    """The filter a field's value stands for, or None when the value is not valid for it."""
    if key in DATE_FIELDS:
        return _date_value(key, value, notes)
    if key == "dossier":
        m = _DOSSIER.fullmatch(value)
        digits = m[1].replace(" ", "") if m else ""
        if not m or len(digits) > 7:
            return None
        suffix = m[2] or m[3]  # a sub-dossier: "21 501-20", "36 200 VII"
        return FieldFilter(key, digits + (f"-{suffix.upper()}" if suffix else ""))
    if key == "number":
        return FieldFilter(key, value) if _NUMBER.fullmatch(value) else None
    if not any(ch.isalnum() for ch in value):
        return None
    return FieldFilter(key, value.lower() if key == "type" else value)


def _date_value(key: str, value: str, notes: list[str]) -> Span | None:
    """A year, month or day, a range of them ("2016..2018", "2016-2018"), or ">=2020-01-01"."""
    if key in ("from", "to"):
        p = _period(value)
        return None if p is None else (p[0], None) if key == "from" else (None, p[1])
    if m := _COMPARE.fullmatch(value):
        p = _period(m[2])
        if p is None or (m[1] == ">" and p[1] == date.max) or (m[1] == "<" and p[0] == date.min):
            return None
        return {
            ">=": (p[0], None), ">": (p[1] + timedelta(days=1), None),
            "<=": (None, p[1]), "<": (None, p[0] - timedelta(days=1)),
        }[m[1]]  # fmt: skip
    if m := _YEAR_RANGE.fullmatch(value):
        lo, hi = _period(m[1]), _period(m[2])
    elif ".." in value:
        a, _, b = value.partition("..")
        lo, hi = _period(a) if a.strip() else None, _period(b) if b.strip() else None
        if (lo is None and a.strip()) or (hi is None and b.strip()) or (lo is None and hi is None):
            return None
    else:
        return _period(value)
    if lo is not None and hi is not None and lo[0] > hi[0]:
        lo, hi = hi, lo
        say(notes, f"begin en eind van {value} omgedraaid")
    return (lo[0] if lo else None, hi[1] if hi else None)


def _period(text: str) -> tuple[date, date] | None:
    """The first and last day of "2017", "2017-03", "2017-03-29" or "29-03-2017"."""
    text = text.strip()
    if m := _ISO.fullmatch(text):
        y, mo, d = m[1], m[2], m[3]
    elif m := _DUTCH_DATE.fullmatch(text):
        d, mo, y = m[1], m[2], m[3]
    else:
        return None
    year = int(y)
    try:
        if mo is None:
            return date(year, 1, 1), date(year, 12, 31)
        if d is None:
            month = int(mo)
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date(year, int(mo), int(d))
        return day, day
    except ValueError:
        return None


def combine_spans(spans: dict[str, list[Span]], notes: list[str]) -> DateRange:
    """Spans of one field: any of them (as one covering span); of different fields: all."""
    starts, ends = [], []
    for key, ranges in spans.items():
        ranges.sort(key=lambda r: r[0] or date.min)
        reach = ranges[0][1]
        for s, e in ranges[1:]:
            if reach is not None and s is not None and reach < date.max:
                if s > reach + timedelta(days=1):
                    say(notes, f"losse periodes voor {DATE_FIELDS[key]} samengevoegd tot één")
            reach = None if reach is None or e is None else max(reach, e)
        starts.append(None if any(r[0] is None for r in ranges) else ranges[0][0])
        ends.append(reach)
    start = max((s for s in starts if s is not None), default=None)
    end = min((e for e in ends if e is not None), default=None)
    if start is not None and end is not None and start > end:
        say(notes, "de datumfilters sluiten elkaar uit; geen documenten")
    return DateRange(start.isoformat() if start else None, end.isoformat() if end else None)


def say(notes: list[str], note: str) -> None:
    """Add a note once."""
    if note not in notes:
        notes.append(note)
