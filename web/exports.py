"""A result list as CSV, a query as an Atom feed (newest first), and the OpenSearch description."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app

from search.snippets import render
from web.engine import get_engine
from web.params import absolute_url, read_params

bp = Blueprint("exports", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
CSV_COLUMNS = ("id", "citation", "title", "type", "date", "dossier", "number", "signatories",
               "hits", "url")
# Characters XML 1.0 does not allow, even escaped; documents extracted from PDFs can hold them.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@bp.get("/export.csv", endpoint="csv")
def csv_export() -> Response:
    """Every letter of a result list, up to EXPORT_LIMIT, in the order of the page."""
    params = read_params()
    bound = current_app.config["EXPORT_LIMIT"]
    # one search for the whole list (ten pages of a hundred ran the search ten times)
    rows = get_engine().search(params.search_request(bound, 0, page=1), max_limit=bound).results
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the Dutch text as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hit in rows[:bound]:
        url = absolute_url("pages.letter", letter_id=hit.id)
        writer.writerow([safe_cell(v) for v in (
            hit.id, hit.citation, hit.title or "", hit.type or "", hit.date or "",
            hit.dossier or "", hit.number or "", "; ".join(hit.signatories), hit.hits, url,
        )])
    name = re.sub(r"[^a-z0-9]+", "-", params.q.lower()).strip("-")[:40] or "resultaten"
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="kamerzoek-{name}.csv"',
    })


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula: = + - @ (and tab, CR) at the start get a '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/feed.atom")
def atom() -> Response:
    """The newest letters for a query, to follow a topic in a feed reader."""
    params = read_params()
    engine = get_engine()
    result = engine.search(params.search_request(current_app.config["FEED_ENTRIES"], 2, page=1,
                                                 sort="newest"))
    feed = ET.Element("feed", {"xmlns": ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "nl")
    self_url = params.url("exports.atom", external=True)
    what = params.q or " · ".join(f"{name}: {value}" for name, value in params.filters) or "alles"
    _text(feed, "title", f"Kamerzoek: {what}")
    _text(feed, "subtitle", "De nieuwste Kamerstukken bij deze zoekvraag")
    _text(feed, "id", self_url)
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, params.url(external=True), "alternate", "text/html")
    dates = [hit.date for hit in result.results if hit.date]
    updated = _timestamp(max(dates)) if dates else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _text(feed, "updated", updated)
    author = ET.SubElement(feed, "author")
    _text(author, "name", "Kamerzoek")
    _text(feed, "generator", "Kamerzoek")
    for hit in result.results:
        entry = ET.SubElement(feed, "entry")
        url = absolute_url("pages.letter", letter_id=hit.id)
        _text(entry, "title", hit.citation + (f" – {hit.title}" if hit.title else ""))
        _text(entry, "id", url)
        _link(entry, url, "alternate", "text/html")
        _text(entry, "updated", _timestamp(hit.date) if hit.date else updated)
        for name in hit.signatories:
            _text(ET.SubElement(entry, "author"), "name", name)
        # the best passages, highlighted by search.snippets.render; ElementTree escapes them as text
        summary = "".join(f"<p>{p.highlight}</p><p><small>{render(p.citation)}</small></p>"
                          for p in hit.passages)
        if summary:
            _text(entry, "summary", summary).set("type", "html")
    body = ET.tostring(feed, encoding="unicode")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    mimetype="application/atom+xml")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser add Kamerzoek as a search engine."""
    root = ET.Element("OpenSearchDescription", {"xmlns": OPENSEARCH})
    _text(root, "ShortName", "Kamerzoek")
    _text(root, "Description", "Zoeken in Kamerbrieven en andere Kamerstukken")
    _text(root, "InputEncoding", "UTF-8")
    _text(root, "Language", "nl-nl")
    image = _text(root, "Image", absolute_url("static", filename="favicon.svg"))
    image.attrib.update({"type": "image/svg+xml", "width": "64", "height": "64"})
    templates = (("text/html", absolute_url("pages.search")),
                 ("application/atom+xml", absolute_url("exports.atom")))
    for kind, base in templates:
        ET.SubElement(root, "Url",
                      {"type": kind, "method": "get", "template": base + "?q={searchTerms}"})
    ET.SubElement(root, "Url", {
        "type": "application/opensearchdescription+xml", "rel": "self",
        "template": absolute_url("exports.opensearch")})
    body = ET.tostring(root, encoding="unicode")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    mimetype="application/opensearchdescription+xml")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = NOT_XML.sub("", text)
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, "link", {"href": href, "rel": rel, "type": kind})


def _timestamp(iso_date: str) -> str:
    return f"{iso_date}T00:00:00Z"
