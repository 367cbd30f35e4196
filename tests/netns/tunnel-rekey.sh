#!/bin/sh
# Rekeying under a running transfer loses nothing: sessions are renewed
# every 1.5 s (test knob MESH_TEST_REKEY_AFTER_MS) while 6000 numbered
# datagrams flow for 6 s; every one arrives exactly once, and the last
# handshake is newer than the first.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 2
net_write 2
mesh_start 1 MESH_TEST_REKEY_AFTER_MS=1500
mesh_start 2 MESH_TEST_REKEY_AFTER_MS=1500
ping_ok 1 10.66.0.2 || fail "ping 1 -> 2 failed"

peer_field() {
	show "$1" | awk -F= -v f="$2" '/^peer=/ { p = 1 } p && $1 == f { print $2 }'
}
hs0=$(peer_field 1 last_handshake)

ip netns exec "$(ns 2)" python3 "$TOOL" recv 10.66.0.2 9000 2 >"$TMPD/recv" &
rpid=$!
PIDS="$PIDS $rpid"
n=0
until grep -q ready "$TMPD/recv" 2>/dev/null; do
	n=$((n + 1)); [ $n -lt 50 ] || fail "receiver did not start"
	sleep 0.1
done
ip netns exec "$(ns 1)" python3 "$TOOL" send 10.66.0.1 10.66.0.2 9000 6000 1000
wait "$rpid"
expect_eq "datagrams across rekeys" "$(grep received "$TMPD/recv")" \
    "received 6000 unique 6000 duplicates 0 sources 10.66.0.1"
hs1=$(peer_field 1 last_handshake)
[ "$hs1" -gt "$hs0" ] || fail "no rekey happened (last handshake $hs0 -> $hs1)"
exit 0
