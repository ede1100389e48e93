"""How things are measured: child processes and their peak memory, percentiles, sizes, machine."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpora import REPO

MB = 1024 * 1024


@dataclass
class ChildRun:
    result: dict[str, Any]
    wall: float  # seconds, process start to exit (imports included)
    peak_tree_mb: float  # highest summed RSS of the process and its descendants, sampled
    samples: int = 0
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def run_child(args: list[str], timeout: float = 6 * 3600) -> ChildRun:
    """Run ``python -m bench.jobs ARGS`` and sample the memory of its whole process tree.

    Each build runs in its own process so that its peak is its own, and the peak
    includes worker processes (our build uses one per core).
    """
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bench.jobs", *args], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]  # bytes, samples
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(process.pid))
            peak[1] += 1
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    except BaseException:  # timeout, Ctrl-C, SIGTERM: leave no build running behind us
        _kill_tree(process.pid)
        process.communicate()
        raise
    finally:
        done.set()
        sampler.join()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"bench.jobs {' '.join(args)} failed ({process.returncode}):\n"
                           f"{err[-4000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1])
    return ChildRun(result, wall, peak[0] / MB, peak[1], err[-2000:])


def _kill_tree(pid: int) -> None:
    stack, found = [pid], []
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children(current))
    for member in found:
        try:
            os.kill(member, signal.SIGKILL)
        except OSError:
            pass


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone)."""
    return _over_tree(pid, rss)


def tree_pss(pid: int) -> int:
    """Proportional set size of a process and all its descendants, in bytes: each page shared by
    n of them counts 1/n in each, so forked processes that share their parent's pages are not
    counted once per process as RSS counts them (0 once it is gone)."""
    return _over_tree(pid, _pss)


def _over_tree(pid: int, measure: Callable[[int], int]) -> int:
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        total += measure(current)
        stack.extend(children(current))
    return total


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss(pid)  # no smaps_rollup (before Linux 4.14): RSS, an upper bound


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def rss(pid: int) -> int:
    return status(pid).get("VmRSS", 0)


def status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS) and friends of a process, in bytes."""
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("Vm") and line.rstrip().endswith("kB"):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return values


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "p99": percentile(ms, 99), "mean": sum(ms) / len(ms) if ms else float("nan")}


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def source_bytes(paths: list[Path]) -> int:
    return sum(dir_size(p) if p.is_dir() else p.stat().st_size for p in paths)


def machine() -> dict[str, Any]:
    model = ""
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle
                          if line.startswith("model name")), "")
    except OSError:
        pass
    memory = 0
    try:
        with open("/proc/meminfo") as handle:
            memory = int(handle.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(), "cpu_model": model, "memory_gb": round(memory / 1024**3, 1),
        "python": platform.python_version(), "platform": platform.platform(),
        "load_at_start": os.getloadavg()[0], "code": git_state(),
    }


CODE = ("index", "search", "web", "kamerzoek", "bench", "seeds")


def snapshot_code(cache: Path) -> Path:
    """A copy of the code and seeds/, so that one run measures one version of it.

    The work tree is shared and changes while a run of an hour goes on; children
    started from the copy all run the code that was there when the run began.
    """
    digest = hashlib.sha256()
    for top in CODE:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and not _ignored(path):
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    target = cache / "code" / digest.hexdigest()[:12]
    if not target.exists():
        temporary = target.with_name(target.name + ".tmp")
        shutil.rmtree(temporary, ignore_errors=True)
        for top in CODE:
            shutil.copytree(REPO / top, temporary / top,
                            ignore=shutil.ignore_patterns("__pycache__", "results", ".*"))
        os.replace(temporary, target)
    return target


def _ignored(path: Path) -> bool:
    return any(part in ("__pycache__", "results") or part.startswith(".")
               for part in path.relative_to(REPO).parts)


def git_state() -> str:
    """The commit of the work tree, and whether the code differs from it."""
    if os.environ.get("KAMERZOEK_BENCH_CODE"):
        return os.environ["KAMERZOEK_BENCH_CODE"]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *CODE],
                               cwd=REPO, text=True, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted changes" if dirty.strip() else "")
