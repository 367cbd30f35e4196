#!/bin/sh
# Cryptokey routing: a member cannot speak with another member's inside
# address. Member 3 puts member 2's addresses (IPv4 and IPv6) on its own
# interface and sends from them to member 1: nothing arrives, the drops are
# counted; the same traffic from member 3's own addresses arrives.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 3
net_write 3
mesh_start 1
mesh_start 2
mesh_start 3
ping_ok 3 10.66.0.1 || fail "ping 3 -> 1 failed"
a6=$(ip6_of 1)
b6=$(ip6_of 2)
c6=$(ip6_of 3)

ip -n "$(ns 3)" addr add 10.66.0.2/32 dev "$(ifn 3)"
ip -n "$(ns 3)" addr add "$b6/128" dev "$(ifn 3)" nodad

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=10.66.0.1 own=10.66.0.3 forged=10.66.0.2
	else dst=$a6 own=$c6 forged=$b6; fi
	ip netns exec "$(ns 1)" python3 "$TOOL" recv "$dst" 9000 2 \
	    >"$TMPD/recv$fam" &
	rpid=$!
	PIDS="$PIDS $rpid"
	n=0
	until grep -q ready "$TMPD/recv$fam" 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "receiver did not start"
		sleep 0.1
	done
	ip netns exec "$(ns 3)" python3 "$TOOL" send "$forged" "$dst" 9000 20 200
	ip netns exec "$(ns 3)" python3 "$TOOL" send "$own" "$dst" 9000 20 200
	wait "$rpid"
	got=$(grep received "$TMPD/recv$fam")
	expect_eq "IPv$fam: what member 1 received" "$got" \
	    "received 20 unique 20 duplicates 0 sources $own"
done

# Member 1 counted the forged packets against member 3.
show 1 >"$TMPD/show"
awk -v k="$(sed -n 's/^trust node3 [^ ]* \([^ ]*\) .*/\1/p' "$TMPD/net")" '
	/^peer=/ { cur = substr($0, 6) }
	cur == k && /^drop_spoofed=/ { print substr($0, 14) }' "$TMPD/show" \
	>"$TMPD/spoofed"
expect_eq "spoofed drops counted for member 3" "$(cat "$TMPD/spoofed")" 40
exit 0
