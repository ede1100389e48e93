"""The site's pages through the Flask test client: start page, results, facets, letters, citing, errors, settings."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from index.build import build
from index.errors import KamerzoekError
from tests.conftest import SEED
from web import create_app
from web.models import dutch_number
from web.settings import SETTINGS, SettingError

ROOT = Path(__file__).resolve().parent.parent
NAVO_LETTER = "001-81aa598f4595d479"  # footnotes 1 and 2, no dossier number


def page(client: FlaskClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def results(soup: BeautifulSoup) -> list[str]:
    """The letter ids of a result list, in order."""
    return [urlsplit(a["href"]).path.rsplit("/", 1)[-1] for a in soup.select(".result-title a")]


# -- start page -------------------------------------------------------------------------------


def test_start_page_says_what_is_indexed(client: FlaskClient) -> None:
    soup = page(client, "/")
    text = soup.get_text(" ")
    assert "5 documenten" in text
    assert "van 29 maart 2017 tot en met 30 september 2022" in text
    assert soup.select_one('.types a[href="/?type=brief"]') is not None


@pytest.mark.parametrize(("count", "printed"), [
    (0, "0"), (7, "7"), (999, "999"), (1000, "1.000"), (41_726, "41.726"), (2_345_678, "2.345.678"),
])
def test_counts_are_printed_with_a_dot_between_thousands(count: int, printed: str) -> None:
    assert dutch_number(count) == printed


def test_start_page_prints_large_counts_the_dutch_way(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("search.engine.Engine.stats", lambda self: {
        "letters": 104_321, "passages": 2_345_678, "first": "1995-01-02", "last": "2022-09-30",
        "types": {"brief": 41_726, "motie": 1},
    })
    soup = page(client, "/")
    lead = soup.select_one(".lead").get_text(" ", strip=True)
    assert lead.startswith("Kamerzoek doorzoekt 104.321 documenten in 2.345.678 passages, van 2 januari 1995")
    counts = [li.select_one(".count").get_text(strip=True) for li in soup.select(".types li")]
    assert counts == ["41.726", "1"]


def test_start_page_offers_example_searches_that_find_something(client: FlaskClient) -> None:
    links = page(client, "/").select(".examples a")
    queries = [query_of(a["href"])["q"][0] for a in links]
    assert '"twee procent van het BBP"' in queries
    assert {"Oekraine", "afschrik*", "NAVO NIET oostflank", "28 676, nr. 418"} <= set(queries)
    for link in links:
        found = page(client, link["href"])
        assert found.select(".result"), link["href"]


def test_start_page_explains_the_query_syntax_in_dutch(client: FlaskClient) -> None:
    soup = page(client, "/")
    help_text = soup.select_one("#zoekhulp").get_text(" ")
    for piece in ("aanhalingstekens", "NIET", "afschrik*", "jaar:2017", "ondertekenaar:"):
        assert piece in help_text
    assert soup.select_one("#citeren") is not None


def test_every_page_has_a_labelled_search_box_landmarks_and_a_skip_link(client: FlaskClient) -> None:
    for url in ("/", "/?q=NAVO", f"/brief/{NAVO_LETTER}", "/bestaat-niet"):
        response = client.get(url)
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert soup.html["lang"] == "nl"
        form = soup.select_one('form[role="search"]')
        assert form["method"] == "get" and form["action"] == "/"
        box = form.select_one('input[name="q"]')
        assert soup.select_one(f'label[for="{box["id"]}"]').get_text(strip=True)
        for landmark in ("header", "main", "footer", "nav"):
            assert soup.find(landmark) is not None, (url, landmark)
        assert soup.select_one('a.skip-link[href="#inhoud"]') is not None
        assert soup.select_one('link[rel="search"]')["href"] == "/opensearch.xml"


@pytest.mark.parametrize("url", ["/", "/?q=NAVO", f"/brief/{NAVO_LETTER}?q=NAVO", "/brief/kst-28676-418",
                                 "/bestaat-niet"])
def test_element_ids_are_unique_and_in_page_links_have_a_target(client: FlaskClient, url: str) -> None:
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    ids = [element["id"] for element in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    targets = {a["href"][1:] for a in soup.find_all("a", href=True) if a["href"].startswith("#")}
    assert targets <= set(ids), targets - set(ids)
    for labelled in soup.find_all(attrs={"aria-labelledby": True}):
        assert labelled["aria-labelledby"] in ids


# -- result list ------------------------------------------------------------------------------


def test_results_show_each_letter_with_its_facts_and_best_passages(client: FlaskClient) -> None:
    soup = page(client, "/?q=twee+procent+van+het+BBP")
    assert soup.select_one("h1.total").get_text(" ", strip=True).startswith("1 document")
    result = soup.select_one(".result")
    assert "26 april 2018" in result.select_one(".facts").get_text()
    assert "passage" in result.select_one(".hits").get_text()
    passage = result.select_one(".passage-hit")
    assert passage.select("mark"), "matched words are highlighted"
    assert passage.select_one(".where").get_text(strip=True).startswith("p. 2")
    assert "26 april 2018, p. 2" in passage.select_one(".citation").get_text()


def test_a_passage_links_to_its_anchor_in_the_letter_with_the_query(client: FlaskClient) -> None:
    soup = page(client, "/?q=NAVO")
    link = soup.select_one(".passage-hit .where a")["href"]
    path, anchor = link.split("#")
    assert re.fullmatch(r"p\d+", anchor)
    assert query_of(path) == {"q": ["NAVO"]}
    letter = page(client, path)
    assert letter.select_one(f"#{anchor}.passage") is not None
    assert letter.select_one(f"#{anchor} mark") is not None


def test_the_total_is_the_number_of_letters_that_match(client: FlaskClient, app: Flask) -> None:
    from web.engine import get_engine

    with app.test_request_context():
        from search.results import SearchRequest

        total = get_engine().search(SearchRequest(q="Rusland")).total
    soup = page(client, "/?q=Rusland")
    assert soup.select_one("h1.total").get_text(" ", strip=True).startswith(f"{total} documenten")


def test_facets_are_links_that_add_a_filter(client: FlaskClient) -> None:
    soup = page(client, "/?q=NAVO")
    years = soup.select('.facet a[href*="jaar="]')
    assert [a.get_text(strip=True) for a in years] == ["2022", "2018", "2017"]
    filtered = page(client, years[-1]["href"])
    assert results(filtered) == ["kst-28676-266"]
    chip = filtered.select_one(".chips a.chip")
    assert "Jaar: 2017" in chip.get_text()
    assert query_of(chip["href"]) == {"q": ["NAVO"]}, "the chip removes its filter"


def test_a_facet_with_more_values_than_it_lists_says_how_many_more(client: FlaskClient,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("search.grouping.FACET_VALUES", 1)
    soup = page(client, "/?q=NAVO")
    signers = soup.select_one("#facet-ondertekenaar").find_parent("section")
    assert len(signers.select("a")) == 1
    found = client.get("/api/search?q=NAVO").get_json()
    assert len(found["facets"]["signatory"]) == 1 < found["facet_sizes"]["signatory"]
    assert signers.select_one(".facet-unlisted").get_text(strip=True) == (
        f"en {found['facet_sizes']['signatory'] - 1} andere; verfijn de zoekvraag om ze te zien")
    assert soup.select_one("#facet-jaar").find_parent("section").select_one(".facet-unlisted") is None


def test_filters_combine_and_each_can_be_removed(client: FlaskClient) -> None:
    soup = page(client, "/?q=NAVO&dossier=28+676")
    assert sorted(results(soup)) == ["kst-28676-266", "kst-28676-418"]
    signer = soup.select_one('.facet a[href*="ondertekenaar=K.H.+Ollongren"], '
                            '.facet a[href*="ondertekenaar=K.H.%20Ollongren"]')
    both = page(client, signer["href"])
    assert results(both) == ["kst-28676-418"]
    chips = {a.get_text(" ", strip=True): query_of(a["href"]) for a in both.select(".chips a.chip")}
    assert len(chips) == 2
    assert {"q": ["NAVO"], "ondertekenaar": ["K.H. Ollongren"]} in chips.values()
    assert {"q": ["NAVO"], "dossier": ["28 676"]} in chips.values()


def test_a_filter_alone_lists_the_letters_it_selects(client: FlaskClient) -> None:
    assert len(results(page(client, "/?type=brief"))) == 5


def test_the_search_form_keeps_active_filters_and_sort(client: FlaskClient) -> None:
    soup = page(client, "/?q=NAVO&jaar=2017&sort=newest")
    hidden = {i["name"]: i["value"] for i in soup.select('form[role="search"] input[type="hidden"]')}
    assert hidden == {"jaar": "2017", "sort": "newest"}


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorting_by_date_orders_dated_letters(client: FlaskClient, sort: str) -> None:
    ids = results(page(client, f"/?q=NAVO&sort={sort}"))
    dated = [i for i in ids if i in ("kst-28676-418", "002-c499737f92fb39c0", "kst-28676-266")]
    expected = ["kst-28676-418", "002-c499737f92fb39c0", "kst-28676-266"]
    assert dated == (expected if sort == "newest" else expected[::-1])


def test_sort_links_mark_the_current_order(client: FlaskClient) -> None:
    soup = page(client, "/?q=NAVO&sort=oldest")
    current = soup.select_one('.sort a[aria-current="true"]')
    assert current.get_text(strip=True) == "Oudste eerst"
    relevance = soup.select_one('.sort a:not([aria-current])')
    assert "sort" not in query_of(relevance["href"])


def test_pagination_links_through_the_results(seed_index: Path) -> None:
    client = create_app({"INDEX": str(seed_index), "PER_PAGE": 2}).test_client()
    first = page(client, "/?q=NAVO")
    assert "pagina 1 van 3" in first.get_text()
    numbers = [a.get_text(" ", strip=True) for a in first.select(".pagination a:not([rel])")]
    assert numbers == ["Pagina 1", "Pagina 2", "Pagina 3"]
    second = page(client, first.select_one('.pagination a[rel="next"]')["href"])
    assert set(results(second)).isdisjoint(results(first))
    assert second.select_one('.pagination a[aria-current="page"]').get_text(" ", strip=True) == "Pagina 2"
    assert query_of(second.select_one('.pagination a[rel="prev"]')["href"]) == {"q": ["NAVO"]}


@pytest.mark.parametrize("value", ["abc", "-1", "0", "²", "1e9", "", "  3  "])
def test_odd_page_numbers_are_read_leniently(client: FlaskClient, value: str) -> None:
    soup = page(client, f"/?q=NAVO&page={value}")
    assert soup.select(".result") or soup.select_one(".empty")


def test_a_page_after_the_last_links_back(client: FlaskClient) -> None:
    soup = page(client, "/?q=NAVO&page=99999999999")
    assert not soup.select(".result")
    assert "Deze pagina bestaat niet" in soup.get_text()


def test_did_you_mean_links_to_the_suggestion(client: FlaskClient) -> None:
    soup = page(client, "/?q=Oekrane")
    link = soup.select_one(".suggestion a")
    assert link.get_text() == "Oekraine"
    assert results(page(client, link["href"]))


@pytest.mark.parametrize("q, shown", [
    ("((NAVO", "haakjes"),
    ("foo:bar", "onbekend veld"),
    ("oostflank onzinwoordxyz", "geen document bevat alle woorden"),
    ("28 676, nr. 418", "verwijzing naar Kamerstuk 28 676, nr. 418"),
])
def test_the_page_says_how_a_query_was_read(client: FlaskClient, q: str, shown: str) -> None:
    soup = page(client, "/?" + f"q={q}")
    assert shown in soup.select_one(".read-as").get_text(" ")


def test_a_plain_query_is_not_explained(client: FlaskClient) -> None:
    assert page(client, "/?q=Rusland").select_one(".read-as") is None


def test_no_results_page_helps_further(client: FlaskClient) -> None:
    soup = page(client, "/?q=xyzzyplugh&jaar=2017")
    empty = soup.select_one(".empty")
    assert "Geen documenten gevonden" in empty.get_text()
    assert query_of(empty.select_one('a[href^="/?"]')["href"]) == {"q": ["xyzzyplugh"]}


def test_a_long_query_is_cut_and_the_page_says_so(client: FlaskClient) -> None:
    soup = page(client, "/?q=" + "NAVO " * 2000)
    assert "langer dan 500 tekens" in soup.select_one(".notice").get_text()
    assert len(soup.select_one("#q")["value"]) <= 500


MALFORMED = ["AND", "OR", "NIET", '"', '""', ")", "(", "((NAVO", '"Raad van Europa', "NAVO AND",
             "de het een", "14:30", "kosten/baten", "28676, nr. 266", "foo:bar", "jaar:abc",
             "x" * 10_000, "NAVO\x00\x07\x1b[31m", "{{7*7}}", "' OR 1=1 --",
             "<script>alert(1)</script>", "*", "NAVO -", "jaar:2017..", "ondertekenaar:"]


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_queries_give_a_result_page(client: FlaskClient, q: str) -> None:
    response = client.get("/", query_string={"q": q})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert "<script>alert" not in body


def test_result_pages_link_to_csv_atom_and_json(client: FlaskClient) -> None:
    soup = page(client, "/?q=NAVO&jaar=2022")
    exports = {a.get_text(strip=True): a["href"] for a in soup.select(".exports a")}
    assert urlsplit(exports["CSV-bestand"]).path == "/export.csv"
    assert query_of(exports["Atom-feed"]) == {"q": ["NAVO"], "jaar": ["2022"]}
    assert urlsplit(exports["JSON"]).path == "/api/search"
    feed = soup.select_one('link[rel="alternate"][type="application/atom+xml"]')
    assert urlsplit(feed["href"]).path == "/feed.atom"


# -- letter page ------------------------------------------------------------------------------


def test_letter_page_has_a_header_with_its_facts(client: FlaskClient) -> None:
    soup = page(client, "/brief/kst-28676-418")
    assert soup.h1.get_text(strip=True) == "Kamerstukken II 2022/23, 28 676, nr. 418"
    facts = soup.select_one(".letter-facts").get_text(" ")
    for piece in ("30 september 2022", "28 676, nr. 418", "2022–2023", "Tweede Kamer",
                  "K.H. Ollongren (de Minister van Defensie)", "seeds/004_167e56d14b466090.txt"):
        assert piece in facts
    assert soup.title.get_text().startswith("Kamerstukken II 2022/23, 28 676, nr. 418")


def test_letter_page_shows_every_passage_with_an_anchor_in_order(client: FlaskClient, app: Flask) -> None:
    from web.engine import get_engine

    with app.test_request_context():
        letter = get_engine().letter(NAVO_LETTER)
    soup = page(client, f"/brief/{NAVO_LETTER}")
    body = [p["id"] for p in soup.select(".letter-body .passage")]
    notes = [p["id"] for p in soup.select(".footnotes .passage")]
    expected = [f"p{p['n']}" for p in letter["passages"]]
    assert body + notes == expected


def test_letter_page_shows_page_markers_and_section_headings(client: FlaskClient) -> None:
    soup = page(client, f"/brief/{NAVO_LETTER}")
    markers = [int(m.get_text(strip=True).removeprefix("p. ")) for m in soup.select(".page-marker")]
    # a marker where a passage starts on a new page; page 2 begins inside passage 3 ("p. 1-2")
    assert markers == [1, 3, 4, 6, 7]  # pages 2, 5 and 8 begin inside a passage
    headings = [h.get_text(strip=True) for h in soup.select(".letter-body h2.section-heading")]
    assert "Kern" in headings and "Financiën" in headings
    assert all(a != b for a, b in zip(headings, headings[1:], strict=False)), "shown when it changes"


def test_footnotes_link_both_ways(client: FlaskClient) -> None:
    soup = page(client, f"/brief/{NAVO_LETTER}")
    mark = soup.select_one('.letter-body sup.noot a[href="#noot-1"]')
    assert mark["id"] == "ref-1"
    note = soup.select_one("li#noot-1")
    assert "jaarlijks ijkmoment" in note.get_text()
    assert note.select_one('a.back-ref[href="#ref-1"]') is not None
    assert soup.select_one("li#noot-2 a.back-ref")["href"] == "#ref-2"


def test_references_link_to_the_letter_when_it_is_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED["003"], folder / SEED["003"].name)
    (folder / "verwijzing.txt").write_text(
        "Tweede Kamer der Staten-Generaal\nDen Haag, 3 april 2017\n\nGeachte voorzitter,\n\n"
        "Zoals gemeld in Kamerstuk 28 676, nr. 266 en in Kamerstuk 21 501-20, nr. 1234 blijft "
        "de inzet ongewijzigd.\n\nHoogachtend,\n\nDe minister van Defensie,\nJ.A. Hennis\n",
        "utf-8")
    build([str(folder)], tmp_path / "ix", workers=1)
    client = create_app({"INDEX": str(tmp_path / "ix")}).test_client()
    soup = page(client, "/brief/verwijzing")
    links = {a.get_text(strip=True): a["href"] for a in soup.select(".letter-facts a")}
    assert links["Kamerstuk 28 676, nr. 266"] == "/brief/kst-28676-266"
    other = links["Kamerstuk 21 501-20, nr. 1234"]
    assert query_of(other) == {"q": ["21 501-20, nr. 1234"]}


def test_arriving_from_a_search_highlights_the_words_throughout(client: FlaskClient) -> None:
    soup = page(client, f"/brief/{NAVO_LETTER}?q=NAVO")
    marks = soup.select(".letter-body mark")
    assert len(marks) > 20
    assert {m.get_text() for m in marks} == {"NAVO", "NATO"}  # NATO: the curated alias, as in the search
    assert "met treffers" in soup.select_one(".hitbar").get_text()
    assert page(client, f"/brief/{NAVO_LETTER}").select("mark") == []


def test_hit_navigation_links_each_hit_to_the_next_and_previous(client: FlaskClient) -> None:
    soup = page(client, f"/brief/{NAVO_LETTER}?q=Litouwen")
    hits = soup.select(".hitnav")
    assert len(hits) >= 3
    assert [h["id"] for h in hits] == [f"hit-{i}" for i in range(1, len(hits) + 1)]
    assert hits[0].select_one('a[href="#hit-2"]') is not None
    assert hits[1].select_one('a[href="#hit-1"]') is not None
    assert hits[-1].select_one(f'a[href$="#hit-{len(hits) + 1}"]') is None
    assert soup.select_one('.hitbar a[href="#hit-1"]') is not None
    assert soup.select_one(".hitbar button[data-hit-next]") is not None


def test_a_query_with_no_hits_in_the_letter_says_so(client: FlaskClient) -> None:
    soup = page(client, f"/brief/{NAVO_LETTER}?q=xyzzyplugh")
    assert "Geen treffers" in soup.select_one(".notice").get_text()


def test_letter_page_lists_similar_letters(client: FlaskClient) -> None:
    links = page(client, "/brief/kst-28676-266").select(".similar a")
    assert 1 <= len(links) <= 5
    assert all(a["href"].startswith("/brief/") and a["href"] != "/brief/kst-28676-266"
               for a in links)


def test_letter_page_links_back_to_the_results(client: FlaskClient) -> None:
    back = page(client, f"/brief/{NAVO_LETTER}?q=NAVO").select_one(".crumbs a")
    assert query_of(back["href"]) == {"q": ["NAVO"]}


def test_the_way_back_keeps_the_filters_sort_and_page_of_the_result_list(client: FlaskClient) -> None:
    came_from = "http://localhost/?q=NAVO&jaar=2018&sort=newest&page=1"
    response = client.get(f"/brief/{NAVO_LETTER}?q=NAVO", headers={"Referer": came_from})
    back = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(".crumbs a")
    assert back["href"] == "/?q=NAVO&jaar=2018&sort=newest&page=1"
    for elsewhere in ("http://elders.example/?q=x", "http://localhost/brief/x?q=y", "javascript:x"):
        response = client.get(f"/brief/{NAVO_LETTER}?q=NAVO", headers={"Referer": elsewhere})
        back = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(".crumbs a")
        assert back["href"] == "/?q=NAVO"


# -- citing ----------------------------------------------------------------------------------


def test_every_passage_can_be_cited_with_and_without_javascript(client: FlaskClient) -> None:
    soup = page(client, "/brief/kst-28676-418?q=NAVO")
    passages = soup.select(".passage")
    assert passages
    for passage in passages:
        cite = passage.select_one(".cite")
        citation = cite.select_one(".citation").get_text()
        permalink = cite.select_one("a.permalink")
        assert citation.startswith("Kamerstukken II 2022/23, 28 676, nr. 418")
        assert permalink["href"] == permalink.get_text() == (
            f"http://localhost/brief/kst-28676-418#{passage['id']}")
        button = cite.select_one("button.cite-button")
        assert button.has_attr("hidden"), "app.js shows the button; without JS the text is there"


def test_citeer_copies_the_quote_the_citation_and_the_permalink(client: FlaskClient) -> None:
    soup = page(client, "/?q=twee+procent+van+het+BBP")
    passage = soup.select_one(".passage-hit")
    copied = passage.select_one("button.cite-button")["data-copy"]
    citation = passage.select_one(".citation").get_text()
    url = passage.select_one("a.permalink")["href"]
    assert re.fullmatch(r"“[^“”]+” \((.+)\) (\S+)", copied, flags=re.S)
    assert copied.endswith(f" ({citation}) {url}")
    assert "twee procent" in copied and "\n" not in copied
    assert "?q=" not in url, "a permalink does not carry the query"


def test_the_whole_letter_can_be_cited(client: FlaskClient) -> None:
    cite = page(client, "/brief/kst-28676-266").select_one(".letter-cite")
    assert cite.select_one("button")["data-copy"] == (
        "Kamerstukken II 2016/17, 28 676, nr. 266. http://localhost/brief/kst-28676-266")


# -- unknown letters and errors --------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/brief/bestaat-niet", "/brief/kst-99999-1", "/brief/../../etc/passwd",
    "/brief/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/brief/..%2f..%2fetc%2fpasswd", "/brief/..",
    "/brief/" + "a" * 5000, "/brief/kst-28676-266.json", "/brief/-kst", "/brief/%00",
    "/brief/kst_28676_266", "/brief/", "/briefje",
])
def test_unknown_letters_get_a_dutch_404_page(client: FlaskClient, path: str) -> None:
    soup = page(client, path, status=404)
    assert soup.h1.get_text(strip=True) == "Niet gevonden"
    assert "root:" not in soup.get_text()


def test_unknown_ids_are_never_looked_up_as_files(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from search.engine import Engine

    asked: list[str] = []
    monkeypatch.setattr(Engine, "letter", lambda self, letter_id: asked.append(letter_id))
    for path in ("/brief/..%2fsecret", "/brief/a.b", "/brief/" + "a" * 200, "/brief/ab"):
        client.get(path)
    assert asked == ["ab"]


def test_a_post_gets_a_405_page(client: FlaskClient) -> None:
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Methode niet toegestaan" in response.get_data(as_text=True)


def test_a_large_request_body_gets_a_413_page(client: FlaskClient) -> None:
    response = client.get("/", data=b"x" * 100_000)
    assert response.status_code == 413
    assert "Verzoek te groot" in response.get_data(as_text=True)


def failing_app(seed_index: Path, error: Exception) -> Flask:
    app = create_app({"INDEX": str(seed_index)})

    @app.get("/kapot")
    def broken() -> str:
        raise error

    app.logger.disabled = True
    return app


def test_an_unexpected_error_gets_a_friendly_page_without_a_traceback(seed_index: Path) -> None:
    client = failing_app(seed_index, ZeroDivisionError("geheim detail")).test_client()
    response = client.get("/kapot")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Er ging iets mis" in body
    assert "Traceback" not in body and "geheim detail" not in body and "ZeroDivision" not in body


def test_a_kamerzoek_error_shows_its_message(seed_index: Path) -> None:
    client = failing_app(seed_index, KamerzoekError("De index is bezet; probeer het zo opnieuw.")).test_client()
    response = client.get("/kapot")
    assert response.status_code == 500
    assert "De index is bezet" in response.get_data(as_text=True)


def test_a_missing_index_says_how_to_make_one(tmp_path: Path) -> None:
    client = create_app({"INDEX": str(tmp_path / "geen-index")}).test_client()
    for url in ("/", "/?q=NAVO", "/brief/kst-28676-266", "/feed.atom?q=NAVO"):
        response = client.get(url)
        assert response.status_code == 503
        assert "kamerzoek index seeds/" in response.get_data(as_text=True)


def test_a_new_index_is_used_without_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED["003"], folder / SEED["003"].name)
    client = create_app({"INDEX": str(tmp_path / "ix")}).test_client()
    assert client.get("/").status_code == 503
    build([str(folder)], tmp_path / "ix", workers=1)
    assert results(page(client, "/?q=NAVO")) == ["kst-28676-266"]
    shutil.copy(SEED["004"], folder / SEED["004"].name)
    build([str(folder)], tmp_path / "ix", workers=1)
    assert sorted(results(page(client, "/?q=NAVO"))) == ["kst-28676-266", "kst-28676-418"]


SAMPLE_ARGS = {"letter_id": "kst-28676-266", "filename": "style.css"}


def test_every_route_answers_without_an_error(app: Flask, client: FlaskClient) -> None:
    for rule in app.url_map.iter_rules():
        url = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments})[1]
        with client.get(url, query_string={"q": "NAVO"}) as response:
            assert response.status_code in (200, 301), (rule.rule, response.status_code)
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/favicon.ico").headers["Location"] == "/static/favicon.svg"


# -- settings -------------------------------------------------------------------------------


def test_every_setting_is_documented() -> None:
    documented = (ROOT / "docs" / "settings.md").read_text("utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in documented, setting.name
        assert f"`KAMERZOEK_{setting.name}`" in documented, setting.name
        assert str(setting.default) in documented, setting.name


def test_settings_come_from_defaults_then_environment_then_the_factory(
    seed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAMERZOEK_PER_PAGE", "3")
    monkeypatch.setenv("KAMERZOEK_FEED_ENTRIES", "7")
    app = create_app({"INDEX": str(seed_index), "FEED_ENTRIES": 9})
    assert app.config["PER_PAGE"] == 3
    assert app.config["FEED_ENTRIES"] == 9
    assert app.config["MAX_PAGE"] == 1000


def test_a_setting_of_the_wrong_kind_is_refused_with_a_clear_message(seed_index: Path) -> None:
    with pytest.raises(SettingError, match="PER_PAGE must be a whole number"):
        create_app({"INDEX": str(seed_index), "PER_PAGE": "veel"})


def test_permalinks_use_the_public_url_when_it_is_set(seed_index: Path) -> None:
    client = create_app({"INDEX": str(seed_index), "PUBLIC_URL": "https://kamerzoek.example.nl/"}).test_client()
    soup = page(client, "/brief/kst-28676-266")
    assert soup.select_one(".letter-cite a.permalink")["href"] == (
        "https://kamerzoek.example.nl/brief/kst-28676-266")
    assert client.get("/api/brief/kst-28676-266").get_json()["url"].startswith("https://kamerzoek")


@pytest.mark.parametrize("value", ["kamerzoek.example.nl", "ftp://x", "https://x/pad", "https://"])
def test_a_public_url_that_is_not_a_scheme_and_host_is_refused(seed_index: Path, value: str) -> None:
    with pytest.raises(SettingError, match="PUBLIC_URL"):
        create_app({"INDEX": str(seed_index), "PUBLIC_URL": value})


def test_debug_mode_is_never_on(seed_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMERZOEK_DEBUG", "true")
    app = create_app({"INDEX": str(seed_index), "DEBUG": True})
    assert app.debug is False and app.config["DEBUG"] is False


def test_serve_uses_the_factory_with_the_index_folder(seed_index: Path) -> None:
    app = create_app({"INDEX": str(seed_index)})
    assert app.config["INDEX"] == str(seed_index)
    assert {"pages", "api", "exports"} <= set(app.blueprints)
