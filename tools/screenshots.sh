#!/bin/bash
# `make screenshots`: starts the ConnMan lab (as root: through sudo unless
# already root), runs Connie under Xvfb against it and writes the README's
# screenshots to data/screenshots/: the window (light and dark), at phone
# width, the details page, the settings editor (light, dark, narrow),
# "ConnMan is not running", the passphrase dialog, the traffic graph, the
# Date & Time page, the Wi-Fi hotspot with its code and the devices on it
# (light, dark, narrow), OpenConnect's certificate question and login
# (light, dark, narrow) and the enterprise network form (light, dark,
# narrow).
# Everything it starts, it ends by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

. tools/lab-up.sh

out=data/screenshots
connie_bin=${CONNIE_BIN:-target/debug/connie}
for b in "$lab_bin" "$connie_bin"; do
	[ -x "$b" ] || { echo "screenshots: $b is missing; run: cargo build --workspace" >&2; exit 1; }
done
for tool in Xvfb xdotool import dbus-daemon; do
	command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (make deps)" >&2; exit 1; }
done
mkdir -p "$out"

pids=()
lab_up screenshots --ethernet 2 --wifi --vpn
cleanup() {
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	lab_down
}
trap cleanup EXIT
lab_wifi_on
lab_add_vpn || echo "screenshots: no VPN (going on without it)" >&2

# ready_line VAR FIFO: reads into VAR the first line a process we started
# writes into FIFO (its readiness signal), waiting at most 10 s
ready_line() {
	local -n into=$1
	into=
	read -r -t 10 into <"$2" || true
	rm -f "$2"
	[ -n "$into" ]
}

# a display and a session bus of our own, each used once it says it is ready
# (Xvfb writes its display number once it accepts clients; dbus-daemon its
# address once it listens)
ready=$(mktemp -d)
mkfifo "$ready/x" "$ready/bus"
Xvfb -displayfd 3 -screen 0 1024x900x24 -nolisten tcp 3>"$ready/x" >/dev/null 2>&1 &
pids+=($!)
ready_line display_number "$ready/x" || { echo "screenshots: Xvfb did not start" >&2; exit 1; }
export DISPLAY=:$display_number
session=$(mktemp -d)
dbus-daemon --session --address="unix:path=$session/bus" --nofork --nopidfile --print-address \
	>"$ready/bus" 2>/dev/null &
pids+=($!)
ready_line bus_address "$ready/bus" || { echo "screenshots: dbus-daemon did not start" >&2; exit 1; }
rmdir "$ready"
export DBUS_SESSION_BUS_ADDRESS=$bus_address
export GTK_A11Y=none
unset WAYLAND_DISPLAY

# settle [WINDOW]: waits (at most 10 s) until the window is drawn and still,
# animations over: two captures of it in a row, 0.25 s apart, are the same
settle() {
	local w=${1:-$window} last= now
	for _ in $(seq 1 40); do
		now=$(import -window "$w" rgb:- 2>/dev/null | md5sum)
		[ "$now" = "$last" ] && return 0
		last=$now
		sleep 0.25
	done
	echo "screenshots: window $w still changes after 10 s; taking it as it is" >&2
}

# lab_lists NAME: waits (at most 30 s) until connmand lists a service NAME
lab_lists() {
	for _ in $(seq 1 150); do
		connmanctl services 2>/dev/null | grep -q "$1" && return 0
		sleep 0.2
	done
	echo "screenshots: connmand does not list $1" >&2
}

click() { # click X Y: in the main window (480×720)
	xdotool mousemove --window "$window" "$1" "$2" click 1
	settle
}

connie_pid=
start_connie() {
	env "$@" "$connie_bin" >/dev/null 2>&1 &
	connie_pid=$!
	pids+=("$connie_pid")
	window=$(xdotool search --sync --onlyvisible --pid "$connie_pid" --name '^Connie$' | head -1)
	xdotool windowmove --sync "$window" 0 0
	settle
	# without a tray host Connie says once, in a toast that stays, that
	# closing quits it: dismissed with its button
	click 369 667
	xdotool mousemove 1000 880
	settle
}
# window_named PREFIX: sets $found to the shown window of Connie's whose
# title starts with PREFIX (waiting at most 10 s)
window_named() {
	found=
	for _ in $(seq 1 50); do
		for w in $(xdotool search --onlyvisible --pid "$connie_pid" --name . 2>/dev/null); do
			case $(xdotool getwindowname "$w" 2>/dev/null) in "$1"*) found=$w ;; esac
		done
		[ -n "$found" ] && return 0
		sleep 0.2
	done
	echo "screenshots: no window \"$1\"" >&2
	exit 1
}

# open_editor: from the details page, its "Edit…" button (Alt+E); sets
# $editor to the editor's window, drawn
open_editor() {
	xdotool key alt+e
	editor=
	for _ in $(seq 1 50); do
		for w in $(xdotool search --onlyvisible --pid "$connie_pid" --name . 2>/dev/null); do
			case $(xdotool getwindowname "$w") in "Settings of "*) editor=$w ;; esac
		done
		[ -n "$editor" ] && break
		sleep 0.2
	done
	[ -n "$editor" ] || { echo "screenshots: the editor did not open" >&2; exit 1; }
	# beside the main window (there is no window manager to stack them)
	xdotool windowmove --sync "$editor" 490 0
	xdotool windowraise "$editor"
	xdotool mousemove 1000 880
	settle "$editor"
}
# open_page TITLE KEY: opens a page from the main menu (F10, then the
# item's mnemonic KEY); sets $page to its window, drawn beside the main one
open_page() {
	# (no window manager: the main window gets the keyboard back by hand)
	xdotool windowfocus --sync "$window"
	xdotool key F10
	settle
	xdotool key "$2"
	page=
	for _ in $(seq 1 50); do
		for w in $(xdotool search --onlyvisible --pid "$connie_pid" --name . 2>/dev/null); do
			[ "$(xdotool getwindowname "$w")" = "$1" ] && page=$w
		done
		[ -n "$page" ] && break
		sleep 0.2
	done
	[ -n "$page" ] || { echo "screenshots: $1 did not open" >&2; exit 1; }
	xdotool windowmove --sync "$page" 490 0
	xdotool windowsize --sync "$page" 520 880
	xdotool windowraise "$page"
	xdotool mousemove 1000 880
	settle "$page"
}
stop_connie() {
	kill "$connie_pid" 2>/dev/null || true
	wait "$connie_pid" 2>/dev/null || true
}
shot() { # shot NAME [WINDOW]
	import -window "${2:-$window}" "$out/$1.png"
	echo "screenshots: $out/$1.png"
}

lab_lists LabWPA2
start_connie
shot main
xdotool windowsize --sync "$window" 360 720
settle
shot narrow
xdotool windowsize --sync "$window" 480 720
settle

# the details of the first network (Wired): its row menu, then "Details"
click "${DETAILS_MENU_X:-432}" "${DETAILS_MENU_Y:-354}"
xdotool key Down Return
xdotool mousemove 1000 880
settle
shot details
open_editor
shot editor "$editor"
xdotool windowsize --sync "$editor" 360 720
settle "$editor"
shot editor-narrow "$editor"
xdotool key Escape
xdotool key Escape
settle

# ConnMan not running
"${sudo[@]}" "$lab_bin" daemon stop connmand >/dev/null
# gone from the bus (Connie hears of it at the same moment), then drawn
for _ in $(seq 1 50); do connmanctl state >/dev/null 2>&1 || break; sleep 0.1; done
settle
shot not-running
"${sudo[@]}" "$lab_bin" daemon start connmand >/dev/null
lab_lists LabWPA2
settle

# the passphrase dialog: connmand asks Connie's agent (the default one)
psk=$(connmanctl services | awk '$0 ~ /LabWPA2/ { print $NF; exit }')
if [ -n "$psk" ]; then
	timeout 60 connmanctl connect "$psk" >/dev/null 2>&1 &
	pids+=($!)
	dialog=
	for _ in $(seq 1 50); do
		dialog=$(xdotool search --onlyvisible --pid "$connie_pid" --name . | grep -v "^$window$" | tail -1 || true)
		[ -n "$dialog" ] && break
		sleep 0.2
	done
	[ -n "$dialog" ] && settle "$dialog" && shot passphrase "$dialog"
	xdotool key Escape
fi
stop_connie

# libadwaita's dark style
start_connie ADW_DEBUG_COLOR_SCHEME=prefer-dark
shot main-dark
click "${DETAILS_MENU_X:-432}" "${DETAILS_MENU_Y:-354}"
xdotool key Down Return
xdotool mousemove 1000 880
settle
open_editor
# Manual IPv4 with a mistyped address: the reason shows under the field
xdotool mousemove --window "$editor" 260 327 click 1
sleep 0.5
xdotool key Down Return
settle "$editor"
xdotool mousemove --window "$editor" 260 382 click 1
xdotool type --delay 20 10.77.1.300
xdotool mousemove 1000 880
settle "$editor"
shot editor-dark "$editor"
stop_connie

start_connie
# Adding a VPN: its "+" in the VPN section's heading, the types, then
# OpenVPN's form; an import of an .ovpn with an unsafe line; the editor of
# the lab's VPN from its row's menu (a Connie of its own: the dialogs
# are left open)
click "${ADD_VPN_X:-440}" "${ADD_VPN_Y:-199}"
window_named "Add VPN"
vpn_dialog=$found
xdotool windowmove --sync "$vpn_dialog" 490 0
xdotool windowraise "$vpn_dialog"
xdotool mousemove 1000 880
settle "$vpn_dialog"
shot vpn-add "$vpn_dialog"
ovpn_dir=$(mktemp -d)
pki=$lab_dir/pki
{
	printf 'client\ndev tun\nproto udp\nremote 10.77.0.1 1194\nremote-cert-tls server\n'
	printf 'up /etc/openvpn/update-resolv-conf\nscript-security 2\n'
	printf '<ca>\n%s\n</ca>\n' "$(cat "$pki/ca.crt")"
	printf '<cert>\n%s\n</cert>\n<key>\n%s\n</key>\n' "$(cat "$pki/client.crt")" "$(cat "$pki/client.key")"
} >"$ovpn_dir/Office.ovpn"
# "Import from File…", the last row: the file chooser takes a typed path
xdotool mousemove --window "$vpn_dialog" 260 441 click 1
window_named "Import a VPN"
xdotool type --delay 20 "$ovpn_dir/Office.ovpn"
xdotool key Return
for _ in $(seq 1 50); do
	xdotool search --onlyvisible --pid "$connie_pid" --name '^Import a VPN$' >/dev/null 2>&1 || break
	sleep 0.2
done
xdotool mousemove 1000 880
settle "$vpn_dialog"
shot vpn-import "$vpn_dialog"
rm -rf "$ovpn_dir"
stop_connie
# the traffic graph: the details page of Wired while pings of two sizes go
# through its link (the lab's ping ends by its own deadline)
start_connie
click "${DETAILS_MENU_X:-432}" "${DETAILS_MENU_Y:-354}"
xdotool key Down Return
xdotool mousemove 1000 880
"${sudo[@]}" "$lab_bin" ping 1 30 8000 >/dev/null 2>&1 || true
"${sudo[@]}" "$lab_bin" ping 1 40 40000 >/dev/null 2>&1 || true
settle
shot traffic

# Date & Time (connmand's clock), from the list's menu
xdotool key Escape
settle
open_page "Date & Time" d
shot clock "$page"
xdotool key Escape

# the Wi-Fi hotspot, set up and switched on with connmand's own tool, and
# its join code
timeout 30 connmanctl tether wifi on "Connie Hotspot" "abcd-efgh-jkmn-pqrs" >/dev/null 2>&1 || true
# two devices join it (the fake radio says so, as wpa_supplicant does),
# once its access point is up (at most 10 s)
for mac in 02:5e:10:00:00:a1 02:5e:10:00:00:b2; do
	for _ in $(seq 50); do
		"${sudo[@]}" "$lab_bin" station join "$mac" >/dev/null 2>&1 && break
		sleep 0.2
	done
done
open_page "Share Connection" n
shot hotspot "$page"
xdotool windowsize --sync "$page" 360 880
settle "$page"
shot hotspot-narrow "$page"
stop_connie
start_connie ADW_DEBUG_COLOR_SCHEME=prefer-dark
open_page "Share Connection" n
shot hotspot-dark "$page"
stop_connie

# OpenConnect: the question about the server's certificate, then the login
# with the server's groups (light, dark, narrow). Connie looks at the
# certificate from its own network, so this Connie runs inside the lab's
# network namespace, where connman-vpnd meets the lab's ocserv (from the
# host's network it would not reach it), as the person running this;
# connmanctl's connect makes connman-vpnd ask it.
lab_add_oc_vpn || { echo "screenshots: no OpenConnect VPN" >&2; exit 1; }
lab_lists "Lab OC"
oc_service=$(connmanctl services | awk '/Lab OC/ { print $NF; exit }')
lab_ns=$(basename "$lab_dir")-l
start_connie_in_lab() {
	"${sudo[@]}" ip netns exec "$lab_ns" \
		setpriv --reuid="$(id -u)" --regid="$(id -g)" --init-groups \
		env DISPLAY="$DISPLAY" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
		DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" GTK_A11Y=none "$@" \
		"$connie_bin" >/dev/null 2>&1 &
	local launcher=$! child
	pids+=("$launcher")
	connie_pid=$launcher
	window=
	for _ in $(seq 1 100); do
		# through sudo, Connie is sudo's child
		if [ ${#sudo[@]} -gt 0 ]; then
			child=$(pgrep -P "$launcher" | head -1 || true)
			[ -n "$child" ] && connie_pid=$child
		fi
		window=$(xdotool search --onlyvisible --pid "$connie_pid" --name '^Connie$' 2>/dev/null | head -1 || true)
		[ -n "$window" ] && break
		sleep 0.2
	done
	[ -n "$window" ] || { echo "screenshots: Connie did not start in the lab" >&2; exit 1; }
	xdotool windowmove --sync "$window" 0 0
	settle
	click 369 667
	xdotool mousemove 1000 880
	settle
}
# oc_dialogs SUFFIX [narrow]: connects "Lab OC", shoots the certificate
# question and (after "Trust and Connect") the login, then cancels it
oc_dialogs() {
	timeout 60 connmanctl connect "$oc_service" >/dev/null 2>&1 &
	pids+=($!)
	window_named "Trust This Certificate?"
	local cert=$found
	xdotool windowmove --sync "$cert" 490 0
	[ "${2:-}" = narrow ] && xdotool windowsize --sync "$cert" 360 720
	xdotool mousemove 1000 880
	settle "$cert"
	shot "oc-certificate$1" "$cert"
	xdotool windowfocus --sync "$cert" 2>/dev/null || true
	xdotool key alt+t
	window_named "VPN Login"
	local login=$found
	xdotool windowmove --sync "$login" 490 0
	[ "${2:-}" = narrow ] && xdotool windowsize --sync "$login" 360 600
	xdotool mousemove 1000 880
	settle "$login"
	shot "oc-login$1" "$login"
	xdotool windowfocus --sync "$login" 2>/dev/null || true
	xdotool key Escape
	for _ in $(seq 1 50); do
		xdotool search --onlyvisible --pid "$connie_pid" --name '^VPN Login$' >/dev/null 2>&1 || break
		sleep 0.2
	done
}
start_connie_in_lab
oc_dialogs ""
oc_dialogs -narrow narrow
stop_connie
start_connie_in_lab ADW_DEBUG_COLOR_SCHEME=prefer-dark
oc_dialogs -dark
stop_connie
# the enterprise (802.1X) network form: Connect on LabEnterprise opens it;
# here through its details page (connie --show NAME) and Edit… (Alt+E),
# which does the same for a network nothing provisions (after the
# hotspot is off again: while wifi is an access point, connmand lists no
# networks)
enterprise_form() {
	form=
	for _ in 1 2 3; do
		"$connie_bin" --show LabEnterprise >/dev/null 2>&1
		settle
		xdotool windowfocus --sync "$window"
		xdotool key alt+e
		for _ in $(seq 1 25); do
			for w in $(xdotool search --onlyvisible --pid "$connie_pid" --name . 2>/dev/null); do
				[ "$(xdotool getwindowname "$w")" = "Enterprise Network" ] && form=$w
			done
			[ -n "$form" ] && break 2
			sleep 0.2
		done
		xdotool key Escape
	done
	if [ -z "$form" ]; then
		echo "screenshots: the enterprise form did not open; Connie's windows:" >&2
		for w in $(xdotool search --onlyvisible --pid "$connie_pid" --name . 2>/dev/null); do
			echo "  $(xdotool getwindowname "$w")" >&2
		done
		exit 1
	fi
	xdotool windowmove --sync "$form" 490 0
	xdotool windowraise "$form"
	for field in "339 alice@example.org" "595 radius.example.org"; do
		xdotool mousemove --window "$form" 200 "${field%% *}" click 1
		xdotool type --delay 20 "${field#* }"
	done
	xdotool mousemove 1000 880
	settle "$form"
}
timeout 30 connmanctl tether wifi off >/dev/null 2>&1 || true
lab_wifi_on
lab_lists LabEnterprise
start_connie
enterprise_form
shot enterprise "$form"
xdotool windowsize --sync "$form" 360 720
settle "$form"
shot enterprise-narrow "$form"
stop_connie
start_connie ADW_DEBUG_COLOR_SCHEME=prefer-dark
enterprise_form
shot enterprise-dark "$form"
stop_connie
