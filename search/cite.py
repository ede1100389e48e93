"""Citations in the standard form ("Kamerstukken II 2016/17, 28 676, nr. 266, p. 3"), or the most precise honest one."""

from __future__ import annotations

from typing import Any

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"


def dutch_date(iso: str | None) -> str | None:
    """"2017-03-29" -> "29 maart 2017"."""
    if not iso or len(iso) != 10:
        return None
    year, month, day = iso.split("-")
    try:
        return f"{int(day)} {MONTHS.split()[int(month) - 1]} {year}"
    except (ValueError, IndexError):
        return None


def short_vergaderjaar(vergaderjaar: str | None) -> str | None:
    """"2016-2017" -> "2016/17"."""
    if not vergaderjaar or len(vergaderjaar) != 9:
        return None
    return f"{vergaderjaar[:4]}/{vergaderjaar[-2:]}"


def letter_citation(meta: dict[str, Any]) -> str:
    """Cite a letter from its metadata (the keys of index.records.Meta).

    With chamber, vergaderjaar, dossier and number: the standard form. Without
    them, what the document does say, in this order: its title or the offices
    that signed it, and its date; never a guessed number.
    """
    year = short_vergaderjaar(meta.get("vergaderjaar"))
    dossier, number = meta.get("dossier"), meta.get("number")
    if dossier and number:
        chamber = meta.get("chamber")
        prefix = f"Kamerstukken {chamber}" if chamber else "Kamerstuk"
        return ", ".join(part for part in (f"{prefix} {year}" if year else prefix,
                                           dossier, f"nr. {number}"))
    parts = [_label(meta)]
    date = dutch_date(meta.get("date"))
    if date:
        parts.append(date)
    return ", ".join(parts)


def _label(meta: dict[str, Any]) -> str:
    title = meta.get("title")
    if title:
        return str(title[:1].upper() + title[1:].lower()) if title.isupper() else str(title)
    offices = [s.get("office") for s in meta.get("signatories") or [] if s.get("office")]
    doctype = meta.get("doctype") or "document"
    if doctype == "brief" and offices:
        names = [o[0].lower() + o[1:] for o in offices]  # "De Minister" -> "de Minister"
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        return f"Brief van {joined}"
    return doctype[:1].upper() + doctype[1:]


def pages(page: int | None, page_end: int | None) -> str | None:
    if page is None:
        return None
    return f"p. {page}-{page_end}" if page_end and page_end != page else f"p. {page}"


def passage_citation(letter_cite: str, page: int | None, page_end: int | None,
                     mark: str | None = None) -> str:
    """The letter's citation narrowed to the page (and footnote) of one passage."""
    parts = [letter_cite]
    where = pages(page, page_end)
    if where:
        parts.append(where)
    if mark:
        parts.append(f"noot {mark}")
    return ", ".join(parts)
