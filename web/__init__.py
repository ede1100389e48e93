"""Kamerzoek's web app: the application factory, security headers, and the blueprints for pages, API and exports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, abort, request
from werkzeug.wrappers import Response

from web import engine, errors, settings

# No inline script or style anywhere: every script and style sheet comes from /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app for the index in config["INDEX"]; settings: see web/settings.py and docs/settings.md.

    A missing index does not stop the app: its pages say what to do (503)
    until `kamerzoek index` has made one.
    """
    app = Flask(__name__)
    settings.load(app, config)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    engine.init_app(app)
    errors.init_app(app)

    from web import api, exports, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)

    app.before_request(_refuse_large_bodies)
    app.after_request(_security_headers)
    return app


def _refuse_large_bodies() -> None:
    # Werkzeug checks MAX_CONTENT_LENGTH only when a view reads the body; no view does, so check here.
    limit = request.max_content_length
    if request.content_length is not None and limit is not None and request.content_length > limit:
        abort(413)


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
