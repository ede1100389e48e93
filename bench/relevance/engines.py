"""Each engine behind one call for the harness: a query as the user types it -> ranked letters (and passages).

Ours receives the query as typed, through ``Engine.search`` (the result page's work: top
letters with their best passages). A peer receives ``bench.queries.for_peer(query)``: the
same words in its own syntax, parsed by the peer as ``bench.peers`` configures it, with no
fallback the peer would not make itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.peers import PEERS
from bench.queries import for_peer
from search.engine import Engine
from search.results import SearchRequest

DEPTH = 10


@dataclass
class Ranked:
    letters: list[str]
    passages: list[str] = field(default_factory=list)  # ours only: the shown passages, letter by letter
    sent: str = ""  # what the engine received
    error: str | None = None


class Ours:
    name = "ours"

    def __init__(self, engine: Engine, passages: int = 3) -> None:
        self.engine = engine
        self.passages = passages

    def search(self, query: str) -> Ranked:
        result = self.engine.search(SearchRequest(q=query, limit=DEPTH, passages=self.passages))
        return Ranked([r.id for r in result.results], [p.id for r in result.results for p in r.passages],
                      sent=query)

    def close(self) -> None:
        self.engine.close()


class Peer:
    def __init__(self, name: str, index_dir: Path) -> None:
        self.name = name
        self.peer = PEERS[name]()
        self.peer.open(index_dir)

    def search(self, query: str) -> Ranked:
        sent = for_peer(query, self.peer.dialect).text
        if not sent.strip():
            return Ranked([], sent=sent)
        try:
            hits = self.peer.search(sent, DEPTH)
        except Exception as error:  # noqa: BLE001 - a peer's parse error is a query with no results
            return Ranked([], sent=sent, error=f"{type(error).__name__}: {error}")
        return Ranked([hit_id for hit_id, _ in hits], sent=sent)

    def close(self) -> None:
        self.peer.close()


def open_engine(name: str, index_dir: Path, passages: int = 3) -> Ours | Peer:
    return Ours(Engine(index_dir), passages) if name == "ours" else Peer(name, index_dir)
