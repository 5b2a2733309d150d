#!/bin/bash
# `make install` / `make uninstall`: the one list of what Connie installs.
#
#   tools/install.sh install   DESTDIR PREFIX [BINARY]
#   tools/install.sh uninstall DESTDIR PREFIX
#   tools/install.sh list      PREFIX          (the paths, one a line)
#
# BINARY is the connie to install (default target/release/connie, built with
# CONNIE_LOCALEDIR=PREFIX/share/locale). Translations are installed from
# target/locale (`make mo`); the desktop entry and the metainfo are
# installed with theirs merged in from po/ (msgfmt --desktop, --xml).
# Nothing else is written: no autostart entry
# (Connie writes the person's own when "Start at login in the tray" is
# switched on), no caches (GTK 4 reads the icons without one).
set -euo pipefail
cd "$(dirname "$0")/.."
APP_ID=io.github.connie.Connie

# "MODE SOURCE TARGET" lines; TARGET is relative to PREFIX, or absolute for
# the two files their readers look for only under /usr/share (the system
# bus's policy directory and polkit's actions), whatever the PREFIX
files() {
	echo "755 ${BINARY:-target/release/connie} bin/connie"
	# the provisioning helper, the only part that runs as root: started by
	# the system bus on demand, asks polkit about every change. Only with a
	# system prefix: the system bus reads no service file under a home
	if system_prefix; then
		echo "755 $(dirname "${BINARY:-target/release/connie}")/connie-provision libexec/connie-provision"
		echo "644 $merged/io.github.connie.Provision.service share/dbus-1/system-services/io.github.connie.Provision.service"
		echo "644 data/provision/io.github.connie.Provision.conf /usr/share/dbus-1/system.d/io.github.connie.Provision.conf"
		echo "644 data/provision/$APP_ID.policy /usr/share/polkit-1/actions/$APP_ID.policy"
		echo "644 data/connie-provision.8 share/man/man8/connie-provision.8.gz"
	fi
	echo "644 $merged/$APP_ID.desktop share/applications/$APP_ID.desktop"
	echo "644 $merged/$APP_ID.metainfo.xml share/metainfo/$APP_ID.metainfo.xml"
	echo "644 data/icons/hicolor/scalable/apps/$APP_ID.svg share/icons/hicolor/scalable/apps/$APP_ID.svg"
	echo "644 data/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg share/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg"
	# the tray's fallback status icons, which it points panels at
	echo "644 data/icons/hicolor/index.theme share/connie/icons/hicolor/index.theme"
	for f in data/icons/hicolor/scalable/status/*.svg; do
		echo "644 $f share/connie/icons/hicolor/scalable/status/${f##*/}"
	done
	# gzip'd: what man reads everywhere, and what Debian wants
	echo "644 data/connie.1 share/man/man1/connie.1.gz"
	for lang in $(grep -v '^#' po/LINGUAS || true); do
		echo "644 target/locale/$lang/LC_MESSAGES/connie.mo share/locale/$lang/LC_MESSAGES/connie.mo"
	done
}

merged=.  # where install merges the translated files; the other actions read only targets
# whether PREFIX is one the system bus reads service files under
system_prefix() {
	case $prefix in /usr | /usr/local) return 0 ;; *) return 1 ;; esac
}
# where TARGET goes under DESTDIR and PREFIX
target() {
	case $3 in
	/*) echo "$1$3" ;;
	*) echo "$1$2/$3" ;;
	esac
}
action=${1:?install, uninstall or list}
case $action in
install)
	destdir=$2 prefix=$3 BINARY=${4:-}
	merged=$(mktemp -d)
	trap 'rm -rf "$merged"' EXIT
	msgfmt --desktop --template="data/$APP_ID.desktop" -d po -o "$merged/$APP_ID.desktop"
	msgfmt --xml --template="data/$APP_ID.metainfo.xml" -d po -o "$merged/$APP_ID.metainfo.xml"
	sed "s|@LIBEXECDIR@|$prefix/libexec|" data/provision/io.github.connie.Provision.service.in \
		>"$merged/io.github.connie.Provision.service"
	system_prefix || echo "install: PREFIX $prefix is not /usr or /usr/local: installing without \
the helper for enterprise Wi-Fi (connie-provision), which the system bus would not find there" >&2
	files | while read -r mode src target; do
		dest=$(target "$destdir" "$prefix" "$target")
		if [ ! -f "$src" ]; then
			echo "install: $src is missing" >&2
			exit 1
		fi
		install -d -m755 "$(dirname "$dest")"
		case $target in
		*.gz) gzip -9n <"$src" >"$dest" && chmod "$mode" "$dest" ;;
		*) install -m"$mode" "$src" "$dest" ;;
		esac
		echo "  $dest"
	done
	;;
uninstall)
	destdir=$2 prefix=$3
	files | while read -r _ _ target; do
		rm -fv "$(target "$destdir" "$prefix" "$target")"
	done
	# the directory that is Connie's alone; shared directories stay
	rm -rf "$destdir$prefix/share/connie"
	;;
list)
	prefix=$2
	files | while read -r _ _ target; do target "" "$prefix" "$target"; done
	;;
*)
	echo "usage: $0 install|uninstall|list …" >&2
	exit 2
	;;
esac
