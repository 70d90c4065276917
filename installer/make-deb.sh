#!/usr/bin/env bash
# Package a built bundle as a .deb:  installer/make-deb.sh BUNDLE_DIR OUT_DIR
# Installs to /opt/rupture-coder, links /usr/bin/rupture-coder, adds a menu entry and
# an icon. Depends: names the system libraries Qt loads that the bundle does not carry
# (see shared platform notes and installer/linux-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$(realpath "$1")"
out="$(realpath -m "$2")"
version="$("$bundle/rupture-coder" --version | awk '{print $2}')"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/icons/hicolor/scalable/apps"
cp -a "$bundle" "$stage/opt/rupture-coder"
ln -s /opt/rupture-coder/rupture-coder "$stage/usr/bin/rupture-coder"
cp "$root/installer/linux/rupture-coder.desktop" "$stage/usr/share/applications/"
cp "$root/installer/rupture-coder.png" "$stage/usr/share/icons/hicolor/256x256/apps/rupture-coder.png"
cp "$root/installer/rupture-coder.svg" "$stage/usr/share/icons/hicolor/scalable/apps/rupture-coder.svg"
size_kb="$(du -sk "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: rupture-coder
Version: ${version}
Architecture: ${arch}
Maintainer: Rupture Coder team <rupture-coder@invalid>
Installed-Size: ${size_kb}
Section: science
Priority: optional
Depends: libc6, libegl1, libgl1, libfontconfig1, libglib2.0-0, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-render-util0, libxcb-shape0, libxcb-xkb1, fonts-dejavu-core
Description: Code alliance ruptures in psychotherapy transcripts
 Rupture Coder is a desktop research tool: trained observers code alliance
 ruptures, resolution strategies and stages in session transcripts; lab leads
 check inter-rater reliability; clinicians read per-patient rupture profiles.
 Run "rupture-coder --selftest" to check an installation.
CONTROL
deb="$out/rupture-coder_${version}_${arch}.deb"
dpkg-deb --root-owner-group "-Z${DEB_COMPRESS:-gzip}" --build "$stage" "$deb" >/dev/null
echo "deb: $deb ($(du -m "$deb" | cut -f1) MB)"
