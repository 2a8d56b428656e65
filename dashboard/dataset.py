"""One loaded data set and everything the app derives from it, computed once and kept.

Pure: no streamlit. The app keeps one DataSet per data folder (st.cache_resource on two
strings); every rerun then asks it for payloads and view results at the cost of a dict
look-up. Caching each of these through st.cache_resource instead cost more per rerun
than the whole map (its key building inspects the function's source on every call).
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from .canvas import Blob, blob, build_scene, build_view
from .compare import Comparison, compare_years
from .layers import basemap_collection
from .loader import Catalog
from .selection import ViewFilter, shown_ids
from .viewstate import FIRST_YEAR


class DataSet:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        # Per instance, bounded: a long-running server sees many filter combinations.
        self.view_blob = lru_cache(maxsize=256)(self._view_blob)
        self.visible_ids = lru_cache(maxsize=1024)(self._visible_ids)
        self.comparison = lru_cache(maxsize=64)(self._comparison)
        self._ids_by_year = lru_cache(maxsize=64)(self._ids_by_year)

    @cached_property
    def scene_blob(self) -> Blob:
        """Every geometry and year-independent field, serialised once."""
        return blob(build_scene(self.catalog, basemap_collection()))

    @cached_property
    def feature_ids(self) -> frozenset[str]:
        """The ids a click or Find may name."""
        return frozenset(f.id for f in self.catalog.features)

    def _view_blob(self, orgs: frozenset[str] | None, layers: frozenset[str] | None) -> Blob:
        """What the organization and layer choice decides; the same bytes for every year."""
        return blob(build_view(self.catalog, ViewFilter.make(orgs=orgs, layers=layers)))

    def _visible_ids(self, view: ViewFilter) -> tuple[str, ...]:
        if view.year is None or view.until is not None:
            return shown_ids(self.catalog, view)
        return self._ids_by_year(view.orgs, view.layers)[view.year]

    def _ids_by_year(self, orgs: frozenset[str] | None, layers: frozenset[str] | None) -> dict[int, tuple[str, ...]]:
        """Every year of a choice at once: a year change then never filters the catalog."""
        last = self.catalog.latest_year
        return {
            year: shown_ids(self.catalog, ViewFilter(year=year, orgs=orgs, layers=layers))
            for year in range(FIRST_YEAR, last + 1)
        }

    def _comparison(self, year_from: int, year_to: int, orgs: tuple[str, ...] | None) -> Comparison:
        return compare_years(self.catalog, year_from, year_to, orgs)
