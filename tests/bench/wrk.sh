#!/bin/sh
# Prints the path of a command that runs wrk, the HTTP load generator: the one on PATH, else a
# wrapper around one unpacked under TOOLS_DIR from Debian's wrk and LuaJIT packages
# (tests/bench/debian_tool.sh), pointing wrk at the unpacked LuaJIT. On failure: one line on
# stderr saying why, exit 1.
set -eu
tools=${1:?usage: tests/bench/wrk.sh TOOLS_DIR}
root=$tools/wrk
wrk=$root/usr/bin/wrk

if command -v wrk >/dev/null; then
    command -v wrk
    exit 0
fi
# wrk depends on either LuaJIT package; Debian releases differ in which they carry.
"${0%/*}/debian_tool.sh" "$root" wrk "libluajit-5.1-2|libluajit2-5.1-2"
libraries=$(find "$root/usr/lib" -name 'lib*.so*' -printf '%h\n' | sort -u | paste -sd:)
missing=$(LD_LIBRARY_PATH=$libraries ldd "$wrk" | awk '/not found/ {print $1}')
if [ -n "$missing" ]; then
    echo "wrk needs libraries this system lacks:" $missing >&2
    exit 1
fi
printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" "$@"\n' "$libraries" "$wrk" >"$root/wrk"
chmod +x "$root/wrk"
echo "$root/wrk"
