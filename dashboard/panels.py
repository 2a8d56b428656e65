"""Streamlit panels around the map. Every value from the data goes through an escaping
renderer (st.dataframe, st.text, or citations' markdown form); none is raw HTML."""

from __future__ import annotations

import io
import json

import pandas as pd
import streamlit as st

from .citations import escape_markdown, full_citation, resolve, short_citation, user_source
from .loader import Catalog, Feature
from .regions import DEFAULT_REGION
from .schema import ORGS
from .selection import ViewFilter, disputed_status, visible_memberships
from .symbology import PRECISION_LABELS
from .symbology import user_legend_label as legend_label
from .timefilter import span_label
from .timeline import timeline_chart, timeline_rows
from .userlayers import UserFeature, UserLayers


def url_notes(notes: list[str]) -> None:
    if notes:
        # The notes quote the link's values: text, never markup.
        st.warning(
            "Some values in the link were not understood and defaults are used instead: " + _md("; ".join(notes))
        )


# Streamlit leaves 6rem above the first element for a toolbar this app keeps minimal; the
# title starts near the top so the map fits above the fold. A constant, never data.
PAGE_STYLE = "<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>"


def heading(view: ViewFilter) -> None:
    """Title and what the map shows, in one element: every element costs each rerun."""
    st.html(PAGE_STYLE)
    orgs = ", ".join(sorted(view.orgs)) if view.orgs else "all organizations"
    when = f"active between {view.year} and {view.until}" if view.until is not None else f"in {view.year}"
    st.markdown(
        "## CSTO and Kazakhstan–Russia military relations since 1991\n"
        f":small[:gray[Showing {orgs}, {when}. Click a feature for its full citations.]]"
    )


def _properties_table(feature: Feature, view: ViewFilter) -> pd.DataFrame:
    props = feature.props.model_dump(
        mode="json", exclude={"sources", "memberships", "statuses", "published_lengths", "id", "notes"}
    )
    rows = [("layer", feature.layer), ("id", feature.id)]
    rows += [
        (key, "" if value is None else ", ".join(map(str, value)) if isinstance(value, list) else str(value))
        for key, value in props.items()
    ]
    if feature.length_km is not None:
        rows.append(("length_km (geodesic, measured on the drawn line)", f"{feature.length_km:,.1f}"))
    rows.append(("location accuracy", PRECISION_LABELS[feature.props.precision]))
    return pd.DataFrame(rows, columns=["field", "value"])


def _citation_list(catalog: Catalog, refs) -> None:
    for number, citation in enumerate(resolve(refs, catalog.bibliography), start=1):
        claim = full_citation(citation.entry, None, "markdown") if citation.entry else citation.source_id
        st.markdown(f"{number}\\. {claim}  \n*Where:* {_md(citation.locator)} · *Supports:* {_md(citation.claim)}")


def _md(text: str) -> str:
    return escape_markdown(text)


def feature_panel(catalog: Catalog, feature: Feature | None, view: ViewFilter) -> None:
    if feature is None:
        st.markdown(
            "### Selected feature\nClick a state, base, garrison, pipeline, border, event or disputed area on the "
            "map, or type its name in Find under the map."
        )
        return
    st.subheader("Selected feature")
    container = st.container(key="feature_panel")
    with container:
        st.markdown(f"**{_md(feature.name)}**  \n{_md(span_label(feature.props.start, feature.props.end))}")
        if feature.props.notes:
            st.caption(_md(feature.props.notes))
        st.dataframe(_properties_table(feature, view), hide_index=True, width="stretch")
        if feature.layer == "states":
            memberships = visible_memberships(feature, ViewFilter(orgs=view.orgs))
            st.markdown("**Membership history** (selected organizations)")
            for m in memberships:
                st.markdown(
                    f"- {_md(ORGS[m.org])}: {_md(m.status)}, {_md(span_label(m.start, m.end))}"
                    + (f" — {_md(m.notes)}" if m.notes else "")
                )
                with st.expander(f"Sources for {m.org} {m.status} {m.start}", expanded=False):
                    _citation_list(catalog, m.sources)
        if feature.layer == "disputed":
            year = view.until if view.until is not None else view.year
            record = disputed_status(feature, year) if year else None
            st.markdown("**Status by period**")
            for s in feature.props.statuses:
                marker = " ← selected year" if record is s else ""
                st.markdown(
                    f"- {_md(span_label(s.start, s.end))}: {_md(s.status)} (held by {_md(s.controlled_by)}){marker}"
                )
        if feature.layer == "pipelines":
            st.markdown("**Route** (straight between these points): " + _md(" – ".join(feature.props.waypoints)))
            for leg in feature.props.approximate_legs:
                st.markdown(
                    f"- Dotted, approximate: {_md(leg.from_waypoint)} to {_md(leg.to_waypoint)}. {_md(leg.reason)}"
                )
        if feature.layer == "borders":
            st.markdown("**Published lengths**")
            for p in feature.props.published_lengths:
                refs = ", ".join(
                    short_citation(catalog.bibliography[r.id], r.locator)
                    for r in p.sources
                    if r.id in catalog.bibliography
                )
                st.markdown(f"- {p.km:,.1f} km{' (approx.)' if p.approximate else ''} — {_md(refs)}")
        st.markdown("**Sources**")
        _citation_list(catalog, feature.props.sources)


def timeline(catalog: Catalog, view: ViewFilter) -> None:
    with st.container(border=True):
        st.markdown(
            "**Timeline of membership changes and events** (selected organizations; the line marks the year shown)"
        )
        rows = timeline_rows(catalog, view.orgs)
        if rows.empty:
            st.write("Nothing to show for these organizations.")
            return
        year = view.until if view.until is not None else view.year
        st.altair_chart(timeline_chart(rows, year, 1991, catalog.latest_year), width="stretch")


def sources(catalog: Catalog, visible_ids: tuple[str, ...]) -> None:
    entries = sorted(catalog.cited_entries(visible_ids), key=short_citation)
    with st.container(border=True):
        st.markdown(f"**Sources of everything visible now** ({len(entries)})")
        for entry in entries:
            st.markdown("- " + full_citation(entry, None, "markdown"))


PROBLEM_ROWS_SHOWN = 500  # a broken file of 100,000 features could report as many problems


def _problem_table(found: list, title: str) -> None:
    if not found:
        return
    shown = found[:PROBLEM_ROWS_SHOWN]
    more = f"; the first {len(shown)} are listed" if len(found) > len(shown) else ""
    with st.expander(f"⚠️ {title} ({len(found)}{more}): these are kept off the map", expanded=True):
        st.dataframe(
            pd.DataFrame(
                [(p.file, p.feature_id, p.field, p.message) for p in shown],
                columns=["file", "feature", "field", "problem"],
            ),
            hide_index=True,
            width="stretch",
        )


def problems(catalog: Catalog, user_layers: UserLayers | None = None) -> None:
    _problem_table(catalog.problems, "Data problems")
    if user_layers is not None:
        _problem_table(user_layers.problems, "Problems in your layers")
        for note in user_layers.notes[:20]:
            st.caption(f"Note on your layers: {_md(str(note))}")


def user_feature_panel(feature: UserFeature) -> None:
    """A feature of the user's own layer: every value shown as text, links only when http(s)."""
    st.subheader("Selected feature")
    with st.container(key="feature_panel"):
        st.markdown(f"**{_md(feature.name)}**  \n{_md(legend_label(feature.layer))} · not checked by the project")
        when = span_label(feature.start, feature.end) if feature.start else (feature.end or "undated")
        rows = [("dates", when), *feature.attributes.items()]
        st.dataframe(pd.DataFrame(rows, columns=["property", "value"]), hide_index=True, width="stretch")
        st.markdown("**Sources** (as given in the file)")
        if not feature.sources:
            st.caption("No source given.")
        for number, source in enumerate(feature.sources, start=1):
            st.markdown(f"{number}\\. {user_source(source, 'markdown')}")


def comparison(result) -> None:
    """What changed between the comparison year and the year shown."""
    with st.container(border=True):
        st.markdown(f"**What changed {result.year_from} → {result.year_to}**")
        st.text(result.summary_text())
        rows = [
            (org.org, kind, c.name, c.before or "—", c.after or "—")
            for org in result.by_org
            for kind, changes in (("joined", org.joined), ("left", org.left), ("status changed", org.status_changed))
            for c in changes
        ]
        rows += [
            (layer.layer, kind, c.name, c.start, c.end or "present")
            for layer in result.layers
            for kind, changes in (
                ("opened", layer.opened),
                ("closed", layer.closed),
                ("came and went", layer.came_and_went),
            )
            for c in changes
        ]
        if rows:
            st.dataframe(
                pd.DataFrame(rows, columns=["organization / layer", "change", "name", "before / start", "after / end"]),
                hide_index=True,
                width="stretch",
            )
        st.caption("Changed features are outlined in magenta on the map.")


def downloads(
    catalog: Catalog,
    view: ViewFilter,
    visible_ids: tuple[str, ...],
    compare_to: int | None,
    user_layers: UserLayers | None = None,
    region: str = DEFAULT_REGION,
) -> None:
    """Every format analysts use, for exactly what the map shows. Files are built only
    when a button is pressed (deferred callables), so reruns stay fast."""
    from .briefing_pack import build_briefing_pdf
    from .canvas import standalone_map
    from .citations import to_bibtex, to_csl_json
    from .export import export_bytes
    from .static_map import render_static_map

    stem = f"csto-map-{view.year}" + (f"-{view.until}" if view.until is not None else "")

    def static_map(fmt: str):
        def build() -> bytes:
            buffer = io.BytesIO()
            render_static_map(catalog, view, buffer, fmt=fmt, user_layers=user_layers, region=region)
            return buffer.getvalue()

        return build

    entries = catalog.cited_entries(visible_ids)
    files = [
        ("GeoJSON", lambda: export_bytes(catalog, view, "geojson", user_layers), "geojson", "application/geo+json"),
        ("CSV", lambda: export_bytes(catalog, view, "csv", user_layers), "csv", "text/csv"),
        (
            "KML (Google Earth)",
            lambda: export_bytes(catalog, view, "kml", user_layers),
            "kml",
            "application/vnd.google-earth.kml+xml",
        ),
        (
            "GeoPackage (QGIS)",
            lambda: export_bytes(catalog, view, "gpkg", user_layers),
            "gpkg",
            "application/geopackage+sqlite3",
        ),
        (
            "Interactive map (HTML)",
            lambda: standalone_map(catalog, view, region=region, user_layers=user_layers),
            "html",
            "text/html",
        ),
        ("Map PNG", static_map("png"), "png", "image/png"),
        ("Map SVG", static_map("svg"), "svg", "image/svg+xml"),
        (
            "Sources CSL-JSON",
            lambda: json.dumps(to_csl_json(entries), ensure_ascii=False, indent=1),
            "csl.json",
            "application/json",
        ),
        ("Sources BibTeX", lambda: to_bibtex(entries), "bib", "application/x-bibtex"),
    ]
    with st.container(border=True):
        st.markdown("**Briefing outputs and downloads**")
        st.caption("Each file holds what the map shows now: same year, organizations and layers.")
        columns = st.columns(4)
        for index, (label, build, suffix, mime) in enumerate(files):
            columns[index % 4].download_button(
                label, data=build, file_name=f"{stem}.{suffix}", mime=mime, key=f"download_{suffix}", width="stretch"
            )
        key = (view, compare_to, id(user_layers), region)
        if st.button("Prepare the briefing pack (PDF)", key="make_brief"):
            with st.status("Building the briefing pack…", expanded=True) as status:
                st.write("Drawing the map, tabulating the features, numbering the footnotes…")
                buffer = io.BytesIO()
                build_briefing_pdf(catalog, view, buffer, compare_to=compare_to, user_layers=user_layers, region=region)
                st.session_state.brief_pdf = (key, buffer.getvalue())
                status.update(label="Briefing pack ready", state="complete", expanded=False)
        prepared = st.session_state.get("brief_pdf")
        if prepared and prepared[0] == key:
            st.download_button(
                "Download the briefing pack (PDF)",
                data=prepared[1],
                file_name=f"{stem}-briefing.pdf",
                mime="application/pdf",
                key="download_pdf",
            )
