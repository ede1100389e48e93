"""Reading the search box: the query language, its lenient readings, and what it never does."""

from __future__ import annotations

import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from search.query import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TERMS,
    All,
    And,
    DateRange,
    Empty,
    FieldFilter,
    KamerstukRef,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Prefix,
    Word,
    parse,
    terms,
)

W, P = Word, Phrase


def depth(node: Node) -> int:
    if isinstance(node, And | Or):
        return 1 + max(depth(c) for c in node.children)
    if isinstance(node, Not):
        return 1 + depth(node.child)
    return 0


# -- the golden table: (query, read as, a note it makes or "" for none) ---------------------
# One row per rule. "Gelezen als" is query syntax, so a reader can copy it back.

GOLDEN = [
    # words, phrases, boolean operators
    ('"twee procent van het BBP"', '"twee procent van het BBP"', ""),
    ("NAVO Rusland", "NAVO EN Rusland", ""),
    ("NAVO EN Rusland", "NAVO EN Rusland", ""),
    ("NAVO AND Rusland", "NAVO EN Rusland", ""),
    ("NAVO OF Rusland", "NAVO OF Rusland", ""),
    ("NAVO NIET Rusland", "NAVO NIET Rusland", ""),
    ("navo -rusland", "navo NIET rusland", ""),
    ("+navo rusland", "navo EN rusland", ""),
    ("(Rusland OF Oekraïne) EN sancties", "(Rusland OF Oekraïne) EN sancties", ""),
    ("navo rusland OF oekraïne", "(navo EN rusland) OF oekraïne", ""),
    ('navo -"raad van europa"', 'navo NIET "raad van europa"', ""),
    ("navo -(rusland oekraïne)", "navo NIET (rusland EN oekraïne)", ""),
    ("„NAVO-top” «Vilnius»", '"NAVO-top" EN "Vilnius"', ""),
    ("navo en of", "navo EN en EN of", ""),  # lowercase en/of are words
    ("afschrik*", "afschrik*", ""),
    ("de het een", "de EN het EN een", ""),  # stopwords are the engine's business
    ("navo navo", "navo", ""),
    ("14:30", "14:30", ""),
    ("1,5 miljard.", "1,5 EN miljard", ""),
    ("'s-Gravenhage", "'s-Gravenhage", ""),
    ("https://www.rijksoverheid.nl/a?b=c", "https://www.rijksoverheid.nl/a?b=c", ""),
    ("info@minbuza.nl", "info@minbuza.nl", ""),
    ("navo, rusland; oekraïne!", "navo EN rusland EN oekraïne", ""),
    # a hyphen attached to a closing quote or parenthesis joins, it does not negate
    ('"fast lane"-experimenten', '"fast lane" EN experimenten', ""),
    ("“buy now, pay later”-constructies", '"buy now, pay later" EN constructies', ""),
    ("(NAVO OF EU)-landen", "(NAVO OF EU) EN landen", ""),
    ('navo -"fast lane"', 'navo NIET "fast lane"', ""),
    # a hyphen after a word and "en"/"of", or in a list that one closes, is a weglatingsstreepje
    ("wetgeving en -praktijk", "wetgeving EN en EN praktijk", "-praktijk gelezen als weglatingsstreepje"),
    ("nazisymbolen, -groeten of -leuzen", "nazisymbolen EN groeten EN of EN leuzen",
     "-groeten gelezen als weglatingsstreepje (gezocht: groeten); uitsluiten gaat met NIET groeten"),
    ("navo, -rusland", "navo NIET rusland", ""),
    ("navo EN -rusland", "navo NIET rusland", ""),
    ("en -rusland", "en NIET rusland", ""),
    # filters
    ("jaar:2017", "jaar:2017", ""),
    ("Jaar:2017 navo", "navo · jaar:2017", ""),
    ("jaar:2016..2018 type:motie", "jaar:2016..2018 · type:motie", ""),
    ("jaar:2016-2018", "jaar:2016..2018", ""),
    ("jaar:2017 jaar:2018", "jaar:2017..2018", ""),
    ("jaar:2017 OF jaar:2018", "jaar:2017..2018", ""),
    ("datum:2017-03", "datum:2017-03", ""),
    ("datum:2017-03-29", "datum:2017-03-29", ""),
    ("datum:29-03-2017", "datum:2017-03-29", ""),
    ("datum:2017-03..2017-06", "datum:2017-03..2017-06", ""),
    ("datum:>=2020-01-01", "van:2020-01-01", ""),
    ("datum:<2020", "tot:2019-12-31", ""),
    ("van:2017-01-01 tot:2018-12-31", "jaar:2017..2018", ""),
    ("year:2017 datum:2017-03", "datum:2017-03", ""),
    ("type:motie", "type:motie", ""),
    ("type:Motie OF type:brief", "type:motie · type:brief", ""),
    ("dossier:28676", "dossier:28676", ""),
    ('dossier:"28 676"', "dossier:28676", ""),
    ('dossier:"21 501-20"', "dossier:21501-20", ""),
    ("nr:266", "nr:266", ""),
    ("ondertekenaar:Ollongren", "ondertekenaar:Ollongren", ""),
    ('ondertekenaar:"K.H. Ollongren"', 'ondertekenaar:"K.H. Ollongren"', ""),
    ("signatory:Rutte", "ondertekenaar:Rutte", ""),
    ("Vragen: stikstof", "Vragen EN stikstof", ""),  # a colon after a word is punctuation
    # Kamerstuk references
    ("28 676, nr. 418", "verwijzing naar Kamerstuk 28 676, nr. 418", ""),
    ("28676, nr. 266", "verwijzing naar Kamerstuk 28 676, nr. 266", ""),
    ("28676-418", "verwijzing naar Kamerstuk 28 676, nr. 418", ""),
    ("28676 nr 418", "verwijzing naar Kamerstuk 28 676, nr. 418", ""),
    ("28676 nr. 418", "verwijzing naar Kamerstuk 28 676, nr. 418", ""),
    ("kst-28676-418", "verwijzing naar Kamerstuk 28 676, nr. 418", ""),
    ("Kamerstuk 28 676, nr. 418", "verwijzing naar Kamerstuk 28 676, nr. 418", ""),
    ("Kamerstukken II 2016/17, 28 676, nr. 266", "verwijzing naar Kamerstuk 28 676, nr. 266", ""),
    ("21 501-20, nr. 1234", "verwijzing naar Kamerstuk 21 501-20, nr. 1234", ""),
    ("kst-21501-20-1234", "verwijzing naar Kamerstuk 21 501-20, nr. 1234", ""),
    ("36 200 VII, nr. 5", "verwijzing naar Kamerstuk 36 200 VII, nr. 5", ""),
    ("28676 nr 418 stikstof", "stikstof · verwijzing naar Kamerstuk 28 676, nr. 418", ""),
    ('"28676-418"', '"28676-418"', ""),  # in quotes it is text
    # lenient readings, each said
    ("AND", "", "alleen een operator; niets gezocht"),
    ("OR", "", "alleen een operator; niets gezocht"),
    ("NIET", "", "alleen een operator; niets gezocht"),
    ("AND OR NOT", "", "alleen een operator; niets gezocht"),
    ('"', "", "aanhalingsteken niet gesloten; genegeerd"),
    ('""', "", 'leeg zinsdeel "" genegeerd'),
    (")", "", "haakje ) zonder ( genegeerd"),
    ("(", "", "ontbrekend haakje aangevuld"),
    (")(", "", "haakje ) zonder ( genegeerd"),
    ("()", "", "lege haakjes genegeerd"),
    ("((NAVO", "NAVO", "ontbrekend haakje aangevuld"),
    ("NAVO)", "NAVO", "haakje ) zonder ( genegeerd"),
    ('"Raad van Europa', '"Raad van Europa"', "niet gesloten; gelezen als zinsdeel"),
    ('NAVO "Rusland', "NAVO EN Rusland", "aanhalingsteken niet gesloten; genegeerd"),
    ("NAVO AND", "NAVO", "losse operator AND genegeerd"),
    ("AND NAVO", "NAVO", "losse operator AND genegeerd"),
    ("NAVO EN", "NAVO", "losse operator EN genegeerd"),
    ("NAVO AND OR Rusland", "NAVO OF Rusland", "losse operator AND genegeerd"),
    ("OR Rusland", "Rusland", "losse operator OR genegeerd"),
    ("NOT NOT NAVO", "NAVO", "dubbele ontkenning opgeheven"),
    ("navo NOT -rusland", "navo EN rusland", "dubbele ontkenning opgeheven"),
    ("-", "", "los minteken genegeerd"),
    ("NAVO - Rusland", "NAVO EN Rusland", "los minteken genegeerd"),
    ("--navo", "NIET navo", "dubbel minteken gelezen als één"),
    ("-rusland", "NIET rusland", "alleen uitsluitingen: toont alle documenten zonder rusland"),
    ("*", "", "jokerteken te kort (minstens 2 tekens vóór *): * genegeerd"),
    ("a*", "a", "jokerteken te kort (minstens 2 tekens vóór *): a* gelezen als a"),
    ("*navo", "navo", "jokerteken * alleen aan het eind van een woord"),
    ("kosten/baten", '"kosten baten"', 'kosten/baten gelezen als zinsdeel "kosten baten"'),
    ("foo:bar", "foo EN bar", "onbekend veld foo: gelezen als gewone woorden"),
    ("jaar:abc", "jaar EN abc", "ongeldige waarde voor jaar: abc gelezen als gewone woorden"),
    ("jaar:2017-13", "jaar EN 2017-13", "ongeldige waarde voor jaar"),
    ("jaar:", "jaar", "veld jaar: zonder waarde; gelezen als gewoon woord"),
    ("dossier:", "dossier", "veld dossier: zonder waarde; gelezen als gewoon woord"),
    (":", "", "geen zoektermen over; niets gezocht"),
    ("jaar:2018..2016", "jaar:2016..2018", "begin en eind van 2018..2016 omgedraaid"),
    ("jaar:2015 OF jaar:2018", "jaar:2015..2018", "losse periodes voor jaar samengevoegd tot één"),
    ("jaar:2015 datum:2018-03", "datum:2018-03-01..2015-12-31", "sluiten elkaar uit"),
    ("navo OF type:motie", "navo · type:motie", "filter type:motie stond binnen OF"),
    ("navo -type:motie", "navo", "uitsluiten op een veld kan niet; filter type:motie genegeerd"),
    ("28676-418 28676-419", "verwijzing naar Kamerstuk 28 676, nr. 418", "de eerste"),
    # hostile and odd input
    ("\x00\x1b[31m", "31m", "stuurtekens verwijderd"),
    ("{{7*7}}", "77", "jokerteken * alleen aan het eind van een woord"),
    ("' OR 1=1 --", '"1 1"', "losse operator OR genegeerd"),
    ("<script>alert(1)</script>", '"script alert" EN 1 EN script', "gelezen als zinsdeel"),
    ("🙂", "", "geen zoektermen over; niets gezocht"),
    ("NAVO 🇳🇱", "NAVO", ""),
    ("   ", "", ""),
    ("", "", ""),
]


@pytest.mark.parametrize("query, read_as, note", GOLDEN, ids=[repr(g[0])[:40] for g in GOLDEN])
def test_golden_table(query: str, read_as: str, note: str) -> None:
    parsed = parse(query)
    assert parsed.read_as() == read_as
    if note:
        assert any(note in n for n in parsed.notes), parsed.notes
    else:
        assert parsed.notes == ()
        assert not parsed.lenient


# -- the AST, for the rules where the tree matters -------------------------------------------

AST = [
    ("NAVO Rusland", And((W("NAVO"), W("Rusland")))),
    ("NAVO OF Rusland NIET Oekraïne", Or((W("NAVO"), And((W("Rusland"), Not(W("Oekraïne"))))))),
    ("(a OF b) (c OF d)", And((Or((W("a"), W("b"))), Or((W("c"), W("d")))))),
    ("a OF (b OF c)", Or((W("a"), W("b"), W("c")))),  # same kind flattened
    ("((navo))", W("navo")),  # one child collapsed
    ("afschrik*", Prefix("afschrik")),
    ('"twee procent"', P("twee procent")),
    ("-rusland", And((All(), Not(W("rusland"))))),
    ("-rusland -oekraïne", And((All(), Not(W("rusland")), Not(W("oekraïne"))))),
    ("jaar:2017", All()),
    ("AND", Empty()),
    ("28676-418", Empty()),
    ("NAVO AND OR Rusland", Or((W("NAVO"), W("Rusland")))),
]


@pytest.mark.parametrize("query, root", AST, ids=[a[0] for a in AST])
def test_query_is_read_into_the_expected_tree(query: str, root: Node) -> None:
    assert parse(query).root == root


# -- rules, one test each ---------------------------------------------------------------------


def test_words_keep_their_case_and_accents_for_the_analyzer() -> None:
    assert parse("NAVO Oekraïne").root == And((W("NAVO"), W("Oekraïne")))


def test_operators_count_only_in_uppercase() -> None:
    assert parse("NAVO of Rusland").root == And((W("NAVO"), W("of"), W("Rusland")))
    assert parse("NAVO Of Rusland").root == And((W("NAVO"), W("Of"), W("Rusland")))


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    root = parse("a NIET b c OF d").root
    assert root == Or((And((W("a"), Not(W("b")), W("c"))), W("d")))


def test_unclosed_quote_is_read_as_phrase_to_end() -> None:
    parsed = parse('navo "Raad van Europa')
    assert parsed.root == And((W("navo"), P("Raad van Europa")))
    assert "aanhalingsteken niet gesloten; gelezen als zinsdeel" in parsed.notes


def test_unclosed_quote_before_one_word_reads_the_word() -> None:
    assert parse('navo "rusland').root == And((W("navo"), W("rusland")))


def test_negation_only_query_matches_all_documents_without_the_excluded() -> None:
    parsed = parse("-rusland")
    assert parsed.root == And((All(), Not(W("rusland"))))
    assert parsed.notes == ("alleen uitsluitingen: toont alle documenten zonder rusland",)
    assert terms(parsed.root) == []


def test_lone_operator_searches_nothing_and_says_so() -> None:
    parsed = parse("NIET")
    assert parsed.root == Empty()
    assert parsed.notes == ("alleen een operator; niets gezocht",)


def test_filters_become_fields_not_words() -> None:
    parsed = parse("jaar:2016..2018 type:motie dossier:28676 nr:266 ondertekenaar:Ollongren")
    assert parsed.root == All()
    assert parsed.dates == DateRange("2016-01-01", "2018-12-31")
    assert parsed.filters == (
        FieldFilter("type", "motie"),
        FieldFilter("dossier", "28676"),
        FieldFilter("number", "266"),
        FieldFilter("signatory", "Ollongren"),
    )


def test_month_filter_runs_from_first_to_last_day() -> None:
    assert parse("datum:2016-02").dates == DateRange("2016-02-01", "2016-02-29")


def test_different_date_fields_narrow_each_other() -> None:
    assert parse("jaar:2017 van:2017-06-15").dates == DateRange("2017-06-15", "2017-12-31")


def test_repeated_filters_of_one_field_mean_any_of_them() -> None:
    parsed = parse("type:motie type:brief navo")
    assert parsed.filters == (FieldFilter("type", "motie"), FieldFilter("type", "brief"))
    assert parsed.root == W("navo")
    assert not parsed.notes


def test_filter_inside_parentheses_applies_to_the_whole_query() -> None:
    parsed = parse("(navo type:motie) rusland")
    assert parsed.filters == (FieldFilter("type", "motie"),)
    assert parsed.root == And((W("navo"), W("rusland")))
    assert not parsed.notes  # under AND, moving it out changes nothing


def test_filter_inside_or_is_moved_out_and_said() -> None:
    parsed = parse("navo OF type:motie")
    assert parsed.root == W("navo")
    assert parsed.filters == (FieldFilter("type", "motie"),)
    assert parsed.lenient


def test_negated_filter_is_dropped_rather_than_inverted() -> None:
    parsed = parse("navo NIET jaar:2017")
    assert parsed.dates is None
    assert parsed.root == W("navo")
    assert "uitsluiten op een veld kan niet; filter jaar:2017 genegeerd" in parsed.notes


def test_dossier_with_sub_dossier_keeps_its_suffix() -> None:
    assert parse("dossier:36200-vii").filters == (FieldFilter("dossier", "36200-VII"),)
    assert parse('dossier:"36 200 VII"').filters == (FieldFilter("dossier", "36200-VII"),)


@pytest.mark.parametrize(
    "query, dossier, number",
    [
        ("28 676, nr. 418", "28676", "418"),
        ("28676-418", "28676", "418"),
        ("28676 nr 418", "28676", "418"),
        ("28676 nr. 418", "28676", "418"),
        ("kst-28676-418", "28676", "418"),
        ("Kamerstuk 28 676, nr. 418", "28676", "418"),
        ("Kamerstukken II 2016/17, 28 676, nr. 266", "28676", "266"),
        ("21 501-20, nr. 1234", "21501-20", "1234"),
        ("kst-21501-20-1234", "21501-20", "1234"),
        ("Kamerstukken II 2022/23, 36 200 VII, nr. 5", "36200-VII", "5"),
        ("kst-36200-VII-5", "36200-VII", "5"),
    ],
)
def test_kamerstuk_reference_is_recognised(query: str, dossier: str, number: str) -> None:
    parsed = parse(query)
    assert parsed.reference == KamerstukRef(dossier, number)
    assert parsed.root == Empty()
    assert not parsed.notes


@pytest.mark.parametrize(
    "query", ["jaar:2016-2018", "2017-03-29", "dossier:21501-20", "1 234 nr 5", "x/28676-418"]
)
def test_numbers_that_are_not_kamerstuk_references_stay_what_they_are(query: str) -> None:
    assert parse(query).reference is None


def test_rest_of_query_beside_a_reference_is_searched() -> None:
    parsed = parse("stikstof Kamerstuk 28 676, nr. 418 jaar:2017")
    assert parsed.reference == KamerstukRef("28676", "418")
    assert parsed.root == W("stikstof")
    assert parsed.dates == DateRange("2017-01-01", "2017-12-31")


def test_terms_lists_positive_leaves_in_query_order_for_highlighting() -> None:
    root = parse('navo -rusland ("raad van europa" OF afschrik*) NIET (a OF b)').root
    assert terms(root) == [W("navo"), P("raad van europa"), Prefix("afschrik")]


# -- bounds -----------------------------------------------------------------------------------


def test_long_query_is_cut_at_a_word_and_said() -> None:
    query = "navo " * 2000  # 10,000 characters
    parsed = parse(query)
    assert len(parsed.text) <= MAX_LENGTH
    assert parsed.root == W("navo")
    assert "zoekvraag langer dan 500 tekens; ingekort" in parsed.notes


def test_query_of_200_words_keeps_the_first_50() -> None:
    parsed = parse(" ".join(f"w{i}" for i in range(200)))
    assert terms(parsed.root) == [W(f"w{i}") for i in range(MAX_TERMS)]
    assert "meer dan 50 zoektermen; alleen de eerste 50 gebruikt" in parsed.notes


def test_filters_after_the_50th_term_still_apply() -> None:
    parsed = parse(" ".join(f"w{i}" for i in range(60)) + " type:motie")
    assert parsed.filters == (FieldFilter("type", "motie"),)


def test_nesting_deeper_than_10_is_flattened_and_said() -> None:
    parsed = parse("(" * 30 + "a OF b" + ")" * 30 + " c")
    assert parsed.root == And((Or((W("a"), W("b"))), W("c")))
    assert "meer dan 10 niveaus haakjes; diepere haakjes genegeerd" in parsed.notes
    deep = parse("(a OF (b " * 40 + ")" * 80)
    assert depth(deep.root) <= 2 * MAX_DEPTH + 1


@pytest.mark.parametrize(
    "query",
    [
        "(" * 10_000,
        ")" * 10_000,
        '"' * 10_000,
        "NOT " * 2_500,
        "-" * 10_000,
        "a*" * 5_000,
        "28 676 " * 1_500,
        "1 111 " * 2_000,
        "jaar:" * 2_000,
        ("(a OF b " * 1_250),
    ],
    ids=["(", ")", '"', "NOT", "-", "a*", "dossiers", "digits", "fields", "ors"],
)
def test_hostile_long_input_is_parsed_quickly(query: str) -> None:
    start = time.perf_counter()
    parsed = parse(query)
    assert time.perf_counter() - start < 0.5
    assert len(parsed.text) <= MAX_LENGTH


# -- properties -------------------------------------------------------------------------------

PIECES = [
    '"', "“", "”", "„", "«", "»", "(", ")", "-", "+", "*", ":", " ", "  ", "/", ".", ",", "..",
    "AND", "OR", "NOT", "EN", "OF", "NIET", "en", "of", "navo", "Rusland", "a", "zo'n",
    "jaar", "2017", "2016..2018", "datum", "type", "motie", "dossier", "28 676", "nr", "nr.",
    "418", "kst-28676-418", "van", "tot", "ondertekenaar", "foo", "\x00", "é", "14:30",
]  # fmt: skip
query_like = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=500)
@given(st.text())
def test_parse_never_raises_on_any_text(text: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, ParsedQuery)
    assert isinstance(parsed.read_as(), str)


@settings(max_examples=1000)
@given(query_like)
def test_parse_never_raises_on_query_syntax_soup(text: str) -> None:
    parsed = parse(text)
    parsed.read_as()
    assert len(terms(parsed.root)) <= MAX_TERMS
    assert all(isinstance(n, str) and n for n in parsed.notes)


@settings(max_examples=1000)
@given(st.one_of(query_like, st.text(max_size=60)))
def test_reading_back_what_was_read_gives_the_same_query(text: str) -> None:
    parsed = parse(text)
    assume(not parsed.notes)
    read = parsed.read_as()
    assume(len(read) <= MAX_LENGTH)  # " EN " is longer than " ": a full box can overflow
    again = parse(read)
    assert again.notes == ()
    assert (again.root, again.filters, again.dates, again.reference) == (
        parsed.root, parsed.filters, parsed.dates, parsed.reference,
    )  # fmt: skip
