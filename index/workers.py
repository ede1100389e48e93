"""Indexing on every core: worker processes read, clean and analyse, and each writes a segment.

index/build.py hands over the work (index/ingest.py's units) in order and gets the results back
in the same order; for each it decides what the letters are called (a second file claiming a
Kamerstuk gets a suffix) and tells the worker that holds them to write them. The letters'
text never travels back: the main process sees only their names (records.LetterName).

Chunk ``c`` of the work goes to worker ``c % count``, and each worker writes its letters in
the order it was given them, so the same files give the same segments: ids, index and ranking
do not depend on which process was quicker. Workers are forked (no re-import, whatever the
main module), close their copies of the index's locks first (a killed run must not leave
its lock held by a worker) and stop when the main process is gone.

A worker never ends its writer with Whoosh's ``cancel()``: that removes the temporary folder
all writers of the index share. Its unfinished files are left to Whoosh's clean-up at the
next commit.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import index as whoosh_index

from index.ingest import FileResult, Unit, process_unit
from index.records import LetterName
from index.schema import add_letter
from index.segment import BulkSegmentWriter

CHUNK = 16  # files per message to a worker
AHEAD = 2  # chunks a worker may be given before the main process has taken its results
POLL = 1.0  # seconds between checks that the other side is still there


class InProcess:
    """The same work in this process, writing with the main writer (small runs)."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def results(self, work: Iterable[Unit | FileResult]) -> Iterator[FileResult]:
        for item in work:
            yield item if isinstance(item, FileResult) else process_unit(item)

    def write(self, result: FileResult, ids: list[str]) -> None:
        for letter, new_id in zip(result.letters, ids, strict=True):
            if new_id != letter.id:
                letter.rename(new_id)
            add_letter(self.writer, letter, result.path, result.filehash)

    def segments(self) -> list[Any]:
        return []

    def cancel(self) -> None:
        pass


class WorkerError(RuntimeError):
    """A worker process failed (its traceback is in the message) or died; the run is cancelled."""


class Processes:
    """``count`` worker processes, each writing a segment of its own."""

    def __init__(self, index_dir: str, count: int, locks: list[int]) -> None:
        context = multiprocessing.get_context("fork")
        self.commands = [context.Queue() for _ in range(count)]
        self.replies = [context.Queue() for _ in range(count)]
        self.processes = [
            context.Process(target=_serve, name=f"kamerzoek-index-{w}", daemon=True,
                            args=(index_dir, self.commands[w], self.replies[w], os.getpid(), locks))
            for w in range(count)
        ]
        for process in self.processes:
            process.start()
        self._owners: deque[int] = deque()  # worker of each result handed out and not yet written

    def results(self, work: Iterable[Unit | FileResult]) -> Iterator[FileResult]:
        chunks = _chunks(work)
        count = len(self.processes)
        in_flight: deque[int] = deque()
        sent = 0

        def send() -> None:
            nonlocal sent
            chunk = next(chunks, None)
            if chunk is not None:
                worker = sent % count
                self.commands[worker].put(("work", chunk))
                in_flight.append(worker)
                sent += 1

        for _ in range(count * AHEAD):
            send()
        while in_flight:
            worker = in_flight.popleft()
            for result in self._receive(worker, "results"):
                self._owners.append(worker)
                yield result
            send()

    def write(self, result: FileResult, ids: list[str]) -> None:
        self.commands[self._owners.popleft()].put(("write", ids))

    def segments(self) -> list[Any]:
        for commands in self.commands:
            commands.put(("finish", None))
        found = [self._receive(w, "segment") for w in range(len(self.processes))]
        for process in self.processes:
            process.join()
        return [segment for segment in found if segment is not None]

    def cancel(self) -> None:
        for commands in self.commands:
            commands.put(("cancel", None))
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join()

    def _receive(self, worker: int, expected: str) -> Any:
        while True:
            try:
                kind, payload = self.replies[worker].get(timeout=POLL)
            except queue.Empty:
                process = self.processes[worker]
                if not process.is_alive():
                    raise WorkerError(f"indexing worker {worker} stopped unexpectedly "
                                      f"(exit code {process.exitcode})") from None
                continue
            if kind == "error":
                raise WorkerError(f"indexing worker {worker} failed:\n{payload}")
            assert kind == expected, (kind, expected)
            return payload


def _chunks(work: Iterable[Unit | FileResult]) -> Iterator[list[Unit | FileResult]]:
    """Up to CHUNK files a message; a part of a many-document file is a message of its own."""
    chunk: list[Unit | FileResult] = []
    for item in work:
        if isinstance(item, Unit) and item.documents is not None:
            if chunk:
                yield chunk
                chunk = []
            yield [item]
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _light(result: FileResult) -> FileResult:
    names: list[Any] = [LetterName(letter.id, letter.source, letter.passage_count) for letter in result.letters]
    return FileResult(result.path, result.filehash, names, result.skipped, result.notes,
                      result.unchanged, result.last)


def _serve(index_dir: str, commands: Any, replies: Any, parent: int, locks: list[int]) -> None:
    """A worker process: work → results (names only), write → letters into its segment,
    finish → the segment, cancel → nothing written."""
    for fd in locks:  # the main process's, inherited by the fork
        os.close(fd)
    try:
        writer = BulkSegmentWriter(whoosh_index.open_dir(index_dir), _lk=False)
        pending: deque[FileResult] = deque()  # results whose letters wait for their names
        while True:
            try:
                command, payload = commands.get(timeout=POLL)
            except queue.Empty:
                if os.getppid() != parent:  # the main process is gone: so is its run
                    writer._close_segment()
                    return
                continue
            if command == "work":
                results = [item if isinstance(item, FileResult) else process_unit(item) for item in payload]
                pending.extend(results)
                replies.put(("results", [_light(r) for r in results]))
            elif command == "write":
                InProcess(writer).write(pending.popleft(), payload)
            elif command == "finish":
                if writer._added:
                    replies.put(("segment", writer._finalize_segment()))
                else:
                    writer._close_segment()
                    replies.put(("segment", None))
                return
            else:
                writer._close_segment()
                return
    except BaseException:  # reported by the main process (WorkerError), not printed here too
        replies.put(("error", traceback.format_exc()))
        sys.exit(1)
