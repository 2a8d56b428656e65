import pytest
from pydantic import ValidationError

from dashboard.schema import CslEntry, Membership, PartialDate


@pytest.mark.parametrize("text", ["1992", "1992-05", "1992-05-15"])
def test_partial_dates_parse_at_each_precision(text):
    assert str(PartialDate.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    # ... and no day the calendar lacks, no digits of other scripts, no trailing newline
    ["92", "1992-13", "1992-05-32", "15 May 1992", "1992/05/15", "", "1993-02-29", "1992-04-31", "١٩٩٢", "1992\n"],
)
def test_malformed_dates_are_refused(text):
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_a_year_only_end_counts_as_the_whole_year():
    membership = Membership(
        org="CSTO",
        status="member",
        start="1999-04",
        end="1999",
        start_basis="in force",
        sources=[{"id": "samay2019", "locator": "para. 2", "claim": "x"}],
    )
    assert membership.end == "1999"


def test_start_after_end_is_refused():
    with pytest.raises(ValidationError, match="after end"):
        Membership(
            org="CSTO",
            status="member",
            start="2001",
            end="1999",
            start_basis="in force",
            sources=[{"id": "samay2019", "locator": "para. 2", "claim": "x"}],
        )


def test_unknown_organization_and_status_are_refused():
    with pytest.raises(ValidationError) as error:
        Membership(
            org="WARSAW",
            status="ally",
            start="1992",
            start_basis="in force",
            sources=[{"id": "samay2019", "locator": "p", "claim": "x"}],
        )
    fields = {e["loc"][0] for e in error.value.errors()}
    assert fields == {"org", "status"}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,<b>x</b>", "http://a b"])
def test_only_http_urls_are_accepted(url):
    with pytest.raises(ValidationError, match="http"):
        CslEntry.model_validate({"id": "x", "type": "report", "title": "t", "URL": url})


def test_web_pages_need_an_accessed_date():
    with pytest.raises(ValidationError, match="accessed"):
        CslEntry.model_validate({"id": "x", "type": "webpage", "title": "t", "URL": "https://example.org/"})
