"""The JSON API and the exports: /api/search is `kamerzoek search --json`, CSV, Atom and OpenSearch."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kamerzoek.cli import main
from web.exports import CSV_COLUMNS, safe_cell

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def cli_json(seed_index: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["search", "--index", str(seed_index), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("params, cli_args", [
    ({"q": "NAVO"}, ["NAVO"]),
    ({"q": "Rusland", "sort": "newest", "limit": "2", "page": "2"},
     ["Rusland", "--sort", "newest", "--limit", "2", "--page", "2"]),
    ({"q": "NAVO", "year": "2016..2018"}, ["NAVO", "--year", "2016..2018"]),
    ({"q": "NAVO", "type": "brief", "dossier": "28676"},
     ["NAVO", "--type", "brief", "--dossier", "28676"]),
    ({"q": "Oekrane"}, ["Oekrane"]),
    ({"q": "((NAVO"}, ["((NAVO"]),
    ({"q": "afschrik*", "explain": "1"}, ["afschrik*", "--explain"]),
    ({"q": ""}, []),
])
def test_api_search_returns_the_document_of_the_command_line(
    client: FlaskClient, seed_index: Path, params: dict[str, str], cli_args: list[str]
) -> None:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == cli_json(seed_index, *cli_args)
    assert list(response.get_json()) == ["query", "read_as", "total", "page", "pages", "suggestion",
                                         "facets", "facet_sizes", "results"]


def test_api_search_takes_the_site_s_dutch_filter_names_too(client: FlaskClient) -> None:
    english = client.get("/api/search?q=NAVO&year=2017&signatory=Ollongren").get_json()
    dutch = client.get("/api/search?q=NAVO&jaar=2017&ondertekenaar=Ollongren").get_json()
    assert english == dutch


def test_api_search_keeps_dutch_text_readable(client: FlaskClient) -> None:
    body = client.get("/api/search?q=Oekraine").get_data(as_text=True)
    assert "Oekraïne" in body


@pytest.mark.parametrize("query, message", [
    ("sort=random", "sort moet een van relevance, newest, oldest zijn"),
    ("page=abc", "page moet een geheel getal"),
    ("page=0", "page moet een geheel getal"),
    ("limit=-5", "limit moet een geheel getal"),
    ("limit=1.5", "limit moet een geheel getal"),
])
def test_bad_api_parameters_get_a_400_with_a_message(client: FlaskClient, query: str,
                                                     message: str) -> None:
    response = client.get(f"/api/search?q=NAVO&{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and message in error["message"]


def test_api_limit_and_page_are_bounded(client: FlaskClient) -> None:
    data = client.get("/api/search?q=NAVO&limit=999999999999999&page=99999999999").get_json()
    assert data["page"] == 1000 and data["results"] == [] and data["total"] == 5


@pytest.mark.parametrize("q", ["AND", '"', ")", "x" * 10_000, "<script>alert(1)</script>",
                               "NAVO\x00\x1f", "jaar:abc", "' OR 1=1 --"])
def test_api_search_answers_malformed_queries(client: FlaskClient, q: str) -> None:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert isinstance(response.get_json()["total"], int)


def test_api_letter_has_metadata_and_passages(client: FlaskClient) -> None:
    data = client.get("/api/brief/kst-28676-266").get_json()
    assert data["id"] == "kst-28676-266"
    assert data["meta"]["dossier"] == "28 676" and data["meta"]["date"] == "2017-03-29"
    assert data["citation"] == "Kamerstukken II 2016/17, 28 676, nr. 266"
    assert data["url"] == "http://localhost/brief/kst-28676-266"
    assert [p["n"] for p in data["passages"]] == list(range(1, len(data["passages"]) + 1))
    assert {"id", "n", "kind", "page", "text", "citation"} <= set(data["passages"][0])


@pytest.mark.parametrize("path", ["/api/brief/bestaat-niet", "/api/brief/..%2f..%2fetc%2fpasswd",
                                  "/api/brief/" + "a" * 3000, "/api/brief/a.b", "/api/niets"])
def test_api_errors_are_json_with_a_message(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 404 and error["message"]


def test_api_post_is_a_405_in_json(client: FlaskClient) -> None:
    response = client.post("/api/search")
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405
    assert "GET" in response.headers["Allow"]


def test_api_large_body_is_a_413_in_json(client: FlaskClient) -> None:
    response = client.get("/api/search", data=b"x" * 100_000)
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_api_without_an_index_says_what_to_do(tmp_path: Path) -> None:
    from web import create_app

    response = create_app({"INDEX": str(tmp_path)}).test_client().get("/api/search?q=NAVO")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["hint"] == f"kamerzoek index seeds/ --index {tmp_path}"


# -- CSV ---------------------------------------------------------------------------------------


def read_csv(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "a BOM, so spreadsheets read the text as UTF-8"
    reader = csv.DictReader(io.StringIO(text[1:]))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_csv_export_has_every_result_with_its_citation(client: FlaskClient) -> None:
    rows = read_csv(client, "/export.csv?q=NAVO&sort=newest")
    assert len(rows) == 5
    assert rows[0]["id"] == "kst-28676-418"
    assert rows[0]["citation"] == "Kamerstukken II 2022/23, 28 676, nr. 418"
    assert rows[0]["date"] == "2022-09-30" and rows[0]["signatories"] == "K.H. Ollongren"
    assert rows[0]["url"] == "http://localhost/brief/kst-28676-418"
    assert int(rows[0]["hits"]) >= 1


def test_csv_export_follows_the_filters(client: FlaskClient) -> None:
    assert [r["id"] for r in read_csv(client, "/export.csv?q=NAVO&jaar=2017")] == ["kst-28676-266"]


def test_csv_export_is_bounded(seed_index: Path) -> None:
    from web import create_app

    client = create_app({"INDEX": str(seed_index), "EXPORT_LIMIT": 2}).test_client()
    assert len(read_csv(client, "/export.csv?q=NAVO")) == 2


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+31 70 123", "'+31 70 123"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("Kamerstukken II 2016/17", "Kamerstukken II 2016/17"),
    ("", ""),
    (12, 12),
])
def test_csv_cells_cannot_become_formulas(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


# -- Atom ---------------------------------------------------------------------------------------


def read_feed(client: FlaskClient, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


def test_atom_feed_lists_the_newest_letters_first(client: FlaskClient) -> None:
    feed = read_feed(client, "/feed.atom?q=NAVO")
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated[:3] == ["2022-09-30T00:00:00Z", "2018-04-26T00:00:00Z", "2017-03-29T00:00:00Z"]
    assert feed.findtext(f"{ATOM}updated") == "2022-09-30T00:00:00Z"
    first = entries[0]
    assert first.findtext(f"{ATOM}id") == "http://localhost/brief/kst-28676-418"
    assert first.find(f"{ATOM}link").get("href") == "http://localhost/brief/kst-28676-418"
    assert first.findtext(f"{ATOM}title").startswith("Kamerstukken II 2022/23, 28 676, nr. 418")
    assert "<mark>NAVO</mark>" in first.findtext(f"{ATOM}summary")


def test_atom_feed_has_self_and_alternate_links_and_an_author(client: FlaskClient) -> None:
    feed = read_feed(client, "/feed.atom?q=NAVO&jaar=2022")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://localhost/feed.atom?q=NAVO&jaar=2022"
    assert links["alternate"] == "http://localhost/?q=NAVO&jaar=2022"
    assert feed.findtext(f"{ATOM}id") == links["self"]
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Kamerzoek"
    assert feed.findtext(f"{ATOM}title") == "Kamerzoek: NAVO"


def test_atom_feed_is_bounded(seed_index: Path) -> None:
    from web import create_app

    client = create_app({"INDEX": str(seed_index), "FEED_ENTRIES": 2}).test_client()
    assert len(read_feed(client, "/feed.atom?q=NAVO").findall(f"{ATOM}entry")) == 2


def test_atom_feed_of_a_query_with_control_characters_is_valid_xml(client: FlaskClient) -> None:
    feed = read_feed(client, "/feed.atom?q=NAVO%01%1b<b>&jaar=2017")
    assert feed.findtext(f"{ATOM}title") == "Kamerzoek: NAVO <b>"


# -- OpenSearch ---------------------------------------------------------------------------------


def test_opensearch_description_lets_a_browser_search_kamerzoek(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert root.findtext(f"{OPENSEARCH}ShortName") == "Kamerzoek"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"
