"""The benchmark's fixed query sets in Kamerzoek's query language, and their peer translations.

Each set fits the corpora: motions 2023–2025 and historical Kamerstukken 1814–1995
(and the synthetic collections made of their paragraphs). Long queries are
sentences from real paragraphs of the 13k. Peers have no metadata, so a field
filter (jaar:, type:) is dropped for them and the report says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERIES: dict[str, list[str]] = {
    "short": [
        "stikstof", "regionaal budget", "Oekraïne sancties", "jeugdzorg", "woningbouw Groningen",
        "asielzoekers opvang", "pensioen", "gaswinning", "belasting arbeid", "spoorwegen",
    ],
    "phrase": [
        '"gaat over tot de orde van de dag"', '"verzoekt de regering"', '"sociale zekerheid"',
        '"Europese Unie"', '"Minister van Verkeer en Waterstaat"',
        '"vaste Commissie voor Defensie"', '"in het kader van"', '"gevaarlijke stoffen"',
    ],
    "boolean+filter": [
        "zorg NIET jeugd jaar:2024", "stikstof OF natuur jaar:2023",
        "onderwijs NIET hoger type:motie", "woningbouw jaar:2024",
        "landbouw NIET visserij jaar:2023",
        "belasting OF heffing type:brief", "defensie NIET navo jaar:1970-1995",
        "Groningen gaswinning type:motie",
    ],
    "long": [
        "verzoekt de regering zo spoedig mogelijk een wetenschappelijk onderbouwd kader op te "
        "laten stellen voor de benodigde breedte van spuitzones",
        "constaterende dat verpleegkundigen en verzorgenden in alle zorgsettingen dagelijks grote "
        "verantwoordelijkheid dragen voor complexe patiëntenzorg",
        "het Robuuste Basisnet beslaat een omvangrijk kernnet van spoorroutes met een grote "
        "variatie in volume van het vervoer van gevaarlijke stoffen",
        "verzoekt het kabinet erop toe te zien dat door de politie wordt afgezien van deelname aan "
        "religieuze ceremonies",
        "de gewestelijke arbeidsbureaus verplichten bij de bestemming van hun financiële middelen "
        "minimaal tien procent aan te wenden voor herintredende vrouwen",
        "vragen inzake een plan tot opening van een abortuskliniek in Groede kunnen niet binnen "
        "de gebruikelijke termijn worden beantwoord",
        "het toezicht op de besteding der geldmiddelen overeenkomstig de begroting en de "
        "goedkeuring der rekening van ontvangsten en uitgaven",
        "verder werken aan cruciale Europese onderwerpen die niet kunnen wachten zoals veiligheid "
        "migratie en klimaat in combinatie met het nieuwe MFK",
    ],
}

_TOKEN = re.compile(r'"[^"]*"|\S+')
_FIELD = re.compile(r"^[a-z]+:\S+$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class PeerQuery:
    text: str
    dropped: tuple[str, ...]  # field filters the peer cannot apply


def for_peer(query: str, dialect: str) -> PeerQuery:
    """Our query in a peer's syntax: words (all must match), phrases, OF/OR, NIET/NOT.

    whoosh: ``a OR b``, ``NOT c``; fts5: quoted tokens, ``a NOT c``; tantivy: ``a OR b``, ``-c``.
    """
    parts: list[str] = []
    dropped: list[str] = []
    negate = False
    for token in _TOKEN.findall(query):
        if _FIELD.match(token):
            dropped.append(token)
            continue
        if token in ("NIET", "NOT"):
            negate = True
            continue
        if token in ("OF", "OR"):
            parts.append("OR")
            continue
        words = _WORD.findall(token)
        if not words:
            continue
        phrase = token.startswith('"')
        if dialect == "fts5":
            term = '"' + " ".join(words) + '"' if phrase else " ".join(f'"{w}"' for w in words)
            parts.append(f"NOT {term}" if negate else term)
        else:
            term = '"' + " ".join(words) + '"' if phrase else " ".join(words)
            if negate:
                term = f"-{term}" if dialect == "tantivy" else f"NOT {term}"
            parts.append(term)
        negate = False
    return PeerQuery(" ".join(parts), tuple(dropped))
