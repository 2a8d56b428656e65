from dashboard.citations import Citation, escape_markdown, full_citation, short_citation, to_bibtex, to_csl_json
from dashboard.schema import CslEntry

PAYLOAD = '<img src=x onerror="alert(1)">*bold* [link](javascript:alert(1))'


def entry(**overrides) -> CslEntry:
    data = {
        "id": "samay2019",
        "type": "webpage",
        "title": "The CIS members",
        "author": [{"family": "Samay", "given": "M. Ali"}],
        "container-title": "bhkka.hu",
        "issued": {"date-parts": [[2019, 9, 30]]},
        "URL": "https://bhkka.hu/en/x/",
        "accessed": {"date-parts": [[2026, 11, 23]]},
    }
    data.update(overrides)
    return CslEntry.model_validate(data)


def test_short_and_full_citations():
    assert short_citation(entry(), "para. 6") == "Samay 2019, para. 6"
    text = full_citation(entry(), "para. 6")
    assert text.startswith("Samay, M. Ali. 2019-09-30. “The CIS members”. bhkka.hu. para. 6.")
    assert "https://bhkka.hu/en/x/ (accessed 2026-11-23)" in text


def test_html_form_escapes_data_and_links_only_http():
    html_text = full_citation(entry(title=PAYLOAD), "p. <b>1</b>", "html")
    assert "<img" not in html_text and "&lt;img" in html_text
    assert "&lt;b&gt;1&lt;/b&gt;" in html_text
    assert '<a href="https://bhkka.hu/en/x/"' in html_text


def test_markdown_form_neutralises_markup():
    text = escape_markdown(PAYLOAD)
    assert "<img" not in text
    assert "\\*bold\\*" in text and "\\[link\\]" in text


def test_missing_entry_is_visible_not_hidden():
    citation = Citation("gone", "p. 1", "claim", None)
    assert citation.short == "[missing source gone]"


def test_exports_of_the_bibliography():
    csl = to_csl_json([entry()])
    assert csl[0]["container-title"] == "bhkka.hu" and csl[0]["issued"] == {"date-parts": [[2019, 9, 30]]}
    bibtex = to_bibtex([entry(title="Tom & Jerry_{x}")])
    assert bibtex.startswith("@misc{samay2019,")
    assert "Tom \\& Jerry\\_\\{x\\}" in bibtex
    assert "author = {Samay, M. Ali}" in bibtex
