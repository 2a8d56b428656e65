"""The map's colours as a colour-blind reader and a greyscale printer see them.

Simulated with colorspacious (Machado et al. 2009 dichromacy at full severity) and
compared in CAM02-UCS, where a distance of about 1 is just noticeable; greyscale is
CIELab lightness."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert

from dashboard.symbology import DISPUTED_COLOR, LAND_COLOR, ROUTE_COLORS, ROUTE_DASHES, STATUS_COLORS, legend

DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")
# Normal vision, each simulated deficiency, and greyscale lightness: smallest allowed gaps.
NORMAL_MIN, DICHROMAT_MIN, GREY_MIN = 10.0, 6.0, 5.0


def on_land(color: list[int]) -> np.ndarray:
    """What the eye gets: the colour composited over the land colour, as sRGB in 0..1."""
    alpha = color[3] / 255 if len(color) > 3 else 1.0
    return (alpha * np.array(color[:3]) + (1 - alpha) * np.array(LAND_COLOR[:3])) / 255


def seen(rgb: np.ndarray, deficiency: str | None) -> np.ndarray:
    if deficiency:
        rgb = np.clip(
            cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}, "sRGB1"), 0, 1
        )
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def lightness(rgb: np.ndarray) -> float:
    return float(cspace_convert(rgb, "sRGB1", "CIELab")[0])


AREAS = {**{f"status {k}": v for k, v in STATUS_COLORS.items()}, "disputed": DISPUTED_COLOR, "land": LAND_COLOR}


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_area_colours_stay_apart_for_colour_blind_readers(deficiency):
    floor = NORMAL_MIN if deficiency is None else DICHROMAT_MIN
    for (a, ca), (b, cb) in itertools.combinations(AREAS.items(), 2):
        gap = np.linalg.norm(seen(on_land(ca), deficiency) - seen(on_land(cb), deficiency))
        assert gap >= floor, f"{a} and {b} are {gap:.1f} apart ({deficiency or 'normal vision'})"


def test_area_colours_stay_apart_in_greyscale_print():
    for (a, ca), (b, cb) in itertools.combinations(AREAS.items(), 2):
        gap = abs(lightness(on_land(ca)) - lightness(on_land(cb)))
        assert gap >= GREY_MIN, f"{a} and {b} differ by {gap:.1f} L* in greyscale"


def test_stronger_statuses_are_darker():
    order = ["member", "associate", "suspended", "assembly observer", "observer", "former", "partner"]
    levels = [lightness(on_land(STATUS_COLORS[s])) for s in order]
    assert levels == sorted(levels)


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_pipeline_classes_differ_in_colour_or_in_dashes(deficiency):
    through, bypass = (on_land(ROUTE_COLORS[k]) for k in ("through_russia", "bypassing_russia"))
    assert np.linalg.norm(seen(through, deficiency) - seen(bypass, deficiency)) >= DICHROMAT_MIN
    # Greyscale cannot tell them apart by colour alone: the dash pattern does.
    assert ROUTE_DASHES["through_russia"] != ROUTE_DASHES["bypassing_russia"]
    assert any(item.get("dash") for item in legend() if "bypassing" in item["label"])
