"""Bad files: `kamerzoek index` over a corpus of hostile files finishes, keeps every good file, names every bad one.

One real run of the command (in a child process, as a user runs it) over the
corpus of tests/reliability/corpus.py: empty files, random bytes, Latin-1,
UTF-16, mojibake, truncated XML, billion laughs, external entities, deep
nesting, scripts, a 50 MB file, unknown extensions, an unreadable file and
folder, a named pipe and symlink loops. Each test then checks one promise.
As root, the run goes without the capabilities that let root read anything,
so "permission denied" is the kernel's, not a mock's (docs/reliability.md).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from search.engine import Engine
from search.results import SearchRequest
from tests.reliability.corpus import CASE_NAMES, EITHER, RECOVERED, SKIPPED, Hostile, make_hostile, open_up
from tests.reliability.markup import live_markup
from tests.reliability.procs import (
    Finished,
    entries_for,
    parse_summary,
    run,
    snapshot,
    sources_in,
    without_read_override,
)

ROOT = Path(__file__).resolve().parent.parent
DIRTY = ROOT.parent / "shared" / "corpus" / "samples" / "handelingen-dirty-xml"
BIG_MEGABYTES = 50
PEAK_RSS_LIMIT_MB = 1536  # generous: a 50 MB file must not cost gigabytes


@dataclass
class Indexed:
    hostile: Hostile
    index_dir: Path
    run: Finished
    notes: list[str]
    skipped: list[str]
    listener: socket.socket  # where an external DTD would have been fetched from
    engine: Engine

    def found(self, word: str) -> list[str]:
        """The sources of the letters a word finds."""
        result = self.engine.search(SearchRequest(q=word, limit=100))
        return [hit.source for hit in result.results]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    base = tmp_path_factory.mktemp("hostile")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        hostile = make_hostile(base / "corpus", base / "elders", listener.getsockname()[1],
                               big_megabytes=BIG_MEGABYTES, dirty_samples=DIRTY)
        try:
            finished = run(["index", str(hostile.root), "--index", str(base / "ix")],
                           prefix=without_read_override())
            assert finished.returncode == 0, (finished.stdout + finished.stderr)[-3000:]
            notes, skipped = parse_summary(finished.stdout)
            engine = Engine(base / "ix")
            yield Indexed(hostile, base / "ix", finished, notes, skipped, listener, engine)
            engine.close()
        finally:
            open_up(hostile.root)
            shutil.rmtree(hostile.root)  # 50 MB of data (and a sparse 65 MB file); the index stays


def test_indexing_the_hostile_corpus_finishes_without_a_traceback(indexed: Indexed) -> None:
    output = indexed.run.stdout + indexed.run.stderr
    assert indexed.run.returncode == 0, output[-3000:]
    assert "Traceback" not in output
    assert " new, 0 changed, 0 removed" in indexed.run.stdout


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_file_is_indexed_recovered_or_skipped_with_a_reason(indexed: Indexed, name: str) -> None:
    case = indexed.hostile.by_name(name)
    path = indexed.hostile.path(case)
    skipped = entries_for(indexed.skipped, path)
    notes = entries_for(indexed.notes, path)
    if case.expect == SKIPPED:
        assert skipped, f"{case.why}: not in the skipped list"
        assert case.reason in " ".join(skipped).lower(), skipped
    elif case.expect == EITHER and skipped:
        assert all(reason.strip() for reason in skipped)
    else:
        whole_file_skipped = [s for s in skipped if not s[:1].isdigit()]  # "3: ..." is one JSON line
        assert not whole_file_skipped, f"{case.why}: skipped: {skipped}"
        if case.expect == RECOVERED:
            assert case.reason in " ".join(notes).lower(), f"{case.why}: no note saying so: {notes}"
        for word in case.words:
            sources = indexed.found(word)
            assert sources and all(s.split("#")[0] == path for s in sources), (
                f"{case.why}: {word!r} finds {sources}, not {path}")
    for word in case.absent:
        assert not indexed.found(word), f"{case.why}: {word!r} reached the index"


def test_no_file_is_lost_without_a_word(indexed: Indexed) -> None:
    """Every file in the corpus is in the index or in the skipped list: nothing disappears silently."""
    in_index = {source.split("#")[0] for source in sources_in(snapshot(indexed.index_dir))}
    reported = {line.split(": ")[0].split("#")[0] for line in indexed.skipped}
    folders = tuple(path + os.sep for path in reported if os.path.isdir(path))  # "cannot list"
    missing = []
    for folder, dirs, files in os.walk(indexed.hostile.root):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        for name in files + [d for d in os.listdir(folder) if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            if path not in in_index | reported and not path.startswith(folders):
                missing.append(path)
    assert not missing
    damaged = [c for c in indexed.hostile.cases if c.name.startswith("echt-beschadigd/")]
    assert all(indexed.hostile.path(c) in in_index | reported for c in damaged)


def test_peak_memory_of_indexing_the_50_mb_corpus_is_bounded(indexed: Indexed) -> None:
    size = os.path.getsize(indexed.hostile.path(indexed.hostile.by_name("goed/groot-50mb.txt")))
    assert size >= BIG_MEGABYTES * 1024 * 1024 - 8192
    assert 0 < indexed.run.peak_rss_mb < PEAK_RSS_LIMIT_MB


def test_entities_are_never_expanded_nor_fetched(indexed: Indexed) -> None:
    assert not indexed.found(indexed.hostile.secret), "an external entity read a local file"
    indexed.listener.setblocking(False)
    try:
        connection, _ = indexed.listener.accept()  # an external DTD would have connected here
    except BlockingIOError:
        pass
    else:
        connection.close()
        pytest.fail("the parser fetched an external DTD or entity")
    passages = snapshot(indexed.index_dir)["passage"].values()
    assert not [fields for fields in passages if "lollollol" in dict(fields)["text"]]


def test_no_markup_from_a_document_reaches_a_page(indexed: Indexed) -> None:
    from web import create_app

    app = create_app({"INDEX": str(indexed.index_dir), "TESTING": True})
    client = app.test_client()
    letters = snapshot(indexed.index_dir)["letter"]
    hostile = [i for i, fields in letters.items() if "/echt-beschadigd/" not in dict(fields)["source"]]
    words = [case.words[0] for case in indexed.hostile.cases if case.words]
    urls = [f"/brief/{quote(i)}?q=script+alert" for i in hostile]
    urls += [f"/?q={quote(w)}" for w in words] + ["/?q=script", "/?q=alert", "/?q=img+onerror"]
    problems = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = live_markup(response.get_data(as_text=True))
        if found:
            problems[url] = found
    assert not problems
    feed = client.get("/feed.atom?q=alert").get_data(as_text=True)
    assert "<script" not in feed and "<img" not in feed  # escaped as text inside the XML


def test_a_second_run_over_the_hostile_corpus_changes_nothing(indexed: Indexed) -> None:
    again = run(["index", str(indexed.hostile.root), "--index", str(indexed.index_dir)],
                prefix=without_read_override())
    assert again.returncode == 0, again.stderr[-2000:]
    assert "(0 new, 0 changed, 0 removed" in again.stdout
    # whole files again; the bad lines of a JSON-lines file that is in the index are not read again
    whole_files = sorted(line for line in indexed.skipped if "#" not in line.split(": ")[0])
    assert sorted(parse_summary(again.stdout)[1]) == whole_files
