"""Passages grouped per letter, letters ranked, and counted for the facets: by letter ordinal.

A letter is a number here (its ordinal in search/docsets.py's Layout), not its id, and its facts
are in arrays by ordinal (LetterTable): a phrase of common words selects tens of thousands of
letters ("verzoekt de regering": 41,724 of the 100k), and a tuple per passage, a list per letter
and a lookup of each letter by id in a dict of 100,000 were most of such a search (about 0.6 s
of its 0.9 s; docs/performance.md). The per-letter work is done over numpy arrays, a few passes
in C however many letters match (grouping, ranking and counting the 41,724 letters took about
90 ms in Python's own loops, dicts and Counters). Each letter's passages are made into hits only
for the letters a page shows (Hits).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from index.metadata import format_dossier
from search.docsets import Floats, Ints, Layout

SECOND, THIRD = 0.3, 0.1  # weight of a letter's second and third best passage in its score

FACET_VALUES = 100  # values listed per facet at most (the years: all), most first

Hit = tuple[float, int, int]  # a passage's score, its number in its letter, its docnum
_NO_INTS: Ints = np.zeros(0, np.int64)


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

    def __init__(self, values: Floats, docs: Ints, owners: Ints, numbers: array[int]) -> None:
        self._values = values  # every matched record's score, docnum and letter (-1: not a passage)
        self._docs = docs
        self._owners = owners
        self._numbers = numbers

    @classmethod
    def none(cls) -> Hits:
        return cls(np.zeros(0), _NO_INTS, _NO_INTS, array("q"))

    def get(self, ordinal: int) -> list[Hit]:
        chosen = np.flatnonzero(self._owners == ordinal)
        numbers = self._numbers
        return [(score, numbers[docnum], docnum)
                for score, docnum in zip(self._values[chosen].tolist(), self._docs[chosen].tolist(), strict=True)]


class LetterScores(Mapping[int, float]):
    """Letters' scores by ordinal, as two arrays: the ordinals ascending, and their scores."""

    def __init__(self, ordinals: Ints, scores: Floats) -> None:
        self.ordinals = ordinals
        self.scores = scores

    @classmethod
    def of(cls, scores: Mapping[int, float]) -> LetterScores:
        """The same scores as arrays (a dict from another path, or these already)."""
        if isinstance(scores, LetterScores):
            return scores
        ordinals = np.fromiter(scores.keys(), np.int64, len(scores))
        values = np.fromiter(scores.values(), np.float64, len(scores))
        order = np.argsort(ordinals)
        return cls(ordinals[order], values[order])

    def __getitem__(self, ordinal: int) -> float:
        place = int(np.searchsorted(self.ordinals, ordinal))
        if place < len(self.ordinals) and self.ordinals[place] == ordinal:
            return float(self.scores[place])
        raise KeyError(ordinal)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ordinals.tolist())

    def __len__(self) -> int:
        return len(self.ordinals)


def group(docs: Ints, values: Floats, layout: Layout) -> tuple[LetterScores, Hits]:
    """Each letter's score (letter_score over its passages) by ordinal, and its hits, from the
    docnums of every record a query matched (ascending) and their scores. Worked out over arrays:
    the records sorted by letter and, within a letter, best first; each letter's first three make
    its score, with the same operations as letter_score in the same order (so the same floats)."""
    count = len(docs)
    if not count:
        return LetterScores(_NO_INTS, np.zeros(0)), Hits.none()
    owners = np.frombuffer(layout.letter_of, dtype=np.intc)[docs].astype(np.int64)
    order = np.lexsort((-values, owners))
    letters, ordered = owners[order], values[order]
    starts = np.flatnonzero(np.concatenate(([True], letters[1:] != letters[:-1])))
    sizes = np.diff(np.append(starts, count))
    last = count - 1
    second = np.where(sizes > 1, ordered[np.minimum(starts + 1, last)], 0.0)
    third = np.where(sizes > 2, ordered[np.minimum(starts + 2, last)], 0.0)
    scores = ordered[starts] + SECOND * second + THIRD * third
    passages = letters[starts] >= 0  # not a letter or acronym record
    return LetterScores(letters[starts][passages], scores[passages]), Hits(values, docs, owners, layout.numbers)


@dataclass(frozen=True)
class Coded:
    """One fact of every letter as a number into its values; value 0 is "" (not counted)."""

    values: list[str]
    codes: Ints  # ordinal → index into values

    @classmethod
    def of(cls, facts: Iterable[str]) -> Coded:
        numbers: dict[str, int] = {"": 0}
        codes = np.fromiter((numbers.setdefault(fact, len(numbers)) for fact in facts), np.int64)
        return cls(list(numbers), codes)

    def count(self, ordinals: Ints, limit: int | None = None) -> tuple[dict[str, int], int]:
        """Letters per value among these letters, and how many values (see _counted)."""
        return _counted(self.values, self.codes[ordinals], limit)


def _counted(values: list[str], codes: Ints, limit: int | None = None) -> tuple[dict[str, int], int]:
    """How often each value's code occurs, for the values that occur (code 0, "", not counted),
    and how many values occur. With a ``limit``, only the values counted at least as often as
    the limit-th most counted: a phrase of common words counts tens of thousands of dossiers."""
    counts = np.bincount(codes, minlength=len(values))
    counts[0] = 0
    present = np.flatnonzero(counts)
    size = len(present)
    if limit is not None and size > limit:
        threshold = np.partition(counts[present], size - limit)[size - limit]
        present = present[counts[present] >= threshold]
    return dict(zip(map(values.__getitem__, present.tolist()), counts[present].tolist(), strict=True)), size


@dataclass(frozen=True)
class LetterTable:
    """The letters' facts by ordinal: for ranking (ties by id, dates) and the facets, counted over
    arrays instead of a LetterInfo looked up by id per letter. Per index version. Numbers in
    numpy arrays: built before a server forks, they are read without writing to their pages."""

    order: Ints  # ordinal → place of its id among all ids sorted
    dates: list[str]  # ordinal → ISO date, "" when unknown
    year: Coded
    doctype: Coded
    dossier: Coded  # as the facet shows it: "28 676"
    names: list[str]  # the signatories' names, code 0 ""
    signed: Ints  # ordinal o's signatories are signers[signed[o]:signed[o + 1]]
    signers: Ints  # codes into names

    @classmethod
    def of(cls, layout: Layout, info: Mapping[str, LetterInfo]) -> LetterTable:
        """The table for the layout's letters; a letter without info has no date and no facets."""
        unknown = LetterInfo("", "", "", "", ())
        facts = [info.get(letter_id, unknown) for letter_id in layout.ids]
        order = np.empty(len(layout.ids), np.int64)
        order[np.array(sorted(range(len(layout.ids)), key=layout.ids.__getitem__), np.int64)] = np.arange(
            len(layout.ids))
        names: dict[str, int] = {"": 0}
        signers = np.fromiter((names.setdefault(name, len(names)) for item in facts for name in item.signatories),
                              np.int64)
        signed = np.concatenate(([0], np.cumsum([len(item.signatories) for item in facts], dtype=np.int64)))
        return cls(order, [item.date for item in facts], Coded.of(item.year for item in facts),
                   Coded.of(item.doctype for item in facts), Coded.of(item.dossier_label for item in facts),
                   list(names), signed, signers)

    def signatories(self, ordinals: Ints) -> Ints:
        """The codes of the letters' signatories, end to end."""
        starts, ends = self.signed[ordinals], self.signed[ordinals + 1]
        sizes = ends - starts
        # each letter's run of signers: its start, plus 0, 1, … within the run
        within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        found: Ints = self.signers[np.repeat(starts, sizes) + within]
        return found


def rank(scores: Mapping[int, float], table: LetterTable, sort: str, pinned: int | None) -> Ints:
    """The letters (ordinals) in their order: by score (ties by id), or by date (undated last,
    by id); ``pinned`` first."""
    given = LetterScores.of(scores)
    letters = given.ordinals
    if sort == "relevance":
        letters = letters[np.lexsort((table.order[letters], -given.scores))]
    else:
        dates, order = table.dates, table.order
        has_date = np.fromiter((bool(dates[o]) for o in letters.tolist()), bool, len(letters))
        dated = sorted(letters[has_date].tolist(), key=lambda o: (dates[o], int(order[o])), reverse=sort == "newest")
        undated = letters[~has_date]
        letters = np.concatenate((np.array(dated, np.int64), undated[np.argsort(order[undated])]))
    if pinned is not None:
        letters = np.concatenate((np.array([pinned], np.int64), letters[letters != pinned]))
    return letters


def facets(letters: Ints, table: LetterTable, limit: int | None = None) -> tuple[dict[str, dict[str, int]],
                                                                               dict[str, int]]:
    """Letters per year, type, dossier and signatory, most first (ties by value; years newest
    first), at most ``limit`` (FACET_VALUES) values of each but the years; and how many values each has."""
    limit = FACET_VALUES if limit is None else limit
    chosen = np.asarray(letters, np.int64)
    years, year_count = table.year.count(chosen)
    counted = {"type": table.doctype.count(chosen, limit), "dossier": table.dossier.count(chosen, limit),
               "signatory": _counted(table.names, table.signatories(chosen), limit)}
    shown = {name: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
             for name, (counts, _) in counted.items()}
    return ({"year": dict(sorted(years.items(), reverse=True)), **shown},
            {"year": year_count, **{name: size for name, (_, size) in counted.items()}})
