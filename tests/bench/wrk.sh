#!/bin/sh
# Prints the path of a command that runs wrk, the HTTP load generator: the one on PATH, else one
# under TOOLS_DIR, fetched first when missing: Debian's wrk and LuaJIT packages are downloaded
# (apt-get download) and unpacked (dpkg -x), never installed, and a wrapper beside them points
# wrk at the unpacked LuaJIT. On failure: one line on stderr saying why, exit 1.
set -eu
tools=${1:?usage: tests/bench/wrk.sh TOOLS_DIR}
root=$tools/wrk
wrk=$root/usr/bin/wrk

fail() {
    echo "$*" >&2
    exit 1
}

download() {
    (cd "$tools/download" && apt-get download -qq "$@" >/dev/null 2>&1)
}

fetch() {
    command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
        fail "no apt-get/dpkg here: wrk comes from Debian's wrk package"
    if ! apt-cache show wrk >/dev/null 2>&1; then
        [ "$(id -u)" = 0 ] || fail "apt knows no wrk package; run apt-get update as root"
        apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed (no network?)"
    fi
    mkdir -p "$tools"
    rm -rf "$tools/download" "$root.partial"
    mkdir "$tools/download"
    download wrk || fail "apt-get download wrk failed (no network, or no Debian mirror reachable?)"
    # wrk depends on either LuaJIT package; Debian releases differ in which they carry.
    download libluajit-5.1-2 || download libluajit2-5.1-2 ||
        fail "apt-get download of LuaJIT (libluajit-5.1-2 or libluajit2-5.1-2) failed"
    for deb in "$tools"/download/*.deb; do
        dpkg -x "$deb" "$root.partial" || fail "dpkg -x of $deb failed"
    done
    rm -rf "$root" "$tools/download"
    mv "$root.partial" "$root"
}

if command -v wrk >/dev/null; then
    command -v wrk
    exit 0
fi
[ -x "$wrk" ] || fetch
libraries=$(find "$root/usr/lib" -name 'lib*.so*' -printf '%h\n' | sort -u | paste -sd:)
missing=$(LD_LIBRARY_PATH=$libraries ldd "$wrk" | awk '/not found/ {print $1}')
[ -z "$missing" ] || fail "wrk needs libraries this system lacks:" $missing
printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" "$@"\n' "$libraries" "$wrk" >"$root/wrk"
chmod +x "$root/wrk"
echo "$root/wrk"
