#!/bin/bash
# `make deb`: a Debian package of Connie, built with dpkg-deb from the tree
# tools/install.sh installs (PREFIX=/usr), then checked with lintian.
#
#   tools/make-deb.sh [BINARY]   (default target/release/connie, built with
#                                 CONNIE_LOCALEDIR=/usr/share/locale)
#
# Writes target/deb/connie_VERSION_ARCH.deb. The package's dependencies on
# GTK 4, libadwaita and the C library are computed by dpkg-shlibdeps from
# the binaries (connie and its helper, connie-provision); polkitd and dbus
# are recommended (the helper needs them to set up enterprise Wi-Fi);
# connman is recommended (Connie is of little use without it,
# but it may run on another machine's bus, or be installed from elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/connie}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(dpkg --print-architecture)
homepage=https://github.com/connie-app/connie
maintainer="The Connie developers <connie@connie-app.github.io>"
out=target/deb
deb=$out/connie_${version}_${arch}.deb
stage=$out/root
umask 022
rm -rf "$stage" "$out"/connie_*.deb
mkdir -p "$stage/DEBIAN"

bash tools/install.sh install "$stage" /usr "$binary" >/dev/null
for b in "$stage/usr/bin/connie" "$stage/usr/libexec/connie-provision"; do
	strip --strip-unneeded --remove-section=.comment --remove-section=.note "$b"
done

doc=$stage/usr/share/doc/connie
install -d "$doc"
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Connie
Source: $homepage

Files: *
Copyright: 2026 The Connie developers
License: GPL-3.0-or-later

Files: usr/share/connie/icons/*
Copyright: The GNOME Project
Comment: Symbolic icons of adwaita-icon-theme 43, recoloured.
License: CC-BY-SA-3.0 or LGPL-3
 These icons may be used under the terms of the Creative Commons
 Attribution-Share Alike 3.0 license or of the GNU Lesser General Public
 License, version 3.
 .
 On Debian systems, the complete text of the GNU Lesser General Public
 License version 3 can be found in "/usr/share/common-licenses/LGPL-3".

License: GPL-3.0-or-later
 This program is free software: you can redistribute it and/or modify it
 under the terms of the GNU General Public License as published by the Free
 Software Foundation, either version 3 of the License, or (at your option)
 any later version.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 3 can be found in "/usr/share/common-licenses/GPL-3".
COPYRIGHT
# a native package: its changelog is changelog.gz
date=$(date -u -d "$(sed -n 's/.*<release version="'"$version"'" date="\([0-9-]*\)".*/\1/p' \
	data/io.github.connie.Connie.metainfo.xml)" -R)
cat <<CHANGELOG | gzip -9n >"$doc/changelog.gz"
connie ($version) unstable; urgency=medium

  * Release $version: see $homepage

 -- $maintainer  $date
CHANGELOG

# Depends: what the binary links, as dpkg-shlibdeps finds it
shlibs=$(mktemp -d)
trap 'rm -rf "$shlibs"' EXIT
mkdir "$shlibs/debian"
printf 'Source: connie\n\nPackage: connie\nArchitecture: any\n' >"$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O "-e$OLDPWD/$stage/usr/bin/connie" \
	"-e$OLDPWD/$stage/usr/libexec/connie-provision" |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# The symbols alone allow older versions than Connie runs on: its floor is
# GTK 4.8 and libadwaita 1.2 (Debian 12's, what it is built and tested with)
depends=$(echo "$depends" | sed -e 's/libgtk-4-1 ([^)]*)/libgtk-4-1 (>= 4.8)/' \
	-e 's/libadwaita-1-0 ([^)]*)/libadwaita-1-0 (>= 1.2)/')

cat >"$stage/DEBIAN/control" <<CONTROL
Package: connie
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends, glib-networking
Recommends: connman, dbus, polkitd
Suggests: connman-vpn
Section: net
Priority: optional
Homepage: $homepage
Description: desktop front-end for ConnMan
 Connie shows the networks that ConnMan manages and connects to them, from
 a GTK 4 and libadwaita window and from an icon in the system tray
 (a StatusNotifierItem).
 .
 It connects to wired, Wi-Fi and VPN networks, asks for passphrases when
 connmand needs them, lets you reorder the services' priority by dragging
 them, and shows a live details page for each service. connman-vpn is
 needed for VPNs.
 .
 Enterprise (802.1X) Wi-Fi networks are set up from the window through a
 small helper, connie-provision, started by the system bus and checked by
 polkit; it is the only part that runs as root.
CONTROL
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "make-deb: $deb"
dpkg-deb --info "$deb" | sed -n 's/^ \(Depends\|Recommends\|Installed-Size\):/  \1:/p'
