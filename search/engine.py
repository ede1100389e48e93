"""The search engine: run a query over passages, group the hits per letter, rank, page, facet and suggest.

One Engine per index folder. It keeps one Whoosh searcher and swaps it for a
fresh one when a re-index has committed, so new letters appear without a
restart and no request ever sees a half-written index.
"""

from __future__ import annotations

import json
import math
import re
import threading
import weakref
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.classify import Expander
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F, BM25FScorer

from index.acronyms import AcronymTable, build_table
from index.analysis import analyze
from index.build import read_manifest
from index.errors import NoIndex
from index.schema import SCHEMA_VERSION
from search import phrases
from search.cite import letter_citation, passage_citation
from search.docsets import DENSE, RANGED, DocSets, Layout, letters_of, letters_of_records, passages_of
from search.grouping import Hit, Hits, LetterInfo, LetterTable, facets, group, letter_score, rank, top
from search.query import DateRange, FieldFilter, KamerstukRef, ParsedQuery, parse
from search.results import SORTS, LetterHit, PassageHit, SearchRequest, SearchResult
from search.snippets import highlight
from search.suggest import Vocabulary, suggest, vocabulary
from search.translate import TEXT_FIELDS, Tree, restrictions, translate, untitled

MAX_LIMIT = 100
MAX_PAGE = 1000
SIMILAR_POOL = 300  # best passages of the index that "Vergelijkbare brieven" ranks letters by


class Weighting(BM25F):  # type: ignore[misc]  # whoosh is untyped
    """BM25F, with the title's average length taken over the records that carry a title.

    A letter's title is indexed on its letter record and its first passage only. Whoosh divides a
    field's total length by every record, so each passage without a title counted as a title of
    length 0: every title looked several times longer than the average title (2.9 times on the
    8,041 motions, 15 times on the seeds) and its words scored far less than the same words in
    a passage, by a factor that depended on how many passages the other letters have.
    """

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if fieldname == "title" and isinstance(scorer, BM25FScorer):
            top = searcher.get_parent()
            titled = 2 * top.doc_frequency("kind", "letter")  # each letter's record and first passage
            if titled:
                scorer.avgfl = top.field_length("title") / titled or 1
                scorer.setup(searcher, fieldname, text)  # its best possible score, with that average
        return scorer


class _Held:
    """The engine's current searcher, kept apart so that a finalizer can close it."""

    def __init__(self) -> None:
        self.searcher: Any = None

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None


class Engine:
    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        if not whoosh_index.exists_in(str(self.index_dir)):
            raise NoIndex(
                f"No index at {self.index_dir}: run `kamerzoek index seeds/ --index {self.index_dir}` first."
            )
        if read_manifest(self.index_dir).get("schema_version") != SCHEMA_VERSION:
            raise NoIndex(
                f"The index at {self.index_dir} was made by another version of Kamerzoek: index your "
                f"files again to rebuild it, e.g. `kamerzoek index seeds/ --index {self.index_dir}`."
            )
        # Read with file reads, not a memory map: a mapped index counts in the server's memory
        # for every page a query has touched (146 of the 13k index's 192 MB after the bench
        # queries: RSS 215 MB against 84 MB read this way, as fast); read, the pages stay in
        # the system's file cache, which other programs can have back.
        self._ix = FileStorage(str(self.index_dir), supports_mmap=False).open_index()
        # One searcher, used by one thread at a time: Whoosh's readers share file handles, so two
        # threads reading at once garble postings (zlib and unpickling errors under concurrent
        # requests), and a searcher per thread cost gigabytes (3.3 GB for 8 threads on the 13k).
        # Python runs one thread at a time anyway, so the lock costs little throughput.
        self.lock = threading.RLock()
        # Its segment files stay open while it is in use: closed by close(), or when the engine
        # is collected.
        self._held = _Held()
        weakref.finalize(self, self._held.close)
        self._searcher = self._ix.searcher(weighting=Weighting())
        # What depends only on the index version (its generation).
        self._generation = self._searcher.reader().generation()
        self._letters: dict[str, LetterInfo] | None = None
        self._table: LetterTable | None = None
        self._similar: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self._acronyms: AcronymTable | None = None
        self._sets: tuple[DocSets, Layout] | None = None
        self._vocabulary: Vocabulary | None = None
        self._warm = False  # warm() was called: a server

    # -- index versions -------------------------------------------------------------------

    def searcher(self) -> Any:
        """The searcher, opened anew when a re-index has committed since its last use.

        A new searcher, not Searcher.refresh(): refresh reuses the readers of segments it knew,
        with their old deletions, so letters removed or changed by the re-index would still show.
        Callers hold ``self.lock`` while they use it (the public methods below do).
        """
        with self.lock:
            if not self._searcher.up_to_date():
                self._searcher.close()
                self._searcher = self._ix.searcher(weighting=Weighting())
                self._generation = self._searcher.reader().generation()
                self._letters = None
                self._table = None
                self._similar = {}
                self._acronyms = None
                self._sets = None
                self._vocabulary = None
            return self._searcher

    def letters(self, searcher: Any) -> dict[str, LetterInfo]:
        """Date, type, dossier and signatories of every letter, per index version."""
        with self.lock:
            if self._letters is None:
                table = {}
                for fields in searcher.documents(kind="letter"):
                    signers = tuple(s for s in fields.get("signatory", "").split(",") if s)
                    table[fields["id"]] = LetterInfo.of(
                        fields["id"], fields.get("date", ""), fields.get("doctype", ""),
                        fields.get("dossier", ""), signers,
                    )
                self._letters = table
            return self._letters

    def letter_table(self, searcher: Any) -> LetterTable:
        """The letters' facts by ordinal, for ranking and facets, per index version."""
        with self.lock:
            if self._table is None:
                _, layout = self.docsets(searcher)
                self._table = LetterTable.of(layout, self.letters(searcher))
            return self._table

    def docsets(self, searcher: Any) -> tuple[DocSets, Layout]:
        """Fast record sets over the searcher, and which passages belong to which letter, per index version."""
        with self.lock:
            if self._sets is None:
                sets = DocSets(searcher)
                self._sets = (sets, sets.layout())
            return self._sets

    def acronyms(self, searcher: Any) -> AcronymTable:
        """The curated acronyms plus those the indexed letters define, per index version."""
        with self.lock:
            if self._acronyms is None:
                learned = [(f["acronym"], f["long_form"]) for f in searcher.documents(kind="acronym")]
                self._acronyms = build_table(learned)
            return self._acronyms

    def vocabulary(self, searcher: Any) -> Vocabulary:
        """The unstemmed words of the index by first letter, for "Bedoelde u", per index version."""
        with self.lock:
            if self._vocabulary is None:
                self._vocabulary = vocabulary(searcher.reader())
            return self._vocabulary

    def warm(self) -> None:
        """Build what depends on the index version now rather than on the first search, and
        keep what only a long-lived engine gains from (the word list for suggestions)."""
        with self.lock:
            self._warm = True
            searcher = self.searcher()
            self.letter_table(searcher)
            sets, _ = self.docsets(searcher)
            for field in RANGED:
                sets.ranged(field)
            sets.load_lengths(TEXT_FIELDS)
            self.acronyms(searcher)
            self.vocabulary(searcher)

    @property
    def _searcher(self) -> Any:
        return self._held.searcher

    @_searcher.setter
    def _searcher(self, searcher: Any) -> None:
        self._held.searcher = searcher

    def close(self) -> None:
        with self.lock:
            self._held.close()

    # -- search ---------------------------------------------------------------------------

    def search(self, request: SearchRequest, max_limit: int = MAX_LIMIT) -> SearchResult:
        """One page of results; ``max_limit`` bounds the page size (an export asks for more)."""
        with self.lock:
            return self._search_locked(request, max_limit)

    def _search_locked(self, request: SearchRequest, max_limit: int) -> SearchResult:
        limit = max(1, min(request.limit, max_limit))
        page = max(1, min(request.page, MAX_PAGE))
        sort = request.sort if request.sort in SORTS else "relevance"
        parsed = parse(request.q)
        searcher = self.searcher()
        compiled = translate(parsed, searcher.reader(), self.acronyms(searcher))
        extra, dates = _request_filters(request)
        sets, layout = self.docsets(searcher)
        restricted = restrictions(parsed, extra, dates)
        allowed = None if restricted is None else letters_of_records(sets.docs(restricted), layout)
        notes = list(parsed.notes) + compiled.notes

        tree, ranking = compiled.tree, compiled.ranking
        pinned = _reference(parsed, layout, allowed)
        if tree is None and parsed.reference is not None:
            # letters that cite the Kamerstuk follow the Kamerstuk itself
            tree, ranking = ("leaf", _citing(parsed.reference)), _citing(parsed.reference)
        if tree is None and _has_filters(parsed, extra, dates):
            tree, ranking = ("all",), wq.Every()
        scores, passages = self._run(searcher, tree, ranking, allowed)
        any_word = False
        if not scores and compiled.any_words is not None:
            scores, passages = self._run(searcher, compiled.any_words, ranking, allowed)
            any_word = bool(scores)
            if any_word:
                notes.append("geen document bevat alle woorden; getoond: documenten met een of "
                             "meer van de woorden, de beste eerst")

        table = self.letter_table(searcher)
        ranked = rank(scores, table, sort, pinned)
        total = len(ranked)
        pages = max(1, math.ceil(total / limit))
        window = ranked[(page - 1) * limit : page * limit].tolist()
        shown = self._by_own_text(searcher, {o: passages.get(o) for o in window}, ranking,
                                  request.passages)
        results = [
            self._letter_hit(searcher, layout, layout.ids[o], scores.get(o, 0.0), shown[o],
                             compiled.matcher, request)
            for o in window
        ]
        suggestion = None
        if total < 3:  # a served index keeps its word list; a one-off search reads the term table
            words = self.vocabulary(searcher) if self._warm else None
            suggestion = suggest(searcher.reader(), parsed, words)
        read_as = parsed.read_as()
        if notes:
            read_as = " · ".join([read_as] + [n for n in notes if n]) if read_as else " · ".join(
                n for n in notes if n
            )
        counted, facet_sizes = facets(ranked, table)
        return SearchResult(
            query=request.q, read_as=read_as, total=total, page=page, pages=pages,
            suggestion=suggestion, facets=counted, facet_sizes=facet_sizes, results=results,
            notes=[n for n in notes if n], any_word=any_word, sort=sort, limit=limit,
        )

    def _run(self, searcher: Any, tree: Tree | None, ranking: wq.Query | None,
             allowed: set[int] | None) -> tuple[Mapping[int, float], Hits]:
        """The letters the tree selects among the allowed ones (None: all), by ordinal, with every
        passage the ranking query scores in them."""
        if tree is None or ranking is None:
            return {}, Hits.none()
        if tree[0] == "leaf" and tree[1] is ranking:
            # one word or phrase: the passages it scores are the ones that select their letters
            return self._group(searcher, ranking, allowed)
        sets, layout = self.docsets(searcher)
        selected = _Letters(sets, layout, allowed).evaluate(tree)
        return self._group(searcher, ranking, selected)

    def _group(self, searcher: Any, query: wq.Query, selected: set[int] | None) -> tuple[Mapping[int, float], Hits]:
        """Every passage the query matches in the selected letters (None: in all letters), scored and
        grouped per letter (so the total is exact): each letter's score and its passages' hits."""
        sets, layout = self.docsets(searcher)
        allowed = None if selected is None else passages_of(selected, layout)
        if allowed is not None and not allowed:
            return {}, Hits.none()
        return group(*sets.scored(query, allowed), layout)

    def _by_own_text(self, searcher: Any, hits: dict[int, list[Hit]], ranking: wq.Query | None,
                     shown: int) -> dict[int, list[Hit]]:
        """The letters' passage hits with each first passage scored by its own text: the title that
        passage carries counts for the letter's score, not for which passages the letter shows.
        Only first passages that would be shown are scored again (without the title they score
        no more, so the others stay unshown)."""
        chosen = {docnum for found in hits.values() for _, n, docnum in top(found, shown) if n == 1}
        if not chosen:
            return hits
        own = untitled(ranking) if ranking is not None else None
        sets, _ = self.docsets(searcher)
        rescored = dict((d, s) for s, d in sets.scores(own, sorted(chosen))) if own is not None else {}
        return {ordinal: [(rescored.get(docnum, 0.0) if docnum in chosen else score, n, docnum)
                          for score, n, docnum in found]
                for ordinal, found in hits.items()}

    def _letter_hit(self, searcher: Any, layout: Layout, letter_id: str, score: float,
                    hits: list[Hit], matcher: Any,
                    request: SearchRequest) -> LetterHit:
        fields = searcher.stored_fields(layout.record[layout.ordinal[letter_id]])
        meta = json.loads(fields.get("meta") or "{}")
        cite = letter_citation(meta)
        shown = []
        matched: dict[str, list[str]] = {}
        best = top(hits, request.passages)
        if not best and request.passages > 0:  # pinned by reference, no matching passage: its opening
            opening = layout.passages[layout.ordinal[letter_id]]
            first = sorted(opening, key=lambda docnum: layout.numbers[docnum])[: request.passages]
            best = [(0.0, i, docnum) for i, docnum in enumerate(first)]
        for score, _, docnum in best:
            stored = searcher.stored_fields(docnum)
            marked, variants = highlight(stored["text"], matcher)
            for word, forms in variants.items():
                matched.setdefault(word, [])
                matched[word] += [f for f in forms if f not in matched[word]]
            shown.append(PassageHit(
                id=stored["id"], n=stored["n"], page=stored.get("page"),
                heading=stored.get("heading") or None, text=stored["text"], highlight=marked,
                citation=passage_citation(cite, stored.get("page"), stored.get("page_end"),
                                          stored.get("mark")),
                score=score, page_end=stored.get("page_end"), kind=stored.get("pkind", "paragraph"),
                mark=stored.get("mark"),
            ))
        return LetterHit(
            id=letter_id, source=fields.get("source", ""), title=meta.get("title"),
            type=meta.get("doctype"), date=meta.get("date"), dossier=meta.get("dossier"),
            number=meta.get("number"), vergaderjaar=meta.get("vergaderjaar"),
            signatories=[s["name"] for s in meta.get("signatories", []) if s.get("name")],
            citation=cite, score=score, hits=len(hits), passages=shown,
            matched=matched if request.explain else None,
        )

    # -- letters --------------------------------------------------------------------------

    def letter(self, letter_id: str) -> dict[str, Any] | None:
        with self.lock:
            return self._letter_locked(letter_id)

    def _letter_locked(self, letter_id: str) -> dict[str, Any] | None:
        """A whole letter: metadata, citation and passages in order; None when unknown."""
        searcher = self.searcher()
        _, layout = self.docsets(searcher)
        ordinal = layout.ordinal.get(letter_id)
        if ordinal is None:
            return None
        fields = searcher.stored_fields(layout.record[ordinal])
        meta = json.loads(fields.get("meta") or "{}")
        cite = letter_citation(meta)
        passages = sorted((searcher.stored_fields(d) for d in layout.passages[ordinal]),
                          key=lambda p: p["n"])
        return {
            "id": letter_id, "source": fields.get("source"), "meta": meta, "citation": cite,
            "passages": [
                {"id": p["id"], "n": p["n"], "kind": p.get("pkind"), "page": p.get("page"),
                 "page_end": p.get("page_end"), "heading": p.get("heading") or None,
                 "mark": p.get("mark"), "notes": p.get("notes") or [], "text": p["text"],
                 "citation": passage_citation(cite, p.get("page"), p.get("page_end"),
                                              p.get("mark"))}
                for p in passages
            ],
        }

    def similar(self, letter_id: str, limit: int = 5) -> list[dict[str, Any]]:
        with self.lock:
            return self._similar_locked(letter_id, limit)

    def _similar_locked(self, letter_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Letters most like this one: its most telling words, searched as any-word, ranked per letter.

        Kept per index version: it depends only on the index, and costs most of a letter page.
        """
        searcher = self.searcher()
        key = (letter_id, limit)
        if key not in self._similar:
            if len(self._similar) > 2048:
                self._similar.clear()
            self._similar[key] = self._find_similar(searcher, letter_id, limit)
        return self._similar[key]

    def _find_similar(self, searcher: Any, letter_id: str, limit: int) -> list[dict[str, Any]]:
        _, layout = self.docsets(searcher)
        docnums = layout.passages[layout.ordinal[letter_id]] if letter_id in layout.ordinal else []
        if not docnums:
            return []
        words = [word for word, _ in _key_words(searcher, docnums, "text", 12)]
        if not words:
            return []
        query = wq.Or([wq.Term("text", word) for word in words])
        # The best passages of the index for those words, not all of them: Whoosh's top-k search
        # skips posting blocks that cannot reach the top, and the telling words of a letter are
        # often common ones (scoring every passage cost about 0.6 s a letter on the 13k).
        scores: dict[str, list[float]] = {}
        for score, docnum in searcher.search(query, limit=SIMILAR_POOL).top_n:
            ordinal = layout.letter_of[docnum]
            if ordinal >= 0 and layout.ids[ordinal] != letter_id:
                scores.setdefault(layout.ids[ordinal], []).append(score)
        ranked = sorted(scores, key=lambda i: (-letter_score(scores[i]), i))[:limit]
        similar = []
        for other in ranked:
            meta = json.loads(searcher.stored_fields(layout.record[layout.ordinal[other]]).get("meta") or "{}")
            similar.append({"id": other, "title": meta.get("title"), "date": meta.get("date"),
                            "type": meta.get("doctype"), "citation": letter_citation(meta)})
        return similar

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return self._stats_locked()

    def _stats_locked(self) -> dict[str, Any]:
        searcher = self.searcher()
        info = self.letters(searcher)
        dates = sorted(i.date for i in info.values() if i.date)
        return {
            "letters": len(info),
            "passages": searcher.doc_frequency("kind", "passage"),
            "first": dates[0] if dates else None,
            "last": dates[-1] if dates else None,
            "types": dict(Counter(i.doctype or "onbekend" for i in info.values()).most_common()),
        }


def _request_filters(request: SearchRequest) -> tuple[list[FieldFilter], DateRange | None]:
    extra = []
    if request.doctype:
        extra.append(FieldFilter("type", request.doctype))
    if request.dossier:
        extra.append(FieldFilter("dossier", re.sub(r"\s+", "", request.dossier)))
    if request.signatory:
        extra.append(FieldFilter("signatory", request.signatory))
    dates = None
    if request.year:
        years = re.findall(r"\d{4}", request.year)
        if years:
            dates = DateRange(f"{years[0]}-01-01", f"{years[-1]}-12-31")
    return extra, dates


class _Letters:
    """Evaluates a letter-level boolean tree: each leaf is the set of letters with a matching passage.

    Letters are ordinals of the index version's Layout; ``allowed`` (None: every letter) is what
    the filters leave. The parts of an And are evaluated rarest first, and once few letters are
    left, a later part is only checked in their passages instead of read in full.
    """

    def __init__(self, sets: DocSets, layout: Layout, allowed: set[int] | None) -> None:
        self.sets = sets
        self.layout = layout
        self.allowed = allowed

    def of(self, query: wq.Query, within: set[int] | None = None) -> set[int]:
        """The letters (among ``within``, when given) with a passage that the query matches."""
        if within is not None:
            passages = passages_of(within, self.layout)
            if len(passages) < DENSE * self.sets.estimate(query):
                return letters_of(self.sets.verify(query, passages), self.layout)
        found = letters_of(self.sets.docs(query), self.layout)
        if self.allowed is not None:
            found &= self.allowed
        return found if within is None else found & within

    def all(self, within: set[int] | None = None) -> set[int]:
        if within is not None:
            return set(within)
        return set(range(len(self.layout.ids))) if self.allowed is None else set(self.allowed)

    def evaluate(self, tree: Tree, within: set[int] | None = None) -> set[int]:
        """The letters (among ``within``, when given) that the tree selects."""
        kind = tree[0]
        if kind == "leaf":
            return self.of(tree[1], within)
        if kind == "all":
            return self.all(within)
        if kind == "not":
            candidates = self.all(within)
            return candidates - self.evaluate(tree[1], candidates)
        if kind == "or":
            return set().union(*(self.evaluate(t, within) for t in tree[1]))
        positive = sorted((t for t in tree[1] if t[0] != "not"), key=self.size)
        result = self.evaluate(positive[0], within) if positive else self.all(within)
        for part in positive[1:]:
            if not result:
                break
            result = self.evaluate(part, result)
        for part in (t for t in tree[1] if t[0] == "not"):
            if not result:
                break
            result -= self.evaluate(part[1], result)
        return result

    def size(self, tree: Tree) -> int:
        """About how many passages a tree matches: the order in which an And evaluates its parts."""
        kind = tree[0]
        if kind == "leaf":
            return self.sets.estimate(tree[1])
        if kind == "or":
            return sum(self.size(t) for t in tree[1])
        if kind == "and":
            return min((self.size(t) for t in tree[1] if t[0] != "not"), default=1 << 30)
        return 1 << 30  # all, not


class _WordExpander(Expander):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh's Expander over a field's words only, not the word pairs it also holds."""

    def add_text(self, string: str) -> None:
        field = self.ixreader.schema[self.fieldname]
        index = getattr(field, "index_words", field.index)
        self.add((field.from_bytes(text), weight) for text, _, weight, _ in index(string))


def _key_words(searcher: Any, docnums: list[int], fieldname: str, number: int) -> list[tuple[str, float]]:
    """What ``searcher.key_terms`` gives, from the words of the documents' stored text."""
    expander = _WordExpander(searcher.reader(), fieldname)
    for docnum in docnums:
        expander.add_document(docnum)
    terms: list[tuple[str, float]] = expander.expanded_terms(number)
    return terms


def _reference(parsed: ParsedQuery, layout: Layout, allowed: set[int] | None) -> int | None:
    """The letter (ordinal) a Kamerstuk reference in the query names, when the index has it and the
    filters leave it."""
    if parsed.reference is None:
        return None
    letter_id = f"kst-{parsed.reference.dossier}-{parsed.reference.number}"
    ordinal = layout.ordinal.get(letter_id)
    if ordinal is None or (allowed is not None and ordinal not in allowed):
        return None
    return ordinal


def _citing(reference: KamerstukRef) -> wq.Query:
    """Passages that mention "28 676, nr. 418" (dossier, "nr", number in a row)."""
    stems = [t.stem for t in analyze(f"{reference.dossier} nr {reference.number}") if not t.joined]
    return phrases.Phrase("text", stems)


def _has_filters(parsed: ParsedQuery, extra: list[FieldFilter], dates: DateRange | None) -> bool:
    return bool(parsed.filters or extra or dates or parsed.dates)


