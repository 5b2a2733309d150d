#!/bin/bash
# `make check`'s install test: installs into a temporary DESTDIR with
# tools/install.sh (what `make install` runs), compares the files installed
# with the list below, validates the installed desktop entry, metainfo and
# manual page, runs the installed binary, then uninstalls and checks that
# nothing is left. CONNIE_BIN is the binary to install (default: the debug
# build, which `make test` has built; the list does not depend on it).
set -euo pipefail
cd "$(dirname "$0")/.."
APP_ID=io.github.connie.Connie
PREFIX=/usr/local
bin=${CONNIE_BIN:-target/debug/connie}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() {
	echo "check-install: $*" >&2
	exit 1
}

bash tools/install.sh install "$stage" "$PREFIX" "$bin" >/dev/null

expected() {
	cat <<LIST
$PREFIX/bin/connie
$PREFIX/libexec/connie-provision
$PREFIX/share/dbus-1/system-services/io.github.connie.Provision.service
/usr/share/dbus-1/system.d/io.github.connie.Provision.conf
/usr/share/polkit-1/actions/$APP_ID.policy
$PREFIX/share/applications/$APP_ID.desktop
$PREFIX/share/metainfo/$APP_ID.metainfo.xml
$PREFIX/share/icons/hicolor/scalable/apps/$APP_ID.svg
$PREFIX/share/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg
$PREFIX/share/connie/icons/hicolor/index.theme
$PREFIX/share/man/man1/connie.1.gz
$PREFIX/share/man/man8/connie-provision.8.gz
LIST
	for f in data/icons/hicolor/scalable/status/*.svg; do
		echo "$PREFIX/share/connie/icons/hicolor/scalable/status/${f##*/}"
	done
	for lang in $(grep -v '^#' po/LINGUAS || true); do
		echo "$PREFIX/share/locale/$lang/LC_MESSAGES/connie.mo"
	done
}
installed=$(cd "$stage" && find . -type f -printf '/%P\n' | sort)
if ! diff -u <(expected | sort) <(echo "$installed"); then
	fail "the installed files differ from the expected list (- expected, + installed)"
fi
[ -x "$stage$PREFIX/bin/connie" ] || fail "bin/connie is not executable"
[ -x "$stage$PREFIX/libexec/connie-provision" ] || fail "libexec/connie-provision is not executable"
find "$stage" -type f ! -path '*/bin/*' ! -path '*/libexec/*' -perm /111 | grep . &&
	fail "data files must not be executable"

# the helper: the bus starts what its service file names, as root; the bus
# policy and polkit read their files (the XML must parse)
service=$stage$PREFIX/share/dbus-1/system-services/io.github.connie.Provision.service
grep -qx "Exec=$PREFIX/libexec/connie-provision" "$service" || fail "the service file runs: $(grep Exec "$service")"
grep -qx "User=root" "$service" || fail "the service file does not run the helper as root"
grep -qx "Name=io.github.connie.Provision" "$service" || fail "the service file names another bus name"
for x in "$stage/usr/share/dbus-1/system.d/io.github.connie.Provision.conf" \
	"$stage/usr/share/polkit-1/actions/$APP_ID.policy"; do
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$x" ||
		fail "$x is not well-formed XML"
done
grep -q '<allow_active>auth_admin_keep</allow_active>' "$stage/usr/share/polkit-1/actions/$APP_ID.policy" ||
	fail "the polkit action does not ask for an administrator"
version=$("$stage$PREFIX/libexec/connie-provision" --version)
[ "$version" = "connie-provision $(sed -n 's/^version = "\(.*\)"/\1/p' provision/Cargo.toml | head -1)" ] ||
	fail "connie-provision --version said: $version"

# what the desktop and software centres read
desktop-file-validate "$stage$PREFIX/share/applications/$APP_ID.desktop"
appstreamcli validate --no-net --no-color "$stage$PREFIX/share/metainfo/$APP_ID.metainfo.xml" >/dev/null ||
	fail "the installed metainfo does not validate"
icon=$(sed -n 's/^Icon=//p' "$stage$PREFIX/share/applications/$APP_ID.desktop")
[ -f "$stage$PREFIX/share/icons/hicolor/scalable/apps/$icon.svg" ] ||
	fail "the desktop entry's icon $icon is not installed"
grep -q "<launchable type=\"desktop-id\">$APP_ID.desktop</launchable>" \
	"$stage$PREFIX/share/metainfo/$APP_ID.metainfo.xml" || fail "the metainfo launches another desktop id"
warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
	man --warnings -E UTF-8 -l -Tutf8 -Z "$stage$PREFIX/share/man/man1/connie.1.gz" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "the installed manual page: $warnings"
warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
	man --warnings -E UTF-8 -l -Tutf8 -Z "$stage$PREFIX/share/man/man8/connie-provision.8.gz" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "the helper's installed manual page: $warnings"

# the installed binary answers without a display, and everything installed
# speaks of the same version
cargo_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
version=$(env -u DISPLAY -u WAYLAND_DISPLAY "$stage$PREFIX/bin/connie" --version)
[ "$version" = "connie $cargo_version" ] || fail "--version said: $version"
zcat "$stage$PREFIX/share/man/man1/connie.1.gz" | grep -q "^\.TH CONNIE 1 .* \"Connie $cargo_version\"" ||
	fail "the manual page is not of version $cargo_version"
grep -q "<release version=\"$cargo_version\"" "$stage$PREFIX/share/metainfo/$APP_ID.metainfo.xml" ||
	fail "the metainfo has no release $cargo_version"

bash tools/install.sh uninstall "$stage" "$PREFIX" >/dev/null
left=$(cd "$stage" && find . -type f)
[ -z "$left" ] || fail "uninstall left: $left"
echo "check-install: $(expected | wc -l) files installed as listed, validated and removed again"
