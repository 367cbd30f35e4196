#!/bin/sh
# An independent script attacks a DHT node over loopback with forged,
# replayed, truncated and oversized packets: no answer, no state change.
. "${top_srcdir:-.}/tests/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
exec python3 "$top_srcdir/tests/sim/dht-attack.py" \
	"$top_builddir/tests/sim/dht-node"
