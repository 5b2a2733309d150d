#!/bin/bash
# `make demo`: starts the ConnMan lab (as root: through sudo unless already
# root), switches its wifi on and scans, adds a VPN, then runs Connie
# against the lab's bus as the invoking user. When Connie exits (or on
# Ctrl-C) the lab is torn down: its stdin is closed (--exit-on-stdin-eof),
# and if it does not go, its PID alone gets SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

LAB_ARGS=${LAB_ARGS:---ethernet 2 --wifi --vpn}
lab_bin=target/debug/connman-lab
connie_bin=target/debug/connie
for b in "$lab_bin" "$connie_bin"; do
	[ -x "$b" ] || { echo "demo: $b is missing; run: cargo build --workspace" >&2; exit 1; }
done

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo --)

# the lab's stdout comes to us through the coprocess; its stderr (hints,
# errors) goes to the terminal
# shellcheck disable=SC2086
coproc LAB { exec "${sudo[@]}" "$lab_bin" up $LAB_ARGS --exit-on-stdin-eof; }
lab_pid=$LAB_PID
lab_in=${LAB[1]}
lab_out=${LAB[0]}

teardown() {
	trap - EXIT INT TERM
	if [ -n "${lab_in:-}" ]; then
		exec {lab_in}>&- || true
		lab_in=
	fi
	for _ in $(seq 1 60); do
		kill -0 "$lab_pid" 2>/dev/null || return 0
		sleep 0.5
	done
	echo "demo: the lab did not stop by itself; sending SIGTERM to $lab_pid" >&2
	kill -TERM "$lab_pid" 2>/dev/null || true
	wait "$lab_pid" 2>/dev/null || true
}
trap teardown EXIT
trap 'exit 130' INT TERM

bus= dir=
while IFS= read -r -t 120 line <&"$lab_out"; do
	case $line in
	DBUS_SYSTEM_BUS_ADDRESS=*) bus=${line#DBUS_SYSTEM_BUS_ADDRESS=} ;;
	CONNMAN_LAB_DIR=*) dir=${line#CONNMAN_LAB_DIR=} ;;
	READY) break ;;
	esac
done
if [ -z "$bus" ]; then
	echo "demo: the lab did not start (see above)" >&2
	exit 1
fi
echo "demo: lab ready; DBUS_SYSTEM_BUS_ADDRESS=$bus"
export DBUS_SYSTEM_BUS_ADDRESS=$bus

# the lab's access points appear once wifi is on and scanned
timeout 20 connmanctl enable wifi >/dev/null 2>&1 || true
timeout 30 connmanctl scan wifi >/dev/null 2>&1 || true

# a VPN to one of the lab's OpenVPN servers (certificate login)
if [[ " $LAB_ARGS " == *" --vpn "* ]] && [ -n "$dir" ]; then
	pki=$dir/pki
	timeout 20 gdbus call --system --dest net.connman.vpn --object-path / \
		--method net.connman.vpn.Manager.Create \
		"{'Type': <'openvpn'>, 'Name': <'Lab VPN'>, 'Host': <'10.77.0.1'>,
		  'VPN.Domain': <'cert.lab.test'>, 'OpenVPN.Proto': <'udp'>,
		  'OpenVPN.Port': <'1194'>, 'OpenVPN.CACert': <'$pki/ca.crt'>,
		  'OpenVPN.Cert': <'$pki/client.crt'>, 'OpenVPN.Key': <'$pki/client.key'>}" \
		>/dev/null || echo "demo: could not create the lab's VPN (going on without it)" >&2
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
