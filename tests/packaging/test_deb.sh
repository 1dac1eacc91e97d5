#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package from a copy of the source tree, in a temporary
# folder, and checks what it ships: the binary, the man pages, the
# configuration as conffiles, the systemd unit, the system user, the
# logrotate file and the bash completion; then runs
# lintian and fails on any error.  Nothing is installed on this machine.
#   tests/packaging/test_deb.sh [source-dir]
# Exit status: 0 passed, 1 failed, 77 skipped (the reason is printed).
set -eu

src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	exit 1
}

for tool in dpkg-buildpackage dpkg-checkbuilddeps dh lintian; do
	command -v "$tool" >/dev/null ||
		skip "$tool not found (tools/install-deps test installs it)"
done
unmet=$(cd "$src" && dpkg-checkbuilddeps 2>&1) ||
	skip "build dependencies missing: $unmet"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# A copy without build outputs, so the build leaves nothing in the tree.
mkdir "$tmp/passeur"
tar -C "$src" --exclude=./.git --exclude=./build --exclude=./var \
    --exclude='./obj-*' --exclude=./debian/passeur \
    --exclude=./debian/.debhelper -cf - . | tar -C "$tmp/passeur" -xf -

echo "building the package in $tmp"
start=$(date +%s)
if ! (cd "$tmp/passeur" &&
    env -u CFLAGS -u CPPFLAGS -u LDFLAGS -u MAKEFLAGS \
    DEB_BUILD_OPTIONS="parallel=$(nproc)" \
    timeout 1200 dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -n 40 "$tmp/build.log"
	fail "dpkg-buildpackage failed"
fi
echo "built in $(($(date +%s) - start)) s"

set -- "$tmp"/passeur_*.deb
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	fail "expected one passeur_*.deb, got: $*"
fi
deb=$1
echo "package: ${deb##*/}"

errors=0
check() {
	if "$@"; then
		echo "ok: $label"
	else
		echo "not ok: $label"
		errors=$((errors + 1))
	fi
}
lacks() {
	! grep -q "$1" "$2"
}
# True when the first line matching $1 in file $3 comes before the first
# line matching $2.
comes_before() {
	a=$(grep -n "$1" "$3" | head -n 1 | cut -d: -f1)
	b=$(grep -n "$2" "$3" | head -n 1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
either() {
	[ "$1" -eq "$2" ] || [ "$1" -eq "$3" ]
}

dpkg-deb -c "$deb" | awk '{ print $6 }' >"$tmp/contents"
for f in ./usr/bin/passeur \
    ./usr/share/man/man1/passeur.1.gz \
    ./usr/share/man/man1/passeur-inject.1.gz \
    ./usr/share/man/man1/passeur-glpi.1.gz \
    ./usr/share/man/man5/passeur.cfg.5.gz \
    ./usr/share/man/man8/passeur-serve.8.gz \
    ./etc/passeur/agent.cfg \
    ./etc/passeur/proxy-server-plugin.cfg \
    ./etc/passeur/proxy2-server-plugin.cfg \
    ./lib/systemd/system/passeur.service \
    ./usr/lib/sysusers.d/passeur.conf \
    ./usr/lib/tmpfiles.d/passeur.conf \
    ./etc/logrotate.d/passeur \
    ./usr/share/bash-completion/completions/passeur; do
	label="ships $f"
	check grep -qxF "$f" "$tmp/contents"
done
label="ships no .local file"
check lacks '\.local$' "$tmp/contents"

# Every shipped *.cfg of etc/ (the three above at least) is a conffile.
dpkg-deb -e "$deb" "$tmp/control"
for f in "$src"/etc/*.cfg; do
	label="conffile /etc/passeur/${f##*/}"
	check grep -qxF "/etc/passeur/${f##*/}" "$tmp/control/conffiles"
done
label="conffile /etc/logrotate.d/passeur"
check grep -qxF /etc/logrotate.d/passeur "$tmp/control/conffiles"
label="Depends names libcurl3-gnutls (dlopen'ed, invisible to shlibs)"
check grep -q '^Depends:.*libcurl3-gnutls' "$tmp/control/control"
label="postinst creates the user before starting the service"
check comes_before systemd-sysusers deb-systemd-invoke "$tmp/control/postinst"
label="postrm purge removes /var/lib/passeur"
check grep -q 'rm -rf /var/lib/passeur' "$tmp/control/postrm"

# The shipped binary runs and reports the version in the changelog.
dpkg-deb -x "$deb" "$tmp/root"
"$tmp/root/usr/bin/passeur" --version >"$tmp/version" 2>&1 || true
want=$(dpkg-deb -f "$deb" Version)
label="passeur --version prints $want"
check grep -qF "passeur $want" "$tmp/version"
label="the shipped configuration passes passeur serve -n"
check "$tmp/root/usr/bin/passeur" serve -n -c "$tmp/root/etc/passeur" \
    --vardir "$tmp/var"

label="passeur.service leaves room for max_connections (LimitNOFILE)"
check grep -q '^LimitNOFILE=65536$' "$tmp/root/lib/systemd/system/passeur.service"

# The unit as shipped, pointed at the extracted binary and man pages; only
# where systemd-analyze is installed (the package build does not need it).
# It must pass without a word: unknown keys are only warnings.
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/bin/passeur|$tmp/root/usr/bin/passeur|" \
	    "$tmp/root/lib/systemd/system/passeur.service" \
	    >"$tmp/passeur.service"
	rc=0
	MANPATH="$tmp/root/usr/share/man" systemd-analyze verify \
	    "$tmp/passeur.service" >"$tmp/verify.log" 2>&1 || rc=$?
	sed 's/^/  /' "$tmp/verify.log"
	label="systemd-analyze verify passeur.service succeeds"
	check test "$rc" -eq 0
	label="systemd-analyze verify passeur.service says nothing"
	check test ! -s "$tmp/verify.log"
else
	echo "skipped: systemd-analyze verify (systemd-analyze not found)"
fi

# The user and the state folder, made in the extracted tree as the
# postinst makes them on a real system (root only: it changes owners).
if command -v systemd-sysusers >/dev/null && [ "$(id -u)" -eq 0 ]; then
	{ systemd-sysusers --root="$tmp/root" passeur.conf &&
	    systemd-tmpfiles --root="$tmp/root" --create passeur.conf; } \
	    >/dev/null 2>&1 || true
	uid=$(awk -F: '$1 == "passeur" { print $3 }' "$tmp/root/etc/passwd" \
	    2>/dev/null || true)
	label="sysusers makes the passeur user"
	check test -n "$uid"
	label="tmpfiles makes /var/lib/passeur, passeur's, mode 750"
	check test "$(stat -c '%u %a' "$tmp/root/var/lib/passeur")" = "$uid 750"
else
	echo "skipped: sysusers and tmpfiles check (needs root and systemd)"
fi

# Every tag is printed; only errors fail.  Status 2 means tags at the
# error level, 1 that lintian itself did not run.
echo "lintian:"
rc=0
timeout 600 lintian -I "$deb" >"$tmp/lintian.log" 2>&1 || rc=$?
sed 's/^/  /' "$tmp/lintian.log"
label="lintian ran"
check either "$rc" 0 2
label="lintian reports no error"
check lacks '^E: ' "$tmp/lintian.log"

[ "$errors" -eq 0 ] || fail "$errors check(s) failed"
echo "PASS"
