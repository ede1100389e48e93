"""The Whoosh schema: one record per letter and one per passage, in one index.

Letter records carry the letter's facts (date, type, dossier, signatories),
the metadata as JSON, what incremental indexing needs (file, hash) and the
letter's vocabularies (the unstemmed words and the reversed stems); a
filter selects letter records, and search/docsets.py maps passages to their
letter through the ``letter`` column. Passage records carry their text and
place in the letter.
The analyzers are imported from index.analysis: Whoosh pickles them into the
index, so renaming that module means rebuilding the index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from index import whoosh_fixes
from index.analysis import dutch_analyzer, letter_words, plain_analyzer, tail_analyzer
from index.records import Letter, Passage

whoosh_fixes.apply()

SCHEMA_VERSION = 9  # bump when fields or analysis change: an older index must be rebuilt


class DutchText(TEXT):  # type: ignore[misc]  # whoosh is untyped
    """TEXT whose postings come from the analyzer in one pass (index.analysis
    DutchTokenizer.postings): the same postings as Whoosh's generic path, at a fraction of the
    cost, since indexing spends most of its time here. A field with positions also holds the
    word pairs of its stopwords (index.analysis PAIRED: "de reger" for "de regering"), which
    search/phrases.py finds phrases by; they count for no field length."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        words = self.index_words(value, **kwargs)
        if kwargs or not isinstance(value, str) or not holds_pairs(self):
            return words
        return [*words, *self.analyzer.pair_postings(value, self.format)]

    def index_words(self, value: Any, **kwargs: Any) -> Any:
        """The postings of the words alone, without the pairs."""
        postings = getattr(self.analyzer, "postings", None)
        if postings is not None and not kwargs and isinstance(value, str):
            found = postings(value, self.format)
            if found is not None:
                return found
        return super().index(value, **kwargs)


def holds_pairs(field: Any) -> bool:
    """Whether the field holds the word pairs of its stopwords beside its words (DutchText)."""
    return isinstance(field, DutchText) and type(field.format) is Positions and hasattr(
        field.analyzer, "pair_postings")


class LetterWords(TEXT):  # type: ignore[misc]  # whoosh is untyped
    """A vocabulary field on letter records: its value is the letter's words and how often each
    occurs (index.analysis.letter_words), counted from the passages' scans, not analysed again.
    The analyzer stays for the query side (Whoosh's parser, the spelling words)."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(value, Mapping):
            boost = self.format.field_boost
            return [(word.encode("utf-8"), n, n * boost, pack_uint(n)) for word, n in value.items()]
        return super().index(value, **kwargs)


def make_schema() -> Schema:
    return Schema(
        kind=ID(stored=True),  # "letter" | "passage" | "acronym"
        id=STORED(),  # looked up through the letter table (search/engine.py), never as a term
        letter=ID(stored=True, sortable=True),
        file=ID(stored=True),  # the file as given to `kamerzoek index`, for incremental runs
        filehash=STORED(),
        source=STORED(),  # the file, or "file#line" for JSON lines
        # searched text (BM25F over these fields)
        text=DutchText(analyzer=dutch_analyzer(), stored=True, phrase=True),
        heading=DutchText(analyzer=dutch_analyzer(), stored=True, phrase=True, field_boost=1.5),
        title=DutchText(analyzer=dutch_analyzer(), stored=True, phrase=True, field_boost=1.2),
        # vocabularies, on letter records (one posting per letter and word, not per passage):
        exact=LetterWords(analyzer=plain_analyzer(), phrase=False),  # unstemmed: prefixes, suggestions, compounds
        tails=LetterWords(analyzer=tail_analyzer(), phrase=False),  # reversed stems: compounds by their last part
        # passage facts
        n=NUMERIC(stored=True, sortable=True, shift_step=0),  # read from its column, never ranged
        page=STORED(),
        page_end=STORED(),
        pkind=ID(stored=True),  # "paragraph" | "footnote"
        mark=STORED(),
        notes=STORED(),
        # letter facts, on letter records, for filters and facets
        date=ID(stored=True),  # ISO date or ""
        year=NUMERIC(stored=True),
        doctype=ID(stored=True),
        dossier=ID(stored=True),  # digits only: "28676"
        number=ID(stored=True),
        signatory=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        signer_words=DutchText(analyzer=plain_analyzer(), phrase=False),  # "ollongren" finds "K.H. Ollongren"
        meta=STORED(),  # letter records: the letter's metadata as JSON
        # acronym records: a definition learned from a letter ("BIV", "Budget Internationale Veiligheid")
        acronym=STORED(),
        long_form=STORED(),
    )


def add_letter(writer: Any, letter: Letter, path: str, filehash: str) -> None:
    """Add the records of a letter: the letter, its learned acronyms, its passages."""
    common = _letter_fields(letter)
    exact, tails = letter_words([passage.text for passage in letter.passages])
    title = " — ".join(t for t in (letter.meta.dossier_title, letter.meta.title) if t)
    writer.add_document(
        kind="letter", id=letter.id, file=path, filehash=filehash, source=letter.source,
        meta=json.dumps(asdict(letter.meta), ensure_ascii=False), title=title, exact=exact, tails=tails,
        **common,
    )
    for i, (acronym, long_form) in enumerate(letter.acronyms, start=1):
        # learned definitions, kept with their letter (and removed with its file)
        writer.add_document(kind="acronym", id=f"{letter.id}-a{i}", letter=letter.id, file=path,
                            source=letter.source, acronym=acronym, long_form=long_form)
    for passage in letter.passages:
        # The title is searched once per letter, on its first passage: on every passage it
        # would make every passage of a letter "match" a word of its title. The letter's facts
        # (date, type, dossier, ...) stay on the letter record: filters select letters.
        writer.add_document(kind="passage", id=passage.id, letter=letter.id, file=path,
                            source=letter.source, title=title if passage.n == 1 else "",
                            **_passage_fields(passage))


def _letter_fields(letter: Letter) -> dict[str, Any]:
    meta = letter.meta
    fields: dict[str, Any] = {
        "letter": letter.id,
        "date": meta.date or "",
        "doctype": meta.doctype or "",
        "dossier": (meta.dossier or "").replace(" ", ""),
        "number": meta.number or "",
        "signatory": ",".join(s.name for s in meta.signatories if s.name),
        "signer_words": " ".join(s.name for s in meta.signatories if s.name),
    }
    if meta.date:
        fields["year"] = int(meta.date[:4])
    return fields


def _passage_fields(passage: Passage) -> dict[str, Any]:
    return {
        "text": passage.text,
        "heading": passage.heading or "",
        "n": passage.n,
        "page": passage.page,
        "page_end": passage.page_end,
        "pkind": passage.kind,
        "mark": passage.mark,
        "notes": passage.notes,
    }
