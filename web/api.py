"""The JSON API: /api/search gives the document of `kamerzoek search --json`; /api/brief/<id> one letter."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

from search.results import SORTS, SearchRequest
from web.engine import get_engine
from web.letterpage import valid_letter_id
from web.params import absolute_url

bp = Blueprint("api", __name__, url_prefix="/api")

# (parameter, SearchRequest field): English names as in the CLI, Dutch ones as on the site
TEXT_PARAMETERS = (("year", "year"), ("jaar", "year"), ("type", "doctype"), ("doctype", "doctype"),
                   ("dossier", "dossier"), ("signatory", "signatory"),
                   ("ondertekenaar", "signatory"))


def as_json(data: Any, status: int = 200) -> Response:
    # key order as in SearchResult.to_json(), and Dutch text readable as it is
    return Response(json.dumps(data, ensure_ascii=False), status=status,
                    mimetype="application/json")


@bp.get("/search")
def search() -> Response:
    """Parameters as `kamerzoek search`: q, page, limit, sort, year (or jaar), type, dossier,
    signatory (or ondertekenaar), explain."""
    config = current_app.config
    fields: dict[str, Any] = {"q": request.args.get("q", "")}
    for name, field in TEXT_PARAMETERS:
        value = request.args.get(name, "").strip()
        if value and field not in fields:
            fields[field] = value[:200]
    fields["page"] = _number("page", 1, config["MAX_PAGE"])
    fields["limit"] = _number("limit", 10, config["MAX_LIMIT"])
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        abort(400, f"sort moet een van {', '.join(SORTS)} zijn, niet ‘{sort[:40]}’.")
    explain = request.args.get("explain", "").lower() in ("1", "true", "yes", "ja")
    result = get_engine().search(SearchRequest(sort=sort, explain=explain, **fields))
    return as_json(result.to_json())


@bp.get("/brief/<letter_id>")
def letter(letter_id: str) -> Response:
    found = get_engine().letter(letter_id) if valid_letter_id(letter_id) else None
    if found is None:
        abort(404, "Er is geen document met dit kenmerk in Kamerzoek.")
    found["url"] = absolute_url("pages.letter", letter_id=letter_id)
    return as_json(found)


def _number(name: str, default: int, highest: int) -> int:
    """A whole number from the query string, capped at ``highest``; anything else is a 400."""
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value[:12]) < 1:
        abort(400, f"{name} moet een geheel getal van 1 of meer zijn, niet ‘{value[:40]}’.")
    return min(int(value[:12]), highest)
