import pytest

from dashboard.selection import ViewFilter, is_visible, visible_features
from dashboard.timefilter import active_between, active_in, span_label


@pytest.mark.parametrize(
    ("start", "end", "year", "expected"),
    [
        ("1992-05-15", "1999-04", 1991, False),
        ("1992-05-15", "1999-04", 1992, True),
        ("1992-05-15", "1999-04", 1999, True),
        ("1992-05-15", "1999-04", 2000, False),
        ("2006-08-16", None, 2026, True),
    ],
)
def test_a_year_is_inside_when_start_year_le_year_le_end_year(start, end, year, expected):
    assert active_in(start, end, year) is expected


def test_range_mode_is_any_overlap():
    assert active_between("1992", "1999", 1999, 2005)
    assert not active_between("1992", "1999", 2000, 2005)
    assert active_between("2010", None, 2005, 2012)
    assert active_between("2010", None, 2012, 2005)  # reversed bounds


def test_span_label():
    assert span_label("1992", None) == "1992 – present"
    assert span_label("2011-05-17", "2011-05-17") == "2011-05-17"


def test_view_filter_refuses_unknown_codes():
    with pytest.raises(ValueError, match="WARSAW"):
        ViewFilter.make(orgs=["WARSAW"])
    with pytest.raises(ValueError, match="castles"):
        ViewFilter.make(layers=["castles"])


def test_states_show_only_with_a_membership_in_a_selected_org(catalog):
    china = next(f for f in catalog.layer("states") if f.props.iso3 == "CHN")
    assert not is_visible(china, ViewFilter.make(year=2010, orgs=["CSTO"]))
    assert is_visible(china, ViewFilter.make(year=2010, orgs=["SCO"]))
    assert not is_visible(china, ViewFilter.make(year=1995, orgs=["SCO"]))


def test_layers_filter_and_org_rules(catalog):
    only_bases = visible_features(catalog, ViewFilter.make(year=2010, layers=["bases"]))
    assert only_bases and {f.layer for f in only_bases} == {"bases"}
    garrisons = [f for f in catalog.layer("garrisons") if f.props.start <= "2010"]
    assert all(not is_visible(g, ViewFilter.make(year=2010, orgs=["SCO"])) for g in garrisons)
    assert any(is_visible(g, ViewFilter.make(year=2010, orgs=["CSTO"])) for g in garrisons)


def test_closed_base_disappears_after_its_end_year(catalog):
    gabala = next(f for f in catalog.layer("bases") if "gabala" in f.id)
    assert is_visible(gabala, ViewFilter.make(year=2012))
    assert not is_visible(gabala, ViewFilter.make(year=2013))
    assert is_visible(gabala, ViewFilter.make(year=2013, until=2020)) is False
    assert is_visible(gabala, ViewFilter.make(year=2010, until=2020))


def test_an_assembly_observer_is_not_shown_as_an_observer_of_the_csto(catalog):
    from dashboard.selection import strongest_status
    from dashboard.symbology import STATUS_COLORS, STATUS_LABELS, legend

    serbia = next(f for f in catalog.layer("states") if f.props.iso3 == "SRB")
    status = strongest_status(serbia, ViewFilter.make(year=2015, orgs=["CSTO"]))
    assert status == "assembly observer"
    assert STATUS_COLORS[status] != STATUS_COLORS["observer"]
    assert STATUS_LABELS[status] in {item["label"] for item in legend()}
    # Serbia's PfP partnership (since 2006) outranks a parliamentary observer seat.
    assert strongest_status(serbia, ViewFilter.make(year=2015, orgs=["CSTO", "PFP"])) == "partner"
