"""Run the benchmark: per corpus build, re-index, query in-process and over HTTP, beside the peers.

    python -m bench.run --corpus seeds,13k --out bench/results/latest.json
    python -m bench.run --corpus 100k --out bench/results/latest.json   # merged into the file

Results for each corpus are merged into the JSON file, so corpora can be run one
at a time. Benchmarks are not tests: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import corpora
from bench.http_load import load, server
from bench.measure import (
    MB,
    children,
    dir_size,
    git_state,
    machine,
    run_child,
    snapshot_code,
    source_bytes,
    tree_pss,
    tree_rss,
)
from bench.peers import PEERS
from bench.report import LABELS, render

ENGINES = ("ours", *PEERS)


def run_corpus(name: str, engines: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Builds first, then re-indexing, then queries: what a target compares runs side by side
    in time (our build next to the plain Whoosh build from the files, our HTTP run next to
    plain Whoosh in-process), so that a change in the machine's load hits both alike."""
    say(f"[{name}] preparing the corpus")
    pristine = corpora.sources(name)
    docs_path = corpora.documents_file(name, fresh=args.fresh)
    docs, text_bytes = 0, 0
    for doc in corpora.iter_documents(docs_path):
        docs += 1
        text_bytes += len(doc.title.encode("utf-8")) + len(doc.text.encode("utf-8"))
    work = corpora.working_copy(name)
    base = work.parent
    figures: dict[str, dict[str, Any]] = {engine: {} for engine in engines}
    result: dict[str, Any] = {
        "corpus": name, "started": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(),
        "documents": docs, "text_mb": text_bytes / MB, "source_mb": source_bytes(pristine) / MB,
        "engines": figures,
    }
    index = {engine: base / f"{engine}-index" for engine in engines}

    def step(engine: str, key: str, label: str, work_: Callable[[], Any]) -> None:
        if engine not in engines:
            return
        say(f"[{name}] {LABELS.get(engine, engine)}: {label}")
        try:
            figures[engine][key] = work_()
        except Exception as error:  # one step failing must not lose the others' figures
            say(f"[{name}] {engine} {key} failed: {error}")
            figures[engine].setdefault("errors", []).append(
                {"step": key, "error": repr(error), "traceback": traceback.format_exc()[-3000:]})

    step("ours", "build", "full build", lambda: _build(["build-ours", str(work), str(_fresh(
        index["ours"]))], index["ours"]))
    if not args.skip_end_to_end:
        files_index = base / "whoosh-files-index"
        step("whoosh", "build_files", "end-to-end build from the files", lambda: _build(
            ["build-whoosh-files", str(_fresh(files_index)), *map(str, pristine)], files_index))
        shutil.rmtree(files_index, ignore_errors=True)
    for peer in PEERS:
        step(peer, "build", "build from the cleaned text", lambda peer=peer: _build(
            ["build-peer", peer, str(docs_path), str(_fresh(index[peer]))], index[peer]))
    if not args.skip_incremental and "build" in figures.get("ours", {}):
        step("ours", "incremental", "re-index", lambda: run_incremental(work, index["ours"]))
    for engine in ("whoosh", "ours", "fts5", "tantivy"):
        if engine == "ours" and not args.skip_http and "build" in figures["ours"]:
            step("ours", "http", "queries over HTTP", lambda: run_http(index["ours"], args))
        if "build" in figures.get(engine, {}):
            step(engine, "queries", "queries in-process",
                 lambda engine=engine: _queries(engine, index[engine], args))
    return result


def _build(job: list[str], index: Path) -> dict[str, Any]:
    child = run_child(job)
    return {**child.result, "wall": child.wall, "peak_tree_mb": child.peak_tree_mb,
            "index_mb": dir_size(index) / MB}


def run_incremental(work: Path, index: Path) -> list[dict[str, Any]]:
    """Re-index after nothing, one changed, one added and one removed letter (in that order)."""
    files = sorted(p for p in work.rglob("*") if p.is_file() and p.name != "sgd-kamerstukken.jsonl"
                   and not p.name.startswith("."))
    changed, removed = files[len(files) // 2], files[len(files) // 3]
    added = work / "bench-added" / "bench-added.jsonl"
    pool = corpora.paragraph_pool()
    steps: list[dict[str, Any]] = []
    for step in ("nothing", "change", "add", "remove"):
        if step == "change":
            corpora.edit_file(changed)
        elif step == "add":
            added.parent.mkdir(exist_ok=True)
            # number -1: dossier 899 999, outside every synthetic collection
            text = corpora.synthetic_text(random.Random(corpora.SEED), -1, pool)
            added.write_text(json.dumps({"url": "bench-added", "text": text}) + "\n", "utf-8")
        elif step == "remove":
            removed.unlink()
        say(f"  after {step}")
        child = run_child(["build-ours", str(work), str(index)])
        steps.append({"step": step, **child.result, "wall": child.wall,
                      "peak_tree_mb": child.peak_tree_mb})
    return steps


def run_http(index: Path, args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    log = index.parent / "server.log"
    with server(index, log) as running:
        figures["startup_seconds"] = running["startup_seconds"]
        figures["processes"] = max(1, len(children(running["pid"])))  # forked ones serve, if any
        figures["idle_rss_mb"] = tree_rss(running["pid"]) / MB
        figures["idle_pss_mb"] = tree_pss(running["pid"]) / MB
        for clients in (1, 4):
            say(f"  {clients} client{'s' if clients > 1 else ''}")
            figures[f"clients_{clients}"] = load(running["port"], running["pid"], clients,
                                                 rounds=args.rounds, seconds=args.seconds)
    figures["log"] = str(log)
    return figures


def _queries(engine: str, index: Path, args: argparse.Namespace) -> dict[str, Any]:
    child = run_child(["queries", engine, str(index), "--seconds", str(args.seconds),
                       "--rounds", str(args.rounds)])
    return {**child.result, "peak_tree_mb": child.peak_tree_mb}


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    return folder


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def merge(out: Path, new: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"corpora": {}}
    if out.exists():
        try:
            data = json.loads(out.read_text("utf-8"))
        except ValueError:
            say(f"{out} is not valid JSON: starting a new file")
    data.setdefault("corpora", {}).update(new)
    data["machine"] = machine()
    order = {name: i for i, name in enumerate(corpora.NAMES)}
    data["corpora"] = dict(sorted(data["corpora"].items(), key=lambda kv: order.get(kv[0], 99)))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False), "utf-8")
    return data


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _pin_code(argv: list[str], out: Path) -> None:
    """Go on in a fresh process that runs from a snapshot of the code (see snapshot_code)."""
    out = out.resolve()  # before leaving the work tree
    code = snapshot_code(corpora.cache_dir())
    say(f"running from a copy of the code in {code}")
    env = dict(os.environ, KAMERZOEK_BENCH_PINNED=str(code), PYTHONPATH=str(code),
               KAMERZOEK_CORPUS=str(corpora.shared_corpus()), KAMERZOEK_BENCH_CODE=git_state())
    os.chdir(code)
    os.execve(sys.executable, [sys.executable, "-m", "bench.run", *argv,
                               "--out", str(out)], env)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="seeds,13k",
                        help=f"comma-separated, from {','.join(corpora.NAMES)}")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated, from {','.join(ENGINES)}")
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.json"))
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over every query")
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="time limit for the timed passes of one engine (at least one pass)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--skip-end-to-end", action="store_true",
                        help="skip the plain Whoosh build from the files")
    parser.add_argument("--fresh", action="store_true",
                        help="extract the peers' documents again even when cached")
    parser.add_argument("--report", action="store_true",
                        help="only print the tables of --out (add --markdown for docs)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    # SIGTERM as an exception, so that running servers and builds are stopped on the way out
    signal.signal(signal.SIGTERM, _terminate)
    if args.report:
        print(render(json.loads(args.out.read_text("utf-8")), markdown=args.markdown))
        return
    if not os.environ.get("KAMERZOEK_BENCH_PINNED"):
        _pin_code(list(sys.argv[1:] if argv is None else argv), args.out)
    names = [n.strip() for n in args.corpus.split(",") if n.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for unknown in [n for n in names if n not in corpora.NAMES]:
        parser.error(f"unknown corpus {unknown}: choose from {', '.join(corpora.NAMES)}")
    for unknown in [e for e in engines if e not in ENGINES]:
        parser.error(f"unknown engine {unknown}: choose from {', '.join(ENGINES)}")
    data: dict[str, Any] = {}
    for name in names:
        data = merge(args.out, {name: run_corpus(name, engines, args)})
        say(f"[{name}] done; results in {args.out}")
    print(render(data, only=names, markdown=args.markdown))


if __name__ == "__main__":
    main()
