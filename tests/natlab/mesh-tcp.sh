#!/bin/sh
# The TCP transport: member A sits behind a router whose firewall drops
# every UDP datagram (nftables, both ways); member B behind an ordinary
# port-restricted NAT; public node P on the internet. A gets no UDP answer,
# falls back to TCP to P within TCP_FALLBACK_MS, and reaches B through P's
# relay, which bridges TCP and UDP.
#
# Targets (issue 12): A's first ping answered within 5 s of `mesh up`
# (MESHTCP_FIRST_MS); an iperf3 TCP stream A -> B over TCP at no less than
# half of what the same stream gets relayed over UDP between the same hosts
# (measured in this run: A's NAT is a symmetric one, so that with UDP let
# through again A and B still need P's relay). Then UDP is let through and
# A moves back to UDP; `mesh show` says which transport and why.
#
# MESHTCP_SECS: iperf3 seconds per measurement (default 5). The numbers
# are printed ("tcp-bench:" lines); the README's come from this test.
#
# The throughput target is asserted: TCP at no less than half of relayed
# UDP in the same run (on the 2-core lab VM, shared with other work at
# load 4-8, TCP reached 66-138% of relayed UDP over eight runs, the spread
# being mostly the machine's load swinging under one 5 s measurement or
# the other; a TCP measurement under half is repeated once, below).
# MESHTCP_LAX=1 prints the ratio without asserting it, for a machine so
# loaded that one measurement says nothing; so does a sanitizer build.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv iperf3

SECS=${MESHTCP_SECS:-5}
FIRST_MS=${MESHTCP_FIRST_MS:-5000}

natlab_init
meshlab_init tcp
natlab_host p internet
meshlab_public P p
natlab_router ra symmetric
natlab_host ha ra
natlab_router rb port-restricted
natlab_host hb rb
meshlab_member A ha
meshlab_member B hb
meshlab_netconf

block_udp() {
	natlab_exec ra nft -f - <<'EOF' || hard "nft: cannot block UDP"
table inet udpblock {
	chain udpdrop {
		type filter hook forward priority filter - 10; policy accept;
		meta l4proto udp drop
	}
}
EOF
}
unblock_udp() {
	natlab_exec ra nft delete table inet udpblock ||
	    hard "nft: cannot unblock UDP"
}
transport() { meshlab_iface "$1" transport; }

# the relay's per-source limits off: the transports are measured, not the
# relay's defaults (2 MB/s a source caps both alike)
meshlab_up P MESH_RELAY_RATE=0 MESH_RELAY_CAP=0
meshlab_up B
block_udp
# the firewall works: UDP from A's host reaches nothing
natlab_exec ha python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(b"\x10" + bytes(40), (sys.argv[1], 6374))
try:
    s.recvfrom(100)
    sys.exit(1)
except socket.timeout:
    pass' "$(natlab_addr p)" || hard "UDP passes the firewall"

# A comes up behind the firewall: the first ping answered (the clock starts
# before mesh up)
t0=$(date +%s%N)
meshlab_up A MESH_TEST_UDP_SILENT_MS=5000
natlab_exec ha ping -n -c 1 -i 0.2 -w 15 "$(meshlab_ip B)" >/dev/null 2>&1 ||
    fail "A -> B: no answer within 15 s over TCP"
t1=$(date +%s%N)
first=$(( (t1 - t0) / 1000000 ))
echo "tcp-bench: first packet A -> B $first ms after mesh up (target $FIRST_MS)"
expect_eq "A's transport" "$(transport A)" tcp
echo "A: transport: tcp ($(meshlab_iface A transport_why))"
expect_eq "A's path to B" "$(meshlab_peer A B path)" relayed
expect_eq "B's path to A" "$(meshlab_peer B A path)" relayed
[ "$(meshlab_iface P tcp_in)" -ge 1 ] || fail "P has no TCP connection"
[ "$first" -le "$FIRST_MS" ] ||
    fail "first packet after $first ms (target $FIRST_MS ms)"

# iperf3 A -> B: over TCP (A) and UDP (P -> B)
iperf() {
	natlab_exec hb timeout $((SECS + 30)) iperf3 -s -1 \
	    -B "$(meshlab_ip B)" >/dev/null 2>&1 &
	sleep 0.5
	natlab_exec ha timeout $((SECS + 20)) iperf3 -c "$(meshlab_ip B)" \
	    -t "$SECS" -J >"$NATLAB_DIR/iperf.json" 2>/dev/null
	wait $! 2>/dev/null
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(int(j["end"]["sum_received"]["bits_per_second"] / 1e6))' \
	    "$NATLAB_DIR/iperf.json" 2>/dev/null || echo 0
}
tcp_mbps=$(iperf)
drop_a=$(meshlab_iface A drop_tcp_outbuf_full)
drop_p=$(meshlab_iface P drop_tcp_outbuf_full)
echo "tcp-bench: A -> B through P, A over TCP: $tcp_mbps Mbit/s" \
    "(queue-full drops: A ${drop_a:-0}, P ${drop_p:-0})"
[ "$tcp_mbps" -gt 0 ] || fail "iperf3 over TCP failed: $(cat "$NATLAB_DIR/iperf.json")"

# UDP is let through: A goes back to UDP
unblock_udp
t0=$(date +%s%N)
k=0
while [ "$(transport A)" != udp ]; do
	k=$((k + 1))
	[ $k -le 150 ] || fail "A still on $(transport A) 15 s after UDP came back"
	sleep 0.1
done
t1=$(date +%s%N)
echo "tcp-bench: A back on UDP $(( (t1 - t0) / 1000000 )) ms after UDP was" \
    "let through ($(meshlab_iface A transport_why))"
# and its traffic to B with it (a symmetric NAT against a port-restricted
# one: through P's relay, now over UDP)
k=0
until meshlab_ping A B 1 >/dev/null && [ "$(meshlab_iface A tcp_out)" = 0 ]; do
	k=$((k + 1))
	[ $k -le 60 ] || fail "A -> B: no ping over UDP within 60 s"
done
expect_eq "A's path to B" "$(meshlab_peer A B path)" relayed
udp_mbps=$(iperf)
echo "tcp-bench: A -> B through P, relayed over UDP: $udp_mbps Mbit/s"
[ "$udp_mbps" -gt 0 ] || fail "iperf3 over UDP failed"
# judged below, after a second TCP measurement if this one fell short

# UDP blocked again while A is on it: A hears nothing over UDP (5 s in
# this test, 60 s by default), asks its boot node, and is back on TCP
# 3 s later, its traffic with it
block_udp
t0=$(date +%s%N)
k=0
while [ "$(transport A)" != tcp ]; do
	k=$((k + 1))
	[ $k -le 200 ] || fail "A still on $(transport A) 20 s after UDP was blocked again"
	sleep 0.1
done
t1=$(date +%s%N)
echo "tcp-bench: A on TCP again $(( (t1 - t0) / 1000000 )) ms after UDP was" \
    "blocked again ($(meshlab_iface A transport_why); silence 5 s here)"
k=0
until meshlab_ping A B 1 >/dev/null; do
	k=$((k + 1))
	[ $k -le 30 ] || fail "A -> B: no ping over TCP again within 30 s"
done

# The throughput target. The machine is shared: a first TCP measurement
# under half of the UDP one is followed by a second (A is on TCP again),
# and the better of the two counts. A sanitizer build measures memory
# safety, not speed (ASan slows the TCP path's copies more than the UDP
# path's kernel work): there the ratio is printed only.
if [ $((tcp_mbps * 2)) -lt "$udp_mbps" ]; then
	again=$(iperf)
	echo "tcp-bench: A -> B through P, A over TCP, again: $again Mbit/s"
	[ "$again" -gt "$tcp_mbps" ] && tcp_mbps=$again
fi
ratio=$((tcp_mbps * 100 / udp_mbps))
if [ $((tcp_mbps * 2)) -ge "$udp_mbps" ]; then
	echo "tcp-bench: TCP at $ratio% of relayed UDP (target 50%): met"
elif [ -n "${MESHTCP_LAX:-}" ] || [ "$SANITIZERS" = yes ]; then
	why="a sanitizer build"
	[ -n "${MESHTCP_LAX:-}" ] && why="MESHTCP_LAX=1"
	echo "tcp-bench: TCP at $ratio% of relayed UDP (target 50%): NOT MET" \
	    "(not asserted: $why)"
else
	fail "TCP $tcp_mbps Mbit/s is under half of relayed UDP $udp_mbps Mbit/s"
fi

meshlab_down A
meshlab_down B
meshlab_down P
exit 0
