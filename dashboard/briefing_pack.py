"""The PDF briefing pack: the map of the view, a table of what it shows with numbered
footnotes, the changes since a comparison year, the notes and one bibliography.

Pure (no streamlit). The map is the static map (static_map.py) drawn at the page's size,
so a point on the map is a point on paper; colours come from symbology.py and citations
from citations.py, so the printed pack matches the dashboard. Data is text, never markup:
every value is escaped before it reaches reportlab's Paragraph mini-language. The user's
own layers, when given, are on the map and listed after the curated features, marked.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from .citations import Citation, full_citation, is_http_url, resolve
from .compare import DATED_LAYERS, Comparison, compare_years
from .loader import BIBLIOGRAPHY_PATH, GEODATA_DIR, ROOT, Catalog, Feature, length_text
from .regions import DEFAULT_REGION, REGIONS
from .selection import ViewFilter, disputed_status, feature_refs, is_visible, visible_memberships
from .static_map import ATTRIBUTION, TITLE, describe_filters, describe_year, draw_static_map, map_year
from .symbology import (
    LAYER_KINDS,
    LINK_COLOR,
    PAGE_FOOTER,
    ROUTE_LABELS,
    TABLE_HEADER_FILL,
    TABLE_HEADER_RULE,
    TABLE_RULE,
    TABLE_STRIPE,
    TEXT_MUTED,
    USER_ROW_FILL,
    hex_color,
    user_legend_label,
)
from .timefilter import span_label, year_of
from .userlayers import UserFeature, UserLayers, visible_user_features

Output = str | Path | IO[bytes]

LAYER_ORDER = ("states", "disputed", "borders", "pipelines", "bases", "garrisons", "events")
USER_ROWS_IN_BRIEF = 200  # the table lists this many user features; the map shows them all
USER_STATUS = "your data; not checked by the project"
MAP_DPI = 200
MM = 72 / 25.4  # points per millimetre
PAGE_MARGIN = 12 * MM


def data_version() -> str:
    """Which data a briefing was built from: `git describe` when the tree is a git
    checkout, and always a short hash of the geodata and bibliography files."""
    digest = hashlib.sha256()
    for path in [*sorted(GEODATA_DIR.rglob("*.geojson")), BIBLIOGRAPHY_PATH]:
        if path.exists():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    data = f"data sha256 {digest.hexdigest()[:12]}"
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return data
    described = result.stdout.strip()
    return f"git {described} · {data}" if described else data


def feature_status(feature: Feature, view: ViewFilter, year: int) -> str:
    """One line on what the feature is in the view's year, for the table."""
    props = feature.props
    if feature.layer == "states":
        memberships = visible_memberships(feature, view)
        return "; ".join(f"{m.org}: {m.status} ({span_label(m.start, m.end)})" for m in memberships)
    if feature.layer == "bases":
        end = year_of(props.end)
        state = f"closed or withdrawn {end}" if end is not None and end <= year else "operating"
        return f"{state}; host {props.host_iso3}; {props.operator}"
    if feature.layer == "garrisons":
        return f"{props.unit} ({props.contributor_iso3}) at {props.place}; {', '.join(props.force)}"
    if feature.layer == "pipelines":
        route = ROUTE_LABELS[props.route_class]
        return f"{props.commodity}, {route}; {length_text(feature)}"
    if feature.layer == "borders":
        published = ", ".join(f"{p.km:,.0f} km" for p in props.published_lengths)
        return f"measured {feature.length_km:,.0f} km ({props.scale}); published {published}"
    if feature.layer == "events":
        return f"{props.kind}; {props.place}"
    if feature.layer == "disputed":
        record = disputed_status(feature, year)
        return f"{record.status}; controlled by {record.controlled_by}" if record else "no status recorded"
    return ""


def feature_kind(feature: Feature) -> str:
    kind = LAYER_KINDS.get(feature.layer, feature.layer)
    detail = getattr(feature.props, "type", None) or getattr(feature.props, "commodity", None)
    if feature.layer == "events":
        detail = feature.props.kind
    return f"{kind} ({detail})" if detail else kind


def briefing_features(catalog: Catalog, view: ViewFilter) -> list[Feature]:
    """The visible features in table order: by layer, then date, then name."""
    order = {layer: index for index, layer in enumerate(LAYER_ORDER)}

    def key(feature: Feature) -> tuple[int, str, str]:
        start = feature.props.start if feature.layer == "events" else ""
        return order.get(feature.layer, len(order)), start, feature.name

    return sorted((f for f in catalog.features if is_visible(f, view)), key=key)


class Footnotes:
    """Numbers each distinct (source id, locator) once, in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, str], int] = {}
        self.citations: list[Citation] = []

    def add(self, citation: Citation) -> int:
        key = (citation.source_id, citation.locator)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            self.citations.append(citation)
        return self.numbers[key]


def _markup(text: str) -> str:
    """Text for a reportlab Paragraph: data is never markup."""
    return escape(text)


def _link_markup(url: str) -> str:
    """An http(s) URL as a reportlab link, escaped in the text and in the attribute."""
    attribute = escape(url, {'"': "&quot;"})
    return f'<link href="{attribute}" color="{hex_color(LINK_COLOR)}">{_markup(url)}</link>'


def _user_sources_markup(feature: UserFeature) -> str:
    """The user's sources as given: links for http(s) ones, text for the rest."""
    if not feature.sources:
        return "none given"
    return "; ".join(_link_markup(text) if is_http_url(text) else _markup(text) for text in feature.sources)


def _citation_markup(citation: Citation, text: str) -> str:
    """The rendered citation, escaped, with its URL made a link."""
    markup = _markup(text)
    url = citation.entry.URL if citation.entry else None
    if url and is_http_url(url):
        markup = markup.replace(_markup(url), _link_markup(url), 1)
    return markup


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib) covers every script in the data."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {
        "DejaVuSans": "DejaVuSans.ttf",
        "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    try:
        for name, file in faces.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    except Exception:  # a missing font file: fall back to the built-in Latin-1 Helvetica
        return "Helvetica", "Helvetica-Bold"
    addMapping("DejaVuSans", 0, 0, "DejaVuSans")
    addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
    addMapping("DejaVuSans", 0, 1, "DejaVuSans-Oblique")
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-BoldOblique")
    return "DejaVuSans", "DejaVuSans-Bold"


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=13, leading=16, spaceBefore=6, spaceAfter=6),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9.5, leading=12.5),
        "body": ParagraphStyle("body", parent=base, fontSize=10, leading=13.5, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=8.5, leading=10.5),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, leftIndent=18, firstLineIndent=-18),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=hex_color(TEXT_MUTED)),
    }


@dataclass
class Pack:
    """One briefing being written: the view, its year, the page and the story so far."""

    catalog: Catalog
    view: ViewFilter
    year: int
    styles: dict[str, Any]
    width: float  # the text frame's width, in points
    height: float  # the text frame's height, in points
    features: list[Feature]
    user_features: list[UserFeature]
    comparison: Comparison | None
    compare_to: int | None
    region: str
    stamp: str
    version: str


def _title_block(pack: Pack, user_layers: UserLayers | None) -> list[Any]:
    from reportlab.platypus import Paragraph

    title = f"Briefing: {TITLE} — {describe_year(pack.catalog, pack.view)}"
    meta = [
        f"<b>Year:</b> {_markup(describe_year(pack.catalog, pack.view))} · "
        f"<b>Region:</b> {_markup(REGIONS[pack.region].title)}",
        f"<b>Filters:</b> {_markup(describe_filters(pack.view))}",
        f"<b>Generated:</b> {_markup(pack.stamp)} · <b>Data version:</b> {_markup(pack.version)}",
        f"<b>Visible features:</b> {len(pack.features)}"
        + (f" · <b>Compared with:</b> {pack.compare_to} (changes outlined in magenta)" if pack.comparison else ""),
    ]
    if user_layers is not None and user_layers.layers:
        names = ", ".join(user_legend_label(name) for name in user_layers.names)
        shown = len(pack.user_features)
        meta.append(f"<b>Your layers:</b> {_markup(names)} · {shown:,} features shown ({USER_STATUS})")
    return [Paragraph(_markup(title), pack.styles["title"])] + [Paragraph(line, pack.styles["meta"]) for line in meta]


def _map_image(pack: Pack, user_layers: UserLayers | None, height: float) -> Any:
    """The static map drawn at the size it is printed (points on the figure are points on
    paper), with what changed since the comparison year outlined."""
    import matplotlib
    from reportlab.platypus import Image

    highlight = frozenset(pack.comparison.changed_ids()) if pack.comparison else frozenset()
    size = (pack.width / 72, height / 72)
    picture = io.BytesIO()
    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        fig = draw_static_map(
            pack.catalog, pack.view, highlight, user_layers, pack.region, size=size, titled=False, vector=False
        )
        fig.savefig(picture, format="png", dpi=MAP_DPI, facecolor="white")
    picture.seek(0)
    return Image(picture, width=pack.width, height=height)


def _first_page(pack: Pack, user_layers: UserLayers | None) -> list[Any]:
    """Title block and the map below it, as large as the page leaves room for."""
    from reportlab.platypus import PageBreak, Spacer

    block = [*_title_block(pack, user_layers), Spacer(1, 2 * MM)]
    used = sum(flowable.wrap(pack.width, pack.height)[1] for flowable in block)
    used += sum(p.getSpaceAfter() + p.getSpaceBefore() for p in block)
    return [*block, _map_image(pack, user_layers, pack.height - used - 4), PageBreak()]


def _table_style(rows: int, curated: int, user_rows: bool) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(hex_color(TABLE_HEADER_FILL))),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor(hex_color(TABLE_STRIPE))]),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(hex_color(TABLE_HEADER_RULE))),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(hex_color(TABLE_RULE))),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if user_rows:
        commands.append(("BACKGROUND", (0, curated + 1), (-1, rows - 1), colors.HexColor(hex_color(USER_ROW_FILL))))
    return TableStyle(commands)


def _feature_rows(pack: Pack, notes: Footnotes) -> list[list[Any]]:
    """One row per visible feature, its sources as footnote numbers."""
    from reportlab.platypus import Paragraph

    cell = pack.styles["cell"]
    rows = []
    for index, feature in enumerate(pack.features, start=1):
        numbers = sorted(
            {notes.add(c) for c in resolve(feature_refs(feature, pack.view, pack.year), pack.catalog.bibliography)}
        )
        cells = (
            str(index),
            _markup(feature.name),
            _markup(feature_kind(feature)),
            _markup(span_label(feature.props.start, feature.props.end)),
            _markup(feature_status(feature, pack.view, pack.year)),
            ", ".join(str(n) for n in numbers),
        )
        rows.append([Paragraph(text, cell) for text in cells])
    for index, feature in enumerate(pack.user_features[:USER_ROWS_IN_BRIEF], start=len(pack.features) + 1):
        cells = (
            str(index),
            _markup(feature.name),
            _markup(user_legend_label(feature.layer)),
            _markup(span_label(feature.start, feature.end)),
            _markup(USER_STATUS),
            _user_sources_markup(feature),
        )
        rows.append([Paragraph(text, cell) for text in cells])
    return rows


def _feature_table(pack: Pack, notes: Footnotes) -> list[Any]:
    """The visible features, the user's after the curated ones (marked), with a note when
    more of the user's are on the map than the table lists."""
    from reportlab.platypus import Paragraph, Table

    user_count = len(pack.user_features)
    counted = f"{len(pack.features)} + {user_count:,} of your layers" if user_count else str(len(pack.features))
    header = [
        "#",
        "Name",
        "Kind",
        "Dates",
        f"Status in {pack.year}" if pack.view.year is not None else "Status",
        "Sources",
    ]
    rows = [[Paragraph(_markup(h), pack.styles["head"]) for h in header], *_feature_rows(pack, notes)]
    fractions = (0.035, 0.27, 0.14, 0.13, 0.30, 0.125)
    table = Table(rows, colWidths=[pack.width * f for f in fractions], repeatRows=1)
    table.setStyle(_table_style(len(rows), len(pack.features), user_count > 0))
    story = [Paragraph(f"Visible features ({counted})", pack.styles["h2"]), table]
    unlisted = user_count - min(user_count, USER_ROWS_IN_BRIEF)
    if unlisted:
        story.append(
            Paragraph(
                f"{unlisted:,} more features of your layers are on the map but not listed (the table lists "
                f"the first {USER_ROWS_IN_BRIEF}).",
                pack.styles["small"],
            )
        )
    return story


def _changes(pack: Pack) -> list[Any]:
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    if pack.comparison is None:
        return []
    section = [Paragraph(_markup(f"Changes since {pack.compare_to}"), pack.styles["h2"])]
    lines = pack.comparison.summary_lines() or ["No change."]
    section.extend(Paragraph("• " + _markup(line), pack.styles["body"]) for line in lines)
    return [
        Spacer(1, 4 * MM),
        KeepTogether(section[:2]),
        *section[2:],
        *_change_details(pack.comparison, pack.styles, pack.width),
    ]


def _sources(pack: Pack, notes: Footnotes) -> list[Any]:
    """The numbered notes, then each cited work once."""
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    styles = pack.styles
    story = [
        PageBreak(),
        Paragraph("Notes", styles["h2"]),
        Paragraph(
            _markup("Each number cites one source at one place in it; the table lists the numbers for each feature."),
            styles["small"],
        ),
        Spacer(1, 2 * MM),
    ]
    for number, citation in enumerate(notes.citations, start=1):
        story.append(
            Paragraph(f"{number}.&nbsp;&nbsp;{_citation_markup(citation, citation.full('text'))}", styles["note"])
        )
    cited = {c.source_id: c.entry for c in notes.citations if c.entry is not None}
    story += [Spacer(1, 5 * MM), Paragraph(f"Bibliography ({len(cited)} works)", styles["h2"])]
    for entry in sorted(cited.values(), key=lambda e: full_citation(e).casefold()):
        story.append(
            Paragraph(_citation_markup(Citation(entry.id, "", "", entry), full_citation(entry)), styles["note"])
        )
    story += [Spacer(1, 4 * MM), Paragraph(_markup(ATTRIBUTION + "."), styles["small"])]
    return story


def build_briefing_pdf(
    catalog: Catalog,
    view: ViewFilter,
    path_or_buffer: Output,
    compare_to: int | None = None,
    generated: datetime | None = None,
    user_layers: UserLayers | None = None,
    region: str = DEFAULT_REGION,
) -> None:
    """A self-contained briefing: the map of a region view, a table of what is shown,
    changes and the sources; the user's layers, when given, on the map and after the
    curated rows, marked."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate

    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; one of {', '.join(REGIONS)}")
    page = landscape(A4)
    year = map_year(catalog, view)
    pack = Pack(
        catalog,
        view,
        year,
        _styles(),
        page[0] - 2 * PAGE_MARGIN - 12,  # the frame less its padding
        page[1] - 2 * PAGE_MARGIN - 4 * MM - 12,  # the frame less the footer room and its padding
        briefing_features(catalog, view),
        visible_user_features(user_layers, view),
        compare_years(catalog, compare_to, year, view.orgs) if compare_to is not None else None,
        compare_to,
        region,
        (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M %Z").strip(),
        data_version(),
    )
    footer = f"{TITLE} · {describe_year(catalog, view)} · generated {pack.stamp} · {pack.version}"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_fonts()[0], 7.5)
        canvas.setFillColor(colors.HexColor(hex_color(PAGE_FOOTER)))
        canvas.drawString(PAGE_MARGIN, 7 * MM, footer)
        canvas.drawRightString(page[0] - PAGE_MARGIN, 7 * MM, f"Page {doc.page}")
        canvas.restoreState()

    notes = Footnotes()
    story = [*_first_page(pack, user_layers), *_feature_table(pack, notes), *_changes(pack), *_sources(pack, notes)]
    document = SimpleDocTemplate(
        path_or_buffer if not isinstance(path_or_buffer, Path) else str(path_or_buffer),
        pagesize=page,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN + 4 * MM,
        title=f"Briefing: {TITLE} — {describe_year(catalog, view)}",
        author="csto-map-dashboard",
        subject=describe_filters(view),
        creator="python -m dashboard brief",
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)


def _change_details(comparison: Comparison, styles: dict[str, Any], width: float) -> list[Any]:
    """Every change as one table row; the summary above names only the first few."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    rows: list[tuple[str, str, str]] = []
    for org in comparison.by_org:
        for change in org.joined:
            rows.append((f"{org.org}: joined", change.name, f"now {change.after}"))
        for change in org.left:
            rows.append((f"{org.org}: left", change.name, f"was {change.before}"))
        for change in org.status_changed:
            rows.append((f"{org.org}: status changed", change.name, f"{change.before} → {change.after}"))
    for layer in comparison.layers:
        _, appeared, disappeared = DATED_LAYERS[layer.layer]
        kind = LAYER_KINDS[layer.layer]
        for label, items in (
            (appeared, layer.opened),
            (disappeared, layer.closed),
            ("came and went", layer.came_and_went),
        ):
            rows.extend((f"{kind}: {label}", item.name, span_label(item.start, item.end)) for item in items)
    rows.extend(("Event", event.name, span_label(event.start, event.end)) for event in comparison.events)
    if not rows:
        return []
    cells = [[Paragraph(_markup(h), styles["head"]) for h in ("Change", "Feature", "Dates or status")]]
    cells += [[Paragraph(_markup(text), styles["cell"]) for text in row] for row in rows]
    table = Table(cells, colWidths=[width * 0.22, width * 0.55, width * 0.23], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(hex_color(TABLE_HEADER_FILL))),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor(hex_color(TABLE_RULE))),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [Spacer(1, 3), table]
