"""Load test: many clients search `kamerzoek serve` on loopback for a fixed time; errors, latency, memory.

    make loadtest                                   # 16 clients, 60 s, the 13k corpus
    .venv/bin/python -m bench.loadtest --clients 4 --seconds 5 --corpus seeds

The index of the corpus is made once in $KAMERZOEK_LOAD_INDEX/CORPUS (default
/tmp/kamerzoek-load-index/13k) and brought up to date incrementally on later runs.
Each client is a thread with one keep-alive connection, as a browser has,
sending a seeded mix of what people do: words, phrases, filters, later
pages, letter pages, the API, the feed and now and then a CSV export or a
query full of operators (the runner is bench/http_load.py's `drive`, which
the benchmark uses too). Every non-200 answer, every failed connection and
every traceback, in an answer or in the server's log, is an error. The
server's memory is sampled all along: it must not keep growing. Traffic
goes to 127.0.0.1 only, and the run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bench.corpora import REPO, sources
from bench.http_load import Mix, Outcome, Request, drive, get, search_path, server
from bench.measure import MB, latency_summary
from bench.queries import QUERIES

SEED = 20251125
GROWTH_LIMIT = 0.20  # the last third's memory may be at most this much above the first third's
HOSTILE = ('"', "AND", "NIET NIET NIET", "(((((", "a* b* c* d*", "{{7*7}}", "' OR 1=1 --",
           "<script>alert(1)</script>", "jaar:abcd type:", "x" * 600)


def letter_ids(port: int, queries: list[str], limit: int = 50) -> list[str]:
    """Letter ids to open, from the results of the mix's own queries (not timed)."""
    found: list[str] = []
    for query in queries:
        status, body = get(port, search_path(query))
        if status == 200:
            found += [hit["id"] for hit in json.loads(body)["results"] if hit["id"] not in found]
        if len(found) >= limit:
            break
    return found[:limit] or ["bestaat-niet"]


def request_mix(rng: random.Random, ids: list[str]) -> Request:
    """One request as people make them: mostly searches, then letters; exports and odd queries now and then."""
    words = QUERIES["short"] + QUERIES["phrase"]
    query = rng.choice(words)
    roll = rng.random()
    if roll < 0.25:
        return Request("page", "/?" + urlencode({"q": query}))
    if roll < 0.40:
        return Request("api", search_path(rng.choice(words + QUERIES["long"])))
    if roll < 0.50:
        return Request("filter", "/?" + urlencode({"q": rng.choice(QUERIES["boolean+filter"])}))
    if roll < 0.58:
        params = {"q": query, "sort": rng.choice(["newest", "oldest"]), "type": rng.choice(["motie", "brief"]),
                  "jaar": str(rng.randint(1950, 2025))}
        return Request("facets", "/?" + urlencode(params))
    if roll < 0.66:
        return Request("later page", "/?" + urlencode({"q": query, "page": rng.randint(2, 6)}))
    if roll < 0.84:
        letter = quote(rng.choice(ids))
        return Request("letter", f"/brief/{letter}?" + urlencode({"q": query}) if rng.random() < 0.5
                       else f"/brief/{letter}")
    if roll < 0.90:
        return Request("api letter", f"/api/brief/{quote(rng.choice(ids))}")
    if roll < 0.95:
        return Request("feed", "/feed.atom?" + urlencode({"q": query}))
    if roll < 0.97:
        return Request("export", "/export.csv?" + urlencode({"q": query}))
    return Request("odd query", "/?" + urlencode({"q": rng.choice(HOSTILE)}))


def people(ids: list[str]) -> Mix:
    """The load test's mix: each client an endless, seeded series of ``request_mix``."""

    def requests(number: int) -> Iterator[Request]:
        rng = random.Random(SEED + number)
        while True:
            yield request_mix(rng, ids)

    return requests


def run_load(index_dir: Path, clients: int = 16, seconds: float = 60.0, threads: int = 8,
             log: Path | None = None, warmup: int = 40) -> dict[str, Any]:
    """Start the server, warm it up, load it for ``seconds`` with ``clients``; a summary as a dict.

    The server's own output goes to ``log`` (a temporary file by default); a
    traceback in it counts as an error too.
    """
    if log is None:
        with tempfile.TemporaryDirectory(prefix="kamerzoek-load-") as folder:
            return run_load(index_dir, clients, seconds, threads, Path(folder) / "serve.log", warmup)
    with server(index_dir, log, threads=threads) as running:
        port, pid = running["port"], running["pid"]
        ids = letter_ids(port, QUERIES["short"] + QUERIES["phrase"])
        warm = random.Random(SEED)
        for _ in range(warmup):  # caches filled before the memory baseline is taken
            get(port, request_mix(warm, ids).path)
        outcome = drive(port, pid, clients, people(ids), seconds, sample_every=max(0.25, seconds / 60))
    logged = log.read_text("utf-8", errors="replace")
    for _ in range(logged.count("Traceback")):
        outcome.record(Request("server log", str(log)), None, "a traceback in the server's log")
    return summarize(outcome, clients, index_dir)


def summarize(outcome: Outcome, clients: int, index_dir: Path) -> dict[str, Any]:
    every = [t for values in outcome.latencies.values() for t in values]
    wall = outcome.seconds
    memory = [rss / MB for _, rss in outcome.samples if rss]
    third = max(1, len(memory) // 3)
    first, last = memory[:third], memory[-third:]
    first_mean = sum(first) / len(first) if first else 0.0
    last_mean = sum(last) / len(last) if last else 0.0
    growth = (last_mean - first_mean) / first_mean if first_mean else 0.0
    return {
        "index": str(index_dir), "clients": clients, "seconds": round(wall, 1),
        "requests": len(every) + len(outcome.errors), "errors": len(outcome.errors),
        "error_examples": outcome.errors[:5],
        "throughput_rps": round(len(every) / wall, 1) if wall else 0.0,
        "latency_ms": _rounded(latency_summary(every)),
        "by_kind": {kind: _rounded(latency_summary(values)) for kind, values in sorted(outcome.latencies.items())},
        "memory_mb": {"samples": len(memory), "start": round(memory[0] if memory else 0.0, 1),
                      "first_third": round(first_mean, 1),
                      "last_third": round(last_mean, 1), "max": round(max(memory, default=0.0), 1),
                      "growth": round(growth, 3), "stable": growth <= GROWTH_LIMIT},
        "load_average": os.getloadavg()[0],
    }


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 1) for k, v in values.items()}


def markdown(result: dict[str, Any]) -> str:
    latency, memory = result["latency_ms"], result["memory_mb"]
    lines = [
        "| clients | s | requests | errors | throughput | p50 | p95 | p99 | server RSS: first → last third (max) |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {result['clients']} | {result['seconds']} | {result['requests']:,} | {result['errors']} "
        f"| {result['throughput_rps']} req/s | {latency['p50']} ms | {latency['p95']} ms | {latency['p99']} ms "
        f"| {memory['first_third']} → {memory['last_third']} MB ({memory['max']} MB) |",
        "",
        "| request | n | p50 | p95 | p99 |",
        "|---|---|---|---|---|",
    ]
    for kind, values in result["by_kind"].items():
        lines.append(f"| {kind} | {int(values['n'])} | {values['p50']} ms | {values['p95']} ms | {values['p99']} ms |")
    return "\n".join(lines)


def ensure_index(corpus: str, index_dir: Path) -> None:
    """Make the corpus's index, or bring it up to date (a no-op run only hashes the files)."""
    paths = [str(p) for p in sources(corpus)]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise SystemExit(f"corpus {corpus}: {', '.join(missing)} not found; set KAMERZOEK_CORPUS")
    command = [str(Path(sys.executable).parent / "kamerzoek"), "index", *paths, "--index", str(index_dir)]
    print(f"indexing {corpus} into {index_dir} (the first time takes minutes)", file=sys.stderr, flush=True)
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8, help="server threads (kamerzoek serve --threads)")
    parser.add_argument("--corpus", default="13k", help="seeds or 13k (bench/corpora.py)")
    parser.add_argument("--index", type=Path, help="index folder (default: $KAMERZOEK_LOAD_INDEX/CORPUS, "
                        "$KAMERZOEK_LOAD_INDEX defaulting to /tmp/kamerzoek-load-index)")
    parser.add_argument("--out", type=Path, help="also write the result as JSON here")
    parser.add_argument("--log", type=Path, help="the server's output (default: serve.log beside the index)")
    args = parser.parse_args(argv)
    args.index = args.index or Path(os.environ.get("KAMERZOEK_LOAD_INDEX", "/tmp/kamerzoek-load-index")) / args.corpus
    ensure_index(args.corpus, args.index)
    log = args.log or args.index.parent / f"serve-{args.corpus}.log"
    result = run_load(args.index, args.clients, args.seconds, args.threads, log)
    result["corpus"] = args.corpus
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1), "utf-8")
    print(json.dumps(result, indent=1))
    print()
    print(markdown(result))
    failed = result["errors"] > 0 or not result["memory_mb"]["stable"]
    if failed:
        print(f"\nFAILED: {result['errors']} errors; memory growth {result['memory_mb']['growth']:.0%} "
              f"(limit {GROWTH_LIMIT:.0%}); the server's log: {log}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
