"""What one child process of the benchmark does: a build or a query run, reported as JSON on stdout.

    python -m bench.jobs build-ours SRC INDEX
    python -m bench.jobs build-peer whoosh DOCS.jsonl INDEX
    python -m bench.jobs build-whoosh-files INDEX SRC...
    python -m bench.jobs queries ours|whoosh|fts5|tantivy INDEX [--seconds 90] [--rounds 5]

Run by bench.run through bench.measure.run_child, which samples the process tree's memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from bench.measure import MB, latency_summary, status
from bench.queries import QUERIES, for_peer


def build_ours(source: str, index_dir: str) -> dict[str, Any]:
    from index.build import build

    started = time.perf_counter()
    summary = build([source], Path(index_dir))
    return {"seconds": time.perf_counter() - started, "documents": summary.total_letters,
            "written": summary.letters, "passages": summary.passages, "added": summary.added,
            "updated": summary.updated, "removed": summary.removed,
            "unchanged": summary.unchanged, "skipped": len(summary.skipped)}


def build_peer(name: str, docs_path: str, index_dir: str) -> dict[str, Any]:
    from bench.corpora import iter_documents
    from bench.peers import PEERS

    docs = list(iter_documents(Path(docs_path)))  # loaded before the clock starts
    text_bytes = sum(len(d.title.encode("utf-8")) + len(d.text.encode("utf-8")) for d in docs)
    started = time.perf_counter()
    stats = PEERS[name]().build(docs, Path(index_dir))
    return {"seconds": time.perf_counter() - started, "text_bytes": text_bytes, **stats}


def build_whoosh_files(sources: list[str], index_dir: str) -> dict[str, Any]:
    from bench.peers import WhooshPeer

    started = time.perf_counter()
    stats = WhooshPeer().build_files(sources, Path(index_dir))
    return {"seconds": time.perf_counter() - started, **stats}


def run_queries(engine: str, index_dir: str, seconds: float, rounds: int) -> dict[str, Any]:
    """Every query of every set: one warm-up pass, then up to ``rounds`` timed passes."""
    search, dropped = _searcher(engine, Path(index_dir))
    hits: dict[str, list[int]] = {}
    for kind, queries in QUERIES.items():  # warm-up: open files, fill the OS cache
        hits[kind] = [search(q) for q in queries]
    timings: dict[str, list[float]] = {kind: [] for kind in QUERIES}
    deadline = time.monotonic() + seconds
    done = 0
    while done < rounds and (done == 0 or time.monotonic() < deadline):
        for kind, queries in QUERIES.items():
            for query in queries:
                started = time.perf_counter()
                search(query)
                timings[kind].append(time.perf_counter() - started)
        done += 1
    every = [t for values in timings.values() for t in values]
    memory = _own_memory()
    return {"rounds": done, "kinds": {k: latency_summary(v) for k, v in timings.items()},
            "all": latency_summary(every), "hits": hits, "dropped_filters": dropped, **memory}


def _searcher(engine: str, index_dir: Path) -> tuple[Any, list[str]]:
    """A function query -> number of letters shown, doing a result page's work."""
    if engine == "ours":
        from search.engine import Engine
        from search.results import SearchRequest

        ours = Engine(index_dir)

        def search(query: str) -> int:
            return len(ours.search(SearchRequest(q=query, limit=10, passages=3)).results)

        return search, []
    from bench.peers import PEERS

    peer = PEERS[engine]()
    peer.open(index_dir)
    translated = {q: for_peer(q, peer.dialect) for qs in QUERIES.values() for q in qs}
    dropped = sorted({f for t in translated.values() for f in t.dropped})

    def peer_search(query: str) -> int:
        return len(peer.search(translated[query].text, limit=10))

    return peer_search, dropped


def _own_memory() -> dict[str, float]:
    values = status(os.getpid())
    return {"rss_mb": values.get("VmRSS", 0) / MB, "hwm_mb": values.get("VmHWM", 0) / MB}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs")
    sub = parser.add_subparsers(dest="job", required=True)
    ours = sub.add_parser("build-ours")
    ours.add_argument("source")
    ours.add_argument("index")
    peer = sub.add_parser("build-peer")
    peer.add_argument("engine")
    peer.add_argument("docs")
    peer.add_argument("index")
    files = sub.add_parser("build-whoosh-files")
    files.add_argument("index")
    files.add_argument("sources", nargs="+")
    queries = sub.add_parser("queries")
    queries.add_argument("engine")
    queries.add_argument("index")
    queries.add_argument("--seconds", type=float, default=90.0)
    queries.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    import index  # noqa: F401 - its location is reported: which copy of the code ran

    if args.job == "build-ours":
        result = build_ours(args.source, args.index)
    elif args.job == "build-peer":
        result = build_peer(args.engine, args.docs, args.index)
    elif args.job == "build-whoosh-files":
        result = build_whoosh_files(args.sources, args.index)
    else:
        result = run_queries(args.engine, args.index, args.seconds, args.rounds)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["maxrss_self_mb"] = usage.ru_maxrss / 1024  # kB on Linux
    result["maxrss_children_mb"] = children.ru_maxrss / 1024
    result["code"] = str(Path(sys.modules["index"].__file__ or "").parent.parent)
    result["cpu_seconds"] = (usage.ru_utime + usage.ru_stime + children.ru_utime
                             + children.ru_stime)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
