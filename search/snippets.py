"""Highlighting: which words of a passage match the query, and the one function that makes the markup.

Everything else in the text is HTML-escaped here; templates print the result
as it is and never build highlight markup of their own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.analysis import Term, analyze

SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@dataclass(frozen=True)
class Matcher:
    """What counts as a hit: stems of query words, folded prefixes, and stem sequences of phrases.

    ``labels`` maps each stem/prefix/phrase back to the query word as typed, so
    a result can say which variants matched ("afschrikken → afschrikking").
    """

    stems: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    labels: dict[object, str] = field(default_factory=dict, hash=False, compare=False)

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes or self.phrases)


def find_spans(text: str, matcher: Matcher) -> list[tuple[int, int, str]]:
    """Character spans (start, end, query word) of the matches in ``text``, sorted, not overlapping."""
    if not matcher or not text:
        return []
    terms = analyze(text)
    spans: list[tuple[int, int, str]] = []
    for term in terms:
        label = matcher.labels.get(term.stem) if term.stem in matcher.stems else None
        if label is None and matcher.prefixes:
            for prefix in matcher.prefixes:
                if term.folded.startswith(prefix):
                    label = matcher.labels.get(prefix, prefix)
                    break
        if label is not None:
            spans.append((term.start, term.end, label))
    if matcher.phrases:
        spans.extend(_phrase_spans([t for t in terms if not t.joined], matcher))
    return _merge(spans)


def _phrase_spans(terms: list[Term], matcher: Matcher) -> list[tuple[int, int, str]]:
    spans = []
    for phrase in matcher.phrases:
        size = len(phrase)
        for i in range(len(terms) - size + 1):
            window = terms[i : i + size]
            if tuple(t.stem for t in window) == phrase and all(
                window[k + 1].pos == window[k].pos + 1 for k in range(size - 1)
            ):
                spans.append((window[0].start, window[-1].end, matcher.labels.get(phrase, "")))
    return spans


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sort and drop spans inside a longer one (a compound part inside its whole compound)."""
    merged: list[tuple[int, int, str]] = []
    for start, end, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end, merged[-1][2])
            continue
        merged.append((start, end, label))
    return merged


def render(
    text: str,
    spans: list[tuple[int, int, str]] | None = None,
    note_href: Callable[[str], str | None] | None = None,
) -> str:
    """HTML for ``text``: escaped, matches in <mark>, footnote marks as superscript links.

    The only function in Kamerzoek that produces markup from document text.
    """
    cuts: list[tuple[int, int, str]] = [(s, e, "mark") for s, e, _ in spans or []]
    if note_href is not None:
        for found in SUPERSCRIPT_RUN.finditer(text):
            if not any(s <= found.start() < e for s, e, _ in cuts):
                cuts.append((found.start(), found.end(), "note"))
    out: list[str] = []
    position = 0
    for start, end, what in sorted(cuts):
        out.append(html.escape(text[position:start]))
        piece = html.escape(text[start:end])
        if what == "mark":
            out.append(f"<mark>{piece}</mark>")
        else:
            mark = text[start:end].translate(FROM_SUPERSCRIPT)
            href = note_href(mark) if note_href else None
            out.append(
                f'<sup class="noot"><a href="{html.escape(href)}" id="ref-{html.escape(mark)}">'
                f"{html.escape(mark)}</a></sup>"
                if href
                else f"<sup>{html.escape(mark)}</sup>"
            )
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def highlight(text: str, matcher: Matcher) -> tuple[str, dict[str, list[str]]]:
    """(HTML with matches marked, {query word: [matched forms as written]})."""
    spans = find_spans(text, matcher)
    variants: dict[str, list[str]] = {}
    for start, end, label in spans:
        if label:
            forms = variants.setdefault(label, [])
            form = text[start:end]
            if form not in forms:
                forms.append(form)
    return render(text, spans), variants


def terminal_excerpt(highlighted: str, width: int = 320, on: str = "\x01", off: str = "\x02") -> str:
    """Plain text of a highlight, matches between ``on`` and ``off``, cut to about ``width``
    characters around the first match (for the command line)."""
    text = html.unescape(
        re.sub(r"<(/?)mark>", lambda m: off if m.group(1) else on,
               re.sub(r"<(?!/?mark>)[^>]*>", "", highlighted))
    )
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    first = text.find(on)
    start = max(0, (first if first >= 0 else 0) - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    piece = text[start : start + width]
    piece = piece[: piece.rfind(" ")] if " " in piece else piece
    if piece.count(on) > piece.count(off):
        piece += off
    return ("… " if start else "") + piece + " …"
