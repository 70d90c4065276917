#!/usr/bin/env bash
# Install the Debian/Ubuntu runtime libraries Qt needs, if any are missing.
#   installer/linux-deps.sh offscreen   # headless tests (QT_QPA_PLATFORM=offscreen)
#   installer/linux-deps.sh gui         # a real window (X11/xcb), plus Xvfb for screenshots
# Does nothing on non-Debian systems or when everything is present. Installs only when
# run as root (CI, containers); otherwise prints the apt-get line to run.
set -euo pipefail

mode="${1:-offscreen}"
offscreen=(libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon0 fonts-dejavu-core)
gui=(xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
     libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0)

wanted=("${offscreen[@]}")
[ "$mode" = "gui" ] && wanted+=("${gui[@]}")
[ "$mode" = "postgres" ] && wanted=(postgresql)

command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == *"install ok installed"* ]] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Qt needs these system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
