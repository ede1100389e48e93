"""The state of a search page as it lives in the GET URL: read leniently and bounded, and written back as links."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app, request, url_for
from werkzeug.datastructures import MultiDict

from search.results import SORTS, SearchRequest

# URL parameter -> (label on the page, SearchRequest field)
FILTERS = {
    "jaar": ("Jaar", "year"),
    "type": ("Soort", "doctype"),
    "dossier": ("Dossier", "dossier"),
    "ondertekenaar": ("Ondertekenaar", "signatory"),
}
SORT_LABELS = {"relevance": "Relevantie", "newest": "Nieuwste eerst", "oldest": "Oudste eerst"}
MAX_FILTER_LENGTH = 200
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    page: int = 1
    sort: str = "relevance"
    jaar: str = ""
    type: str = ""
    dossier: str = ""
    ondertekenaar: str = ""
    cut: int = 0  # when the query was cut: the length it was cut to

    @property
    def filters(self) -> list[tuple[str, str]]:
        """The active filters as (URL parameter, value), in a fixed order."""
        return [(name, getattr(self, name)) for name in FILTERS if getattr(self, name)]

    @property
    def is_start(self) -> bool:
        return not self.q and not self.filters

    def args(self, **changes: Any) -> dict[str, str]:
        """The URL parameters of this state with ``changes``; defaults are left out."""
        state = replace(self, **changes)
        out = {"q": state.q} if state.q else {}
        out.update({name: value for name, value in state.filters})
        if state.sort != "relevance":
            out["sort"] = state.sort
        if state.page > 1:
            out["page"] = str(state.page)
        return out

    def url(self, endpoint: str = "pages.search", external: bool = False, **changes: Any) -> str:
        """A link to this state with ``changes``; any change other than the page starts at page 1."""
        return self.url_with(changes, endpoint, external)

    def url_with(self, changes: dict[str, Any], endpoint: str = "pages.search",
                 external: bool = False) -> str:
        args: dict[str, Any] = self.args(**{"page": 1, **changes})
        return absolute_url(endpoint, **args) if external else url_for(endpoint, **args)

    def search_request(self, limit: int, passages: int, page: int | None = None,
                       sort: str | None = None) -> SearchRequest:
        return SearchRequest(
            q=self.q, page=page or self.page, limit=limit, sort=sort or self.sort,
            year=self.jaar or None, doctype=self.type or None, dossier=self.dossier or None,
            signatory=self.ondertekenaar or None, passages=passages,
        )


def absolute_url(endpoint: str, **values: Any) -> str:
    """A full URL, for permalinks, feeds and exports: on PUBLIC_URL when set, else on this request's host."""
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def read_params(args: MultiDict[str, str] | None = None) -> SearchParams:
    """The search state in the query string, made safe: never raises, whatever the input."""
    args = request.args if args is None else args
    limit = current_app.config["MAX_QUERY_LENGTH"]
    q, cut = cut_query(clean_text(args.get("q", "")), limit)
    sort = args.get("sort", "relevance")
    filters = {name: clean_text(args.get(name, ""))[:MAX_FILTER_LENGTH].strip() for name in FILTERS}
    return SearchParams(
        q=q, page=bounded_page(args.get("page"), current_app.config["MAX_PAGE"]),
        sort=sort if sort in SORTS else "relevance", cut=limit if cut else 0, **filters,
    )


def clean_text(text: str) -> str:
    """Control characters (which have no place in a query and break XML) become spaces."""
    return CONTROL.sub(" ", text).strip()


def cut_query(q: str, limit: int) -> tuple[str, bool]:
    """At most ``limit`` characters, without keeping half a word at the end."""
    if len(q) <= limit:
        return q, False
    cut = q[:limit]
    if not q[limit].isspace() and " " in cut.strip():
        cut = cut.rstrip().rsplit(" ", 1)[0]
    return cut.strip(), True


def bounded_page(value: str | None, highest: int) -> int:
    """A page number from the URL: anything that is not a number means page 1; capped at ``highest``."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):  # "²".isdigit() is true, int("²") is not
        return 1
    if len(text) > 9:
        return highest
    return max(1, min(int(text), highest))
