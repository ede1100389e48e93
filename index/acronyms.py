"""Acronyms: learned from the letters ("Budget Internationale Veiligheid (BIV)") and a curated list.

Definitions are found with the algorithm of Schwartz and Hearst (2003, "A simple algorithm for
identifying abbreviation definitions in biomedical text"): walking the acronym and the words
before the parenthesis backwards, every letter of the acronym must occur in the long form, in
order, and its first letter must start a word. Both "long form (ACRONYM)" and "ACRONYM (long
form)" are read. The search side uses the table to let either form find the other.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from index.analysis import STOPWORDS, fold

# An acronym: 2-10 characters, a letter first, at least two capitals ("NAVO", "eFP", "MQ-9" is not one).
ACRONYM = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z][A-Za-z0-9&]{1,9}$")
PARENTHESIS = re.compile(r"\(([^()]{1,120})\)")
WORD = re.compile(r"[\w'’&-]+")


def is_acronym(token: str) -> bool:
    return bool(ACRONYM.match(token)) and fold(token) not in STOPWORDS and not token.isdigit()


def _long_form(short: str, words: list[str]) -> str | None:
    """The shortest run of trailing ``words`` that the acronym ``short`` abbreviates (Schwartz-Hearst)."""
    text = " ".join(words)
    s, position = len(short) - 1, len(text) - 1
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        while position >= 0 and (
            text[position].lower() != char or (s == 0 and position > 0 and text[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return None
        position -= 1
        s -= 1
    start = text.rfind(" ", 0, position + 1) + 1
    found = text[start:].strip(" ,;:-")
    first = found.split()[0] if found else ""
    before = text[:start].split()
    if first.islower() and before and before[-1][:1].lower() == short[:1].lower():
        found = f"{before[-1]} {found}"  # "Air and Missile ..." (AMDTF): the A is Air's, not and's
    size = len(found.split())
    if size < 2 or size > min(len(short) + 5, len(short) * 2) or short.lower() in found.lower().split():
        return None
    return found


def find_definitions(text: str) -> list[tuple[str, str]]:
    """(acronym, long form) pairs defined in ``text``, in order of first definition."""
    found: dict[tuple[str, str], None] = {}
    for match in PARENTHESIS.finditer(text):
        inside = match.group(1).strip()
        before = WORD.findall(text[max(0, match.start() - 200) : match.start()])
        if is_acronym(inside):  # long form (ACR)
            window = before[-min(len(inside) + 5, len(inside) * 2) :]
            long_form = _long_form(inside, window)
            if long_form:
                found.setdefault((inside, long_form), None)
        elif before and is_acronym(before[-1]) and len(inside.split()) >= 2:  # ACR (long form)
            words = WORD.findall(inside)
            long_form = _long_form(before[-1], words)
            if long_form and long_form == " ".join(words):
                found.setdefault((before[-1], long_form), None)
    return list(found)


@dataclass
class AcronymTable:
    """Acronym -> long forms and back, folded; curated entries first, then learned ones by frequency."""

    long_forms: dict[str, list[str]] = field(default_factory=dict)  # "vjtf" -> ["very high readiness ..."]
    acronyms: dict[str, list[str]] = field(default_factory=dict)  # "very high readiness ..." -> ["vjtf"]
    capitals_only: set[str] = field(default_factory=set)  # expand only when typed in capitals
    written: dict[str, str] = field(default_factory=dict)  # folded form -> as first written

    def add(self, acronym: str, long_form: str) -> None:
        short, full = fold(acronym), " ".join(fold(long_form).split())
        self.written.setdefault(short, acronym)
        self.written.setdefault(full, " ".join(long_form.split()))
        if full not in self.long_forms.setdefault(short, []):
            self.long_forms[short].append(full)
        if short not in self.acronyms.setdefault(full, []):
            self.acronyms[full].append(short)

    def expansions(self, typed: str) -> list[str]:
        """The long forms (or aliases) a query word stands for; none for an ordinary word."""
        short = fold(typed)
        if short not in self.long_forms:
            return []
        capitals = typed.isupper() and len(typed) >= 2
        if short in self.capitals_only and not capitals:
            return []
        return self.long_forms[short][:3]


def curated() -> list[tuple[str, str, bool]]:
    """The curated list in index/data/acronyms_nl.tsv: (acronym, long form, capitals only)."""
    text = resources.files("index").joinpath("data/acronyms_nl.tsv").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            rows.append((parts[0], parts[1], len(parts) > 2 and parts[2].strip() == "hoofdletters"))
    return rows


def build_table(learned: list[tuple[str, str]]) -> AcronymTable:
    """Curated entries, then each learned acronym's long forms by how many letters define them so."""
    table = AcronymTable()
    for acronym, long_form, capitals in curated():
        table.add(acronym, long_form)
        if capitals:
            table.capitals_only.add(fold(acronym))
    counts = Counter((fold(a), " ".join(fold(f).split()), a, f) for a, f in learned)
    for (_, _, acronym, long_form), _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add(acronym, long_form)
        table.capitals_only.add(fold(acronym))  # learned acronyms: only as typed, in capitals
    return table
