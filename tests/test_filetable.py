"""The file table (index/filetable.py): a re-index that reads only what changed, and never
trusts a table that does not belong to the index."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index import build as build_module
from index import filetable
from index.build import _facts_from_records, build
from search.engine import Engine
from search.results import SearchRequest
from tests.conftest import SEEDS


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files build() hashes to compare them with the index (one count per file)."""
    calls: list[int] = []
    original = build_module.file_hash

    def counting(data: bytes) -> str:
        calls.append(len(data))
        return original(data)

    monkeypatch.setattr(build_module, "file_hash", counting)
    return calls


def _table(folder: Path) -> dict[str, filetable.FileFacts]:
    facts = filetable.load(folder, whoosh_index.open_dir(str(folder)))
    assert facts is not None
    return facts


def _hits(folder: Path, q: str) -> int:
    engine = Engine(folder)
    try:
        return engine.search(SearchRequest(q=q)).total
    finally:
        engine.close()


def test_the_table_says_what_the_index_records_say(seeds: Path, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    build([str(seeds)], folder, workers=1)
    table = _table(folder)
    from_records = _facts_from_records(whoosh_index.open_dir(str(folder)))
    assert {p: (f.hash, sorted(f.letters)) for p, f in table.items()} == {
        p: (f.hash, sorted(f.letters)) for p, f in from_records.items()}
    assert len(table) == 5
    # just written: too recent to trust (git's racy rule), so the next run hashes them
    assert all(f.look is None for f in table.values())


def test_files_that_look_as_recorded_are_not_read_again(seeds: Path, tmp_path: Path,
                                                        hashed: list[int],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filetable, "RACY_NS", 0)
    folder = tmp_path / "index"
    build([str(seeds)], folder, workers=1)
    hashed.clear()
    again = build([str(seeds)], folder, workers=1)
    assert (again.unchanged, again.updated, hashed) == (5, 0, [])


def test_a_change_that_keeps_size_and_mtime_is_still_seen(seeds: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filetable, "RACY_NS", 0)
    folder = tmp_path / "index"
    build([str(seeds)], folder, workers=1)
    target = next(p for p in sorted(seeds.iterdir()) if b"Rusland" in p.read_bytes())
    before = os.stat(target)
    changed = target.read_bytes().replace(b"Rusland", b"Zwaland", 1)
    assert len(changed) == before.st_size
    target.write_bytes(changed)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # the ctime still moves
    assert os.stat(target).st_mtime_ns == before.st_mtime_ns
    second = build([str(seeds)], folder, workers=1)
    assert (second.updated, second.unchanged) == (1, 4)
    assert _hits(folder, "Zwaland") == 1


def test_a_table_from_before_the_last_commit_is_not_trusted(seeds: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filetable, "RACY_NS", 0)
    folder = tmp_path / "index"
    build([str(seeds)], folder, workers=1)
    stale = (folder / filetable.FILES).read_bytes()
    target = sorted(seeds.iterdir())[0]
    target.write_text(target.read_text("utf-8") + "\nZwaluwstaartverbinding.\n", "utf-8")
    assert build([str(seeds)], folder, workers=1).updated == 1
    (folder / filetable.FILES).write_bytes(stale)  # as if the run had stopped after its commit
    assert filetable.load(folder, whoosh_index.open_dir(str(folder))) is None
    third = build([str(seeds)], folder, workers=1)
    assert (third.unchanged, third.updated, third.added) == (5, 0, 0)
    assert _hits(folder, "zwaluwstaartverbinding") == 1
    assert filetable.load(folder, whoosh_index.open_dir(str(folder))) is not None  # written again


def test_an_index_made_anew_does_not_inherit_the_table(seeds: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filetable, "RACY_NS", 0)
    folder = tmp_path / "index"
    build([str(seeds)], folder, workers=1)
    build([str(seeds)], folder, workers=1)  # the looks are recorded now
    for part in folder.iterdir():  # the index's own files gone, the table and manifest left
        if part.name.startswith(("MAIN", "_MAIN")):
            part.unlink()
    again = build([str(seeds)], folder, workers=1)
    assert (again.added, again.unchanged) == (5, 0)
    assert _hits(folder, "NAVO") >= 1


def test_a_damaged_table_is_read_from_the_index_instead(seeds: Path, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    build([str(seeds)], folder, workers=1)
    (folder / filetable.FILES).write_text('{"format": 1, "index": "x", "files": [', "utf-8")
    again = build([str(seeds)], folder, workers=1)
    assert (again.unchanged, again.added, again.updated) == (5, 0, 0)
    assert len(_table(folder)) == 5
