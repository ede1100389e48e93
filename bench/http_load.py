"""Load over HTTP: `kamerzoek serve` in a child process, and threaded clients that play a request mix.

One runner (`drive`) serves both the benchmark's query latency (`load`, 1 and 4
clients over the fixed query sets) and the load test (bench/loadtest.py, a mix
of what people do). Loopback only; every run is bounded in time, and the
benchmark's also in requests; the server is always stopped afterwards, also
when a request fails.
"""

from __future__ import annotations

import http.client
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.measure import MB, latency_summary, status, tree_pss, tree_rss
from bench.queries import QUERIES

HOST = "127.0.0.1"
PSS_EVERY = 10  # memory samples per PSS sample


@contextmanager
def server(index_dir: Path, log: Path, threads: int = 8, timeout: float = 120.0,
           processes: int | None = None) -> Iterator[dict[str, Any]]:
    """Start `kamerzoek serve` on a free port; yields {"port", "pid", "startup_seconds"}.

    The server's output goes to ``log`` (a pipe nobody reads would fill up and stall it).
    ``processes``: None for the command's default (one per core).
    """
    port = free_port()
    command = str(Path(sys.executable).parent / "kamerzoek")
    started = time.monotonic()
    more = [] if processes is None else ["--processes", str(processes)]
    with open(log, "w") as output:
        process = subprocess.Popen(
            [command, "serve", "--index", str(index_dir), "--host", HOST, "--port", str(port),
             "--threads", str(threads), *more], stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(process, port, log, timeout)
        yield {"port": port, "pid": process.pid, "startup_seconds": time.monotonic() - started}
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float,
                   ) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"kamerzoek serve exited ({process.returncode}): {error}")
        try:
            status_code, _ = get(port, "/api/search?q=test")
            if status_code == 200:
                return
            raise RuntimeError(f"/api/search answered {status_code}: is the API there yet?")
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"kamerzoek serve did not answer within {timeout:.0f} s")


def get(port: int, path: str, connection: http.client.HTTPConnection | None = None,
        ) -> tuple[int, bytes]:
    own = connection is None
    connection = connection or http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def search_path(query: str) -> str:
    return "/api/search?" + urlencode({"q": query, "limit": 10})


@dataclass(frozen=True)
class Request:
    kind: str  # what the latencies are grouped by
    path: str


# A request mix: given a client's number, the requests that client sends, one after another.
# The client stops at the deadline or when its requests run out, whichever comes first.
Mix = Callable[[int], Iterator[Request]]


@dataclass
class Outcome:
    """What the clients of one run saw, and the server's memory meanwhile."""

    latencies: dict[str, list[float]] = field(default_factory=dict)  # seconds, answers without a problem
    errors: list[str] = field(default_factory=list)
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, tree RSS bytes)
    pss_samples: list[int] = field(default_factory=list)  # tree PSS bytes, every PSS_EVERY-th sample
    seconds: float = 0.0  # wall-clock time of the run
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, request: Request, seconds: float | None, problem: str | None) -> None:
        with self.lock:
            if problem is None and seconds is not None:
                self.latencies.setdefault(request.kind, []).append(seconds)
            else:
                self.errors.append(f"{request.kind}: {request.path}: {problem}")


def drive(port: int, pid: int, clients: int, mix: Mix, seconds: float, sample_every: float) -> Outcome:
    """``clients`` threads, each with one keep-alive connection as a browser has, play ``mix`` for at most
    ``seconds``, while the memory of the server's process tree is sampled every ``sample_every`` seconds.

    A failed connection, an answer other than 200 and a 200 with a traceback in it are errors; after
    a failed connection the client opens a new one and goes on.
    """
    outcome = Outcome()
    stop = threading.Event()
    started = time.monotonic()
    deadline = started + seconds

    def client(number: int) -> None:
        requests = mix(number)
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            while time.monotonic() < deadline:
                request = next(requests, None)
                if request is None:
                    return
                began = time.perf_counter()
                try:
                    code, body = get(port, request.path, connection)
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=60)
                    outcome.record(request, None, repr(error))
                    continue
                elapsed = time.perf_counter() - began
                problem = None if code == 200 else f"HTTP {code}"
                if code == 200 and b"Traceback" in body:
                    problem = "a traceback in the answer"
                outcome.record(request, elapsed, problem)
        finally:
            connection.close()

    def sample() -> None:
        count = 0
        while not stop.is_set():
            outcome.samples.append((time.monotonic() - started, tree_rss(pid)))
            if count % PSS_EVERY == 0:  # the kernel walks every page table for PSS: less often
                outcome.pss_samples.append(tree_pss(pid))
            count += 1
            stop.wait(sample_every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    outcome.seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    return outcome


def query_rounds(rounds: int) -> Mix:
    """The benchmark's mix: every query of bench/queries.py ``rounds`` times, as API searches, shared
    out over the clients from one queue (each query is sent ``rounds`` times in all, not per client)."""
    work: queue.Queue[Request] = queue.Queue()
    for _ in range(rounds):
        for kind, queries in QUERIES.items():
            for query in queries:
                work.put(Request(kind, search_path(query)))

    def requests(number: int) -> Iterator[Request]:
        while True:
            try:
                yield work.get_nowait()
            except queue.Empty:
                return

    return requests


def load(port: int, pid: int, clients: int, rounds: int = 5, seconds: float = 90.0,
         ) -> dict[str, Any]:
    """The benchmark's HTTP figures: every query ``rounds`` times (after one warm-up pass) from ``clients``.

    Reports latency per query set, throughput, errors, and the server's memory while under load.
    """
    for queries in QUERIES.values():  # warm-up, not timed
        for query in queries:
            get(port, search_path(query))
    outcome = drive(port, pid, clients, query_rounds(rounds), seconds, sample_every=0.05)
    timings = {kind: outcome.latencies.get(kind, []) for kind in QUERIES}
    every = [t for values in timings.values() for t in values]
    memory = status(pid)
    pss = tree_pss(pid)  # the kernel walks every page table of the tree: once
    wall = outcome.seconds
    return {
        "clients": clients, "requests": len(every), "errors": len(outcome.errors),
        "error_examples": outcome.errors[:3], "seconds": wall,
        "throughput_rps": len(every) / wall if wall else 0.0,
        "kinds": {k: latency_summary(v) for k, v in timings.items()},
        "all": latency_summary(every),
        "server_rss_mb": tree_rss(pid) / MB,  # all its processes
        "server_hwm_mb": memory.get("VmHWM", 0) / MB,  # the first process's peak
        "server_peak_sampled_mb": max((rss for _, rss in outcome.samples), default=0) / MB,
        "server_pss_mb": pss / MB,
        "server_peak_pss_mb": max(outcome.pss_samples + [pss]) / MB,
    }
