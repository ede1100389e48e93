"""Real files of every format, from file to metadata and passages (copies from ../shared/corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import build
from index.ingest import process_file
from search.engine import Engine
from search.results import SearchRequest
from tests.conftest import FIXTURES

READ = FIXTURES / "read"


def letters(name: str):
    result = process_file(str(READ / name))
    assert not result.failed, result.skipped
    return result.letters


def test_ocr_kamerstuk_gets_its_metadata_from_the_header_and_furniture() -> None:
    letter = letters("sgd-3-lines.jsonl")[0]
    meta = letter.meta
    assert letter.id == "kst-12449-66"
    assert letter.source.endswith("sgd-3-lines.jsonl#1")
    assert (meta.dossier, meta.number, meta.vergaderjaar, meta.date) == ("12 449", "66", "1982-1983", "1983-06-21")
    assert (meta.doctype, meta.dossier_title) == ("brief", "Afsluiting van de Oosterschelde")
    assert [(s.name, s.office) for s in meta.signatories] == [
        ("N. Smit-Kroes", "De Minister van Verkeer en Waterstaat")]


def test_ocr_lines_are_paragraphs() -> None:
    texts = [p.text for p in letters("sgd-3-lines.jsonl")[0].passages]
    assert any(t.startswith("Op 24 augustus 1982 is naar aanleiding") for t in texts)
    assert not any("Tweede Kamer, zitting 1982-1983" in t for t in texts)  # furniture left the text


def test_motion_with_inline_meta() -> None:
    letter = letters("motie-kst-34104-439-inline-meta.xml")[0]
    assert letter.id == "kst-34104-439"
    assert (letter.meta.doctype, letter.meta.date, letter.meta.dossier) == ("motie", "2025-04-24", "34 104")
    assert letter.meta.title == "Motie van het lid Rikkers-Oosterkamp over afspraken over een regionaal budget"
    assert [s.name for s in letter.meta.signatories] == ["M.G.F. Rikkers-Oosterkamp"]


def test_motion_without_inline_meta_reads_the_document() -> None:
    letter = letters("motie-kst-24515-782-no-meta.xml")[0]
    assert letter.id == "kst-24515-782"
    assert (letter.meta.doctype, letter.meta.date, letter.meta.vergaderjaar) == ("motie", "2025-02-06", "2024-2025")
    assert letter.meta.dossier_title.startswith("Preventie en bestrijding van stille armoede")


def test_pdf_is_cleaned_like_pdf_text() -> None:
    letter = letters("motie-21501-02-3121.pdf")[0]
    assert letter.passages
    assert all(p.page for p in letter.passages)


def test_every_fixture_format_is_searchable(tmp_path: Path) -> None:
    summary = build([str(READ)], tmp_path / "ix", workers=1)
    assert summary.skipped == []
    engine = Engine(tmp_path / "ix")
    for query, expected in [("Oesterdamsluis", "kst-12449-66"), ('"regionaal budget"', "kst-34104-439"),
                            ("schuldhulpverlening", "kst-24515-782")]:
        result = engine.search(SearchRequest(q=query))
        assert expected in [r.id for r in result.results], query


@pytest.mark.parametrize("name", ["h-tk-20172018-70-1.xml", "h-tk-20172018-70-2.xml"])
def test_damaged_handelingen_are_recovered_or_reported(name: str) -> None:
    result = process_file(str(READ / name))
    assert result.letters or result.skipped
    for letter in result.letters:
        assert not any("Ã" in p.text for p in letter.passages)  # mojibake repaired
