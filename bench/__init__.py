"""Kamerzoek's benchmark: our build and search side by side with Whoosh, SQLite FTS5 and tantivy."""
