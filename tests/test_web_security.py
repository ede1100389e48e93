"""Security of the site: headers on every response, hostile documents and queries escaped, one place for markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.build import build
from web import CONTENT_SECURITY_POLICY, create_app

WEB = Path(__file__).resolve().parent.parent / "web"
HOSTILE = (
    "Tweede Kamer der Staten-Generaal\nDen Haag, 12 mei 2021\n\nGeachte voorzitter,\n\n"
    "Deze brief over cyberveiligheid bevat <script>alert(1)</script> en ook "
    "<img src=x onerror=alert(1)> als tekst, plus \"aanhalingstekens\" & <b>vet</b>.\n\n"
    "De onderzoekers schreven over cyberveiligheid: javascript:alert(2) en {{7*7}} en "
    "</textarea><svg onload=alert(3)>.\n\n"
    "Hoogachtend,\n\nDe minister van Justitie en Veiligheid,\nF. Grapperhaus\n"
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """A site on an index of one letter whose text is full of markup."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "docs").mkdir()
    (folder / "docs" / "vijandig.txt").write_text(HOSTILE, "utf-8")
    build([str(folder / "docs")], folder / "ix", workers=1)
    return create_app({"INDEX": str(folder / "ix")}).test_client()


def assert_no_live_markup(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert not [s for s in soup.find_all("script") if not s.get("src")], "an inline script"
    assert soup.find("img", src="x") is None and soup.find("svg") is None
    assert not soup.find_all(attrs={"onerror": True}) and not soup.find_all(attrs={"onload": True})
    assert "<script>alert" not in html and "<img src=x" not in html


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/?q=NAVO", "/brief/kst-28676-266", "/api/search?q=NAVO",
                                 "/api/brief/kst-28676-266", "/export.csv?q=NAVO",
                                 "/feed.atom?q=NAVO", "/opensearch.xml", "/static/style.css",
                                 "/static/app.js", "/bestaat-niet", "/api/bestaat-niet"])
def test_every_response_has_the_security_headers(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:  # static files are streamed: close them
        headers = response.headers
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_error_pages_have_the_security_headers_too(seed_index: Path) -> None:
    app = create_app({"INDEX": str(seed_index)})
    app.logger.disabled = True

    @app.get("/kapot")
    def broken() -> str:
        raise RuntimeError("kapot")

    headers = app.test_client().get("/kapot").headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


# -- templates and static files ---------------------------------------------------------------


def test_safe_appears_only_in_the_one_markup_macro() -> None:
    users = sorted(p.name for p in (WEB / "templates").glob("*.html") if "|safe" in p.read_text())
    assert users == ["_markup.html"]
    assert (WEB / "templates" / "_markup.html").read_text().count("|safe") == 1
    python = [p.name for p in WEB.glob("*.py") if re.search(r"\bMarkup\(|mark_safe", p.read_text())]
    assert python == []


def test_templates_have_no_inline_script_style_or_event_handlers() -> None:
    for template in (WEB / "templates").glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert "<style" not in text and " style=" not in text, template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert "javascript:" not in text, template.name


def test_nothing_is_loaded_from_other_sites() -> None:
    for path in [*(WEB / "templates").glob("*.html"), *(WEB / "static").iterdir()]:
        text = path.read_text()
        found = re.findall(r"(?:src|href)=[\"'](?:https?:)?//|@import|url\(\s*[\"']?(?:https?:)?//",
                           text)
        assert not found, path.name
    assert "fonts.googleapis" not in (WEB / "static" / "style.css").read_text()


@pytest.mark.parametrize("name, mimetype", [("app.js", "text/javascript"), ("style.css", "text/css"),
                                            ("favicon.svg", "image/svg+xml")])
def test_static_script_and_styles_are_served(client: FlaskClient, name: str, mimetype: str) -> None:
    with client.get(f"/static/{name}") as response:
        assert response.status_code == 200 and response.mimetype == mimetype


# -- hostile documents ------------------------------------------------------------------------


def test_hostile_document_text_is_escaped_in_the_results(hostile: FlaskClient) -> None:
    html = hostile.get("/?q=cyberveiligheid").get_data(as_text=True)
    assert_no_live_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    assert "<script>alert(1)</script>" in " ".join(p.get_text() for p in soup.select(".passage-text"))
    assert {m.get_text() for m in soup.select("mark")} == {"cyberveiligheid"}


def test_hostile_document_text_is_escaped_in_the_letter(hostile: FlaskClient) -> None:
    html = hostile.get("/brief/vijandig?q=cyberveiligheid").get_data(as_text=True)
    assert_no_live_markup(html)
    assert "&lt;/textarea&gt;&lt;svg onload=alert(3)&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    copies = [b["data-copy"] for b in soup.select("button.cite-button")]
    assert any("<img src=x onerror=alert(1)>" in c for c in copies), "copied as text"


def test_hostile_document_text_stays_text_in_the_feed_and_the_api(hostile: FlaskClient) -> None:
    feed = ET.fromstring(hostile.get("/feed.atom?q=cyberveiligheid").get_data())
    summary = feed.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary and "<script>" not in summary
    data = hostile.get("/api/brief/vijandig").get_json()
    assert any("<script>alert(1)</script>" in p["text"] for p in data["passages"])
    assert hostile.get("/api/brief/vijandig").mimetype == "application/json"


# -- hostile queries --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/?q=<script>alert(1)</script>",
    "/?q=NAVO&jaar=<script>alert(1)</script>",
    "/?q=NAVO&ondertekenaar=\"><img src=x onerror=alert(1)>",
    "/?type=<script>alert(1)</script>",
    "/brief/kst-28676-266?q=<script>alert(1)</script>",
    "/?q=\"><svg onload=alert(3)>",
])
def test_queries_are_shown_escaped(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert_no_live_markup(response.get_data(as_text=True))


def test_template_syntax_in_a_query_is_not_evaluated(client: FlaskClient) -> None:
    soup = BeautifulSoup(client.get("/?q={{7*7}}").get_data(as_text=True), "html.parser")
    assert soup.select_one("#q")["value"] == "{{7*7}}"
    assert soup.select_one("h1.total q").get_text() == "{{7*7}}"


def test_control_characters_do_not_reach_the_page(client: FlaskClient) -> None:
    html = client.get("/?q=NAVO%00%07%1b%7f%c2%85").get_data(as_text=True)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85]", html)


def test_the_page_number_is_bounded(client: FlaskClient, app: Flask) -> None:
    assert app.config["MAX_PAGE"] == 1000
    body = client.get("/api/search?q=NAVO&page=1000000").get_json()
    assert body["page"] == 1000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=80))
def test_no_query_makes_the_search_page_fail(client: FlaskClient, q: str) -> None:
    response = client.get("/", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True).replace(
        '<script src="/static/app.js" defer></script>', "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(letter_id=st.text(min_size=1, max_size=60))
def test_no_letter_id_makes_the_letter_page_fail(client: FlaskClient, letter_id: str) -> None:
    response = client.get("/brief/" + letter_id.replace("/", "%2F").replace("?", "%3F")
                          .replace("#", "%23"))
    assert response.status_code in (200, 404, 308)
