"""Metadata from the letters' text: only what the text states, never a guess."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from index.metadata import extract, format_dossier, references
from tests.conftest import cleaned_seed, raw_seed


def meta(key: str) -> dict:
    return asdict(extract(raw_seed(key), cleaned_seed(key)))


@pytest.mark.parametrize(
    "key, field, expected",
    [
        ("003", "dossier", "28 676"), ("003", "number", "266"), ("003", "vergaderjaar", "2016-2017"),
        ("003", "date", "2017-03-29"), ("003", "doctype", "brief"), ("003", "chamber", "II"),
        ("003", "title", None),
        ("004", "dossier", "28 676"), ("004", "number", "418"), ("004", "vergaderjaar", "2022-2023"),
        ("004", "date", "2022-09-30"), ("004", "title", "BRIEF VAN DE MINISTER VAN DEFENSIE"),
        ("002", "date", "2018-04-26"), ("002", "dossier", None), ("002", "number", None),
        ("000", "date", None), ("000", "dossier", None), ("000", "vergaderjaar", None),
        ("001", "date", None), ("001", "chamber", None),
    ],
)
def test_metadata_of_the_seeds(key: str, field: str, expected: object) -> None:
    assert meta(key)[field] == expected


@pytest.mark.parametrize(
    "key, expected",
    [
        ("000", [("J.A. Hennis-Plasschaert", "De Minister van Defensie"),
                 ("A.G. Koenders", "De Minister van Buitenlandse Zaken")]),
        ("001", [("K.H. Ollongren", "De minister van Defensie"),  # "drs." dropped; two-column signature
                 ("Hanke Bruins Slot", "De minister van Buitenlandse Zaken")]),
        ("002", [("S.A. Blok", "De Minister van Buitenlandse Zaken"),
                 ("A.Th.B. Bijleveld-Schouten", "De Minister van Defensie")]),
        ("003", [("A.G. Koenders", "De Minister van Buitenlandse Zaken")]),
        ("004", [("K.H. Ollongren", "De Minister van Defensie")]),
    ],
)
def test_signatories_with_their_office(key: str, expected: list[tuple[str, str]]) -> None:
    assert [(s["name"], s["office"]) for s in meta(key)["signatories"]] == expected


def test_references_to_other_kamerstukken() -> None:
    assert meta("002")["references"] == [
        "34 919, nr. 1", "33 694, nr. 12", "28 676, nr. 282", "28 676, nr. 252", "32 623, nr. 200"]
    assert meta("001")["references"] == ["28 676, nr. 433", "28 676, nr. 422"]  # "286 76" as printed


@pytest.mark.parametrize(
    "raw, expected",
    [("28676", "28 676"), ("28 676", "28 676"), ("21501-20", "21 501-20"), ("2", "2"),
     ("12449", "12 449"), ("36200-VII", "36 200-VII")],
)
def test_dossier_numbers_are_grouped_as_printed(raw: str, expected: str) -> None:
    assert format_dossier(raw) == expected


def test_reference_forms() -> None:
    assert references("zie Kamerstukken II 2016/17, 28 676, nr. 266 en Kamerstuk 21 501-20, nr. 1234") == [
        "28 676, nr. 266", "21 501-20, nr. 1234"]
