#!/bin/bash
# `make screenshots`: starts the ConnMan lab (as root: through sudo unless
# already root), runs Connie under Xvfb against it and writes the README's
# screenshots to data/screenshots/: the window (light and dark), at phone
# width, the details page, ConnMan not running, and the passphrase dialog.
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

# a display and a session bus of our own
display=:$((200 + $$ % 100))
Xvfb "$display" -screen 0 1024x900x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
export DISPLAY=$display
session=$(mktemp -d)
dbus-daemon --session --address="unix:path=$session/bus" --nofork --nopidfile >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$session/bus" ] && break; sleep 0.1; done
export DBUS_SESSION_BUS_ADDRESS=unix:path=$session/bus
export GTK_A11Y=none
unset WAYLAND_DISPLAY

click() { # click X Y: in the main window (480×720)
	xdotool mousemove --window "$window" "$1" "$2" click 1
	sleep 1
}

connie_pid=
start_connie() {
	env "$@" "$connie_bin" >/dev/null 2>&1 &
	connie_pid=$!
	pids+=("$connie_pid")
	window=$(xdotool search --sync --onlyvisible --pid "$connie_pid" --name '^Connie$' | head -1)
	xdotool windowmove "$window" 0 0
	sleep 3
	# without a tray host Connie says once, in a toast that stays, that
	# closing quits it: dismissed with its button
	click 369 667
	xdotool mousemove 1000 880
	sleep 1
}
stop_connie() {
	kill "$connie_pid" 2>/dev/null || true
	wait "$connie_pid" 2>/dev/null || true
}
shot() { # shot NAME [WINDOW]
	import -window "${2:-$window}" "$out/$1.png"
	echo "screenshots: $out/$1.png"
}

start_connie
shot main
xdotool windowsize "$window" 360 720
sleep 1.5
shot narrow
xdotool windowsize "$window" 480 720
sleep 1.5

# the details of the first network (Wired): its row menu, then "Details"
click "${DETAILS_MENU_X:-432}" "${DETAILS_MENU_Y:-354}"
xdotool key Down Down Down Return
sleep 1.5
xdotool mousemove 1000 880
shot details
xdotool key Escape
sleep 1

# ConnMan not running
"${sudo[@]}" "$lab_bin" daemon stop connmand >/dev/null
sleep 2
shot not-running
"${sudo[@]}" "$lab_bin" daemon start connmand >/dev/null
sleep 4

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
	sleep 1.5
	[ -n "$dialog" ] && shot passphrase "$dialog"
	xdotool key Escape
fi
stop_connie

# libadwaita's dark style
start_connie ADW_DEBUG_COLOR_SCHEME=prefer-dark
shot main-dark
stop_connie
