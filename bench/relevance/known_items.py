"""Known-item queries over the XML motions: a motion's own subject as the query, the motion as the answer.

A motion with an inline ``OVERHEIDop.documenttitel`` such as "Motie van het lid Ceder over
het verlengen van de regeling …" gives two queries:

- long: the title after its first " over ", as written, less an editorial "(t.v.v. 29665-541)"
  or "t.v.v. 36800-22" note (it names the motion this one replaces, not the subject, and
  reads as a Kamerstuk reference);
- short: the three longest words of the long form that are not stopwords (Snowball's Dutch
  list, as index/data/stopwords_nl.txt), in their original order, ties to the earlier word.
  A word is a run of letters and digits, with hyphens, dots and apostrophes inside it
  ("SodM-adviezen", "azc's"); quotes and a leading hyphen ("-leuzen") are not part of it.
  The longest words are the subject nouns a user would pick ("gaswinning", "Groningen"),
  where the first three would often be the motion's verb ("verzoeken", "zorgen", "komen").

Motions whose long form is shared by another motion (identical titles) have no single answer
and are left out, as are motions whose id two files claim. Everything is deterministic; a
sample is drawn with ``random.Random(SEED)`` from the sorted list.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from bench.relevance.corpus import Collection
from index.analysis import fold, is_stopword

SEED = 20251125
TITLE_META = "OVERHEIDop.documenttitel"
_NOTE = re.compile(r"\s*(?:\(t\.v\.v\.[^)]*\)|\bt\.v\.v\.\s+[\w-]+)")
_WORD = re.compile(r"\w(?:[\w'’.-]*\w)?")


@dataclass(frozen=True)
class KnownItem:
    id: str  # the motion's letter id: the answer
    title: str
    long: str
    short: str


def document_title(path: str) -> str | None:
    """The inline documenttitel of an officielebekendmakingen XML file (entities never expanded)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(path, parser).getroot()
    except (etree.XMLSyntaxError, OSError):
        return None
    for meta in root.iter("meta"):
        if meta.get("name") == TITLE_META and (content := meta.get("content")):
            return " ".join(content.split())
    return None


def long_form(title: str) -> str | None:
    if " over " not in title:
        return None
    subject = _NOTE.sub("", title.split(" over ", 1)[1]).strip()
    return subject or None


def short_form(long: str, words: int = 3) -> str:
    """The ``words`` longest non-stopwords, in their original order (ties to the earlier word)."""
    candidates = []
    for position, match in enumerate(_WORD.finditer(long)):
        word = match.group()
        if not any(c.isalpha() for c in word) or is_stopword(fold(word)):
            continue
        candidates.append((position, word))
    chosen = sorted(candidates, key=lambda pw: (-len(pw[1]), pw[0]))[:words]
    return " ".join(word for _, word in sorted(chosen))


def generate(collection: Collection) -> tuple[list[KnownItem], dict[str, int]]:
    """Every usable motion, sorted by id, and counts of what was left out and why."""
    twice = collection.claimed_twice()
    items: list[KnownItem] = []
    counts = {"files": 0, "with_title": 0, "without_over": 0, "claimed_twice": 0, "same_title": 0}
    for letter_id, path in sorted(collection.files().items()):
        counts["files"] += 1
        if Path(path).suffix != ".xml" or not (title := document_title(path)):
            continue
        counts["with_title"] += 1
        long = long_form(title)
        if long is None:
            counts["without_over"] += 1
            continue
        if letter_id in twice:
            counts["claimed_twice"] += 1
            continue
        items.append(KnownItem(letter_id, title, long, short_form(long)))
    shared: dict[str, int] = {}
    for item in items:
        key = fold(item.long)
        shared[key] = shared.get(key, 0) + 1
    unique = [item for item in items if shared[fold(item.long)] == 1]
    counts["same_title"] = len(items) - len(unique)
    return unique, counts


def sample(items: list[KnownItem], size: int | None) -> list[KnownItem]:
    if not size or size >= len(items):
        return items
    return sorted(random.Random(SEED).sample(items, size), key=lambda item: item.id)
