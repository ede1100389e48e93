"""Crashes: kill -9 of `kamerzoek index` at random points never costs the previous index, and the next run repairs all.

Each round starts `kamerzoek index` in a session of its own and kills the whole
process group (its worker processes too) after a
seeded random share of such a run's time, or at a moment: its first file in
the index folder, or its commit. The rounds alternate between adding 120
letters and removing them again (their folder emptied), on one index folder,
so the leftovers of every kill (lock file, half-written segments) stay for the
next run to cope with. `make loadtest` runs a longer series
(KAMERZOEK_KILL_ROUNDS); the summary line is printed for `pytest -s`.
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
    more: Path  # 120 letters (enough for the parallel writer) that the runs add and remove
    base_words: dict[str, str]
    more_words: dict[str, str]
    seconds: dict[str, float]  # how long a run takes that reaches the state: "both" (adds), "base" (removes)
    states: dict[str, dict[str, object]]  # snapshots of clean builds: "base", "both"

    def show_more(self, shown: bool) -> None:
        """The 120 letters in their folder, or an empty folder: the next run adds or removes them."""
        hidden = self.more.with_name(self.more.name + "-weg")
        if shown and hidden.exists():
            self.more.rmdir()
            hidden.rename(self.more)
        elif not shown and not hidden.exists():
            self.more.rename(hidden)
            self.more.mkdir()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("crash")
    base = folder / "basis"
    shutil.copytree(ROOT / "seeds", base / "seeds")
    base_words = write_letters(base / "brieven", 20)
    more_words = write_letters(folder / "meer", 120, start=1000)
    corpus = Corpus(base, folder / "meer", base_words, more_words, {}, {})
    sources = [str(base), str(corpus.more)]
    for state, shown in (("base", False), ("both", True), ("base", False)):
        corpus.show_more(shown)
        done = run(["index", *sources, "--index", str(folder / "schoon")])
        assert done.returncode == 0, done.stderr
        corpus.seconds[state] = done.seconds  # the last "base" run is a removal
        corpus.states.setdefault(state, snapshot(folder / "schoon"))
    return corpus


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
    sources = [str(corpus.base), str(corpus.more)]
    known, known_word = next(iter(corpus.base_words.items()))

    # a first build, killed: there is no previous index, and the next run makes one
    corpus.show_more(False)
    process = start(["index", *sources, "--index", str(index_dir)])
    time.sleep(rng.uniform(0.1, 0.9) * corpus.seconds["base"])
    kill(process)
    try:
        Engine(index_dir).close()
    except NoIndex as error:
        assert "run `kamerzoek index" in str(error) or "index your files again" in str(error)
    done = run(["index", *sources, "--index", str(index_dir)])
    assert done.returncode == 0, done.stderr
    assert snapshot(index_dir) == corpus.states["base"]

    state = "base"
    outcomes = []
    for number in range(ROUNDS):
        target = "both" if state == "base" else "base"
        corpus.show_more(target == "both")
        process = start(["index", *sources, "--index", str(index_dir)])
        if number % 6 in MOMENTS:
            _wait_for(MOMENTS[number % 6], process, index_dir)
        else:
            time.sleep(rng.uniform(0.05, 0.95) * corpus.seconds[target])
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
        assert now in (corpus.states[state], corpus.states[target]), f"round {number}: a mix of two versions"
        committed = now == corpus.states[target]
        outcomes.append("finished" if finished_first else "committed" if committed else "killed")
        state = target if committed else state

    # the next run is not stopped by the lock file or confused by leftovers, and equals a clean build
    corpus.show_more(True)
    done = run(["index", *sources, "--index", str(index_dir), "--wait", "0"])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(index_dir) == corpus.states["both"]
    engine = Engine(index_dir)
    try:
        for path, word in list(corpus.more_words.items())[::30]:
            assert [r.source for r in engine.search(SearchRequest(q=word)).results] == [path]
    finally:
        engine.close()
    leftovers = [name for name in os.listdir(index_dir) if name.endswith((".pst", ".trm", ".col", ".tmp"))]
    print(f"kill -9 rounds: {len(outcomes)}: {', '.join(f'{outcomes.count(o)} {o}' for o in sorted(set(outcomes)))};"
          f" files of killed runs left after the final run: {len(leftovers)}")
    assert outcomes.count("killed") >= ROUNDS // 3, outcomes  # the kills really interrupted runs
