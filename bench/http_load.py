"""Query latency over HTTP: `kamerzoek serve` in a child process, loaded by 1 and 4 clients.

Loopback only; every run is bounded in requests and in time; the server is
always stopped afterwards, also when a request fails.
"""

from __future__ import annotations

import http.client
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.measure import MB, latency_summary, status, tree_rss
from bench.queries import QUERIES

HOST = "127.0.0.1"


@contextmanager
def server(index_dir: Path, log: Path, threads: int = 8, timeout: float = 120.0,
           ) -> Iterator[dict[str, Any]]:
    """Start `kamerzoek serve` on a free port; yields {"port", "pid", "startup_seconds"}.

    The server's output goes to ``log`` (a pipe nobody reads would fill up and stall it).
    """
    port = free_port()
    command = str(Path(sys.executable).parent / "kamerzoek")
    started = time.monotonic()
    with open(log, "w") as output:
        process = subprocess.Popen(
            [command, "serve", "--index", str(index_dir), "--host", HOST, "--port", str(port),
             "--threads", str(threads)], stdout=output, stderr=subprocess.STDOUT)
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


def load(port: int, pid: int, clients: int, rounds: int = 5, seconds: float = 90.0,
         ) -> dict[str, Any]:
    """Every query ``rounds`` times (after one warm-up pass) from ``clients`` threads.

    Each client keeps one connection open, as a browser does. Reports latency per
    query set, throughput, errors, and the server's memory while under load.
    """
    for queries in QUERIES.values():  # warm-up, not timed
        for query in queries:
            get(port, search_path(query))
    work: queue.Queue[tuple[str, str]] = queue.Queue()
    for _ in range(rounds):
        for kind, queries in QUERIES.items():
            for query in queries:
                work.put((kind, query))
    timings: dict[str, list[float]] = {kind: [] for kind in QUERIES}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    peak = [0]
    stop = threading.Event()

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            while time.monotonic() < deadline:
                try:
                    kind, query = work.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    code, _ = get(port, search_path(query), connection)
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=60)
                    with lock:
                        errors.append(f"{query}: {error!r}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    if code == 200:
                        timings[kind].append(elapsed)
                    else:
                        errors.append(f"{query}: HTTP {code}")
        finally:
            connection.close()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    every = [t for values in timings.values() for t in values]
    memory = status(pid)
    return {
        "clients": clients, "requests": len(every), "errors": len(errors),
        "error_examples": errors[:3], "seconds": wall,
        "throughput_rps": len(every) / wall if wall else 0.0,
        "kinds": {k: latency_summary(v) for k, v in timings.items()},
        "all": latency_summary(every),
        "server_rss_mb": memory.get("VmRSS", 0) / MB,
        "server_hwm_mb": memory.get("VmHWM", 0) / MB,
        "server_peak_sampled_mb": peak[0] / MB,
    }
