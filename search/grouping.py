"""Passages grouped per letter, letters ranked, and counted for the facets: by letter ordinal.

A letter is a number here (its ordinal in search/docsets.py's Layout), not its id, and its facts
are in arrays by ordinal (LetterTable): a phrase of common words selects tens of thousands of
letters ("verzoekt de regering": 41,724 of the 100k), and a tuple per passage, a list per letter
and a lookup of each letter by id in a dict of 100,000 were most of such a search (about 0.6 s
of its 0.9 s; docs/performance.md). Each letter's passages are made into hits only for the
letters a page shows (Hits).
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, compress, islice
from operator import itemgetter, ne

from index.metadata import format_dossier
from search.docsets import Layout

SECOND, THIRD = 0.3, 0.1  # weight of a letter's second and third best passage in its score

Hit = tuple[float, int, int]  # a passage's score, its number in its letter, its docnum


@dataclass(frozen=True)
class LetterInfo:
    """What grouping, sorting and facets need of a letter, kept in memory per index version."""

    id: str
    date: str
    doctype: str
    dossier: str
    signatories: tuple[str, ...]  # each once
    # the facets' keys, worked out once per index version ("": not counted)
    year: str = ""
    dossier_label: str = ""  # "28 676"

    @classmethod
    def of(cls, letter_id: str, date: str, doctype: str, dossier: str,
           signatories: tuple[str, ...]) -> LetterInfo:
        """The keys are interned: thousands of letters share a year, type or dossier, and one
        object for each keeps the table small in each server process (a search's reference
        counts would otherwise un-share a page per letter it counts)."""
        names = tuple(sys.intern(name) for name in dict.fromkeys(signatories))
        return cls(letter_id, date, sys.intern(doctype), dossier, names, sys.intern(date[:4]),
                   sys.intern(format_dossier(dossier)) if dossier else "")


def letter_score(scores: list[float]) -> float:
    """A letter's score from its passages' scores: the best, plus SECOND times the second best,
    plus THIRD times the third."""
    ordered = sorted(scores, reverse=True)[:3] + [0.0, 0.0, 0.0]
    return ordered[0] + SECOND * ordered[1] + THIRD * ordered[2]


def top(hits: list[Hit], count: int) -> list[Hit]:
    """A letter's best passages, ties to the earlier passage, whatever the segment layout."""
    return sorted(hits, key=lambda h: (-round(h[0], 9), h[1]))[: max(0, count)]


class Hits:
    """Each letter's passage hits, in docnum order, made when asked for: a page asks for ten."""

    def __init__(self, found: list[tuple[float, int]], numbers: array[int],
                 runs: dict[int, list[tuple[int, int]]]) -> None:
        self._found = found
        self._numbers = numbers
        self._runs = runs  # ordinal → its runs of ``found`` (start, end)

    @classmethod
    def none(cls) -> Hits:
        return cls([], array("q"), {})

    def get(self, ordinal: int) -> list[Hit]:
        found, numbers = self._found, self._numbers
        return [(found[i][0], numbers[found[i][1]], found[i][1])
                for start, end in self._runs.get(ordinal, ()) for i in range(start, end)]


def group(found: list[tuple[float, int]], layout: Layout) -> tuple[dict[int, float], Hits]:
    """Each letter's score (letter_score over its passages) by ordinal, and its hits, from the
    (score, docnum) of every record a query matched, in docnum order. A letter's records are
    consecutive docnums, so its passages are one run of ``found``: the runs are cut where the
    letter changes (compared in C, not a step per passage in Python)."""
    if not found:
        return {}, Hits.none()
    values = list(map(itemgetter(0), found))
    owners = list(map(layout.letter_of.__getitem__, map(itemgetter(1), found)))
    cuts = [0, *compress(range(1, len(owners)), map(ne, islice(owners, 1, None), owners)), len(owners)]
    scores: dict[int, float] = {}
    runs: dict[int, list[tuple[int, int]]] = {}
    for start, end in zip(cuts[:-1], cuts[1:], strict=True):
        owner = owners[start]
        if owner < 0:
            continue  # a letter or acronym record, not a passage
        spans = runs.get(owner)
        if spans is None:
            runs[owner] = [(start, end)]
            # one passage: its own score, as letter_score gives it (x + 0.3 * 0.0 + 0.1 * 0.0 == x)
            scores[owner] = values[start] if end - start == 1 else letter_score(values[start:end])
        else:  # the letter's records in two runs (an index not written a letter at a time)
            spans.append((start, end))
            scores[owner] = letter_score([values[i] for a, b in spans for i in range(a, b)])
    return scores, Hits(found, layout.numbers, runs)


@dataclass(frozen=True)
class Coded:
    """One fact of every letter as a number into its values; value 0 is "" (not counted)."""

    values: list[str]
    codes: array[int]  # ordinal → index into values

    @classmethod
    def of(cls, facts: Iterable[str]) -> Coded:
        numbers: dict[str, int] = {"": 0}
        codes = array("I", (numbers.setdefault(fact, len(numbers)) for fact in facts))
        return cls(list(numbers), codes)

    def count(self, ordinals: list[int]) -> dict[str, int]:
        values = self.values
        return {values[code]: n for code, n in Counter(map(self.codes.__getitem__, ordinals)).items() if code}


@dataclass(frozen=True)
class LetterTable:
    """The letters' facts by ordinal: for ranking (ties by id, dates) and the facets, counted over
    arrays instead of a LetterInfo looked up by id per letter. Per index version."""

    order: array[int]  # ordinal → place of its id among all ids sorted
    dates: list[str]  # ordinal → ISO date, "" when unknown
    year: Coded
    doctype: Coded
    dossier: Coded  # as the facet shows it: "28 676"
    names: list[str]  # the signatories' names
    signatories: list[tuple[int, ...]]  # ordinal → its signatories, as indexes into names

    @classmethod
    def of(cls, layout: Layout, info: Mapping[str, LetterInfo]) -> LetterTable:
        """The table for the layout's letters; a letter without info has no date and no facets."""
        unknown = LetterInfo("", "", "", "", ())
        facts = [info.get(letter_id, unknown) for letter_id in layout.ids]
        order = array("I", [0]) * len(layout.ids)
        for place, ordinal in enumerate(sorted(range(len(layout.ids)), key=layout.ids.__getitem__)):
            order[ordinal] = place
        names: dict[str, int] = {}
        signatories = [tuple(names.setdefault(name, len(names)) for name in item.signatories) for item in facts]
        return cls(order, [item.date for item in facts], Coded.of(item.year for item in facts),
                   Coded.of(item.doctype for item in facts), Coded.of(item.dossier_label for item in facts),
                   list(names), signatories)


def rank(scores: Mapping[int, float], table: LetterTable, sort: str, pinned: int | None) -> list[int]:
    """The letters (ordinals) in their order: by score (ties by id), or by date (undated last,
    by id); ``pinned`` first."""
    order = table.order
    letters = sorted(scores, key=order.__getitem__)
    if sort == "relevance":
        letters.sort(key=scores.__getitem__, reverse=True)  # stable: equal scores stay by id
    else:
        dates = table.dates
        dated = sorted((o for o in letters if dates[o]), key=lambda o: (dates[o], order[o]),
                       reverse=sort == "newest")
        letters = dated + [o for o in letters if not dates[o]]
    if pinned is not None:
        letters = [pinned] + [o for o in letters if o != pinned]
    return letters


def facets(letters: list[int], table: LetterTable) -> dict[str, dict[str, int]]:
    """Letters per year, type, dossier and signatory, most first (years newest first)."""
    names = table.names
    signatory = {names[code]: n for code, n in
                 Counter(chain.from_iterable(map(table.signatories.__getitem__, letters))).items()}

    def ordered(counts: dict[str, int]) -> dict[str, int]:
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    return {"year": dict(sorted(table.year.count(letters).items(), reverse=True)),
            "type": ordered(table.doctype.count(letters)), "dossier": ordered(table.dossier.count(letters)),
            "signatory": ordered(signatory)}
