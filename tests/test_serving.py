"""web/serving.py: `kamerzoek serve --processes N`, N processes on one socket, a supervisor over them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.http_load import HOST, get, server
from bench.measure import children
from tests.reliability.procs import ESTABLISHED, KAMERZOEK, LISTEN, tcp_sockets


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def _wait(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _total(port: int, q: str) -> int:
    code, body = get(port, f"/api/search?q={q}")
    assert code == 200
    return int(json.loads(body)["total"])


def test_two_processes_answer_and_a_killed_one_is_replaced(seed_index: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with server(seed_index, log, threads=2, processes=2) as running:
        port, supervisor = running["port"], running["pid"]
        workers = children(supervisor)
        assert len(workers) == 2
        expected = _total(port, "Rusland")
        assert expected > 0
        assert {_total(port, "Rusland") for _ in range(20)} == {expected}  # both answer alike
        os.kill(workers[0], signal.SIGKILL)
        assert _wait(lambda: len(children(supervisor)) == 2 and workers[0] not in children(supervisor))
        assert {_total(port, "Rusland") for _ in range(10)} == {expected}
        survivors = children(supervisor)
    assert _wait(lambda: not any(_alive(p) for p in survivors))  # stopped with the supervisor (SIGTERM)
    text = log.read_text("utf-8")
    assert f"process {workers[0]} ended (signal 9); starting another" in text
    assert "Traceback" not in text


def _connections(pid: int, port: int, closing_too: bool = False) -> int:
    """How many established TCP connections on ``port`` the process holds open (with
    ``closing_too``: and those the client closed that the process has not closed yet)."""
    inodes = {sock.inode for sock in tcp_sockets(port)
              if sock.state == ESTABLISHED or (closing_too and sock.state != LISTEN)}
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def test_kept_open_connections_are_shared_out_evenly(seed_index: Path, tmp_path: Path) -> None:
    """Four browsers at once keep four connections open: two on each process, not all on one."""
    import http.client

    with server(seed_index, tmp_path / "serve.log", threads=2, processes=2) as running:
        port, workers = running["port"], children(running["pid"])
        for _ in range(6):
            # until the processes have closed their ends of earlier connections, and so hold none
            assert _wait(lambda: [_connections(pid, port, closing_too=True) for pid in workers] == [0, 0],
                         seconds=10)
            opened = [http.client.HTTPConnection(HOST, port, timeout=30) for _ in range(4)]
            for connection in opened:
                connection.connect()
            for connection in opened:  # each is answered, so each has been accepted
                connection.request("GET", "/api/search?q=NAVO")
            for connection in opened:
                answer = connection.getresponse()
                answer.read()
                assert answer.status == 200
            held = [_connections(pid, port) for pid in workers]
            for connection in opened:
                connection.close()
            assert held == [2, 2]


def test_the_processes_stop_when_the_supervisor_is_killed(seed_index: Path, tmp_path: Path) -> None:
    with server(seed_index, tmp_path / "serve.log", threads=2, processes=2) as running:
        workers = children(running["pid"])
        os.kill(running["pid"], signal.SIGKILL)
        assert _wait(lambda: not any(_alive(p) for p in workers), seconds=10)


def test_a_port_in_use_is_said_so(seed_index: Path, tmp_path: Path) -> None:
    with server(seed_index, tmp_path / "serve.log", threads=2, processes=1) as running:
        done = subprocess.run([*KAMERZOEK, "serve", "--index", str(seed_index), "--host", HOST,
                               "--port", str(running["port"]), "--processes", "2"],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on {HOST}:{running['port']}" in done.stderr and "Try --port" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_server_asks_glibc_for_one_malloc_arena() -> None:
    import platform

    from web import serving

    assert serving.one_malloc_arena() is (platform.libc_ver()[0] == "glibc")


# A supervisor stopped while it starts its processes: os.fork is wrapped so that the supervisor
# sends itself SIGTERM right after its first fork, and the new process dawdles before it sets up
# its own signal handling, so the supervisor's SIGTERM reaches it inside that window.
_STOPPED_WHILE_STARTING = """
import os, signal, sys, time
from flask import Flask
from web import serving

real_fork, forks = os.fork, []

def fork():
    pid = real_fork()
    if pid == 0:
        time.sleep(0.3)
    else:
        forks.append(pid)
        print(pid, flush=True)
        if len(forks) == 1:
            os.kill(os.getpid(), signal.SIGTERM)
    return pid

os.fork = fork
serving.serve(Flask("stopped"), serving.listen("127.0.0.1", 0), 1, 3)
print("stopped", flush=True)
"""


def test_a_server_stopped_while_its_processes_start_stops_them_all() -> None:
    process = subprocess.Popen([sys.executable, "-c", _STOPPED_WHILE_STARTING], stdout=subprocess.PIPE,
                               text=True, cwd=Path(__file__).resolve().parents[1])
    try:
        out, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        for pid in children(process.pid):
            os.kill(pid, signal.SIGKILL)
        process.kill()
        out, _ = process.communicate()
    lines = out.split()
    assert lines[-1:] == ["stopped"], out  # the supervisor returned, on its own
    assert lines[:-1] == lines[:1]  # no process was started after the stop
    assert not _alive(int(lines[0]))
