"""What kind of source each bibliography entry is, and the report a briefer reads before citing:
the bibliography by kind, the undated entries, and the facts that rest on encyclopedias alone.

Pure: no streamlit, no citation processor (tests render every entry with citeproc-py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from .loader import Catalog, Feature
from .places import Place
from .schema import SOURCE_KINDS, CslEntry

# Hosts whose pages are official or primary: governments, parliaments, ministries,
# intergovernmental organizations and their legal databases.
_OFFICIAL_HOST = re.compile(
    r"(^|\.)(gov(\.[a-z]{2})?|mil|kremlin\.ru|nato\.int|un\.org|osce\.org|odkb-csto\.org|odkb\.gov\.ru"
    r"|sectsco\.org|eaeunion\.org|cis\.minsk\.by|parliament\.uk|europa\.eu)$"
)
_BY_TYPE = {
    "entry-encyclopedia": "encyclopedia",
    "article-newspaper": "news",
    "article-magazine": "news",
    "article-journal": "scholarly",
    "chapter": "scholarly",
    "book": "scholarly",
    "legislation": "official",
    "treaty": "official",
    "legal_case": "official",
    "dataset": "reference",
}


# Encyclopedias' own sites. An encyclopedia entry whose URL is elsewhere is a copy (a mirror, a
# Kiwix or IPFS snapshot): a briefer cannot cite it, so the report lists it.
_ENCYCLOPEDIA_HOST = re.compile(
    r"(^|\.)(wikipedia\.org|georgianencyclopedia\.ge|britannica\.com|citizendium\.org|fandom\.com|abc-clio\.com)$"
)


def derived_kind(entry: CslEntry) -> str:
    """The kind the rule gives when an entry does not say (the rule README documents):
    by CSL type first, then by the URL's host; a page the rule cannot place is "other"."""
    if entry.type in _BY_TYPE:
        return _BY_TYPE[entry.type]
    host = urlparse(entry.URL or "").hostname or ""
    if host.endswith("geonames.org"):
        return "reference"
    if _OFFICIAL_HOST.search(host) or re.search(r"(^|\.)gov\.[a-z]{2}$", host):
        return "official"
    return "other"


def kind_of(entry: CslEntry) -> str:
    """The entry's own `custom.kind`, else the derived kind."""
    return entry.custom.kind if entry.custom else derived_kind(entry)


def is_dated(entry: CslEntry) -> bool:
    return entry.issued is not None


def is_mirror_copy(entry: CslEntry) -> bool:
    """An encyclopedia article read on a site other than the encyclopedia's own."""
    host = urlparse(entry.URL or "").hostname or ""
    return kind_of(entry) == "encyclopedia" and bool(host) and not _ENCYCLOPEDIA_HOST.search(host)


@dataclass(frozen=True)
class EncyclopediaOnly:
    """A fact (a feature or a label place, or one dated record inside it) whose every source is an encyclopedia."""

    feature_id: str
    field: str

    def __str__(self) -> str:
        return self.feature_id if self.field == "sources" else f"{self.feature_id}: {self.field}"


def _groups(item: Feature | Place) -> Iterable[tuple[str, list[str]]]:
    """An item's own sources, then each dated record inside it (a membership, status or
    published length; a place's names and capital records), as its source_refs() lists them."""
    grouped: dict[str, list[str]] = {}
    for path, ref in item.source_refs():
        grouped.setdefault(path.removesuffix(".sources"), []).append(ref.id)
    return grouped.items()


def encyclopedia_only(catalog: Catalog) -> list[EncyclopediaOnly]:
    """Every fact whose sources are all encyclopedias (the target is none)."""
    found = []
    for item in [*catalog.features, *catalog.places]:
        for field, ids in _groups(item):
            entries = [catalog.bibliography[i] for i in ids if i in catalog.bibliography]
            if entries and all(kind_of(e) == "encyclopedia" for e in entries):
                found.append(EncyclopediaOnly(item.id, field))
    return found


@dataclass(frozen=True)
class SourceReport:
    by_kind: dict[str, list[CslEntry]]
    undated: list[CslEntry]
    derived: list[CslEntry]
    encyclopedia_only: list[EncyclopediaOnly]
    mirror_copies: list[CslEntry]

    def text(self) -> str:
        total = sum(len(entries) for entries in self.by_kind.values())
        lines = [f"Bibliography: {total} entries"]
        for kind, entries in self.by_kind.items():
            dated = sum(is_dated(e) for e in entries)
            lines.append(f"\n## {kind}: {len(entries)} ({dated} dated)")
            lines.extend(f"  {e.id}  {_date(e)}  {e.title}" for e in entries)
        lines.append(f"\n## Undated: {len(self.undated)} (by kind: {_count_by_kind(self.undated)})")
        lines.extend(f"  [{kind_of(e)}] {e.id}  {e.title}" for e in self.undated)
        if self.derived:
            lines.append(f"\n## Kind not given, derived by rule: {len(self.derived)}")
            lines.extend(f"  [{kind_of(e)}] {e.id}" for e in self.derived)
        lines.append(f"\n## Encyclopedia copies instead of the encyclopedia's own page: {len(self.mirror_copies)}")
        lines.extend(f"  {e.id}  {e.URL}" for e in self.mirror_copies)
        lines.append(f"\n## Resting on encyclopedias alone: {len(self.encyclopedia_only)}")
        lines.extend(f"  {item}" for item in self.encyclopedia_only)
        return "\n".join(lines) + "\n"


def _date(entry: CslEntry) -> str:
    return entry.issued.as_text() if entry.issued else "n.d."


def _count_by_kind(entries: Iterable[CslEntry]) -> str:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[kind_of(entry)] = counts.get(kind_of(entry), 0) + 1
    return ", ".join(f"{kind} {counts[kind]}" for kind in SOURCE_KINDS if kind in counts) or "none"


def source_report(catalog: Catalog) -> SourceReport:
    entries = sorted(catalog.bibliography.values(), key=lambda e: e.id)
    by_kind = {kind: [e for e in entries if kind_of(e) == kind] for kind in SOURCE_KINDS}
    return SourceReport(
        by_kind={kind: found for kind, found in by_kind.items() if found},
        undated=[e for e in entries if not is_dated(e)],
        derived=[e for e in entries if e.custom is None],
        encyclopedia_only=encyclopedia_only(catalog),
        mirror_copies=[e for e in entries if is_mirror_copy(e)],
    )
