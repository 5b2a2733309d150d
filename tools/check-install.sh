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
$PREFIX/share/applications/$APP_ID.desktop
$PREFIX/share/metainfo/$APP_ID.metainfo.xml
$PREFIX/share/icons/hicolor/scalable/apps/$APP_ID.svg
$PREFIX/share/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg
$PREFIX/share/connie/icons/hicolor/index.theme
$PREFIX/share/man/man1/connie.1.gz
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
find "$stage" -type f ! -path '*/bin/*' -perm /111 | grep . && fail "data files must not be executable"

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
