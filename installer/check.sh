#!/usr/bin/env bash
# Build the installer bundle in a temporary folder and run its --selftest (offscreen).
# Exits non-zero if the build or the self-test fails; prints how long each took.
#   installer/check.sh          (needs .venv with the [installer] extra: make installer-deps)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash "$root/installer/linux-deps.sh" offscreen

start=$SECONDS
NO_DEB=1 PYTHON_BIN="${PYTHON_BIN:-$root/.venv/bin/python}" bash "$root/installer/build.sh" "$tmp/dist" "$tmp/build"
built=$SECONDS
echo "installer check: build took $((built - start)) s"

# A clean environment: no source tree on the path, the data folder in the temp folder.
(cd "$tmp" && env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
  "$tmp/dist/rupture-coder/rupture-coder" --selftest)
echo "installer check: selftest took $((SECONDS - built)) s; total $((SECONDS - start)) s"
