#!/bin/bash
# `make pot`: extracts every translatable string into po/connie.pot, from the
# files listed in po/POTFILES.in: Rust sources, GtkBuilder files, the desktop
# entry and the metainfo (whose translations tools/install.sh merges in). `--check` instead verifies that the list
# names every file that has translatable strings (and only existing files).
#
# xgettext (0.21, Debian 12) has no Rust parser; its C parser reads Rust's
# simple calls (gettext("…"), gettext_f("…", …), ngettext("…", "…", n),
# N_("…")). Rust's string continuation (a backslash at the end of a line
# drops the newline and the next line's indentation) differs from C's, so
# the sources are copied with those continuations joined first.
set -euo pipefail
cd "$(dirname "$0")/.."

listed() { grep -v '^\s*\(#\|$\)' po/POTFILES.in; }

# files that mark strings: gettext calls or translatable="yes"
marked() {
	git ls-files 'src/*.rs' 'src/**/*.rs' 'src/*.ui' 'src/**/*.ui' | sort -u | while read -r f; do
		if grep -Eq '(^|[^_a-z])(gettext|gettext_f|ngettext|N_)\("|translatable="yes"' "$f"; then
			echo "$f"
		fi
	done
}

if [ "${1:-}" = --check ]; then
	status=0
	missing=$(comm -23 <(marked | sort) <(listed | sort))
	extra=$(listed | while read -r f; do [ -f "$f" ] || echo "$f"; done)
	if [ -n "$missing" ]; then
		echo "po/POTFILES.in lacks files with translatable strings:" >&2
		echo "$missing" >&2
		status=1
	fi
	if [ -n "$extra" ]; then
		echo "po/POTFILES.in names files that do not exist:" >&2
		echo "$extra" >&2
		status=1
	fi
	[ "$status" = 0 ] && echo "po/POTFILES.in: complete"
	exit "$status"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rs=() ui=() desktop=() metainfo=()
while read -r f; do
	case $f in
	*.rs)
		mkdir -p "$tmp/$(dirname "$f")"
		perl -0pe 's/\\\n\s*//g' "$f" >"$tmp/$f"
		rs+=("$f")
		;;
	*.ui) ui+=("$f") ;;
	*.desktop) desktop+=("$f") ;;
	*.metainfo.xml) metainfo+=("$f") ;;
	esac
done < <(listed)

common=(--from-code=UTF-8 --add-comments=Translators: --add-location=file
	--package-name=connie)
(cd "$tmp" && xgettext "${common[@]}" --language=C \
	--keyword --keyword=gettext --keyword=gettext_f --keyword=ngettext:1,2 --keyword=N_ \
	-o "$tmp/rs.pot" "${rs[@]}" 2>&1 |
	# Rust lifetimes ('a) look like unterminated C character constants
	grep -v 'warning: unterminated character constant' >&2 || true)
xgettext "${common[@]}" --language=Glade -o "$tmp/ui.pot" "${ui[@]}"
parts=("$tmp/rs.pot" "$tmp/ui.pot")
if [ ${#desktop[@]} -gt 0 ]; then
	# Name, GenericName, Comment, Keywords
	xgettext "${common[@]}" --language=Desktop -o "$tmp/desktop.pot" "${desktop[@]}"
	parts+=("$tmp/desktop.pot")
fi
if [ ${#metainfo[@]} -gt 0 ]; then
	# AppStream's ITS rules (metainfo.its: gettext ships them, appstream too)
	xgettext "${common[@]}" -o "$tmp/metainfo.pot" "${metainfo[@]}"
	parts+=("$tmp/metainfo.pot")
fi
msgcat --use-first "${parts[@]}" -o po/connie.pot
echo "po/connie.pot: $(grep -c '^msgid ' po/connie.pot) strings"
