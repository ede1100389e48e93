"""The Whoosh schema: one record per letter and one per passage, in one index.

Letter records carry the letter's facts (date, type, dossier, signatories),
the metadata as JSON and what incremental indexing needs (file, hash); a
filter selects letter records, and search/docsets.py maps passages to their
letter through the ``letter`` column. Passage records carry their text and
place in the letter.
The analyzers are imported from index.analysis: Whoosh pickles them into the
index, so renaming that module means rebuilding the index.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from index import whoosh_fixes
from index.analysis import dutch_analyzer, plain_analyzer, tail_analyzer

whoosh_fixes.apply()

SCHEMA_VERSION = 5  # bump when fields or analysis change: an older index must be rebuilt


def make_schema() -> Schema:
    return Schema(
        kind=ID(stored=True),  # "letter" | "passage" | "acronym"
        id=ID(stored=True, unique=True),
        letter=ID(stored=True, sortable=True),
        file=ID(stored=True),  # the file as given to `kamerzoek index`, for incremental runs
        filehash=STORED(),
        source=STORED(),  # the file, or "file#line" for JSON lines
        # searched text (BM25F over these fields)
        text=TEXT(analyzer=dutch_analyzer(), stored=True, phrase=True),
        heading=TEXT(analyzer=dutch_analyzer(), stored=True, phrase=True, field_boost=1.5),
        title=TEXT(analyzer=dutch_analyzer(), stored=True, phrase=True, field_boost=1.2),
        exact=TEXT(analyzer=plain_analyzer(), phrase=False),  # unstemmed: suggestions, exact-form boost
        tails=TEXT(analyzer=tail_analyzer(), phrase=False),  # reversed stems: compounds by their last part
        # passage facts
        n=NUMERIC(stored=True, sortable=True),
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
        signer_words=TEXT(analyzer=plain_analyzer(), phrase=False),  # "ollongren" finds "K.H. Ollongren"
        meta=STORED(),  # letter records: the letter's metadata as JSON
        # acronym records: a definition learned from a letter ("BIV", "Budget Internationale Veiligheid")
        acronym=STORED(),
        long_form=STORED(),
    )
