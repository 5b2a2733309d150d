#!/bin/bash
# Connie needs a recent Rust (gtk4-rs 0.11 wants 1.92); Debian 12's cargo is
# too old, so the toolchain comes from rustup, in the person's home.
set -euo pipefail
need=1.92
if ! command -v cargo >/dev/null; then
	echo "deps: no cargo found. Install Rust $need or newer with rustup (https://rustup.rs), then run make again." >&2
	exit 1
fi
have=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
	echo "deps: rustc $have is too old; Connie needs $need or newer (rustup update)." >&2
	exit 1
fi
echo "deps: rustc $have"
