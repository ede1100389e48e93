"""The collections of a relevance run and their indexes, one per engine, made once per version of index/.

Every engine sees the same text: the peers index the cleaned title and text that
``bench.corpora.extract_file`` takes from our readers; ours indexes the files
themselves. bench.corpora names the seeds and the 13k (motions and OCR'd
Kamerstukken together) but not the motions alone, so this module keeps its own
collections, under ``$KAMERZOEK_BENCH_CACHE/relevance/<name>-<version>/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.corpora import REPO, Doc, cache_dir, extract_file, iter_documents, shared_corpus
from bench.peers import PEERS
from index.build import build
from index.read import discover

COLLECTIONS = ("seeds", "motions")


def sources(name: str) -> list[Path]:
    if name == "seeds":
        return [REPO / "seeds"]
    if name == "motions":
        return [shared_corpus() / "ob-xml-moties"]
    raise ValueError(f"unknown collection {name!r}: choose from {', '.join(COLLECTIONS)}")


def version() -> str:
    """What our index and the peers' documents depend on: the code and data of index/."""
    digest = hashlib.sha256()
    root = REPO / "index"
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt", ".tsv", ".json", ".pickle"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Collection:
    name: str
    folder: Path  # everything made for this collection at this version

    @property
    def docs_path(self) -> Path:
        return self.folder / "docs.jsonl"

    def documents(self) -> Iterator[Doc]:
        return iter_documents(self.docs_path)

    def files(self) -> dict[str, str]:
        """Letter id -> the file it came from (known-item queries read their titles there)."""
        data: dict[str, str] = json.loads((self.folder / "files.json").read_text("utf-8"))["files"]
        return data

    def claimed_twice(self) -> set[str]:
        """Ids two files claim: ours and the peers suffix the second one differently."""
        return set(json.loads((self.folder / "files.json").read_text("utf-8"))["claimed_twice"])

    def index_dir(self, engine: str) -> Path:
        return self.folder / engine


def prepare(name: str, engines: list[str], fresh: bool = False, say: Any = print) -> Collection:
    """The collection's documents and an index per engine, made unless already made at this version."""
    collection = Collection(name, cache_dir() / "relevance" / f"{name}-{version()}")
    if fresh and collection.folder.exists():
        shutil.rmtree(collection.folder)
    collection.folder.mkdir(parents=True, exist_ok=True)
    if not collection.docs_path.exists():
        say(f"[{name}] extracting the cleaned documents the peers index")
        _write_documents(collection, sources(name))
    for engine in engines:
        target = collection.index_dir(engine)
        done = collection.folder / f"{engine}.done"
        if done.exists():
            continue
        if target.exists():
            shutil.rmtree(target)
        say(f"[{name}] building the {engine} index")
        if engine == "ours":
            build([str(s) for s in sources(name)], target)
        else:
            PEERS[engine]().build(collection.documents(), target)
        done.write_text(version())
    return collection


def _write_documents(collection: Collection, roots: list[Path]) -> None:
    files, _ = discover([str(r) for r in roots])
    seen: dict[str, str] = {}
    twice: set[str] = set()
    temporary = collection.docs_path.with_name("docs.jsonl.tmp")
    workers = min(os.cpu_count() or 1, 4)
    with open(temporary, "w", encoding="utf-8") as out, ProcessPoolExecutor(workers) as pool:
        for path, docs in zip(files, pool.map(extract_file, files, chunksize=16), strict=True):
            for doc in docs:
                if doc.id in seen:  # two files claim one Kamerstuk: as bench.corpora.documents_file
                    twice.add(doc.id)
                    doc.id = f"{doc.id}-{hashlib.sha1(doc.text.encode()).hexdigest()[:6]}"
                seen[doc.id] = path
                out.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
    listing = {"files": seen, "claimed_twice": sorted(twice)}
    (collection.folder / "files.json").write_text(json.dumps(listing, ensure_ascii=False), "utf-8")
    os.replace(temporary, collection.docs_path)
