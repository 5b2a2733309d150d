# shellcheck shell=bash
# Sourced by tools/demo.sh and tools/screenshots.sh (from the top of the
# tree, under `set -euo pipefail`): the ConnMan lab's start-up and teardown.
# The lab runs as root: through sudo unless already root.

lab_bin=target/debug/connman-lab
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo --)

# lab_up WHO ARGS...: starts `connman-lab up ARGS --exit-on-stdin-eof`; its
# stdout comes to us through a coprocess, its stderr (hints, errors) goes to
# the terminal. From then on the script's exit runs lab_down (Ctrl-C exits
# with 130). Waits for the lab to be ready (up to 120 s a line), then sets
# lab_dir and exports DBUS_SYSTEM_BUS_ADDRESS; if the lab did not start, says
# so (as WHO) and exits 1.
lab_up() {
	lab_who=$1
	shift
	coproc LAB { exec "${sudo[@]}" "$lab_bin" up "$@" --exit-on-stdin-eof; }
	lab_pid=$LAB_PID
	lab_in=${LAB[1]}
	lab_out=${LAB[0]}
	trap lab_down EXIT
	trap 'exit 130' INT TERM

	local bus= line
	lab_dir=
	while IFS= read -r -t 120 line <&"$lab_out"; do
		case $line in
		DBUS_SYSTEM_BUS_ADDRESS=*) bus=${line#DBUS_SYSTEM_BUS_ADDRESS=} ;;
		CONNMAN_LAB_DIR=*) lab_dir=${line#CONNMAN_LAB_DIR=} ;;
		READY) break ;;
		esac
	done
	if [ -z "$bus" ]; then
		echo "$lab_who: the lab did not start (see above)" >&2
		exit 1
	fi
	export DBUS_SYSTEM_BUS_ADDRESS=$bus
}

# lab_down: closes the lab's stdin, so that it tears itself down; if it has
# not gone after 30 s, its PID alone gets SIGTERM.
lab_down() {
	trap - EXIT INT TERM
	if [ -n "${lab_in:-}" ]; then
		exec {lab_in}>&- || true
		lab_in=
	fi
	for _ in $(seq 1 60); do
		kill -0 "$lab_pid" 2>/dev/null || return 0
		sleep 0.5
	done
	echo "$lab_who: the lab did not stop by itself; sending SIGTERM to $lab_pid" >&2
	kill -TERM "$lab_pid" 2>/dev/null || true
	wait "$lab_pid" 2>/dev/null || true
}

# lab_wifi_on: switches the lab's wifi on and scans, so that its access
# points appear (best effort).
lab_wifi_on() {
	timeout 20 connmanctl enable wifi >/dev/null 2>&1 || true
	timeout 30 connmanctl scan wifi >/dev/null 2>&1 || true
}

# lab_add_oc_vpn: creates "Lab OC", an OpenConnect VPN to the lab's ocserv
# (username and password; no CA file, so its certificate is asked about).
lab_add_oc_vpn() {
	timeout 20 gdbus call --system --dest net.connman.vpn --object-path / \
		--method net.connman.vpn.Manager.Create \
		"{'Type': <'openconnect'>, 'Name': <'Lab OC'>, 'Host': <'10.77.0.1'>,
		  'VPN.Domain': <'oc.lab.test'>, 'OpenConnect.AuthType': <'userpass'>}" \
		>/dev/null
}

# lab_add_vpn: creates a VPN to one of the lab's OpenVPN servers
# (certificate login; the lab runs with --vpn). Fails if connman-vpnd did
# not take it.
lab_add_vpn() {
	local pki=$lab_dir/pki
	timeout 20 gdbus call --system --dest net.connman.vpn --object-path / \
		--method net.connman.vpn.Manager.Create \
		"{'Type': <'openvpn'>, 'Name': <'Lab VPN'>, 'Host': <'10.77.0.1'>,
		  'VPN.Domain': <'cert.lab.test'>, 'OpenVPN.Proto': <'udp'>,
		  'OpenVPN.Port': <'1194'>, 'OpenVPN.CACert': <'$pki/ca.crt'>,
		  'OpenVPN.Cert': <'$pki/client.crt'>, 'OpenVPN.Key': <'$pki/client.key'>}" \
		>/dev/null
}
