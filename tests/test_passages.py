"""Passages: ids, pages, headings, merging of fragments, splitting of long paragraphs."""

from __future__ import annotations

from index.metadata import extract
from index.passages import letter_id, make_passages
from index.records import Block, Meta
from tests.conftest import cleaned_seed, raw_seed


def passages(key: str):
    raw, cleaned = raw_seed(key), cleaned_seed(key)
    return make_passages(letter_id(extract(raw, cleaned), raw.name_hint), cleaned.blocks)


def test_letter_ids_come_from_dossier_and_number_else_from_the_file_name() -> None:
    assert letter_id(Meta(dossier="28 676", number="266"), "x") == "kst-28676-266"
    assert letter_id(Meta(), "000_d8f6cabdd175af6c") == "000-d8f6cabdd175af6c"
    assert passages("003")[0].id == "kst-28676-266-p1"


def test_ids_are_stable() -> None:
    assert [p.id for p in passages("002")] == [p.id for p in passages("002")]
    assert [p.text for p in passages("002")] == [p.text for p in passages("002")]


def test_every_passage_knows_its_page_and_heading() -> None:
    rusland = next(p for p in passages("003") if p.text.startswith("De NAVO-ministers zullen tijdens"))
    assert (rusland.page, rusland.heading) == (3, "Rusland")
    assert all(p.page for p in passages("003"))


def test_passage_across_a_page_break_keeps_both_pages() -> None:
    found = [p for p in passages("003") if p.text.startswith("Tijdens de bijeenkomst van de NAVO Oekraïne")]
    assert (found[0].page, found[0].page_end) == (3, 4)


def test_footnotes_are_passages_of_their_own_and_marks_link_to_them() -> None:
    items = passages("002")
    notes = [p for p in items if p.kind == "footnote"]
    assert [(n.mark, n.page) for n in notes] == [("1", 2), ("2", 5)]
    citing = [p for p in items if "1" in p.notes]
    assert len(citing) == 1 and "(ERI)¹" in citing[0].text


def test_short_fragments_are_merged() -> None:
    items = passages("001")
    assert items[0].text.startswith("Geachte voorzitter,\nHet kabinet geeft")
    lists = [p for p in items if p.text.startswith("De voortgangsrapportage bestaat uit vier onderdelen:")]
    assert "4. Vooruitblik" in lists[0].text
    assert all(len(p.text) >= 20 for p in items)


def test_long_paragraph_is_cut_at_sentence_boundaries() -> None:
    sentence = "De Minister spreekt op 17 juni 2022 (Kamerstuk 29 521, nr. 446, d.d. 17 juni 2022) met de NAVO. "
    block = Block("paragraph", sentence * 40, page=2)
    items = make_passages("kst-1-2", [block])
    assert len(items) > 1
    assert all(p.text.endswith("NAVO.") for p in items)
    assert all(p.page == 2 for p in items)
    assert "".join(p.text + " " for p in items) == sentence * 40


def test_rijkswet_dossier_gets_the_official_id() -> None:
    assert letter_id(Meta(dossier="36 455 (R2188)", number="11"), "x") == "kst-36455-11"
    assert letter_id(Meta(dossier="21 501-20", number="1234"), "x") == "kst-21501-20-1234"
    assert letter_id(Meta(), "kst-36455-11") == "kst-36455-11"  # the publication's identifier
