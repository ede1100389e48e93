"""What the index holds of each file: its hash, its letters, and how the file looked when hashed.

A re-index has to find the one changed file among 100,000. Reading every letter record's
stored fields to learn the files and their hashes took 3.6 s at 100k documents, and hashing
every file 6 s more when the files were not in the system's cache (docs/performance.md).
This table holds the same facts in one JSON file beside the index, written after each
commit, and a file whose size, modification time, change time and inode are what the table
recorded is taken as unchanged without being read, as git and rsync take it.

When the table is not trusted, the index's own records are read, as before:

- the table names the index version it was written for (the generation and the segments'
  random names, so an index made anew cannot pass for the one before); another version
  means a run was stopped between its commit and writing the table, or the table belongs
  to an index that was since rebuilt: the table is ignored;
- a file's look is only recorded when its modification and change times are at least
  ``RACY_NS`` older than the moment it was looked at (git's "racy" rule): a file written
  again within the same tick of the clock would otherwise look unchanged.

A change to a file always moves its change time (ctime), which no program can set back, so
a rewrite that keeps the size and restores the modification time is still seen.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILES = "kamerzoek-files.json"
VERSION = 1  # of the table's format
RACY_NS = 2_000_000_000  # a look within two seconds of a file's last write is not recorded

Look = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass
class FileFacts:
    hash: str
    letters: list[str]
    look: Look | None = None  # None: hash the file next time


def look_at(path: str) -> tuple[Look | None, int]:
    """The file's look and the moment it was taken (None when it cannot be stat'ed)."""
    now = time.time_ns()
    try:
        st = os.stat(path)
    except OSError:
        return None, now
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino), now


def recordable(look: Look | None, taken_ns: int) -> Look | None:
    """The look, if it is old enough to be trusted next time (see the module's docstring)."""
    if look is None or max(look[1], look[2]) > taken_ns - RACY_NS:
        return None
    return look


def index_version(ix: Any) -> str:
    """What the table is valid for: the index's generation and its segments."""
    toc = ix._read_toc()
    return f"{toc.generation}:" + ",".join(sorted(segment.segment_id() for segment in toc.segments))


def load(index_dir: Path, ix: Any) -> dict[str, FileFacts] | None:
    """The table, if it was written for this version of the index; None otherwise."""
    try:
        data = json.loads((index_dir / FILES).read_text("utf-8"))
        if data.get("format") != VERSION or data.get("index") != index_version(ix):
            return None
        return {path: FileFacts(entry[0], list(entry[1]), _look(entry[2]))
                for path, entry in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def save(index_dir: Path, ix: Any, facts: dict[str, FileFacts]) -> None:
    """Write the table for the index's latest version (atomically: a reader sees the old or the
    new one)."""
    data = {"format": VERSION, "index": index_version(ix),
            "files": {path: [f.hash, f.letters, list(f.look) if f.look else None]
                      for path, f in sorted(facts.items())}}
    replace_file(index_dir / FILES, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def replace_file(path: Path, text: str) -> None:
    """Write a file beside the index so that a reader sees the old text or the new, never a part."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def _look(value: Any) -> Look | None:
    if value is None:
        return None
    size, mtime, ctime, inode = (int(v) for v in value)
    return size, mtime, ctime, inode

