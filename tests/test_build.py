"""Building the index: summary, incremental runs, bad files, locking, determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import build, write_lock
from index.errors import IndexBusy
from search.engine import Engine
from search.results import SearchRequest
from tests.conftest import SEEDS


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "brieven"
    shutil.copytree(SEEDS, folder)
    return folder


def test_first_run_indexes_every_seed(corpus: Path, tmp_path: Path) -> None:
    summary = build([str(corpus)], tmp_path / "ix", workers=1)
    assert (summary.added, summary.letters, summary.total_letters) == (5, 5, 5)
    assert summary.passages > 100
    assert summary.skipped == []


def test_second_run_only_processes_what_changed(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build([str(corpus)], index_dir, workers=1)
    again = build([str(corpus)], index_dir, workers=1)
    assert (again.unchanged, again.letters, again.total_letters) == (5, 0, 5)

    changed = corpus / "003_693843c5837e85b5.txt"
    changed.write_text(changed.read_text("utf-8").replace("Tillerson", "Rubio"), "utf-8")
    (corpus / "000_d8f6cabdd175af6c.txt").unlink()
    (corpus / "nieuw.md").write_text("## Nieuwe brief\n\nDe Kamer wordt geïnformeerd over Zeeland.\n", "utf-8")
    third = build([str(corpus)], index_dir, workers=1)
    assert (third.added, third.updated, third.removed, third.unchanged) == (1, 1, 1, 3)
    assert third.total_letters == 5

    engine = Engine(index_dir)
    assert engine.search(SearchRequest(q="Tillerson")).total == 0
    assert engine.search(SearchRequest(q="Rubio")).total == 1
    assert engine.search(SearchRequest(q="Zeeland")).total == 1
    assert engine.search(SearchRequest(q="Rukla")).total == 1  # 000 is gone, 001 remains


def test_broken_files_are_skipped_with_a_reason_and_the_rest_is_indexed(corpus: Path, tmp_path: Path) -> None:
    (corpus / "leeg.txt").write_bytes(b"")
    (corpus / "ruis.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "kapot.xml").write_text("<officiele-publicatie><kamerstuk><al>half", "utf-8")
    (corpus / "brief.docx").write_bytes(b"PK\x03\x04")
    summary = build([str(corpus)], tmp_path / "ix", workers=1)
    reasons = dict(summary.skipped)
    assert summary.total_letters >= 5
    assert set(reasons) >= {str(corpus / "leeg.txt"), str(corpus / "ruis.txt"), str(corpus / "brief.docx")}
    assert "unknown extension .docx" in reasons[str(corpus / "brief.docx")]
    assert Engine(tmp_path / "ix").search(SearchRequest(q="Tillerson")).total == 1


def test_sources_outside_the_given_folders_are_kept(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "ander"
    other.mkdir()
    (other / "motie.md").write_text("## MOTIE VAN HET LID\n\nverzoekt de regering om Zeeland.\n", "utf-8")
    index_dir = tmp_path / "ix"
    build([str(corpus)], index_dir, workers=1)
    summary = build([str(other)], index_dir, workers=1)
    assert (summary.added, summary.removed, summary.total_letters) == (1, 0, 6)


def test_a_second_writer_gets_a_clear_message(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build([str(corpus)], index_dir, workers=1)
    with write_lock(index_dir):
        with pytest.raises(IndexBusy, match="Another `kamerzoek index` is writing"):
            build([str(corpus)], index_dir, workers=1, wait=0.3)


def test_same_input_gives_the_same_ids_and_ranking(corpus: Path, tmp_path: Path) -> None:
    results = []
    for name, workers in (("a", 1), ("b", 2)):
        build([str(corpus)], tmp_path / name, workers=workers)
        engine = Engine(tmp_path / name)
        result = engine.search(SearchRequest(q="NAVO Rusland", limit=10))
        results.append([(r.id, round(r.score, 6), [p.id for p in r.passages]) for r in result.results])
        letter = engine.letter("kst-28676-266")
        assert letter is not None
        results.append([(p["id"], p["page"], p["text"]) for p in letter["passages"]])
    assert results[0] == results[2] and results[1] == results[3]


@pytest.mark.parametrize("processes", [False, True], ids=["in-process", "worker-processes"])
def test_a_run_that_fails_while_writing_leaves_the_previous_index_usable(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: bool) -> None:
    import index.build as build_module
    import index.workers as workers_module

    index_dir = tmp_path / "ix"
    build([str(corpus)], index_dir, workers=1)
    (corpus / "extra.md").write_text("## Extra\n\nDe Kamer spreekt over Zeeland.\n", "utf-8")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    if processes:
        monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers_module, "add_letter", explode)  # forked workers inherit it
    with pytest.raises(workers_module.WorkerError if processes else RuntimeError, match="disk full"):
        build([str(corpus)], index_dir, workers=2 if processes else 1)
    engine = Engine(index_dir)
    assert engine.search(SearchRequest(q="Tillerson")).total == 1
    assert engine.search(SearchRequest(q="Zeeland")).total == 0
    monkeypatch.undo()
    assert build([str(corpus)], index_dir, workers=1).added == 1  # and its lock was let go


def test_a_run_that_changes_nothing_leaves_the_index_generation_alone(corpus: Path, tmp_path: Path) -> None:
    """Searchers reopen when the generation moves; a run with nothing to do must not move it."""
    from whoosh import index as whoosh_index

    index_dir = tmp_path / "ix"
    build([str(corpus)], index_dir, workers=1)
    before = whoosh_index.open_dir(str(index_dir)).latest_generation()
    again = build([str(corpus)], index_dir, workers=2)
    assert (again.unchanged, again.letters, again.added, again.removed) == (5, 0, 0, 0)
    assert whoosh_index.open_dir(str(index_dir)).latest_generation() == before
    assert Engine(index_dir).stats()["letters"] == 5


def test_letter_facts_live_on_letter_records_and_still_filter_passages(corpus: Path, tmp_path: Path) -> None:
    from whoosh import index as whoosh_index

    index_dir = tmp_path / "ix"
    build([str(corpus)], index_dir, workers=1)
    with whoosh_index.open_dir(str(index_dir)).searcher() as searcher:
        passage = next(searcher.documents(kind="passage"))
        assert "date" not in passage and "doctype" not in passage
    engine = Engine(index_dir)
    assert [r.id for r in engine.search(SearchRequest(q="Rusland jaar:2017")).results] == ["kst-28676-266"]
    assert engine.search(SearchRequest(q="NAVO", doctype="motie")).total == 0


def test_the_whoosh_fix_remembers_fields_without_a_length_column(corpus: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh import index as whoosh_index
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
    from whoosh.util.numeric import byte_to_length

    from index import whoosh_fixes

    assert W3PerDocReader._cached_reader is whoosh_fixes._cached_reader
    index_dir = tmp_path / "ix"
    build([str(corpus)], index_dir, workers=1)
    with whoosh_index.open_dir(str(index_dir)).searcher() as searcher:
        perdoc = searcher.reader()._perdoc  # one segment: a single-process build
        looks: list[str] = []
        has_column = W3PerDocReader.has_column
        monkeypatch.setattr(W3PerDocReader, "has_column",
                            lambda self, name: looks.append(name) or has_column(self, name))
        assert [perdoc.doc_field_length(0, "kind") for _ in range(3)] == [0, 0, 0]  # ID: no lengths
        lengths = [perdoc.doc_field_length(d, "text") for d in range(searcher.reader().doc_count_all())]
        assert max(length or 0 for length in lengths) > 10
        column = perdoc.column_reader("_text_len", LENGTHS_COLUMN)  # as Whoosh reads it: a read each
        assert lengths == [byte_to_length(column[d]) if column[d] else None for d in range(len(lengths))]
        assert looks == ["_kind_len", "_text_len"]  # one look per field, found or not


def test_worker_processes_write_what_one_process_writes(corpus: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers (index/workers.py) read, clean and write segments of their own; the index they
    leave answers as one written by this process, and a file of many documents is shared
    between them in parts."""
    import index.build as build_module
    import index.ingest as ingest_module

    fixtures = Path(__file__).parent / "fixtures" / "read"
    for name in ("sgd-3-lines.jsonl", "motie-kst-36547-31-list.xml", "h-tk-20172018-70-1.xml", "stb-2014-296.html"):
        shutil.copy(fixtures / name, corpus / name)
    (corpus / "kapot.jsonl").write_text('{"url": "x"}\nnope\n', "utf-8")
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(ingest_module, "PART", 1)  # every JSON line a part of its own
    monkeypatch.setattr(ingest_module, "SPLIT_FROM", 0)

    seen = []
    for name, workers in (("een", 1), ("twee", 2)):
        summary = build([str(corpus)], tmp_path / name, workers=workers)
        engine = Engine(tmp_path / name)
        found = []
        for q in ("NAVO Rusland", "Kamer", '"de regering"', "regering NIET Rusland"):
            result = engine.search(SearchRequest(q=q, limit=50))
            found.append((result.total, [(r.id, round(r.score, 9), [p.id for p in r.passages])
                                         for r in result.results]))
        seen.append((summary.added, summary.letters, summary.passages, sorted(summary.skipped),
                     sorted(summary.notes), engine.stats()["letters"], found,
                     engine.letter("kst-28676-266")))
    one, two = seen
    assert one == two
    assert one[1] >= 10 and one[5] == one[1]  # the JSON lines each became a letter
    assert any("kapot.jsonl" in source for source, _ in one[3])
