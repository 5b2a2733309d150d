#!/bin/bash
# Installs the Debian packages given (PKG... -- DAEMON_PKG...) that are
# missing, asking sudo only when something is missing. Packages listed after
# "--" ship services: if this script installs them, nothing may start them
# (a temporary policy-rc.d forbids it) and their units are disabled after.
# If they were installed before, they are not touched at all.
set -euo pipefail
pkgs=() daemons=()
seen_sep=0
for a in "$@"; do
	if [ "$a" = -- ]; then seen_sep=1; continue; fi
	if [ $seen_sep = 0 ]; then pkgs+=("$a"); else daemons+=("$a"); fi
done
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} = 0 ]; then
	echo "deps: all Debian packages present"
	exit 0
fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
new_daemons=()
for d in "${daemons[@]}"; do
	for m in "${missing[@]}"; do [ "$m" = "$d" ] && new_daemons+=("$d"); done
done
echo "deps: installing ${missing[*]}"
policy_made=0 policy_saved=
if [ ${#new_daemons[@]} -gt 0 ]; then
	if [ -e /usr/sbin/policy-rc.d ]; then
		# the admin's own policy goes back in place afterwards
		policy_saved=$(mktemp)
		$SUDO cp -p /usr/sbin/policy-rc.d "$policy_saved"
	fi
	# exit 101 = "action forbidden": no package may start its service
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
	policy_made=1
fi
cleanup() {
	if [ $policy_made = 1 ]; then
		if [ -n "$policy_saved" ]; then
			$SUDO cp -p "$policy_saved" /usr/sbin/policy-rc.d && $SUDO rm -f "$policy_saved"
		else
			$SUDO rm -f /usr/sbin/policy-rc.d
		fi
	fi
}
trap cleanup EXIT
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
for d in "${new_daemons[@]}"; do
	case $d in
	connman) units=(connman.service) ;;
	connman-vpn) units=(connman-vpn.service) ;;
	openvpn) units=(openvpn.service) ;;
	ocserv) units=(ocserv.service) ;;
	*) units=() ;;
	esac
	for u in "${units[@]}"; do
		# works offline too (no running systemd needed)
		if command -v systemctl >/dev/null; then
			$SUDO systemctl disable "$u" >/dev/null 2>&1 || true
		fi
		# and without systemctl: the links its postinst made
		$SUDO find /etc/systemd/system -name "$u" -type l -path '*.wants/*' -delete 2>/dev/null || true
	done
	echo "deps: installed $d without starting or enabling its service"
done
