"""The map's colours as a colour-blind reader and a greyscale printer see them.

Simulated with colorspacious (Machado et al. 2009 dichromacy at full severity) and
compared in CAM02-UCS, where a distance of about 1 is just noticeable; greyscale is
CIELab lightness."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from colorspacious import cspace_convert

from dashboard import symbology
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


# --- One symbology ------------------------------------------------------------------------

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"
HEX = re.compile(r"(?<![\w&])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})\b")


def colour_literals(path: Path) -> list[tuple[int, str | tuple[int, ...]]]:
    """Colours written out in a module: lists of 3 or 4 integers 0..255 (deck.gl's form) and
    hex or rgb() colours in any string, f-strings included."""
    found: list[tuple[int, str | tuple[int, ...]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.List) and len(node.elts) in (3, 4):
            values = [e.value for e in node.elts if isinstance(e, ast.Constant) and type(e.value) is int]
            if len(values) == len(node.elts) and all(0 <= v <= 255 for v in values):
                found.append((node.lineno, tuple(values)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [(node.lineno, match) for match in HEX.findall(node.value)]
            found += [(node.lineno, node.value) for _ in re.findall(r"\brgba?\(", node.value)]
    return found


def test_colour_literals_finds_what_it_should(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        'A = [1, 2, 3]\nB = "x #a1b2c3 y"\nC = f"<i color=\'#fff\'>{A}</i>"\nD = [0, 9999]\nE = "&#123;"\n'
    )
    assert [value for _, value in colour_literals(probe)] == [(1, 2, 3), "#a1b2c3", "#fff"]


def test_no_colour_is_defined_outside_symbology():
    """symbology.py holds every colour; the browser code in frontend/ is checked apart
    (its sea colour below), the vendored deck.gl not at all."""
    stray = []
    for path in sorted(DASHBOARD.rglob("*.py")):
        if path.name == "symbology.py" or "frontend" in path.parts:
            continue
        stray += [f"{path.relative_to(DASHBOARD.parent)}:{line}: {value}" for line, value in colour_literals(path)]
    assert not stray, "colours defined outside symbology.py:\n" + "\n".join(stray)


def test_the_canvas_paints_the_sea_in_the_symbology_colour():
    css = (DASHBOARD / "frontend" / "canvas.css").read_text(encoding="utf-8")
    rule = re.search(r"#map-frame\s*\{([^}]*)\}", css)
    assert rule, "canvas.css has no #map-frame rule"
    background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", rule.group(1))
    assert background and background.group(1).lower() == symbology.hex_color(symbology.SEA_COLOR)


def test_print_legend_and_canvas_legend_are_one_list(catalog):
    """The canvas sends legend(); print draws a subset of the same entries, by key."""
    from dashboard.canvas import build_scene
    from dashboard.legend_print import legend_rows

    keys = {item["key"] for item in legend()}
    assert len(keys) == len(legend())
    _, texts, _ = legend_rows(keys, ())
    labels = {item["label"] for item in build_scene(catalog, {"features": []})["legend"]}
    printed = {" ".join(text.split()) for text in texts}
    groups = {item["group"] for item in legend()}
    assert printed - groups == {" ".join(label.split()) for label in labels}
