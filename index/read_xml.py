"""Read officielebekendmakingen XML (Kamerstukken, Handelingen, ...) into blocks and facts."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from lxml import etree

from index.errors import UnreadableFile
from index.metadata import doctype_of, format_dossier
from index.records import Block, BlockKind, RawDocument

Element = Any  # lxml ships no type information

# Footnote marks in the text, as the cleaner writes them.
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*\?>")
# Pretty-printed sources put a newline and indentation between an element and the
# punctuation that follows it: "Alkaya\n  (\n  SP\n  ):" must read "Alkaya (SP):".
_BREAK_BEFORE_PUNCTUATION = re.compile(r"[ \t]*\n\s*(?=[,.;:!?)])")
_BREAK_AFTER_PARENTHESIS = re.compile(r"(?<=\()\s*\n\s*")
# Collapse whitespace, but keep no-break spaces: they hold "€ 30" and "art. 5" together.
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")

# Inline markup whose text runs on without a space: "CO<inf>2</inf>", "<nadruk>Bergen, 2</nadruk>".
_GLUE = frozenset(
    "nadruk extref intref inf sup sub dossierref ondernummer datum redactioneel afkorting "
    "citaat term a span em strong i b u".split()
)
_SKIP = frozenset(
    "metadata meta plaatje illustratie kamerstukkop nr sprekers zaken zaak "
    # VLOS: timing and bookkeeping fields, not text
    "zaal vergaderjaar vergaderingnummer datum aanvangstijd eindtijd sluiting markeertijdbegin "
    "markeertijdeind parlisid voortzetting isvoorzitter isdraad".split()
)
_HEADINGS = frozenset({"titel", "kop", "tussenkop", "intitule", "item-titel"})
# Roots of metadata records (metadata.xml, SRU search results): facts, but no document.
_METADATA_ROOTS = frozenset(
    {"owms-metadata", "metadata_gegevens", "record", "searchRetrieveResponse"}
)
_PARAGRAPHS = frozenset({"al", "p", "alineaitem"})
# "en gaat over tot de orde van de dag." closes a motion; the names follow.
_MOTION_CLOSE = re.compile(r"^en gaat over tot de\b.*\bdag\.?$", re.IGNORECASE)
_PARTICLES = frozenset("van de der den ter ten te 't in het la le du da di von zu op 's".split())
_NAME_SEPARATOR = re.compile(r",|\s+en\s+")
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.\-]*$")
_GENERIC_TYPES = ("OVERHEID.Informatietype", "OVERHEIDop.Parlementair")  # "Kamerstuk" etc.
_VERGADERJAAR = re.compile(r"(\d{4})\s*[-–/]\s*(\d{4})")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_METADATA_URL = re.compile(r"/([a-z][\w.-]*)/metadata\.xml$", re.IGNORECASE)
_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_LXML_SUFFIX = re.compile(r"\s*\(<string>, line \d+\)$")
_NR_PREFIX = re.compile(r"^nr\.?\s*", re.IGNORECASE)
_KST_ID = re.compile(r"^kst-(\d+)((?:-[0-9A-Z]+)*)-(\d+[a-z]?)$")


def read_xml(text: str, source: str, stem: str) -> tuple[RawDocument, list[str]]:
    """One document from decoded XML text, and notes on what was recovered."""
    root, notes = _parse(text)
    if _local(root) in _METADATA_ROOTS:
        raise UnreadableFile(f"not a document: a metadata record (<{_local(root)}>)")
    try:
        kamerstuk = _child(root, "kamerstuk") if _local(root) == "officiele-publicatie" else None
        if kamerstuk is not None:
            meta, blocks = _read_kamerstuk(root, kamerstuk)
        else:
            meta, blocks = _read_generic(root)
    except RecursionError:
        meta, blocks = {}, [Block("paragraph", t) for t in map(clean, root.itertext()) if t]
        notes.append("recovered: nesting too deep, text read without structure")
    if not any(block.text for block in blocks):
        raise UnreadableFile("no text: the XML holds no readable text (a metadata record?)")
    name_hint = meta.get("identifier") or stem
    document = RawDocument(source, "ob-xml", blocks=blocks, meta=meta, name_hint=name_hint)
    return document, notes


def _parse(text: str) -> tuple[Element, list[str]]:
    # The text is decoded (and repaired) already, so the declaration's encoding no
    # longer holds; without it libxml2 reads the bytes as UTF-8.
    data = _XML_DECLARATION.sub("", text, count=1).encode("utf-8")
    try:
        return etree.fromstring(data, _parser(recover=False)), []
    except etree.LxmlError as exc:
        error = _first_line(exc)
    try:
        root = etree.fromstring(data, _parser(recover=True))
    except etree.LxmlError:
        root = None
    if root is None or not "".join(root.itertext()).strip():
        raise UnreadableFile(f"malformed XML: {error}")
    return root, [f"recovered: XML parsed in recovery mode ({error})"]


def _parser(recover: bool) -> Element:
    # Entities are never expanded and nothing is fetched: no billion laughs, no
    # file:///etc/passwd. A parser per call, as lxml parsers are not thread-safe.
    return etree.XMLParser(**_SAFE, remove_comments=True, remove_pis=True, recover=recover)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    # lxml ends its messages with "(<string>, line 1)", which names no file anyone has
    return _LXML_SUFFIX.sub("", lines[0]) if lines else type(exc).__name__


def _local(el: Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(el: Element, name: str) -> Element | None:
    return next((c for c in el if _local(c) == name), None)


def clean(text: str | None) -> str:
    """Inline text as one line: pretty-printing undone, whitespace collapsed."""
    if not text:
        return ""
    if "\n" in text:
        text = _BREAK_BEFORE_PUNCTUATION.sub("", text)
        text = _BREAK_AFTER_PARENTHESIS.sub("", text)
    if "\u00a0" in text or "\u202f" in text:
        return _SPACES.sub(" ", text).strip()
    return " ".join(text.split())  # the same, only faster


class _Walker:
    """Turns OB XML elements into blocks in reading order; footnotes go last."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.footnotes: list[Block] = []
        self.note_ids: dict[str, str] = {}
        self.references: list[str] = []
        self.signatories: list[dict[str, str | None]] = []

    def walk(self, el: Element) -> None:
        for child in el:
            self.element(child)

    def element(self, el: Element) -> None:
        name = _local(el)
        if not name or name in _SKIP:
            return
        if name in _HEADINGS:
            self.emit("heading", el)
        elif name == "lijst":
            self.lijst(el)
        elif name == "table":
            self.table(el)
        elif name == "ondertekening":
            self.ondertekening(el)
        elif name == "noot":
            self.note(el)
        elif name == "spreker" and not _has_direct_text(el):
            return  # VLOS: structured speaker fields; the paragraph itself names the speaker
        elif name == "onderwerp" and len(el) == 0:
            return  # VLOS: a leaf that repeats the title
        elif name in _PARAGRAPHS or _has_direct_text(el):
            self.emit("paragraph", el)
        else:
            self.walk(el)

    def emit(
        self, kind: BlockKind, el: Element, prefix: str = "", skip: frozenset[str] = frozenset()
    ) -> None:
        notes: list[str] = []
        text = clean(prefix + " " + self.inline(el, notes, skip))
        if text:
            self.blocks.append(Block(kind, text, notes=notes))

    def inline(self, el: Element, notes: list[str], skip: frozenset[str] = frozenset()) -> str:
        parts = [el.text or ""]
        for child in el:
            name = _local(child)
            if name == "noot":
                mark = self.note(child)
                notes.append(mark)
                parts.append(mark.translate(SUPERSCRIPT))
            elif name == "nootref":
                mark = self.note_ids.get(child.get("refid") or "", "")
                if mark:
                    notes.append(mark)
                    parts.append(mark.translate(SUPERSCRIPT))
            elif not name or name in skip or name in ("plaatje", "illustratie"):
                pass  # entity references, images: only their tail is text
            elif name == "br":
                parts.append(" ")
            elif name in _GLUE:
                if name == "extref":
                    self.reference(child.get("doc") or "")
                parts.append(self.inline(child, notes))
            else:
                parts.append(" " + self.inline(child, notes) + " ")
            parts.append(child.tail or "")
        return "".join(parts)

    def note(self, el: Element) -> str:
        """A footnote block from a <noot>; returns its mark."""
        number = _child(el, "noot.nr")
        mark = clean("".join(number.itertext())) if number is not None else ""
        mark = mark or str(len(self.footnotes) + 1)
        if el.get("id"):
            self.note_ids[el.get("id")] = mark
        notes: list[str] = []
        text = clean(self.inline(el, notes, frozenset({"noot.nr"})))
        self.footnotes.append(Block("footnote", text, mark=mark, notes=notes))
        return mark

    def reference(self, doc: str) -> None:
        # extref doc="kst-36410-VI-87" -> "36 410-VI, nr. 87", as Kamerstukken cite each other
        match = _KST_ID.match(doc)
        if match:
            cited = f"{format_dossier(match.group(1) + match.group(2))}, nr. {match.group(3)}"
            if cited not in self.references:
                self.references.append(cited)

    def lijst(self, el: Element) -> None:
        for item in el:
            if _local(item) != "li":
                self.element(item)
                continue
            number = _child(item, "li.nr")
            label = clean("".join(number.itertext())) if number is not None else "•"
            self.emit("paragraph", item, prefix=label, skip=frozenset({"li.nr", "lijst", "table"}))
            for nested in item:
                if _local(nested) in ("lijst", "table"):
                    self.element(nested)

    def table(self, el: Element) -> None:
        for part in el.iter():
            name = _local(part)
            if name == "title":
                self.emit("paragraph", part)
            elif name in ("row", "tr"):
                notes: list[str] = []
                cells = [
                    clean(self.inline(cell, notes))
                    for cell in part
                    if _local(cell) in ("entry", "td", "th")
                ]
                text = " | ".join(cells)
                if text.replace("|", "").strip():
                    self.blocks.append(Block("paragraph", text, notes=notes))

    def ondertekening(self, el: Element) -> None:
        """Signatures stay as text, and the names become signatories with their office."""
        office: str | None = None
        for child in el:
            name = _local(child)
            text = clean(self.inline(child, []))
            if not text:
                continue
            if name == "functie" or (name == "al" and text.endswith(",")):
                office = text.rstrip(",").strip()
            elif name in ("naam", "al"):
                self.signatories.append({"name": text, "office": office})
        self.emit("paragraph", el)


def _has_direct_text(el: Element) -> bool:
    if el.text and el.text.strip():
        return True
    return any(child.tail and child.tail.strip() for child in el)


def _read_generic(root: Element) -> tuple[dict[str, Any], list[Block]]:
    walker = _Walker()
    if _has_direct_text(root):
        walker.emit("paragraph", root)
    else:
        walker.walk(root)
    meta = ob_meta(_meta_tags(root))
    if walker.references:
        meta.setdefault("references", walker.references)
    if walker.signatories:
        meta.setdefault("signatories", walker.signatories)
    if "title" in meta:  # the title is the document's name, not a passage of it
        walker.blocks = [
            b for b in walker.blocks if not (b.kind == "heading" and b.text == meta["title"])
        ]
    return meta, walker.blocks + walker.footnotes


def _meta_tags(root: Element) -> list[tuple[str, str, str]]:
    metadata = _child(root, "metadata")
    if metadata is None:
        return []
    return [
        (m.get("name") or "", m.get("scheme") or "", m.get("content") or "")
        for m in metadata.iter("meta")
    ]


def _read_kamerstuk(root: Element, kamerstuk: Element) -> tuple[dict[str, Any], list[Block]]:
    walker = _Walker()
    facts = _kamerstuk_facts(kamerstuk, walker)
    for part in kamerstuk:  # the head and the dossier are facts, read above
        if _local(part) == "stuk":
            for child in part:
                if _local(child) not in ("stuknr", "titel", "datumtekst"):
                    walker.element(child)
        elif _local(part) not in ("kamerstukkop", "dossier"):
            walker.element(part)
    if facts.get("doctype") == "motie":
        names = _motion_signatories(walker.blocks)
        walker.signatories.extend({"name": name, "office": None} for name in names)
    if walker.references:
        facts["references"] = walker.references
    # Inline <meta>, where present, states the facts; the printed document fills the gaps.
    listed = ob_meta(_meta_tags(root))
    signatories = _merge_signatories(walker.signatories, listed.pop("signatories", []))
    meta = {**facts, **listed}
    if signatories:
        meta["signatories"] = signatories
    return meta, walker.blocks + walker.footnotes


def _merge_signatories(
    printed: list[dict[str, str | None]], listed: list[dict[str, str | None]]
) -> list[dict[str, str | None]]:
    """Printed signatures in printed order (the first signer first), with the full name
    from <meta> where it lists the same person ("Van Nispen" -> "M. van Nispen"), then
    anyone <meta> lists that the print does not. <meta> often lists them in reverse."""
    unmatched = [(_fold(m["name"] or ""), m) for m in listed]
    merged = []
    for signature in printed:
        surname = _fold(signature["name"] or "")
        candidates = [
            (folded, m)
            for folded, m in unmatched
            if folded == surname or folded.endswith((" " + surname, "." + surname))
        ]
        # "Dijk" is "J.P. Dijk" rather than "I. (Inge) van Dijk": fewest words before the surname
        candidates.sort(key=lambda c: sum(not w.endswith(".") for w in c[0].split()))
        if candidates:
            unmatched.remove(candidates[0])
            merged.append({"name": candidates[0][1]["name"], "office": signature["office"]})
        else:
            merged.append(signature)
    return merged + [m for _, m in unmatched]


def _fold(name: str) -> str:
    """Lower case, no accents, no parentheses: 'I. (Inge) van Dijk' -> 'i. inge van dijk'."""
    name = name.lower().replace("(", "").replace(")", "")
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in name if not unicodedata.combining(c))
    return " ".join(name.split())


def _kamerstuk_facts(kamerstuk: Element, walker: _Walker) -> dict[str, Any]:
    """The facts a Kamerstuk prints on its first page (used when there is no inline <meta>)."""
    # Plain child loops rather than find("a/b"): ElementPath costs more than the parse.
    facts: dict[str, Any] = {}
    parts = {_local(child): child for child in kamerstuk}
    for line in parts["kamerstukkop"] if "kamerstukkop" in parts else ():
        kind, text = line.get("inhoud"), _text(line)
        if kind == "vergaderjaar" and (years := _VERGADERJAAR.search(text)):
            facts["vergaderjaar"] = f"{years.group(1)}-{years.group(2)}"
        elif kind == "kamernummer" and text in ("1", "2"):
            facts["chamber"] = "I" if text == "1" else "II"
        elif kind == "kameraanduiding" and _chamber(text):
            facts.setdefault("chamber", _chamber(text))
    for child in parts["dossier"] if "dossier" in parts else ():
        if _local(child) == "dossiernummer" and "dossier" not in facts and _dossier_from(child):
            facts["dossier"] = _dossier_from(child)
        elif _local(child) == "titel" and (title := clean(walker.inline(child, []))):
            facts["dossier_title"] = title
    for child in parts["stuk"] if "stuk" in parts else ():
        name = _local(child)
        if name == "stuknr":
            ondernummer = _child(child, "ondernummer")
            number = _NR_PREFIX.sub("", _text(ondernummer if ondernummer is not None else child))
            if number:
                facts["number"] = number
        elif name == "titel" and (title := clean(walker.inline(child, []))):
            facts["title"] = title
            if doctype := doctype_of(title):
                facts["doctype"] = doctype
        elif name == "datumtekst":
            datum = _child(child, "datum")
            isodate = (datum.get("isodatum") or "") if datum is not None else ""
            if _ISO_DATE.match(isodate):
                facts["date"] = isodate[:10]
    return facts


def _text(el: Element) -> str:
    return clean(el.text if len(el) == 0 else "".join(el.itertext()))


def _dossier_from(number: Element) -> str:
    nr = _child(number, "dossiernr")
    text = _text(nr if nr is not None else number)
    for part in number:
        if _local(part) in ("begrotingshoofdstuk", "raadnr") and _text(part):
            text += f"-{_text(part)}"
        elif _local(part) == "rijkswetnr" and _text(part):
            text += f" ({_text(part).replace(' ', '')})"
    return text


def _motion_signatories(blocks: list[Block]) -> list[str]:
    """The names under a motion: after "en gaat over tot de orde van de dag.", or at its end."""
    paragraphs = [b.text for b in blocks if b.kind == "paragraph"]
    closes = [i for i, text in enumerate(paragraphs) if _MOTION_CLOSE.match(text)]
    if closes:
        return [name for text in paragraphs[closes[-1] + 1 :] for name in _names(text)]
    names: list[str] = []  # the closing line is missing or misspelt: take the trailing names
    for text in reversed(paragraphs[1:]):
        if not _names(text):
            break
        names[:0] = _names(text)
    return names


def _names(text: str) -> list[str]:
    """'Van Nispen' -> ['Van Nispen']; 'Jetten en Eerdmans.' -> both; a sentence -> []."""
    # "Ceder____" and "Van Oostenbruggen." occur in the corpus
    parts = [part.strip(" ._") for part in _NAME_SEPARATOR.split(text)]
    return parts if all(_is_name(part) for part in parts) else []


def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 60 or any(c in text for c in ",;:()"):
        return False
    capitals = [w for w in words if w.lower() not in _PARTICLES]
    return bool(capitals) and all(_NAME_WORD.match(w) for w in capitals)


def _chamber(text: str) -> str | None:
    if "Tweede Kamer" in text:
        return "II"
    if "Eerste Kamer" in text:
        return "I"
    return None


def ob_meta(tags: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Facts from OB <meta name scheme content> tags, under the keys of records.Meta."""
    meta: dict[str, Any] = {}
    titles: dict[str, str] = {}
    signatories: list[dict[str, str | None]] = []
    for name, scheme, raw in tags:
        content = clean(raw)
        if not content:
            continue
        if name == "DC.identifier":
            meta.setdefault("identifier", content)
        elif name == "OVERHEIDop.externMetadataRecord" and (link := _METADATA_URL.search(content)):
            # only the document's own id is taken from the link; it is never fetched
            meta.setdefault("identifier", link.group(1))
        elif name == "OVERHEIDop.dossiernummer":
            meta["dossier"] = format_dossier(content)
        elif name == "OVERHEIDop.ondernummer":
            meta["number"] = content
        elif name == "DC.type" and scheme == "OVERHEIDop.KamerstukTypen":
            meta["doctype"] = doctype_of(content) or content.lower()
        elif name == "DC.type" and scheme not in _GENERIC_TYPES:
            meta.setdefault("doctype", content.lower())
        elif name in ("OVERHEIDop.documenttitel", "DC.title"):
            titles[name] = content
        elif name == "DCTERMS.issued" and _ISO_DATE.match(content):
            meta["date"] = content[:10]
        elif name == "OVERHEIDop.vergaderjaar" and (years := _VERGADERJAAR.search(content)):
            meta["vergaderjaar"] = f"{years.group(1)}-{years.group(2)}"
        elif name in ("OVERHEIDop.indiener", "OVERHEIDop.medeindiener"):
            signatories.append({"name": content, "office": None})
        elif name == "DC.creator" and _chamber(content):
            meta["chamber"] = _chamber(content)
        elif name == "OVERHEIDop.dossiertitel":
            meta["dossier_title"] = content
    title = titles.get("OVERHEIDop.documenttitel") or titles.get("DC.title")
    if title:
        meta["title"] = title
    if signatories:
        meta["signatories"] = signatories
    return meta
