"""Generated corpora: letters that each hold a word of their own, and a folder of hostile files.

Everything is made from a seeded random.Random, so a failure can be replayed;
nothing binary is committed. Each good letter carries a made-up word that
occurs nowhere else ("kolbarimel"), so a search for it proves that exactly
that file was indexed.
"""

from __future__ import annotations

import os
import random
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20251125
SYLLABLES = ("ka lo mi ne ru ta vo ze bi do fu ge ha ji ko la mu no pe ri so tu wa "
             "bel dor gan kel mor pin sal ter vin zol").split()
SENTENCES = (
    "Hierbij informeer ik uw Kamer over de voortgang van het programma.",
    "Het kabinet hecht grote waarde aan een zorgvuldige afweging van alle belangen.",
    "In de bijlage vindt u het rapport van de onafhankelijke commissie.",
    "De regering zal de Kamer voor het zomerreces nader informeren over de uitvoering.",
    "Gemeenten en provincies zijn bij de voorbereiding van dit besluit betrokken.",
    "De kosten worden gedekt uit de begroting van het ministerie.",
    "Ik heb de toezichthouder gevraagd de gevolgen voor burgers in kaart te brengen.",
    "Over de uitkomsten van het overleg met de sector bericht ik u na de zomer.",
    "De evaluatie laat zien dat de maatregel in de praktijk goed werkt.",
    "Zoals toegezegd in het commissiedebat stuur ik u hierbij de gevraagde informatie.",
)


class Words:
    """Made-up words, unique within one generator: 'ka' + 'mor' + 'ze' + 'bel' = 'kamorzebel'."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def __call__(self) -> str:
        while True:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(4))
            if word not in self.seen and len(word) >= 8:
                self.seen.add(word)
                return word


def letter_text(rng: random.Random, word: str, number: int) -> str:
    """A Kamerbrief as PDF extraction leaves it (plain text), mentioning ``word`` twice."""
    body = []
    for i in range(rng.randint(3, 6)):
        sentences = rng.sample(SENTENCES, 3)
        if i == 1:
            sentences.insert(1, f"Dit betreft in het bijzonder het {word} in de regio.")
        body.append(" ".join(sentences))
    return (
        "Tweede Kamer der Staten-Generaal\n\n"
        f"Den Haag, {rng.randint(1, 28)} mei 2021\n\n"
        f"Onderwerp: voortgang programma {number}\n\n"
        "Geachte voorzitter,\n\n"
        + "\n\n".join(body)
        + f"\n\nTot slot: het {word} blijft onze aandacht houden.\n\n"
        "Hoogachtend,\n\nDe minister van Binnenlandse Zaken en Koninkrijksrelaties,\n\nA. Jansen\n"
    )


def write_letters(folder: Path, count: int, seed: int = SEED, start: int = 0) -> dict[str, str]:
    """``count`` plain-text letters in ``folder``; returns {file path: its own word}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + start)
    words = Words(seed + start)
    made = {}
    for number in range(start, start + count):
        word = words()
        path = folder / f"brief-{number:05d}.txt"
        path.write_text(letter_text(rng, word, number), "utf-8")
        made[str(path)] = word
    return made


# -- the hostile corpus ----------------------------------------------------------------------

INDEXED = "indexed"  # read as it is: searchable, not in the skipped list
RECOVERED = "recovered"  # read after a repair: searchable, and a note names the repair
SKIPPED = "skipped"  # nothing usable: in the skipped list with a reason
EITHER = "either"  # recovered or skipped, but never lost without a word


@dataclass
class Case:
    """One file of the hostile corpus and what indexing must make of it."""

    name: str  # path below the corpus folder
    expect: str  # INDEXED, RECOVERED, SKIPPED or EITHER
    reason: str = ""  # part of the reason (skipped) or note (recovered), lower case
    words: list[str] = field(default_factory=list)  # must be searchable (when not skipped)
    absent: list[str] = field(default_factory=list)  # must never be searchable
    why: str = ""  # what the case tries


@dataclass
class Hostile:
    root: Path  # the corpus folder, given to `kamerzoek index`
    cases: list[Case]
    secret: str  # a word in a file outside the corpus that only an entity could pull in
    dtd_port: int  # a loopback port that an external DTD would be fetched from

    def path(self, case: Case) -> str:
        return os.path.join(str(self.root), case.name)

    def by_name(self, name: str) -> Case:
        return next(case for case in self.cases if case.name == name)


CASE_NAMES = (
    "goed/brief.txt", "goed/motie.md", "goed/kamerstuk.xml", "goed/pagina.html", "goed/regels.jsonl",
    "goed/crlf.txt", "goed/bom.txt", "goed/zonder-kop.md", "goed/sup-in-tekst.txt",
    "goed/<img src=x onerror=alert(7)>.txt", "goed/markup-als-tekst.txt", "goed/stuurtekens.txt",
    "goed/woordenbom.txt", "goed/groot-50mb.txt",
    "codering/latin1.txt", "codering/utf16-le-bom.txt", "codering/utf16-be-bom.txt",
    "codering/utf16-zonder-bom.txt", "codering/mojibake.txt",
    "stuk/leeg.txt", "stuk/leeg.xml", "stuk/spaties.md", "stuk/ruis.txt", "stuk/nul-bytes.md",
    "stuk/afgebroken.xml", "stuk/geen-xml.xml", "stuk/kapot.pdf", "stuk/regels-gemengd.jsonl",
    "stuk/te-groot.txt",
    "vijandig/billion-laughs.xml", "vijandig/xxe-bestand.xml", "vijandig/xxe-netwerk.xml",
    "vijandig/xinclude.xml", "vijandig/diep.xml", "vijandig/diep.html", "vijandig/script.html",
    "vijandig/meta-markup.html",
    "onbekend/brief.docx", "onbekend/programma.exe", "onbekend/LEESMIJ",
    "toegang/onleesbaar.txt", "toegang/dicht", "toegang/pijp.txt",
    "links/lus", "links/a.txt", "links/b.txt", "links/kapot.txt",
)


def make_hostile(root: Path, secret_dir: Path, dtd_port: int, big_megabytes: int = 50,
                 dirty_samples: Path | None = None) -> Hostile:
    """Write the hostile corpus under ``root``; ``secret_dir`` must lie outside it.

    ``dirty_samples``: a folder of damaged real files (../shared/corpus/samples/
    handelingen-dirty-xml) copied in as extra EITHER cases when it exists.
    """
    words = Words(SEED + 1)
    rng = random.Random(SEED + 2)
    secret = words()
    secret_dir.mkdir(parents=True, exist_ok=True)
    secret_file = secret_dir / "geheim.txt"
    secret_file.write_text(f"Vertrouwelijk: {secret}\n", "utf-8")
    cases: list[Case] = []

    def add(name: str, expect: str, content: bytes | str | Callable[[Path], None], reason: str = "",
            found: int = 1, absent: list[str] | None = None, why: str = "",
            extra: list[str] | None = None) -> list[str]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        own = [words() for _ in range(found)]
        if callable(content):
            content(path)
        else:
            text = content.format(*own) if isinstance(content, str) and own else content
            path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        cases.append(Case(name, expect, reason, own + (extra or []), absent or [], why))
        return own

    # Good files of every format: each must be searchable by its own word.
    add("goed/brief.txt", INDEXED, letter_text(rng, "{0}", 1), why="a plain PDF-extracted letter")
    add("goed/motie.md", INDEXED,
        "## MOTIE VAN HET LID JANSEN\n\nDe Kamer,\n\ngehoord de beraadslaging,\n\n"
        "verzoekt de regering het {0} te beschermen,\n\nen gaat over tot de orde van de dag.\n",
        why="Markdown that starts with a heading")
    add("goed/kamerstuk.xml", INDEXED,
        '<?xml version="1.0" encoding="UTF-8"?>\n<officiele-publicatie><kamerstuk><dossier>'
        "<dossiernummer><dossiernummer>36999</dossiernummer></dossiernummer></dossier><stuk>"
        "<stuknummer>1</stuknummer><titel>Brief over het {0}</titel><brief><al>De minister "
        "schrijft over het {1} en de gevolgen.</al></brief></stuk></kamerstuk></officiele-publicatie>\n",
        found=2, why="officielebekendmakingen XML")
    add("goed/pagina.html", INDEXED,
        "<!doctype html><html><head><title>Brief</title></head><body><nav>Menu</nav>"
        '<div id="broodtekst"><h1>Brief over het {0}</h1><p>De minister schrijft over het {1}.'
        "</p></div></body></html>", found=2, why="officielebekendmakingen HTML")
    add("goed/regels.jsonl", INDEXED,
        '{{"url": "https://example.org/1", "text": "Verslag over het {0} in de Kamer."}}\n'
        '{{"url": "https://example.org/2", "text": "Tweede verslag over het {1}."}}\n',
        found=2, why="JSON lines, a document per line")
    add("goed/crlf.txt", INDEXED, letter_text(rng, "{0}", 2).replace("\n", "\r\n"),
        why="Windows line ends")
    add("goed/bom.txt", INDEXED, "\ufeff" + letter_text(rng, "{0}", 3), why="UTF-8 with a byte-order mark")
    add("goed/zonder-kop.md", INDEXED,
        "Geachte voorzitter,\n\nDeze brief gaat over het {0} in de Noordzee.\n\nHoogachtend,\n\n"
        "De minister\n", why="Markdown without any heading")
    add("goed/sup-in-tekst.txt", INDEXED,
        "Geachte voorzitter,\n\nDe tekst gaat over het {0} in Zeeland.\n\nIn HTML schrijft men "
        "een voetnoot als <sup>1</sup> achter het woord.\n\nHoogachtend,\n\nDe minister\n",
        why="plain text that mentions the <sup> tag")
    add("goed/<img src=x onerror=alert(7)>.txt", INDEXED, letter_text(rng, "{0}", 4),
        why="a file name that is HTML")
    add("goed/markup-als-tekst.txt", INDEXED,
        "Geachte voorzitter,\n\nHet {0} staat in deze brief naast <script>alert(1)</script> en "
        '<img src=x onerror=alert(2)> en <a href="javascript:alert(3)">klik</a> en {{{{7*7}}}} '
        "als gewone tekst.\n\nHoogachtend,\n\nDe minister\n", why="markup as the text of a letter")
    add("goed/stuurtekens.txt", INDEXED,
        "Geachte voorzitter,\n\nHet {0} \x1b[31mrood\x1b[0m en een bel\x07 in de tekst.\n\n"
        "Hoogachtend,\n\nDe minister\n", why="terminal escapes and a bell in the text")
    bomb = " ".join(f"x{rng.getrandbits(40):010x}" for _ in range(5000))
    add("goed/woordenbom.txt", INDEXED,
        "Geachte voorzitter,\n\nDit gaat over het {0}.\n\n" + bomb + "\n", why="5,000 unique tokens")
    big_words = [words(), words(), words()]
    add("goed/groot-50mb.txt", INDEXED, _big_file(big_megabytes, big_words), found=0, extra=big_words,
        why=f"a {big_megabytes} MB text file (mostly page furniture and blank lines)")

    # Encodings: read as they are, or repaired with a note.
    latin_word = words()
    latin = letter_text(rng, latin_word, 5).replace("Geachte", "Geachte café-eigenaar en ‘lieve’")
    add("codering/latin1.txt", RECOVERED, latin.encode("cp1252"), "not utf-8", found=0,
        why="Windows-1252 text", extra=[latin_word])
    utf16 = letter_text(rng, "{0}", 6)
    for name, encoding, bom, expect in (
        ("codering/utf16-le-bom.txt", "utf-16-le", b"\xff\xfe", INDEXED),
        ("codering/utf16-be-bom.txt", "utf-16-be", b"\xfe\xff", INDEXED),
        ("codering/utf16-zonder-bom.txt", "utf-16-le", b"", EITHER),
    ):
        word = words()
        data = bom + utf16.format(word).encode(encoding)
        add(name, expect, data, found=0, extra=[word],
            why=f"{encoding} {'with' if bom else 'without'} a byte-order mark")
    moji = words()
    damaged = f"Geachte voorzitter,\n\nDe financiële gevolgen van het {moji} voor Oekraïne.\n\n"
    add("codering/mojibake.txt", RECOVERED,
        damaged.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"), "mojibake",
        found=0, extra=[moji], why="UTF-8 read as Windows-1252 and saved again")

    # Broken files: skipped with a reason, or recovered.
    add("stuk/leeg.txt", SKIPPED, b"", "empty", found=0, why="zero bytes")
    add("stuk/leeg.xml", SKIPPED, b"", "empty", found=0, why="zero bytes")
    add("stuk/spaties.md", SKIPPED, " \n\t\n  \n", "empty", found=0, why="only whitespace")
    add("stuk/ruis.txt", SKIPPED, bytes(rng.getrandbits(8) for _ in range(8192)), "binary", found=0,
        why="random bytes named .txt")
    add("stuk/nul-bytes.md", SKIPPED, "tekst\x00met\x00nullen\x00" * 50, "binary", found=0,
        why="NUL bytes in a text file")
    add("stuk/afgebroken.xml", RECOVERED,
        '<?xml version="1.0"?><document><titel>Over het {0}</titel><al>Het {1} is belangrijk.</al>'
        "<al>Deze alinea breekt af midden in een", "recovery mode", found=2, why="XML cut off halfway")
    add("stuk/geen-xml.xml", EITHER, "Dit is <geen xml & ook geen tekst {0}", found=1,
        why="not XML at all")
    add("stuk/kapot.pdf", SKIPPED, b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(4096)),
        "pdf", found=0, why="a PDF header and random bytes")
    mixed_words = [words()]
    deep_json = "[" * 100_000 + "]" * 100_000
    add("stuk/regels-gemengd.jsonl", INDEXED,
        f'{{"text": "Goede regel over het {mixed_words[0]}."}}\n'
        "geen json\n[1, 2, 3]\n" + deep_json + '\n{"text": ""}\n{"tekst": "verkeerde sleutel"}\n',
        found=0, extra=mixed_words, why="JSON lines, most of them bad")
    add("stuk/te-groot.txt", SKIPPED, lambda p: _sparse(p, 65 * 1024 * 1024), "too large", found=0,
        why="65 MB (sparse), over the 64 MB limit")

    # Hostile XML and HTML.
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    add("vijandig/billion-laughs.xml", EITHER,
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{laughs}]>'
        "<document><al>Het {0} en &lol9;</al></document>", absent=["lollollollol"],
        why="entity expansion to 10^9 'lol's")
    secret_url = secret_file.resolve().as_uri()
    add("vijandig/xxe-bestand.xml", EITHER,
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY geheim SYSTEM "{secret_url}">]>'
        "<document><al>Het {0} en &geheim;</al></document>", absent=[secret],
        why="an external entity that reads a local file")
    add("vijandig/xxe-netwerk.xml", EITHER,
        f'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1:{dtd_port}/evil.dtd" [\n'
        f'<!ENTITY % p SYSTEM "http://127.0.0.1:{dtd_port}/p.ent"> %p;]>'
        "<document><al>Het {0} en &x;</al></document>", why="an external DTD and parameter entity")
    add("vijandig/xinclude.xml", EITHER,
        '<?xml version="1.0"?><document xmlns:xi="http://www.w3.org/2001/XInclude"><al>Het {0}</al>'
        f'<xi:include href="{secret_url}" parse="text"/></document>', absent=[secret],
        why="XInclude of a local file")
    add("vijandig/diep.xml", EITHER,
        "<document><al>Het {0} staat bovenaan.</al>" + "<x>" * 20_000 + "diep" + "</x>" * 20_000
        + "</document>", why="20,000 nested elements")
    add("vijandig/diep.html", INDEXED,
        "<html><body><p>Het {0} staat bovenaan.</p>" + "<div>" * 10_000 + "<p>Het {1} staat diep.</p>"
        + "</div>" * 10_000 + "</body></html>", found=2, why="10,000 nested elements (beyond Python's recursion limit)")
    script_words = [words(), words()]
    add("vijandig/script.html", INDEXED,
        "<html><head><script>var geheim = '" + script_words[0] + "';</script><style>p{{color:red}}</style>"
        "</head><body><p onclick=\"alert(1)\">Het {0} staat hier.</p><img src=x onerror=alert(1)>"
        "<script>document.write('" + script_words[1] + "')</script><iframe src=\"javascript:alert(2)\">"
        "</iframe><p>&lt;script&gt;alert(3)&lt;/script&gt; als tekst.</p></body></html>",
        absent=script_words, why="<script>, onerror= and an iframe in a page")
    add("vijandig/meta-markup.html", INDEXED,
        '<html><head><meta name="DC.title" content="&lt;img src=x onerror=alert(8)&gt; titel">'
        '<meta name="DC.creator" content="&lt;script&gt;alert(9)&lt;/script&gt;">'
        "<title>&lt;script&gt;alert(10)&lt;/script&gt;</title></head><body><p>Het {0} met een "
        "titel vol markup.</p></body></html>", why="markup in the metadata (title, creator)")

    # Unknown extensions.
    add("onbekend/brief.docx", SKIPPED, b"PK\x03\x04" + bytes(200), "unknown extension", found=0,
        why="a Word file")
    add("onbekend/programma.exe", SKIPPED, b"MZ" + bytes(200), "unknown extension", found=0,
        why="a program")
    add("onbekend/LEESMIJ", SKIPPED, "Lees mij eerst.\n", "unknown extension", found=0,
        why="no extension at all")

    # What the file system can do.
    add("toegang/onleesbaar.txt", SKIPPED, lambda p: _unreadable(p, letter_text(rng, "geheim", 7)),
        "permission denied", found=0, why="a file without read permission")
    add("toegang/dicht", SKIPPED, _closed_folder, "permission denied", found=0,
        why="a folder without read permission")
    add("toegang/pijp.txt", SKIPPED, lambda p: os.mkfifo(p), "not a regular file", found=0,
        why="a named pipe (a naive read blocks forever)")
    add("links/lus", SKIPPED, lambda p: os.symlink(".", p), "symlinked folder", found=0,
        why="a symlink loop: a folder linking to itself")
    add("links/a.txt", SKIPPED, lambda p: os.symlink("b.txt", p), "", found=0,
        why="two symlinks pointing at each other")
    add("links/b.txt", SKIPPED, lambda p: os.symlink("a.txt", p), "", found=0,
        why="two symlinks pointing at each other")
    add("links/kapot.txt", SKIPPED, lambda p: os.symlink("nergens.txt", p), "broken symlink", found=0,
        why="a symlink to nothing")

    if dirty_samples is not None and dirty_samples.is_dir():
        for sample in sorted(dirty_samples.glob("*.xml")):
            target = root / "echt-beschadigd" / sample.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sample, target)
            cases.append(Case(f"echt-beschadigd/{sample.name}", EITHER,
                              why="a damaged Handelingen file from officielebekendmakingen.nl"))
    assert {c.name for c in cases} >= set(CASE_NAMES), set(CASE_NAMES) - {c.name for c in cases}
    return Hostile(root, cases, secret, dtd_port)


def _big_file(megabytes: int, words: list[str]) -> Callable[[Path], None]:
    """A PDF extraction of a very long document: pages of furniture, blank lines and a sentence.

    Every page is read, decoded and cleaned, but only one page in 200 has prose,
    so Whoosh indexes a few hundred kilobytes: the file tries memory, not patience.
    """

    def write(path: Path) -> None:
        target = megabytes * 1024 * 1024
        first, middle, last = words
        with open(path, "wb") as out:
            def put(text: str) -> None:
                out.write(text.encode("utf-8"))

            put(f"Tweede Kamer der Staten-Generaal\n\nGeachte voorzitter,\n\nHet {first} begint hier.\n")
            page = 1
            halfway = False
            while out.tell() < target - 4096:
                page += 1
                put(f"\f Tweede Kamer, vergaderjaar 2016–2017, 28 676, nr. 266 {page % 1000}\n")
                put("\n" * 20 + " " * 600 + "\n")
                if page % 200 == 0:
                    word = "voortgang"
                    if not halfway and out.tell() > target / 2:
                        word, halfway = middle, True
                    put(f"Deze pagina {page} meldt de {word} van het werk.\n")
                put(f"{page % 1000}\n")
            put(f"\fHet {last} sluit de brief af.\n\nHoogachtend,\n\nDe minister\n")
    return write


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        handle.truncate(size)


def _unreadable(path: Path, text: str) -> None:
    path.write_text(text, "utf-8")
    path.chmod(0)


def _closed_folder(path: Path) -> None:
    path.mkdir()
    (path / "binnen.txt").write_text("Geachte voorzitter,\n\nDit is niet te lezen.\n", "utf-8")
    path.chmod(0)


def open_up(root: Path) -> None:
    """Give back the permissions taken, so that the folder can be removed."""
    for folder, dirs, _ in os.walk(root):
        for name in dirs:
            path = Path(folder) / name
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IRWXU)
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IRUSR | stat.S_IWUSR)
