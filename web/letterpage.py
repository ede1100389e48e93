"""From engine.letter() to the LetterPage a template prints: header, text with anchors, pages, footnotes, hits."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, url_for

from search.cite import dutch_date
from search.engine import Engine
from search.query import parse
from search.snippets import Matcher, find_spans, render
from search.translate import translate
from web.models import (
    Block,
    Footnote,
    HitNav,
    LetterPage,
    Link,
    PassageView,
    display_title,
    dutch_type,
    letter_copy_text,
    plural,
)
from web.params import absolute_url
from web.searchpage import passage_view

# Letter ids are "kst-28676-266", "kst-36410-VI-87" or a slug of a file name; nothing else is looked up.
LETTER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,120}")
REFERENCE = re.compile(r"(?P<dossier>[\dA-Z][\dA-Z -]*?),\s*nr\.\s*(?P<number>\d{1,6}[a-z]?)")
CHAMBERS = {"II": "Tweede Kamer", "I": "Eerste Kamer"}


def valid_letter_id(letter_id: str) -> bool:
    return LETTER_ID.fullmatch(letter_id) is not None


def letter_page(engine: Engine, letter: dict[str, Any], q: str, notices: list[str],
                back: str | None = None) -> LetterPage:
    """``back``: the result list the reader came from, when known; else one for ``q``."""
    letter_id = letter["id"]
    meta = letter.get("meta") or {}
    matcher = Matcher()
    if q:
        with engine.lock:  # the searcher serves one thread at a time (search/engine.py)
            searcher = engine.searcher()
            matcher = translate(parse(q), searcher.reader(), engine.acronyms(searcher)).matcher
    body = [p for p in letter["passages"] if p.get("kind") != "footnote"]
    notes = [p for p in letter["passages"] if p.get("kind") == "footnote"]
    marks = {str(p["mark"]) for p in notes if p.get("mark")}
    linked: set[str] = set()

    def note_href(mark: str) -> str | None:
        # only marks of footnotes this letter has, and each only once (its id is "ref-<mark>")
        if mark not in marks or mark in linked:
            return None
        linked.add(mark)
        return f"#noot-{mark}"

    views: list[tuple[dict[str, Any], PassageView, bool]] = []
    for i, passage in enumerate(body + notes):
        spans = find_spans(passage["text"], matcher)
        html = render(passage["text"], spans, note_href if i < len(body) else None)
        views.append((passage, passage_view(letter_id, passage, q, html), bool(spans)))
    hits = _hit_navigation([hit for _, _, hit in views])

    blocks: list[Block] = []
    heading: str | None = None
    page: int | None = None
    for i, (passage, view, _) in enumerate(views[: len(body)]):
        if passage.get("heading") and passage["heading"] != heading:
            title = passage["heading"]
            blocks.append(Block("heading", title, html=render(title, find_spans(title, matcher))))
        heading = passage.get("heading") or heading
        if passage.get("page") is not None and passage["page"] != page:
            blocks.append(Block("page", f"p. {passage['page']}"))
        if passage.get("page") is not None:
            page = passage.get("page_end") or passage["page"]
        blocks.append(Block("passage", passage=view, hit=hits[i]))
    footnotes = []
    for i, (passage, view, _) in enumerate(views[len(body):]):
        mark = str(passage.get("mark") or "")
        footnotes.append(Footnote(
            mark=mark, anchor=f"noot-{mark or passage['n']}",
            back=f"#ref-{mark}" if mark in linked else None, passage=view, hit=hits[len(body) + i],
        ))

    permalink = absolute_url("pages.letter", letter_id=letter_id)
    count = sum(1 for nav in hits if nav)
    return LetterPage(
        id=letter_id,
        title=_title(meta.get("title"), letter["citation"]),
        citation=letter["citation"],
        copy=letter_copy_text(letter["citation"], permalink),
        permalink=permalink,
        facts=_facts(meta),
        signatories=[f"{s['name']} ({s['office'][:1].lower() + s['office'][1:]})"
                     if s.get("office") else s["name"]
                     for s in meta.get("signatories") or [] if s.get("name")],
        references=_references(engine, meta.get("references") or []),
        source=letter.get("source"),
        blocks=blocks,
        footnotes=footnotes,
        similar=_similar(engine, letter_id),
        q=q,
        hits=count,
        hits_label=plural(count, "passage", "passages") + " met treffers",
        first_hit="#hit-1" if count else None,
        back_to_results=back or (url_for("pages.search", q=q) if q else None),
        api_url=url_for("api.letter", letter_id=letter_id),
        notices=notices + ([f"Geen treffers voor ‘{q}’ in dit document."] if q and not count else []),
    )


def _title(title: str | None, citation: str) -> str | None:
    """The title as printed, when it says more than the citation does."""
    title = " ".join((title or "").split())
    return title if title and title.lower() not in citation.lower() else None


def _hit_navigation(has_hit: list[bool]) -> list[HitNav | None]:
    """"Treffer 2 van 7" with links to the hits before and after, for the passages that match."""
    total = sum(has_hit)
    out: list[HitNav | None] = []
    number = 0
    for hit in has_hit:
        if not hit:
            out.append(None)
            continue
        number += 1
        out.append(HitNav(
            anchor=f"hit-{number}", label=f"Treffer {number} van {total}",
            previous=f"#hit-{number - 1}" if number > 1 else None,
            next=f"#hit-{number + 1}" if number < total else None,
        ))
    return out


def _facts(meta: dict[str, Any]) -> list[tuple[str, str]]:
    dossier = meta.get("dossier")
    rows = [
        ("Soort", dutch_type(meta.get("doctype"))),
        ("Datum", dutch_date(meta.get("date"))),
        ("Dossier", f"{dossier}, nr. {meta['number']}" if dossier and meta.get("number") else dossier),
        ("Vergaderjaar", (meta.get("vergaderjaar") or "").replace("-", "–") or None),
        ("Kamer", CHAMBERS.get(meta.get("chamber") or "")),
    ]
    return [(label, value) for label, value in rows if value]


def _references(engine: Engine, references: list[str]) -> list[Link]:
    """Each Kamerstuk the letter names: to the letter when it is indexed, else a search for it."""
    known = engine.letters(engine.searcher())
    out = []
    for reference in references:
        label = f"Kamerstuk {reference}"
        found = REFERENCE.fullmatch(reference.strip())
        letter_id = (f"kst-{found['dossier'].replace(' ', '')}-{found['number']}"
                     if found else None)
        if letter_id and letter_id in known:
            out.append(Link(label, url_for("pages.letter", letter_id=letter_id), note="in Kamerzoek"))
        else:
            out.append(Link(label, url_for("pages.search", q=reference),
                            note="niet in Kamerzoek"))
    return out


def _similar(engine: Engine, letter_id: str) -> list[Link]:
    limit = current_app.config["SIMILAR_LETTERS"]
    out = []
    for other in engine.similar(letter_id, limit=limit):
        note = " · ".join(x for x in (display_title(other.get("title")), dutch_date(other.get("date")))
                          if x and x not in other["citation"])
        out.append(Link(other["citation"], url_for("pages.letter", letter_id=other["id"]),
                        note=note or None))
    return out
