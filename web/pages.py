"""The site's pages: search (and the start page when there is nothing to search), and a letter."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from web.engine import get_engine
from web.letterpage import letter_page, valid_letter_id
from web.params import clean_text, cut_query, read_params
from web.searchpage import search_page, start_page

bp = Blueprint("pages", __name__)

NOT_A_LETTER = ("Er is geen document met dit kenmerk in Kamerzoek. Misschien is de link verouderd; "
                "zoek het stuk op met de zoekbalk hierboven.")


@bp.get("/")
def search() -> str:
    params = read_params()
    engine = get_engine()
    if params.is_start:
        return render_template("start.html", page=start_page(engine.stats()), q="",
                               cut=params.cut)
    config = current_app.config
    result = engine.search(params.search_request(config["PER_PAGE"], config["PASSAGES_PER_RESULT"]))
    return render_template("search.html", page=search_page(params, result), q=params.q)


@bp.get("/brief/<letter_id>")
def letter(letter_id: str) -> str:
    if not valid_letter_id(letter_id):
        abort(404, NOT_A_LETTER)
    engine = get_engine()
    found = engine.letter(letter_id)  # an index lookup, never a file path
    if found is None:
        abort(404, NOT_A_LETTER)
    limit = current_app.config["MAX_QUERY_LENGTH"]
    q, cut = cut_query(clean_text(request.args.get("q", "")), limit)
    notices = [f"Uw zoekvraag was langer dan {limit} tekens; alleen het begin is gebruikt."] if cut else []
    page = letter_page(engine, found, q, notices, back=_came_from_results())
    return render_template("letter.html", page=page, q=q)


def _came_from_results() -> str | None:
    """The result list (with its filters, sort and page) that linked here, if it was ours."""
    referrer = urlsplit(request.referrer or "")
    if (referrer.netloc == request.host and referrer.path == url_for("pages.search")
            and referrer.query and len(referrer.query) < 2000):
        return f"{referrer.path}?{referrer.query}"
    return None


@bp.get("/favicon.ico")
def favicon() -> Response:
    return redirect(url_for("static", filename="favicon.svg"), code=301)
