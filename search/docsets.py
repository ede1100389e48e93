"""Sets of passages and letters for Whoosh queries, fast; and scoring only the passages that count.

Whoosh's matchers step through postings one Python call per posting (and
several calls per level of an Or or And), which made a query over the 13k
corpus spend seconds listing which letters hold a word. Here a term's postings
are read in one read, decoded a block at a time in C (search/postings.py), into
Python sets; Or and And become set union and intersection, and phrases are
checked only on the passages that hold all their words. Scoring then visits only
the passages of the letters the boolean tree selected: Whoosh's own query
matchers run over postings cut down to those passages, and only for the terms
those passages hold (pruned_for), so the scores are Whoosh's, without
leapfrogging through the rest.

Everything here gives the same answer as Whoosh's own docs_for_query and
search (tests/test_docsets.py compares them); it reads a few private parts of
whoosh-reloaded 2.7.5's codec (pinned in pyproject.toml) and falls back to the
public API when they look different.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from itertools import compress
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import ListMatcher
from whoosh.matching.binary import IntersectionMatcher, UnionMatcher
from whoosh.matching.mcore import NullMatcherClass
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.query.ranges import TermRange
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

from index.analysis import PAIRED
from index.whoosh_fixes import Loaded, load_numbers
from search.postings import Block, blocks, read_blocks

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

DENSE = 0.25  # read a whole posting list once the documents wanted are a quarter of it
RANGED = frozenset({"date"})  # fields whose ranges DocSets.ranged answers from a table
MAX_REMEMBERED = 100_000  # document frequencies kept per index version, for ordering the work


@dataclass(frozen=True)
class Layout:
    """Which letter each record belongs to, and where a letter's records are; one per index version."""

    ids: list[str]  # letter ordinal → letter id
    ordinal: dict[str, int]  # letter id → ordinal
    record: list[int]  # ordinal → docnum of the letter record
    record_of: array[int]  # docnum of a letter record → its letter's ordinal; -1 for every other record
    letter_of: array[int]  # docnum of a passage → ordinal of its letter; -1 for every other record
    passages: list[list[int]]  # ordinal → its passages' docnums, ascending
    numbers: array[int]  # docnum → the passage's number in its letter (n)


@dataclass(frozen=True)
class Ranged:
    """A field's terms in order and the records of each: term i's records are
    ``docs[starts[i]:starts[i + 1]]``."""

    terms: list[bytes]
    starts: array[int]
    docs: array[int]

    def docs_between(self, start: bytes, end: bytes, startexcl: bool, endexcl: bool) -> set[int]:
        first = (bisect_right if startexcl else bisect_left)(self.terms, start)
        last = (bisect_left if endexcl else bisect_right)(self.terms, end)
        return set(self.docs[self.starts[first]:self.starts[last]]) if last > first else set()

    def matching(self, query: TermRange, field: Any) -> set[int]:
        """The records a TermRange matches, as Whoosh's own reading of it lists them."""
        try:
            start = b"" if query.start is None else field.to_bytes(query.start)
            end = b"\xff\xff\xff\xff" if query.end is None else field.to_bytes(query.end)
        except ValueError:
            return set()
        return self.docs_between(start, end, query.startexcl, query.endexcl)


class DocSets:
    """Docnum sets of queries over one searcher (one index version)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.leaves = list(searcher.leaf_searchers())
        self.ends = [offset + sub.doc_count_all() for sub, offset in self.leaves]
        self._frequencies = _Frequencies(searcher.reader())
        self._ranged: dict[str, Ranged] = {}

    # -- sets -------------------------------------------------------------------------------

    def term(self, field: str, text: str | bytes) -> set[int]:
        """Docnums (live records only) whose field holds the term."""
        found: set[int] = set()
        for sub, offset in self.leaves:
            found.update(map(offset.__add__, segment_ids(sub.reader(), field, text)))
        return found

    def docs(self, query: wq.Query) -> set[int]:
        """Docnums of the records the query matches, as Whoosh's docs_for_query would list them."""
        if isinstance(query, wq.Term):
            return self.term(query.fieldname, query.text)
        if isinstance(query, wq.Or):
            found: set[int] = set()
            for child in query.subqueries:
                found |= self.docs(child)
            return found
        if isinstance(query, wq.And):
            return self._all_of(query.subqueries)
        if query is wq.NullQuery:
            return set()
        if isinstance(query, wq.Phrase):  # search/phrases.py reads its rarest words and pairs
            return {docnum for _, docnum in self.scores(query, None)}
        if isinstance(query, TermRange):
            if query.fieldname in RANGED:
                return self.ranged(query.fieldname).matching(query, self.searcher.schema[query.fieldname])
            found = set()
            for field, text in query.existing_terms(self.searcher.reader(), expand=True):
                found |= self.term(field, text)
            return found
        return set(self.searcher.docs_for_query(query))

    def ranged(self, field: str) -> Ranged:
        """The field's terms in order with their records (built on first use, once per index
        version): a range of dates is then a slice instead of a read per date (a 25-year range
        names 5,000 dates of a 100k index)."""
        table = self._ranged.get(field)
        if table is None:
            # not the empty term (a letter without a date): Whoosh's range leaves it out too
            terms = [text for text in self.searcher.reader().lexicon(field) if text]
            starts = array("q", [0])
            docs = array("q")
            for text in terms:
                docs.extend(sorted(self.term(field, text)))
                starts.append(len(docs))
            table = self._ranged[field] = Ranged(terms, starts, docs)
        return table

    def load_lengths(self, fields: Iterable[str]) -> None:
        """Read the fields' document lengths now (field_lengths), not on the first search."""
        for field in fields:
            for sub, _ in self.leaves:
                field_lengths(sub.reader(), field)

    def _all_of(self, queries: Iterable[wq.Query]) -> set[int]:
        result: set[int] | None = None
        for query in sorted(queries, key=self.estimate):
            found = self.docs(query)
            result = found if result is None else result & found
            if not result:
                return set()
        return result or set()

    def estimate(self, query: wq.Query) -> int:
        """About how many records the query matches (Whoosh's estimate: an Or counts its parts)."""
        if self._frequencies.size() > MAX_REMEMBERED:
            self._frequencies = _Frequencies(self.searcher.reader())
        try:
            return int(query.estimate_size(self._frequencies))
        except Exception:  # noqa: BLE001 - an estimate only orders the work
            return 1 << 30

    def verify(self, query: wq.Query, candidates: Iterable[int]) -> set[int]:
        """The candidates the query matches (positions checked by Whoosh's own matchers)."""
        return {docnum for _, docnum in self.scores(query, sorted(candidates))}

    # -- scores -----------------------------------------------------------------------------

    def scores(self, query: wq.Query, allowed: list[int] | None) -> list[tuple[float, int]]:
        """(score, docnum) of every record the query matches among the allowed docnums (ascending;
        None: all), with the searcher's weighting: the same scores Whoosh's search gives."""
        docs, scores = self.scored(query, allowed)
        return list(zip(scores.tolist(), docs.tolist(), strict=True))

    def scored(self, query: wq.Query, allowed: list[int] | None) -> tuple[Ints, Floats]:
        """What ``scores`` gives, as two arrays: the docnums ascending, and their scores.

        With allowed docnums, Whoosh's own matchers run over postings cut down to those documents
        (see Restricted), so an And of common words does not leapfrog through the whole index.
        """
        context = self.searcher.context()
        parts: list[tuple[Ints, Floats]] = []
        if allowed is None:
            for sub, offset in self.leaves:
                parts.append(_arrays(_evaluate(query.matcher(sub, context)), offset, None))
        else:
            for sub, offset, local in self._per_segment(allowed):
                restricted = Restricted(sub, local)
                pruned = pruned_for(query, restricted.holds)
                if pruned is not None:  # a query without terms (Every) lists every document: keep the wanted
                    parts.append(_arrays(_evaluate(pruned.matcher(restricted, context)), offset, set(local)))
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate([docs for docs, _ in parts]), np.concatenate([scores for _, scores in parts])

    def _per_segment(self, docnums: list[int]) -> Iterable[tuple[Any, int, list[int]]]:
        """Ascending global docnums split per segment, as local docnums."""
        start = 0
        for (sub, offset), end in zip(self.leaves, self.ends, strict=True):
            stop = bisect_left(docnums, end, start)
            if stop > start:
                yield sub, offset, [d - offset for d in docnums[start:stop]]
            start = stop

    # -- letters ----------------------------------------------------------------------------

    def layout(self) -> Layout:
        """Read which letter every letter and passage record belongs to (once per index version)."""
        reader = self.searcher.reader()
        column = reader.column_reader("letter")
        letter_of = array("i", [-1]) * reader.doc_count_all()
        record_of = array("i", [-1]) * reader.doc_count_all()
        ids: list[str] = []
        ordinal: dict[str, int] = {}
        record: list[int] = []
        for doc in sorted(self.term("kind", "letter")):
            letter_id = _text(column[doc])
            ordinal[letter_id] = record_of[doc] = len(ids)
            ids.append(letter_id)
            record.append(doc)
        passages: list[list[int]] = [[] for _ in ids]
        for doc in sorted(self.term("kind", "passage")):
            number = ordinal.get(_text(column[doc]), -1)
            if number >= 0:
                letter_of[doc] = number
                passages[number].append(doc)
        return Layout(ids, ordinal, record, record_of, letter_of, passages, self._numbers())

    def _numbers(self) -> array[int]:
        """The n column of every record, read a segment at a time (a read per record through
        the reader's column would be a file read each)."""
        numbers = array("q")
        field = self.searcher.schema["n"]
        for sub, offset in self.leaves:
            reader = sub.reader()
            count = reader.doc_count_all()
            raw = reader.column_reader("n", translate=False) if reader.has_column("n") else None
            loaded = load_numbers(raw) if raw is not None else None
            if loaded is None:
                column = self.searcher.reader().column_reader("n")
                numbers.extend(column[offset + d] for d in range(count))
            else:
                numbers.extend(field.from_column_value(loaded[d]) for d in range(count))
        return numbers


def letters_of(docs: Collection[int], layout: Layout) -> set[int]:
    """The ordinals of the letters the passages among ``docs`` belong to."""
    return _owners(layout.letter_of, docs)


def letters_of_records(docs: Collection[int], layout: Layout) -> set[int]:
    """The ordinals of the letters whose letter records are among ``docs`` (a filter's matches)."""
    return _owners(layout.record_of, docs)


def _owners(owner_of: array[int], docs: Collection[int]) -> set[int]:
    """The distinct owners (-1: none) of the docnums, looked up in C: a filter such as type:brief
    matches hundreds of thousands of records."""
    owners = np.frombuffer(owner_of, dtype=np.intc)[np.fromiter(docs, np.int64, len(docs))]
    return set(np.unique(owners[owners >= 0]).tolist())


def passages_of(letters: Iterable[int], layout: Layout) -> list[int]:
    """The passages of these letters, ascending."""
    docs: list[int] = []
    for number in letters:
        docs.extend(layout.passages[number])
    docs.sort()
    return docs


def pruned_for(query: wq.Query, holds: Callable[[str, str | bytes], bool]) -> wq.Query | None:
    """The query without the parts that match none of the wanted documents, None when nothing is
    left: ``holds(field, text)`` says whether a term is in one of them.

    A word's compounds make an Or of hundreds of terms, of which a few letters' passages hold a
    handful; Whoosh would build (and weigh, at every level of the Or) a matcher for each. The
    documents and their scores stay the same: a union adds nothing for a part that does not
    match, an intersection or phrase with such a part matches nothing. Only the order of the
    additions can change with the shape of the Or, so a score can differ in its last bit, the
    same for equal documents. Parts that are not terms, Ors, Ands or phrases are kept as they are;
    so is an Or with a boost that would be left with one part (Whoosh drops the boost of an Or of
    one), or with a minimum match or a scale (both count the parts)."""
    kind = type(query)
    if kind is wq.Term:
        return query if holds(query.fieldname, query.text) else None
    if isinstance(query, wq.Phrase):  # not the stopwords: their postings are what phrases avoid reading
        return query if all(holds(query.fieldname, word) for word in query.words if word not in PAIRED) else None
    if kind is wq.And:
        kept = [pruned_for(child, holds) for child in query.subqueries]
        if any(child is None for child in kept):
            return None
        return _with_parts(query, kept)
    if kind is wq.Or:
        kept = [child for child in (pruned_for(c, holds) for c in query.subqueries) if child is not None]
        if not kept:
            return None
        if query.minmatch or query.scale or (len(kept) == 1 < len(query.subqueries) and query.boost != 1.0):
            return query
        return _with_parts(query, kept)
    return query


def _with_parts(query: wq.CompoundQuery, parts: list[Any]) -> wq.Query:
    if len(parts) == len(query.subqueries) and all(a is b for a, b in zip(parts, query.subqueries, strict=True)):
        return query
    changed = copy(query)
    changed.subqueries = parts
    return changed


def segment_ids(reader: Any, field: str, text: str | bytes) -> list[int]:
    """A term's live docnums in one segment, read in one go (search/postings.py)."""
    try:
        found = blocks(reader, field, reader._text_to_bytes(field, text))
        if found is None:
            return []
        ids: list[int] = []
        for block in found.blocks:
            ids.extend(found.ids(block))
        deleted = reader.deleted_docs_set
    except (AttributeError, TypeError):  # another codec or reader: Whoosh's public, slower way
        if (field, text) not in reader:
            return []
        return list(reader.postings(field, text).all_ids())
    return [d for d in ids if d not in deleted] if deleted else ids


def _arrays(found: dict[int, float], offset: int, wanted: set[int] | None) -> tuple[Ints, Floats]:
    """A segment's {docnum: score} as global docnums ascending and their scores, only the wanted."""
    docs = np.fromiter(found.keys(), np.int64, len(found))
    scores = np.fromiter(found.values(), np.float64, len(found))
    if wanted is not None:
        keep = np.fromiter(map(wanted.__contains__, found.keys()), bool, len(found))
        docs, scores = docs[keep], scores[keep]
    order = np.argsort(docs)
    return docs[order] + offset, scores[order]


def _evaluate(matcher: Any) -> dict[int, float]:
    """{docnum: score} of a matcher tree, a whole node at a time instead of a posting at a time: what
    walking the matcher gives.

    Walking a tree of Whoosh matchers costs several Python calls per posting per level (a word
    with 300 compounds is a union tree nine levels deep). Here each child is worked out first,
    and the node combines the children's dicts as its ``score()`` combines theirs: a union adds
    a + b where both match, an intersection a + b, a boost multiplies (the ranking's trees are
    made of these). The same operations in the same order give the same floats
    (tests/test_docsets.py compares them with walking). Any other matcher (leaves, spans,
    Whoosh's other combinators) is walked on its own. Whoosh's AndNot lets a document through
    when the excluded side starts before it, and its AndMaybe loses the second side's score
    under an intersection (the test names the cases), so a tree holding them can score
    differently here than walked whole; the ranking has neither (NIET is done with sets).
    Exact types only: a subclass may score differently (DisjunctionMaxMatcher is a UnionMatcher)."""
    kind = type(matcher)
    if kind is NullMatcherClass:
        return {}
    if kind is UnionMatcher:
        a, b = _evaluate(matcher.a), _evaluate(matcher.b)
        if len(a) >= len(b):
            for doc, score in b.items():
                a[doc] = a[doc] + score if doc in a else score
            return a
        for doc, score in a.items():
            b[doc] = score + b[doc] if doc in b else score
        return b
    if kind is IntersectionMatcher:
        a, b = _evaluate(matcher.a), _evaluate(matcher.b)
        return {doc: a[doc] + b[doc] for doc in a.keys() & b.keys()}
    if kind is WrappingMatcher:
        boost = matcher.boost
        return {doc: score * boost for doc, score in _evaluate(matcher.child).items()}
    if kind is ListMatcher or kind is W3LeafMatcher:
        found = _leaf_scores(matcher)
        if found is not None:
            return found
    return {doc: score for score, doc in _walk(matcher)}


def _leaf_scores(matcher: Any) -> dict[int, float] | None:
    """{docnum: score} of a term's matcher, from its posting list at once: BM25F's ``score()`` is
    ``_score(weight(), dfl(id()))`` per posting, here mapped over the lists; a list matcher from
    its current posting on (what walking it would still give), Whoosh's leaf only before it has
    moved. A scorer that knows its scores already (``scores_for``, search/phrases.py) gives them.
    None: walk it (another scorer, or a leaf already under way)."""
    if type(matcher) is W3LeafMatcher:
        scorer = matcher.scorer
        if type(scorer) is not BM25FScorer or matcher._i:
            return None
        found = read_blocks(matcher._postfile, matcher._startoffset, matcher._length, matcher._fixedsize)
        if not found.blocks or matcher._nextoffset != matcher._startoffset + found.blocks[0].end:
            return None  # moved on from the first block
        ids, weights, _ = found.postings(found.blocks)
    else:  # a list: from where it stands (an intersection moves its parts to their first match)
        scorer = matcher._scorer
        start = matcher._i
        ids = matcher._ids[start:]
        given = getattr(scorer, "scores_for", None)
        if given is not None:
            return dict(zip(ids, given(matcher)[start:], strict=True))
        if type(scorer) is not BM25FScorer:
            return None
        if matcher._all_weights:
            weights = [matcher._all_weights] * len(ids)
        elif matcher._weights:
            weights = matcher._weights[start:]
        else:
            weights = [1.0] * len(ids)
    return dict(zip(ids, bm25f_scores(scorer, weights, list(map(scorer.dfl, ids))), strict=True))


def bm25f_scores(scorer: BM25FScorer, weights: Iterable[float], lengths: Iterable[float],
                 idf: float | None = None) -> list[float]:
    """What ``scorer._score(weight, length)`` gives for each pair, to the bit: Whoosh's bm25()
    written out in one expression (the same operations in the same order) instead of two Python
    calls a posting; with ``idf`` in place of the scorer's own."""
    avgfl, b, k1 = scorer.avgfl, scorer.B, scorer.K1
    idf = scorer.idf if idf is None else idf
    return [idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
            for tf, fl in zip(weights, lengths, strict=True)]


_LENGTHS: WeakKeyDictionary[Any, dict[str, array[int] | None]] = WeakKeyDictionary()
_LENGTH_OF_BYTE = [0] + [byte_to_length(b) for b in range(1, 256)]


def field_lengths(reader: Any, fieldname: str) -> array[int] | None:
    """Every document's length in the field as ``reader.doc_field_length`` gives it, read once per
    segment reader (a score looks the length up for each posting; through Whoosh's reader that
    is four calls). 0 where Whoosh gives None: a document without a length in the field holds
    none of its terms, so it is never scored. An array, not a list: read by forked server
    processes without writing to its pages. None where the lengths are not Whoosh's byte column."""
    known = _LENGTHS.setdefault(reader, {})
    if fieldname not in known:
        try:
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        except AttributeError:  # another reader than W3's segment reader
            column = None
        loaded = column if isinstance(column, Loaded) or column is None else load_numbers(column)
        if loaded is None:
            known[fieldname] = None
        else:  # the column stops at its last document with a value; those after have its default
            lengths = array("I", [_LENGTH_OF_BYTE[b] for b in loaded.values])
            lengths.extend([_LENGTH_OF_BYTE[loaded[len(lengths)]]] * (reader.doc_count_all() - len(lengths)))
            known[fieldname] = lengths
    return known[fieldname]


def _walk(matcher: Any) -> Iterator[tuple[float, int]]:
    """(score, docnum) of every document a matcher matches. Branches that have run out are pruned
    as Whoosh's collectors prune them (``replace``): cut-down postings leave many Or branches of a
    long query empty from the start."""
    matcher = matcher.replace()
    while matcher.is_active():
        yield matcher.score(), matcher.id()
        if matcher.next():
            matcher = matcher.replace()


class Restricted:
    """A segment's searcher whose term postings hold only the wanted documents (ascending local
    docnums). Whoosh's queries build their matchers through ``searcher.postings``, so phrases,
    spans, boosts and BM25F scores are all Whoosh's own, over shorter lists."""

    def __init__(self, searcher: Any, wanted: list[int]) -> None:
        self._searcher = searcher
        self._wanted = wanted
        self._wanted_set: set[int] | None = None
        self._live: set[int] | None = None  # the wanted documents not deleted
        self._reader: _Frequencies | None = None
        # a query names the same term more than once (the ranking's And and Or of the same words)
        self._read_lists: dict[tuple[str, bytes], tuple[list[int], list[float], list[Any]]] = {}
        self._scorers: dict[tuple[str, bytes, int, int], Any] = {}

    @classmethod
    def holding(cls, searcher: Any, fieldname: str, text: bytes) -> Restricted:
        """The segment's searcher restricted to the documents that hold the term, whose own
        postings are then read once (not once for the documents and again for their postings)."""
        reader = searcher.reader()
        try:
            found = blocks(reader, fieldname, text)
        except (AttributeError, TypeError):  # another codec or reader
            return cls(searcher, segment_ids(reader, fieldname, text))
        lists: tuple[list[int], list[float], list[Any]] = found.postings(found.blocks) if found else ([], [], [])
        if lists[0] and reader.has_deletions():
            deleted = reader.deleted_docs_set
            live = [doc not in deleted for doc in lists[0]]
            lists = (list(compress(lists[0], live)), list(compress(lists[1], live)), list(compress(lists[2], live)))
        restricted = cls(searcher, lists[0])
        restricted._read_lists[(fieldname, text)] = lists
        return restricted

    def __getattr__(self, name: str) -> Any:
        return getattr(self._searcher, name)

    def reader(self) -> _Frequencies:
        if self._reader is None:
            self._reader = _Frequencies(self._searcher.reader())
        return self._reader

    def postings(self, fieldname: str, text: bytes, weighting: Any = None, qf: int = 1) -> Any:
        ids, weights, values, scorer = self.postings_lists(fieldname, text, weighting, qf)
        return ListMatcher(ids, weights, values, self._searcher.schema[fieldname].format, scorer=scorer,
                           term=(fieldname, text))

    def postings_lists(self, fieldname: str, text: bytes, weighting: Any = None,
                       qf: int = 1) -> tuple[list[int], list[float], list[Any], Any]:
        """A term's postings among the wanted documents (ids, weights, encoded values) and the
        scorer Whoosh would give its matcher; read once per term."""
        return (*self.lists(fieldname, text), self.scorer(fieldname, text, weighting, qf))

    def scorer(self, fieldname: str, text: bytes, weighting: Any = None, qf: int = 1) -> Any:
        """The scorer Whoosh would give the term's matcher (made once per term): BM25F's looks
        its documents' field lengths up in an array (field_lengths)."""
        searcher = self._searcher
        weighting = weighting or searcher.weighting
        key = (fieldname, text, qf, id(weighting))
        scorer = self._scorers.get(key)
        if scorer is None:
            scorer = self._scorers[key] = weighting.scorer(searcher, fieldname, text, qf=qf)
            if type(scorer) is BM25FScorer:
                lengths = field_lengths(searcher.reader(), fieldname)
                if lengths is not None:
                    scorer.dfl = lengths.__getitem__  # what its own dfl looks up, from an array
        return scorer

    def holds(self, fieldname: str, text: str | bytes) -> bool:
        """Whether a wanted document holds the term (its postings are read, as its matcher would)."""
        try:
            encoded = self._searcher.schema[fieldname].to_bytes(text) if isinstance(text, str) else text
        except (KeyError, ValueError):  # what Whoosh's Term.matcher makes a NullMatcher of
            return False
        if (fieldname, encoded) not in self.reader():
            return False
        return bool(self.lists(fieldname, encoded)[0])

    def lists(self, fieldname: str, text: bytes) -> tuple[list[int], list[float], list[Any]]:
        """A term's postings among the wanted documents: ids, weights, encoded values (read once)."""
        key = (fieldname, text)
        found = self._read_lists.get(key)
        if found is None:
            found = self._read_lists[key] = self._read(fieldname, text)
        return found

    def _read(self, fieldname: str, text: bytes) -> tuple[list[int], list[float], list[Any]]:
        """The term's postings among the wanted documents: ids, weights and encoded values."""
        reader = self._searcher.reader()
        try:
            return self._read_blocks(reader, fieldname, text)
        except (AttributeError, TypeError):  # another codec or reader: Whoosh's public, slower way
            pass
        matcher = reader.postings(fieldname, text)  # deleted documents left out
        ids: list[int] = []
        weights: list[float] = []
        values: list[Any] = []
        if len(self._wanted) >= DENSE * reader.doc_frequency(fieldname, text):
            if self._wanted_set is None:
                self._wanted_set = set(self._wanted)
            wanted = self._wanted_set
            while matcher.is_active():
                doc = matcher.id()
                if doc in wanted:
                    ids.append(doc)
                    weights.append(matcher.weight())
                    values.append(matcher.value())
                matcher.next()
        else:
            for doc in self._wanted:
                if not matcher.is_active():
                    break
                if matcher.id() < doc:
                    matcher.skip_to(doc)
                    if not matcher.is_active():
                        break
                if matcher.id() == doc:
                    ids.append(doc)
                    weights.append(matcher.weight())
                    values.append(matcher.value())
        return ids, weights, values


    def _read_blocks(self, reader: Any, fieldname: str, text: bytes) -> tuple[list[int], list[float], list[Any]]:
        """_read from the term's blocks (search/postings.py): a block is decoded only if a wanted
        document can be in it (its last docnum is in the block header), and the postings of the
        wanted documents are kept in one pass over all of them."""
        found = blocks(reader, fieldname, text)
        if found is None:
            return [], [], []
        wanted = self._wanted
        if self._live is None:  # once per searcher: a query reads hundreds of terms over the same documents
            self._live = set(wanted)
            if reader.has_deletions():
                self._live -= reader.deleted_docs_set
        keep = self._live
        ids, weights, values = found.postings(_blocks_holding(found.blocks, wanted))
        chosen = list(map(keep.__contains__, ids))
        return list(compress(ids, chosen)), list(compress(weights, chosen)), list(compress(values, chosen))


def _blocks_holding(blocks: list[Block], wanted: list[int]) -> Iterator[Block]:
    """The blocks (in docnum order) that can hold one of the wanted docnums (ascending): those
    whose range, from the block before's last docnum to their own last, has one."""
    start = 0  # the first wanted document not yet passed
    for block in blocks:
        if start >= len(wanted):
            return
        if wanted[start] <= block.last:
            yield block
            start = bisect_right(wanted, block.last, start)


class _Frequencies:
    """A reader that remembers document frequencies and term lookups: building the matchers of a
    long query, and ordering its parts, asks for the same ones many times (to weigh the branches
    of every Or and And)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._frequencies: dict[tuple[str, Any], int] = {}
        self._known: dict[tuple[str, Any], bool] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def size(self) -> int:
        return len(self._frequencies) + len(self._known)

    def __contains__(self, term: tuple[str, Any]) -> bool:
        if term not in self._known:
            self._known[term] = term in self._reader
        return self._known[term]

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        key = (fieldname, text)
        if key not in self._frequencies:
            self._frequencies[key] = self._reader.doc_frequency(fieldname, text)
        return self._frequencies[key]


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
