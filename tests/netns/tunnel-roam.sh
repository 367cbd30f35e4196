#!/bin/sh
# Roaming: member 2's underlay address changes (192.0.2.2 -> 192.0.2.22)
# while it pings member 1. The tunnel survives without a new handshake:
# member 1 sends to the new address after the first authenticated packet
# from there, and pings in both directions work.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 2
net_write 2
mesh_start 1
mesh_start 2
ping_ok 2 10.66.0.1 || fail "ping 2 -> 1 failed"

# peer_field NODE FIELD: FIELD of node NODE's only peer record
peer_field() {
	show "$1" | awk -F= -v f="$2" '/^peer=/ { p = 1 } p && $1 == f { print $2 }'
}
hs0=$(peer_field 1 last_handshake)
[ -n "$hs0" ] && [ "$hs0" != 0 ] || fail "no handshake recorded"
expect_eq "endpoint before" "$(peer_field 1 endpoint)" 192.0.2.2:6374

ip netns exec "$(ns 2)" ping -c 40 -i 0.1 -W 1 10.66.0.1 >"$TMPD/ping" 2>&1 &
ppid=$!
PIDS="$PIDS $ppid"
sleep 1
ip -n "$(ns 2)" addr del 192.0.2.2/24 dev eth0
ip -n "$(ns 2)" addr add 192.0.2.22/24 dev eth0
wait "$ppid"
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMPD/ping")
[ "${rx:-0}" -ge 35 ] || fail "only ${rx:-0} of 40 pings across the move: $(tail -3 "$TMPD/ping")"

expect_eq "endpoint after the move" "$(peer_field 1 endpoint)" 192.0.2.22:6374
ping_ok 1 10.66.0.2 || fail "ping 1 -> 2 after the move failed"
expect_eq "no new handshake" "$(peer_field 1 last_handshake)" "$hs0"
exit 0
