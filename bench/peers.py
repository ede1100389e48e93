"""The engines a user would otherwise pick, each as most projects would first write it.

Every peer has the same small interface, shared with the relevance harness:
``build(docs, index_dir) -> dict`` indexes cleaned documents (our ids, title, text);
``open(index_dir)`` then ``search(query, limit) -> [(id, highlighted snippet)]``,
with ``query`` already in the peer's own syntax (see ``bench.queries.for_peer``).
Peers are benchmark-only extras (`pip install -e '.[bench]'`), never runtime dependencies.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from nltk.stem.snowball import DutchStemmer
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser

from bench.corpora import Doc
from index.errors import UnreadableFile
from index.read import discover, read_file

Hits = list[tuple[str, str]]


class Peer(Protocol):
    name: str
    dialect: str  # for bench.queries.for_peer

    def build(self, docs: Iterable[Doc], index_dir: Path) -> dict[str, Any]: ...
    def open(self, index_dir: Path) -> None: ...
    def search(self, query: str, limit: int = 10) -> Hits: ...
    def close(self) -> None: ...


# -- Whoosh ------------------------------------------------------------------------------

_DUTCH = DutchStemmer()


def dutch_stem(word: str) -> str:
    # module-level, not a lambda: Whoosh pickles the analyzer into the index
    return str(_DUTCH.stem(word))


class WhooshPeer:
    """Plain Whoosh: StemmingAnalyzer with NLTK's Dutch stemmer (other settings left at their
    defaults, so also its English stop list), whole documents, AND of the words, hit.highlights."""

    name = "whoosh"
    dialect = "whoosh"

    def __init__(self) -> None:
        self._ix: Any = None
        self._searcher: Any = None
        self._parser: Any = None

    @staticmethod
    def schema() -> Schema:
        analyzer = StemmingAnalyzer(stemfn=dutch_stem)
        return Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer, stored=True),
                      content=TEXT(analyzer=analyzer, stored=True))

    def build(self, docs: Iterable[Doc], index_dir: Path) -> dict[str, Any]:
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(index_dir), self.schema())
        writer = ix.writer()
        count = 0
        for doc in docs:
            writer.add_document(id=doc.id, title=doc.title, content=doc.text)
            count += 1
        writer.commit()
        return {"documents": count}

    def build_files(self, sources: list[str], index_dir: Path) -> dict[str, Any]:
        """End to end, as a first version would: read each file, join its text, index it."""
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(index_dir), self.schema())
        writer = ix.writer()
        files, _ = discover(sources)
        count, reading, text_bytes = 0, 0.0, 0
        for path in files:
            started = time.perf_counter()
            try:
                result = read_file(path)
            except UnreadableFile:
                continue
            texts = [(raw, raw.text or "\n".join(b.text for b in raw.blocks))
                     for raw in result.documents]
            reading += time.perf_counter() - started
            for raw, text in texts:
                title = raw.meta.get("title")
                writer.add_document(id=raw.source, title=title if isinstance(title, str) else "",
                                    content=text)
                count += 1
                text_bytes += len(text.encode("utf-8"))
        writer.commit()
        return {"documents": count, "read_seconds": reading, "text_bytes": text_bytes}

    def open(self, index_dir: Path) -> None:
        self._ix = whoosh_index.open_dir(str(index_dir))
        self._searcher = self._ix.searcher()
        self._parser = MultifieldParser(["title", "content"], self._ix.schema)  # AND group

    def search(self, query: str, limit: int = 10) -> Hits:
        results = self._searcher.search(self._parser.parse(query), limit=limit)
        return [(hit["id"], hit.highlights("content")) for hit in results]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()


# -- SQLite FTS5 -------------------------------------------------------------------------

class Fts5Peer:
    """SQLite FTS5 with unicode61 (diacritics folded, no stemming), bm25 rank and snippet()."""

    name = "fts5"
    dialect = "fts5"
    FILE = "fts5.sqlite"

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None

    def build(self, docs: Iterable[Doc], index_dir: Path) -> dict[str, Any]:
        index_dir.mkdir(parents=True, exist_ok=True)
        (index_dir / self.FILE).unlink(missing_ok=True)
        db = sqlite3.connect(index_dir / self.FILE)
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, content, "
                   "tokenize='unicode61 remove_diacritics 2')")
        count = 0

        def rows() -> Iterable[tuple[str, str, str]]:
            nonlocal count
            for doc in docs:
                count += 1
                yield doc.id, doc.title, doc.text

        with db:
            db.executemany("INSERT INTO docs (id, title, content) VALUES (?, ?, ?)", rows())
        with db:
            db.execute("INSERT INTO docs (docs) VALUES ('optimize')")
        db.close()
        return {"documents": count}

    def open(self, index_dir: Path) -> None:
        self._db = sqlite3.connect(index_dir / self.FILE, check_same_thread=False)

    def search(self, query: str, limit: int = 10) -> Hits:
        assert self._db is not None, "open() first"
        try:
            rows = self._db.execute(
                "SELECT id, snippet(docs, 2, '<b>', '</b>', '…', 32) FROM docs "
                "WHERE docs MATCH ? ORDER BY rank LIMIT ?", (query, limit)).fetchall()
        except sqlite3.OperationalError:  # FTS5 syntax error: no hits, as a search box would
            return []
        return [(str(i), str(s)) for i, s in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


# -- tantivy -----------------------------------------------------------------------------

class TantivyPeer:
    """tantivy-py: simple tokenizer, lowercase, Snowball Dutch stemmer; AND of the words;
    SnippetGenerator for highlights. The reference for what a compiled engine reaches."""

    name = "tantivy"
    dialect = "tantivy"
    TOKENIZER = "nl_stem"  # not built in: registered on every open

    def __init__(self) -> None:
        self._ix: Any = None
        self._searcher: Any = None

    def _index(self, index_dir: Path, create: bool) -> Any:
        import tantivy

        if create:
            builder = tantivy.SchemaBuilder()
            builder.add_text_field("id", stored=True, tokenizer_name="raw")
            builder.add_text_field("title", stored=True, tokenizer_name=self.TOKENIZER)
            builder.add_text_field("content", stored=True, tokenizer_name=self.TOKENIZER)
            ix = tantivy.Index(builder.build(), path=str(index_dir), reuse=False)
        else:
            ix = tantivy.Index.open(str(index_dir))
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                    .filter(tantivy.Filter.remove_long(40))
                    .filter(tantivy.Filter.lowercase())
                    .filter(tantivy.Filter.stemmer("dutch"))
                    .build())
        ix.register_tokenizer(self.TOKENIZER, analyzer)
        return ix

    def build(self, docs: Iterable[Doc], index_dir: Path) -> dict[str, Any]:
        import tantivy

        index_dir.mkdir(parents=True, exist_ok=True)
        ix = self._index(index_dir, create=True)
        writer = ix.writer(heap_size=256_000_000)
        count = 0
        for doc in docs:
            writer.add_document(tantivy.Document(id=doc.id, title=doc.title, content=doc.text))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return {"documents": count}

    def open(self, index_dir: Path) -> None:
        self._ix = self._index(index_dir, create=False)
        self._searcher = self._ix.searcher()

    def search(self, query: str, limit: int = 10) -> Hits:
        import tantivy

        parsed, _errors = self._ix.parse_query_lenient(query, ["title", "content"],
                                                       conjunction_by_default=True)
        hits = self._searcher.search(parsed, limit).hits
        snippets = tantivy.SnippetGenerator.create(self._searcher, parsed, self._ix.schema,
                                                   "content")
        found = []
        for _score, address in hits:
            doc = self._searcher.doc(address)
            found.append((doc.get_first("id"), snippets.snippet_from_doc(doc).to_html()))
        return found

    def close(self) -> None:
        self._searcher = None


PEERS: dict[str, type[WhooshPeer] | type[Fts5Peer] | type[TantivyPeer]] = {
    "whoosh": WhooshPeer, "fts5": Fts5Peer, "tantivy": TantivyPeer,
}
