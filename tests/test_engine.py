"""Searching the seed index as a user would: phrases, Dutch forms, suggestions, references, citations."""

from __future__ import annotations

import re

import pytest

from search.engine import Engine
from search.results import SearchRequest


def search(engine: Engine, q: str, **options: object):
    return engine.search(SearchRequest(q=q, **options))  # type: ignore[arg-type]


def ids(result) -> list[str]:
    return [r.id for r in result.results]


def test_phrase_finds_the_letter_across_a_page_break_and_a_footnote(engine: Engine) -> None:
    result = search(engine, '"twee procent van het BBP"')
    assert result.total == 1
    assert result.results[0].source.endswith("002_c499737f92fb39c0.txt")
    assert "<mark>twee procent van het BBP</mark>" in result.results[0].passages[0].highlight


def test_folded_query_finds_diacritics(engine: Engine) -> None:
    result = search(engine, "Oekraine")
    assert result.total == 5
    assert "<mark>Oekraïne</mark>" in result.results[0].passages[0].highlight


def test_hyphen_split_word_is_found_whole(engine: Engine) -> None:
    result = search(engine, "aanwezigheid", limit=10)
    letter = next(r for r in result.results if r.source.endswith("000_d8f6cabdd175af6c.txt"))
    texts = [p.text for p in search(engine, '"vooruitgeschoven aanwezigheid"', passages=10).results[0].passages]
    assert any("waaronder ook de vooruitgeschoven aanwezigheid" in t for t in texts)
    assert letter.hits >= 3


@pytest.mark.parametrize("q", ["verdragsgebied", "NAVO-verdragsgebied", "NAVO verdragsgebied",
                               '"NAVO verdragsgebied"', "navoverdragsgebied"])
def test_compound_is_found_by_its_part_its_whole_and_its_open_form(engine: Engine, q: str) -> None:
    result = search(engine, q, passages=10)
    texts = [p.text for r in result.results for p in r.passages]
    assert any("NAVO-verdragsgebied" in t for t in texts)


def test_misspelling_gets_a_suggestion(engine: Engine) -> None:
    result = search(engine, "Litouwn")
    assert result.total == 0
    assert result.suggestion == "Litouwen"


@pytest.mark.parametrize("q", ["28 676, nr. 418", "28676-418", "kst-28676-418", "Kamerstuk 28 676, nr. 418"])
def test_kamerstuk_reference_puts_that_document_first(engine: Engine, q: str) -> None:
    result = search(engine, q)
    assert result.results[0].id == "kst-28676-418"
    assert result.results[0].source.endswith("004_167e56d14b466090.txt")
    assert result.results[0].passages  # its opening is shown even without a text match


def test_reference_also_finds_letters_that_cite_it(engine: Engine) -> None:
    result = search(engine, "28 676, nr. 252")
    assert len(result.results) == 2  # 002 and 003 both cite it; 252 itself is not indexed


def test_passages_of_003_cite_with_their_page(engine: Engine) -> None:
    result = search(engine, "Rusland dossier:28676 nr:266", passages=20)
    letter = result.results[0]
    assert letter.citation == "Kamerstukken II 2016/17, 28 676, nr. 266"
    assert letter.passages
    for passage in letter.passages:
        assert re.fullmatch(r"Kamerstukken II 2016/17, 28 676, nr\. 266, p\. [1-4](-[2-4])?", passage.citation)
    rusland = next(p for p in letter.passages if p.text.startswith("De NAVO-ministers zullen tijdens de werklunch"))
    assert rusland.citation == "Kamerstukken II 2016/17, 28 676, nr. 266, p. 3"


def test_letter_without_number_cites_what_it_does_say(engine: Engine) -> None:
    result = search(engine, '"European Deterrence Initiative"')
    letter = result.results[0]
    assert letter.citation == ("Brief van de Minister van Buitenlandse Zaken en de Minister van Defensie, "
                               "26 april 2018")
    assert letter.passages[0].citation.endswith("26 april 2018, p. 2, noot 1")


def test_all_words_must_match_and_fall_back_to_any_word(engine: Engine) -> None:
    both = search(engine, "Rukla Tillerson")
    assert both.any_word
    assert both.total == 3  # Rukla in 000 and 001, Tillerson in 003
    assert "geen document bevat alle woorden" in both.read_as
    one = search(engine, "Rukla Litouwen")
    assert not one.any_word and one.total == 2


def test_totals_are_honest_and_pages_split_them(engine: Engine) -> None:
    first = search(engine, "NAVO", limit=2)
    assert first.total == 5 and first.pages == 3
    seen = [i for page in (1, 2, 3) for i in ids(search(engine, "NAVO", limit=2, page=page))]
    assert sorted(seen) == sorted(ids(search(engine, "NAVO", limit=10)))


def test_sort_newest_and_oldest(engine: Engine) -> None:
    newest = search(engine, "NAVO", sort="newest")
    dates = [r.date for r in newest.results if r.date]
    assert dates == sorted(dates, reverse=True)
    assert newest.results[-1].date is None  # undated letters come last
    oldest = search(engine, "NAVO", sort="oldest")
    assert [r.date for r in oldest.results if r.date] == sorted(dates)


def test_facets_count_letters(engine: Engine) -> None:
    result = search(engine, "NAVO")
    assert result.facets["year"] == {"2022": 1, "2018": 1, "2017": 1}
    assert result.facets["type"] == {"brief": 5}
    assert result.facets["dossier"] == {"28 676": 2}
    assert result.facets["signatory"]["K.H. Ollongren"] == 2


@pytest.mark.parametrize("q, expected", [
    ("NAVO jaar:2017", 1), ("NAVO type:motie", 0), ("NAVO ondertekenaar:Ollongren", 2),
    ('NAVO ondertekenaar:"K.H. Ollongren"', 2), ("NAVO dossier:28676", 2), ('NAVO dossier:"28 676"', 2),
    ("NAVO jaar:2016..2018", 2),
])
def test_field_filters(engine: Engine, q: str, expected: int) -> None:
    assert search(engine, q).total == expected


def test_request_filters_match_query_filters(engine: Engine) -> None:
    assert ids(search(engine, "NAVO", year="2017")) == ids(search(engine, "NAVO jaar:2017"))
    assert ids(search(engine, "NAVO", dossier="28 676")) == ids(search(engine, "NAVO dossier:28676"))


def test_boolean_operators_dutch_and_english(engine: Engine) -> None:
    assert search(engine, "Tillerson OF Rukla").total == 3
    assert search(engine, "Tillerson OR Rukla").total == 3
    assert search(engine, "NAVO NIET Rusland").total == search(engine, "NAVO -Rusland").total
    assert search(engine, "NAVO EN Tillerson").total == 1


def test_prefix_search(engine: Engine) -> None:
    result = search(engine, "afschrik*", explain=True)
    assert result.total >= 4
    forms = {f for r in result.results for f in (r.matched or {}).get("afschrik*", [])}
    assert {"afschrikking", "afschrikkende"} <= {f.lower() for f in forms}


def test_a_prefix_finds_the_other_forms_of_its_words_and_highlights_them(engine: Engine) -> None:
    """A prefix searches the stems of the words it starts: "initiatieve*" starts "initiatieven"
    (seed 001), whose stem also finds "initiatief" (seed 003); both are marked as its hits."""
    result = search(engine, "initiatieve*", explain=True)
    matched = {r.source.split("/")[-1][:3]: (r.matched or {}).get("initiatieve*") for r in result.results}
    assert matched == {"001": ["initiatieven"], "003": ["initiatief"]}
    marked = {m for r in result.results for p in r.passages for m in re.findall(r"<mark>(.*?)</mark>", p.highlight)}
    assert marked == {"initiatieven", "initiatief"}


@pytest.mark.parametrize("q", ["AND", '"', '""', ")", "(", ")(", "((NAVO", "NAVO)", '"Raad van Europa',
                               "NAVO AND", "de het een", "14:30", "kosten/baten", "28676, nr. 266",
                               "-", "*", "a*", "foo:bar", "jaar:abc", "\x00\x1b[31m", "{{7*7}}",
                               "' OR 1=1 --", "<script>alert(1)</script>", "x" * 5000])
def test_malformed_queries_never_raise_and_output_is_escaped(engine: Engine, q: str) -> None:
    result = search(engine, q)
    for letter in result.results:
        for passage in letter.passages:
            assert "<script" not in passage.highlight
            assert re.sub(r"</?mark>", "", passage.highlight).count("<") == 0


def test_stopwords_do_not_break_a_phrase(engine: Engine) -> None:
    result = search(engine, '"Raad van Europa"')
    assert result.total == 1
    assert "<mark>Raad van Europa</mark>" in result.results[0].passages[0].highlight


def test_same_query_gives_the_same_ranking(engine: Engine) -> None:
    first = search(engine, "Rusland Oekraïne")
    again = search(engine, "Rusland Oekraïne")
    assert [(r.id, r.score, [p.id for p in r.passages]) for r in first.results] == [
        (r.id, r.score, [p.id for p in r.passages]) for r in again.results]


def test_letter_view_has_all_passages_in_order(engine: Engine) -> None:
    letter = engine.letter("kst-28676-266")
    assert letter is not None
    assert [p["n"] for p in letter["passages"]] == list(range(1, len(letter["passages"]) + 1))
    assert engine.letter("../../etc/passwd") is None


def test_all_words_hold_per_letter_not_per_passage(engine: Engine) -> None:
    # 004 has "afschrikking" and "Rusland" only in different paragraphs: it is still a letter with both
    result = search(engine, "afschrikking Rusland")
    assert "kst-28676-418" in ids(result)
    assert not result.any_word


def test_passages_holding_all_words_rank_first(engine: Engine) -> None:
    letter = next(r for r in search(engine, "afschrikking Rusland", passages=3).results if r.id == "kst-28676-418")
    best = letter.passages[0].text.lower()
    assert "afschrikking" in best or "rusland" in best
    top = search(engine, "afschrikking Rusland").results[0].passages[0].text.lower()
    assert "afschrikking" in top and "rusland" in top


def test_not_excludes_letters_that_mention_the_word_anywhere(engine: Engine) -> None:
    without = search(engine, "NAVO NIET Rusland")
    assert without.total == 0  # every seed letter mentions Rusland somewhere
    assert search(engine, "NAVO NIET Tillerson").total == 4


def test_words_close_together_rank_above_scattered_words(tmp_path) -> None:
    from index.build import build

    filler = " ".join(["Het kabinet schrijft de Kamer over de stand van zaken in het land."] * 6)
    # equal words and lengths; on a tie the id "a-ver" would come first
    far = f"## Brief\n\nDe afschrikking blijft. {filler} Dat geldt voor Rusland.\n"
    (tmp_path / "a-ver.md").write_text(far, "utf-8")
    (tmp_path / "z-dicht.md").write_text(f"## Brief\n\n{filler} De afschrikking van Rusland blijft.\n", "utf-8")
    build([str(tmp_path)], tmp_path / "ix", workers=1)
    result = Engine(tmp_path / "ix").search(SearchRequest(q="afschrikking Rusland"))
    assert [r.source.rsplit("/", 1)[-1] for r in result.results] == ["z-dicht.md", "a-ver.md"]


def test_one_engine_answers_many_threads_at_once(seed_index) -> None:
    """waitress serves requests on 8 threads with one Engine; a shared Whoosh searcher garbled reads."""
    import threading

    shared = Engine(seed_index)
    queries = ['"twee procent van het BBP"', "Rusland Oekraïne", "afschrik*", "NAVO jaar:2017", "verdediging",
               "Litouwn", "28 676, nr. 418", "NAVO NIET Tillerson"]
    expected = {q: [(r.id, [p.id for p in r.passages]) for r in shared.search(SearchRequest(q=q)).results]
                for q in queries}
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for i in range(40):
                q = queries[(offset + i) % len(queries)]
                got = [(r.id, [p.id for p in r.passages]) for r in shared.search(SearchRequest(q=q)).results]
                assert got == expected[q], q
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shared.close()
    assert errors == []


def test_a_page_is_bounded_unless_the_caller_raises_the_bound(engine: Engine) -> None:
    from search.engine import MAX_LIMIT

    assert search(engine, "NAVO", limit=MAX_LIMIT * 5).limit == MAX_LIMIT
    wide = engine.search(SearchRequest(q="NAVO", limit=MAX_LIMIT * 5), max_limit=MAX_LIMIT * 5)
    assert wide.limit == MAX_LIMIT * 5 and len(wide.results) == 5


def test_no_passages_asked_means_none_shown_even_for_a_pinned_reference(engine: Engine) -> None:
    result = search(engine, "28 676, nr. 418", passages=0)
    assert result.results[0].id == "kst-28676-418"
    assert [r.passages for r in result.results] == [[] for _ in result.results]


def test_warming_builds_the_per_index_tables_before_the_first_search(seed_index) -> None:  # type: ignore[no-untyped-def]
    engine = Engine(seed_index)
    assert (engine._letters, engine._sets, engine._acronyms, engine._vocabulary) == (None, None, None, None)
    assert search(engine, "Ruslnad").suggestion == "Rusland"  # from the term table: no word list kept
    assert engine._vocabulary is None
    engine.warm()
    assert engine._letters and engine._sets and engine._acronyms is not None and engine._vocabulary
    assert search(engine, "NAVO").total == 5
    assert search(engine, "Ruslnad").suggestion == "Rusland"  # from the word list
    engine.close()


def test_a_title_that_names_the_words_outranks_a_passing_mention_among_long_letters(tmp_path) -> None:
    """A title sits on one record in ~30 here: it must still count as a title (search.engine.Weighting),
    and a title holding every word gets the title bonus (search.translate.TITLE_ALL)."""
    from index.build import build

    def letter(name: str, title: str, paragraphs: list[str]) -> None:
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        (tmp_path / name).write_text(f"<html><head><title>{title}</title></head><body>{body}</body></html>",
                                     "utf-8")

    letter("a-vermeld.html", "Brief over de landbouw", [
        "Het kabinet schrijft de Kamer over de landbouw.", "De stikstofruimte voor boeren is schaars.",
        "Het kabinet komt later terug op de uitvoering."])
    letter("z-titel.html", "Motie over stikstofruimte voor boeren", [
        "De Kamer, gehoord de beraadslaging, constaterende dat de provincies op een besluit wachten;",
        "verzoekt de regering de stikstofruimte eerlijk te verdelen, en gaat over tot de orde van de dag."])
    for i in range(20):  # long letters about something else, each with a title of the same length
        letter(f"m-{i:02d}.html", f"Brief over de begroting {i}",
               [f"Alinea {j} van brief {i} over het onderwijs en de zorg in het land." for j in range(30)])
    build([str(tmp_path)], tmp_path / "ix", workers=1)
    result = Engine(tmp_path / "ix").search(SearchRequest(q="stikstofruimte boeren", passages=3))
    assert [r.source.rsplit("/", 1)[-1] for r in result.results] == ["z-titel.html", "a-vermeld.html"]
    # the title lifts the letter, not the passage that carries it: its own words are shown first
    assert [p.n for p in result.results[0].passages] == [2, 1]
    assert "stikstofruimte" in result.results[0].passages[0].text


def test_a_title_that_holds_the_query_word_for_word_comes_first(tmp_path) -> None:
    """'tegen' is a stopword: without the title phrase both letters hold the same words, and the
    shorter title would win."""
    from index.build import build

    for name, title, stance in [("a-voor.html", "Motie over zich nadrukkelijk uitspreken voor diepzeemijnbouw", "voor"),
                                ("z-tegen.html", "Gewijzigde motie over zich nadrukkelijk uitspreken tegen "
                                                 "diepzeemijnbouw (t.v.v. 32849-280)", "tegen")]:
        body = (f"<p>De Kamer, gehoord de beraadslaging, overwegende dat diepzeemijnbouw de zeebodem raakt;</p>"
                f"<p>verzoekt de regering zich nadrukkelijk uit te spreken {stance} diepzeemijnbouw,</p>")
        (tmp_path / name).write_text(f"<html><head><title>{title}</title></head><body>{body}</body></html>",
                                     "utf-8")
    build([str(tmp_path)], tmp_path / "ix", workers=1)
    result = Engine(tmp_path / "ix").search(SearchRequest(q="zich nadrukkelijk uitspreken tegen diepzeemijnbouw"))
    assert [r.source.rsplit("/", 1)[-1] for r in result.results] == ["z-tegen.html", "a-voor.html"]


def test_singular_finds_the_plural_with_a_doubled_consonant(engine: Engine) -> None:
    """Snowball left cyberaanvallen as cyberaanvall: the judged query 'cyberaanval' found nothing."""
    plural = {r.id for r in engine.search(SearchRequest(q="cyberaanvallen")).results}
    assert plural and plural <= {r.id for r in engine.search(SearchRequest(q="cyberaanval")).results}
