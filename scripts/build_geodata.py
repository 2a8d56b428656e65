"""Rebuild the geometry that derives from Natural Earth (make data).

Inputs: the vendored world-atlas TopoJSON (Natural Earth 4.1.0, 1:10m) and the
properties already in geodata/*.geojson. Outputs:
- geodata/basemap/countries.geojson: every country, simplified with shared borders
  kept (topojson), ISO3 codes, Crimea given to Ukraine (de jure); used for the land
  drawn under the map, the static map and the host-state check.
- geometry of geodata/states.geojson (by iso3), Russia without Crimea and Kazakhstan
  with the Baikonur lease area, Denmark with Greenland, so no polygon claims Crimea; a state listed in STATE_ISO3
  but missing from the file is added with its Natural Earth name and geometry, and its
  memberships are left for the author to write (validate reports them until then).
- geometry of the Crimea feature in geodata/disputed.geojson.
- geodata/borders.geojson: the Kazakhstan–Russia line at full 1:10m resolution.
Properties are never changed here: edit them in the layer files.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pycountry
import shapely
import topojson
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Point, Polygon, mapping
from shapely.ops import linemerge, unary_union

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "geodata" / "basemap" / "vendor" / "countries-10m.json"
GEODATA = ROOT / "geodata"
SIMPLIFY_DEG = 0.02  # about 2 km: finer than anything drawn at country scale
DECIMALS = 3
BORDER_DECIMALS = 5
DISPLAY_SIMPLIFY_DEG = 0.06
DISPLAY_REGION = (-25.0, -5.0, 180.0, 82.0)
# States almost wholly outside DISPLAY_REGION (the North American NATO members, Cuba) are
# drawn coarser: the map shows them only when panned away from the region, and Canada's
# islands alone would otherwise double the vertices the browser fills.
FAR_SIMPLIFY_DEG = 0.2
FAR_SHARE = 0.5  # less than this share of the state's area inside DISPLAY_REGION
FAR_MIN_PART_DEG2 = 0.1  # and their islands smaller than this (about 400-1,000 km2) are left out
# A point inside Crimea (Simferopol, see geodata/disputed.geojson) picks Crimea's
# polygon out of Russia's multipolygon in Natural Earth 4.1.0.
SIMFEROPOL = Point(34.1, 44.95)
# The states drawn in geodata/states.geojson: every member, observer and partner of the
# organizations the map covers (schema.ORGS), over each organization's whole life, not
# only the region's states. The display basemap stays regional (DISPLAY_REGION).
_STATE_CODES = """
AFG ALB ARE ARM AUT AZE BEL BGR BHR BIH BLR CAN CHE CHN CUB CZE DEU DNK
EGY ESP EST FIN FRA GBR GEO GRC HRV HUN IND IRL IRN ISL ITA KAZ KGZ KHM
KWT LAO LKA LTU LUX LVA MDA MDV MKD MLT MMR MNE MNG NLD NOR NPL PAK POL
PRT QAT ROU RUS SAU SRB SVK SVN SWE TJK TKM TUR UKR USA UZB
"""
STATE_ISO3: tuple[str, ...] = tuple(_STATE_CODES.split())
# Natural Earth rows without an ISO numeric code.
NAMED_CODES = {"Kosovo": "XKX", "N. Cyprus": "CYN", "Somaliland": "SOL"}


def iso3_of(numeric: str | None, name: str) -> str | None:
    if name in NAMED_CODES:
        return NAMED_CODES[name]
    if not isinstance(numeric, str):
        return None
    try:
        return pycountry.countries.get(numeric=numeric).alpha_3
    except (LookupError, AttributeError):
        return None


def polygons_only(geometry):
    geometry = shapely.make_valid(geometry)
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, (Polygon, MultiPolygon))]
    return unary_union(parts)


def rounded(geometry, decimals: int):
    return shapely.set_precision(geometry, 10**-decimals) if decimals else geometry


def split_crimea(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, Polygon]:
    russia = frame.index[frame.iso3 == "RUS"][0]
    parts = list(frame.at[russia, "geometry"].geoms)
    crimea = next(p for p in parts if p.contains(SIMFEROPOL))
    frame.at[russia, "geometry"] = MultiPolygon([p for p in parts if p is not crimea])
    return frame, crimea


def _unwrap_antimeridian(polygon: Polygon):
    """A ring that jumps from 180 to -180 (Chukotka, Wrangel Island) is read by GDAL
    as a band round the whole globe; shift its western part east, repair, and cut it
    back at 180 degrees."""
    west, _, east, _ = polygon.bounds
    if east - west <= 180:
        return shapely.make_valid(polygon)
    shifted = shapely.transform(polygon, lambda xy: np.where(xy[:, :1] < 0, xy + np.array([360.0, 0.0]), xy))
    shifted = shapely.make_valid(shifted)
    inside = shapely.clip_by_rect(shifted, -180, -90, 180, 90)
    beyond = translate(shapely.clip_by_rect(shifted, 180, -90, 540, 90), xoff=-360)
    return unary_union([inside, beyond])


def repaired(geometry):
    parts = getattr(geometry, "geoms", [geometry])
    return polygons_only(unary_union([_unwrap_antimeridian(p) for p in parts]))


def load_countries() -> gpd.GeoDataFrame:
    frame = gpd.read_file(VENDOR, layer="countries")
    # Natural Earth's quantized TopoJSON has self-touching rings; repair every country.
    frame["geometry"] = [repaired(g) for g in frame.geometry]
    frame["iso3"] = [iso3_of(i, n) for i, n in zip(frame["id"], frame["name"], strict=True)]
    # Baikonur is Kazakh territory leased to Russia: draw it as part of Kazakhstan.
    baikonur = frame.index[frame.name == "Baikonur"][0]
    kazakhstan = frame.index[frame.iso3 == "KAZ"][0]
    frame.at[kazakhstan, "geometry"] = frame.at[kazakhstan, "geometry"].union(frame.at[baikonur, "geometry"])
    return frame.drop(index=baikonur).reset_index(drop=True)


def simplified(frame: gpd.GeoDataFrame, tolerance: float = SIMPLIFY_DEG, decimals: int = DECIMALS) -> gpd.GeoDataFrame:
    topology = topojson.Topology(frame[["iso3", "name", "geometry"]], toposimplify=tolerance, prevent_oversimplify=True)
    out = topology.to_gdf()
    out["geometry"] = [rounded(polygons_only(g), decimals) for g in out.geometry]
    return out[~out.geometry.is_empty]


def write_collection(path: Path, features: list[dict], name: str | None = None) -> None:
    document = {"type": "FeatureCollection"}
    if name:
        document["name"] = name
    document["features"] = features
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    head = json.dumps({k: v for k, v in document.items() if k != "features"}, ensure_ascii=False)[:-1]
    path.write_text(f'{head}, "features": [\n{lines}\n]}}\n', encoding="utf-8")


def replace_geometry(layer: str, geometries: dict[str, object], key: str) -> None:
    """Swap the geometry of features whose `key` property is in geometries."""
    path = GEODATA / f"{layer}.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    for feature in document["features"]:
        value = feature["properties"].get(key)
        if value in geometries:
            feature["geometry"] = mapping(geometries[value])
    write_collection(path, document["features"], layer)


def far_states(countries: gpd.GeoDataFrame) -> dict[str, object]:
    """The states of STATE_ISO3 that lie almost wholly outside DISPLAY_REGION, simplified
    together (their shared borders kept) at FAR_SIMPLIFY_DEG, without their smallest islands."""
    region = shapely.box(*DISPLAY_REGION)
    far = [
        r.Index
        for r in countries.itertuples()
        if r.iso3 in STATE_ISO3 and r.geometry.intersection(region).area < FAR_SHARE * r.geometry.area
    ]
    return coarse_shapes(countries, far)


def coarse_shapes(countries: gpd.GeoDataFrame, rows: list) -> dict[str, MultiPolygon]:
    """Those rows simplified together at FAR_SIMPLIFY_DEG, without their smallest islands."""
    coarse = simplified(gpd.GeoDataFrame(countries.loc[rows], crs=countries.crs), FAR_SIMPLIFY_DEG)
    return {
        r.iso3: MultiPolygon([p for p in getattr(r.geometry, "geoms", [r.geometry]) if p.area >= FAR_MIN_PART_DEG2])
        for r in coarse.itertuples()
    }


def with_greenland(countries: gpd.GeoDataFrame, denmark) -> MultiPolygon:
    """Denmark with Greenland, which is Danish territory and inside NATO through Denmark's
    membership (see state-dnk's sources); Natural Earth draws it as a country of its own.
    Greenland is drawn as coarsely as the far states."""
    greenland = coarse_shapes(countries, list(countries.index[countries.iso3 == "GRL"]))["GRL"]
    return MultiPolygon([*getattr(denmark, "geoms", [denmark]), *greenland.geoms])


def add_missing_states(names: dict[str, str]) -> list[str]:
    """Append a feature for each STATE_ISO3 code the layer lacks: id, name and the Natural
    Earth citation only. Its start and memberships must then be written by hand."""
    path = GEODATA / "states.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    present = {f["properties"]["iso3"] for f in document["features"]}
    added = [code for code in STATE_ISO3 if code not in present]
    for code in added:
        name = names[code]
        properties = {
            "id": f"state-{code.lower()}",
            "name": name,
            "iso3": code,
            "start": None,
            "end": None,
            "precision": "derived",
            "sources": [
                {
                    "id": "naturalearth-admin0-10m",
                    "locator": f"feature {name}",
                    "claim": "boundary polygon (simplified by this project)",
                }
            ],
            "memberships": [],
        }
        document["features"].append({"type": "Feature", "geometry": None, "properties": properties})
    unlisted = sorted(present - set(STATE_ISO3))
    if unlisted:
        print(f"states.geojson has states not in STATE_ISO3: {', '.join(unlisted)}")
    write_collection(path, document["features"], "states")
    return added


def main() -> None:
    countries = load_countries()
    countries, crimea_full = split_crimea(countries)
    # Crimea becomes a feature of its own before simplifying, so that its shared
    # boundary with Ukraine stays one arc.
    crimea_row = gpd.GeoDataFrame({"iso3": [None], "name": ["Crimea"]}, geometry=[crimea_full], crs=countries.crs)
    display = simplified(gpd.GeoDataFrame(pd.concat([countries, crimea_row], ignore_index=True), crs=countries.crs))
    crimea = display.loc[display.name == "Crimea", "geometry"].iloc[0]
    display = display[display.name != "Crimea"]

    basemap = display.copy()
    ukraine_row = basemap.index[basemap.iso3 == "UKR"][0]
    basemap.at[ukraine_row, "geometry"] = polygons_only(basemap.at[ukraine_row, "geometry"].union(crimea))
    write_collection(
        GEODATA / "basemap" / "countries.geojson",
        [
            {"type": "Feature", "properties": {"iso3": r.iso3, "name": r.name}, "geometry": mapping(r.geometry)}
            for r in basemap.itertuples()
        ],
    )
    # A coarser copy, clipped to the region the organizations span, is what the
    # browser receives under the map (the deck budget is 1 MB).
    coarse = simplified(countries, DISPLAY_SIMPLIFY_DEG, 2)
    clipped = [polygons_only(shapely.clip_by_rect(g, *DISPLAY_REGION)) for g in coarse.geometry]
    write_collection(
        GEODATA / "basemap" / "land-display.geojson",
        [{"type": "Feature", "properties": {}, "geometry": mapping(g)} for g in clipped if not g.is_empty],
    )
    added = add_missing_states({r.iso3: r.name for r in display.itertuples() if r.iso3})
    if added:
        print(f"added states {', '.join(added)}: write their start and memberships in geodata/states.geojson")
    state_shapes = {r.iso3: r.geometry for r in display.itertuples() if r.iso3}
    state_shapes.update(far_states(countries))
    state_shapes["DNK"] = with_greenland(countries, state_shapes["DNK"])
    replace_geometry("states", state_shapes, "iso3")
    replace_geometry("disputed", {"disputed-crimea": crimea}, "id")

    kazakhstan = countries.loc[countries.iso3 == "KAZ", "geometry"].iloc[0]
    russia = countries.loc[countries.iso3 == "RUS", "geometry"].iloc[0]
    shared = linemerge(kazakhstan.boundary.intersection(russia.boundary))
    replace_geometry("borders", {"border-kaz-rus": rounded(shared, BORDER_DECIMALS)}, "id")


if __name__ == "__main__":
    main()
