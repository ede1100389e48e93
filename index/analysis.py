"""Dutch text analysis shared by indexing and querying: tokens, folding, stopwords and stemming."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nltk.stem.snowball import DutchStemmer
from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Format, Frequency, Positions
from whoosh.system import pack_uint

# Whoosh pickles the analyzer into the index by import path (index.analysis.DutchTokenizer):
# renaming this module or class means rebuilding the index.

MAX_TOKEN = 100  # longer "words" are extraction junk (base64, lost spaces); Lucene drops them too


def _data_lines(name: str) -> list[str]:
    text = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


# --- folding ------------------------------------------------------------------------------

_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"  # ' ’ ‘ ʼ ` ´: all written as apostrophes in Dutch text
_IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen and zero-width characters
# Letters that NFKD does not decompose but a reader treats as a plain letter.
_FOLD_TABLE = str.maketrans(
    {
        **{c: "'" for c in _APOSTROPHES[1:]},
        **{c: None for c in _IGNORABLE},
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD_TABLE))
    return "".join(c for c in text if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase, drop diacritics (NFKD), write ĳ as ij and every apostrophe as '."""
    if text.isascii():
        return text.lower().replace("`", "'")
    once = _fold_once(text)
    # NFKD can yield capitals ("ℌ" -> "H") or new foldable characters: fold until stable.
    twice = _fold_once(once)
    return twice if twice == once else _fold_once(twice)


# --- stopwords ----------------------------------------------------------------------------

STOPWORDS: frozenset[str] = frozenset(fold(w) for w in _data_lines("stopwords_nl.txt"))


def is_stopword(folded_word: str) -> bool:
    """True for Snowball's Dutch stopwords (and their clitic forms 's, 't, zo'n ...)."""
    return folded_word in STOPWORDS


# --- stemming -----------------------------------------------------------------------------

_DUTCH = DutchStemmer()  # the classic Snowball (Porter) Dutch stemmer; needs no NLTK data
_EXCEPTIONS: dict[str, str] = dict(
    line.split("\t", 1) for line in _data_lines("stem_exceptions.tsv")
)
# Words that end in -ies but are not a plural of -ie (advies/adviezen, verlies/verliezen);
# matched as endings so that compounds (energieverlies, diepvries) are covered too.
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")
_IES_KEEP = ("advies", "verlies", "vlies", "vries", "precies", "kies", "commies", "servies")


def stem_with_rules(folded_word: str) -> tuple[str, tuple[str, ...]]:
    """The stem of a folded word and the names of the fixes to NLTK's stemmer that applied.

    Fixes: "exception" (stem_exceptions.tsv), "'s" (risico's -> risico), "ies" (ministeries ->
    ministerie), "ieen" (strategieën -> strategie), "undouble" (aanvall -> aanval), "v>f"
    (kamerbriev -> kamerbrief) and "z>s" (huiz -> huis). Words with digits or inner apostrophes
    (zo'n, 11e) are kept as they are.
    """
    if folded_word in _EXCEPTIONS:
        return _EXCEPTIONS[folded_word], ("exception",)
    word, rules = folded_word, []
    if word.endswith("'s") and len(word) > 2:  # plural/genitive after a vowel: collega's
        word = word[:-2]
        rules.append("'s")
    if not word.isalpha():
        return word, tuple(rules)
    # NLTK never strips -s after a vowel, so the -ie plurals (organisaties) kept their s.
    if len(word) > 5 and word.endswith("ies") and not word.endswith(_IES_KEEP):
        word = word[:-1]
        rules.append("ies")
    elif word.endswith(("ieen", "eeen")):  # ideeën, strategieën, folded: no -en split by NLTK
        word = word[:-2]
        rules.append("ieen")
    stem = _DUTCH.stem(word)
    # Snowball undoubles only kk, dd and tt after removing -en, so aanvallen (aanvall), bommen
    # and mannen missed aanval, bom and man. A Dutch word does not end in a doubled consonant
    # (loanwords such as stress and jazz lose one letter, on the query side as well).
    if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] in _CONSONANTS:
        stem = stem[:-1]
        rules.append("undouble")
    # Dutch writes a final voiced v/z as f/s (brieven/brief, huizen/huis); NLTK keeps the v/z.
    # Stems under 4 letters are left: lev(en)->lef, lez(en)->les, ov->of would be false friends.
    elif len(stem) >= 4 and stem[-1] == "v":
        stem = stem[:-1] + "f"
        rules.append("v>f")
    elif len(stem) >= 4 and stem[-1] == "z" and stem[-2] != "z":
        stem = stem[:-1] + "s"
        rules.append("z>s")
    return stem, tuple(rules)


@lru_cache(maxsize=200_000)
def stem(folded_word: str) -> str:
    """The stem the stemmed fields hold for a folded word: NLTK's Dutch Snowball plus our fixes."""
    return stem_with_rules(folded_word)[0]


# --- tokenizing ---------------------------------------------------------------------------

# Footnote marks are superscript digits in cleaned text ("(ERI)¹"); they are not part of words.
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074-\u2079"
_L = rf"[^\W_{_SUPERSCRIPTS}]"  # a letter or digit
_LETTER = rf"[^\W\d_{_SUPERSCRIPTS}]"
_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f" + _IGNORABLE + "]"
_SPACE = "[ \u00a0\u202f]"  # one space, also no-break and narrow no-break, in "28 676"
# A word part: letters/digits, combining marks (decomposed ë), and an apostrophe inside a word
# (zo'n, risico's). A leading or trailing apostrophe is a quote mark ('s-Gravenhage, ‘meetbaar’).
_ATOM = rf"{_L}(?:{_L}|{_MARKS}|[{_APOSTROPHES}](?={_LETTER}))*+"
# Between compound parts: a hyphen (also a hyphen that ends a line: defensie-\nuitgaven) or a
# bracket inside a word ((wapen)systemen, verdiept(e)). En dash, " - " and "-)" are punctuation.
_JOINER = r"(?:[-\u2010\u2011](?:\r?\n[ \t]*)?|[()])"
_TOKEN_RE = re.compile(
    # initials and dotted abbreviations: J.A., A.Th.B., d.d., o.a. (a final dot is required,
    # so a lost space after a sentence, "EU.De", is not taken for one; not after a dot, so a
    # long run of "a.a.a." is tried once, not from every letter)
    rf"(?P<abbr>(?<!{_L})(?<!\.)(?:{_LETTER}{{1,2}}\.){{2,}}+(?!{_L}))"
    # numbers: 28 676 (a 1-3 digit group, one space, 3 digits, no digit after), 1.000, 23,5, 2%
    rf"|(?P<num>(?<!{_L})(?>[0-9]{{1,3}}(?:{_SPACE}[0-9]{{3}})+(?![0-9])"
    rf"|[0-9]{{1,3}}(?:\.[0-9]{{3}})+(?![0-9])|[0-9]+)(?:,[0-9]+)?+"
    rf"(?:{_SPACE}?%(?!{_L})|(?!{_L}|[-\u2010\u2011(]{_LETTER})))"
    # words, and compounds of parts with joiners (possessive and atomic groups keep it linear)
    rf"|(?P<word>{_ATOM})(?P<more>(?:{_JOINER}{_ATOM})+)?"
)
_ATOM_RE = re.compile(_ATOM)
_NO_JOIN_ACROSS_LINES = frozenset({"en", "of", "tot", "noch"})  # veiligheids-\nen defensie
_NUMBER_DROP = str.maketrans("", "", ". \u00a0\u202f")
_NO_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)

_Info = tuple[str, str, bool]  # folded, stem, stop
_INFO: dict[str, _Info] = {}  # per distinct surface form: analysis runs once per word, not token


def _info(surface: str) -> _Info:
    info = _INFO.get(surface)
    if info is None:
        folded = fold(surface)
        if len(folded) > MAX_TOKEN:
            folded = ""
        info = (folded, stem(folded) if folded else "", folded in STOPWORDS)
        if len(_INFO) >= 200_000:
            _INFO.clear()
        _INFO[surface] = info
    return info


# start, end, folded, stem, pos, stop, joined
_Raw = tuple[int, int, str, str, int, bool, bool]


def _scan(text: str) -> Iterator[_Raw]:
    """The one tokenization behind both the Whoosh analyzer and analyze()."""
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        if kind == "word":  # the common case, kept short: a cache hit is one dict lookup
            word = m.group()
            folded, stm, stop = _INFO.get(word) or _info(word)
            if folded:
                yield start, end, folded, stm, pos, stop, False
                pos += 1
        elif kind == "more":
            joinable, prev_end = True, start
            surfaces: list[str] = []
            parts: list[_Raw] = []
            for a in _ATOM_RE.finditer(text, start, end):
                surface = a.group()
                if "\n" in text[prev_end : a.start()] and fold(surface) in _NO_JOIN_ACROSS_LINES:
                    joinable = False
                prev_end = a.end()
                surfaces.append(surface)
                folded, stm, stop = _info(surface)
                if folded:
                    parts.append((a.start(), a.end(), folded, stm, pos, stop, False))
                    pos += 1
            if not parts:
                continue
            yield parts[0]
            # the closed form (navoverdragsgebied, mq9) as a synonym at the first part's position;
            # not for number ranges (2016-2017, 3-4) where a joined form means nothing
            if joinable and not all(p.isdigit() for p in surfaces):
                folded, stm, stop = _info("".join(surfaces).translate(_NO_APOSTROPHES))
                if folded:
                    yield parts[0][0], end, folded, stm, parts[0][4], stop, True
            yield from parts[1:]
        else:  # num: 28 676 -> 28676, 1.000 -> 1000; abbr: d.d. -> dd, J.A. -> ja
            surface = m.group()
            surface = surface.translate(_NUMBER_DROP) if kind == "num" else surface.replace(".", "")
            folded, stm, stop = _info(surface)
            if folded:
                yield start, end, folded, stm, pos, stop, False
                pos += 1


# The scans of the letter being indexed, by the identity of each passage's text: the letter
# record's word counts (letter_words) and then each passage's fields read the same scan. Other
# texts (a title, a heading) are remembered one at a time. Each is replaced whole (thread-safe).
_SCANS: dict[int, tuple[str, list[_Raw]]] = {}
_LAST_SCAN: tuple[str | None, list[_Raw]] = (None, [])


def _scan_once(text: str) -> list[_Raw]:
    """_scan, remembered for the texts of the letter being indexed and for the last text."""
    global _LAST_SCAN
    entry = _SCANS.get(id(text))
    if entry is not None and entry[0] is text:
        return entry[1]
    last = _LAST_SCAN
    if last[0] is text:
        return last[1]
    raws = list(_scan(text))
    _LAST_SCAN = (text, raws)
    return raws


def letter_words(texts: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """How often each folded word (the unstemmed field) and each reversed long stem (the tails
    field) occurs in a letter's passage texts. Those two fields are vocabularies: the query side
    reads their terms and document frequencies, never their postings, so they are indexed once
    per letter, on its letter record, instead of once per passage. Remembers each text's scan
    for the passages' own fields."""
    global _SCANS
    scans: dict[int, tuple[str, list[_Raw]]] = {}
    exact: dict[str, int] = {}
    tails: dict[str, int] = {}
    for text in texts:
        raws = list(_scan(text))
        scans[id(text)] = (text, raws)
        for _, _, folded, stm, _, _, joined in raws:
            exact[folded] = exact.get(folded, 0) + 1
            if has_tail(stm, joined):
                tail = stm[::-1]
                tails[tail] = tails.get(tail, 0) + 1
    _SCANS = scans
    return exact, tails


@dataclass(frozen=True, slots=True)
class Term:
    """One token of a text, as the query side sees it."""

    original: str  # the surface form in the input ("verdragsgebied" of "NAVO-verdragsgebied")
    folded: str  # lowercased, diacritics folded, unstemmed: what the plain (exact) field holds
    stem: str  # what the stemmed fields hold
    pos: int  # position; a joined compound shares its first part's position
    start: int  # character offsets in the input
    end: int
    stop: bool  # the folded form is a stopword
    joined: bool  # the extra closed form of a compound or identifier ("navoverdragsgebied")


def analyze(text: str) -> list[Term]:
    """Tokenize ``text`` exactly as the index does, as Terms in position order."""
    return [
        Term(text[s:e], folded, stm, pos, s, e, stop, joined)
        for s, e, folded, stm, pos, stop, joined in _scan(text)
    ]


# --- word pairs ---------------------------------------------------------------------------

# The stems of the stopwords, and of the old articles and prepositions of the historical
# Kamerstukken (den, ten): the words whose postings are too long to read for a phrase ("de" is in
# two of every three passages). The stemmed fields also hold every pair of adjacent words of which
# one is such a stem ("de regering" as "de reger"), so that a phrase of common words is found by
# its pairs (search/phrases.py) instead of by every posting of "de" and "van". As Lucene's
# CommonGrams. Changing this set means rebuilding the index (index/schema.py SCHEMA_VERSION).
PAIRED: frozenset[str] = frozenset(stem(w) for w in STOPWORDS | {"den", "ten"})


def pair_term(first: str, second: str) -> str:
    """The term of two adjacent stems: a space between, which no word term holds."""
    return f"{first} {second}"


def is_paired(first: str, second: str) -> bool:
    """Whether the stemmed fields hold the pair of these two stems (when adjacent)."""
    return first in PAIRED or second in PAIRED


class DutchTokenizer(Tokenizer):  # type: ignore[misc]  # whoosh is untyped
    """A Whoosh tokenizer doing the whole analysis in one pass (speed): tokens carry the stem
    (or, unstemmed, the folded form) as ``text``, plus ``joined`` and ``stop`` flags.

    Stopwords are always indexed; only in ``mode="query"`` does ``removestops`` drop them (or,
    if False, mark them ``stopped``), as Whoosh's StopFilter does.
    """

    def __init__(self, stemmed: bool = True) -> None:
        self.stemmed = stemmed
        self.is_morph = stemmed  # Whoosh: spelling words come from no_morph=True (unstemmed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DutchTokenizer) or type(other) is not type(self):
            return False
        return other.stemmed == self.stemmed

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.stemmed))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Any]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stemmed = self.stemmed and not no_morph
        if not tokenize:  # the whole value is one term (Whoosh: ranges, prefixes)
            folded = fold(value)
            t.original = value
            t.text = stem(folded) if stemmed else folded
            t.boost, t.stopped, t.joined, t.stop = 1.0, False, False, is_stopword(folded)
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        query = mode == "query"
        for s, e, folded, stm, pos, stop, joined in _scan_once(value):
            if stop and query and removestops:
                continue
            t.text = stm if stemmed else folded
            t.boost, t.stopped, t.joined, t.stop = 1.0, stop and query, joined, stop
            if keeporiginal:
                t.original = value[s:e]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + s, start_char + e
            yield t

    def index_texts(self, value: str) -> list[tuple[str, int]]:
        """(term, position) of every token as ``__call__`` yields them in index mode."""
        return [(stm if self.stemmed else folded, pos) for _, _, folded, stm, pos, _, _ in _scan_once(value)]

    def postings(self, value: str, fmt: Format) -> list[tuple[bytes, int, float, bytes]] | None:
        """What Whoosh's ``field.index(value)`` yields, (term, frequency, weight, encoded value),
        from one pass over the tokens instead of a Token object per token through the format's
        word_values; None for a format this does not know. tests/test_analysis.py compares the two."""
        kind = type(fmt)
        if kind is not Positions and kind is not Frequency:
            return None
        grouped: dict[str, list[int]] = {}
        for text, pos in self.index_texts(value):
            seen = grouped.get(text)
            if seen is None:
                grouped[text] = [pos]
            else:
                seen.append(pos)
        boost = fmt.field_boost
        encode = fmt.encode if kind is Positions else lambda positions: pack_uint(len(positions))
        return [(text.encode("utf-8"), len(p), len(p) * boost, encode(p)) for text, p in grouped.items()]

    def pair_postings(self, value: str, fmt: Format) -> list[tuple[bytes, int, float, bytes]]:
        """The word pairs of ``value`` (see PAIRED), as ``postings`` gives words: (pair term, 0,
        weight, encoded positions), a pair at its first word's position. The frequency is 0 so
        that pairs are not counted in the field's length: BM25 sees the words only."""
        grouped: dict[str, list[int]] = {}
        before: list[str] = []  # the terms at the position before
        here: list[str] = []
        here_pos = -1
        for text, pos in self.index_texts(value):
            if pos != here_pos:
                before = here if pos == here_pos + 1 else []
                here, here_pos = [], pos
            here.append(text)
            for first in before:
                if first in PAIRED or text in PAIRED:
                    seen = grouped.setdefault(pair_term(first, text), [])
                    if not seen or seen[-1] != pos - 1:  # a joined form can repeat a pair
                        seen.append(pos - 1)
        boost = fmt.field_boost
        return [(text.encode("utf-8"), 0, len(p) * boost, fmt.encode(p)) for text, p in grouped.items()]


class TailTokenizer(DutchTokenizer):
    """Stems written backwards, for the field that finds compounds by their last part.

    A prefix search on this field for "dedrev" (verdediging's stem reversed) lists every indexed
    stem ending in "verded": luchtverded, kustverded, landsverded (search/translate.py then keeps
    those whose front is a word of its own, by the rules of index/compounds.py).
    """

    def __init__(self) -> None:
        super().__init__(stemmed=True)

    def __call__(self, value: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for token in super().__call__(value, *args, **kwargs):
            if has_tail(token.text, token.joined):
                token.text = token.text[::-1]
                yield token


TAIL_MIN = 7  # stems shorter than this are not compounds worth finding by their tail


def has_tail(stemmed: str, joined: bool) -> bool:
    """A stem the tails field holds (reversed): long enough, and not a joined form."""
    return len(stemmed) >= TAIL_MIN and not joined


def tail_analyzer() -> TailTokenizer:
    return TailTokenizer()


def dutch_analyzer() -> DutchTokenizer:
    """The analyzer of the main text fields: folded, stemmed, compounds joined and split."""
    return DutchTokenizer(stemmed=True)


def plain_analyzer() -> DutchTokenizer:
    """The analyzer of the unstemmed field (exact forms, spelling suggestions): folded only."""
    return DutchTokenizer(stemmed=False)
