"""Shared fixtures: the shipped catalog, and small data sets written to tmp_path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

from dashboard.labels import label_rows, rows_in_year, state_label_id
from dashboard.loader import BIBLIOGRAPHY_PATH, GEODATA_DIR, Catalog, load_catalog
from dashboard.regions import REGIONS
from dashboard.schema import LAYERS

ROOT = Path(__file__).resolve().parent.parent
SEED_IDS = ("bayzakova2004", "bayzakova2004-abstract", "rousseau2011", "edm2009-astana", "samay2019")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped layers, label places and bibliography."""
    target = tmp_path / "geodata"
    target.mkdir()
    for name in (*LAYERS, "places"):
        shutil.copy(GEODATA_DIR / f"{name}.geojson", target / f"{name}.geojson")
    shutil.copy(BIBLIOGRAPHY_PATH, tmp_path / "bibliography.json")
    return tmp_path


def read_layer(directory: Path, layer: str) -> dict:
    return json.loads((directory / "geodata" / f"{layer}.geojson").read_text(encoding="utf-8"))


def write_layer(directory: Path, layer: str, document: dict) -> None:
    write_json(directory / "geodata" / f"{layer}.geojson", document)


def load_copy(directory: Path, **kwargs) -> Catalog:
    return load_catalog(directory / "geodata", directory / "bibliography.json", **kwargs)


def point_feature(feature_id: str, lon: float, lat: float, **props) -> dict:
    """A valid base feature citing a seed, for building broken variants in tests."""
    properties = {
        "id": feature_id,
        "name": "Test base",
        "host_iso3": "KGZ",
        "operator": "Russian Air Force",
        "type": "air base",
        "start": "2003",
        "end": None,
        "held_since_ussr": False,
        "start_basis": "agreement",
        "disputed_area": None,
        "precision": "town",
        "sources": [{"id": "samay2019", "locator": "para. 6", "claim": "test claim"}],
    }
    properties.update(props)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """`python -m dashboard ARGS` as a user runs it, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def user_point(name, lon: float = 76.9, lat: float = 43.25, **props) -> dict:
    """A valid user-layer feature: the light schema needs only a name and a geometry."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"name": name, **props},
    }


def user_collection(*features: dict, **members) -> dict:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def states_to_name(catalog: Catalog, region: str, year: int) -> dict[str, str]:
    """The names a stranger needs to tell a region view's states apart, by label row id:
    every state with at least a square degree of land inside the frame, named as in that year."""
    frame = shapely.box(*REGIONS[region].bbox)
    texts = {row["id"]: row["text"] for row in rows_in_year(label_rows(catalog)[0], year) if row["kind"] == "country"}
    return {
        state_label_id(state.id): texts[state_label_id(state.id)]
        for state in catalog.layer("states")
        if state.geometry.intersection(frame).area >= 1.0 and state_label_id(state.id) in texts
    }
