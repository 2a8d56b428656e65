"""Static maps and the briefing PDF, read back with independent readers."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import numpy as np
import pytest
from matplotlib.image import imread
from pypdf import PdfReader

from dashboard.briefing_pack import Footnotes, build_briefing_pdf, data_version
from dashboard.citations import resolve
from dashboard.loader import Catalog, Feature
from dashboard.selection import ViewFilter, feature_refs, visible_features
from dashboard.static_map import render_static_map
from dashboard.symbology import HIGHLIGHT_COLOR

MAGENTA = np.array(HIGHLIGHT_COLOR[:3]) / 255


def _magenta_pixels(image: np.ndarray) -> int:
    return int((np.abs(image[..., :3] - MAGENTA) < 0.08).all(axis=-1).sum())


@pytest.fixture(scope="module")
def csto_2010() -> ViewFilter:
    return ViewFilter.make(year=2010, orgs=["CSTO"])


@pytest.fixture(scope="module")
def pdf_text(catalog, csto_2010, tmp_path_factory) -> tuple[int, str]:
    path = tmp_path_factory.mktemp("brief") / "brief.pdf"
    build_briefing_pdf(catalog, csto_2010, path, compare_to=2000, generated=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_png_is_a_drawn_map(catalog, csto_2010, tmp_path):
    path = tmp_path / "map.png"
    render_static_map(catalog, csto_2010, path)
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 800 and image.shape[1] > 1200
    assert image[..., :3].std() > 0.1  # not blank
    assert len(np.unique(image[::4, ::4, :3].reshape(-1, 3), axis=0)) > 50
    assert _magenta_pixels(image) == 0  # nothing highlighted unless asked


def test_highlight_draws_magenta(catalog, csto_2010):
    buffer = io.BytesIO()
    render_static_map(catalog, csto_2010, buffer, highlight_ids={"state-kaz", "base-kant"})
    buffer.seek(0)
    assert _magenta_pixels(imread(buffer)) > 500


def test_svg_parses_and_has_title_with_year(catalog, tmp_path):
    path = tmp_path / "map.svg"
    render_static_map(catalog, ViewFilter.make(year=2004, orgs=["CSTO", "SCO"]), path, fmt="svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    texts = ["".join(element.itertext()) for element in root.iter() if element.tag.endswith("text")]
    assert any("2004" in text and "CSTO" in text for text in texts)
    assert any("Organizations: CSTO, SCO" in text for text in texts)
    assert any("Natural Earth 1:10m v4.1.0" in text for text in texts)


def test_unknown_map_format(catalog, csto_2010, tmp_path):
    with pytest.raises(ValueError, match="format"):
        render_static_map(catalog, csto_2010, tmp_path / "map.gif", fmt="gif")


def test_pdf_has_title_table_changes_and_seed_footnotes(pdf_text):
    pages, text = pdf_text
    assert pages >= 4
    assert "2010" in text and "Organizations: CSTO" in text and "Data version" in text
    assert "2026-01-02" in text
    assert "Kazakhstan" in text and "Visible features" in text
    assert "Changes since 2000" in text and "Uzbekistan" in text
    assert "Bayzakova" in text and "Samay" in text
    assert "Bibliography" in text


def test_pdf_footnotes_cover_every_visible_citation(catalog, csto_2010, pdf_text):
    _, text = pdf_text
    notes = Footnotes()
    for feature in visible_features(catalog, csto_2010):
        for citation in resolve(feature_refs(feature, csto_2010, 2010), catalog.bibliography):
            notes.add(citation)
    assert len(notes.numbers) > 20
    flat = " ".join(text.split())
    # The last note is numbered, and the table's sources reach that number.
    assert f"{len(notes.numbers)}. " in flat
    for citation in notes.citations[:5]:
        assert citation.entry.title.split()[0] in flat


def test_footnotes_merge_same_source_and_locator(catalog):
    entry = next(iter(catalog.bibliography.values()))
    from dashboard.citations import Citation

    notes = Footnotes()
    first = notes.add(Citation(entry.id, "p. 1", "a claim", entry))
    again = notes.add(Citation(entry.id, "p. 1", "another claim", entry))
    other = notes.add(Citation(entry.id, "p. 2", "a claim", entry))
    assert (first, again, other) == (1, 1, 2)


def test_pdf_escapes_data(catalog, tmp_path):
    evil = "Evil <b>bold</b> & <font size=40>co</font>"
    features = [
        Feature(f.layer, f.props.model_copy(update={"name": evil}), f.geometry, f.file) if f.id == "base-kant" else f
        for f in catalog.features
    ]
    tricky = Catalog(features, catalog.bibliography)
    path = tmp_path / "evil.pdf"
    build_briefing_pdf(tricky, ViewFilter.make(year=2010, layers=["bases"]), path)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert evil in text


def test_data_version():
    version = data_version()
    assert "data sha256" in version and len(version) > 15


def test_pdf_frames_the_region_and_prints_the_map_at_its_size(catalog, tmp_path):
    path = tmp_path / "central-asia.pdf"
    build_briefing_pdf(catalog, ViewFilter.make(year=2022, orgs=["CSTO"]), path, region="central-asia")
    reader = PdfReader(path)
    first = reader.pages[0]
    assert "Region: Central Asia" in first.extract_text()
    images = list(first.images)
    assert len(images) == 1
    picture = imread(io.BytesIO(images[0].data))
    # Drawn at the printed size (200 dpi): the map is as wide as the text frame, so a point
    # on the figure is a point on paper and the names print at the screen's size.
    page_width = float(first.mediabox.width)
    frame_width_in = (page_width - 2 * 12 * 72 / 25.4 - 12) / 72
    assert picture.shape[1] == pytest.approx(frame_width_in * 200, rel=0.01)


def test_pdf_refuses_an_unknown_region(catalog, tmp_path):
    with pytest.raises(ValueError, match="unknown region 'atlantis'"):
        build_briefing_pdf(catalog, ViewFilter.make(year=2022), tmp_path / "x.pdf", region="atlantis")
