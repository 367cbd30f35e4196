#!/bin/sh
# The relay: a public node (as nobody, no TUN) relays between a member
# behind a symmetric NAT and one behind a port-restricted NAT, which cannot
# punch a hole to each other. Both show the path as relayed via that node.
# The relay sees only ciphertext: a ping with a known payload pattern
# crosses it, and no datagram it handles carries the pattern. Its per-source
# rate limit (here 100 kB/s) drops what a flood sends beyond it, counted,
# and the tunnel works again after the flood. A stranger's datagrams for
# the relay are refused (counted): only bound sources are relayed.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

natlab_init
meshlab_init relay
natlab_host p internet
natlab_host x internet
meshlab_public P p
natlab_router rs symmetric
natlab_host hs rs
natlab_router rr port-restricted
natlab_host hr rr
meshlab_member S hs
meshlab_member R hr
meshlab_netconf
meshlab_up P MESH_RELAY_RATE=100
meshlab_up S
meshlab_up R
meshlab_wait_found S R 30 || fail "S did not find R"
meshlab_wait_found R S 30 || fail "R did not find S"
t=$(meshlab_ping S R 8) || fail "S -> R: no answer"
echo "S -> R: first answer after $t ms"
pkey=$(cat "$ML_DIR/P.pub")
for pair in "S R" "R S"; do
	set -- $pair
	expect_eq "$1's path to $2" "$(meshlab_peer "$1" "$2" path)" relayed
	expect_eq "$1's relay for $2" "$(meshlab_peer "$1" "$2" via)" "$pkey"
done

# only ciphertext crosses the relay
pattern=5a5aa5a5c0ffee1234abcd5a5aa5
natlab_spawn p capture.log python3 "$top_srcdir/tests/natlab/capture.py" \
    eth0 6374 4 "$pattern"
natlab_wait_log capture.log ready 5 || hard "capture did not start"
natlab_exec hs ping -n -c 10 -i 0.1 -s 200 -p "$pattern" \
    "$(meshlab_ip R)" >/dev/null || fail "pattern ping failed"
natlab_wait_log capture.log '^udp' 10 || hard "capture did not finish"
out=$(grep '^udp' "$(natlab_log capture.log)")
echo "relay saw: $out"
set -- $out
[ "$4" -ge 10 ] && [ "$6" -ge 10 ] ||
    fail "the pings did not go through the relay: $out"
expect_eq "datagrams with the plaintext pattern at the relay" "$8" 0

# the per-source rate limit: a flood well beyond 100 kB/s
natlab_exec hs ping -n -q -c 400 -i 0.002 -s 1300 "$(meshlab_ip R)" \
    >"$NATLAB_DIR/flood.log" 2>&1
sed -n 's/^\(.*packet loss.*\)$/flood: \1/p' "$NATLAB_DIR/flood.log"
drops=$(meshlab_iface P drop_relay_rate)
echo "relay: drop_relay_rate=${drops:-0}"
[ "${drops:-0}" -gt 0 ] || fail "the relay's rate limit dropped nothing"
grep -q ' 0% packet loss' "$NATLAB_DIR/flood.log" &&
    fail "a flood beyond the rate limit lost nothing"
sleep 1
meshlab_ping S R 5 >/dev/null || fail "no ping through the relay after the flood"

# a stranger cannot use the relay
natlab_exec x python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"\x26" + bytes(range(8)) + bytes(60), (sys.argv[1], 6374))' \
    "$(natlab_addr p)"
sleep 0.5
unbound=$(meshlab_iface P drop_relay_unbound)
[ "${unbound:-0}" -ge 5 ] || fail "a stranger's datagrams were not refused"

meshlab_down S
meshlab_down R
meshlab_down P
exit 0
