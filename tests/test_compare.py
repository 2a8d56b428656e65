"""compare_years against the shipped data, checked with the year rules of timefilter."""

from __future__ import annotations

import json

import pytest

from dashboard.compare import DATED_LAYERS, compare_years
from dashboard.timefilter import active_in


def test_csto_1998_to_2000_names_exactly_the_three_that_left(catalog):
    comparison = compare_years(catalog, 1998, 2000, ["CSTO"])
    (csto,) = comparison.by_org
    assert sorted(c.name for c in csto.left) == ["Azerbaijan", "Georgia", "Uzbekistan"]
    assert csto.joined == ()
    assert all(c.before == "member" and c.after is None for c in csto.left)
    summary = comparison.summary_text()
    assert "3 left (Azerbaijan, Georgia, Uzbekistan)" in summary


def test_end_year_is_inclusive(catalog):
    # The memberships end in April 1999: still shown in 1999, so nobody has left by then.
    assert compare_years(catalog, 1998, 1999, ["CSTO"]).by_org[0].left == ()
    assert len(compare_years(catalog, 1999, 2000, ["CSTO"]).by_org[0].left) == 3


def test_joined_and_status_change(catalog):
    # Uzbekistan's return, decided in 2006, took legal effect in 2008.
    assert compare_years(catalog, 2005, 2007, ["CSTO"]).by_org[0].joined == ()
    joined = compare_years(catalog, 2005, 2008, ["CSTO"]).by_org[0].joined
    assert [c.name for c in joined] == ["Uzbekistan"]
    changed = compare_years(catalog, 2023, 2025, ["CSTO"]).by_org[0].status_changed
    assert [(c.name, c.before, c.after) for c in changed] == [("Armenia", "member", "suspended")]


@pytest.mark.parametrize(("year_from", "year_to"), [(2000, 2010), (2010, 2016), (1995, 2024)])
def test_dated_layers_agree_with_timefilter(catalog, year_from, year_to):
    comparison = compare_years(catalog, year_from, year_to, ["CSTO"])
    for layer in DATED_LAYERS:
        changes = comparison.layer(layer)
        features = catalog.layer(layer)
        before = {f.id for f in features if active_in(f.props.start, f.props.end, year_from)}
        after = {f.id for f in features if active_in(f.props.start, f.props.end, year_to)}
        assert {c.id for c in changes.opened} == after - before
        assert {c.id for c in changes.closed} == before - after


def test_came_and_went_between_the_years(catalog):
    # Vaziani: taken over in March 1992, handed back in 2001, so neither on the 1991 nor on the 2002 map.
    bases = compare_years(catalog, 1991, 2002).layer("bases")
    assert "base-vaziani" in {c.id for c in bases.came_and_went}
    assert "base-vaziani" not in {c.id for c in (*bases.opened, *bases.closed)}


def test_events_between_and_changed_ids(catalog):
    comparison = compare_years(catalog, 1998, 2000, ["CSTO"])
    years = {int(e.start[:4]) for e in comparison.events}
    assert years and min(years) >= 1998 and max(years) <= 2000
    ids = comparison.changed_ids()
    assert {"state-aze", "state-geo", "state-uzb"} <= ids
    assert {e.id for e in comparison.events} <= ids
    assert all(catalog.get(i) is not None for i in ids)


def test_a_deployment_under_way_before_the_span_is_not_an_event_of_it(catalog):
    # Russian peacekeepers in Transnistria since July 1992: on the map in 1998-2000, not a change then.
    between = {e.id for e in compare_years(catalog, 1998, 2000).events}
    assert "event-1992-07-29-transnistria-peacekeepers" not in between
    assert "event-1992-07-29-transnistria-peacekeepers" in {e.id for e in compare_years(catalog, 1991, 1993).events}


def test_to_dict_is_json(catalog):
    data = json.loads(json.dumps(compare_years(catalog, 2022, 2025).to_dict()))
    assert data["from"] == 2022 and data["to"] == 2025
    nato = next(m for m in data["memberships"] if m["org"] == "NATO")
    assert {c["name"] for c in nato["joined"]} == {"Finland", "Sweden"}


def test_bad_input(catalog):
    with pytest.raises(ValueError, match="after"):
        compare_years(catalog, 2000, 1998)
    with pytest.raises(ValueError, match="unknown organization"):
        compare_years(catalog, 1998, 2000, ["WARSAW"])
