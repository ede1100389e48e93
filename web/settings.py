"""The web app's settings, one table of (name, default, help); read as defaults, env, then create_app's argument."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from index.errors import KamerzoekError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = (
    Setting("INDEX", "var/index", "Folder of the index made by `kamerzoek index`."),
    Setting("PUBLIC_URL", "",
            "Scheme and host for permalinks, feeds and exports (\"https://kamerzoek.example.nl\"); "
            "empty: the host of each request. Set it behind a proxy, so citations carry the public address."),
    Setting("PER_PAGE", 10, "Letters per result page on the site."),
    Setting("PASSAGES_PER_RESULT", 3, "Best passages shown under each letter in a result list."),
    Setting("MAX_QUERY_LENGTH", 500,
            "Longest query in characters; longer queries are cut off and the page says so."),
    Setting("MAX_PAGE", 1000, "Highest result page that can be asked for; higher numbers are capped."),
    Setting("MAX_LIMIT", 100, "Most letters per page the API returns (`limit`)."),
    Setting("EXPORT_LIMIT", 1000, "Most letters in a CSV export of a result list."),
    Setting("FEED_ENTRIES", 20, "Entries in the Atom feed of a query (newest first)."),
    Setting("SIMILAR_LETTERS", 5, "Letters listed under \"Vergelijkbare brieven\" on a letter page."),
    Setting("MAX_CONTENT_LENGTH", 16 * 1024,
            "Largest request body in bytes; the site takes no uploads, so bigger requests get 413."),
)

DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


class SettingError(KamerzoekError):
    """A setting has a value of the wrong kind."""


def load(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Defaults, then KAMERZOEK_* environment variables, then ``config``; numbers are checked."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("KAMERZOEK")
    if config:
        app.config.from_mapping(config)
    for setting in SETTINGS:
        if isinstance(setting.default, int):
            app.config[setting.name] = _positive_int(setting.name, app.config[setting.name])
    app.config["INDEX"] = str(app.config["INDEX"])
    public = str(app.config["PUBLIC_URL"] or "")
    if public and not re.fullmatch(r"https?://[^/\s?#]+/?", public):
        raise SettingError(
            f"Setting PUBLIC_URL must be a scheme and host such as https://kamerzoek.example.nl, "
            f"not {public!r}: fix KAMERZOEK_PUBLIC_URL or the value passed to create_app()."
        )
    app.config["PUBLIC_URL"] = public
    # Never the interactive debugger, whatever the environment says: it runs code from the browser.
    app.config["DEBUG"] = False
    app.debug = False


def _positive_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or number < 1:
        raise SettingError(
            f"Setting {name} must be a whole number of 1 or more, not {value!r}: "
            f"fix KAMERZOEK_{name} or the value passed to create_app()."
        )
    return number
