"""The conventions of geodata/README.md, each checked over every feature, and each shown to
catch the kind of error it exists for (the ones the independent audit found)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import load_copy, read_layer, write_layer
from pydantic import ValidationError

from dashboard.conventions import MEMBERSHIP_RULES, base_issues, length_issues, membership_issues
from dashboard.schema import BORDER_LENGTH_COVERS, ORGS, START_BASES, STATUSES, BorderProps, Membership


def changed(feature, **props):
    """The feature with some properties replaced (not validated: the conventions are the test)."""
    return replace(feature, props=feature.props.model_copy(update=props))


def with_membership(state, index, **fields):
    memberships = list(state.props.memberships)
    memberships[index] = memberships[index].model_copy(update=fields)
    return changed(state, memberships=memberships)


def membership_index(state, org, status):
    return next(i for i, m in enumerate(state.props.memberships) if (m.org, m.status) == (org, status))


# --- A status starts when it took legal effect -----------------------------------------


def test_every_membership_starts_on_the_act_its_rule_names(catalog):
    assert membership_issues(catalog.layer("states")) == []


def test_the_rules_name_real_organizations_statuses_and_acts():
    for rule in MEMBERSHIP_RULES:
        assert rule.org in ORGS and rule.status in STATUSES, rule
        assert rule.bases <= set(START_BASES), rule
        assert rule.why


@pytest.mark.parametrize(
    ("iso3", "org", "status", "basis", "message"),
    [
        # The audit's case: one dialogue partner dated by the summit decision, another by its memorandum.
        ("ARM", "SCO", "partner", "decision", "'memorandum'"),
        ("KAZ", "CSTO", "member", "signature", "'in force'"),
        ("FIN", "NATO", "member", "decision", "'in force'"),
        ("LAO", "SCO", "partner", "reclassification", "needs an earlier SCO status"),
        ("MLT", "PFP", "partner", "resumption", "needs an earlier PFP status"),
    ],
)
def test_a_status_coded_on_another_act_is_reported(catalog, iso3, org, status, basis, message):
    state = next(s for s in catalog.layer("states") if s.props.iso3 == iso3)
    index = membership_index(state, org, status)  # the first such status: Malta's first partnership
    issues = membership_issues([with_membership(state, index, start_basis=basis)])
    assert [(i[1], i[2]) for i in issues] == [(state.id, f"memberships[{index}].start_basis")]
    assert message in issues[0][3]


def test_a_decision_after_the_legal_effect_is_refused():
    with pytest.raises(ValidationError, match="decided 2016 is after start"):
        Membership(
            org="SCO",
            status="partner",
            start="2015-07-10",
            start_basis="memorandum",
            decided="2016",
            sources=[{"id": "samay2019", "locator": "p", "claim": "x"}],
        )


# --- A site inherited from the USSR starts at Russia's takeover --------------------------


def test_every_base_follows_the_takeover_and_territory_conventions(catalog):
    assert base_issues(catalog.layer("bases"), catalog.layer("disputed")) == []


@pytest.mark.parametrize(
    ("base_id", "update", "fields"),
    [
        # The audit's case: Baikonur dated by the 1994 lease although Russia ran it from 1992.
        ("base-baikonur", {"start": "1994-03-28", "start_basis": "agreement"}, ["start_basis"]),
        ("base-baikonur", {"start": "1994-03-28"}, ["start"]),  # a lease date called a takeover
        ("base-gabala-radar", {"start_basis": "first record", "notes": None}, ["notes"]),
        ("base-kant", {"held_since_ussr": True}, ["start_basis"]),
        ("base-okno-nurek", {"start_basis": "takeover"}, ["start_basis", "start"]),
        ("base-tartus", {"established": "1995"}, ["established"]),
        # A Soviet force that left before the breakup was never Russia's; one that stayed was.
        ("base-cgf-milovice", {"held_since_ussr": True}, ["start_basis", "start_basis"]),
        ("base-wgf-wunsdorf", {"start_basis": "soviet force", "held_since_ussr": False}, ["start_basis"]),
        ("base-sgf-hungary", {"end": "1991-12"}, ["start_basis"]),
    ],
)
def test_an_inherited_site_dated_by_a_later_agreement_is_reported(catalog, base_id, update, fields):
    base = changed(catalog.get(base_id), **update)
    assert [i[2] for i in base_issues([base], catalog.layer("disputed"))] == fields


# --- A site in occupied or breakaway territory stays abroad, with the de jure host -------


@pytest.mark.parametrize(
    ("base_id", "update", "fields"),
    [
        # The audit's case: the Sevastopol base ended with the annexation while the others ran on.
        ("base-sevastopol", {"end": "2014-03"}, ["end"]),
        ("base-gudauta", {"end": "2008-08"}, ["end"]),  # Russia recognised Abkhazia on 26 Aug 2008
        ("base-cobasna", {"end": "1992"}, ["end"]),  # a year-only end in a year of change
        ("base-sevastopol", {"host_iso3": "RUS"}, ["host_iso3"]),
        ("base-sevastopol", {"disputed_area": None}, ["disputed_area"]),
        ("base-kant", {"disputed_area": "disputed-crimea"}, ["host_iso3", "geometry"]),
        ("base-gudauta", {"disputed_area": "disputed-atlantis"}, ["disputed_area"]),
    ],
)
def test_a_site_that_changes_with_the_territory_is_reported(catalog, base_id, update, fields):
    base = changed(catalog.get(base_id), **update)
    assert [i[2] for i in base_issues([base], catalog.layer("disputed"))] == fields


def test_an_end_unrelated_to_a_change_of_control_is_allowed(catalog):
    base = changed(catalog.get("base-gudauta"), end="2030-05")
    assert base_issues([base], catalog.layer("disputed")) == []


def test_every_site_in_disputed_territory_names_the_de_jure_host(catalog):
    areas = {a.id: a for a in catalog.layer("disputed")}
    in_areas = [b for b in catalog.layer("bases") if b.props.disputed_area]
    assert {b.props.disputed_area for b in in_areas} == {
        "disputed-crimea",
        "disputed-abkhazia",
        "disputed-south-ossetia",
        "disputed-transnistria",
    }
    assert all(b.props.host_iso3 == areas[b.props.disputed_area].props.de_jure_iso3 for b in in_areas)
    assert all(b.props.end is None for b in in_areas)  # none has left; none ends at a change of control


# --- A published length records what it measures -----------------------------------------


def test_every_published_length_says_what_it_covers(catalog):
    assert length_issues(catalog.features) == []
    for border in catalog.layer("borders"):
        assert all(length.covers in BORDER_LENGTH_COVERS for length in border.props.published_lengths)
    for pipeline in catalog.layer("pipelines"):
        assert (pipeline.props.published_length_km is None) == (pipeline.props.published_length_covers is None)


def _border_props(catalog):
    return catalog.get("border-kaz-rus").props.model_dump(mode="json")


def test_a_border_length_without_covers_or_with_a_pipeline_term_is_refused(catalog):
    props = _border_props(catalog)
    del props["published_lengths"][0]["covers"]
    with pytest.raises(ValidationError, match="covers"):
        BorderProps.model_validate(props)
    props = _border_props(catalog)
    props["published_lengths"][0]["covers"] = "whole route"
    with pytest.raises(ValidationError, match="pipeline term"):
        BorderProps.model_validate(props)


def test_the_drawn_border_is_land_only_and_the_land_figures_are_longer(catalog):
    """The measured line is the land boundary; the figures that say 'land only' exceed it,
    as a generalised 1:10m line cuts corners (geodata/README.md)."""
    border = catalog.get("border-kaz-rus")
    land = [p.km for p in border.props.published_lengths if p.covers == "land only"]
    assert land and all(km > border.length_km for km in land)


# --- The loader reports a breach without dropping the feature ----------------------------


def test_validate_reports_a_breach_and_keeps_the_feature(data_copy):
    bases = read_layer(data_copy, "bases")
    sevastopol = next(f for f in bases["features"] if f["properties"]["id"] == "base-sevastopol")
    sevastopol["properties"]["end"] = "2014-03"
    write_layer(data_copy, "bases", bases)
    catalog = load_copy(data_copy)
    assert [(p.feature_id, p.field) for p in catalog.problems] == [("base-sevastopol", "end")]
    assert catalog.get("base-sevastopol") is not None
