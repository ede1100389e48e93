"""Read officielebekendmakingen HTML pages into blocks and facts; page text is untrusted input."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import CData, NavigableString, Tag

from index.errors import UnreadableFile
from index.read_xml import SUPERSCRIPT, clean, ob_meta
from index.records import Block, BlockKind, RawDocument

# Never text: code, styling, forms and page chrome around the document.
_DROP = (
    "script style noscript template iframe object embed form nav header footer button input "
    "select textarea svg math canvas head".split()
)
_CHROME = re.compile(
    r"\b(?:inhoudsopgave|kopregel|voetregel|toc|breadcrumbs?|skiplinks?|menu)\b", re.I
)
_MAIN_IDS = ("broodtekst", "content", "main-content", "inhoud")
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_LEAVES = frozenset("p li dt dd pre caption figcaption address".split())
_BLOCKS = frozenset(
    "p li dt dd pre caption figcaption address div section article main aside ul ol dl "
    "blockquote figure table center body h1 h2 h3 h4 h5 h6".split()
)
_NOTES_AREA = re.compile(r"\b(?:voetnoten|noten|footnotes?)\b", re.I)
_NOTE_REF = re.compile(r"\b(?:noot|nootnum|footnote-ref|noteref)\b", re.I)
_MARK = re.compile(r"^\s*(\d{1,3}|[*†‡])\s*")


def read_html(text: str, source: str, stem: str) -> tuple[RawDocument, list[str]]:
    """One document from decoded HTML text, and notes on what was recovered."""
    notes: list[str] = []
    with warnings.catch_warnings():
        # bs4 warns about XHTML that looks like XML, or text that looks like a URL
        warnings.simplefilter("ignore")
        try:
            meta, blocks = _read_soup(BeautifulSoup(text, "lxml"))
        except RecursionError:
            meta, blocks = {}, [Block("paragraph", t) for t in _flat_text(text)]
            notes.append("recovered: nesting too deep, text read without structure")
    if not blocks:
        raise UnreadableFile("no text: the HTML page holds no readable text")
    name_hint = meta.get("identifier") or stem
    return RawDocument(source, "ob-html", blocks=blocks, meta=meta, name_hint=name_hint), notes


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, str):
        return value
    return " ".join(value) if value else ""


def _read_soup(soup: BeautifulSoup) -> tuple[dict[str, Any], list[Block]]:
    tags = [
        (_attr(m, "name"), _attr(m, "scheme"), _attr(m, "content")) for m in soup.find_all("meta")
    ]
    meta = ob_meta([t for t in tags if t[0]])
    if "title" not in meta and soup.title and clean(soup.title.get_text()):
        meta["title"] = clean(soup.title.get_text())
    for tag in soup.find_all(_DROP):
        if not tag.decomposed:  # inside one dropped already
            tag.decompose()
    main = next((m for i in _MAIN_IDS if isinstance(m := soup.find(id=i), Tag)), None)
    main = main or soup.find("main") or soup.find("article") or soup.body or soup
    if not isinstance(main, Tag):
        return meta, []
    for tag in main.find_all(_is_chrome):
        if not tag.decomposed:
            tag.decompose()
    walker = _Walker()
    walker.walk(main)
    signatories = _signatories(main)
    if signatories and "signatories" not in meta:
        meta["signatories"] = signatories
    blocks = walker.blocks
    if "title" in meta:  # the title is the document's name, not a passage of it
        blocks = [b for b in blocks if not (b.kind == "heading" and b.text == meta["title"])]
    return meta, blocks + walker.footnotes


def _is_chrome(tag: Tag) -> bool:
    return bool(_CHROME.search(_attr(tag, "id") + " " + _attr(tag, "class")))


class _Walker:
    """Walks the page without recursion (10,000 nested <div>s are fine) and emits blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.footnotes: list[Block] = []
        self.loose: list[str] = []  # text directly inside a container, between blocks
        self.loose_notes: list[str] = []

    def walk(self, main: Tag) -> None:
        stack: list[Iterator[Any]] = [iter(main.children)]
        in_notes: list[bool] = [False]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                in_notes.pop()
                self.flush()
                continue
            if isinstance(node, NavigableString):
                if type(node) in (NavigableString, CData):  # not comments or doctypes
                    self.loose.append(str(node))
                continue
            if not isinstance(node, Tag):
                continue
            notes_area = in_notes[-1] or bool(
                _NOTES_AREA.search(_attr(node, "id") + " " + _attr(node, "class"))
            )
            if node.name not in _BLOCKS:
                self.loose.append(self.text(node, self.loose_notes))
            elif notes_area and node.name in ("li", "p") and not _has_block(node):
                self.flush()
                self.footnote(node)
            elif node.name in _HEADINGS:
                self.flush()
                self.emit("heading", node)
            elif node.name == "table":
                self.flush()
                self.table(node)
            elif node.name in _LEAVES and not _has_block(node):
                self.flush()
                self.emit("paragraph", node)
            else:
                self.flush()
                stack.append(iter(node.children))
                in_notes.append(notes_area)

    def flush(self) -> None:
        text = clean("".join(self.loose))
        if text:
            self.blocks.append(Block("paragraph", text, notes=self.loose_notes))
        self.loose, self.loose_notes = [], []

    def emit(self, kind: BlockKind, tag: Tag) -> None:
        notes: list[str] = []
        text = clean(self.text(tag, notes))
        if text:
            self.blocks.append(Block(kind, text, notes=notes))

    def text(self, tag: Tag, notes: list[str]) -> str:
        """Plain text of an element; footnote references become superscript marks."""
        parts: list[str] = []
        skip_until: Any = None  # the last string inside a footnote reference
        for node in tag.descendants:
            if skip_until is not None:
                if node is skip_until:
                    skip_until = None
                continue
            if isinstance(node, Tag):
                if node.name == "br":
                    parts.append(" ")
                elif _is_note_ref(node):
                    mark = clean(node.get_text())
                    notes.append(mark)
                    parts.append(mark.translate(SUPERSCRIPT))
                    strings = list(node.descendants)
                    skip_until = strings[-1] if strings else None
            elif type(node) in (NavigableString, CData):
                parts.append(str(node))
        return "".join(parts)

    def footnote(self, tag: Tag) -> None:
        text = clean(self.text(tag, []))
        match = _MARK.match(text.translate(_UNSUPERSCRIPT))
        if match:
            mark, text = match.group(1), text[match.end() :]
        else:
            mark = str(len(self.footnotes) + 1)
        if text:
            self.footnotes.append(Block("footnote", text, mark=mark))

    def table(self, table: Tag) -> None:
        for row in table.find_all("tr"):
            notes: list[str] = []
            cells = [
                clean(self.text(c, notes)) for c in row.find_all(["td", "th"], recursive=False)
            ]
            text = " | ".join(cells)
            if text.replace("|", "").strip():
                self.blocks.append(Block("paragraph", text, notes=notes))


_UNSUPERSCRIPT = {ord(v): k for k, v in zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹", strict=True)}


def _is_note_ref(tag: Tag) -> bool:
    if tag.name not in ("a", "sup"):
        return False
    short = len(tag.get_text().strip()) <= 3 and bool(tag.get_text().strip())
    marked = bool(_NOTE_REF.search(_attr(tag, "class")))
    linked = tag.name == "sup" and tag.find("a", href=re.compile("^#")) is not None
    return short and (marked or linked)


def _has_block(tag: Tag) -> bool:
    return tag.find(_BLOCKS) is not None


def _signatories(main: Tag) -> list[dict[str, str | None]]:
    """Names and offices from <p class="ondertekening"> with <span class="functie|naam">."""
    found: list[dict[str, str | None]] = []
    for signature in main.find_all(class_="ondertekening"):
        office = signature.find(class_="functie")
        name = signature.find(class_="naam")
        if name is None:
            continue
        entry = {
            "name": clean(name.get_text(" ")),
            "office": clean(office.get_text(" ")).rstrip(",").strip() or None if office else None,
        }
        if entry["name"] and entry not in found:
            found.append(entry)
    return found


class _FlatText(HTMLParser):
    """Event-based text extraction for pages too deeply nested for a tree."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "noscript", "template", "textarea", "select", "svg", "head"):
            self.skipping += 1
        elif tag in _BLOCKS or tag == "br":
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template", "textarea", "select", "svg", "head"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def flush(self) -> None:
        text = clean("".join(self.parts))
        self.parts = []
        if text:
            self.paragraphs.append(text)


def _flat_text(text: str) -> list[str]:
    parser = _FlatText()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.paragraphs
