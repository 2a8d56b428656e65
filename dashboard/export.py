"""The export contract: the features a view shows, as GeoJSON, CSV, KML or GeoPackage.

Every format is built from the same properties (`export_properties` for curated features,
`user_export_properties` for the user's), so they always agree. User features come after
the curated ones, marked `layer: "user:<name>"` and `user_layer: true`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from .citations import Citation, resolve, user_source
from .coordinates import rounded
from .loader import Catalog, Feature
from .schema import LAYERS
from .selection import ViewFilter, feature_refs, visible_features, visible_memberships
from .symbology import user_legend_label
from .timefilter import span_label
from .userlayers import UserFeature, UserLayers, visible_user_features

FORMATS = ("geojson", "csv", "kml", "gpkg")
KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
COORDINATE_DECIMALS = 5


def _refs(refs, bibliography) -> list[dict[str, str]]:
    """Each reference with its full citation in words, from the one renderer."""
    return [
        {"id": c.source_id, "locator": c.locator, "claim": c.claim, "citation": c.full("text")}
        for c in resolve(refs, bibliography)
    ]


def view_citations(catalog: Catalog, feature: Feature, view: ViewFilter) -> list[Citation]:
    """Every citation behind what this view shows of the feature, resolved."""
    year = view.year if view.year is not None else catalog.latest_year
    return resolve(feature_refs(feature, view, year), catalog.bibliography)


def export_properties(feature: Feature, view: ViewFilter, bibliography: dict) -> dict[str, Any]:
    props = feature.props.model_dump(mode="json", exclude_none=False)
    out: dict[str, Any] = {
        "id": feature.id,
        "layer": feature.layer,
        "name": feature.name,
        "start": props.pop("start"),
        "end": props.pop("end"),
        "precision": props.pop("precision"),
        "sources": _refs(feature.props.sources, bibliography),
    }
    for key in ("id", "name", "sources"):
        props.pop(key)
    if feature.layer == "states":
        props["memberships"] = [
            {
                "org": m.org,
                "status": m.status,
                "start": m.start,
                "end": m.end,
                "start_basis": m.start_basis,
                "decided": m.decided,
                "sources": _refs(m.sources, bibliography),
            }
            for m in visible_memberships(feature, view)
        ]
    if feature.length_km is not None:
        out["length_km"] = round(feature.length_km, 1)
    out.update(props)
    return out


def user_export_properties(feature: UserFeature) -> dict[str, Any]:
    """A user feature in the export contract: marked as the user's; its sources as given
    (`citation` is the text, as in the curated sources); its other properties as text."""
    return {
        "id": feature.id,
        "layer": feature.layer_label,
        "user_layer": True,
        "name": feature.name,
        "start": feature.start,
        "end": feature.end,
        "precision": None,
        "sources": [{"citation": text} for text in feature.sources],
        "attributes": dict(feature.attributes),
    }


def _record(feature: Feature | UserFeature, properties: dict[str, Any]) -> dict[str, Any]:
    geometry = mapping(feature.geometry)
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"], COORDINATE_DECIMALS)},
        "properties": properties,
    }


def export_records(catalog: Catalog, view: ViewFilter, user_layers: UserLayers | None = None) -> list[dict[str, Any]]:
    """GeoJSON Feature objects (RFC 7946: WGS84 longitude/latitude)."""
    records = [
        _record(feature, export_properties(feature, view, catalog.bibliography))
        for feature in visible_features(catalog, view)
    ]
    records += [
        _record(feature, user_export_properties(feature)) for feature in visible_user_features(user_layers, view)
    ]
    return records


def to_geojson(catalog: Catalog, view: ViewFilter, user_layers: UserLayers | None = None) -> str:
    collection = {"type": "FeatureCollection", "features": export_records(catalog, view, user_layers)}
    return json.dumps(collection, ensure_ascii=False, indent=1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {text}" for key, text in value.items())
    if isinstance(value, list) and value and isinstance(value[0], dict):
        if "org" in value[0]:
            return "; ".join(f"{m['org']} {m['status']} {m['start']}–{m['end'] or 'present'}" for m in value)
        if "locator" in value[0]:
            return "; ".join(f"{s['id']} ({s['locator']})" for s in value)
        if "citation" in value[0]:
            return "; ".join(s["citation"] for s in value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _flat_row(properties: dict[str, Any], citations: list[str], feature: Feature | UserFeature) -> dict[str, str]:
    row = {key: _cell(value) for key, value in properties.items()}
    row["citations"] = " | ".join(f"[{n}] {text}" for n, text in enumerate(citations, start=1))
    point = feature.geometry if feature.geometry.geom_type == "Point" else None
    row["longitude"] = f"{point.x:.5f}" if point else ""
    row["latitude"] = f"{point.y:.5f}" if point else ""
    row["wkt"] = feature.geometry.wkt
    return row


def flat_rows(catalog: Catalog, view: ViewFilter, user_layers: UserLayers | None = None) -> list[dict[str, str]]:
    """One row per feature, nested values as readable text; geometry as WKT and, for
    points, longitude/latitude columns."""
    rows = []
    for feature in visible_features(catalog, view):
        citations = [c.full("text") for c in view_citations(catalog, feature, view)]
        rows.append(_flat_row(export_properties(feature, view, catalog.bibliography), citations, feature))
    for feature in visible_user_features(user_layers, view):
        rows.append(_flat_row(user_export_properties(feature), list(feature.sources), feature))
    return rows


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP):
# such text cells get a leading apostrophe, which spreadsheets show as text and do not run.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC_COLUMNS = frozenset({"longitude", "latitude"})


def spreadsheet_safe(value: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(catalog: Catalog, view: ViewFilter, user_layers: UserLayers | None = None) -> str:
    rows = [
        {key: value if key in _NUMERIC_COLUMNS else spreadsheet_safe(value) for key, value in row.items()}
        for row in flat_rows(catalog, view, user_layers)
    ]
    leading = ["id", "layer", "name", "start", "end", "precision"]
    columns = leading + sorted({key for row in rows for key in row} - set(leading) - {"longitude", "latitude", "wkt"})
    columns += ["longitude", "latitude", "wkt"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def export_bytes(catalog: Catalog, view: ViewFilter, fmt: str, user_layers: UserLayers | None = None) -> bytes:
    """Any export format as bytes, for download buttons."""
    if fmt == "geojson":
        return to_geojson(catalog, view, user_layers).encode("utf-8")
    if fmt == "csv":
        return to_csv(catalog, view, user_layers).encode("utf-8")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"export.{fmt}"
        write_with_gdal(catalog, view, path, fmt, user_layers)
        return path.read_bytes()


def write_with_gdal(
    catalog: Catalog, view: ViewFilter, path: Path, fmt: str, user_layers: UserLayers | None = None
) -> None:
    """KML and GeoPackage through GDAL (pyogrio); one GeoPackage table per layer."""
    import geopandas as gpd
    from shapely import wkt

    rows = flat_rows(catalog, view, user_layers)
    if not rows:
        raise ValueError("nothing to export for this filter")
    # Rows of different layers have different keys: fill the gaps with "" (not NaN), so
    # that the per-layer GeoPackage tables drop the columns their layer never uses.
    columns = list(dict.fromkeys(key for row in rows for key in row if key != "wkt"))
    frame = gpd.GeoDataFrame(
        [{key: row.get(key, "") for key in columns} for row in rows],
        geometry=[wkt.loads(row["wkt"]) for row in rows],
        crs="EPSG:4326",
    )
    path = Path(path)
    if path.exists():
        path.unlink()
    if fmt == "gpkg":
        for layer, part in frame.groupby("layer"):
            columns = [c for c in part.columns if c == "geometry" or (part[c] != "").any()]
            part[columns].to_file(path, layer=str(layer), driver="GPKG", engine="pyogrio")
    elif fmt == "kml":
        frame = frame.rename(columns={"name": "Name"})
        frame["Description"] = [
            kml_description(catalog, feature, view) for feature in visible_features(catalog, view)
        ] + [user_kml_description(feature) for feature in visible_user_features(user_layers, view)]
        _write_kml_folders(frame, path)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def kml_description(catalog: Catalog, feature: Feature, view: ViewFilter) -> str:
    """Google Earth renders a description as HTML, so every value is escaped and the
    citations come from the one renderer (links http(s) only)."""
    citations = view_citations(catalog, feature, view)
    items = "".join(f"<li>{c.full('html')} <i>Supports:</i> {html.escape(c.claim)}</li>" for c in citations)
    span = html.escape(span_label(feature.props.start, feature.props.end))
    return f"<p><b>{html.escape(feature.layer)}</b>, {span}</p><p>Sources:</p><ol>{items}</ol>"


def user_kml_description(feature: UserFeature) -> str:
    """The user's feature as Google Earth shows it: marked as the user's, every value
    escaped, only http(s) sources made links."""
    span = html.escape(span_label(feature.start, feature.end))
    heading = (
        f"<p><b>{html.escape(user_legend_label(feature.layer))}</b> (your data, not checked by the project), {span}</p>"
    )
    sources = "".join(f"<li>{user_source(text, 'html')}</li>" for text in feature.sources)
    attributes = "".join(
        f"<li>{html.escape(key)}: {html.escape(text)}</li>" for key, text in feature.attributes.items()
    )
    return (
        heading
        + (f"<p>Sources:</p><ol>{sources}</ol>" if sources else "<p>No sources given.</p>")
        + (f"<ul>{attributes}</ul>" if attributes else "")
    )


def _layer_order(layer: str) -> tuple[int, str]:
    """Curated layers in their order, then the user's by name."""
    return (LAYERS.index(layer), "") if layer in LAYERS else (len(LAYERS), layer)


def _write_kml_folders(frame, path: Path) -> None:
    """One KML folder per dataset layer, as Google Earth users expect. GDAL's KML driver
    writes one layer per file, so each layer is written alone and the folders merged."""
    ET.register_namespace("", KML_NAMESPACE)
    merged: ET.Element | None = None
    with tempfile.TemporaryDirectory() as directory:
        for number, layer in enumerate(sorted(frame["layer"].unique(), key=_layer_order)):
            part = frame[frame["layer"] == layer]
            columns = [c for c in part.columns if c == "geometry" or (part[c] != "").any()]
            # A user layer's name is neither a file name nor, for GDAL, an XML name: write it
            # under a plain one and put the real name (escaped by ElementTree) on the folder.
            plain = layer if layer in LAYERS else f"user_layer_{number}"
            single = Path(directory) / f"{plain}.kml"
            part[columns].to_file(single, layer=plain, driver="KML", engine="pyogrio")
            root = ET.parse(single).getroot()
            for folder in root.iter(f"{{{KML_NAMESPACE}}}Folder"):
                folder.find(f"{{{KML_NAMESPACE}}}name").text = str(layer)
            if merged is None:
                merged = root
                continue
            document = merged.find(f"{{{KML_NAMESPACE}}}Document")
            for child in root.find(f"{{{KML_NAMESPACE}}}Document"):
                document.append(child)
    ET.ElementTree(merged).write(path, encoding="utf-8", xml_declaration=True)
