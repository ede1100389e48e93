"""From a file to letters: read, clean, metadata, passages (what happens before the index).

The work comes in units: a file, or for a file of many documents (JSON lines) a run of its
documents, so that one 5,000-document file keeps every core busy. index/workers.py runs units
in worker processes; index/build.py decides what reaches the index.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from index.acronyms import find_definitions
from index.clean import clean
from index.errors import UnreadableFile
from index.metadata import extract
from index.passages import letter_id, make_passages
from index.read import read_file
from index.records import Letter, RawDocument

PART = 32  # documents per unit of a many-document file
SPLIT_FROM = 1 << 20  # bytes: a smaller JSON-lines file is a unit like any file (its worker reads it)


@dataclass
class FileResult:
    """What one unit gave. A file cut in parts gives one result per part, in order; ``last``
    marks its final part. A file whose parts give no letter at all keeps its earlier version
    in the index (index/build.py)."""

    path: str
    filehash: str
    letters: list[Letter] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    unchanged: bool = False
    last: bool = True

    @property
    def failed(self) -> bool:
        """Nothing of this unit could be used, and the skips say why."""
        return not self.letters and bool(self.skipped)


@dataclass
class Unit:
    """A file to process, or ``documents`` already read from it (one part of it)."""

    path: str
    known_hash: str | None = None
    documents: list[RawDocument] | None = None
    digest: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # the reader's, on the first part
    notes: list[tuple[str, str]] = field(default_factory=list)
    last: bool = True


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process_file(path: str, known_hash: str | None = None) -> FileResult:
    """Everything that happens to one file before it reaches the index."""
    read = _read(path, known_hash)
    return read if isinstance(read, FileResult) else process_unit(read)


def process_unit(unit: Unit) -> FileResult:
    """The letters of a unit (runs in worker processes)."""
    if unit.documents is None:
        return process_file(unit.path, unit.known_hash)
    problems = list(unit.problems)
    letters = letters_of(unit.documents, unit.digest, problems)
    return FileResult(unit.path, unit.digest, letters, problems, list(unit.notes), last=unit.last)


def units(files: list[str], known: dict[str, str]) -> Iterator[Unit | FileResult]:
    """The work for these files in order: a unit per file; a large JSON-lines file is read
    here and cut in parts (a file that then needs no work, unreadable or unchanged, comes as
    its result)."""
    for path in files:
        if not (path.lower().endswith(".jsonl") and _size(path) >= SPLIT_FROM):
            yield Unit(path, known.get(path))
            continue
        read = _read(path, known.get(path))
        if isinstance(read, FileResult):
            yield read
            continue
        documents = read.documents or []
        if not documents:  # (the JSON-lines reader raises instead; kept so no file goes unreported)
            yield FileResult(path, read.digest, skipped=read.problems, notes=read.notes)
            continue
        starts = range(0, len(documents), PART)
        for i, start in enumerate(starts):
            first, last = i == 0, i == len(starts) - 1
            yield Unit(path, documents=documents[start : start + PART], digest=read.digest,
                       problems=read.problems if first else [], notes=read.notes if first else [],
                       last=last)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # the worker reports why it cannot be read


def _read(path: str, known_hash: str | None) -> Unit | FileResult:
    """A file's documents, or its result when there is nothing to clean."""
    try:
        with open(path, "rb") as handle:
            digest = file_hash(handle.read())
    except OSError as error:
        return FileResult(path, "", skipped=[(path, f"cannot open: {error.strerror or error}")])
    if digest == known_hash:
        return FileResult(path, digest, unchanged=True)
    try:
        result = read_file(path)
    except UnreadableFile as error:
        return FileResult(path, digest, skipped=[(path, error.reason)])
    except Exception as error:  # a reader bug must not stop the run; report it as a skip
        return FileResult(path, digest, skipped=[(path, f"could not read: {error!r}")])
    return Unit(path, known_hash, result.documents, digest, list(result.problems), list(result.notes))


def letters_of(documents: list[RawDocument], digest: str, problems: list[tuple[str, str]]) -> list[Letter]:
    """Clean each document into a letter; what cannot be cleaned is added to ``problems``."""
    letters = []
    for raw in documents:
        try:
            cleaned = clean(raw)
            meta = extract(raw, cleaned)
            identifier = letter_id(meta, raw.name_hint or Path(raw.source).stem)
            passages = make_passages(identifier, cleaned.blocks)
        except Exception as error:
            problems.append((raw.source, f"could not clean: {error!r}"))
            continue
        if not passages:
            problems.append((raw.source, "no text"))
            continue
        defined = find_definitions(" \n".join(p.text for p in passages if p.kind == "paragraph"))
        letters.append(Letter(identifier, raw.source, meta, passages, content_hash=digest, acronyms=defined))
    return letters
