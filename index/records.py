"""The records that flow through indexing: raw documents, cleaned blocks, letters and passages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "footnote"]


@dataclass
class Block:
    """One unit of cleaned text, in reading order.

    ``page`` is 1-based where the source has pages, else None. A footnote block
    carries its mark in ``mark`` ("1"); a body block lists the footnote marks it
    contains in ``notes`` so that the mark in the text can link to the note.
    """

    kind: BlockKind
    text: str
    page: int | None = None
    mark: str | None = None
    notes: list[str] = field(default_factory=list)
    page_end: int | None = None  # last page, when the block runs across a page break


@dataclass
class RawDocument:
    """What a reader makes of one document in a file, before cleaning.

    Text formats (PDF-extracted text, Markdown, text taken from a PDF, OCR'd
    JSON lines) fill ``text`` and leave ``blocks`` empty; structured formats
    (officielebekendmakingen XML and HTML) fill ``blocks`` directly. ``meta``
    holds facts the format states explicitly, under the keys of ``Meta``.
    """

    source: str
    format: Literal["pdftext", "markdown", "pdf", "ocr", "ob-xml", "ob-html"]
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    name_hint: str = ""  # used for the letter id when no dossier/number is known


@dataclass
class Signatory:
    name: str
    office: str | None = None  # "De Minister van Defensie"


@dataclass
class Meta:
    """Facts about a letter; None where the document does not state them."""

    title: str | None = None
    dossier_title: str | None = None  # "NAVO" for 28 676: the dossier's name, printed above the title
    doctype: str | None = None  # brief, motie, amendement, ...
    date: str | None = None  # ISO 8601 "2017-03-29"
    dossier: str | None = None  # "28 676" (digits grouped as printed on Kamerstukken)
    number: str | None = None  # "266"
    vergaderjaar: str | None = None  # "2016-2017"
    signatories: list[Signatory] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # ["29 521, nr. 335"]
    chamber: str | None = None  # "II" (Tweede Kamer) or "I" (Eerste Kamer)


@dataclass
class Passage:
    id: str  # "kst-28676-266-p12"
    n: int  # ordinal within the letter, from 1
    kind: BlockKind
    text: str
    page: int | None = None
    heading: str | None = None
    mark: str | None = None  # footnote mark, for kind == "footnote"
    notes: list[str] = field(default_factory=list)  # footnote marks cited in this passage
    page_end: int | None = None  # last page, when the passage runs across a page break


@dataclass
class Letter:
    id: str  # "kst-28676-266", else derived from the file name
    source: str  # path as given to `kamerzoek index` (JSON lines: "file#line")
    meta: Meta
    passages: list[Passage]
    content_hash: str = ""  # hash of the source file's bytes, for incremental runs
    acronyms: list[tuple[str, str]] = field(default_factory=list)  # [("BIV", "Budget Internationale Veiligheid")]

    @property
    def passage_count(self) -> int:
        return len(self.passages)

    def rename(self, new_id: str) -> None:
        """Give the letter (and its passages) another id: a second file claiming the same Kamerstuk."""
        for passage in self.passages:
            passage.id = f"{new_id}-p{passage.n}"
        self.id = new_id


@dataclass(frozen=True)
class LetterName:
    """What the main process needs to know of a letter a worker process holds."""

    id: str
    source: str
    passage_count: int
