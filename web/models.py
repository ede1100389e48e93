"""What views hand to templates: small dataclasses with every label, link and piece of markup ready to print.

``html`` fields hold markup made by search.snippets.render (escaped text with
<mark> and footnote links); templates print them through the one macro in
_markup.html and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.cite import dutch_date, pages


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False
    count: int | None = None
    note: str | None = None  # a short remark after the link, or its accessible description

    @property
    def count_label(self) -> str:
        return "" if self.count is None else dutch_number(self.count)


@dataclass(frozen=True)
class PassageView:
    n: int  # ordinal in the letter
    anchor: str  # "p12": the element id in the letter page
    url: str  # the passage in its letter, with the query when there is one
    permalink: str  # absolute URL of the passage, without the query: what a citation links to
    where: str | None  # "p. 3", "p. 3-4"
    heading: str | None
    html: str  # render() output
    citation: str
    copy: str  # what "Citeer" copies: see copy_text
    kind: str = "paragraph"


@dataclass(frozen=True)
class Facet:
    name: str  # URL parameter
    label: str
    options: list[Link]
    more: list[Link] = field(default_factory=list)  # folded away under "Meer"
    unlisted: str | None = None  # "en 41.517 andere; verfijn …", when the facet has more values than listed


@dataclass(frozen=True)
class ResultView:
    rank: int
    url: str
    citation: str
    title: str | None
    facts: list[str]  # type, date, dossier and number, vergaderjaar
    signatories: str | None
    hits_label: str  # "3 passages met treffers"
    passages: list[PassageView]
    all_hits_url: str | None  # the letter opened at its first hit


@dataclass(frozen=True)
class Pagination:
    previous: Link | None = None
    next: Link | None = None
    pages: list[Link | None] = field(default_factory=list)  # None: a gap ("…")


@dataclass(frozen=True)
class Feeds:
    csv: str
    atom: str
    api: str


@dataclass(frozen=True)
class SearchPage:
    title: str
    q: str
    hidden: list[tuple[str, str]]  # filters and sort kept by the search form
    total: int
    total_label: str  # "12 documenten"
    page_label: str | None  # "pagina 2 van 5"
    results: list[ResultView]
    facets: list[Facet]
    chips: list[Link]  # active filters; each link removes its filter
    clear_filters: str | None
    sorts: list[Link]
    pagination: Pagination
    read_as: str | None  # shown when the query was read leniently or fell back to any word
    notes: list[str]
    suggestion: Link | None
    notices: list[str]  # things the site did to the request (a query cut to length)
    feeds: Feeds
    beyond_last: Link | None  # asked for a page after the last one: a link back


@dataclass(frozen=True)
class StartPage:
    title: str
    letters: str  # "100.000 documenten"
    passages: str  # "2.345.678 passages"
    first: str | None
    last: str | None
    types: list[Link]
    examples: list[Link]
    syntax: list[tuple[str, str]]  # (query, what it does)


@dataclass(frozen=True)
class Block:
    """One piece of a letter's body in reading order: a heading, a page marker or a passage."""

    kind: str  # "heading" | "page" | "passage"
    text: str = ""
    html: str = ""  # a heading with the query words marked, made by render()
    passage: PassageView | None = None
    hit: HitNav | None = None


@dataclass(frozen=True)
class HitNav:
    anchor: str  # "hit-3"
    label: str  # "Treffer 3 van 7"
    previous: str | None  # "#hit-2"
    next: str | None


@dataclass(frozen=True)
class Footnote:
    mark: str
    anchor: str  # "noot-1"
    back: str | None  # "#ref-1" when the mark was found in the text
    passage: PassageView
    hit: HitNav | None = None


@dataclass(frozen=True)
class LetterPage:
    id: str
    title: str | None  # as printed, shown above the citation
    citation: str
    copy: str  # what "Citeer" copies for the whole letter
    permalink: str
    facts: list[tuple[str, str]]  # (label, value) for the header
    signatories: list[str]  # "K.H. Ollongren (de minister van Defensie)"
    references: list[Link]
    source: str | None
    blocks: list[Block]
    footnotes: list[Footnote]
    similar: list[Link]
    q: str
    hits: int  # passages with a match of the query
    hits_label: str  # "3 passages met treffers"
    first_hit: str | None
    back_to_results: str | None
    api_url: str
    notices: list[str]


def copy_text(text: str, citation: str, url: str) -> str:
    """What "Citeer" copies: “the passage” (the citation) the permalink, on one line.

    Line breaks inside the passage (list items, a salutation) become spaces,
    so the quote can be pasted into running text.
    """
    quote = " ".join(text.split())
    return f"“{quote}” ({citation}) {url}"


def letter_copy_text(citation: str, url: str) -> str:
    """What "Citeer" copies for a whole letter: the citation and its permalink."""
    return f"{citation}. {url}"


def dutch_type(doctype: str | None) -> str | None:
    return doctype[:1].upper() + doctype[1:] if doctype else None


def facts(doctype: str | None, date: str | None, dossier: str | None, number: str | None,
          vergaderjaar: str | None) -> list[str]:
    """The short facts of a letter for a result list: "Brief", "29 maart 2017", "28 676, nr. 266"."""
    out = [x for x in (dutch_type(doctype), dutch_date(date)) if x]
    if dossier:
        out.append(f"Dossier {dossier}" + (f", nr. {number}" if number else ""))
    if vergaderjaar:
        out.append(f"Vergaderjaar {vergaderjaar.replace('-', '–')}")
    return out


def where(page: int | None, page_end: int | None) -> str | None:
    return pages(page, page_end)


def dutch_number(count: int) -> str:
    """A count as Dutch prints it, a dot between thousands: 41726 → "41.726"."""
    return f"{count:,}".replace(",", ".")


def plural(count: int, one: str, many: str) -> str:
    return f"{dutch_number(count)} {one if count == 1 else many}"


def display_title(title: str | None) -> str | None:
    """A title as printed, on one line (capitals stay: "Defensie" must not become "defensie")."""
    return " ".join(title.split()) or None if title else None
