"""Typed search results, and their JSON form (the document `kamerzoek search --json` and /api/search return)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SORTS = ("relevance", "newest", "oldest")


@dataclass
class SearchRequest:
    q: str = ""
    page: int = 1
    limit: int = 10
    sort: str = "relevance"
    year: str | None = None  # "2017" or "2016..2018"
    doctype: str | None = None
    dossier: str | None = None
    signatory: str | None = None
    passages: int = 3  # best passages shown per letter
    explain: bool = False  # add which variants of the query words matched


@dataclass
class PassageHit:
    id: str
    n: int
    page: int | None
    heading: str | None
    text: str
    highlight: str  # HTML: escaped text with <mark> around matches
    citation: str
    score: float
    page_end: int | None = None
    kind: str = "paragraph"
    mark: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "n": self.n, "page": self.page, "heading": self.heading,
            "text": self.text, "highlight": self.highlight, "citation": self.citation,
            "score": round(self.score, 3),
        }


@dataclass
class LetterHit:
    id: str
    source: str
    title: str | None
    type: str | None
    date: str | None
    dossier: str | None
    number: str | None
    vergaderjaar: str | None
    signatories: list[str]
    citation: str
    score: float
    hits: int  # matching passages in this letter
    passages: list[PassageHit] = field(default_factory=list)
    matched: dict[str, list[str]] | None = None  # query word -> forms that matched

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "source": self.source, "title": self.title, "type": self.type,
            "date": self.date, "dossier": self.dossier, "number": self.number,
            "vergaderjaar": self.vergaderjaar, "signatories": self.signatories,
            "citation": self.citation, "score": round(self.score, 3), "hits": self.hits,
            "passages": [p.to_json() for p in self.passages],
        }
        if self.matched is not None:
            data["matched"] = self.matched
        return data


@dataclass
class SearchResult:
    query: str
    read_as: str
    total: int
    page: int
    pages: int
    suggestion: str | None
    facets: dict[str, dict[str, int]]  # the most counted values of each (grouping.FACET_VALUES)
    results: list[LetterHit]
    notes: list[str] = field(default_factory=list)  # how the query was read leniently, in Dutch
    any_word: bool = False  # no letter had all words; ranked any-word matching was used
    sort: str = "relevance"
    limit: int = 10
    facet_sizes: dict[str, int] = field(default_factory=dict)  # how many values each facet has in all

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query, "read_as": self.read_as, "total": self.total,
            "page": self.page, "pages": self.pages, "suggestion": self.suggestion,
            "facets": self.facets, "facet_sizes": self.facet_sizes,
            "results": [r.to_json() for r in self.results],
        }
