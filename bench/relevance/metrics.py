"""Scores of one ranked list against graded judgments, and their means over a query set.

success@k: an answer (grade >= ANSWER) is among the first k results. MRR@10: 1/rank of the
first answer in the top 10, else 0. nDCG@10: graded gains 2^g - 1 with a log2(rank + 1)
discount, divided by the ideal ordering of all judged items (so an answer that is missing
from the list costs as much as one ranked too low).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

KS = (1, 3, 10)
DEPTH = 10
NAMES = ("s@1", "s@3", "s@10", "MRR@10", "nDCG@10")


def first_answer(ranked: Sequence[str], grades: Mapping[str, int], answer: int) -> int | None:
    """The 1-based rank of the first result graded ``answer`` or better, if any."""
    for rank, item in enumerate(ranked, start=1):
        if grades.get(item, 0) >= answer:
            return rank
    return None


def dcg(gains: Iterable[int]) -> float:
    return sum(float(2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(gains, start=1))


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], depth: int = DEPTH) -> float:
    seen: set[str] = set()
    gains = []
    for item in ranked[:depth]:
        gains.append(0 if item in seen else grades.get(item, 0))  # a repeat earns nothing
        seen.add(item)
    ideal = dcg(sorted(grades.values(), reverse=True)[:depth])
    return dcg(gains) / ideal if ideal else 0.0


def score(ranked: Sequence[str], grades: Mapping[str, int], answer: int = 1) -> dict[str, float]:
    """success@1/3/10, MRR@10 and nDCG@10 of one ranked list."""
    rank = first_answer(ranked[:DEPTH], grades, answer)
    scores = {f"s@{k}": float(rank is not None and rank <= k) for k in KS}
    scores["MRR@10"] = 1.0 / rank if rank is not None else 0.0
    scores["nDCG@10"] = ndcg(ranked, grades)
    return scores


def mean(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over the queries."""
    if not rows:
        return {name: 0.0 for name in NAMES}
    return {name: sum(r[name] for r in rows) / len(rows) for name in NAMES}
