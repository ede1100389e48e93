"""Crashes: kill -9 of `kamerzoek index` at random points never costs the previous index, and the next run repairs all.

Each round starts `kamerzoek index` in a session of its own and kills the whole
process group (its worker pool and Whoosh's writer processes too) after a
seeded random share of a clean build's time, or the moment it writes its first
file into the index folder. The rounds alternate between adding 120 letters
and removing them again, on one index folder, so the leftovers of every kill
(lock file, half-written segments) stay for the next run to cope with.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.build import LOCK, read_manifest
from index.errors import NoIndex
from search.engine import Engine
from search.results import SearchRequest
from tests.reliability.corpus import SEED, write_letters
from tests.reliability.procs import kill, run, snapshot, start

ROOT = Path(__file__).resolve().parent.parent
# kills on an existing index (one more kills a first build); KAMERZOEK_KILL_ROUNDS=40 for a long series
ROUNDS = int(os.environ.get("KAMERZOEK_KILL_ROUNDS", "6"))
# Every third round waits for a moment instead of a time: the first new file in the index folder
# (a segment being written), or the new table of contents (the commit, before the manifest).
MOMENTS = {2: "first write", 5: "commit"}


@dataclass
class Corpus:
    base: Path  # seeds and 20 letters: the index that must survive
    more: Path  # 120 letters (enough for the parallel writer) that the runs add
    base_words: dict[str, str]
    more_words: dict[str, str]
    add_seconds: float  # how long a run takes that adds `more` (a clean build of both)
    remove_seconds: float  # how long a run takes that removes `more` again
    clean_base: dict[str, object]  # snapshot of a clean build of base
    clean_both: dict[str, object]  # snapshot of a clean build of base and more


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("crash")
    base = folder / "basis"
    shutil.copytree(ROOT / "seeds", base / "seeds")
    base_words = write_letters(base / "brieven", 20)
    more_words = write_letters(folder / "meer", 120, start=1000)
    done = run(["index", str(base), "--index", str(folder / "schoon-basis")])
    assert done.returncode == 0, done.stderr
    added = run(["index", str(base), str(folder / "meer"), "--index", str(folder / "schoon")])
    assert added.returncode == 0, added.stderr
    both = snapshot(folder / "schoon")
    removed = run(["index", str(base), "--index", str(folder / "schoon")])
    assert removed.returncode == 0, removed.stderr
    return Corpus(base, folder / "meer", base_words, more_words, added.seconds, removed.seconds,
                  snapshot(folder / "schoon-basis"), both)


def _wait_for(moment: str, process: subprocess.Popen[bytes], index_dir: Path, timeout: float = 60.0) -> None:
    before = set(os.listdir(index_dir))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        new = set(os.listdir(index_dir)) - before
        if new and (moment == "first write" or any(name.endswith(".toc") for name in new)):
            return
        time.sleep(0.002)


def test_kill_9_at_random_points_never_costs_the_index(corpus: Corpus, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    index_dir = tmp_path / "ix"
    known, known_word = next(iter(corpus.base_words.items()))

    # a first build, killed: there is no previous index, and the next run makes one
    process = start(["index", str(corpus.base), "--index", str(index_dir)])
    time.sleep(rng.uniform(0.1, 0.9) * corpus.remove_seconds)
    kill(process)
    try:
        Engine(index_dir).close()
    except NoIndex as error:
        assert "run `kamerzoek index" in str(error) or "index your files again" in str(error)
    done = run(["index", str(corpus.base), "--index", str(index_dir)])
    assert done.returncode == 0, done.stderr
    assert snapshot(index_dir) == corpus.clean_base

    states = {"base": corpus.clean_base, "both": corpus.clean_both}
    state = "base"
    outcomes = []
    for number in range(ROUNDS):
        target = "both" if state == "base" else "base"
        sources = [str(corpus.base)] + ([str(corpus.more)] if target == "both" else [])
        process = start(["index", *sources, "--index", str(index_dir)])
        if number % 6 in MOMENTS:
            _wait_for(MOMENTS[number % 6], process, index_dir)
        else:
            time.sleep(rng.uniform(0.05, 0.95) * (corpus.add_seconds if target == "both" else corpus.remove_seconds))
        finished_first = process.poll() is not None
        kill(process)
        assert (index_dir / LOCK).exists()  # a killed run leaves its lock file behind

        # the index opens and answers; it is the state before the run, or the state after it
        engine = Engine(index_dir)
        try:
            hit = engine.search(SearchRequest(q=known_word))
            assert [r.source for r in hit.results] == [known]
        finally:
            engine.close()
        assert read_manifest(index_dir).get("schema_version")
        now = snapshot(index_dir)
        assert now in (states[state], states[target]), f"round {number}: a mix of two index versions"
        committed = now == states[target]
        outcomes.append("finished" if finished_first else "committed" if committed else "killed")
        state = target if committed else state

    # the next run is not stopped by the lock file or confused by leftovers, and equals a clean build
    done = run(["index", str(corpus.base), str(corpus.more), "--index", str(index_dir), "--wait", "0"])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(index_dir) == corpus.clean_both
    print("index folder after the final run:", sorted(os.listdir(index_dir)))
    engine = Engine(index_dir)
    try:
        for path, word in list(corpus.more_words.items())[::30]:
            assert [r.source for r in engine.search(SearchRequest(q=word)).results] == [path]
    finally:
        engine.close()
    print(f"kill -9 rounds: {len(outcomes)}; {', '.join(f'{outcomes.count(o)} {o}' for o in sorted(set(outcomes)))}")
    assert outcomes.count("killed") >= ROUNDS // 3, outcomes  # the kills really interrupted runs
