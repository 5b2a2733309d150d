#!/bin/bash
# Runs the whole test suite under Xvfb with a session bus (the lab tests
# start labs of their own through sudo -n when not root), then prints one
# closing line with the totals over every test binary.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bash "$(dirname "$0")/with-sudo-kept.sh" xvfb-run -a dbus-run-session -- \
	env -u XDG_CURRENT_DESKTOP GTK_A11Y=none "${CARGO:-cargo}" test --workspace --lib --bins --tests -- --test-threads=3 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk '/^test result:/ { passed += $4; failed += $6 }
     END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
