"""Turn PDF-extracted or OCR'd text into blocks: pages, paragraphs, headings and footnotes.

The seeds show what PDF extraction leaves behind: a line that begins with a space
starts a new page, footnotes sit at the bottom of the page they belong to (often
in the middle of a sentence that continues on the next page), words are split
at line ends with a hyphen, and page furniture ("Tweede Kamer, vergaderjaar
2016–2017, 28 676, nr. 266 4") is mixed into the text. Footnote marks in the
text become superscript digits, so that the mark survives as a mark and never
as a stray number in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.markdown import clean_markdown, looks_like_markdown
from index.records import Block, RawDocument

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

# "Tweede Kamer, vergaderjaar 2016–2017, 28 676, nr. 266 4" and the older
# "Tweede Kamer, zitting 1982-1983, 12 449, nr. 66" (both end a page or a document).
FURNITURE = re.compile(
    r"^\s*(?P<chamber>Tweede|Eerste)\s+Kamer,\s*(?:vergaderjaar|zitting)\s+"
    r"(?P<y1>\d{4})\s*[–—-]\s*(?P<y2>\d{4})\s*,\s*(?P<dossier>\d[\d ]*\d(?:-[\dA-Z]+)?|\d)"
    r"\s*,\s*nrs?\.?\s*(?P<nr>\d+(?:\s*-\s*\d+)?)(?:\s+(?P<page>\d{1,3}))?\s*$",
    re.IGNORECASE,
)
LONE_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
TERMINAL = ".:;!?"
BULLET = re.compile(r"^(?:[•▪◦·\-–*]\s|[a-z]\.\s|\d{1,2}[.)]\s|[ivx]{1,4}\.\s)")
DATE_LINE = re.compile(
    r"^(?:Den Haag|['’]s-Gravenhage|Brussel|Luxemburg)\b,?\s+\d{1,2}\s+\w+\s+\d{4}\s*$"
)
OFFICE_LINE = re.compile(
    r"^(?:De|de)\s+(?:[Mm]inister|[Ss]taatssecretaris|[Mm]inister-[Pp]resident)\b[^.]*,"
)
NAME_LINE = re.compile(r"^(?:(?:drs|mr|dr|prof|ir|ing)\.\s*)*(?:[A-Z][a-z]{0,2}\.\s*)+[A-Z]")


def footnote_marks(text: str) -> list[str]:
    """The footnote marks (as plain digits) that a cleaned text refers to."""
    return [m.translate(FROM_SUPERSCRIPT) for m in re.findall(f"[{SUPERSCRIPT_DIGITS}]+", text)]


@dataclass
class Cleaned:
    blocks: list[Block]
    furniture: list[str] = field(default_factory=list)  # lines taken out of the text


@dataclass
class _Line:
    text: str
    page: int
    page_start: bool = False


def clean(raw: RawDocument) -> Cleaned:
    """Blocks for any raw document; structured formats come with their blocks already."""
    if raw.blocks:
        return Cleaned(blocks=raw.blocks)
    if raw.format == "markdown" or looks_like_markdown(raw.text):
        blocks, furniture = clean_markdown(raw.text)
        return Cleaned(blocks=blocks, furniture=furniture)
    return clean_text(raw.text, space_marks_page=raw.format == "pdftext",
                      lines_are_paragraphs=raw.format == "ocr")


def clean_text(text: str, space_marks_page: bool = True, lines_are_paragraphs: bool = False) -> Cleaned:
    """Clean PDF-extracted text (pages by form feed, and by leading space when asked).

    OCR'd text (Staten-Generaal Digitaal) has a line per paragraph: there a line
    ends its paragraph unless it ends in a hyphen or the next line goes on in
    lower case.
    """
    pages = _split_pages(text, space_marks_page)
    furniture: list[str] = []
    lines: list[_Line] = []
    notes: list[Block] = []
    next_note = 1
    for number, page_lines in enumerate(pages, start=1):
        kept = []
        for line in page_lines:
            if FURNITURE.match(line) or (LONE_PAGE_NUMBER.match(line) and len(pages) > 1):
                furniture.append(line.strip())
            else:
                kept.append(line)
        body, page_notes, next_note = _split_footnotes(kept, next_note)
        for mark, note_lines in page_notes:
            notes.append(Block("footnote", _join_lines(note_lines), page=number, mark=mark))
        for i, line in enumerate(body):
            lines.append(_Line(line, number, page_start=(i == 0 and number > 1)))
    blocks = _line_paragraphs(lines) if lines_are_paragraphs else _paragraphs(lines)
    blocks = _drop_letterhead(blocks, furniture)
    _classify(blocks)
    for block in blocks:
        block.notes = footnote_marks(block.text)
    return Cleaned(blocks=blocks + notes, furniture=furniture)


def _split_pages(text: str, space_marks_page: bool) -> list[list[str]]:
    pages: list[list[str]] = [[]]
    for chunk_no, chunk in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\f")):
        if chunk_no and any(line.strip() for line in pages[-1]):
            pages.append([])
        for line in chunk.split("\n"):
            starts_page = space_marks_page and line[:1] == " " and line.strip() != ""
            if starts_page and any(prev.strip() for prev in pages[-1]):
                pages.append([])
            pages[-1].append(line.rstrip())
    return [page for page in pages if any(line.strip() for line in page)]


def _split_footnotes(
    lines: list[str], next_note: int
) -> tuple[list[str], list[tuple[str, list[str]]], int]:
    """Take the footnotes off the bottom of a page and mark their references in the text.

    A footnote starts a line with its number (the next one expected in the
    document) in the lower half of the page, and its mark must be found in the
    page's text; otherwise the line is ordinary text.
    """
    start = None
    for i in range(len(lines) // 2, len(lines)):
        match = re.match(r"^(\d{1,3}) \S", lines[i])
        if match and int(match.group(1)) == next_note and _mark_line(lines[:i], next_note):
            start = i
            break
    if start is None:
        return [line.lstrip() for line in lines], [], next_note
    body = lines[:start]
    notes: list[tuple[str, list[str]]] = []
    for line in lines[start:]:
        match = re.match(r"^(\d{1,3}) (\S.*)$", line)
        if match and int(match.group(1)) == next_note and (
            not notes or _mark_line(body, next_note) is not None
        ):
            notes.append((match.group(1), [match.group(2)]))
            next_note += 1
        elif line.strip() and notes:
            notes[-1][1].append(line.strip())
    for mark, _ in notes:
        hit = _mark_line(body, int(mark))
        if hit is not None:
            index, new_line = hit
            body[index] = new_line
    return [line.lstrip() for line in body], notes, next_note


def _mark_patterns(mark: str) -> list[re.Pattern[str]]:
    # Most specific first: glued after punctuation ("2024.1 Als", "gekost.2"),
    # glued to a year ("20182)"), glued to a word, then standing alone after ")".
    return [
        re.compile(rf"(?<=[^\W\d_][.,;:)])({mark})(?=\s|$)"),
        re.compile(rf"(?<=(?:19|20)\d\d\.)({mark})(?=\s|$)"),
        re.compile(rf"(?<=\b(?:19|20)\d\d)({mark})(?=[\s).,;:]|$)"),
        re.compile(rf"(?<=[^\W\d_]{{3}})({mark})(?=[\s).,;:]|$)"),
        re.compile(rf"(?<=\)) ({mark})(?= [a-z])"),
    ]


def _mark_line(lines: list[str], number: int) -> tuple[int, str] | None:
    """Where footnote ``number`` is referred to: (line index, the line with a superscript mark)."""
    mark = str(number)
    for pattern in _mark_patterns(mark):
        for index in range(len(lines) - 1, -1, -1):
            match = pattern.search(lines[index])
            if match:
                line = lines[index]
                return index, line[: match.start()] + mark.translate(SUPERSCRIPT) + line[
                    match.end() :
                ]
    return None


def _join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph, undoing line-end hyphenation."""
    text = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not text:
            text = line
        elif text.endswith("-") and _is_hyphenation(text, line):
            text = text[:-1] + line
        elif text.endswith("-") and len(text) > 1 and text[-2].isalnum():
            text = text + line  # a real hyphen: "NAVO-" + "verdragsgebied"
        else:
            text = text + " " + line
    return re.sub(r"[ \t]{2,}", " ", text)


VOWEL_CLASH = {"aa", "ae", "ai", "au", "ee", "ei", "eu", "ie", "ij", "oe", "oi", "oo", "ou", "ui", "uu"}


def _is_hyphenation(before: str, after: str) -> bool:
    """True when "aanwe-" + "zigheid" is one word split at the line end.

    Kept as a real hyphen: an upper-case or digit part before it ("NAVO-",
    "MQ-"), an upper-case continuation ("kandidaat-Bondgenoten"), and a vowel
    clash that Dutch spelling writes with a hyphen ("defensie-uitgaven").
    """
    if len(before) < 2 or not after:
        return False
    last, first = before[-2], after[0]
    if not (last.isalpha() and last.islower() and first.isalpha() and first.islower()):
        return False
    return (last + first) not in VOWEL_CLASH


def _paragraphs(lines: list[_Line]) -> list[Block]:
    widths = sorted(len(line.text) for line in lines if line.text.strip())
    full = widths[int(len(widths) * 0.9)] if widths else 80
    blocks: list[Block] = []
    current: list[_Line] = []

    def flush() -> None:
        if current:
            text = _join_lines([line.text for line in current])
            if text:
                first, last = current[0].page, current[-1].page
                blocks.append(
                    Block("paragraph", text, page=first, page_end=last if last != first else None)
                )
            current.clear()

    for line in lines:
        text = line.text.strip()
        if not text:
            flush()
            continue
        if line.page_start and _continues(blocks, current, text):
            if not current and blocks:
                # the paragraph was already closed by blank lines at the bottom of the page
                reopened = blocks.pop()
                current.append(_Line(reopened.text, reopened.page or line.page))
            current.append(line)
            continue
        if line.page_start or BULLET.match(text):
            flush()
        elif not current and blocks and _continues_after_blank(blocks[-1], text):
            reopened = blocks.pop()
            current.append(_Line(reopened.text, reopened.page or line.page))
        current.append(line)
        if text[-1] in TERMINAL and len(text) < 0.8 * full:
            flush()
    flush()
    return blocks


def _line_paragraphs(lines: list[_Line]) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    page = 1
    for i, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            continue
        if not current:
            page = line.page
        current.append(text)
        following = next((n.text.strip() for n in lines[i + 1 :] if n.text.strip()), "")
        if not (text.endswith("-") or following[:1].islower()):
            blocks.append(Block("paragraph", _join_lines(current), page=page))
            current = []
    if current:
        blocks.append(Block("paragraph", _join_lines(current), page=page))
    return blocks


def _continues(blocks: list[Block], current: list[_Line], text: str) -> bool:
    """A new page continues the paragraph that the previous page left unfinished."""
    previous = current[-1].text.strip() if current else (blocks[-1].text if blocks else "")
    if not previous:
        return False
    if previous[-1] in TERMINAL and not text[0].islower():
        return False
    return previous[-1] not in TERMINAL or text[0].islower()


def _continues_after_blank(previous: Block, text: str) -> bool:
    """PDF extraction sometimes puts a blank line inside a list item ("MQ-9" / "Reaper;")."""
    last = previous.text[-1]
    if last in TERMINAL or last == ",":
        return False
    multi_line = BULLET.match(previous.text) is not None or len(previous.text) > 80
    return multi_line and (text[0].islower() or text[0] == "(" or text.endswith(";"))


def _drop_letterhead(blocks: list[Block], furniture: list[str]) -> list[Block]:
    """A one-word capitalised line above the address ("DEFENSIE") is the letterhead."""
    if blocks and blocks[0].text.isupper() and len(blocks[0].text.split()) <= 3 and len(blocks) > 1:
        furniture.append(blocks[0].text)
        return blocks[1:]
    return blocks


def _classify(blocks: list[Block]) -> None:
    """Mark headings: a short line of its own, without closing punctuation, before text."""
    signature = False
    for i, block in enumerate(blocks):
        text = block.text
        if OFFICE_LINE.match(text) or text.startswith("Hoogachtend"):
            signature = True
        if signature or i + 1 >= len(blocks) or block.page_end:
            continue
        if (
            len(text) <= 90
            and text[-1] not in TERMINAL + ","
            and (text[0].isupper() or text[0].isdigit())
            and not BULLET.match(text)
            and not DATE_LINE.match(text)
            and not NAME_LINE.match(text)
            and not text.startswith("Aan de ")
            and (blocks[i + 1].text[:1].isupper() or blocks[i + 1].text[:1] in "•(")
        ):
            block.kind = "heading"
