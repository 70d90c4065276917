#!/usr/bin/env bash
# Build the one-folder bundle and (on Debian/Ubuntu) the .deb.
#   installer/build.sh [DIST_DIR] [WORK_DIR]     (defaults: dist/ and build/)
# Uses the project's .venv (make installer sets it up with the [installer] extra).
# Prints the size of the bundle and of the .deb.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$(realpath -m "${1:-$root/dist}")"
work="$(realpath -m "${2:-$root/build}")"
py="${PYTHON_BIN:-$root/.venv/bin/python}"

"$py" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$dist" --workpath "$work/pyinstaller" "$root/installer/rupture-coder.spec"
bundle="$dist/rupture-coder"
echo "bundle: $bundle ($(du -sm "$bundle" | cut -f1) MB)"

if [ -z "${NO_DEB:-}" ] && command -v dpkg-deb >/dev/null 2>&1; then
  bash "$root/installer/make-deb.sh" "$bundle" "$dist"
fi
