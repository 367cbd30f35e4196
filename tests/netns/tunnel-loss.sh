#!/bin/sh
# Fast recovery: two members with a router between them.
#  1. The router drops the first handshake initiation: the first ping
#     through the mesh still gets its answer within 2 s (the initiation is
#     retried after ~1 s, not WireGuard's 5 s).
#  2. The router drops 3 % of all packets at random (nftables numgen), both
#     ways: over LOSS_RUNS (6) fresh starts, every first answer comes
#     within 3 s. The times are printed.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
command -v nft >/dev/null || skip "needs nft"
. "$top_srcdir/tests/netns/tunnel-lib.sh"

RUNS=${LOSS_RUNS:-6}
R=${TP}r

ip netns add "$R" || hard "ip netns add"
NSS="$NSS $R"
for i in 1 2; do
	ip netns add "$(ns $i)" || hard "ip netns add"
	NSS="$NSS $(ns $i)"
	ip -n "$(ns $i)" link set lo up
	ip link add eth0 netns "$(ns $i)" type veth peer name r$i \
	    netns "$R" || hard "veth"
	ip -n "$(ns $i)" link set eth0 up
	ip -n "$R" link set r$i up
done
ip -n "$R" link set lo up
ip -n "$R" addr add 192.0.2.254/24 dev r1
ip -n "$R" addr add 198.51.100.254/24 dev r2
ip -n "$(ns 1)" addr add 192.0.2.1/24 dev eth0
ip -n "$(ns 2)" addr add 198.51.100.2/24 dev eth0
ip -n "$(ns 1)" route add default via 192.0.2.254
ip -n "$(ns 2)" route add default via 198.51.100.254
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 || hard "forwarding"

{
	echo "name test"
	echo "subnet 10.66.0.0/24"
	echo "workbit 0"
} >"$TMPD/net"
for i in 1 2; do
	(umask 077; "$MESH" genkey workbit 0 >"$TMPD/k$i.sk") || hard "genkey"
done
echo "trust node1 10.66.0.1 $("$MESH" pubkey <"$TMPD/k1.sk") 192.0.2.1" \
    >>"$TMPD/net"
echo "trust node2 10.66.0.2 $("$MESH" pubkey <"$TMPD/k2.sk") 198.51.100.2" \
    >>"$TMPD/net"
chmod 644 "$TMPD/net"

# rules RULE...: the router's forward chain holds these (none: no rules)
rules() {
	ip netns exec "$R" nft delete table inet loss 2>/dev/null
	[ $# -gt 0 ] || return 0
	{
		echo "table inet loss {"
		echo "	chain fw {"
		echo "		type filter hook forward priority 0;"
		for r in "$@"; do echo "		$r"; done
		echo "	}"
		echo "}"
	} | ip netns exec "$R" nft -f - || hard "nft"
}

# first_answer: ms from the first ping until the first answer (pings
# every 100 ms for 10 s; 99999 if none)
first_answer() {
	ip netns exec "$(ns 1)" python3 - <<'EOF'
import subprocess, time
t0 = time.monotonic()
p = subprocess.Popen(["ping", "-n", "-i", "0.1", "-w", "10", "10.66.0.2"],
    stdout=subprocess.PIPE, text=True)
ms = 99999
for line in p.stdout:
    if "bytes from" in line:
        ms = int((time.monotonic() - t0) * 1000)
        break
p.kill()
print(ms)
EOF
}

# 1. the first initiation (UDP length 8 + 152) lost
rules "udp length 160 numgen inc mod 1000000 == 0 counter drop"
mesh_start 1
mesh_start 2
t=$(first_answer)
dropped=$(ip netns exec "$R" nft list table inet loss |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
mesh_stop 1
mesh_stop 2
echo "first initiation lost ($dropped dropped): first answer after $t ms"
[ "$dropped" = 1 ] || fail "the router dropped $dropped initiations, not 1"
[ "$t" -le 2000 ] || fail "first answer after $t ms with one initiation lost"

# 2. 3 % loss both ways
rules "numgen random mod 100 < 3 counter drop"
worst=0
all=""
run=0
while [ "$run" -lt "$RUNS" ]; do
	mesh_start 1
	mesh_start 2
	t=$(first_answer)
	mesh_stop 1
	mesh_stop 2
	all="$all $t"
	[ "$t" -gt "$worst" ] && worst=$t
	run=$((run + 1))
done
echo "3 % loss: first answers after (ms):$all; worst $worst"
[ "$worst" -le 3000 ] || fail "3 % loss: a first answer took $worst ms"
exit 0
