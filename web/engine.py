"""One shared search Engine per app, opened on first use, and handed to each request through get_engine().

The Engine refreshes its Whoosh searcher itself when a re-index has
committed, so a new index version becomes visible without a restart and a
request never sees a half-written one. When there is no index yet, every
request tries again, so `kamerzoek index` while the server runs is enough.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g

from index.errors import NoIndex
from search.engine import Engine

EXTENSION = "kamerzoek"


class _Holder:
    def __init__(self, index_dir: str) -> None:
        self.index_dir = index_dir
        self.engine: Engine | None = None
        self.lock = threading.Lock()

    def get(self) -> Engine:
        with self.lock:
            if self.engine is None:
                self.engine = Engine(self.index_dir)  # raises NoIndex with what to do
            return self.engine


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = _Holder(app.config["INDEX"])


def warm(app: Flask) -> None:
    """Open the engine and build its per-index tables before the first request, when there is an
    index (without one, requests say what to run)."""
    try:
        app.extensions[EXTENSION].get().warm()
    except NoIndex:
        pass


def get_engine() -> Engine:
    """The app's Engine, cached on ``g`` for the rest of the request."""
    if "engine" not in g:
        g.engine = current_app.extensions[EXTENSION].get()
    engine: Engine = g.engine
    return engine
