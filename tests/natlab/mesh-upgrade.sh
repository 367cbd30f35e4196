#!/bin/sh
# Relayed, then direct, without losing a packet: B's router first drops all
# traffic between B and A's router, so the two members (full cone and
# port-restricted, which could punch a hole) can only talk through a public
# node's relay. A pings B steadily; the block is lifted; the path manager's
# background retry finds the direct path and moves the traffic to it. Every
# ping is answered, before, during and after the switch.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

natlab_init
meshlab_init upgrade
natlab_host p1 internet
natlab_host p2 internet
meshlab_public P1 p1
meshlab_public P2 p2
natlab_router ra full-cone
natlab_host ha ra
natlab_router rb port-restricted
natlab_host hb rb
meshlab_member A ha
meshlab_member B hb
meshlab_netconf
ra_wan=$(natlab_addr ra)
natlab_exec rb nft -f - <<EOF || hard "nft block"
table inet block {
	chain lift_me {
		type filter hook forward priority filter - 10; policy accept;
		ip saddr $ra_wan drop
		ip daddr $ra_wan drop
	}
}
EOF
meshlab_up P1
meshlab_up P2
meshlab_up A
meshlab_up B
meshlab_wait_found A B 30 || fail "A did not find B"
meshlab_ping A B 8 >/dev/null || fail "A -> B: no answer"
expect_eq "A's path to B while blocked" "$(meshlab_peer A B path)" relayed

natlab_spawn ha ping.log ping -n -i 0.05 -w 42 "$(meshlab_ip B)"
pid=$NATLAB_PID
sleep 2
natlab_exec rb nft delete table inet block
echo "block lifted"
n=0
while [ "$(meshlab_peer A B path)" = relayed ]; do
	n=$((n + 1))
	[ $n -le 380 ] || fail "still relayed 38 s after the block was lifted"
	sleep 0.1
done
echo "A -> B: $(meshlab_peer A B path) after $((n / 10)) s" \
    "($(meshlab_peer A B why))"
wait "$pid"
sed -n 's/^\(.*packets transmitted.*\)$/ping A -> B across the switch: \1/p' \
    "$(natlab_log ping.log)"
grep -q ' 0% packet loss' "$(natlab_log ping.log)" ||
    fail "packets lost across the switch from relayed to direct"
case $(meshlab_peer B A path) in
direct|punched) ;;
*) fail "B's path to A: $(meshlab_peer B A path)" ;;
esac
meshlab_down A
meshlab_down B
meshlab_down P1
meshlab_down P2
exit 0
