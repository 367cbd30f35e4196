#!/bin/sh
# A running tunnel under attack: while 6000 numbered datagrams flow from
# member 1 to member 2, an attacker on member 1's link captures the tunnel's
# datagrams and sends replays, truncations, bit flips, random bytes and
# random message types to member 2 from another port. Every datagram
# arrives exactly once, nothing forged is delivered, member 2 does not move
# member 1's endpoint to the attacker, both daemons survive, and the drops
# are counted.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 2
net_write 2
mesh_start 1
mesh_start 2
ping_ok 1 10.66.0.2 || fail "ping 1 -> 2 failed"

ip netns exec "$(ns 2)" python3 "$TOOL" recv 10.66.0.2 9000 2 >"$TMPD/recv" &
rpid=$!
PIDS="$PIDS $rpid"
n=0
until grep -q ready "$TMPD/recv" 2>/dev/null; do
	n=$((n + 1)); [ $n -lt 50 ] || fail "receiver did not start"
	sleep 0.1
done
ip netns exec "$(ns 1)" python3 "$TOOL" attack eth0 6374 5 >"$TMPD/attack" &
apid=$!
PIDS="$PIDS $apid"
ip netns exec "$(ns 1)" python3 "$TOOL" send 10.66.0.1 10.66.0.2 9000 6000 1000
wait "$apid" || fail "attacker failed"
wait "$rpid"
expect_eq "datagrams under attack" "$(grep received "$TMPD/recv")" \
    "received 6000 unique 6000 duplicates 0 sources 10.66.0.1"
grep -q "replay [1-9]" "$TMPD/attack" || fail "the attack sent nothing: $(cat "$TMPD/attack")"

kill -0 "$PID1" && kill -0 "$PID2" || fail "a daemon died"
show 2 >"$TMPD/show"
grep -q "^endpoint=192.0.2.1:6374$" "$TMPD/show" ||
    fail "member 2 moved member 1's endpoint: $(grep endpoint "$TMPD/show")"
for c in drop_replay drop_decrypt drop_unknown_type; do
	grep -q "^$c=[1-9]" "$TMPD/show" || fail "$c not counted"
done
ping_ok 2 10.66.0.1 || fail "ping 2 -> 1 after the attack failed"
exit 0
