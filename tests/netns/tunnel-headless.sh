#!/bin/sh
# A node whose key is not a trust line runs headless: no interface, no root
# needed, only the UDP socket (the DHT's, later). Started as an unprivileged
# user, it comes up, answers `mesh show`, drops tunnel traffic sent to it
# (counted), and stops with `mesh down`.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"

lan_up 2
net_write 1
(umask 077; "$MESH" genkey workbit 0 >"$TMPD/outsider.sk") || hard "genkey"
chmod 755 "$TMPD"
chown 65534:65534 "$TMPD/outsider.sk" "$MESH_RUNDIR"
chmod 644 "$TMPD/net"
as_nobody() {
	ip netns exec "$(ns 2)" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups env MESH_RUNDIR="$MESH_RUNDIR" "$@"
}

as_nobody "$MESH" up "$TMPD/net" private-key "$TMPD/outsider.sk" headless \
    interface hl$$ -f -v >"$TMPD/loghl" 2>&1 &
hpid=$!
PIDS="$PIDS $hpid"
n=0
while [ ! -S "$MESH_RUNDIR/hl$$.sock" ]; do
	n=$((n + 1))
	[ $n -lt 100 ] && kill -0 $hpid 2>/dev/null ||
	    fail "headless node did not start: $(cat "$TMPD/loghl")"
	sleep 0.1
done
grep -q headless "$TMPD/loghl" || fail "not reported as headless"
ip -n "$(ns 2)" link show "hl$$" >/dev/null 2>&1 &&
    fail "a headless node created an interface"
ip netns exec "$(ns 2)" ss -Huln 'sport = :6374' | grep -q . ||
    fail "headless node does not listen on UDP 6374"

# Member 1 knows nothing of it; a stray tunnel packet is counted.
ip netns exec "$(ns 1)" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x04" + bytes(47), ("192.0.2.2", 6374))'
sleep 0.3
show_hl=$(python3 "$TOOL" show "$MESH_RUNDIR/hl$$.sock")
echo "$show_hl" | grep -q "^drop_headless=1$" ||
    fail "headless drop not counted: $show_hl"
echo "$show_hl" | grep -q "^peer=" && fail "a headless node lists peers"

as_nobody "$MESH" down "hl$$" || fail "mesh down (as the same user) failed"
n=0
while kill -0 $hpid 2>/dev/null; do
	n=$((n + 1)); [ $n -lt 50 ] || fail "headless node still running"
	sleep 0.1
done
exit 0
