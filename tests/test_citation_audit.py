"""The citation audit is a record the data keeps agreeing with: every audited citation has a
verdict and what was read; a claim found to say more than its page no longer says it, and
the source it was about is still cited on that feature."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from conftest import ROOT, SEED_IDS

from dashboard.sources import kind_of

AUDIT = ROOT / "sources" / "citation-audit"
SLICES = sorted(path.stem for path in AUDIT.glob("slice-*.json"))
VERDICTS = {"accurate", "inaccurate", "could not read"}


# Checked elsewhere, not by reading a claim against its page: the seeds were read in full;
# GeoNames records and Global Energy Monitor's route files are data the tests read themselves
# (test_places, test_gem); encyclopedias are cited only beside other sources, and the sources
# report counts them; Natural Earth is the basemap this project simplified.
CHECKED_ELSEWHERE_HOSTS = ("geonames.org", "globalenergymonitor.org", "naturalearthdata.com")


def in_scope(entry) -> bool:
    host = urlparse(entry.URL or "").hostname or ""
    if entry.id in SEED_IDS or kind_of(entry) == "encyclopedia":
        return False
    return not (entry.id.startswith("gem-") or host.endswith(CHECKED_ELSEWHERE_HOSTS))


def rows(name: str) -> list[dict]:
    return json.loads((AUDIT / f"{name}.json").read_text(encoding="utf-8"))["rows"]


def claims_now(catalog, feature_id: str, entry_id: str) -> list[str]:
    item = catalog.get(feature_id) or next(place for place in catalog.places if place.id == feature_id)
    return [ref.claim for _, ref in item.source_refs() if ref.id == entry_id]


def test_the_record_holds_every_slice_and_the_readme_counts_them():
    assert len(SLICES) >= 2
    every = [row for name in SLICES for row in rows(name)]
    readme = (AUDIT / "README.md").read_text(encoding="utf-8")
    counts = {verdict: sum(row["verdict"] == verdict for row in every) for verdict in sorted(VERDICTS)}
    total = f"| **total** | **{len(every)}** | **{counts['accurate']}** | **{counts['inaccurate']}** | **{counts['could not read']}** |"
    assert total in readme, f"README total row should read: {total}"


@pytest.mark.parametrize("name", SLICES)
def test_every_row_has_a_verdict_what_was_read_and_what_was_done(name):
    for row in rows(name):
        assert row["verdict"] in VERDICTS, row["entry_id"]
        assert row["resolution"], row["entry_id"]
        if row["verdict"] != "could not read":
            assert row["page_read"].startswith(("http://", "https://")) and row["evidence"], row["entry_id"]
        if row["verdict"] == "inaccurate":
            assert row["wrong"] and row["corrected_claim"], row["entry_id"]


@pytest.mark.parametrize("name", SLICES)
def test_a_claim_found_to_overstate_its_page_is_rewritten_and_its_source_kept(catalog, name):
    for row in rows(name):
        now = claims_now(catalog, row["feature_id"], row["entry_id"])
        assert now, f"{row['feature_id']} no longer cites {row['entry_id']}"
        if row["verdict"] == "inaccurate":
            assert row["claim_audited"] not in now, f"{row['feature_id']} {row['entry_id']}: still the audited claim"


def test_every_claim_in_scope_has_been_read_against_its_page_or_is_listed_as_pending(catalog):
    """A claim added or moved after the audit cannot go unread unnoticed: it is audited, its
    page was recorded as unreadable, or pending.json names it for the next audit."""
    every = [row for name in SLICES for row in rows(name)]
    audited = {(row["feature_id"], row["entry_id"]) for row in every}
    unreadable = {row["entry_id"] for row in every if row["verdict"] == "could not read"}
    pending = {(row["feature_id"], row["entry_id"]) for row in json.loads((AUDIT / "pending.json").read_text())}
    unread = {
        (item.id, ref.id)
        for item in [*catalog.features, *catalog.places]
        for _, ref in item.source_refs()
        if ref.id in catalog.bibliography and in_scope(catalog.bibliography[ref.id])
    }
    unread -= audited
    unread = {pair for pair in unread if pair[1] not in unreadable}
    assert unread == pending, f"read these claims or list them in pending.json: {sorted(unread - pending)[:10]}"
