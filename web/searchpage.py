"""From a SearchResult (search.engine) to the SearchPage a template prints, and the start page."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from search.cite import dutch_date
from search.query import parse
from search.results import LetterHit, PassageHit, SearchResult
from web.models import (
    Facet,
    Feeds,
    Link,
    Pagination,
    PassageView,
    ResultView,
    SearchPage,
    StartPage,
    copy_text,
    display_title,
    dutch_number,
    dutch_type,
    facts,
    plural,
    where,
)
from web.params import FILTERS, SORT_LABELS, SearchParams, absolute_url

FACETS = (("year", "jaar"), ("type", "type"), ("dossier", "dossier"), ("signatory", "ondertekenaar"))
FACET_SHOWN = 8  # values per facet before "Meer"
EXAMPLES = (
    ('"twee procent van het BBP"', "een zinsdeel, precies zo"),
    ("Oekraine", "accenten doen er niet toe: vindt ook Oekraïne"),
    ("afschrik*", "woorden die zo beginnen: afschrikking, afschrikken"),
    ("NAVO NIET oostflank", "brieven over de NAVO waarin ‘oostflank’ niet voorkomt"),
    ("28 676, nr. 418", "een Kamerstuk en de brieven die ernaar verwijzen"),
    ("ondertekenaar:Ollongren", "alleen wat Ollongren ondertekende"),
    ("jaar:2017 NAVO", "NAVO in stukken uit 2017"),
)
SYNTAX = (
    ("oostflank inzet", "alle woorden moeten voorkomen (vervoegingen tellen mee)"),
    ('"Raad van Europa"', "een zinsdeel tussen aanhalingstekens"),
    ("Litouwen OF Roemenië", "een van beide woorden (ook: OR)"),
    ("NAVO NIET Rusland", "brieven zonder dit woord (ook: NOT of -Rusland)"),
    ("afschrik*", "een woordbegin: alle woorden die zo beginnen"),
    ("(Litouwen OF Roemenië) eFP", "haakjes groeperen"),
    ("jaar:2017 · jaar:2016..2018", "een jaar of een reeks jaren"),
    ("type:brief · dossier:28676", "soort stuk of dossiernummer"),
    ("ondertekenaar:Ollongren", "wie het stuk ondertekende"),
    ("28 676, nr. 418", "een Kamerstuk: dat stuk eerst, dan de stukken die ernaar verwijzen"),
)


def search_page(params: SearchParams, result: SearchResult) -> SearchPage:
    per_page = current_app.config["PER_PAGE"]
    results = [_result(params, hit, rank)
               for rank, hit in enumerate(result.results, start=(result.page - 1) * per_page + 1)]
    parsed = parse(result.query)
    # say how the query was read when it was read leniently, fell back to any word, or named a Kamerstuk
    lenient = bool(result.notes or result.any_word or parsed.reference)
    notices = []
    if params.cut:
        notices.append(f"Uw zoekvraag was langer dan {params.cut} tekens; alleen het begin is gebruikt.")
    beyond = None
    if result.total and not result.results:
        beyond = Link(f"naar pagina {result.pages}", params.url(page=result.pages))
    return SearchPage(
        title=(f"{params.q} – " if params.q else "") + "Kamerzoek",
        q=params.q,
        hidden=[*params.filters, *([("sort", params.sort)] if params.sort != "relevance" else [])],
        total=result.total,
        total_label=plural(result.total, "document", "documenten"),
        page_label=f"pagina {result.page} van {result.pages}" if result.pages > 1 else None,
        results=results,
        facets=_facets(params, result.facets, result.facet_sizes),
        chips=[Link(f"{FILTERS[name][0]}: {_value_label(name, value)}", params.url_with({name: ""}),
                    note=f"Filter {FILTERS[name][0].lower()} {value} weghalen")
               for name, value in params.filters],
        clear_filters=params.url_with(dict.fromkeys(FILTERS, "")) if params.filters else None,
        sorts=[Link(label, params.url(sort=key), current=key == result.sort)
               for key, label in SORT_LABELS.items()],
        pagination=_pagination(params, result.page, result.pages),
        read_as=(parsed.read_as() or None) if lenient else None,
        notes=result.notes if lenient else [],
        suggestion=Link(result.suggestion, params.url(q=result.suggestion))
        if result.suggestion else None,
        notices=notices,
        feeds=Feeds(csv=params.url("exports.csv"), atom=params.url("exports.atom"),
                    api=params.url("api.search")),
        beyond_last=beyond,
    )


def _result(params: SearchParams, hit: LetterHit, rank: int) -> ResultView:
    letter_url = url_for("pages.letter", letter_id=hit.id, **_query(params.q))
    return ResultView(
        rank=rank,
        url=letter_url,
        citation=hit.citation,
        title=display_title(hit.title),
        facts=facts(hit.type, hit.date, hit.dossier, hit.number, hit.vergaderjaar),
        signatories=", ".join(hit.signatories) or None,
        hits_label=plural(hit.hits, "passage", "passages") + " met treffers" if hit.hits else "",
        passages=[passage_view(hit.id, p, params.q, p.highlight) for p in hit.passages],
        all_hits_url=f"{letter_url}#hit-1" if params.q and hit.hits else None,
    )


def passage_view(letter_id: str, passage: PassageHit | dict[str, Any], q: str,
                 html: str) -> PassageView:
    """A passage of a letter, from a search hit or from engine.letter()'s passage dicts."""
    fields: dict[str, Any] = passage if isinstance(passage, dict) else vars(passage)
    anchor = f"p{fields['n']}"
    permalink = absolute_url("pages.letter", letter_id=letter_id) + "#" + anchor
    return PassageView(
        n=fields["n"],
        anchor=anchor,
        url=url_for("pages.letter", letter_id=letter_id, **_query(q)) + "#" + anchor,
        permalink=permalink,
        where=where(fields.get("page"), fields.get("page_end")),
        heading=fields.get("heading"),
        html=html,
        citation=fields["citation"],
        copy=copy_text(fields["text"], fields["citation"], permalink),
        kind=fields.get("kind") or "paragraph",
    )


def _query(q: str) -> dict[str, Any]:
    return {"q": q} if q else {}


def _facets(params: SearchParams, facets: dict[str, dict[str, int]], sizes: dict[str, int]) -> list[Facet]:
    out = []
    for key, name in FACETS:
        values = facets.get(key) or {}
        rest = sizes.get(key, 0) - len(values)
        active = getattr(params, name)
        options = [
            Link(_value_label(name, value), params.url_with({name: "" if value == active else value}),
                 current=value == active, count=count)
            for value, count in values.items()
        ]
        if options:
            unlisted = f"en {dutch_number(rest)} andere; verfijn de zoekvraag om ze te zien" if rest > 0 else None
            out.append(Facet(name, FILTERS[name][0], options[:FACET_SHOWN], options[FACET_SHOWN:], unlisted))
    return out


def _value_label(name: str, value: str) -> str:
    return (dutch_type(value) or value) if name == "type" else value


def _pagination(params: SearchParams, page: int, pages: int) -> Pagination:
    if pages <= 1:
        return Pagination()
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[Link | None] = []
    for number in shown:
        if links and links[-1] is not None and number - int(links[-1].label) > 1:
            links.append(None)
        links.append(Link(str(number), params.url(page=number), current=number == page))
    return Pagination(
        previous=Link("Vorige", params.url(page=page - 1)) if page > 1 else None,
        next=Link("Volgende", params.url(page=page + 1)) if page < pages else None,
        pages=links,
    )


def start_page(stats: dict[str, Any]) -> StartPage:
    return StartPage(
        title="Kamerzoek – zoeken in Kamerbrieven en Kamerstukken",
        letters=plural(stats.get("letters", 0), "document", "documenten"),
        passages=plural(stats.get("passages", 0), "passage", "passages"),
        first=dutch_date(stats.get("first")),
        last=dutch_date(stats.get("last")),
        types=[Link(dutch_type(kind) or kind, url_for("pages.search", type=kind), count=count)
               for kind, count in (stats.get("types") or {}).items() if kind != "onbekend"],
        examples=[Link(q, url_for("pages.search", q=q), note=what) for q, what in EXAMPLES],
        syntax=list(SYNTAX),
    )
