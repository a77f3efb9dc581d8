#!/bin/sh
# Prints the path of postfix's smtp-sink under TOOLS_DIR, unpacking Debian's postfix package
# there first when missing (tests/bench/debian_tool.sh: no mail service is started). On failure:
# one line on stderr saying why, exit 1.
set -eu
tools=${1:?usage: tests/bench/smtp_sink.sh TOOLS_DIR}
root=$tools/postfix
sink=$root/usr/sbin/smtp-sink

"${0%/*}/debian_tool.sh" "$root" postfix
missing=$(LD_LIBRARY_PATH=$root/usr/lib/postfix ldd "$sink" | awk '/not found/ {print $1}')
if [ -n "$missing" ]; then
    echo "smtp-sink needs libraries this system lacks:" $missing >&2
    exit 1
fi
echo "$sink"
