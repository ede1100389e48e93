"""Facts about a letter (title, type, date, dossier, number, signatories, references) from its text.

Facts a format states explicitly (the XML's <meta>) win; then page furniture;
then the text itself. Whatever is not stated stays None: nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.clean import FURNITURE, Cleaned
from index.records import Block, Meta, RawDocument, Signatory

MONTHS = {
    m: i
    for i, m in enumerate(
        "januari februari maart april mei juni juli augustus september oktober november december".split(),
        start=1,
    )
}
_MONTH = "|".join(MONTHS)
DATE_IN_TEXT = re.compile(
    rf"(?:Den Haag|['’`]s-Gravenhage|Brussel|Ontvangen|Voorgesteld)\s*,?\s+(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})",
    re.IGNORECASE,
)
VERGADERJAAR = re.compile(r"\b(?:vergaderjaar|zitting)\s+(\d{4})\s*[–—/-]\s*(\d{2,4})\b", re.IGNORECASE)
DOSSIER_LINE = re.compile(r"^(\d{1,3}(?: ?\d{3})+|\d{4,6})(?:\s*-\s*([\dA-Z]{1,4}))?$")
NUMBER_LINE = re.compile(r"^(?:Nr|Mr|No)\.?\s*(\d{1,4})\b", re.IGNORECASE)
REFERENCE = re.compile(
    r"Kamerstuk(?:ken)?\s+(?:I{1,2}\s+)?(?:\d{4}/\d{2,4},?\s+)?"
    r"(\d{1,3}(?:\s?\d{1,3})*?\d?(?:-[\dA-Z]{1,4})?)\s*,\s*nrs?\.?\s*(\d{1,4})",
)
OFFICE = re.compile(
    r"\b(De|de)\s+((?:[Mm]inister-[Pp]resident|[Mm]inister|[Ss]taatssecretaris)"
    r"(?:\s+(?:van|voor)\s+[^,]{2,80}?)?)\s*,"
)
TITLES = re.compile(r"^(?:(?:drs|mr|dr|prof|ir|ing|ds)\.\s*)+", re.IGNORECASE)
NAME = re.compile(r"^(?:(?:drs|mr|dr|prof|ir|ing)\.\s*)*[A-Z][\w.'’-]*(?:\s+[A-Za-z][\w.'’-]*){0,4}$")

DOCTYPES = [  # (pattern at the start of the document's type line, doctype)
    (r"(?:GEWIJZIGDE\s+)?MOTIE", "motie"),
    (r"(?:GEWIJZIGD\s+|NADER\s+GEWIJZIGD\s+)?AMENDEMENT", "amendement"),
    (r"BRIEF", "brief"),
    (r"MEMORIE VAN TOELICHTING", "memorie van toelichting"),
    (r"MEMORIE VAN ANTWOORD", "memorie van antwoord"),
    (r"NOTA NAAR AANLEIDING VAN HET (?:NADER )?VERSLAG", "nota naar aanleiding van het verslag"),
    (r"NOTA VAN WIJZIGING", "nota van wijziging"),
    (r"(?:VOORLOPIG |EINDVERSLAG|VERSLAG)", "verslag"),
    (r"(?:VOORSTEL|ONTWERP) VAN WET", "wetsvoorstel"),
    (r"KONINKLIJKE BOODSCHAP", "koninklijke boodschap"),
    (r"ADVIES (?:VAN )?(?:DE )?RAAD VAN STATE", "advies raad van state"),
    (r"LIJST VAN (?:VRAGEN|FEITELIJKE VRAGEN)", "lijst van vragen en antwoorden"),
    (r"VRAGEN VAN (?:HET|DE) LID", "kamervragen"),
    (r"\d+\w{0,3}\s+VERGADERING", "handelingen"),
    (r"NOTA", "nota"),
    (r"ADVIES", "advies"),
]


def format_dossier(value: str) -> str:
    """Dossier numbers as printed on Kamerstukken.

    "28676" -> "28 676", "21501-20" -> "21 501-20", "36455-(R2188)" -> "36 455 (R2188)".
    """
    value = " ".join(value.split())
    match = re.match(r"^([\d ]*\d)\s*(.*)$", value)
    if not match:
        return value
    digits, suffix = match.group(1).replace(" ", ""), match.group(2)
    grouped = f"{int(digits):,}".replace(",", " ") if not digits.startswith("0") else digits
    rijkswet = re.match(r"^-?\s*\((R\s*\d+)\)$", suffix)
    if rijkswet:
        return f"{grouped} ({rijkswet.group(1).replace(' ', '')})"
    return grouped + suffix.replace(" ", "")


def _iso(day: str, month: str, year: str) -> str | None:
    number = MONTHS.get(month.lower())
    if number is None or not 1 <= int(day) <= 31:
        return None
    return f"{int(year):04d}-{number:02d}-{int(day):02d}"


def _vergaderjaar(first: str, second: str) -> str | None:
    """"2016", "2017" -> "2016-2017"; None unless the second year follows the first."""
    end = second if len(second) == 4 else first[:2] + second
    return f"{first}-{end}" if int(end) == int(first) + 1 else None


def doctype_of(line: str) -> str | None:
    """The document type named by a type line: "BRIEF VAN DE MINISTER VAN DEFENSIE" -> "brief".

    Up to three leading words may come first ("TWEEDE NADER GEWIJZIGDE MOTIE").
    """
    words = line.strip().upper().split()
    for start in range(min(4, len(words))):
        rest = " ".join(words[start:])
        for pattern, doctype in DOCTYPES:
            if re.match(pattern, rest):
                return doctype
    return None


def signatories(blocks: Iterable[Block]) -> list[Signatory]:
    """Offices with their names from the closing lines ("De Minister van Defensie, J.A. Hennis-Plasschaert").

    Two offices may share a line, their names following in the same order
    (seed 001's two-column signature).
    """
    found: list[Signatory] = []
    pending: list[Signatory] = []
    for block in blocks:
        text = block.text.strip()
        offices = list(OFFICE.finditer(text))
        if offices and offices[0].start() == 0:
            for i, match in enumerate(offices):
                end = offices[i + 1].start() if i + 1 < len(offices) else len(text)
                name = text[match.end() : end].strip(" ,")
                signatory = Signatory(name=_clean_name(name), office=f"De {match.group(2)}")
                (found if signatory.name else pending).append(signatory)
            continue
        if pending and NAME.match(text) and len(text) < 60:
            signatory = pending.pop(0)
            signatory.name = _clean_name(text)
            found.append(signatory)
    return found


def _clean_name(name: str) -> str:
    name = TITLES.sub("", name.strip()).strip()
    return name if NAME.match(name) and len(name) < 60 else ""


def references(text: str) -> list[str]:
    """Kamerstukken a text refers to, as "29 521, nr. 335", in order of first mention."""
    seen: dict[str, None] = {}
    for match in REFERENCE.finditer(text):
        seen.setdefault(f"{format_dossier(match.group(1))}, nr. {match.group(2)}", None)
    return list(seen)


def extract(raw: RawDocument, cleaned: Cleaned) -> Meta:
    meta = Meta()
    _from_header(meta, cleaned)
    text_blocks = [b for b in cleaned.blocks if b.kind != "footnote"]
    head = " \n".join(b.text for b in text_blocks[:15])
    if meta.date is None:
        date = DATE_IN_TEXT.search(head)
        if date:
            meta.date = _iso(*date.groups())
    if meta.doctype is None and re.search(
        r"Aan de (?:Voorzitter van de )?(?:Tweede|Eerste) Kamer|Geachte [Vv]oorzitter", head
    ):
        meta.doctype = "brief"
    if meta.chamber is None:
        if re.search(r"\bTweede Kamer\b", head) or any("Tweede Kamer" in f for f in cleaned.furniture):
            meta.chamber = "II"
        elif re.search(r"\bEerste Kamer\b", head):
            meta.chamber = "I"
    tail = text_blocks[-12:]
    meta.signatories = signatories(tail)
    if meta.doctype is None and meta.signatories:
        meta.doctype = "brief"
    meta.references = references(" \n".join(b.text for b in cleaned.blocks))
    _apply_explicit(meta, raw.meta)
    return meta


def _from_header(meta: Meta, cleaned: Cleaned) -> None:
    """Furniture lines and the header above the text: vergaderjaar, dossier, number, type, title."""
    for line in cleaned.furniture:
        furniture = FURNITURE.match(line)
        if furniture:
            meta.chamber = "II" if furniture.group("chamber").lower() == "tweede" else "I"
            meta.vergaderjaar = _vergaderjaar(furniture.group("y1"), furniture.group("y2"))
            meta.dossier = format_dossier(furniture.group("dossier"))
            meta.number = re.split(r"\s*-\s*", furniture.group("nr"))[0]
    header = list(cleaned.furniture) + [b.text for b in cleaned.blocks[:10] if b.kind != "footnote"]
    for i, line in enumerate(header):
        line = line.strip()
        year = VERGADERJAAR.search(line)
        if year and meta.vergaderjaar is None:
            meta.vergaderjaar = _vergaderjaar(*year.groups())
        dossier = DOSSIER_LINE.match(line)
        if dossier and meta.dossier in (None, format_dossier(line)) and meta.dossier_title is None:
            meta.dossier = format_dossier(line)
            following = header[i + 1].strip() if i + 1 < len(header) else ""
            if following and not NUMBER_LINE.match(following) and len(following) < 200 and (
                not following.isupper() or len(following.split()) <= 3
            ):
                meta.dossier_title = following  # "NAVO", "Afsluiting van de Oosterschelde"
            continue
        number = NUMBER_LINE.match(line)
        if number and meta.number is None and len(line) < 20:
            meta.number = number.group(1)
            continue
        typed = line.isupper() or re.match(r"\d+\w{0,3}\s+vergadering\b", line, re.IGNORECASE)
        doctype = doctype_of(line) if typed else None
        if doctype and meta.doctype is None:
            meta.doctype = doctype
            meta.title = line
        if i > 12:
            break


def _apply_explicit(meta: Meta, explicit: dict[str, object]) -> None:
    """Facts the format states explicitly override what was read from the text."""
    for key in ("title", "dossier_title", "doctype", "date", "number", "vergaderjaar", "chamber"):
        value = explicit.get(key)
        if isinstance(value, str) and value.strip():
            setattr(meta, key, value.strip())
    dossier = explicit.get("dossier")
    if isinstance(dossier, str) and dossier.strip():
        meta.dossier = format_dossier(dossier)
    cited = explicit.get("references")
    if isinstance(cited, list):
        meta.references = list(dict.fromkeys([str(c) for c in cited] + meta.references))
    people = explicit.get("signatories")
    if isinstance(people, list) and people:
        meta.signatories = [
            Signatory(name=str(p.get("name", "")), office=p.get("office"))
            if isinstance(p, dict)
            else Signatory(name=str(p))
            for p in people
            if (p.get("name") if isinstance(p, dict) else p)
        ]
