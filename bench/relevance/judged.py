"""The judged seed queries: read from judged_seeds.tsv, their passage snippets resolved against our index.

A judgment names a passage by its letter and a snippet of its text, so that it
survives passage renumbering; ``resolve`` turns it into the passage id of the
index at hand, and ``letter_grades`` gives what the peers (which index whole
documents) are judged on: a letter's grade is the best grade of its passages.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from search.engine import Engine

JUDGED = Path(__file__).with_name("judged_seeds.tsv")
ANSWER = 2  # grade of a passage that answers the query; 1 is related


@dataclass(frozen=True)
class Judgment:
    grade: int
    letter: str
    snippet: str


@dataclass
class JudgedQuery:
    text: str
    judgments: list[Judgment] = field(default_factory=list)

    def letter_grades(self) -> dict[str, int]:
        grades: dict[str, int] = {}
        for j in self.judgments:
            grades[j.letter] = max(grades.get(j.letter, 0), j.grade)
        return grades


def load(path: Path = JUDGED) -> list[JudgedQuery]:
    """The queries in file order, each with its judged passages."""
    queries: dict[str, JudgedQuery] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            query = queries.setdefault(row["query"], JudgedQuery(row["query"]))
            query.judgments.append(Judgment(int(row["grade"]), row["letter"], row["snippet"]))
    return list(queries.values())


def _squeeze(text: str) -> str:
    return " ".join(text.split())


class Resolver:
    """Snippets to passage ids of one index: each must occur in exactly one passage of its letter."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._passages: dict[str, list[tuple[str, str]]] = {}

    def candidates(self, judgment: Judgment) -> list[str]:
        """The ids of the passages of the judged letter that contain the snippet."""
        if judgment.letter not in self._passages:
            letter = self.engine.letter(judgment.letter) or {"passages": []}
            self._passages[judgment.letter] = [(p["id"], _squeeze(p["text"])) for p in letter["passages"]]
        snippet = _squeeze(judgment.snippet)
        return [pid for pid, text in self._passages[judgment.letter] if snippet in text]

    def passage_grades(self, query: JudgedQuery) -> dict[str, int]:
        """Passage id -> grade; raises ValueError when a snippet does not name exactly one passage."""
        grades: dict[str, int] = {}
        for j in query.judgments:
            found = self.candidates(j)
            if len(found) != 1:
                raise ValueError(f"{query.text!r}: {j.snippet!r} is in {len(found)} passages of {j.letter}")
            grades[found[0]] = max(grades.get(found[0], 0), j.grade)
        return grades
