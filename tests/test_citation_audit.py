"""The citation audit is a record the data keeps agreeing with: every audited citation has a
verdict and what was read; a claim found to say more than its page no longer says it, and
the source it was about is still cited on that feature."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

AUDIT = ROOT / "sources" / "citation-audit"
SLICES = sorted(path.stem for path in AUDIT.glob("slice-*.json"))
VERDICTS = {"accurate", "inaccurate", "could not read"}


def rows(name: str) -> list[dict]:
    return json.loads((AUDIT / f"{name}.json").read_text(encoding="utf-8"))["rows"]


def claims_now(catalog, feature_id: str, entry_id: str) -> list[str]:
    feature = catalog.get(feature_id)
    return [ref.claim for _, ref in feature.source_refs() if ref.id == entry_id]


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
