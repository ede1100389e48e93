"""The site in headless Chromium against a real `kamerzoek serve`: search, read, cite, filter, phone width."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.helper import screenshot, screenshot_folder

PHRASE = '"twee procent van het BBP"'


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def result_ids(page: Any) -> list[str]:
    return [href.rsplit("/", 1)[-1].split("?")[0]
            for href in page.locator(".result-title a").evaluate_all("as => as.map(a => a.href)")]


def test_search_then_open_the_passage_then_copy_its_citation(page: Any) -> None:
    page.goto("/")
    page.get_by_label("Zoek in Kamerbrieven en Kamerstukken").fill(PHRASE)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q="))
    assert params(page.url)["q"] == [PHRASE]
    assert page.locator("h1.total").inner_text().startswith("1 document")
    first = page.locator(".passage-hit").first
    assert first.locator("mark").count() >= 1

    first.locator(".where a").click()
    page.wait_for_url(re.compile(r"/brief/[^?]+\?q=.+#p\d+$"))
    anchor = urlsplit(page.url).fragment
    passage = page.locator(f"#{anchor}")
    assert passage.evaluate("el => el.matches(':target')")
    box = passage.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the browser scrolled to the passage"
    assert passage.locator("mark").count() >= 1, "the query words are highlighted in the letter"

    button = passage.get_by_role("button", name="Citeer")
    button.click()
    expected = button.get_attribute("data-copy")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == expected
    citation = passage.locator(".citation").inner_text()
    assert copied.startswith("“") and f"({citation})" in copied
    assert copied.endswith(f"/brief/{urlsplit(page.url).path.rsplit('/', 1)[-1]}#{anchor}")
    assert "26 april 2018, p. 2" in citation
    assert "Gekopieerd" in passage.locator(".cite-status").inner_text()


def test_facets_and_sort_change_the_url_and_the_results(page: Any) -> None:
    page.goto("/?q=NAVO")
    assert len(result_ids(page)) == 5
    page.locator(".facet a", has_text="2017").click()
    page.wait_for_url(re.compile(r"jaar=2017"))
    assert result_ids(page) == ["kst-28676-266"]
    page.locator(".chips a.chip").click()
    page.wait_for_url(lambda url: "jaar" not in url)
    assert len(result_ids(page)) == 5

    page.get_by_role("link", name="Nieuwste eerst").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    assert result_ids(page)[0] == "kst-28676-418"
    page.locator(".facet a", has_text="28 676").click()
    page.wait_for_url(re.compile(r"dossier="))
    assert params(page.url) == {"q": ["NAVO"], "dossier": ["28 676"], "sort": ["newest"]}
    assert result_ids(page) == ["kst-28676-418", "kst-28676-266"]


def test_a_new_search_keeps_the_filters_shown_as_chips(page: Any) -> None:
    page.goto("/?q=NAVO&jaar=2018")
    page.get_by_label("Zoek in Kamerbrieven en Kamerstukken").fill("Litouwen")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r"q=Litouwen"))
    assert params(page.url)["jaar"] == ["2018"]
    assert "Jaar: 2018" in page.locator(".chips").inner_text()


def test_hit_buttons_step_through_every_highlighted_word(page: Any) -> None:
    page.goto("/brief/kst-28676-418?q=NAVO")
    label = page.locator("[data-hit-label]")
    total = page.locator(".letter-body mark, .footnotes mark").count()
    assert total > 3
    page.get_by_role("button", name="Volgende").click()
    assert label.inner_text() == f"Woord 1 van {total}"
    page.get_by_role("button", name="Volgende").click()
    assert label.inner_text() == f"Woord 2 van {total}"
    assert page.locator("mark.current").count() == 1
    page.get_by_role("button", name="Vorige").click()
    assert label.inner_text() == f"Woord 1 van {total}"
    page.get_by_role("button", name="Vorige").click()
    assert label.inner_text() == f"Woord {total} van {total}"


def test_footnote_links_go_both_ways(page: Any) -> None:
    page.goto("/brief/001-81aa598f4595d479")
    page.locator('sup.noot a[href="#noot-2"]').click()
    page.wait_for_url(re.compile("#noot-2$"))
    page.locator("#noot-2 a.back-ref").click()
    page.wait_for_url(re.compile("#ref-2$"))


def test_keyboard_users_get_a_skip_link_and_a_visible_focus(page: Any) -> None:
    page.goto("/?q=NAVO")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["y"] >= 0, "the skip link shows when it has focus"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("#inhoud$"))


def test_without_javascript_the_citation_is_text_and_the_button_is_hidden(browser: Any,
                                                                        server: Any) -> None:
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/brief/kst-28676-266")
        first = page.locator(".letter-body .passage").first
        assert first.locator(".citation").is_visible()
        assert first.locator("a.permalink").inner_text().endswith("/brief/kst-28676-266#p1")
        assert not first.get_by_role("button", name="Citeer").is_visible()
    finally:
        context.close()


CONTRAST = """(selectors) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => { for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor); if (c.length === 3 || c[3] > 0) return c; }
    return [255, 255, 255]; };
  const out = [];
  for (const selector of selectors) for (const el of document.querySelectorAll(selector)) {
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    out.push([selector, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
  }
  return out;
}"""
TEXT = ["body", "a", ".muted", ".count", ".form-hint", "mark", "button", ".citation", ".permalink",
        ".facts li", ".where a", "kbd", ".hitnav", ".page-marker", ".letter-facts dt", ".kicker",
        ".site-footer p", ".chip", ".read-as li"]


@pytest.mark.parametrize("url", ["/", "/?q=((NAVO&jaar=2017", "/brief/001-81aa598f4595d479?q=NAVO"])
def test_text_has_a_contrast_of_at_least_4_5_to_1(page: Any, url: str) -> None:
    page.goto(url)
    ratios = page.evaluate(CONTRAST, TEXT)
    assert ratios and all(ratio >= 1 for _, ratio in ratios), ratios  # NaN would pass silently
    low = sorted({(selector, round(ratio, 2)) for selector, ratio in ratios if ratio < 4.5})
    assert low == [], low


@pytest.mark.parametrize("url", ["/", "/?q=NAVO", "/?q=" + "verdedigingsinspanningenoverzicht" * 8,
                                 "/brief/001-81aa598f4595d479?q=NAVO", "/brief/kst-28676-418",
                                 "/bestaat-niet"])
def test_phone_width_has_no_sideways_scrolling(page: Any, url: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{url}: {widths}"
    page.console_errors[:] = [e for e in page.console_errors if "404" not in e]


def test_screenshots_of_the_search_and_letter_pages(page: Any,
                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = screenshot_folder(tmp_path_factory.mktemp("screenshots"))
    page.goto("/?q=" + PHRASE.replace('"', "%22").replace(" ", "+") + "+OF+oostflank")
    search = screenshot(page, "search", folder)
    page.goto("/brief/kst-28676-266?q=NAVO")
    letter = screenshot(page, "letter", folder)
    for path in (search, letter):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert Path(search).stat().st_size > 10_000


def test_a_missing_browser_fails_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.browser import helper

    monkeypatch.setattr(helper, "CHROMIUM", Path("/nonexistent/chromium"))
    with pytest.raises(AssertionError, match="apt-get install chromium"):
        helper.launch(object())
