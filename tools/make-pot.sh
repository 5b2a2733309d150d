#!/bin/bash
# `make pot`: extracts every translatable string into po/connie.pot, from the
# files listed in po/POTFILES.in: Rust sources, GtkBuilder files, the desktop
# entry and the metainfo (whose translations tools/install.sh merges in).
#
# `--check` (make potfiles, part of make check) changes nothing and fails when
#  - po/POTFILES.in misses a file that marks strings, or names one that does
#    not exist;
#  - po/connie.pot is stale: a fresh extraction differs from it (the
#    POT-Creation-Date line aside), e.g. a marked string is missing from it;
#  - a language in po/LINGUAS has a .po that does not compile (msgfmt --check)
#    or lacks a translation of a template entry (msgcmp: untranslated and
#    fuzzy entries count as missing).
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

# po/POTFILES.in names every file that marks strings, and only existing files
check_potfiles() {
	local status=0 missing extra
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
	return "$status"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# extract OUT: the template from the files in po/POTFILES.in, into OUT
extract() {
	local rs=() ui=() desktop=() metainfo=() parts f
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

	local common=(--from-code=UTF-8 --add-comments=Translators: --add-location=file
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
	msgcat --use-first "${parts[@]}" -o "$1"
}

# the .po of each language in po/LINGUAS compiles and translates every
# entry of the template TEMPLATE
check_languages() {
	local status=0 lang po
	for lang in $(grep -v '^\s*\(#\|$\)' po/LINGUAS || true); do
		po=po/$lang.po
		if [ ! -f "$po" ]; then
			echo "po/LINGUAS lists $lang, but $po does not exist" >&2
			status=1
			continue
		fi
		if ! msgfmt --check -o /dev/null "$po"; then
			echo "$po does not compile (msgfmt --check)" >&2
			status=1
		elif ! msgcmp "$po" "$1"; then
			echo "$po lacks translations of template entries (make pot, then msgmerge --update $po po/connie.pot and translate)" >&2
			status=1
		else
			echo "$po: $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
		fi
	done
	return "$status"
}

if [ "${1:-}" = --check ]; then
	status=0
	check_potfiles || status=1
	extract "$tmp/connie.pot"
	if ! diff -u -I '^"POT-Creation-Date: ' po/connie.pot "$tmp/connie.pot" >"$tmp/pot.diff"; then
		echo "po/connie.pot is stale (make pot updates it):" >&2
		cat "$tmp/pot.diff" >&2
		status=1
	else
		echo "po/connie.pot: up to date"
	fi
	check_languages "$tmp/connie.pot" || status=1
	exit "$status"
fi

extract po/connie.pot
echo "po/connie.pot: $(grep -c '^msgid ' po/connie.pot) strings"
