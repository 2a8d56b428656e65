"""The third fact-check is a record the data must keep agreeing with: a value found wrong
and marked fixed differs from what the checker was asked about, and every row has a verdict."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

FACTCHECK = ROOT / "sources" / "factcheck-3"
SLICES = ("q1_memberships", "q2_bases", "q3_events_pipelines")
VERDICTS = {
    "confirmed",
    "confirmed (matches an alternative the checker found)",
    "contradicted, fixed",
    "contradicted, recorded (not changed)",
    "differs by definition, recorded",
    "not comparable (a figure for another date)",
}


def rows(name: str) -> list[dict]:
    return json.loads((FACTCHECK / f"{name}.json").read_text(encoding="utf-8"))["rows"]


def current_value(catalog, feature_id: str, field: str):
    """The value a row's field names, in today's data (memberships by organization and status)."""
    props = catalog.get(feature_id).props
    found = re.fullmatch(r"memberships\[(\S+) (\S+)\]\.(\w+)", field)
    if found:
        org, status, part = found.groups()
        # Where a state held the status twice, the question was about the later term.
        item = [m for m in props.memberships if m.org == org and m.status == status][-1]
        return getattr(item, part)
    value = getattr(props, field)
    return list(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("name", SLICES)
def test_every_question_has_an_answer_a_verdict_and_what_was_read(name):
    questions = json.loads((FACTCHECK / f"questions-{name}.json").read_text(encoding="utf-8"))["features"]
    asked = {q["qid"] for feature in questions for q in feature["questions"]}
    answered = rows(name)
    assert {row["qid"] for row in answered} == asked
    for row in answered:
        assert row["verdict"] in VERDICTS, row["qid"]
        assert row["evidence"], f"{row['qid']}: no page read"
        if row["verdict"] != "confirmed":
            assert row["resolution"], f"{row['qid']}: a verdict other than confirmed says what was done"


def test_the_questions_never_show_the_value_asked_for():
    """The question's words never hold the value (a cited source's title may: the checkers
    were given the sources by design)."""
    for name in SLICES:
        questions = json.loads((FACTCHECK / f"questions-{name}.json").read_text(encoding="utf-8"))["features"]
        values = {row["qid"]: row["value_in_data"] for row in rows(name)}
        for feature in questions:
            for question in feature["questions"]:
                value = values[question["qid"]]
                if isinstance(value, str) and re.match(r"\d{4}-\d{2}", value):
                    assert value not in question["question"], question["qid"]


def test_values_marked_fixed_are_no_longer_the_ones_found_wrong(catalog):
    fixed = [row for name in SLICES for row in rows(name) if row["verdict"] == "contradicted, fixed"]
    assert fixed
    for row in fixed:
        assert current_value(catalog, row["feature_id"], row["field"]) != row["value_in_data"], row["qid"]


def test_confirmed_values_are_still_the_data(catalog):
    for name in SLICES:
        for row in rows(name):
            if row["verdict"].startswith("confirmed") and catalog.get(row["feature_id"]) is not None:
                # A value changed after the check says to what and why.
                expected = row.get("changed_after_check", {}).get("value", row["value_in_data"])
                assert current_value(catalog, row["feature_id"], row["field"]) == expected, row["qid"]
