"""Region views: named frames a briefer uses most, shared by the interactive map (URL state),
the static map, the PDF pack and the CLI (`--region`). A frame is a bounding box in
degrees (west, south, east, north); each renderer fits it to its own canvas."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str
    title: str
    bbox: tuple[float, float, float, float]  # west, south, east, north (degrees)


REGIONS: dict[str, Region] = {
    region.code: region
    for region in (
        Region("eurasia", "Whole region", (24.0, 30.0, 100.0, 60.0)),
        Region("central-asia", "Central Asia", (46.0, 35.5, 88.0, 55.8)),
        Region("south-caucasus", "South Caucasus", (39.5, 38.2, 50.8, 43.8)),
        Region("kaz-rus-border", "Kazakhstan–Russia border", (45.5, 46.0, 88.0, 56.5)),
        Region("black-sea", "Black Sea", (26.5, 40.0, 42.5, 47.8)),
    )
}
DEFAULT_REGION = "eurasia"
