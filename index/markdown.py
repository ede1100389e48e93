"""Blocks from Markdown letters: `##` headings, `*emphasis*`, `<sup>1</sup>` marks, `---` before footnotes.

Markdown made from a PDF keeps the PDF's page breaks as blank lines in the
middle of a sentence; such pieces are joined again. Page numbers are not
known in Markdown, so blocks carry no page (a citation then names no page
rather than a wrong one).
"""

from __future__ import annotations

import re

from index.records import Block

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SUP = re.compile(r"<sup>\s*(\w{1,4})\s*</sup>", re.IGNORECASE)
RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
TERMINAL = ".:;!?"
HEADER_LINE = 60  # characters: the header above a Kamerstuk's title is short lines only


def looks_like_markdown(text: str) -> bool:
    """Seed 004 is Markdown in a .txt file: recognise it by its headings and marks."""
    return bool(re.search(r"^#{1,6} \S", text, re.MULTILINE)) or "<sup>" in text.lower()


def _inline(text: str) -> tuple[str, list[str]]:
    notes = [m.group(1) for m in SUP.finditer(text)]
    text = SUP.sub(lambda m: m.group(1).translate(SUPERSCRIPT), text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"<[^>]{1,200}>", "", text)  # any other inline tag
    return re.sub(r"\s+", " ", text).strip(), notes


def _pieces(text: str) -> list[str]:
    """Paragraph pieces separated by blank lines; headings and rules stand alone."""
    pieces: list[str] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip() or HEADING.match(line) or RULE.match(line):
            if current:
                pieces.append("\n".join(current))
                current = []
            if line.strip():
                pieces.append(line.strip())
            continue
        current.append(line.strip())
    if current:
        pieces.append("\n".join(current))
    return pieces


def clean_markdown(text: str, header: bool = True) -> tuple[list[Block], list[str]]:
    """Return (blocks, furniture). Furniture is the header above the first heading (short lines)."""
    body: list[Block] = []
    notes: list[Block] = []
    furniture: list[str] = []
    in_notes = False
    seen_heading = False
    for piece in _pieces(text):
        heading = HEADING.match(piece)
        if heading:
            seen_heading = True
            in_notes = False
            title, _ = _inline(heading.group(2))
            if title and title.isupper() and not body:
                furniture.append(title)  # the document's title ("BRIEF VAN DE MINISTER ...")
            elif title:
                body.append(Block("heading", title))
            continue
        if RULE.match(piece):
            in_notes = True
            continue
        if header and not seen_heading and len(piece) <= HEADER_LINE and "\n" not in piece.strip():
            furniture.append(" ".join(piece.split()))  # "Vergaderjaar 2022–2023", "28 676", "Nr. 418"
            continue
        note = re.match(r"^\s*<sup>\s*(\w{1,4})\s*</sup>\s*(.*)$", piece, re.IGNORECASE | re.DOTALL)
        if in_notes and note:
            note_text, _ = _inline(note.group(2))
            notes.append(Block("footnote", note_text, mark=note.group(1)))
            continue
        in_notes = False
        line, marks = _inline(piece)
        if not line:
            continue
        previous = body[-1] if body and body[-1].kind == "paragraph" else None
        if previous and previous.text[-1] not in TERMINAL and line[0].islower():
            # a page break in the middle of a sentence (or of a hyphenated word)
            if previous.text.endswith("-") and previous.text[-2:-1].islower():
                previous.text = previous.text[:-1] + line
            else:
                previous.text = previous.text + " " + line
            previous.notes.extend(marks)
            continue
        body.append(Block("paragraph", line, notes=marks))
    if header and not seen_heading and furniture:
        return clean_markdown(text, header=False)  # no heading at all: no header either
    return body + notes, furniture
