"""The errors Kamerzoek raises on purpose, each carrying a message a user can act on."""

from __future__ import annotations


class KamerzoekError(Exception):
    """Base class; ``str(e)`` is a message a user can act on."""


class UnreadableFile(KamerzoekError):
    """A file of which nothing can be read.

    ``reason`` is a short one-line reason in English ("empty file", "not text:
    binary content"); the caller adds the path when it reports the file.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IndexBusy(KamerzoekError):
    """Another run holds the index's write lock."""


class NoIndex(KamerzoekError):
    """There is no usable index where one was expected."""
