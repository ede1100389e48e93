"""Tests for index/read.py: finding files, decoding them, and reading every format."""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import unicodedata
from pathlib import Path

import pypdf
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import index.read as read_module
import index.read_html as read_html_module
import index.read_xml as read_xml_module
from index.errors import KamerzoekError, UnreadableFile
from index.metadata import doctype_of, format_dossier
from index.read import SUPPORTED_EXTENSIONS, decode_text, discover, read_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "read"
CORPUS = Path("/work/shared/corpus")
DIRTY = CORPUS / "samples" / "handelingen-dirty-xml"


def write(folder: Path, name: str, data: bytes | str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def unreadable(path: str) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    return caught.value.reason


def texts(path: str) -> list[str]:
    return [block.text for block in read_file(path).documents[0].blocks]


def kamerstuk(body: str, dossier: str = "<dossiernr>36 200</dossiernr>") -> str:
    return (
        "<officiele-publicatie><metadata/><kamerstuk><kamerstukkop>"
        '<tekstregel inhoud="vergaderjaar">Vergaderjaar 2016-2017</tekstregel>'
        '<tekstregel inhoud="kamernummer">2</tekstregel></kamerstukkop>'
        f"<dossier><dossiernummer>{dossier}</dossiernummer><titel>Dossier</titel></dossier>"
        "<stuk><stuknr>Nr. <ondernummer>12</ondernummer></stuknr>"
        "<titel>BRIEF VAN DE MINISTER VAN DEFENSIE</titel>"
        f"<algemeen><vrije-tekst><tekst>{body}</tekst></vrije-tekst></algemeen></stuk>"
        "</kamerstuk></officiele-publicatie>"
    )


def pdf_with_pages(pages: list[str]) -> bytes:
    """A minimal PDF with one line of Helvetica text per page."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


# --- errors ------------------------------------------------------------------


def test_unreadable_file_carries_its_reason_as_the_message() -> None:
    error = UnreadableFile("empty file")
    assert isinstance(error, KamerzoekError)
    assert error.reason == "empty file" == str(error)


# --- decode_text ---------------------------------------------------------------

DUTCH = [
    "Oekraïne",
    "coördinatie",
    "«aanhalingstekens»",
    "‘enkel’ en “dubbel”",
    "2016–2017 — een gedachtestreep",
    "'s-Gravenhage, zo'n",
    "«café»",
    "voilà…",
    "ﬁnanciën",  # a ligature is the author's, not ours to undo
    "€\u00a030 miljard",
    "Curaçao en Ĳsselmeer",
    "ＡＢＣ",
]


@pytest.mark.parametrize("text", DUTCH)
def test_correct_dutch_text_comes_through_unchanged(text: str) -> None:
    assert decode_text(text.encode("utf-8")) == text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\ufeffOekraïne".encode(), "Oekraïne"),
        ("Oekraïne en coördinatie".encode("utf-16"), "Oekraïne en coördinatie"),
        (b"\xfe\xff" + "coördinatie".encode("utf-16-be"), "coördinatie"),
        ("Oekraïne".encode("utf-32"), "Oekraïne"),
    ],
)
def test_byte_order_marks_decide_the_encoding(data: bytes, expected: str) -> None:
    assert decode_text(data) == expected


def test_latin1_text_is_decoded() -> None:
    assert decode_text("Oekraïne en coördinatie".encode("latin-1")) == "Oekraïne en coördinatie"


def test_windows_1252_quotes_and_dashes_are_decoded() -> None:
    data = "“Oekraïne” – €".encode("cp1252")
    assert decode_text(data) == "“Oekraïne” – €"


def test_windows_1252_file_is_read_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "brief.txt", "De coördinatie met Oekraïne.".encode("cp1252"))
    result = read_file(path)
    assert result.documents[0].text == "De coördinatie met Oekraïne."
    assert result.notes == [(path, "recovered: not UTF-8, read as Windows-1252")]


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("cliÃ«nten", "cliënten"),
        ("ï»¿\nVoorzitter: Martin Bosma", "\nVoorzitter: Martin Bosma"),
        ("KrÃ¶ger en Ã\u0096zdil", "Kröger en Özdil"),
        ("financiÃ«le sector", "financiële sector"),
    ],
)
def test_double_encoded_utf8_is_repaired(damaged: str, repaired: str) -> None:
    assert decode_text(damaged.encode("utf-8")) == repaired


def test_ocr_noise_that_looks_like_mojibake_is_left_alone() -> None:
    # from the SGD scans: ftfy would turn "Ï°" into a Greek letter
    assert decode_text("BULAOI 5Ï°. 3. STAAT".encode()) == "BULAOI 5Ï°. 3. STAAT"


def test_newlines_become_line_feeds_and_text_becomes_nfc() -> None:
    assert decode_text(b"a\r\nb\rc\n") == "a\nb\nc\n"
    assert decode_text("coo\u0308rdinatie".encode()) == "coördinatie"


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04\x00\x00binary", b"\x01\x02\x03\x04\x05\x06", os.urandom(2048) + b"\x00"],
)
def test_binary_data_is_not_text(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="not text: binary content"):
        decode_text(data)


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n", b"\xef\xbb\xbf", "  ".encode("utf-16")])
def test_empty_or_blank_content_is_an_empty_file(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="empty file"):
        decode_text(data)


@given(st.binary())
def test_decode_text_raises_nothing_but_unreadable_file(data: bytes) -> None:
    try:
        assert isinstance(decode_text(data), str)
    except UnreadableFile:
        pass


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzëïöüéèàçĲ .,;:'«»‘’“”–—€\n", min_size=1))
@example("à–\n»à")  # ftfy read "»à" as mojibake of "Ȉ"
def test_dutch_text_round_trips(text: str) -> None:
    if text.strip():
        assert decode_text(text.encode("utf-8")) == unicodedata.normalize("NFC", text)


# --- read_file: text formats -------------------------------------------------------


def test_supported_extensions_are_the_documented_ones() -> None:
    assert SUPPORTED_EXTENSIONS == (".txt", ".md", ".xml", ".html", ".htm", ".pdf", ".jsonl")


def test_seed_letter_is_read_as_pdftext_exactly() -> None:
    path = str(ROOT / "seeds" / "003_693843c5837e85b5.txt")
    result = read_file(path)
    (document,) = result.documents
    assert document.format == "pdftext"
    assert document.name_hint == "003_693843c5837e85b5"
    assert document.source == path
    # the leading space marks a page; cleaning happens elsewhere
    assert document.text == Path(path).read_text("utf-8")
    assert document.text.startswith(" Aan de Voorzitter van de Tweede Kamer")
    assert result.problems == [] and result.notes == []


def test_markdown_file_is_read_as_markdown(tmp_path: Path) -> None:
    path = write(tmp_path, "brief.md", "## BRIEF VAN DE MINISTER\r\n\r\nTekst.\r\n")
    (document,) = read_file(path).documents
    assert (document.format, document.text, document.name_hint) == (
        "markdown",
        "## BRIEF VAN DE MINISTER\n\nTekst.\n",
        "brief",
    )


def test_utf16_text_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "brief.txt", "Oekraïne en coördinatie\r\n".encode("utf-16"))
    assert read_file(path).documents[0].text == "Oekraïne en coördinatie\n"


# --- read_file: what cannot be read ---------------------------------------------------


def test_unknown_extension_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "motie.docx", b"PK\x03\x04")
    assert unreadable(path) == (
        "unknown extension .docx (supported: .txt .md .xml .html .htm .pdf .jsonl)"
    )
    assert unreadable(write(tmp_path, "README", "tekst")).startswith("unknown extension (none)")


@pytest.mark.parametrize("name", ["leeg.txt", "leeg.xml", "leeg.jsonl", "leeg.pdf"])
def test_empty_file_is_reported(tmp_path: Path, name: str) -> None:
    assert unreadable(write(tmp_path, name, b"")) == "empty file"


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    assert unreadable(write(tmp_path, "leeg.md", b" \n\n ")) == "empty file"


def test_random_bytes_named_txt_are_not_text(tmp_path: Path) -> None:
    path = write(tmp_path, "ruis.txt", bytes(range(256)) * 8)
    assert unreadable(path) == "not text: binary content"


def test_missing_file_is_reported(tmp_path: Path) -> None:
    assert unreadable(str(tmp_path / "weg.txt")) == "cannot open: file not found"


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "map.xml").mkdir()
    assert unreadable(str(tmp_path / "map.xml")) == "cannot open: is a folder"


def test_file_without_read_permission_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "dicht.txt", "Tekst.")
    os.chmod(path, 0)
    try:
        if os.geteuid() == 0:  # root reads it anyway: then it is simply read
            assert read_file(path).documents[0].text == "Tekst."
        else:
            assert unreadable(path) == "cannot open: permission denied"
    finally:
        os.chmod(path, 0o644)


def test_permission_error_on_open_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "dicht.txt", "Tekst.")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(read_module, "open", refuse, raising=False)
    assert unreadable(path) == "cannot open: permission denied"


def test_file_over_64_mb_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "groot.txt"
    with open(path, "wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: nothing is written or read
    assert unreadable(str(path)) == "too large: 65.0 MB (limit 64 MB)"


# --- read_file: officielebekendmakingen XML ------------------------------------------


def test_motion_with_inline_meta_takes_its_facts_from_meta() -> None:
    path = str(FIXTURES / "motie-kst-34104-439-inline-meta.xml")
    result = read_file(path)
    (document,) = result.documents
    assert document.format == "ob-xml"
    assert document.name_hint == "kst-34104-439"
    meta = document.meta
    assert (
        meta["title"]
        == "Motie van het lid Rikkers-Oosterkamp over afspraken over een regionaal budget"
    )
    assert meta["dossier"] == "34 104"
    assert meta["number"] == "439"
    assert meta["date"] == "2025-04-24"
    assert meta["vergaderjaar"] == "2024-2025"
    assert meta["doctype"] == "motie"
    assert meta["chamber"] == "II"
    assert meta["identifier"] == "kst-34104-439"
    assert meta["dossier_title"] == "Langdurige zorg"
    assert meta["signatories"] == [{"name": "M.G.F. Rikkers-Oosterkamp", "office": None}]
    blocks = document.blocks
    assert [b.text for b in blocks[:2]] == ["De Kamer,", "gehoord de beraadslaging,"]
    assert blocks[-2].text == "en gaat over tot de orde van de dag."
    assert blocks[-1].text == "Rikkers-Oosterkamp"  # the signature stays as text
    assert all(b.kind == "paragraph" and b.page is None for b in blocks)
    assert result.problems == [] and result.notes == []


def test_motion_without_meta_takes_its_facts_from_the_document() -> None:
    (document,) = read_file(str(FIXTURES / "motie-kst-24515-782-no-meta.xml")).documents
    assert document.meta == {
        "identifier": "kst-24515-782",  # from the metadata link, which is never fetched
        "vergaderjaar": "2024-2025",
        "chamber": "II",
        "dossier": "24 515",
        "dossier_title": "Preventie en bestrijding van stille armoede en sociale uitsluiting",
        "number": "782",
        "title": "MOTIE VAN HET LID CEDER",
        "doctype": "motie",
        "date": "2025-02-06",
        "signatories": [{"name": "Ceder", "office": None}],
    }
    assert document.blocks[2].text.startswith(
        "constaterende dat Wki-geregistreerde incassobureaus nu geen inzicht hebben "
        "(via BRP-gegevens)"
    )


def test_motion_list_items_keep_their_labels_and_signers_their_order() -> None:
    (document,) = read_file(str(FIXTURES / "motie-kst-36547-31-list.xml")).documents
    found = [b.text for b in document.blocks]
    assert "verzoekt de regering de Nederlandse Arbeidsinspectie aan te moedigen om:" in found
    assert (
        "– aanzienlijk meer fysieke, niet-aangekondigde werkplekcontroles te verrichten bij "
        "vermoedens van arbeidsuitbuiting;"
    ) in found
    assert found[-2:] == ["Boomsma", "Van Nispen"]
    # <meta> lists them the other way round; the printed order (first signer first) wins
    assert document.meta["signatories"] == [
        {"name": "D.T. Boomsma", "office": None},
        {"name": "M. van Nispen", "office": None},
    ]


def test_footnotes_become_blocks_and_their_marks_stay_in_the_text(tmp_path: Path) -> None:
    body = (
        '<al>Zie de brief.<noot id="n1" type="voet"><noot.nr>1</noot.nr>'
        '<noot.al><nadruk type="cur">Kamerstukken II</nadruk> 2016/17, 28 676, nr. 266.</noot.al>'
        "</noot> Verder.</al>"
        '<tussenkop>Inzet<noot id="n2"><noot.nr>2</noot.nr>'
        "<noot.al>Zie bijlage.</noot.al></noot></tussenkop>"
        '<al>Nogmaals de brief<nootref refid="n1"/>.</al>'
    )
    (document,) = read_file(write(tmp_path, "brief.xml", kamerstuk(body))).documents
    blocks = [(b.kind, b.text, b.mark, b.notes) for b in document.blocks]
    assert blocks == [
        ("paragraph", "Zie de brief.¹ Verder.", None, ["1"]),
        ("heading", "Inzet²", None, ["2"]),
        ("paragraph", "Nogmaals de brief¹.", None, ["1"]),
        ("footnote", "Kamerstukken II 2016/17, 28 676, nr. 266.", "1", []),
        ("footnote", "Zie bijlage.", "2", []),
    ]
    assert document.meta["doctype"] == "brief"
    assert document.meta["title"] == "BRIEF VAN DE MINISTER VAN DEFENSIE"


def test_inline_markup_neither_glues_words_nor_doubles_spaces(tmp_path: Path) -> None:
    body = (
        "<al>de uitstoot van CO<inf>2</inf> en NO<inf>x</inf>-depositie</al>"
        '<al>naar voorbeeld van het <nadruk type="cur">Congressional Budget Office</nadruk>'
        " in de VS</al>"
        '<al>bij motie (<extref doc="kst-36410-VI-87" soort="document">'
        "36 410-VI, nr. 87</extref>)</al>"
        "<al>  regel\n   over   twee\tregels  </al>"
    )
    found = texts(write(tmp_path, "brief.xml", kamerstuk(body)))
    assert found == [
        "de uitstoot van CO2 en NOx-depositie",
        "naar voorbeeld van het Congressional Budget Office in de VS",
        "bij motie (36 410-VI, nr. 87)",
        "regel over twee regels",
    ]


def test_extrefs_to_kamerstukken_become_references(tmp_path: Path) -> None:
    body = (
        '<al>motie <extref doc="kst-36410-VI-87">36 410-VI, nr. 87</extref> en '
        '<extref doc="kst-21501-32-1668">21501–32, nr. 1668</extref></al>'
    )
    (document,) = read_file(write(tmp_path, "brief.xml", kamerstuk(body))).documents
    assert document.meta["references"] == ["36 410-VI, nr. 87", "21 501-32, nr. 1668"]


def test_tables_become_one_paragraph_per_row(tmp_path: Path) -> None:
    body = (
        '<table><title>Tabel 1</title><tgroup cols="2"><thead><row><entry>Jaar</entry>'
        "<entry>Bedrag</entry></row></thead><tbody><row><entry><al>2024</al></entry>"
        "<entry><al>€ 5 mln</al></entry></row><row><entry/><entry/></row></tbody></tgroup></table>"
    )
    assert texts(write(tmp_path, "brief.xml", kamerstuk(body))) == [
        "Tabel 1",
        "Jaar | Bedrag",
        "2024 | € 5 mln",
    ]


def test_signature_gives_signatories_with_their_office(tmp_path: Path) -> None:
    body = (
        "<al>Tekst.</al><ondertekening><functie>De Minister van Defensie,</functie>"
        "<naam><voornaam>J.A.</voornaam> <achternaam>Hennis-Plasschaert</achternaam></naam>"
        "</ondertekening>"
    )
    (document,) = read_file(write(tmp_path, "brief.xml", kamerstuk(body))).documents
    assert document.blocks[-1].text == "De Minister van Defensie, J.A. Hennis-Plasschaert"
    assert document.meta["signatories"] == [
        {"name": "J.A. Hennis-Plasschaert", "office": "De Minister van Defensie"}
    ]


@pytest.mark.parametrize(
    ("dossier", "expected"),
    [
        ("<dossiernr>21 501</dossiernr>-<raadnr>20</raadnr>", "21 501-20"),
        (
            "<dossiernr>36 410</dossiernr><begrotingshoofdstuk>VII</begrotingshoofdstuk>",
            "36 410-VII",
        ),
        ("<dossiernr>36 351</dossiernr> (<rijkswetnr>R 2184</rijkswetnr>)", "36 351 (R2184)"),
        ("<dossiernr>  24  515 </dossiernr>", "24 515"),
    ],
)
def test_printed_dossier_numbers_are_kept_as_printed(
    tmp_path: Path, dossier: str, expected: str
) -> None:
    path = write(tmp_path, "brief.xml", kamerstuk("<al>Tekst.</al>", dossier))
    assert read_file(path).documents[0].meta["dossier"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("34104", "34 104"),
        ("21501-20", "21 501-20"),
        ("36800-IX", "36 800-IX"),
        ("36455-(R2188)", "36 455 (R2188)"),
        ("5", "5"),
        ("123456", "123 456"),
    ],
)
def test_meta_dossier_numbers_are_grouped_as_printed(value: str, expected: str) -> None:
    assert format_dossier(value) == expected


@pytest.mark.parametrize(
    ("title", "doctype"),
    [
        ("MOTIE VAN HET LID CEDER", "motie"),
        ("GEWIJZIGDE MOTIE VAN HET LID KRÖGER C.S.", "motie"),
        ("TWEEDE NADER GEWIJZIGDE MOTIE VAN DE LEDEN X EN Y", "motie"),
        ("GEWIJZGIDE MOTIE VAN HET LID X", "motie"),  # misspelt in the corpus
        ("Gewijzigde motie", "motie"),
        ("AMENDEMENT VAN HET LID OMTZIGT", "amendement"),
        ("BRIEF VAN DE MINISTER VAN DEFENSIE", "brief"),
        ("VERSLAG", "verslag"),
        ("NOTA NAAR AANLEIDING VAN HET VERSLAG", "nota naar aanleiding van het verslag"),
        ("NOTA VAN WIJZIGING", "nota van wijziging"),
        ("MEMORIE VAN TOELICHTING", "memorie van toelichting"),
        ("VOORSTEL VAN WET", "wetsvoorstel"),
        ("RAPPORT", None),
    ],
)
def test_doctype_is_read_from_the_title(title: str, doctype: str | None) -> None:
    assert doctype_of(title) == doctype


def test_dirty_handelingen_are_repaired_with_a_note() -> None:
    path = str(FIXTURES / "h-tk-20172018-70-1.xml")
    result = read_file(path)
    assert result.notes == [(path, "recovered: mojibake repaired")]
    found = texts(path)
    assert found[:4] == [
        "70e vergadering",
        "Donderdag 5 april 2018",
        "Aanvang 10:15 uur",
        "Voorzitter: Martin Bosma",
    ]
    names = " ".join(found)
    for name in ("Kröger", "Laçin", "Özdil", "Özütok", "Wörsdörfer", "Yeşilgöz-Zegerius"):
        assert name in names
    assert "Ã" not in names and "â" not in names


def test_pretty_printed_speakers_read_as_printed() -> None:
    found = texts(str(FIXTURES / "h-tk-20172018-70-2.xml"))
    assert found == [
        "Mededelingen",
        "De voorzitter:",
        "Ik deel aan de Kamer mee dat er geen afmeldingen zijn.",
        "Deze mededeling wordt voor kennisgeving aangenomen.",
    ]


def test_truncated_xml_is_recovered_with_a_note(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kapot.xml",
        kamerstuk("<al>De Kamer,</al><al>gehoord de beraadslaging,</al>")[:-60],
    )
    result = read_file(path)
    (source, note) = result.notes[0]
    assert source == path and note.startswith("recovered: XML parsed in recovery mode (")
    assert [b.text for b in result.documents[0].blocks][:1] == ["De Kamer,"]


def test_xml_that_is_not_xml_is_malformed(tmp_path: Path) -> None:
    assert unreadable(write(tmp_path, "kapot.xml", "dit is geen <<< xml")).startswith(
        "malformed XML: "
    )


def test_billion_laughs_are_never_expanded(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    xml = (
        f"<?xml version='1.0'?><!DOCTYPE doc [{entities}]>"
        "<doc><al>Gewone tekst</al><al>&lol9;</al></doc>"
    )
    started = time.monotonic()
    found = texts(write(tmp_path, "lol.xml", xml))
    assert time.monotonic() - started < 5
    assert found == ["Gewone tekst"]


def test_external_entities_are_never_fetched(tmp_path: Path) -> None:
    secret = write(tmp_path, "geheim.txt", "GEHEIM-WACHTWOORD")
    xml = (
        f'<!DOCTYPE doc [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY pw SYSTEM "file:///etc/passwd">]>'
        "<doc><al>Tekst &xxe; en &pw; einde</al></doc>"
    )
    found = " ".join(texts(write(tmp_path, "xxe.xml", xml)))
    assert "GEHEIM" not in found and "root:" not in found
    assert found == "Tekst en einde"


def test_external_dtd_is_never_loaded(tmp_path: Path) -> None:
    dtd = write(tmp_path, "kwaad.dtd", '<!ENTITY wie "GELEKT">')
    xml = f'<!DOCTYPE doc SYSTEM "file://{dtd}"><doc><al>Tekst &wie;</al></doc>'
    try:
        found = " ".join(texts(write(tmp_path, "dtd.xml", xml)))
    except UnreadableFile as exc:  # an undefined entity may make it malformed; never expanded
        found = exc.reason
    assert "GELEKT" not in found


def test_deeply_nested_xml_does_not_crash(tmp_path: Path) -> None:
    xml = "<doc>" + "<al-groep>" * 5000 + "<al>diep</al>" + "</al-groep>" * 5000 + "</doc>"
    path = write(tmp_path, "diep.xml", xml)
    try:
        result = read_file(path)
    except UnreadableFile as exc:
        assert exc.reason.startswith("malformed XML")
    else:
        assert result.notes and result.notes[0][1].startswith("recovered:")


def test_xml_falls_back_to_flat_text_on_recursion_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_deep(*args: object) -> None:
        raise RecursionError

    monkeypatch.setattr(read_xml_module, "_read_generic", too_deep)
    path = write(tmp_path, "diep.xml", "<doc><al>Een</al><x><al>Twee</al></x></doc>")
    result = read_file(path)
    assert [b.text for b in result.documents[0].blocks] == ["Een", "Twee"]
    assert result.notes == [(path, "recovered: nesting too deep, text read without structure")]


def test_metadata_record_is_not_a_document(tmp_path: Path) -> None:
    xml = '<metadata_gegevens><metadata name="DC.title" content="Titel"/></metadata_gegevens>'
    assert unreadable(write(tmp_path, "metadata.xml", xml)).startswith(
        "not a document: a metadata record"
    )


def test_generic_xml_gives_headings_and_paragraphs(tmp_path: Path) -> None:
    xml = (
        '<vlosCoreDocument xmlns="http://www.tweedekamer.nl/ggm/vergaderverslag/v1.0">'
        "<vergadering><titel>14e vergadering</titel><datum>2014-10-15T00:00:00</datum>"
        "<activiteit><titel>Opening</titel><spreker><voornaam>Fleur</voornaam></spreker>"
        "<tekst><alinea><alineaitem>Mevrouw <nadruk>Agema</nadruk> (PVV):</alineaitem>"
        "<alineaitem>Voorzitter.</alineaitem></alinea></tekst></activiteit></vergadering>"
        "</vlosCoreDocument>"
    )
    (document,) = read_file(write(tmp_path, "vlos.xml", xml)).documents
    assert [(b.kind, b.text) for b in document.blocks] == [
        ("heading", "14e vergadering"),
        ("heading", "Opening"),
        ("paragraph", "Mevrouw Agema (PVV):"),
        ("paragraph", "Voorzitter."),
    ]


# --- read_file: officielebekendmakingen HTML --------------------------------------------


def test_officielebekendmakingen_page_gives_meta_and_body_blocks() -> None:
    (document,) = read_file(str(FIXTURES / "stb-2014-296.html")).documents
    assert document.format == "ob-html"
    assert document.name_hint == "stb-2014-296"
    meta = document.meta
    assert meta["identifier"] == "stb-2014-296"
    assert meta["date"] == "2014-07-29"
    assert meta["doctype"] == "klein koninklijk besluit"
    assert meta["title"].startswith("Besluit van 14 juli 2014, houdende verlenging")
    assert meta["signatories"][0] == {
        "name": "R.H.A. Plasterk",
        "office": "De Minister van Binnenlandse Zaken en Koninkrijksrelaties",
    }
    blocks = [(b.kind, b.text) for b in document.blocks]
    assert blocks[0] == (
        "paragraph",
        "Wij Willem-Alexander, bij de gratie Gods, Koning der Nederlanden, "
        "Prins van Oranje-Nassau, enz. enz. enz.",
    )
    assert ("heading", "ARTIKEL I") in blocks and ("heading", "NOTA VAN TOELICHTING") in blocks
    assert ("paragraph", "Uitgegeven de negenentwintigste juli 2014") in blocks
    assert not any(text in ("Aanhef", "Lichaam") for _, text in blocks)  # the table of contents
    assert not any(text == meta["title"] for _, text in blocks)  # the title is not a passage


def test_scripts_styles_and_event_handlers_never_reach_the_text(tmp_path: Path) -> None:
    html = (
        "<html><head><style>p { color: red }</style><script>var x = 1;</script></head><body>"
        '<p onclick="steal()">Gewone <b>tekst</b><script>alert(1)</script></p>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">link</a>'
        "<noscript>zet javascript aan</noscript><style>.x{}</style>"
        "<form><input value='formulier'><button>Verstuur</button></form></body></html>"
    )
    found = " ".join(texts(write(tmp_path, "pagina.html", html)))
    assert found == "Gewone tekst link"
    for forbidden in ("alert", "steal", "javascript", "color", "<", "formulier", "Verstuur"):
        assert forbidden not in found


def test_deeply_nested_html_does_not_crash(tmp_path: Path) -> None:
    html = "<html><body>" + "<div>" * 10_000 + "<p>diep</p>" + "</div>" * 10_000 + "</body></html>"
    assert texts(write(tmp_path, "diep.htm", html)) == ["diep"]


def test_html_falls_back_to_flat_text_on_recursion_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_deep(*args: object) -> None:
        raise RecursionError

    monkeypatch.setattr(read_html_module, "_read_soup", too_deep)
    path = write(tmp_path, "diep.html", "<div><p>Een</p><script>alert(1)</script><p>Twee</p></div>")
    result = read_file(path)
    assert [b.text for b in result.documents[0].blocks] == ["Een", "Twee"]
    assert result.notes == [(path, "recovered: nesting too deep, text read without structure")]


def test_html_footnotes_become_footnote_blocks(tmp_path: Path) -> None:
    html = (
        '<body><div id="broodtekst"><p>Zie de brief<sup><a href="#n1">1</a></sup> hierover.</p>'
        '<div class="voetnoten"><ol><li><sup>1</sup> Kamerstuk 28 676, nr. 266.</li></ol></div>'
        "</div></body>"
    )
    (document,) = read_file(write(tmp_path, "brief.html", html)).documents
    assert [(b.kind, b.text, b.mark, b.notes) for b in document.blocks] == [
        ("paragraph", "Zie de brief¹ hierover.", None, ["1"]),
        ("footnote", "Kamerstuk 28 676, nr. 266.", "1", []),
    ]


def test_html_without_text_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "leeg.html", "<html><body><script>alert(1)</script></body></html>")
    assert unreadable(path) == "no text: the HTML page holds no readable text"


# --- read_file: PDF -------------------------------------------------------------------------


def test_motion_pdf_text_is_extracted() -> None:
    path = str(FIXTURES / "motie-21501-02-3121.pdf")
    (document,) = read_file(path).documents
    assert document.format == "pdf"
    assert document.name_hint == "motie-21501-02-3121"
    assert document.text.startswith("Tweede Kamer der Staten-Generaal\n")
    assert "MOTIE VAN HET LID CEDER" in document.text
    assert "Israël" in document.text


def test_pdf_pages_are_joined_with_form_feeds(tmp_path: Path) -> None:
    path = write(tmp_path, "twee.pdf", pdf_with_pages(["Eerste pagina", "Tweede pagina"]))
    assert read_file(path).documents[0].text == "Eerste pagina\fTweede pagina"


def test_pdf_without_text_layer_is_reported(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert (
        unreadable(write(tmp_path, "scan.pdf", buffer.getvalue())) == "no text layer (scanned PDF?)"
    )


def test_encrypted_pdf_is_reported(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("geheim", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert (
        unreadable(write(tmp_path, "dicht.pdf", buffer.getvalue()))
        == "encrypted PDF: a password is needed"
    )


@pytest.mark.parametrize("data", [b"%PDF-1.4\n kapot", b"dit is tekst, geen pdf"])
def test_broken_pdf_is_reported(tmp_path: Path, data: bytes) -> None:
    assert unreadable(write(tmp_path, "kapot.pdf", data)).startswith("broken PDF: ")


# --- read_file: JSON lines ---------------------------------------------------------------------


def test_jsonl_gives_one_ocr_document_per_line() -> None:
    path = str(FIXTURES / "sgd-3-lines.jsonl")
    result = read_file(path)
    assert len(result.documents) == 3
    first = result.documents[0]
    assert first.format == "ocr"
    assert first.source == f"{path}#1"
    assert first.name_hint == "sgd-0000142774"
    assert first.meta == {"url": "https://zoek.officielebekendmakingen.nl/0000142774/ocr"}
    assert first.text.startswith("Tweede Kamer der Staten-Generaal\n2\nZitting 1982-1983\n12449\n")
    assert "economi-sche" in first.text  # OCR hyphenation is the cleaner's business
    assert [d.source for d in result.documents] == [f"{path}#{n}" for n in (1, 2, 3)]


def test_bad_jsonl_lines_are_skipped_with_a_problem(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"url": "https://zoek.officielebekendmakingen.nl/0000000001/ocr", "text": "Eerste."}
        ),
        "{dit is geen json",
        "[1, 2]",
        json.dumps({"url": "https://example.org/x"}),
        json.dumps({"text": "   "}),
        "",
        json.dumps({"url": "https://example.org/y", "text": "Laatste."}),
        "[" * 100_000,
    ]
    path = write(tmp_path, "stukken.jsonl", "\n".join(lines) + "\n")
    result = read_file(path)
    assert [(d.source, d.text, d.name_hint) for d in result.documents] == [
        (f"{path}#1", "Eerste.", "sgd-0000000001"),
        (f"{path}#7", "Laatste.", "stukken-7"),
    ]
    problems = dict(result.problems)
    assert problems[f"{path}#2"].startswith("invalid JSON: ")
    assert problems[f"{path}#3"] == "not a JSON object but list"
    assert problems[f"{path}#4"] == problems[f"{path}#5"] == 'missing or empty "text"'
    assert problems[f"{path}#8"].startswith("invalid JSON")
    assert f"{path}#6" not in problems  # an empty line is no problem


def test_jsonl_without_a_usable_line_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "stukken.jsonl", '{"url": "x"}\nnope\n')
    assert unreadable(path) == 'no usable JSON lines (line 1: missing or empty "text")'
    assert unreadable(write(tmp_path, "leeg.jsonl", "\n\n  \n")) == "empty file"


MARKUP = st.text(
    alphabet="<>/&;!?-=\"' al noot.nr lijst li row kamerstuk stuk titel xml html p", max_size=300
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=600), MARKUP.map(str.encode)),
    ext=st.sampled_from(SUPPORTED_EXTENSIONS),
)
def test_read_file_raises_nothing_but_unreadable_file(data: bytes, ext: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "invoer" + ext)
        Path(path).write_bytes(data)
        try:
            result = read_file(path)
        except UnreadableFile as exc:
            assert exc.reason and "\n" not in exc.reason
        else:
            assert result.documents


# --- discover ------------------------------------------------------------------------------------


def tree(root: Path) -> None:
    for name in (
        "b.txt",
        "a.txt",
        "sub/c.xml",
        "sub/deeper/d.jsonl",
        ".hidden/x.txt",
        ".h.txt",
        "motie.docx",
    ):
        write(root, name, "tekst")


def test_discover_walks_folders_in_sorted_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    expected = [
        "seeds/a.txt",
        "seeds/b.txt",
        "seeds/motie.docx",
        "seeds/sub/c.xml",
        "seeds/sub/deeper/d.jsonl",
    ]
    assert discover(["seeds/"]) == (expected, [])
    assert discover(["seeds"]) == (expected, [])
    assert discover(["seeds/b.txt", "seeds/sub"]) == (
        ["seeds/b.txt", "seeds/sub/c.xml", "seeds/sub/deeper/d.jsonl"],
        [],
    )


def test_discover_is_deterministic(tmp_path: Path) -> None:
    tree(tmp_path)
    first = discover([str(tmp_path)])
    assert first == discover([str(tmp_path)])
    assert first[0] == sorted(first[0])


def test_discover_does_not_follow_symlinked_folders(tmp_path: Path) -> None:
    tree(tmp_path / "root")
    os.symlink(tmp_path / "root", tmp_path / "root" / "sub" / "loop")
    os.symlink(tmp_path / "root" / "a.txt", tmp_path / "root" / "link.txt")
    os.symlink(tmp_path / "weg.txt", tmp_path / "root" / "broken.txt")
    files, problems = discover([str(tmp_path / "root")])
    assert [Path(f).relative_to(tmp_path / "root").as_posix() for f in files] == [
        "a.txt",
        "b.txt",
        "link.txt",
        "motie.docx",
        "sub/c.xml",
        "sub/deeper/d.jsonl",
    ]
    assert problems == [
        (str(tmp_path / "root" / "broken.txt"), "broken symlink"),
        (str(tmp_path / "root" / "sub" / "loop"), "symlinked folder not followed"),
    ]


def test_discover_reports_missing_sources(tmp_path: Path) -> None:
    missing = str(tmp_path / "nergens")
    assert discover([missing]) == ([], [(missing, "not found")])


def test_discover_reports_folders_it_cannot_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path)
    locked = str(tmp_path / "sub")
    scandir = os.scandir

    def guarded(path: str) -> object:
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    files, problems = discover([str(tmp_path)])
    assert problems == [(locked, "cannot list: permission denied")]
    assert str(tmp_path / "a.txt") in files and not any(f.startswith(locked) for f in files)


# --- the shared corpus (only where it is present) -------------------------------------------------


@pytest.mark.skipif(not DIRTY.exists(), reason="needs /work/shared/corpus")
def test_every_dirty_handelingen_file_is_recovered_or_reported() -> None:
    paths = sorted(DIRTY.glob("*.xml"))
    assert len(paths) == 14
    for path in paths:
        try:
            result = read_file(str(path))
        except UnreadableFile as exc:
            assert exc.reason
            continue
        assert result.notes, path
        text = " ".join(b.text for b in result.documents[0].blocks)
        assert text and "Ã" not in text and "ï»¿" not in text, path


@pytest.mark.skipif(not (CORPUS / "samples").exists(), reason="needs /work/shared/corpus")
def test_corpus_samples_are_read_or_reported() -> None:
    samples = CORPUS / "samples"
    vlos = texts(str(samples / "vlos-xml" / "03686ab6.xml"))
    assert vlos[0] == "14e vergadering, woensdag 15 oktober 2014"
    assert "Voorzitter: Van Miltenburg" in vlos
    staatsblad = texts(str(samples / "ob-html-xml" / "stb.xml"))
    assert "Staatsblad van het Koninkrijk der Nederlanden" in staatsblad
    assert any(
        t.startswith("a. op de voorzijde, overeenkomstig onderstaande afbeelding")
        for t in staatsblad
    )
    assert unreadable(str(samples / "ob-html-xml" / "opmeta1.xml")).startswith("not a document")
    for name in (
        "0787ced2-629a-4d32-ab8f-4b97a7680248.docx",
        "ca71487f-866a-43aa-a9d5-ec3e2c3a236c.doc",
    ):
        assert unreadable(str(samples / "moties-docx-doc-pdf" / name)).startswith(
            "unknown extension"
        )


@pytest.mark.skipif(not (CORPUS / "sgd").exists(), reason="needs /work/shared/corpus")
def test_whole_sgd_file_is_streamed_without_problems() -> None:
    result = read_file(str(CORPUS / "sgd" / "sgd-kamerstukken.jsonl"))
    assert len(result.documents) == 5023
    assert result.problems == []
