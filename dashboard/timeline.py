"""The timeline under the map: membership changes and events, year by year."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .loader import Catalog
from .symbology import TIMELINE_YEAR_COLOR, hex_color
from .timefilter import year_of


def timeline_rows(catalog: Catalog, orgs: frozenset[str] | None) -> pd.DataFrame:
    """One row per membership start or end in the selected organizations, and per event."""
    rows = []
    for state in catalog.layer("states"):
        for m in state.props.memberships:
            if orgs is not None and m.org not in orgs:
                continue
            rows.append(
                {
                    "year": year_of(m.start),
                    "track": f"{m.org} joined / status began",
                    "label": f"{state.name}: {m.org} {m.status} from {m.start}",
                }
            )
            if m.end:
                rows.append(
                    {
                        "year": year_of(m.end),
                        "track": f"{m.org} left / status ended",
                        "label": f"{state.name}: {m.org} {m.status} until {m.end}",
                    }
                )
    for event in catalog.layer("events"):
        if event.props.orgs and orgs is not None and not set(event.props.orgs) & orgs:
            continue
        rows.append(
            {
                "year": year_of(event.props.start),
                "track": f"Event: {event.props.kind}",
                "label": f"{event.props.start} {event.name}",
            }
        )
    return pd.DataFrame(rows, columns=["year", "track", "label"])


def timeline_chart(rows: pd.DataFrame, year: int, first_year: int, last_year: int) -> alt.LayerChart:
    counts = (
        rows.groupby(["year", "track"]).agg(n=("label", "size"), items=("label", lambda s: " | ".join(s))).reset_index()
    )
    counts = counts[(counts.year >= first_year) & (counts.year <= last_year)]
    scale = alt.Scale(domain=[first_year - 0.5, last_year + 0.5], nice=False)
    dots = (
        alt.Chart(counts)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("year:Q", scale=scale, axis=alt.Axis(format="d", title=None)),
            y=alt.Y("track:N", title=None, axis=alt.Axis(labelLimit=260)),
            size=alt.Size("n:Q", legend=None, scale=alt.Scale(range=[30, 300])),
            color=alt.Color("track:N", legend=None),
            tooltip=[
                alt.Tooltip("year:Q", format="d"),
                "track:N",
                alt.Tooltip("n:Q", title="changes"),
                alt.Tooltip("items:N", title="what"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"year": [year]}))
        .mark_rule(color=hex_color(TIMELINE_YEAR_COLOR), strokeWidth=2)
        .encode(x="year:Q")
    )
    return alt.layer(dots, rule).properties(height=max(120, 22 * counts.track.nunique()))
