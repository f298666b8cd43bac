#!/usr/bin/env bash
# Run a command on this checkout inside a Debian root of another release (trixie: QGIS 3.40, numpy 2;
# sid: QGIS 3.44), as a fresh machine of that release would: `bash scripts/debian_root.sh trixie make test`.
#
# The root is made with debootstrap (about half a minute) under $BLUESKY_ROOTS (default
# /var/cache/bluesky-zoning/<suite>) and reused by later runs on this machine; under CI, or with
# BLUESKY_FRESH_ROOT=1, it is made anew. The checkout (tracked and untracked files, not what .gitignore
# leaves out) is copied to /src/bluesky inside, so the command sees a clean tree with no venv or outputs.
set -euo pipefail

suite=${1:?usage: debian_root.sh SUITE COMMAND...}
shift
[ $# -gt 0 ] || set -- make test
repo=$(cd "$(dirname "$0")/.." && pwd)
roots=${BLUESKY_ROOTS:-/var/cache/bluesky-zoning}
dir=$roots/$suite
ready=$dir/.bluesky-root-ready
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

unmount_all() {
  for m in dev/pts dev/shm dev proc sys; do
    if mountpoint -q "$dir/$m" 2>/dev/null; then $sudo umount -l "$dir/$m" || true; fi
  done
}
trap unmount_all EXIT

if [ "${CI:-}" = true ] || [ "${BLUESKY_FRESH_ROOT:-0}" = 1 ] || [ ! -e "$ready" ]; then
  command -v debootstrap >/dev/null || {
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq debootstrap >/dev/null; }
  unmount_all
  $sudo rm -rf "$dir"
  $sudo mkdir -p "$roots"
  echo "== debootstrap $suite from $mirror into $dir"
  start=$SECONDS
  $sudo debootstrap --variant=minbase --include=make,git,ca-certificates "$suite" "$dir" "$mirror" >"$roots/$suite.log" 2>&1 || {
    tail -n 20 "$roots/$suite.log"; exit 1; }
  if [ "$suite" = sid ] || [ "$suite" = unstable ]; then
    # The package index serves a sid snapshot whose Release file has expired.
    echo 'Acquire::Check-Valid-Until "false";' | $sudo tee "$dir/etc/apt/apt.conf.d/99bluesky-snapshot" >/dev/null
  fi
  $sudo touch "$ready"
  echo "== $suite root made in $((SECONDS - start)) s"
fi

# What pip and apt need to reach the package registries from inside.
for f in /etc/resolv.conf /etc/ssl/certs/ca-certificates.crt /etc/pip.conf; do
  if [ -e "$f" ]; then $sudo mkdir -p "$dir$(dirname "$f")" && $sudo cp -L "$f" "$dir$f"; fi
done
$sudo mount -t proc proc "$dir/proc"
$sudo mount -t sysfs sys "$dir/sys"
$sudo mount --bind /dev "$dir/dev"
$sudo mount --bind /dev/pts "$dir/dev/pts"
if [ -d /dev/shm ]; then $sudo mount -t tmpfs shm "$dir/dev/shm"; fi

echo "== copying the checkout to $dir/src/bluesky"
# BLUESKY_REUSE_SRC=1 (development only) copies over the last run's tree, keeping its .venv and caches.
[ "${BLUESKY_REUSE_SRC:-0}" = 1 ] || $sudo rm -rf "$dir/src/bluesky"
$sudo mkdir -p "$dir/src/bluesky"
(cd "$repo" && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | $sudo tar -xf - -C "$dir/src/bluesky"
$sudo cp -a "$repo/.git" "$dir/src/bluesky/.git"
# shared/ beside the checkout, as CI lays it: the plan's text that tests/analysis/test_rule_sources.py quotes from
$sudo rm -rf "$dir/src/shared"
if [ -d "$repo/../shared/seed" ]; then $sudo mkdir -p "$dir/src/shared" && $sudo cp -r "$repo/../shared/seed" "$dir/src/shared/"; fi

echo "== in the $suite root: $*"
start=$SECONDS
status=0
$sudo chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb CI="${CI:-}" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/bash -c 'cd /src/bluesky && git config --global --add safe.directory /src/bluesky && "$@"' _ "$@" || status=$?
qgis_version=$($sudo chroot "$dir" dpkg-query -W -f='${Version}' qgis 2>/dev/null || echo "not installed")
python_version=$($sudo chroot "$dir" /usr/bin/python3 --version 2>/dev/null || echo "?")
echo "== $suite root: '$*' exited $status in $((SECONDS - start)) s (QGIS $qgis_version, $python_version)"
exit $status
