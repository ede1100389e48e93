"""Write the index: read files, clean them, cut passages and add them to Whoosh, incrementally.

Only new, changed and removed files are processed (by content hash). Whoosh
commits by writing a new table of contents last, so a run that is killed or
fails leaves the previous index as it was. A lock file keeps two runs from
writing at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import FileIndex

from index.acronyms import find_definitions
from index.clean import clean
from index.errors import IndexBusy, KamerzoekError, UnreadableFile
from index.metadata import extract
from index.passages import letter_id, make_passages
from index.read import discover, read_file
from index.records import Letter, Passage
from index.schema import SCHEMA_VERSION, make_schema

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


@dataclass
class FileResult:
    path: str
    filehash: str
    letters: list[Letter] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    unchanged: bool = False
    failed: bool = False


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process_file(path: str, known_hash: str | None = None) -> FileResult:
    """Everything that happens to one file before it reaches the index (runs in worker processes)."""
    try:
        with open(path, "rb") as handle:
            digest = file_hash(handle.read())
    except OSError as error:
        return FileResult(path, "", skipped=[(path, f"cannot open: {error.strerror or error}")],
                          failed=True)
    if digest == known_hash:
        return FileResult(path, digest, unchanged=True)
    try:
        result = read_file(path)
    except UnreadableFile as error:
        return FileResult(path, digest, skipped=[(path, error.reason)], failed=True)
    except Exception as error:  # a reader bug must not stop the run; report it as a skip
        return FileResult(path, digest, skipped=[(path, f"could not read: {error!r}")], failed=True)
    letters = []
    for raw in result.documents:
        try:
            cleaned = clean(raw)
            meta = extract(raw, cleaned)
            identifier = letter_id(meta, raw.name_hint or Path(raw.source).stem)
            passages = make_passages(identifier, cleaned.blocks)
        except Exception as error:
            result.problems.append((raw.source, f"could not clean: {error!r}"))
            continue
        if not passages:
            result.problems.append((raw.source, "no text"))
            continue
        defined = find_definitions(" \n".join(p.text for p in passages if p.kind == "paragraph"))
        letters.append(Letter(identifier, raw.source, meta, passages, content_hash=digest, acronyms=defined))
    failed = not letters and bool(result.problems)
    return FileResult(path, digest, letters, list(result.problems), list(result.notes),
                      failed=failed)


@contextmanager
def write_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's lock file; a second run waits up to ``wait`` seconds, then gives up."""
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
            yield
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
    temporary = index_dir / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    os.replace(temporary, index_dir / MANIFEST)


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
    """Bring the index at ``index_dir`` up to date with the files under ``sources``."""
    started = time.monotonic()
    index_dir = Path(index_dir)
    summary = Summary()
    with write_lock(index_dir, wait):
        ix = open_index(index_dir)
        known: dict[str, str] = {}
        letter_ids: dict[str, str] = {}  # letter id -> file
        with ix.searcher() as searcher:
            for fields in searcher.documents(kind="letter"):
                known[fields["file"]] = fields["filehash"]
                letter_ids[fields["id"]] = fields["file"]
        files, problems = discover(sources)
        summary.skipped.extend(problems)
        summary.files = len(files)
        present = set(files)
        gone = sorted(f for f in known if _under(f, sources) and f not in present)
        todo = _changed(files, known)
        summary.unchanged = len(files) - len(todo)
        ids_of: dict[str, list[str]] = {}  # file -> its letters' ids
        for letter_id, path in letter_ids.items():
            ids_of.setdefault(path, []).append(letter_id)
        gone_set = set(gone)
        taken = {i: f for i, f in letter_ids.items() if f not in gone_set}
        # nothing to write: the index (and its generation, which searchers watch) stays as it is
        writer: Any = _writer(ix, todo, workers) if todo or gone or not letter_ids else None
        try:
            for path in gone:
                writer.delete_by_term("file", path)
                summary.removed += 1
            for done, result in enumerate(_process_all(todo, known, workers), start=summary.unchanged + 1):
                if progress:
                    progress(done, len(files))
                summary.skipped.extend(result.skipped)
                summary.notes.extend(result.notes)
                if result.unchanged:  # changed back between the two looks
                    summary.unchanged += 1
                    continue
                if result.failed:
                    continue  # an earlier, readable version stays in the index
                if result.path in known:
                    writer.delete_by_term("file", result.path)
                    for letter_id in ids_of.get(result.path, []):
                        taken.pop(letter_id, None)
                    summary.updated += 1
                else:
                    summary.added += 1
                for letter in result.letters:
                    letter = _unique(letter, taken, result.path)
                    taken[letter.id] = result.path
                    _add_letter(writer, letter, result.path, result.filehash)
                    summary.letters += 1
                    summary.passages += len(letter.passages)
            if writer is not None:
                writer.commit()
        except BaseException:
            if writer is not None:
                writer.cancel()
            raise
        summary.total_letters = len(taken)
        _write_manifest(index_dir, {"schema_version": SCHEMA_VERSION, "letters": len(taken)})
    summary.seconds = time.monotonic() - started
    return summary


def _changed(files: list[str], known: dict[str, str]) -> list[str]:
    """The files whose content is not what the index holds (new ones included), in order.

    Hashing here, before any worker or writer starts, lets a re-run that changed one letter
    use a plain writer instead of starting processes for thousands of unchanged files.
    A file that cannot be read counts as changed: process_file then reports why.
    """
    if not known:
        return list(files)
    todo = []
    for path in files:
        if path not in known:
            todo.append(path)
            continue
        try:
            with open(path, "rb") as handle:
                digest = file_hash(handle.read())
        except OSError:
            digest = ""
        if digest != known[path]:
            todo.append(path)
    return todo


def _writer(ix: FileIndex, files: list[str], workers: int | None) -> Any:
    """Whoosh's multiprocess writer for large runs: each process analyses and writes a segment of
    its own (multisegment: no merge at the end), which nearly halves a 13k build on two cores."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count > 1 and len(files) >= PARALLEL_FROM:
        return ix.writer(limitmb=128, procs=count, multisegment=True)
    return ix.writer(limitmb=256)


def _process_all(files: list[str], known: dict[str, str], workers: int | None) -> Iterator[FileResult]:
    hashes = [known.get(path) for path in files]
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(files) < PARALLEL_FROM:
        yield from map(process_file, files, hashes)
        return
    with ProcessPoolExecutor(max_workers=count) as pool:
        yield from pool.map(process_file, files, hashes, chunksize=16)


def _unique(letter: Letter, taken: dict[str, str], path: str) -> Letter:
    """Two files can claim one Kamerstuk (a PDF and its XML): the later one gets a suffix."""
    if letter.id not in taken:
        return letter
    suffix = hashlib.sha1(letter.source.encode("utf-8")).hexdigest()[:6]
    new_id = f"{letter.id}-{suffix}"
    for passage in letter.passages:
        passage.id = f"{new_id}-p{passage.n}"
    letter.id = new_id
    return letter


def _letter_fields(letter: Letter) -> dict[str, Any]:
    meta = letter.meta
    fields: dict[str, Any] = {
        "letter": letter.id,
        "date": meta.date or "",
        "doctype": meta.doctype or "",
        "dossier": (meta.dossier or "").replace(" ", ""),
        "number": meta.number or "",
        "signatory": ",".join(s.name for s in meta.signatories if s.name),
        "signer_words": " ".join(s.name for s in meta.signatories if s.name),
    }
    if meta.date:
        fields["year"] = int(meta.date[:4])
    return fields


def _add_letter(writer: Any, letter: Letter, path: str, filehash: str) -> None:
    common = _letter_fields(letter)
    title = " — ".join(t for t in (letter.meta.dossier_title, letter.meta.title) if t)
    writer.add_document(
        kind="letter", id=letter.id, file=path, filehash=filehash, source=letter.source,
        meta=json.dumps(asdict(letter.meta), ensure_ascii=False), title=title, **common,
    )
    for i, (acronym, long_form) in enumerate(letter.acronyms, start=1):
        # learned definitions, kept with their letter (and removed with its file)
        writer.add_document(kind="acronym", id=f"{letter.id}-a{i}", letter=letter.id, file=path,
                            source=letter.source, acronym=acronym, long_form=long_form)
    for passage in letter.passages:
        # The title is searched once per letter, on its first passage: on every passage it
        # would make every passage of a letter "match" a word of its title. The letter's facts
        # (date, type, dossier, ...) stay on the letter record: filters select letters.
        writer.add_document(kind="passage", id=passage.id, letter=letter.id, file=path,
                            source=letter.source, title=title if passage.n == 1 else "",
                            **_passage_fields(passage))


def _passage_fields(passage: Passage) -> dict[str, Any]:
    return {
        "text": passage.text,
        "exact": passage.text,
        "tails": passage.text,
        "heading": passage.heading or "",
        "n": passage.n,
        "page": passage.page,
        "page_end": passage.page_end,
        "pkind": passage.kind,
        "mark": passage.mark,
        "notes": passage.notes,
    }


__all__ = ["Summary", "build", "process_file", "KamerzoekError", "IndexBusy"]
