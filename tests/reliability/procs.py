"""Child processes as a user starts them: `kamerzoek index` (run, timed, measured or killed) and index snapshots."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_SCRIPT = Path(sys.executable).parent / "kamerzoek"
# The installed console script, as a user runs it; the module form where there is none.
KAMERZOEK = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c",
                                                      "from kamerzoek.cli import main; main()"]
# Root reads any file whatever its mode: without these two capabilities it is refused like anyone.
NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float  # the highest RSS of the child (or of a waited-for descendant)


def without_read_override() -> list[str]:
    """The command prefix under which a file with mode 000 really cannot be read.

    A normal user needs none. Root bypasses file permissions through the
    capabilities CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; `setpriv` (util-linux)
    drops them from the bounding set, so the kernel refuses root like anyone else.
    """
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        raise RuntimeError("running as root without `setpriv` (util-linux): cannot make a file unreadable")
    return NO_OVERRIDE


def run(args: list[str], prefix: list[str] | None = None, timeout: float = 600.0,
        cwd: Path | None = None) -> Finished:
    """Run ``kamerzoek ARGS`` to the end; its own peak RSS comes from wait4(2), not from sampling."""
    started = time.monotonic()
    with open(os.devnull, "rb") as stdin, _Capture() as out, _Capture() as err:
        process = subprocess.Popen([*(prefix or []), *KAMERZOEK, *args], stdin=stdin, stdout=out.handle,
                                   stderr=err.handle, cwd=cwd or ROOT, start_new_session=True)
        timer = threading.Timer(timeout, _kill_group, [process.pid])
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        return Finished(process.returncode, out.text(), err.text(), time.monotonic() - started,
                        usage.ru_maxrss / 1024)


def start(args: list[str]) -> subprocess.Popen[bytes]:
    """Start ``kamerzoek ARGS`` in a session of its own, so that kill() reaches its workers too."""
    return subprocess.Popen([*KAMERZOEK, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)


def kill(process: subprocess.Popen[bytes]) -> None:
    """kill -9 the process and every process it started (the indexing workers)."""
    _kill_group(process.pid)
    process.wait()
    if process.stderr:
        process.stderr.close()


def finish(process: subprocess.Popen[bytes], timeout: float = 300.0) -> tuple[int, str]:
    """Wait for a started process; its exit code and standard error."""
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(process)
        raise
    return process.returncode, err.decode("utf-8", "replace")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class _Capture:
    """A temporary file for a child's output: no pipe to drain while we wait4() on it."""

    def __enter__(self) -> _Capture:
        import tempfile

        self.handle = tempfile.TemporaryFile()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def text(self) -> str:
        self.handle.seek(0)
        return self.handle.read().decode("utf-8", "replace")


# -- what an index holds ---------------------------------------------------------------------


def snapshot(index_dir: Path) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every document in the index as plain data, per kind, for comparing two indexes.

    {"letter": {id: stored fields}, "passage": {id: stored fields}, ...}: each
    document's stored fields as a sorted tuple of (name, value), so letters,
    passages, text and any record kept with a letter are compared whole.
    Deleted documents are not seen, as a searcher does not see them.
    """
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index_dir))
    kinds: dict[str, dict[str, tuple[Any, ...]]] = {"letter": {}, "passage": {}}
    try:
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                stored = tuple(sorted(fields.items(), key=lambda item: item[0]))
                kinds.setdefault(fields.get("kind", ""), {})[fields["id"]] = stored
    finally:
        ix.close()
    return kinds


def sources_in(snapshot_: dict[str, dict[str, tuple[Any, ...]]]) -> set[str]:
    """The sources of the letters in a snapshot ("file.jsonl#3" for a line of a JSON-lines file)."""
    return {dict(fields)["source"] for fields in snapshot_["letter"].values()}


def parse_summary(stdout: str) -> tuple[list[str], list[str]]:
    """The note lines and the skipped lines that `kamerzoek index` printed ("SOURCE: TEXT").

    Its output: a summary line, "  SOURCE: NOTE" lines, then "Skipped N:" and
    "  SOURCE: REASON" lines. Sources are matched by entries_for(), so a ": " in
    a file name cannot split a line in the wrong place.
    """
    notes: list[str] = []
    skipped: list[str] = []
    target = notes
    for line in stdout.splitlines():
        if line.startswith("Skipped "):
            target = skipped
        elif line.startswith("  "):
            target.append(line[2:])
    return notes, skipped


def entries_for(lines: list[str], source: str) -> list[str]:
    """The texts printed for ``source`` (and for its parts: "file.jsonl#3") among parse_summary's lines."""
    found = []
    for line in lines:
        for sep in (": ", "#"):
            if line.startswith(source + sep):
                found.append(line[len(source):].lstrip(":# "))
                break
    return found


LISTEN, ESTABLISHED = "0A", "01"  # socket states in /proc/net/tcp


@dataclass(frozen=True)
class TcpSocket:
    address: str  # the local address as the kernel's table writes it (hex; 8 digits for IPv4)
    state: str
    inode: str


def tcp_sockets(port: int) -> list[TcpSocket]:
    """The machine's TCP sockets (IPv4 and IPv6) whose local port is ``port``, from /proc/net."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hexport = fields[1].rsplit(":", 1)
            if int(hexport, 16) == port:
                found.append(TcpSocket(address, fields[3], fields[9]))
    return found

