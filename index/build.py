"""Bring the index up to date with a set of files, incrementally.

Only new, changed and removed files are processed (by content hash). What happens to
a file before the index is index/ingest.py; index/workers.py runs it on every core.
This module decides what changes: it names the letters (a second file claiming a
Kamerstuk gets a suffix), deletes the versions being replaced, and commits. Whoosh
commits by writing a new table of contents last, so a run that is killed or fails
leaves the previous index as it was. A lock file keeps two runs from writing at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import FileIndex

from index import filetable
from index.errors import IndexBusy, KamerzoekError
from index.filetable import FileFacts, Look, look_at, recordable, replace_file
from index.ingest import file_hash, units
from index.read import discover
from index.schema import SCHEMA_VERSION, make_schema
from index.segment import BulkSegmentWriter
from index.workers import InProcess, Processes

MANIFEST = "kamerzoek.json"
LOCK = ".kamerzoek.lock"
PARALLEL_FROM = 64  # files; below this, starting worker processes costs more than it saves


@dataclass
class Summary:
    files: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    letters: int = 0  # letters written in this run
    passages: int = 0  # passages written in this run
    total_letters: int = 0  # letters in the index after the run
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (source, what was recovered)
    seconds: float = 0.0


@contextmanager
def write_lock(index_dir: Path, wait: float = 0.0) -> Iterator[int]:
    """Hold the index's lock file (as the descriptor it yields); a second run waits up to
    ``wait`` seconds, then gives up."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"Another `kamerzoek index` is writing to {index_dir}. Wait for it to "
                        "finish and run again, or pass --wait SECONDS to wait for it."
                    ) from None
                time.sleep(0.2)
        try:
            yield handle.fileno()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_index(index_dir: Path) -> FileIndex:
    """Open the index for writing, creating it (or recreating an outdated one) as needed."""
    manifest = read_manifest(index_dir)
    if whoosh_index.exists_in(str(index_dir)) and manifest.get("schema_version") == SCHEMA_VERSION:
        return whoosh_index.open_dir(str(index_dir))
    return whoosh_index.create_in(str(index_dir), make_schema())


def read_manifest(index_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((index_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(index_dir: Path, data: dict[str, Any]) -> None:
    replace_file(index_dir / MANIFEST, json.dumps(data, indent=1, sort_keys=True))


def _under(path: str, roots: list[str]) -> bool:
    normal = os.path.normpath(path)
    for root in roots:
        base = os.path.normpath(root)
        if normal == base or normal.startswith(base.rstrip(os.sep) + os.sep):
            return True
    return False


def build(
    sources: list[str],
    index_dir: Path | str,
    progress: Callable[[int, int], None] | None = None,
    wait: float = 0.0,
    workers: int | None = None,
) -> Summary:
    """Bring the index at ``index_dir`` up to date with the files under ``sources``
    (``workers``: processes to use, one per core when None)."""
    started = time.monotonic()
    index_dir = Path(index_dir)
    summary = Summary()
    with write_lock(index_dir, wait) as lock:
        ix = open_index(index_dir)
        facts = filetable.load(index_dir, ix)
        dirty = facts is None  # the table is to be written again
        if facts is None:
            facts = _facts_from_records(ix)
        known = {path: f.hash for path, f in facts.items()}
        letter_ids = {letter_id: path for path, f in facts.items() for letter_id in f.letters}
        files, problems = discover(sources)
        summary.skipped.extend(problems)
        summary.files = len(files)
        present = set(files)
        gone = sorted(f for f in known if _under(f, sources) and f not in present)
        todo, looks = _changed(files, facts)
        changed = set(todo)
        for path, look in looks.items():  # unchanged files: how they look now, for the next run
            if path in facts and path not in changed and facts[path].look != look:
                facts[path].look = look
                dirty = True
        summary.unchanged = len(files) - len(todo)
        ids_of = {path: f.letters for path, f in facts.items()}  # as indexed before this run
        gone_set = set(gone)
        taken = {i: f for i, f in letter_ids.items() if f not in gone_set}
        # nothing to write: the index (and its generation, which searchers watch) stays as it is
        writer: Any = BulkSegmentWriter(ix) if todo or gone or not letter_ids else None
        pipeline: Any = None
        try:
            for path in gone:
                writer.delete_by_term("file", path)
                facts.pop(path, None)
                summary.removed += 1
            pipeline = _pipeline(writer, index_dir, todo, workers, lock)
            replaced: set[str] = set()  # files whose earlier version this run has deleted
            done = summary.unchanged
            for result in pipeline.results(units(todo, known)):
                summary.skipped.extend(result.skipped)
                summary.notes.extend(result.notes)
                if result.unchanged:  # changed back between the two looks
                    summary.unchanged += 1
                # A file that gives no letter at all (unreadable, nothing left after cleaning)
                # keeps its earlier, readable version in the index.
                if result.path in facts and result.path not in replaced:
                    facts[result.path].look = None  # read again: hash it again next time
                if result.letters and result.path not in replaced:
                    replaced.add(result.path)
                    facts[result.path] = FileFacts(result.filehash, [], looks.get(result.path))
                    if result.path in known:
                        writer.delete_by_term("file", result.path)
                        for letter_id in ids_of.get(result.path, []):
                            taken.pop(letter_id, None)
                        summary.updated += 1
                    else:
                        summary.added += 1
                names = []
                for letter in result.letters:
                    name = _unique(letter.id, letter.source, taken)
                    taken[name] = result.path
                    names.append(name)
                    facts[result.path].letters.append(name)
                    summary.letters += 1
                    summary.passages += letter.passage_count
                pipeline.write(result, names)
                if result.last:
                    done += 1
                    if progress:
                        progress(done, len(files))
            if writer is not None:
                writer.commit(segments=pipeline.segments())
                dirty = True
        except BaseException:
            if pipeline is not None:
                pipeline.cancel()
            if writer is not None:
                writer.cancel()
            raise
        summary.total_letters = len(taken)
        _write_manifest(index_dir, {"schema_version": SCHEMA_VERSION, "letters": len(taken)})
        if dirty:
            filetable.save(index_dir, ix, facts)
    summary.seconds = time.monotonic() - started
    return summary


def _facts_from_records(ix: FileIndex) -> dict[str, FileFacts]:
    """The files the index holds, with their hashes and letters, from its letter records (when
    the file table cannot be trusted: index.filetable)."""
    facts: dict[str, FileFacts] = {}
    with ix.searcher() as searcher:
        for fields in searcher.documents(kind="letter"):
            entry = facts.setdefault(fields["file"], FileFacts(fields["filehash"], []))
            entry.letters.append(fields["id"])
    return facts


def _changed(files: list[str], facts: dict[str, FileFacts]) -> tuple[list[str], dict[str, Look | None]]:
    """The files whose content is not what the index holds (new ones included), in order, and
    how each file looked before it was read (for the file table, when old enough to trust).

    A file that looks as the table recorded is unchanged without being read. The others are
    hashed here, before any worker or writer starts, so that a re-run that changed one letter
    uses a plain writer instead of starting processes for thousands of unchanged files.
    A file that cannot be read counts as changed: index.ingest then reports why.
    """
    looks: dict[str, Look | None] = {}
    todo = []
    for path in files:
        look, taken = look_at(path)
        looks[path] = recordable(look, taken)
        known = facts.get(path)
        if known is None:
            todo.append(path)
            continue
        if look is not None and look == known.look:
            continue
        try:
            with open(path, "rb") as handle:
                digest = file_hash(handle.read())
        except OSError:
            digest = ""
        if digest != known.hash:
            todo.append(path)
    return todo, looks


def _pipeline(writer: Any, index_dir: Path, files: list[str], wanted: int | None, lock: int) -> Any:
    """Worker processes for large runs (each writes a segment of its own: no merge at the end),
    this process for small ones, where starting processes costs more than it saves."""
    count = wanted if wanted is not None else (os.cpu_count() or 1)
    if writer is None or count <= 1 or len(files) < PARALLEL_FROM:
        return InProcess(writer)
    return Processes(str(index_dir), count, locks=[lock, writer.writelock.fd])


def _unique(name: str, source: str, taken: dict[str, str]) -> str:
    """Two files can claim one Kamerstuk (a PDF and its XML): the later one gets a suffix."""
    if name not in taken:
        return name
    return f"{name}-{hashlib.sha1(source.encode('utf-8')).hexdigest()[:6]}"


__all__ = ["Summary", "build", "KamerzoekError", "IndexBusy"]
