"""The printed map's frame: a region view fitted to a rectangle, in an equal-area projection.

The static map and the PDF frame the same region bounding boxes as the screen
(regions.py). Each region gets an Albers equal-area conic centred on it, so areas compare
fairly; the box is fitted to the map's rectangle and the rectangle filled to its corners.

Pure: no streamlit, no matplotlib.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from .loader import BASEMAP_PATH
from .regions import REGIONS, Region

Bounds = tuple[float, float, float, float]
SEGMENT_DEG = 1.0  # straight lon/lat edges get a vertex a degree, so they curve when projected
MARGIN_DEG = 1.0  # data is cut a little beyond the rectangle, so nothing ends inside it


def conic_crs(bbox: Bounds) -> str:
    """Albers equal-area with standard parallels at a sixth and five sixths of the box."""
    west, south, east, north = bbox
    span = north - south
    return (
        f"+proj=aea +lat_1={south + span / 6:.3f} +lat_2={north - span / 6:.3f} "
        f"+lat_0={(south + north) / 2:.3f} +lon_0={(west + east) / 2:.3f} +datum=WGS84 +units=m +no_defs"
    )


@dataclass(frozen=True)
class MapFrame:
    """A region fitted to a rectangle of the given width / height."""

    region: Region
    aspect: float

    @cached_property
    def crs(self) -> str:
        return conic_crs(self.region.bbox)

    @cached_property
    def _forward(self) -> Transformer:
        return Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)

    @cached_property
    def _inverse(self) -> Transformer:
        return Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)

    def project(self, geometries) -> np.ndarray:
        """Lon/lat geometries in the frame's projection (vectorised)."""

        def forward(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(self._forward.transform(xy[:, 0], xy[:, 1]))

        return shapely.transform(np.asarray(geometries, dtype=object), forward)

    def project_points(self, lonlat: np.ndarray) -> np.ndarray:
        if len(lonlat) == 0:
            return np.zeros((0, 2))
        return np.column_stack(self._forward.transform(lonlat[:, 0], lonlat[:, 1]))

    @cached_property
    def extent(self) -> Bounds:
        """The rectangle shown (projected metres): the region's box, widened or heightened
        about its centre to the rectangle's proportions."""
        outline = self.project([box(*self.region.bbox).segmentize(SEGMENT_DEG / 4)])[0]
        minx, miny, maxx, maxy = outline.bounds
        width, height = maxx - minx, maxy - miny
        if width / height < self.aspect:
            grow = (height * self.aspect - width) / 2
            minx, maxx = minx - grow, maxx + grow
        else:
            grow = (width / self.aspect - height) / 2
            miny, maxy = miny - grow, maxy + grow
        return minx, miny, maxx, maxy

    @cached_property
    def clip(self) -> BaseGeometry:
        """Lon/lat box that covers the whole rectangle: data is cut to it before projecting."""
        minx, miny, maxx, maxy = self.extent
        edge = box(minx, miny, maxx, maxy).segmentize(min(maxx - minx, maxy - miny) / 40)
        xy = shapely.get_coordinates(edge)
        lon, lat = self._inverse.transform(xy[:, 0], xy[:, 1])
        west, south, east, north = (
            max(min(lon) - MARGIN_DEG, -180.0),
            max(min(lat) - MARGIN_DEG, -89.0),
            min(max(lon) + MARGIN_DEG, 180.0),
            min(max(lat) + MARGIN_DEG, 89.0),
        )
        return box(west, south, east, north).segmentize(SEGMENT_DEG)

    def inside(self, xy: np.ndarray, inset: float = 0.0) -> np.ndarray:
        """Which projected points fall within the rectangle (less an inset, in metres)."""
        minx, miny, maxx, maxy = self.extent
        return (
            (xy[:, 0] >= minx + inset)
            & (xy[:, 0] <= maxx - inset)
            & (xy[:, 1] >= miny + inset)
            & (xy[:, 1] <= maxy - inset)
        )

    def cut(self, geometries) -> np.ndarray:
        """Geometries cut to the frame and projected; empty where they miss it."""
        cut = shapely.intersection(np.asarray(geometries, dtype=object), self.clip)
        return self.project(shapely.segmentize(cut, SEGMENT_DEG))


def map_frame(region_code: str, aspect: float) -> MapFrame:
    if region_code not in REGIONS:
        raise ValueError(f"unknown region {region_code!r}; one of {', '.join(REGIONS)}")
    return _frame(region_code, round(aspect, 4))


@lru_cache(maxsize=32)
def _frame(region_code: str, aspect: float) -> MapFrame:
    return MapFrame(REGIONS[region_code], aspect)


@lru_cache(maxsize=1)
def _countries(path: Path = BASEMAP_PATH) -> np.ndarray:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # the loader reports a missing basemap; the map draws without it
        return np.array([], dtype=object)
    return np.array([shape(raw["geometry"]) for raw in document["features"]], dtype=object)


@lru_cache(maxsize=32)
def basemap(frame: MapFrame) -> tuple[np.ndarray, np.ndarray]:
    """Natural Earth 1:10m land and the borders between countries (shared edges only, no
    coasts, as the canvas draws them), cut to the frame and projected."""
    countries = _countries()
    near = countries[shapely.intersects(countries, frame.clip)] if len(countries) else countries
    shapes = shapely.intersection(near, frame.clip)
    shapes = shapes[~shapely.is_empty(shapes)]
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    pairs = left < right
    edges = shapely.intersection(shapely.boundary(shapes[left[pairs]]), shapely.boundary(shapes[right[pairs]]))
    lines = shapely.get_parts(edges)
    lines = lines[np.isin(shapely.get_type_id(lines), (1, 2))]  # LineString, LinearRing
    return frame.project(shapely.segmentize(shapes, SEGMENT_DEG)), frame.project(lines)
