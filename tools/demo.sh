#!/bin/bash
# `make demo`: starts the ConnMan lab (as root: through sudo unless already
# root), switches its wifi on and scans, adds a VPN, then runs Connie
# against the lab's bus as the invoking user. When Connie exits (or on
# Ctrl-C) the lab is torn down: its stdin is closed (--exit-on-stdin-eof),
# and if it does not go, its PID alone gets SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

. tools/lab-up.sh

LAB_ARGS=${LAB_ARGS:---ethernet 2 --wifi --vpn}
connie_bin=target/debug/connie
for b in "$lab_bin" "$connie_bin"; do
	[ -x "$b" ] || { echo "demo: $b is missing; run: cargo build --workspace" >&2; exit 1; }
done

# shellcheck disable=SC2086
lab_up demo $LAB_ARGS
echo "demo: lab ready; DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS"

# the lab's access points appear once wifi is on and scanned
lab_wifi_on

# a VPN to one of the lab's OpenVPN servers (certificate login)
if [[ " $LAB_ARGS " == *" --vpn "* ]] && [ -n "$lab_dir" ]; then
	lab_add_vpn || echo "demo: could not create the lab's VPN (going on without it)" >&2
fi

run_connie=("$connie_bin")
# without a session bus, give Connie one (single instance lives there)
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
	run_connie=(dbus-run-session -- "${run_connie[@]}")
fi
# run as root through sudo: Connie runs as the person who called sudo
if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
	run_connie=(sudo -u "$SUDO_USER" \
		--preserve-env=DISPLAY,WAYLAND_DISPLAY,XDG_RUNTIME_DIR,DBUS_SESSION_BUS_ADDRESS,DBUS_SYSTEM_BUS_ADDRESS \
		-- "${run_connie[@]}")
fi
echo "demo: starting Connie; quit it (Ctrl+Q, or Quit in its tray menu) to stop the lab"
status=0
"${run_connie[@]}" "$@" || status=$?
exit "$status"
