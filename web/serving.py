"""Serving the app with waitress in one or more processes that share one listening socket.

One Python process answers one search at a time (the engine's work holds the
interpreter), so with four people searching at once, three wait. Several
processes accept from the same socket and the kernel hands each connection to
one of them: searches run on all cores. The processes are forked from the one
that opened the index and built its tables (letters, passage layout, word
list), so they share those pages until they write to them; what each process
changes (Python's reference counts touch the objects it reads) becomes its own,
so memory grows with the number of processes, by less than a copy each
(docs/performance.md has the figures). The engine reads the index with
``os.pread`` (index/whoosh_fixes.py), which has no file position to share.

The first process is the supervisor: it starts the others, starts a new one
when one dies, and stops them all when it is stopped (Ctrl-C or SIGTERM). A
process whose supervisor is gone (kill -9) stops within a second.

A browser keeps its connection open and sends its next requests over it, so a
connection stays with the process that accepted it. Left to the kernel, the
first process to wake could take most of them: with four clients, in one of
three trials all four sat on one process and the other core idled. So each process
publishes how many connections it holds (Shares, memory shared by the
processes) and accepts only while it holds no more than any other.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.sharedctypes import RawArray
from typing import Any

from flask import Flask

IDENT = "kamerzoek"
RESTART_PAUSE = 1.0  # seconds between restarts of a process that keeps dying
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before any process starts: an address in use fails here, once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


def one_malloc_arena() -> bool:
    """Have glibc's malloc serve every thread from one arena (``mallopt(M_ARENA_MAX, 1)``), before
    the server's threads start; False where the C library has no ``mallopt`` (not glibc).

    glibc gives each thread that allocates its own arena and keeps what a request freed in that
    arena for the thread's next one, so eight threads each held the high-water mark of the
    biggest searches they had answered: a 100k server grew to 377 MB under load, 251 MB with one
    arena, at the same speed (Python allocates under its interpreter lock anyway)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, 1))
    except (OSError, AttributeError):
        return False


def serve(app: Flask, sock: socket.socket, threads: int, processes: int) -> None:
    """Serve until stopped: in this process alone, or in ``processes`` processes forked from it."""
    one_malloc_arena()
    if processes <= 1:
        _run(app, sock, threads)
        return
    gc.freeze()  # the collector would otherwise write to every shared object it visits
    _Supervisor(app, sock, threads, processes).run()


class Shares:
    """The connections each serving process holds, in memory the forked processes share: a
    process accepts a connection only while it holds no more than any other (see the module's
    docstring). A slot whose process is not running counts as full."""

    ABSENT = 1 << 62

    def __init__(self, processes: int) -> None:
        self._held = RawArray("q", [self.ABSENT] * processes)

    def __len__(self) -> int:
        return len(self._held)

    def leave(self, slot: int) -> None:
        self._held[slot] = self.ABSENT

    def may_accept(self, slot: int, held: int) -> bool:
        """Publish that the process in ``slot`` holds ``held`` connections; whether it may take one more."""
        self._held[slot] = held
        return held <= min(self._held)

    def attach(self, server: Any, slot: int) -> None:
        """Have a waitress server listen only while its process may accept (its own conditions too:
        waitress asks its listening socket's ``readable()`` on every turn of its loop)."""
        own = server.readable

        def readable() -> bool:
            ready = bool(own())
            return self.may_accept(slot, len(server._map)) and ready

        server.readable = readable


def _run(app: Flask, sock: socket.socket, threads: int, shares: Shares | None = None, slot: int = 0) -> None:
    from waitress.server import create_server

    logging.basicConfig()  # as waitress.serve does: its warnings reach the log
    server = create_server(app, sockets=[sock], threads=threads, ident=IDENT)
    if shares is not None:
        shares.attach(server, slot)
    server.run()


class _Supervisor:
    def __init__(self, app: Flask, sock: socket.socket, threads: int, processes: int) -> None:
        self._app, self._sock, self._threads = app, sock, threads
        self._shares = Shares(processes)
        self._children: dict[int, int] = {}  # pid -> its slot in the shares
        self._stopping = False

    def run(self) -> None:
        previous = signal.signal(signal.SIGTERM, self._stop)
        try:
            for slot in range(len(self._shares)):
                if not self._stopping:  # a SIGTERM may come while the processes start
                    self._start(slot)
            while self._children:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                except KeyboardInterrupt:
                    self._stop()
                    continue
                slot = self._children.pop(pid, None)
                if slot is None:
                    continue
                self._shares.leave(slot)
                if not self._stopping:
                    print(f"kamerzoek serve: process {pid} ended ({_how(status)}); starting another",
                          file=sys.stderr, flush=True)
                    time.sleep(RESTART_PAUSE)
                    if not self._stopping:
                        self._start(slot)
        finally:
            self._stop()
            for pid in list(self._children):
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
            signal.signal(signal.SIGTERM, previous)

    def _stop(self, *_: object) -> None:
        self._stopping = True
        for pid in list(self._children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                self._children.pop(pid, None)

    def _start(self, slot: int) -> None:
        """Fork one serving process. SIGTERM is held back across the fork: the supervisor learns the
        new pid before its handler can run (else a stop would miss the new process, and the
        supervisor would wait for it for ever), and the new process takes it only once it has
        its own handling (else it would run the supervisor's handler and go on serving)."""
        parent = os.getpid()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        pid = os.fork()
        if pid:
            self._children[pid] = slot
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            return
        code = 0
        try:  # the forked process: never returns into the supervisor's code
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a SIGTERM held back ends it here
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C reaches the whole group
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            threading.Thread(target=_stop_when_orphaned, args=(parent,), daemon=True).start()
            _run(self._app, self._sock, self._threads, self._shares, slot)
        except BaseException as error:  # noqa: BLE001 - report and leave; the supervisor restarts
            print(f"kamerzoek serve: process {os.getpid()} failed: {error}", file=sys.stderr, flush=True)
            code = 1
        finally:
            os._exit(code)


def _stop_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"
