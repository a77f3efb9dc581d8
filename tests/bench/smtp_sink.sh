#!/bin/sh
# Prints the path of postfix's smtp-sink under TOOLS_DIR, fetching it first when missing:
# Debian's postfix package is downloaded (apt-get download) and unpacked (dpkg -x), never
# installed, so no mail service is started. On failure: one line on stderr saying why, exit 1.
set -eu
tools=${1:?usage: tests/bench/smtp_sink.sh TOOLS_DIR}
root=$tools/postfix
sink=$root/usr/sbin/smtp-sink

fail() {
    echo "$*" >&2
    exit 1
}

fetch() {
    command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
        fail "no apt-get/dpkg here: smtp-sink comes from Debian's postfix package"
    if ! apt-cache show postfix >/dev/null 2>&1; then
        [ "$(id -u)" = 0 ] || fail "apt knows no postfix package; run apt-get update as root"
        apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed (no network?)"
    fi
    mkdir -p "$tools"
    rm -rf "$tools/download" "$root.partial"
    mkdir "$tools/download"
    (cd "$tools/download" && apt-get download -qq postfix >/dev/null 2>&1) ||
        fail "apt-get download postfix failed (no network, or no Debian mirror reachable?)"
    dpkg -x "$tools"/download/postfix_*.deb "$root.partial" || fail "dpkg -x of postfix failed"
    rm -rf "$root" "$tools/download"
    mv "$root.partial" "$root"
}

[ -x "$sink" ] || fetch
missing=$(LD_LIBRARY_PATH=$root/usr/lib/postfix ldd "$sink" | awk '/not found/ {print $1}')
[ -z "$missing" ] || fail "smtp-sink needs libraries this system lacks:" $missing
echo "$sink"
