from dashboard.viewstate import DashboardState, parse_query

IDS = {"base-kant", "state-kaz"}


def test_round_trip_of_every_field():
    state = DashboardState(
        year=2008,
        orgs=["CSTO", "SCO"],
        layers=["states", "bases"],
        feature="base-kant",
        range=(1999, 2005),
        compare=2000,
    )
    parsed, notes = parse_query(state.to_query(), 2025, IDS)
    assert notes == []
    assert parsed == state


def test_defaults_without_parameters():
    state, notes = parse_query({}, 2025, IDS)
    assert (state.year, state.orgs, state.feature, state.range, state.compare) == (2025, ["CSTO"], None, None, None)
    assert notes == []


def test_bad_values_fall_back_and_are_named():
    state, notes = parse_query(
        {
            "year": "soon",
            "orgs": "WARSAW",
            "layers": "states,castles",
            "feature": "nope",
            "range": "2010-2001",
            "compare": "1800",
        },
        2025,
        IDS,
    )
    assert state.year == 2025 and state.orgs == ["CSTO"] and state.layers == ["states"]
    assert state.feature is None and state.range is None and state.compare is None
    joined = " ".join(notes)
    for fragment in ("'soon'", "WARSAW", "castles", "'nope'", "'2010-2001'", "'1800'"):
        assert fragment in joined


def test_an_empty_org_list_is_kept():
    state, notes = parse_query({"orgs": ""}, 2025, IDS)
    assert state.orgs == [] and notes == []
