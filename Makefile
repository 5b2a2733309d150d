# Connie: build, test and try it against the ConnMan lab.
#
#   make demo    install what is needed, start the lab and run Connie against it
#   make check   install what is needed and run every check and test
#   make lab     start a lab in the foreground (Ctrl-C tears it down)
#   make screenshots  the README's screenshots, under Xvfb against the lab
#   make pot     extract the translatable strings into po/connie.pot
#   make mo      compile po/*.po into target/locale (used when run from target/)
#   make install / make uninstall   PREFIX (/usr/local) and DESTDIR, as usual
#   make deb     a Debian package in target/deb, checked with lintian
#
# Run these as yourself: sudo is asked only for what needs root (installing
# packages, the lab's namespaces). As root (CI) they work unchanged.

SHELL := /bin/bash
CARGO ?= cargo
LAB_ARGS ?= --ethernet 2 --wifi --vpn
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: build, tests, lab.
BUILD_PKGS := build-essential pkg-config libgtk-4-dev libadwaita-1-dev gettext \
	desktop-file-utils appstream man-db
TEST_PKGS := xvfb xauth dbus sudo xdotool at-spi2-core python3-pyatspi glib-networking
# Screenshots: the capture (import); xdotool, which finds and drives the
# window, is a test package already.
SHOT_PKGS := imagemagick
# make bench runs the incumbent, connman-gtk, against the same lab in the same
# run (no autostart entry, no service; it depends on connman, a lab package).
BENCH_PKGS := connman-gtk
LAB_PKGS := connman connman-vpn dnsmasq-base openvpn openssl ethtool iproute2 util-linux mount polkitd \
	iputils-ping ocserv openconnect
# make deb: dpkg-shlibdeps (the package's Depends) and lintian.
DEB_PKGS := dpkg-dev lintian
# Packages that ship services which must never start on the host (polkitd
# runs only in the lab, for the provisioning helper's tests).
DAEMON_PKGS := connman connman-vpn openvpn ocserv polkitd

.PHONY: all build deps check lab demo test lint fmt clean sudo-ok bench install uninstall \
	install-check deb pot potfiles mo screenshots

APP_ID := io.github.connie.Connie
# lintian's own way of reading a manual page: any warning fails
MAN_CHECK = LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z

all: build

build:
	$(CARGO) build --workspace

# Installs the missing packages. Packages that bring services are installed
# with a policy-rc.d that forbids starting them, and their units are then
# disabled, but only when this step installed them: an existing ConnMan
# installation is left exactly as it was.
deps:
	@bash tools/install-deps.sh $(BUILD_PKGS) $(TEST_PKGS) $(LAB_PKGS) -- $(DAEMON_PKGS)
	@bash tools/check-rust.sh

# sudo is asked once, before the long steps, and kept fresh while they run.
sudo-ok:
	@if [ -n "$(SUDO)" ]; then sudo -v; fi

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	desktop-file-validate data/$(APP_ID).desktop
	appstreamcli validate --no-net data/$(APP_ID).metainfo.xml
	@for page in data/connie.1 data/connie-provision.8; do \
		warnings=$$($(MAN_CHECK) $$page 2>&1 >/dev/null); \
		if [ -n "$$warnings" ]; then echo "$$page: $$warnings"; exit 1; fi; \
		echo "$$page: no warnings"; \
	done

test: sudo-ok
	$(CARGO) build --workspace --all-targets
	CARGO=$(CARGO) bash tools/run-tests.sh

check: deps fmt lint potfiles test install-check

# installs the debug build (which `make test` built) and the compiled
# translations (make mo) into a temporary DESTDIR, compares the files with the
# expected list, validates them and uninstalls (tools/check-install.sh)
install-check: mo
	$(CARGO) build -p connie -p connie-provision --bins
	bash tools/check-install.sh

lab: deps sudo-ok
	$(CARGO) build -p connman-lab
	$(SUDO) target/debug/connman-lab up $(LAB_ARGS)

demo: deps sudo-ok
	$(CARGO) build --workspace
	bash tools/demo.sh

screenshots: deps sudo-ok
	@bash tools/install-deps.sh $(SHOT_PKGS) --
	$(CARGO) build --workspace
	bash tools/screenshots.sh

# Benchmarks print medians over repeated runs (the machine is shared: compare
# within one run, not against figures from another day).
bench: deps sudo-ok
	@bash tools/install-deps.sh $(BENCH_PKGS) --
	$(CARGO) build -p connman-lab
	$(CARGO) build --release --bin connie
	$(CARGO) bench --bench reducer
	CONNMAN_LAB_BIN=$(CURDIR)/target/debug/connman-lab CONNIE_BIN=$(CURDIR)/target/release/connie \
		bash tools/with-sudo-kept.sh $(CARGO) bench --bench app
	# the soak at full size (make check runs a tenth of it): 10,000 property
	# changes and 1,000 services coming and going, then memory and objects
	$(CARGO) build --workspace --all-targets
	bash tools/with-sudo-kept.sh xvfb-run -a dbus-run-session -- env GTK_A11Y=none \
		CONNIE_SOAK_FULL=1 $(CARGO) test --test stress a_soak -- --nocapture

# Installs the release build under $(PREFIX) (staged under $(DESTDIR) for
# packagers): the binary, its desktop entry, metainfo, icon, manual page,
# translations and the tray's fallback icons, and the provisioning helper
# with its D-Bus service file, bus policy and polkit action (the last two
# under /usr/share whatever the PREFIX: only there do the system bus and
# polkit read them). tools/install.sh lists them.
# No autostart entry: Connie writes the person's own, from its preferences.
PREFIX ?= /usr/local
install: mo
	CONNIE_LOCALEDIR=$(PREFIX)/share/locale $(CARGO) build --release -p connie -p connie-provision --bins
	bash tools/install.sh install "$(DESTDIR)" "$(PREFIX)" target/release/connie

uninstall:
	bash tools/install.sh uninstall "$(DESTDIR)" "$(PREFIX)"

# A Debian package of the same tree, installed under /usr (tools/make-deb.sh),
# then lintian: errors fail, warnings are printed (the README says which remain).
deb:
	@bash tools/install-deps.sh $(BUILD_PKGS) $(DEB_PKGS) --
	@bash tools/check-rust.sh
	$(MAKE) mo
	CONNIE_LOCALEDIR=/usr/share/locale $(CARGO) build --release -p connie -p connie-provision --bins
	bash tools/make-deb.sh target/release/connie
	lintian --fail-on error --display-info target/deb/connie_*.deb

# Translations: po/POTFILES.in lists the files with translatable strings,
# po/LINGUAS the languages. `make potfiles` checks that the list is complete,
# that po/connie.pot is up to date and that every language's .po compiles and
# translates every entry of the template (tools/make-pot.sh --check).
pot:
	bash tools/make-pot.sh

potfiles:
	bash tools/make-pot.sh --check

mo:
	@for lang in $$(grep -v '^#' po/LINGUAS); do \
		mkdir -p target/locale/$$lang/LC_MESSAGES && \
		msgfmt --check -o target/locale/$$lang/LC_MESSAGES/connie.mo po/$$lang.po || exit 1; \
	done

clean:
	$(CARGO) clean
