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
routed_up

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
