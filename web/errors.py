"""Every error as a friendly Dutch page on the site and as JSON with a message under /api/; never a traceback."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from index.errors import KamerzoekError, NoIndex

TITLES = {
    400: "Ongeldig verzoek",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    413: "Verzoek te groot",
    500: "Er ging iets mis",
    503: "Zoeken is nu niet mogelijk",
}
MESSAGES = {
    400: "De server begreep dit verzoek niet.",
    404: "Deze pagina bestaat niet. Misschien is de link verouderd of verkeerd overgenomen.",
    405: "Deze pagina kan alleen worden opgevraagd, niet verstuurd.",
    413: "Dit verzoek is groter dan de server aanneemt. Kamerzoek neemt geen bestanden aan.",
    500: "Er ging aan onze kant iets mis. Probeer het later opnieuw; blijft het gebeuren, "
         "meld het dan aan de beheerder.",
}


@dataclass(frozen=True)
class ErrorPage:
    status: int
    title: str
    message: str
    hint: str | None = None  # what to do next, shown as code (a command for the administrator)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NoIndex, _no_index)
    app.register_error_handler(KamerzoekError, _kamerzoek_error)
    app.register_error_handler(Exception, _unexpected)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    # abort(404, "…") carries a Dutch message of its own; werkzeug's English defaults are replaced
    own = error.description if error.description != type(error).description else None
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    page = ErrorPage(status, TITLES.get(status, f"Fout {status}"),
                     own or MESSAGES.get(status, "Dit verzoek kon niet worden uitgevoerd."))
    response = respond(page)
    response.headers.update(headers)
    return response


def _no_index(error: NoIndex) -> Response:
    index_dir = current_app.config["INDEX"]
    return respond(ErrorPage(
        503, TITLES[503],
        "Er is nog geen (bruikbare) zoekindex. De beheerder kan er een maken met de opdracht "
        "hieronder; daarna werkt deze pagina zonder herstart. " + str(error),
        f"kamerzoek index seeds/ --index {index_dir}",
    ))


def _kamerzoek_error(error: KamerzoekError) -> Response:
    current_app.logger.error("Kamerzoek error on %s: %s", request.path, error)
    return respond(ErrorPage(500, TITLES[500], str(error)))


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):  # pragma: no cover - routed to _http_error first
        return _http_error(error)
    current_app.logger.exception("Unexpected error on %s", request.path)
    return _http_error(InternalServerError())


def wants_json() -> bool:
    return request.path.startswith("/api/")


def respond(page: ErrorPage) -> Response:
    if wants_json():
        body = {"error": {"status": page.status, "message": page.message}}
        if page.hint:
            body["error"]["hint"] = page.hint
        return Response(json.dumps(body, ensure_ascii=False), status=page.status,
                        mimetype="application/json")
    try:
        html = render_template("error.html", page=page)
    except Exception:  # a broken template must not turn an error page into a traceback
        current_app.logger.exception("Could not render the error page")
        html = f"<!doctype html><title>{page.status}</title><p>Fout {page.status}.</p>"
    return Response(html, status=page.status, mimetype="text/html")
