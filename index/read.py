"""Find source files and read each one into raw documents, whatever its format or damage."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import stat
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import ftfy

from index.errors import UnreadableFile
from index.read_xml import read_xml
from index.records import RawDocument

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".xml", ".html", ".htm", ".pdf", ".jsonl")
MAX_MEGABYTES = 64
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024

# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
# Windows-1252 as a translation of Latin-1: the five bytes cp1252 leaves undefined
# stay as they are instead of failing the whole file.
_CP1252: dict[int, str] = {}
for _byte in range(0x80, 0xA0):
    try:
        _CP1252[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:
        pass
# Control characters no text file has (tab, newline, vertical tab, form feed and
# carriage return are allowed; PDF extraction uses the form feed). C1 controls are
# not counted: double-encoded text is full of them, and it is repaired below.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.05
# Double-encoded UTF-8 always shows as a Latin-1 letter from Â..ô followed by a
# character that a UTF-8 continuation byte becomes in Latin-1 or Windows-1252.
# Checking this first skips ftfy (about 1 ms a file) on the clean majority.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
# Repair encodings only: quotes, dashes, ligatures, widths, HTML entities and
# control characters stay as the author wrote them.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=False,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
# Beyond the Latin letters Dutch text uses (Latin-1 and Extended-A: ĳ, Ł, œ, š; the guilder's
# ƒ; ș and ț of Romanian names), punctuation, the euro and ™ (and the byte-order mark).
# Extended-B otherwise is implausible: "à–\n»à" is not mojibake of "à–\nȈ".
_IMPLAUSIBLE = re.compile(r"[^\u0000-\u017f\u0192\u0218-\u021b\u2000-\u20cf\u2100-\u214f\ufeff]")
_SGD_URL = re.compile(r"officielebekendmakingen\.nl/(\d+)/ocr\b")


@dataclass
class ReadResult:
    """What one file gave: its documents, the parts skipped, and what was repaired."""

    documents: list[RawDocument]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source, reason): parts skipped
    notes: list[tuple[str, str]] = field(default_factory=list)  # (source, note): things recovered


def discover(sources: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The files under the given files and folders, sorted, and the sources that failed.

    Paths are joined onto each source as given ("seeds/003_x.txt" for "seeds/").
    Hidden entries are skipped and symlinked folders are not followed, so a
    symlink loop cannot hang the walk. Files with unknown extensions are kept:
    ``read_file`` names them, so the summary can too.
    """
    files: set[str] = set()
    problems: list[tuple[str, str]] = []
    for source in sources:
        try:
            mode = os.stat(source).st_mode
        except FileNotFoundError:
            problems.append((source, "broken symlink" if os.path.islink(source) else "not found"))
            continue
        except OSError as exc:
            problems.append((source, _os_reason("cannot open", exc)))
            continue
        if stat.S_ISDIR(mode):
            _walk(source, files, problems)
        elif stat.S_ISREG(mode):
            files.add(source)
        else:
            problems.append((source, "not a regular file"))
    return sorted(files), problems


def _walk(top: str, files: set[str], problems: list[tuple[str, str]]) -> None:
    # An explicit stack, not recursion: folder depth is not ours to limit.
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            problems.append((folder, _os_reason("cannot list", exc)))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(folder, entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                elif entry.is_file():  # a symlink to a file is read like the file
                    files.add(path)
                elif entry.is_symlink():
                    linked_folder = entry.is_dir()
                    reason = "symlinked folder not followed" if linked_folder else "broken symlink"
                    problems.append((path, reason))
                else:
                    problems.append((path, "not a regular file"))
            except OSError as exc:
                problems.append((path, _os_reason("cannot open", exc)))
        stack.extend(reversed(subfolders))


def _os_reason(prefix: str, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return f"{prefix}: permission denied"
    if isinstance(exc, FileNotFoundError):
        return f"{prefix}: file not found"
    return f"{prefix}: {(exc.strerror or str(exc)).lower()}"


def read_file(path: str) -> ReadResult:
    """Read one file into raw documents; the extension decides the format.

    Raises UnreadableFile when nothing in the file can be read, and nothing else
    for bad input: damage that can be worked around is repaired and noted.
    """
    stem, ext = os.path.splitext(os.path.basename(path))
    ext = ext.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        supported = " ".join(SUPPORTED_EXTENSIONS)
        named = (ext if ext.isprintable() else repr(ext)) or "(none)"
        raise UnreadableFile(f"unknown extension {named} (supported: {supported})")
    _check_file(path)
    if ext == ".jsonl":
        return _read_jsonl(path)
    data = _read_bytes(path)
    if ext == ".pdf":
        return _read_pdf(path, data, stem)
    text, notes = _decode(data)
    located = [(path, note) for note in notes]
    if ext in (".txt", ".md"):
        fmt: Literal["pdftext", "markdown"] = "pdftext" if ext == ".txt" else "markdown"
        return ReadResult(
            [RawDocument(source=path, format=fmt, text=text, name_hint=stem)], [], located
        )
    if ext == ".xml":
        document, more = read_xml(text, path, stem)
    else:
        # imported here: BeautifulSoup takes about 0.2 s to import, which a re-index of one
        # changed XML letter (a command run, start to end) need not pay
        from index.read_html import read_html

        document, more = read_html(text, path, stem)
    return ReadResult([document], [], located + [(path, note) for note in more])


def _check_file(path: str) -> None:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableFile(_os_reason("cannot open", exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFile("cannot open: is a folder")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read
        raise UnreadableFile("cannot open: not a regular file")
    if info.st_size > MAX_BYTES:
        raise UnreadableFile(_too_large(info.st_size))
    if info.st_size == 0:
        raise UnreadableFile("empty file")


def _too_large(size: int) -> str:
    return f"too large: {size / 1024 / 1024:.1f} MB (limit {MAX_MEGABYTES} MB)"


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        raise UnreadableFile(_os_reason("cannot open", exc)) from None
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_too_large(len(data)))
    return data


def decode_text(data: bytes) -> str:
    """Decode a file's bytes to NFC text with \\n newlines, repairing double-encoded UTF-8.

    Byte-order marks decide first (UTF-8, UTF-16, UTF-32); then strict UTF-8;
    then Windows-1252. Raises UnreadableFile for binary data and for empty or
    whitespace-only content.
    """
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[str, list[str]]:
    notes: list[str] = []
    if not data.strip():
        raise UnreadableFile("empty file")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                text = None  # not what the mark promised: decide on the bytes alone
            break
    if text is None:
        if b"\x00" in data:
            raise UnreadableFile("not text: binary content")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1").translate(_CP1252)
            notes.append("recovered: not UTF-8, read as Windows-1252")
    if _CONTROL.search(text) and (
        "\x00" in text or len(_CONTROL.findall(text)) > len(text) * _MAX_CONTROL_SHARE
    ):
        raise UnreadableFile("not text: binary content")
    text, repaired = _normalize(text)
    if repaired:
        notes.append("recovered: mojibake repaired")
    if not text.strip():
        raise UnreadableFile("empty file")
    return text, notes


def _normalize(text: str) -> tuple[str, bool]:
    """Newlines to \\n, mojibake repaired, NFC; and whether a repair was made."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    repaired = False
    if _MOJIBAKE_HINT.search(text):
        fixed = ftfy.fix_text(text, _FTFY)
        # OCR noise can look like mojibake ("5Ï°" would become "5ϰ"): keep a repair
        # only if every character it brings in is one Dutch text uses.
        if fixed != text and not _IMPLAUSIBLE.search("".join(set(fixed) - set(text))):
            text, repaired = fixed, True
    # a byte-order mark that was itself double-encoded ("ï»¿") is one again now
    text = text.removeprefix("\ufeff")
    return unicodedata.normalize("NFC", text), repaired


def _read_jsonl(path: str) -> ReadResult:
    result = ReadResult(documents=[])
    stem = os.path.splitext(os.path.basename(path))[0]
    try:
        with open(path, "rb") as handle:
            for lineno, line in enumerate(handle, start=1):
                source = f"{path}#{lineno}"
                if lineno == 1:
                    line = line.removeprefix(b"\xef\xbb\xbf")
                if not line.strip():
                    continue
                try:
                    document, repaired = _jsonl_document(line, source, stem, lineno)
                except UnreadableFile as exc:
                    result.problems.append((source, exc.reason))
                    continue
                result.documents.append(document)
                if repaired:
                    result.notes.append((source, "recovered: mojibake repaired"))
    except OSError as exc:
        raise UnreadableFile(_os_reason("cannot open", exc)) from None
    if not result.documents and not result.problems:
        raise UnreadableFile("empty file")
    if not result.documents:
        source, reason = result.problems[0]
        raise UnreadableFile(f"no usable JSON lines (line {source.rpartition('#')[2]}: {reason})")
    return result


def _jsonl_document(line: bytes, source: str, stem: str, lineno: int) -> tuple[RawDocument, bool]:
    try:
        record = json.loads(line)
    except RecursionError:
        raise UnreadableFile("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # also UnicodeDecodeError for bytes that are not UTF-8
        raise UnreadableFile(f"invalid JSON: {str(exc).splitlines()[0]}") from None
    if not isinstance(record, dict):
        raise UnreadableFile(f"not a JSON object but {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise UnreadableFile('missing or empty "text"')
    text, repaired = _normalize(text)
    url = record.get("url")
    meta = {"url": url} if isinstance(url, str) and url else {}
    match = _SGD_URL.search(url) if isinstance(url, str) else None
    name_hint = f"sgd-{match.group(1)}" if match else f"{stem}-{lineno}"
    return RawDocument(
        source=source, format="ocr", text=text, meta=meta, name_hint=name_hint
    ), repaired


def _read_pdf(path: str, data: bytes, stem: str) -> ReadResult:
    # pypdf is imported here: it is slow to import and only PDFs need it.
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    result = ReadResult(documents=[])
    pages: list[str] = []
    with _quiet_pypdf():
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableFile("encrypted PDF: a password is needed")
            count = len(reader.pages)
        except UnreadableFile:
            raise
        except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
            raise UnreadableFile(f"encrypted PDF: {_first_line(exc)}") from None
        except PdfReadError as exc:
            raise UnreadableFile(f"broken PDF: {_first_line(exc)}") from None
        except Exception as exc:  # pypdf fails on damaged files in many ways
            raise UnreadableFile(f"broken PDF: {type(exc).__name__}: {_first_line(exc)}") from None
        for number in range(count):
            try:
                page = reader.pages[number].extract_text()
            except Exception as exc:  # one bad page should not lose the others
                result.problems.append(
                    (f"{path}#page{number + 1}", f"page skipped: {_first_line(exc)}")
                )
                page = ""
            pages.append(page)
    # Pages joined with form feeds, so that the cleaner still knows where pages break.
    text, repaired = _normalize("\f".join(pages))
    if not text.replace("\f", "").strip():
        raise UnreadableFile("no text layer (scanned PDF?)")
    if repaired:
        result.notes.append((path, "recovered: mojibake repaired"))
    result.documents.append(RawDocument(source=path, format="pdf", text=text, name_hint=stem))
    return result


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about fonts and encodings it cannot fully parse; the text is fine."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
