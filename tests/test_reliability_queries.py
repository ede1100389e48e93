"""Hostile queries and requests: the search library and every HTTP route answer, in bounded work, escaped, never a 5xx.

Hypothesis draws queries from plain text and from soups of operators, field
filters, template and SQL injection, markup, control characters, repeated
operators and very long input, with wild page, limit, sort and filter values.
The limits that bound the work (query length, terms, nesting, prefix
expansion, page and limit) are checked directly; the time of each search is
only checked against a generous bound that catches a hang, not slowness.
The last part runs a real `kamerzoek serve`: what a browser never sends
(raw paths, huge bodies and headers) and where the server listens.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.http_load import HOST, free_port, server
from index.build import build
from search.engine import MAX_LIMIT, MAX_PAGE, Engine
from search.query import MAX_DEPTH, MAX_LENGTH, MAX_TERMS, parse, terms
from search.results import SORTS, SearchRequest
from search.translate import MAX_EXPANSION, translate
from tests.reliability.markup import live_markup

ROOT = Path(__file__).resolve().parent.parent
HANG = 20.0  # seconds: a search that takes longer is stuck, not slow (the machine is shared)
TOKENS = (
    "AND", "OR", "NOT", "EN", "OF", "NIET", "(", ")", '"', "*", "-", "+", "~", "~2", "^3", "\\", "'", ":",
    "jaar:", "jaar:2017", "jaar:2016..2018", "jaar:0..99999", "type:motie", "type:", "dossier:28676",
    "dossier:'", "ondertekenaar:Ollongren", "NAVO", "Rusland", "twee", "procent", "afschrik*", "a*", "**",
    "*a", "?", "28 676, nr. 418", "kst-28676-418", "{{7*7}}", "{% for x in range(9) %}", "${7*7}",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR 1=1 --", "'; DROP TABLE brieven;--",
    "\x00", "\x1b[31m", "\u202e", "\ufeff", "\u0301", "😀", "ﬁ", "İ", "\r\n", "%00", "&amp;", "javascript:",
)
REPEATED = ("NOT ", "NIET ", "(", ")", '"', "a* ", "OR ", "AND ", "-", "jaar:2017 ", "* ", "x~ ")
NASTY = [
    "", " ", '"', '""', "(", ")", "()", "AND", "OR", "NOT", "-", "*", "a OR", "NOT NOT NOT a", "((((a", "a))))",
    "x" * 100_000, "NAVO " * 5000, "(" * 5000 + "a" + ")" * 5000, '"' * 999, "a* " * 500, "NIET " * 1000,
    "jaar:" + "9" * 400, "dossier:" + "1" * 400, "{{config}}", "{{ self.__init__.__globals__ }}",
    "<script>alert(1)</script>", "' OR '1'='1", "1; SELECT * FROM letters", "\x00" * 100, "\u0000NAVO",
]

query_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(TOKENS), max_size=80).map(" ".join),
    st.tuples(st.sampled_from(REPEATED), st.integers(1, 600)).map(lambda pair: pair[0] * pair[1]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=400, max_size=3000),
)
filter_text = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(
    ["2017", "2016..2018", "0..9999", "9" * 300, "motie", "28 676", "28676", "<script>", "%", "*"]))
page_number = st.one_of(st.integers(-5, 2000), st.integers(2000, 10**15))
limit_number = st.one_of(st.integers(-5, 200), st.integers(200, 10**9))


def _search(engine: Engine, request: SearchRequest) -> Any:
    started = time.monotonic()
    result = engine.search(request)
    assert time.monotonic() - started < HANG, f"{request.q[:80]!r} took {time.monotonic() - started:.1f} s"
    return result


# -- the search library -----------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=query_text, page=page_number, limit=limit_number,
       sort=st.one_of(st.sampled_from(SORTS), st.text(max_size=10)),
       year=filter_text, doctype=filter_text, dossier=filter_text, signatory=filter_text)
def test_the_engine_answers_every_query_within_its_limits(engine: Engine, q: str, page: int, limit: int, sort: str,
                                                          year: str | None, doctype: str | None,
                                                          dossier: str | None, signatory: str | None) -> None:
    result = _search(engine, SearchRequest(q=q, page=page, limit=limit, sort=sort, year=year, doctype=doctype,
                                           dossier=dossier, signatory=signatory))
    assert 1 <= result.page <= MAX_PAGE and 1 <= result.limit <= MAX_LIMIT
    assert len(result.results) <= result.limit and result.total >= 0
    assert result.sort in SORTS
    json.dumps(result.to_json())  # everything in it is plain data
    for hit in result.results:
        for passage in hit.passages:
            assert "<" not in re.sub(r"</?mark>|<sup>[^<]*</sup>|<sup class=\"noot\"><a [^>]*>[^<]*</a></sup>",
                                     "", passage.highlight)


@settings(max_examples=100, deadline=None)
@given(q=query_text)
def test_the_parser_bounds_length_terms_and_depth(q: str) -> None:
    parsed = parse(q)
    assert len(parsed.text) <= MAX_LENGTH
    assert len(terms(parsed.root)) <= MAX_TERMS
    assert _depth(parsed.root) <= MAX_DEPTH + 2  # And/Or/Not wrappers around the deepest group


def _depth(node: Any) -> int:
    children = getattr(node, "children", None) or ([node.child] if hasattr(node, "child") else [])
    return 1 + max((_depth(child) for child in children), default=0)


@settings(max_examples=100, deadline=None)
@given(letter_id=st.one_of(st.text(max_size=300), st.sampled_from(
    ["../../etc/passwd", "kst-28676-266/../../x", "\x00", "*", "kst-*", "' OR 1=1 --", "a" * 10_000])))
def test_the_engine_looks_up_any_letter_id_without_failing(engine: Engine, letter_id: str) -> None:
    found = engine.letter(letter_id)
    assert found is None or found["id"] == letter_id


PREFIXES = ("zza", "zzb", "zzc", "zzd", "zze", "zzf")  # each the start of 300 words
HEADS = ("plankor", "vistrum", "golmart", "kestrop", "dorvunt", "malstip")  # each the end of 250 compounds
MAX_FUZZY_LOOKUPS = 10  # "Bedoelde u" lookups per query: each scans a slice of the vocabulary (0.2 s on the 13k)


@pytest.fixture(scope="module")
def expansions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An index whose words make prefixes and compound heads stand for hundreds of words each."""
    folder = tmp_path_factory.mktemp("expansions")
    letters = folder / "brieven"
    letters.mkdir()
    syllables = [a + b for a in "bdgklmnprstvz" for b in "aou"]
    fronts = [a + b + "t" for a in syllables for b in syllables][:250]  # "badat": words of their own
    pairs = [a + b for a in syllables for b in syllables][:300]
    words = [f"{prefix}{pair}x" for prefix in PREFIXES for pair in pairs]
    words = sorted(set(words) | set(fronts) | set(HEADS) | {f + head for head in HEADS for f in fronts})
    paragraphs = "\n\n".join(" ".join(words[i:i + 40]) + "." for i in range(0, len(words), 40))
    (letters / "woorden.txt").write_text(f"Geachte voorzitter,\n\n{paragraphs}\n", "utf-8")
    build([str(letters)], folder / "ix", workers=1)
    engine = Engine(folder / "ix")
    yield engine
    engine.close()


def _expanded(engine: Engine, q: str) -> set[str]:
    """The distinct words the compiled query searches for, in any field."""
    compiled = translate(parse(q), engine.searcher().reader())
    return {text for _, text in compiled.ranking.all_terms()} if compiled.ranking is not None else set()


def test_a_prefix_stands_for_at_most_the_expansion_limit(expansions: Engine) -> None:
    assert len(_expanded(expansions, PREFIXES[0] + "*")) == MAX_EXPANSION  # of 300
    result = _search(expansions, SearchRequest(q=PREFIXES[0] + "*"))
    assert result.total == 1 and any(f"meer dan {MAX_EXPANSION}" in note for note in result.notes)


def test_a_query_of_many_prefixes_stands_for_at_most_the_expansion_limit_in_all(expansions: Engine) -> None:
    """The limit holds per query, not per prefix: 50 prefixes of 200 words are 10,000 terms (107 s on the 13k)."""
    q = " OF ".join(f"{prefix}*" for prefix in PREFIXES)
    assert len(_expanded(expansions, q)) <= MAX_EXPANSION


def test_a_query_of_many_words_stands_for_at_most_the_expansion_limit_in_compounds(expansions: Engine) -> None:
    """Each word also finds the compounds it ends; together they are bounded like prefixes."""
    assert len(_expanded(expansions, HEADS[0])) > 100  # "plankor" finds "badatplankor" and the rest
    q = " OF ".join(HEADS)
    assert len(_expanded(expansions, q)) <= MAX_EXPANSION + len(HEADS)


@pytest.mark.parametrize("q", ["zzabax~", "zzabax~2", "zzab~9", "qqjjjx~~~", "zz?aax", "zz*aa*x", "*", "**"])
def test_fuzzy_and_wildcard_syntax_is_read_as_words(expansions: Engine, q: str) -> None:
    assert _search(expansions, SearchRequest(q=q)).total in (0, 1)


def test_suggestions_make_a_bounded_number_of_fuzzy_lookups(expansions: Engine,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """"Bedoelde u" looks up each rare word at edit distance 2; a query of 50 such words must not do 50."""
    from search import suggest

    lookups = []
    close_words = suggest.close_words

    def counted(reader: Any, field: str, word: str, *args: Any, **kwargs: Any) -> Any:
        lookups.append(word)
        return close_words(reader, field, word, *args, **kwargs)

    monkeypatch.setattr(suggest, "close_words", counted)
    q = " ".join(f"zz{a}{b}qx" for a in "abcdefghij" for b in "abcde")  # 50 near misses
    result = _search(expansions, SearchRequest(q=q))
    assert result.total == 0
    assert 0 < len(lookups) <= MAX_FUZZY_LOOKUPS, f"{len(lookups)} fuzzy lookups for one query"


# -- every route over HTTP (the Flask test client) --------------------------------------------

ROUTES = ("/", "/api/search", "/export.csv", "/feed.atom", "/opensearch.xml")
PARAMETERS = ("q", "page", "limit", "sort", "jaar", "year", "type", "doctype", "dossier", "ondertekenaar",
              "signatory", "explain", "passages", "format", "callback")
parameter_value = st.one_of(query_text, st.integers(-10**12, 10**15).map(str), st.sampled_from(
    ["relevance", "newest", "oldest", "0", "-1", "1e9", "NaN", "²", "1.5", "true", "", " "]))
TEMPLATE_TAGS = set(re.findall(r"<([a-z][a-z0-9]*)", "".join(
    p.read_text("utf-8") for p in (ROOT / "web" / "templates").glob("*.html")))) | {"mark", "sup", "html"}


def _check_response(response: Any, path: str) -> None:
    """What every answer must be, whatever was asked: no 5xx, no traceback, headers, well-formed, escaped."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{path}: {response.status_code}"
    assert "Traceback" not in body and 'File "' not in body
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    kind = response.mimetype
    if 300 <= response.status_code < 400:  # e.g. werkzeug's redirect of "//" to "/": never to another site
        assert urlsplit(response.headers["Location"]).netloc in ("", "localhost"), response.headers["Location"]
    elif path.startswith("/api/"):
        assert kind == "application/json"
        data = json.loads(body)
        if response.status_code >= 400:
            assert data["error"]["message"]
    elif kind == "text/html":
        assert not live_markup(body), (path, live_markup(body))
        tags = {tag.name for tag in BeautifulSoup(body, "lxml").find_all(True)}
        assert tags <= TEMPLATE_TAGS, f"{path}: elements no template makes: {tags - TEMPLATE_TAGS}"
    elif kind.endswith("xml") and response.status_code == 200:
        ET.fromstring(response.get_data())
    elif kind == "text/csv":
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert rows[0][0] == "id"
        assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
        disposition = response.headers["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="kamerzoek-[a-z0-9-]+\.csv"', disposition), disposition


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES),
       params=st.dictionaries(st.sampled_from(PARAMETERS), parameter_value, max_size=6))
def test_every_route_answers_any_parameters(client: FlaskClient, route: str, params: dict[str, str]) -> None:
    response = client.get(route, query_string=params)
    _check_response(response, route)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(("/brief/", "/api/brief/")),
       letter_id=st.one_of(st.text(min_size=1, max_size=200), st.sampled_from(TOKENS)),
       q=st.one_of(st.none(), query_text))
def test_letter_routes_answer_any_id_and_query(client: FlaskClient, route: str, letter_id: str,
                                               q: str | None) -> None:
    response = client.get(route + quote(letter_id, safe=""), query_string={"q": q} if q is not None else {})
    assert response.status_code in (200, 308, 404), response.status_code
    _check_response(response, route)


TRAVERSALS = [
    "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd", "/etc/passwd", "..\\..\\..\\web\\__init__.py", "kst-28676-266/../../web/__init__.py",
    "kst-28676-266%00.html", "%252e%252e%252fetc%252fpasswd", "..;/..;/etc/passwd", "~root",
]


@pytest.mark.parametrize("prefix", ["/brief/", "/api/brief/", "/static/", "/export.csv?q=", "/feed.atom?q="])
@pytest.mark.parametrize("attempt", TRAVERSALS)
def test_no_path_traversal_through_ids_files_or_parameters(client: FlaskClient, prefix: str, attempt: str) -> None:
    with client.get(prefix + attempt) as response:
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 308, 404) and response.status_code != 500
        assert "root:x:0:0" not in body and "def create_app" not in body and "SECURITY_HEADERS" not in body
        if prefix.startswith(("/brief", "/static")):
            assert response.status_code in (404, 308)


# -- a real server ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with server(seed_index, log, threads=4) as running:
        yield running["port"]
    assert "Traceback" not in log.read_text("utf-8", errors="replace")


def _raw(port: int, request: bytes, read: int = 65536) -> tuple[int, bytes]:
    """Send bytes as they are (no client tidies the path up); the status and the start of the answer."""
    with socket.create_connection((HOST, port), timeout=30) as connection:
        try:
            connection.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may hang up before a huge request is sent; its answer is still there
        answer = b""
        try:
            while len(answer) < read:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except ConnectionResetError:
            pass
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    assert match, answer[:200]
    return int(match.group(1)), answer


@pytest.mark.parametrize("path", [
    "/brief/../../../../etc/passwd", "/brief/..%2f..%2f..%2fetc%2fpasswd", "/static/../__init__.py",
    "/static/..%2f__init__.py", "/static/%2e%2e/__init__.py", "/api/brief/%00", "/%ff%fe", "/?q=%ff%fe%00",
    "/export.csv?q=..%2f..%2fetc%2fpasswd", "//etc/passwd", "/brief/" + "a" * 5000,
])
def test_the_server_answers_raw_hostile_paths(served: int, path: str) -> None:
    status, answer = _raw(served, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert status < 500 and b"root:x:0:0" not in answer and b"def create_app" not in answer
    assert b"Content-Security-Policy" in answer or status == 400  # waitress itself refuses some requests


@pytest.mark.parametrize("request_bytes, expected", [
    (b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n" + b"a" * 1048576,
     {413}),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n" + b"a" * 20000, {413}),
    (b"GET /?q=" + b"a" * 300_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", {400, 414, 431}),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 300_000 + b"\r\nConnection: close\r\n\r\n", {400, 431}),
    (b"TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", {405}),
    (b"DELETE /api/brief/kst-28676-266 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", {405}),
])
def test_the_server_refuses_oversized_and_unexpected_requests(served: int, request_bytes: bytes,
                                                              expected: set[int]) -> None:
    status, _ = _raw(served, request_bytes)
    assert status in expected


def test_the_server_sends_the_security_headers(served: int) -> None:
    _, answer = _raw(served, b"GET /?q=NAVO HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    for header in ("content-security-policy: default-src 'self'; script-src 'self'", "frame-ancestors 'none'",
                   "x-content-type-options: nosniff", "referrer-policy: same-origin"):
        assert header in head
    assert "unsafe-inline" not in head and "unsafe-eval" not in head


def test_the_server_listens_on_loopback_unless_told_otherwise(seed_index: Path, tmp_path: Path) -> None:
    import subprocess

    from tests.reliability.procs import KAMERZOEK

    port = free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        process = subprocess.Popen([*KAMERZOEK, "serve", "--index", str(seed_index), "--port", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _listening(port) is None:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        # the log says why, should the server have started late, on another port, or not at all
        assert _listening(port) == ["127.0.0.1"], (port, (tmp_path / "serve.log").read_text())
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # killed, not left running into the next test
            process.kill()
            process.wait()
            raise AssertionError("kamerzoek serve did not stop on SIGTERM within 10 s") from None


def _listening(port: int) -> list[str] | None:
    """The local addresses of the sockets listening on ``port`` (IPv4 and IPv6), None when there are none."""
    from tests.reliability.procs import LISTEN, tcp_sockets

    found = []
    for sock in tcp_sockets(port):
        if sock.state == LISTEN:
            if len(sock.address) == 8:
                found.append(socket.inet_ntop(socket.AF_INET, bytes.fromhex(sock.address)[::-1]))
            else:
                found.append("ipv6:" + sock.address)
    return found or None


def test_debug_mode_stays_off_whatever_the_environment(seed_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from web import create_app

    for name, value in (("FLASK_DEBUG", "1"), ("KAMERZOEK_DEBUG", "true"), ("FLASK_ENV", "development")):
        monkeypatch.setenv(name, value)
    app = create_app({"INDEX": str(seed_index)})
    app.logger.disabled = True

    @app.get("/kapot")
    def broken() -> str:
        raise RuntimeError("geheime details")

    assert app.debug is False
    response = app.test_client().get("/kapot")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "geheime details" not in body and "Traceback" not in body
