"""Cleaning PDF-extracted text: pages, furniture, footnotes, hyphenation, paragraphs, headings."""

from __future__ import annotations

import pytest

from index.clean import clean_text
from tests.conftest import cleaned_seed


def body_text(key: str) -> str:
    return "\n".join(b.text for b in cleaned_seed(key).blocks if b.kind != "footnote")


@pytest.mark.parametrize(
    "key, expected",
    [
        ("000", "de vooruitgeschoven aanwezigheid. Voorts"),  # "aanwe-\nzigheid" rejoined
        ("000", "drie manoeuvrecompagnieën"),
        ("000", "strategische communicatie, cyberveiligheid"),
        ("002", "defensie-uitgaven in de richting van de NAVO-norm van twee procent van het BBP te bewegen"),
        ("002", "kandidaat-Bondgenoten"),  # a real hyphen before a capital stays
        ("002", "Montenegro is daarvan"),
        ("001", "NAVO-verdragsgebied"),  # "NAVO-\nverdragsgebied" keeps its hyphen
        ("004", "kennisgevingsbrief (Kamerstuk 29 521, nr. 446"),  # split over a footnote in Markdown
    ],
)
def test_text_reads_whole_across_lines_pages_and_footnotes(key: str, expected: str) -> None:
    assert expected in body_text(key)


def test_real_hyphen_is_kept_when_vowels_would_clash() -> None:
    assert "defensie-uitgaven" in body_text("002")
    assert "defensieuitgaven" not in body_text("002")


def test_footnotes_leave_the_body_and_become_their_own_blocks() -> None:
    blocks = cleaned_seed("002").blocks
    notes = [b for b in blocks if b.kind == "footnote"]
    assert [(n.mark, n.page, n.text) for n in notes] == [
        ("1", 2, "Door VS administratie thans European Deterrence Initiative genoemd"),
        ("2", 5, "Kamerstuk 32 623, nr. 200"),
    ]
    body = body_text("002")
    assert "Door VS administratie" not in body
    assert "Initiative (ERI)¹ en de bijdrage" in body  # the mark becomes a superscript
    assert "14 maart 2018²)" in body  # a mark glued to a year


def test_multi_line_footnote_is_joined() -> None:
    notes = [b for b in cleaned_seed("001").blocks if b.kind == "footnote"]
    assert notes[0].mark == "1" and notes[0].page == 1
    assert notes[0].text.startswith("Het kabinet heeft de Tweede Kamer een jaarlijks ijkmoment")
    assert notes[0].text.endswith("langs de oostflank van de NAVO.")
    assert notes[1].text == (
        "Om boekhoudkundige redenen is het alleen mogelijk om terug te kijken op (fiscale) kalenderjaren.")


def test_page_furniture_leaves_the_text() -> None:
    cleaned = cleaned_seed("003")
    assert cleaned.furniture == ["Tweede Kamer, vergaderjaar 2016–2017, 28 676, nr. 266 4"]
    assert "vergaderjaar" not in body_text("003")


def test_letterhead_leaves_the_text() -> None:
    assert not body_text("002").startswith("DEFENSIE")


def test_pages_follow_lines_that_start_with_a_space() -> None:
    blocks = cleaned_seed("003").blocks
    by_start = {b.text[:30]: (b.page, b.page_end) for b in blocks}
    assert by_start["Aan de Voorzitter van de Tweed"] == (1, None)
    assert by_start["Rusland"] == (3, None)
    # "… op basis van de in februari 2015 in Minsk / gesloten akkoorden" runs from page 3 to 4
    assert by_start["Tijdens de bijeenkomst van de "] == (3, 4)
    assert max(b.page or 0 for b in blocks) == 4  # the furniture says "nr. 266 4": four pages


@pytest.mark.parametrize(
    "key, headings",
    [
        ("000", ["Inleiding", "Betrekkingen van de Navo met Rusland", "Ontplooiing van de Navo-eenheden",
                 "Veiligheidssituatie", "Ten slotte"]),
        ("003", ["Trans-Atlantische betrekkingen", "Rol van de NAVO op het gebied van terrorismebestrijding",
                 "Westelijke Balkan", "Rusland", "Oekraïne"]),
        ("004", ["Oekraïne", "Afschrikking en verdediging", "Missies en operaties"]),
    ],
)
def test_headings_are_found(key: str, headings: list[str]) -> None:
    assert [b.text for b in cleaned_seed(key).blocks if b.kind == "heading"] == headings


def test_signatures_dates_and_addresses_are_not_headings() -> None:
    for key in ("000", "001", "002", "003"):
        for block in cleaned_seed(key).blocks:
            if block.kind == "heading":
                assert "Minister" not in block.text and not block.text.startswith(("Den Haag", "Aan de"))


def test_list_item_split_by_a_blank_line_is_joined() -> None:
    assert "c. Inzet in Roemenië enhanced Vigilance Activities (VA) / inzet MQ-9 Reaper;" in body_text("001")


def test_short_sentence_end_line_closes_a_paragraph() -> None:
    texts = [b.text for b in cleaned_seed("002").blocks]
    assert any(t.startswith("Kijkend naar de drie hoofdtaken") for t in texts)


def test_form_feed_marks_a_page_in_pdf_text() -> None:
    blocks = clean_text("Eerste pagina met tekst.\n\fTweede pagina met tekst.", space_marks_page=False).blocks
    assert [(b.text, b.page) for b in blocks] == [("Eerste pagina met tekst.", 1), ("Tweede pagina met tekst.", 2)]


def test_number_at_line_start_is_not_a_footnote_without_a_mark() -> None:
    text = "De Kamer besluit vandaag over de zaak en\nstemt morgen.\n\n1 januari 2024 is de datum waarop de wet ingaat."
    blocks = clean_text(text).blocks
    assert all(b.kind != "footnote" for b in blocks)


def test_markdown_without_headings_keeps_its_text() -> None:
    from index.markdown import clean_markdown

    long = "De Kamer wordt geïnformeerd over de stand van zaken in Zeeland."
    blocks, furniture = clean_markdown(f"Korte regel.\n\n{long}\n")
    assert [b.text for b in blocks] == ["Korte regel.", long]
    assert furniture == []
