"""Cut a letter's blocks into passages: the units that are searched, shown and cited.

A passage is a paragraph with its heading, page and ordinal. Fragments too
short to stand alone (an address line, a list item, a signature) are merged
with their neighbours under the same heading; very long paragraphs are cut at
sentence boundaries so that a hit points at the part of the text that matters.
"""

from __future__ import annotations

import hashlib
import re

from index.clean import BULLET
from index.records import Block, Meta, Passage
from index.sentences import sentence_spans

SHORT = 80  # characters: a paragraph shorter than this rarely answers a question on its own
LONG = 1500  # characters: longer paragraphs are cut into pieces of about TARGET
TARGET = 900


def letter_id(meta: Meta, name_hint: str) -> str:
    """`kst-DOSSIER-NR` when the document says which Kamerstuk it is, else from the file name.

    The official form drops a Rijkswet's "(R2188)": "36 455 (R2188)", nr. 11 is kst-36455-11.
    """
    if re.fullmatch(r"kst-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)+", name_hint):
        return name_hint  # the publication's own identifier (DC.identifier)
    if meta.dossier and meta.number:
        dossier = re.sub(r"\s*\(.*?\)", "", meta.dossier).replace(" ", "")
        return f"kst-{dossier}-{meta.number}"
    slug = re.sub(r"[^a-z0-9]+", "-", name_hint.lower()).strip("-")
    if not slug:
        slug = "doc-" + hashlib.sha1(name_hint.encode("utf-8")).hexdigest()[:12]
    return slug[:80]


def _size(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks)


def _pieces(text: str) -> list[str]:
    """A long paragraph cut at sentence boundaries into pieces of about TARGET characters."""
    if len(text) <= LONG:
        return [text]
    pieces: list[str] = []
    start = 0
    for _, end in sentence_spans(text):
        if end - start >= TARGET and len(text) - end >= SHORT * 3:
            pieces.append(text[start:end].strip())
            start = end
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


class _Builder:
    def __init__(self, letter: str) -> None:
        self.letter = letter
        self.passages: list[Passage] = []
        self.pending: list[Block] = []
        self.heading: str | None = None

    def add(self, kind: str, text: str, blocks: list[Block], mark: str | None = None) -> None:
        pages = [p for b in blocks for p in (b.page, b.page_end) if p is not None]
        notes = [n for b in blocks for n in b.notes]
        n = len(self.passages) + 1
        self.passages.append(
            Passage(
                id=f"{self.letter}-p{n}",
                n=n,
                kind="footnote" if kind == "footnote" else "paragraph",
                text=text,
                page=min(pages) if pages else None,
                page_end=max(pages) if pages and max(pages) != min(pages) else None,
                heading=None if kind == "footnote" else self.heading,
                mark=mark,
                notes=list(dict.fromkeys(notes)),
            )
        )

    def flush(self) -> None:
        if self.pending:
            self.add("paragraph", "\n".join(b.text for b in self.pending), self.pending)
            self.pending = []

    def paragraph(self, block: Block) -> None:
        in_list = bool(self.pending) and self.pending[0].text.rstrip().endswith(":")
        if in_list and BULLET.match(block.text) and _size(self.pending) + len(block.text) < LONG:
            self.pending.append(block)  # the items of a list stay with its lead-in
            return
        if len(block.text) < SHORT:
            self.pending.append(block)
            if _size(self.pending) >= SHORT * 3 and not self.pending[0].text.rstrip().endswith(":"):
                self.flush()
            return
        if self.pending and self.pending[-1].text.rstrip()[-1:] in ":," and _size(self.pending) < LONG:
            # a lead-in ("Geachte voorzitter,", "De rapportage bestaat uit:") joins its paragraph
            lead, self.pending = self.pending, []
            block = Block("paragraph", "\n".join([b.text for b in lead] + [block.text]),
                          page=lead[0].page, page_end=block.page_end or block.page,
                          notes=[n for b in lead for n in b.notes] + block.notes)
        self.flush()
        pieces = _pieces(block.text)
        for piece in pieces:
            self.add("paragraph", piece, [block] if len(pieces) == 1 else [_piece_block(block, piece)])


def _piece_block(block: Block, piece: str) -> Block:
    # Pieces of one paragraph keep its page; a piece cannot know which side of a page break it is on.
    notes = [n for n in block.notes if n.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) in piece]
    return Block("paragraph", piece, page=block.page, page_end=None, notes=notes)


def make_passages(letter: str, blocks: list[Block]) -> list[Passage]:
    builder = _Builder(letter)
    footnotes: list[Block] = []
    for block in blocks:
        if block.kind == "footnote":
            footnotes.append(block)
        elif block.kind == "heading":
            builder.flush()
            builder.heading = block.text
        elif block.text.strip():
            builder.paragraph(block)
    builder.flush()
    for note in footnotes:
        builder.add("footnote", note.text, [note], mark=note.mark)
    return builder.passages
