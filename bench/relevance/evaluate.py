"""Run a query set on one engine and score every query: judged seed queries and known-item queries.

Letter level (every engine): the ranked letters against the letters' grades. Passage level
(ours only): the passages shown for the top letters, in page order (letter 1's best passages,
then letter 2's, …), against the passages' grades: the passage that answers the query should
be among what the result page shows first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.relevance import metrics
from bench.relevance.engines import Ours, Peer
from bench.relevance.judged import ANSWER, JudgedQuery, Resolver
from bench.relevance.known_items import KnownItem


@dataclass
class Outcome:
    query: str
    sent: str  # what the engine received
    letters: list[str]
    scores: dict[str, float]
    passages: dict[str, float] | None = None  # ours, judged set only
    shown: list[str] = field(default_factory=list)  # ours: the passage ids shown
    error: str | None = None
    target: str | None = None  # known-item: the answer

    @property
    def zero(self) -> bool:
        return not self.letters

    def rank(self) -> int | None:
        """Known-item: the answer's rank in the top 10."""
        return self.letters.index(self.target) + 1 if self.target in self.letters else None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"query": self.query, "sent": self.sent,
                                "scores": {k: round(v, 4) for k, v in self.scores.items()}}
        if self.target is not None:
            data["target"] = self.target
            data["rank"] = self.rank()
        else:
            data["letters"] = self.letters
        if self.passages is not None:
            data["passages"] = {k: round(v, 4) for k, v in self.passages.items()}
            data["shown"] = self.shown
        if self.error:
            data["error"] = self.error
        return data


def judged(engine: Ours | Peer, queries: Sequence[JudgedQuery], resolver: Resolver | None = None) -> list[Outcome]:
    outcomes = []
    for query in queries:
        ranked = engine.search(query.text)
        outcome = Outcome(query.text, ranked.sent, ranked.letters,
                          metrics.score(ranked.letters, query.letter_grades(), ANSWER), error=ranked.error)
        if resolver is not None and isinstance(engine, Ours):
            outcome.shown = ranked.passages
            outcome.passages = metrics.score(ranked.passages, resolver.passage_grades(query), ANSWER)
        outcomes.append(outcome)
    return outcomes


def known_items(engine: Ours | Peer, items: Sequence[KnownItem], form: str) -> list[Outcome]:
    outcomes = []
    for item in items:
        query = item.long if form == "long" else item.short
        ranked = engine.search(query)
        outcomes.append(Outcome(query, ranked.sent, ranked.letters,
                                metrics.score(ranked.letters, {item.id: 1}), error=ranked.error,
                                target=item.id))
    return outcomes


def summary(outcomes: Sequence[Outcome], seconds: float, passages: bool = False) -> dict[str, Any]:
    rows = [o.passages for o in outcomes if o.passages is not None] if passages else [o.scores for o in outcomes]
    return {**{k: round(v, 4) for k, v in metrics.mean(rows).items()},
            "zero": sum(o.zero for o in outcomes), "errors": sum(o.error is not None for o in outcomes),
            "queries": len(rows), "seconds": round(seconds, 1)}


def timed(run: Any, *args: Any) -> tuple[list[Outcome], float]:
    started = time.perf_counter()
    outcomes = run(*args)
    return outcomes, time.perf_counter() - started
