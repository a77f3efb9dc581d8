#!/bin/sh
# Unpacks Debian packages into DEST unless DEST is there already: each package is downloaded
# (apt-get download) and unpacked (dpkg -x), never installed, so no service is started.
# A package may be given as alternatives, "a|b": the first one apt can download is taken.
# On failure: one line on stderr saying why, exit 1.
set -eu
dest=${1:?usage: tests/bench/debian_tool.sh DEST PACKAGE[|ALTERNATIVE]...}
shift
[ ! -d "$dest" ] || exit 0
download=$dest.download
partial=$dest.partial

fail() {
    echo "$*" >&2
    exit 1
}

first=${1%%|*}
command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
    fail "no apt-get/dpkg here: $first comes from Debian's $first package"
if ! apt-cache show "$first" >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || fail "apt knows no $first package; run apt-get update as root"
    apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed (no network?)"
fi
rm -rf "$download" "$partial"
mkdir -p "$download"
for choice in "$@"; do
    fetched=
    for package in $(echo "$choice" | tr '|' ' '); do
        if (cd "$download" && apt-get download -qq "$package" >/dev/null 2>&1); then
            fetched=$package
            break
        fi
    done
    [ -n "$fetched" ] ||
        fail "apt-get download of $choice failed (no network, or no Debian mirror reachable?)"
done
for deb in "$download"/*.deb; do
    dpkg -x "$deb" "$partial" || fail "dpkg -x of $deb failed"
done
rm -rf "$download"
mv "$partial" "$dest"
