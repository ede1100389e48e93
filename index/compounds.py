"""Closed compounds split into parts that the index itself knows as words.

"luchtverdediging" -> ("lucht", "verdediging"), "landsverdediging" -> ("land", "verdediging")
(with the linking -s-, -e- or -en-), so a search for the part finds the compound. No
dictionary is needed: a part counts as a word when enough indexed letters use it on its own.
The guards against nonsense splits are the rules below, each with a golden test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

MIN_WORD = 9  # characters: shorter words are rarely compounds worth splitting ("bestaan", "verkeer")
MIN_HEAD = 5  # the last part ("verdediging") carries the meaning; "wijs" in "onderwijs" is too short
MIN_MODIFIER = 4  # "kust", "land", "zelf"; shorter prefixes are mostly prefixes ("be", "ver", "ont")
MIN_LETTERS = 2  # passages a short part (4 letters) must occur in on its own: one sighting is no evidence
LONG_PART = 5  # a part of 5 letters or more is evidence enough when seen once on its own
LINKERS = ("", "s", "en", "e")  # the linking sounds of Dutch compounds: lands-, boeken-, ziekte-
MAX_PARTS = 3

Frequency = Callable[[str], int] | Mapping[str, int]


def _df(frequency: Frequency, word: str) -> int:
    if callable(frequency):
        return frequency(word)
    return frequency.get(word, 0)


def known_part(part: str, frequency: Frequency) -> bool:
    """A word of its own in the index: long enough, and seen on its own often enough for its length."""
    if len(part) < MIN_MODIFIER:
        return False
    return _df(frequency, part) >= (1 if len(part) >= LONG_PART else MIN_LETTERS)


def split(word: str, frequency: Frequency) -> tuple[str, ...] | None:
    """The parts of a folded closed compound, or None when it is not one (by the index's words).

    A split needs a head of at least MIN_HEAD letters and a modifier of at least MIN_MODIFIER
    (after its linker), both used on their own in the index (known_part), and the compound
    must not be more common than its head: "ondertekening" is not "onder" + "tekening", because
    "ondertekening" is by far the more common word. The longest known head wins; the modifier may
    split again ("luchtverdedigingssysteem" -> lucht, verdediging, systeem).
    """
    if len(word) < MIN_WORD or not word.isalpha():
        return None
    own = _df(frequency, word)
    for cut in range(MIN_MODIFIER, len(word) - MIN_HEAD + 1):
        head, modifier = word[cut:], word[:cut]
        head_df = _df(frequency, head)
        if not known_part(head, frequency) or own > head_df:
            continue
        for linker in LINKERS:
            if linker and not modifier.endswith(linker):
                continue
            base = modifier[: len(modifier) - len(linker)] if linker else modifier
            if not known_part(base, frequency):
                continue
            front = split(base, frequency) if len(base) >= MIN_WORD else None
            parts = (front or (base,)) + (head,)
            return parts if len(parts) <= MAX_PARTS else (base, head)
    return None
