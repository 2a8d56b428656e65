"""The hostile input corpus (tests/hostile/): each file's exact problems and what still loads.

Every file is a user layer; most hold one valid feature ("Astana") beside the hostile ones,
to show that the valid rest loads. The huge inputs (100 MB, a million vertices, 100,000
levels of nesting) are made at test time in tmp_path. Text that arrives as markup must leave
as text: KML, SVG and PDF outputs are read back to check it.
"""

from __future__ import annotations

import html
import io
import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, user_collection, user_point
from pypdf import PdfReader

from dashboard import safejson, userlayers
from dashboard.briefing_pack import build_briefing_pdf
from dashboard.export import to_csv, write_with_gdal
from dashboard.selection import ViewFilter
from dashboard.static_map import render_static_map
from dashboard.userlayers import UserLayers, load_user_layers

HOSTILE = ROOT / "tests" / "hostile"
KML = "{http://www.opengis.net/kml/2.2}"
SCRIPT = "<script>alert(1)</script>"

# file -> its problems as "feature: field: message" (the file is checked apart), the names of
# the features that still load, and notes (accepted, but said).
CASES: list[tuple] = [
    (
        "bad-dates.geojson",
        [
            "#1: start: '1999-13' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "#2: start: '1999-02-30' is not a day of the calendar",
            "#3: start: 'yesterday' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "#4: start: Input should be a valid string",
            "#5: -: start 2005 is after end 2001",
            "#6: end: '2001-1' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "#7: start: '2000-01-01T00:00:00' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)",
        ],
        ["Astana", "h"],
    ),
    ("bad-escape.geojson", ["-: -: not valid JSON: Invalid \\uXXXX escape (line 1, column 143)"], []),
    (
        "bad-ids.geojson",
        [
            "#0: id: not text or a number; the feature's position #0 is used instead",
            "#1: id: not text or a number; the feature's position #1 is used instead",
            "#2: id: empty; the feature's position #2 is used instead",
            "#4: id: 201 characters; at most 200; the feature's position #4 is used instead",
        ],
        ["Astana", "True", "Empty", "Float", "Long"],
    ),
    ("bom.geojson", [], ["Astana"], ["starts with a UTF-8 byte order mark (BOM), which was ignored"]),
    (
        "control-characters.geojson",
        [
            "#1: name: contains U+0007, which cannot be shown as text",
            "#2: name: contains U+0000, which cannot be shown as text",
            "#3: name: contains U+001B, which cannot be shown as text",
            "#4: properties.note: contains U+0008, which cannot be shown as text; left out",
            "#5: properties.note: contains U+DFFF, which cannot be shown as text; left out",
            "#6: name: contains U+0085, which cannot be shown as text",
        ],
        ["Astana", "Almaty", "Bishkek"],
    ),
    (
        "coordinates-out-of-range.geojson",
        [
            "#1: geometry: position (180.5, 10) is outside longitude -180..180 / latitude -90..90",
            "#2: geometry: position (10, -90.01) is outside longitude -180..180 / latitude -90..90",
            "#3: geometry: position 2 (10, 95) is outside longitude -180..180 / latitude -90..90",
        ],
        ["Astana", "Edge"],
    ),
    (
        "coordinates-wrong-type.geojson",
        [
            "#1: geometry: position holds something other than numbers",
            "#2: geometry: position is not [longitude, latitude]",
            "#3: geometry: position holds something other than numbers",
            "#4: geometry: position is not [longitude, latitude]",
            "#5: geometry: position is not [longitude, latitude]",
        ],
        ["Astana", "Height"],
    ),
    (
        "data-links.geojson",
        [
            "#0: sources.0: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==' is a link but not an http(s) one; left out",
            "#0: sources.1: 'DATA:text/html,<script>alert(1)</script>' is a link but not an http(s) one; left out",
        ],
        ["Almaty"],
    ),
    ("deep-nesting.geojson", ["-: -: arrays and objects nest more than 32 levels deep"], []),
    ("duplicate-collection-keys.geojson", ["-: -: the key 'features' appears twice in the collection"], []),
    (
        "duplicate-ids.geojson",
        [
            "a: id: duplicate id: feature #0 has it; left out",
            "1: id: duplicate id: feature #2 has it; left out",
            "a: id: duplicate id: feature #0 has it; left out",
            "#6: id: duplicate id: feature #5 has it; left out",
        ],
        ["Astana", "Number one", "Position id"],
    ),
    (
        "duplicate-keys.geojson",
        [
            "#1: properties.name: appears twice in one object; which one is meant is unclear",
            "#2: geometry: the key 'coordinates' appears twice",
            "#3: properties.note: the key 'a' appears twice in one object; left out",
        ],
        ["Astana", "Bishkek"],
    ),
    (
        "empty-geometries.geojson",
        [
            "#1: geometry: empty geometry (no coordinates)",
            "#2: geometry: empty geometry (no coordinates)",
            "#3: geometry: empty geometry (no coordinates)",
            "#4: geometry: coordinates do not nest as a Polygon's do",
        ],
        ["Astana"],
    ),
    ("empty.geojson", ["-: -: empty file: no JSON in it"], []),
    ("features-not-a-list.geojson", ["-: features: missing or not a list"], []),
    (
        "html-in-every-field.geojson",
        [
            "<script>alert(1)</script>: sources.2: 'https://example.org/a?b=<c>&d=e' holds a space, quote or angle bracket, which a link may not; left out"
        ],
        ["<script>alert(1)</script>"],
    ),
    ("spreadsheet-formulas.geojson", [], ['=HYPERLINK("http://example.org/x","Click")']),
    ("huge-number.geojson", ["#1: geometry: position is unreadable: the number 1e400 is too large"], ["Astana"]),
    (
        "infinity-property.geojson",
        ["#1: properties.population: -Infinity is not a JSON number; left out"],
        ["Astana", "Almaty"],
    ),
    (
        "javascript-links.geojson",
        [
            "#0: sources.0: 'javascript:alert(1)' is a link but not an http(s) one; left out",
            "#0: sources.1: 'JaVaScRiPt:alert(document.cookie)' is a link but not an http(s) one; left out",
            "#0: sources.2: 'java\\tscript:alert(1)' is a link but not an http(s) one; left out",
            "#0: sources.3: 'vbscript:msgbox(1)' is a link but not an http(s) one; left out",
        ],
        ["Almaty"],
    ),
    ("latin1.geojson", ["-: -: not UTF-8 text: byte 0xe9 at offset 399 cannot be decoded"], []),
    (
        "lone-surrogate.geojson",
        ["#1: name: Input should be a valid string, unable to parse raw data as a unicode string"],
        ["Astana"],
    ),
    (
        "long-integer.geojson",
        ["#1: properties.count: a number of 150 digits is too long; left out"],
        ["Astana", "Almaty"],
    ),
    (
        "long-text.geojson",
        [
            "#1: name: 10,001 characters; at most 10,000",
            "#2: properties.note: 10,001 characters; at most 10,000; left out",
            "#3: sources.0: 10,001 characters; at most 10,000; left out",
        ],
        ["Astana", "Almaty", "Bishkek"],
    ),
    (
        "name-missing.geojson",
        ["#1: name: Field required", "#2: name: Field required", "#3: name: Field required"],
        ["Astana"],
    ),
    (
        "name-wrong-type.geojson",
        [
            "#1: name: Input should be a valid string",
            "#2: name: Input should be a valid string",
            "#3: name: String should have at least 1 character",
            "#4: name: Input should be a valid string",
            "#5: name: Input should be a valid string",
        ],
        ["Astana"],
    ),
    ("nan-coordinate.geojson", ["#1: geometry: position is unreadable: NaN is not a JSON number"], ["Astana"]),
    (
        "not-features.geojson",
        [
            "#1: -: not a GeoJSON Feature object",
            "#2: -: not a GeoJSON Feature object",
            "#3: -: not a GeoJSON Feature object",
            "#4: -: not a GeoJSON Feature object",
            "#5: -: not a GeoJSON Feature object",
        ],
        ["Astana"],
    ),
    ("not-json.geojson", ["-: -: not valid JSON: Expecting value (line 1, column 1)"], []),
    (
        "other-links.geojson",
        [
            "#0: sources.0: 'file:///etc/passwd' is a link but not an http(s) one; left out",
            "#0: sources.1: 'ftp://example.org/a.pdf' is a link but not an http(s) one; left out",
            "#0: sources.2: 'http://exa mple.org' holds a space, quote or angle bracket, which a link may not; left out",
            "#0: sources.3: 'https://example.org/\"onmouseover=\"alert(1)' holds a space, quote or angle bracket, which a link may not; left out",
            "#0: sources.4: 'mailto:a@example.org' is a link but not an http(s) one; left out",
        ],
        ["Almaty"],
    ),
    (
        "projected-crs.geojson",
        ["-: crs: declares a coordinate system other than WGS84 longitude/latitude; reproject it (RFC 7946 GeoJSON)"],
        [],
    ),
    ("properties-not-object.geojson", ["#1: properties: not an object"], ["Astana"]),
    (
        "self-intersecting.geojson",
        [
            "#1: geometry: invalid: Self-intersection[71 41]",
            "#2: geometry: invalid: Hole lies outside shell[73 43]",
            "#4: geometry: invalid: Too few points in geometry component[70 40]",
        ],
        ["Astana", "Crossing line"],
    ),
    (
        "short-geometries.geojson",
        [
            "#1: geometry: ring 1 has 3 positions; a closed ring needs at least 4",
            "#2: geometry: has 1 position; a line needs at least 2",
            "#3: geometry: line 2 has 1 position; a line needs at least 2",
        ],
        ["Astana"],
    ),
    ("single-feature.geojson", ["-: type: not a GeoJSON FeatureCollection"], []),
    (
        "single-quotes.geojson",
        ["-: -: not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)"],
        [],
    ),
    ("top-level-array.geojson", ["-: type: not a GeoJSON FeatureCollection"], []),
    (
        "trailing-comma.geojson",
        ["-: -: not valid JSON: Expecting property name enclosed in double quotes (line 19, column 1)"],
        [],
    ),
    ("truncated.geojson", ["-: -: not valid JSON: Unterminated string starting at (line 14, column 13)"], []),
    (
        "unclosed-ring.geojson",
        [
            "#1: geometry: ring 1 is not closed: its last position differs from its first",
            "#2: geometry: ring 2 has 3 positions; a closed ring needs at least 4",
        ],
        ["Astana"],
    ),
    (
        "unsupported-geometries.geojson",
        [
            "#1: geometry: type 'GeometryCollection' is not supported (use one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon)",
            "#2: geometry: type 'Circle' is not supported (use one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon)",
            "#3: geometry: missing or not an object",
            "#4: geometry: missing or not an object",
            "#5: geometry: type 'point' is not supported (use one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon)",
        ],
        ["Astana"],
    ),
    ("utf16.geojson", ["-: -: UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8"], []),
    ("whitespace-only.geojson", ["-: -: empty file: no JSON in it"], []),
    (
        "wrong-nesting.geojson",
        [
            "#1: geometry: ring 1 position 1 is not [longitude, latitude]",
            "#2: geometry: position 1 is not [longitude, latitude]",
            "#3: geometry: position is not [longitude, latitude]",
            "#4: geometry: polygon 1 ring 1 position 1 is not [longitude, latitude]",
        ],
        ["Astana"],
    ),
    (
        "wrong-value-types.geojson",
        [
            "#1: sources: must be a list of texts or http(s) links; left out",
            "#2: sources.0: not text; left out",
            "#2: sources.1: not text; left out",
            "#2: sources.2: not text; left out",
        ],
        ["Astana", "Almaty", "Bishkek", "Osh"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_hostile_file_gives_its_exact_problems_and_the_valid_rest_loads(case):
    name, problems, loaded, *notes = case
    layers = load_user_layers([HOSTILE / name])
    assert [f"{p.feature_id or '-'}: {p.field or '-'}: {p.message}" for p in layers.problems] == problems
    assert {p.file for p in layers.problems} <= {f"tests/hostile/{name}"}
    assert [f.name for f in layers.features] == loaded
    assert [n.message for n in layers.notes] == (notes[0] if notes else [])


def test_the_corpus_is_large_and_every_file_is_in_the_table():
    files = sorted(path.name for path in HOSTILE.glob("*.geojson"))
    assert len(files) >= 40
    assert files == sorted(case[0] for case in CASES)


# --- Huge and special inputs, made at test time --------------------------------------


def test_a_100_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.geojson"
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.write(json.dumps(user_collection(user_point("Almaty"))).encode())
        handle.truncate(100 * 1024 * 1024)

    def parse_refused(*args, **kwargs):
        raise AssertionError("a file over the limit was parsed")

    monkeypatch.setattr(userlayers, "parse_json_bytes", parse_refused)
    started = time.perf_counter()
    layers = load_user_layers([path])
    assert time.perf_counter() - started < 1.0
    assert [str(p) for p in layers.problems] == [f"{path}: -: -: 104,857,600 bytes; at most 52,428,800 bytes are read"]
    assert layers.features == []


def test_a_100_mb_upload_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(safejson, "json", None)  # parsing would fail loudly here
    layers = UserLayers()
    started = time.perf_counter()
    layers.add_bytes("upload.geojson", b" " * (100 * 1024 * 1024))
    assert time.perf_counter() - started < 1.0
    assert [str(p) for p in layers.problems] == [
        "upload.geojson: -: -: 104,857,600 bytes; at most 52,428,800 bytes are read"
    ]


def test_a_million_vertices_are_refused_and_the_rest_loads(tmp_path):
    line = [[50 + i * 1e-5, 40.0] for i in range(1_000_000)]
    document = user_collection(
        user_point("Astana", 71.45, 51.17),
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": line}, "properties": {"name": "Long"}},
    )
    path = tmp_path / "vertices.geojson"
    path.write_text(json.dumps(document))
    layers = load_user_layers([path])
    assert [f"{p.feature_id}: {p.field}: {p.message}" for p in layers.problems] == [
        "#1: geometry: 1,000,000 vertices; at most 100,000 per feature"
    ]
    assert [f.name for f in layers.features] == ["Astana"]


def test_nesting_100000_levels_deep_is_refused_without_recursion_error():
    body = b"[" * 100_000 + b"]" * 100_000
    layers = UserLayers()
    layers.add_bytes("deep.geojson", b'{"type": "FeatureCollection", "features": [' + body + b"]}")
    assert [p.message for p in layers.problems] == ["arrays and objects nest more than 32 levels deep"]
    unclosed = UserLayers()
    unclosed.add_bytes("unclosed.geojson", b"[" * 100_000)
    assert [p.message for p in unclosed.problems] == ["arrays and objects nest more than 32 levels deep"]


def test_a_pipe_or_a_device_is_refused_and_never_waited_on(tmp_path):
    import os

    fifo = tmp_path / "pipe.geojson"
    os.mkfifo(fifo)
    device = tmp_path / "zero.geojson"
    device.symlink_to("/dev/zero")
    layers = load_user_layers([fifo, device])
    assert [(Path(p.file).name, p.message) for p in layers.problems] == [
        ("pipe.geojson", "not a regular file"),
        ("zero.geojson", "not a regular file"),
    ]


# --- Markup in, text out -----------------------------------------------------------------

IMG = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def markup_layers() -> UserLayers:
    """The corpus file with markup in every field, a layer whose name is markup, and one
    whose name matplotlib would read as mathtext."""
    layers = load_user_layers([HOSTILE / "html-in-every-field.geojson"])
    for name in ("<script>alert(1)", "price $5 and $6"):
        layers.add_bytes(f"{name}.geojson", json.dumps(user_collection(user_point(SCRIPT))).encode())
    assert layers.names == ["html-in-every-field", "<script>alert(1)", "price $5 and $6"]
    return layers


def test_markup_is_text_in_kml(catalog, markup_layers, tmp_path):
    path = tmp_path / "out.kml"
    write_with_gdal(catalog, ViewFilter.make(year=2010, layers=["events"]), path, "kml", markup_layers)
    raw = path.read_text(encoding="utf-8")
    assert "<script" not in raw and "<img" not in raw and "<b>bold" not in raw
    root = ET.parse(path).getroot()
    folders = [folder.findtext(f"{KML}name") for folder in root.iter(f"{KML}Folder")]
    assert folders[-3:] == ["user:<script>alert(1)", "user:html-in-every-field", "user:price $5 and $6"]
    folder = next(f for f in root.iter(f"{KML}Folder") if f.findtext(f"{KML}name") == "user:html-in-every-field")
    placemark = folder.find(f"{KML}Placemark")
    assert placemark.findtext(f"{KML}name") == SCRIPT
    # Google Earth renders the description as HTML: every user value in it is escaped.
    description = placemark.findtext(f"{KML}description")
    for value in (SCRIPT, IMG, "<b>bold</b> & <i>italic</i> ]]> <!-- -->"):
        assert html.escape(value) in description
    assert "<script" not in description and "<img" not in description
    fields = {item.get("name"): item.text for item in placemark.iter(f"{KML}SimpleData")}
    assert fields["user_layer"] == "true" and fields["layer"] == "user:html-in-every-field"
    assert f"{SCRIPT}: {IMG}" in fields["attributes"]


def test_markup_is_text_in_svg(catalog, markup_layers):
    buffer = io.BytesIO()
    render_static_map(catalog, ViewFilter.make(year=2010, orgs=["CSTO"]), buffer, "svg", user_layers=markup_layers)
    svg = buffer.getvalue().decode("utf-8")
    assert "<script" not in svg
    assert "Your layer: &lt;script&gt;alert(1)" in svg
    texts = ["".join(node.itertext()) for node in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "Your layer: <script>alert(1)" in texts and "Your layer: price $5 and $6" in texts


def test_markup_shows_literally_in_the_pdf(catalog, markup_layers, tmp_path):
    path = tmp_path / "brief.pdf"
    build_briefing_pdf(catalog, ViewFilter.make(year=2010, layers=["events"]), path, user_layers=markup_layers)
    text = "".join("".join(page.extract_text() for page in PdfReader(path).pages).split())
    # Each cell as written: the name then its kind, the layer's name, the sources.
    for value in (
        f"{SCRIPT}Yourlayer:html-in-every-field",
        f"{SCRIPT}Yourlayer:<script>alert(1)",
        f"{SCRIPT};{IMG}",
        "Yourlayers:Yourlayer:html-in-every-field,Yourlayer:<script>alert(1)",
    ):
        assert "".join(value.split()) in text


# --- The command line on the corpus ------------------------------------------------------

# A sample of the corpus (a command loads at most MAX_LAYERS user layers).
CLI_FILES = (
    "truncated.geojson",
    "latin1.geojson",
    "bom.geojson",
    "deep-nesting.geojson",
    "duplicate-ids.geojson",
    "javascript-links.geojson",
    "self-intersecting.geojson",
    "control-characters.geojson",
    "bad-dates.geojson",
)


def test_validate_reports_every_problem_in_the_corpus_one_line_each_without_traceback(catalog):
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "validate", *(f"tests/hostile/{name}" for name in CLI_FILES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problems, notes, loaded = [], [], 0
    by_name = {case[0]: case for case in CASES}
    for name, file_problems, names, *file_notes in (by_name[name] for name in CLI_FILES):
        problems += [f"tests/hostile/{name}: {problem}" for problem in file_problems]
        notes += [f"note: tests/hostile/{name}: -: -: {note}" for note in (file_notes[0] if file_notes else [])]
        loaded += len(names)
    assert result.stdout.splitlines() == problems + notes
    assert result.stderr.strip() == f"{len(problems)} problem(s); {len(catalog.features) + loaded} valid feature(s)"


def test_formulas_stay_text_in_csv(catalog):
    """A cell that a spreadsheet would run (=, +, -, @, tab) starts with an apostrophe; nothing
    else changes and our own coordinates stay numbers."""
    import csv

    layers = load_user_layers([HOSTILE / "spreadsheet-formulas.geojson"])
    rows = list(csv.DictReader(io.StringIO(to_csv(catalog, ViewFilter.make(year=2010, layers=["bases"]), layers))))
    (row,) = [r for r in rows if r["layer"] == "user:spreadsheet-formulas"]
    assert row["name"] == '\'=HYPERLINK("http://example.org/x","Click")'
    assert row["sources"] == "'+cmd|' /C calc'!A0; @SUM(1+1)*cmd|' /C calc'!A0"
    cells = [value for r in rows for key, value in r.items() if key not in ("longitude", "latitude")]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert row["longitude"] == "71.45000"
    assert next(r for r in rows if r["id"] == "base-kant")["name"] == "Kant Air Base"
