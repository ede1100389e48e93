"""The benchmark's corpora: seeds/, the real 13k documents, seeded synthetic 50k and 100k.

Synthetic documents recombine real paragraphs of the 13k with the 13k's own
distribution of document lengths, under an OCR Kamerstuk header that our
metadata extraction reads (dossier, number, date, type, signatory), so that
vocabulary, lengths and letter ids stay realistic. Everything generated lives
in the cache folder ($KAMERZOEK_BENCH_CACHE, default /tmp/kamerzoek-bench),
never in the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from index.clean import clean
from index.metadata import extract, format_dossier
from index.passages import letter_id
from index.read import discover, read_file

REPO = Path(__file__).resolve().parent.parent
SEED = 20251125
GENERATOR = 1  # bump when synthetic documents change: cached collections are then made again
SYNTHETIC = {"50k": 50_000, "100k": 100_000}
NAMES = ("seeds", "13k", *SYNTHETIC)
PER_FOLDER = 1000  # synthetic files per sub-folder
MIN_PARAGRAPH = 80  # characters; shorter blocks are headings, salutations and header lines

MINISTRIES = (
    "Binnenlandse Zaken en Koninkrijksrelaties", "Buitenlandse Zaken", "Defensie", "Financiën",
    "Economische Zaken en Klimaat", "Infrastructuur en Waterstaat", "Justitie en Veiligheid",
    "Onderwijs, Cultuur en Wetenschap", "Sociale Zaken en Werkgelegenheid",
    "Volksgezondheid, Welzijn en Sport", "Landbouw, Natuur en Voedselkwaliteit",
    "Verkeer en Waterstaat", "Volkshuisvesting, Ruimtelijke Ordening en Milieubeheer",
)
MONTHS = ("januari februari maart april mei juni juli augustus september oktober november "
          "december").split()


@dataclass
class Doc:
    """One document as the peers index it: our id, and the cleaned title and text."""

    id: str
    title: str
    text: str


def cache_dir() -> Path:
    return Path(os.environ.get("KAMERZOEK_BENCH_CACHE", "/tmp/kamerzoek-bench"))


def shared_corpus() -> Path:
    return Path(os.environ.get("KAMERZOEK_CORPUS", REPO.parent / "shared" / "corpus"))


def sources(name: str) -> list[Path]:
    """The pristine files and folders of a corpus (a synthetic one is made on first use)."""
    if name == "seeds":
        return [REPO / "seeds"]
    if name == "13k":
        shared = shared_corpus()
        return [shared / "ob-xml-moties", shared / "sgd" / "sgd-kamerstukken.jsonl"]
    if name in SYNTHETIC:
        return [synthesize(name, SYNTHETIC[name])]
    raise ValueError(f"unknown corpus {name!r}: choose from {', '.join(NAMES)}")


def working_copy(name: str) -> Path:
    """A fresh folder holding the corpus (hard links where possible), free to change."""
    target = cache_dir() / "work" / name / "src"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for source in sources(name):
        destination = target / source.name
        if source.is_dir():
            shutil.copytree(source, destination, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(source), str(destination))
    return target


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, destination)
    # the copy is changed by rewriting files (os.replace), never in place: see edit_file()


def edit_file(path: Path) -> None:
    """Change one letter's text without touching the hard-linked original."""
    text = path.read_text("utf-8")
    start = text.find("<al") if path.suffix == ".xml" else 0
    at = text.find(" de ", max(start, 0))
    if at < 0:
        raise ValueError(f"nothing to change in {path}")
    changed = text[:at] + " de gewijzigde" + text[at + 3:]
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(changed, "utf-8")
    os.replace(temporary, path)


# -- documents for the peers --------------------------------------------------------------

def documents_file(name: str, fresh: bool = False) -> Path:
    """The corpus as cleaned JSON-lines documents, extracted once per version of index/."""
    folder = cache_dir() / "docs"
    path = folder / f"{name}.jsonl"
    stamp = folder / f"{name}.stamp"
    version = _code_version()
    if not fresh and path.exists() and stamp.exists() and stamp.read_text() == version:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    files, _ = discover([str(s) for s in sources(name)])
    seen: set[str] = set()
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as out, ProcessPoolExecutor(os.cpu_count()) as pool:
        for docs in pool.map(extract_file, files, chunksize=16):
            for doc in docs:
                if doc.id in seen:  # two files claim one Kamerstuk; build.py suffixes too
                    doc.id = f"{doc.id}-{hashlib.sha1(doc.text.encode()).hexdigest()[:6]}"
                seen.add(doc.id)
                out.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
    os.replace(temporary, path)
    stamp.write_text(version)
    return path


def extract_file(path: str) -> list[Doc]:
    """The cleaned documents of one file: what our indexer reads, as plain title and text."""
    try:
        result = read_file(path)
    except Exception:  # noqa: BLE001 - the indexer skips such files too
        return []
    docs = []
    for raw in result.documents:
        cleaned = clean(raw)
        meta = extract(raw, cleaned)
        text = "\n\n".join(b.text for b in cleaned.blocks if b.text.strip())
        if not text:
            continue
        title = " — ".join(t for t in (meta.dossier_title, meta.title) if t)
        docs.append(Doc(letter_id(meta, raw.name_hint or Path(raw.source).stem), title, text))
    return docs


def iter_documents(path: Path) -> Iterator[Doc]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield Doc(**json.loads(line))


def _code_version() -> str:
    digest = hashlib.sha256()
    for module in sorted((REPO / "index").glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


# -- synthetic collections ----------------------------------------------------------------

def paragraph_pool() -> dict[str, list]:
    """Real paragraphs, document lengths and dossier titles of the 13k, kept once per GENERATOR.

    Not tied to the code version, so synthetic collections stay the same while index/ changes.
    """
    path = cache_dir() / f"pool-v{GENERATOR}.json"
    if path.exists():
        data: dict[str, list] = json.loads(path.read_text("utf-8"))
        return data
    paragraphs: list[str] = []
    lengths: list[int] = []
    titles: set[str] = set()
    for doc in iter_documents(documents_file("13k")):
        blocks = [" ".join(b.split()) for b in doc.text.split("\n\n")]
        kept = [b for b in blocks if len(b) >= MIN_PARAGRAPH]
        paragraphs.extend(kept)
        lengths.append(max(1, len(kept)))
        if " — " in doc.title:
            titles.add(doc.title.split(" — ")[0])
    data = {"paragraphs": paragraphs, "lengths": lengths, "titles": sorted(titles)}
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return data


def synthesize(name: str, count: int) -> Path:
    """Write ``count`` synthetic documents, one JSON-lines file each, unless already there."""
    folder = cache_dir() / "corpora" / name
    stamp = folder / ".done"
    expected = f"{GENERATOR} {SEED} {count}"
    if stamp.exists() and stamp.read_text() == expected:
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    pool = paragraph_pool()
    rng = random.Random(f"{SEED}-{name}")
    for number in range(count):
        path = folder / f"{number // PER_FOLDER:03d}" / f"syn-{number:06d}.jsonl"
        if number % PER_FOLDER == 0:
            path.parent.mkdir(parents=True)
        record = {"url": f"https://zoek.officielebekendmakingen.nl/9{number:09d}/ocr",
                  "text": synthetic_text(rng, number, pool)}
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    stamp.write_text(expected)  # hidden: discover() skips it
    return folder


def synthetic_text(rng: random.Random, number: int, pool: dict[str, list]) -> str:
    """An OCR Kamerstuk: header, real paragraphs (one per line), signature and footer."""
    dossier = str(900_000 + number // 50)  # unique (dossier, nr) per document: no id clashes
    nr = number % 50 + 1
    year = rng.randint(1980, 2024)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    session = f"{year}-{year + 1}" if month >= 9 else f"{year - 1}-{year}"
    ministry = rng.choice(MINISTRIES)
    kind = rng.random()
    if kind < 0.6:
        heading = [f"BRIEF VAN DE MINISTER VAN {ministry.upper()}",
                   "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal",
                   f"'s-Gravenhage, {day} {MONTHS[month - 1]} {year}"]
        closing = f"De Minister van {ministry}, {_name(rng)}"
    elif kind < 0.85:
        heading = [f"MOTIE VAN HET LID {_name(rng).split()[-1].upper()} C.S.",
                   f"Voorgesteld {day} {MONTHS[month - 1]} {year}"]
        closing = "en gaat over tot de orde van de dag."
    else:
        heading = ["VERSLAG", f"Vastgesteld {day} {MONTHS[month - 1]} {year}"]
        closing = f"De voorzitter van de commissie, {_name(rng)}"
    size = rng.choice(pool["lengths"])
    body = [rng.choice(pool["paragraphs"]) for _ in range(size)]
    lines = ["Tweede Kamer der Staten-Generaal", f"Zitting {session}", dossier,
             rng.choice(pool["titles"]), f"Nr {nr}", *heading, *body, closing,
             f"Tweede Kamer, zitting {session}, {format_dossier(dossier)}, nr. {nr}"]
    return "\n".join(lines)


def _name(rng: random.Random) -> str:
    initials = "".join(f"{rng.choice('ABCDEFGHIJKLMNPRSTW')}." for _ in range(rng.randint(1, 2)))
    return f"{initials} {rng.choice(SURNAMES)}"


SURNAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
            "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs", "Vermeulen")
