#!/bin/sh
# First packets under loss and delay (issue 11): every frame crossing the
# lab's internet is dropped with 3% probability (nft numgen on the bridge)
# and every internet attachment is 20 ms away (tests/natlab/delay.py, a
# userspace frame forwarder: no netem here), so two NAT-ed members are
# 40 ms apart one way. Four members (behind port-restricted, address-
# restricted and full-cone NATs, and one public) find each other through
# two public nodes; then every pair's first ping is timed: a lost
# handshake, probe or punch request must be retried within about a second,
# so each pair answers within 3 s (MESH_LOSSDELAY_SLACK ms added on a
# loaded machine). The times are printed either way.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

BOUND=$((3000 + ${MESH_LOSSDELAY_SLACK:-0}))
LOSS=${MESH_LOSSDELAY_LOSS:-3}
DELAY=${MESH_LOSSDELAY_MS:-20}

natlab_init
meshlab_init lossy
natlab_host p1 internet
natlab_host p2 internet
meshlab_public P1 p1
meshlab_public P2 p2
natlab_router ra port-restricted
natlab_host ha ra
natlab_router rb addr-restricted
natlab_host hb rb
natlab_router rc full-cone
natlab_host hc rc
natlab_host hd internet
meshlab_member A ha
meshlab_member B hb
meshlab_member C hc
meshlab_member D hd
meshlab_netconf

# impair: each internet attachment goes through the delaying forwarder
inet=$(natlab_ns internet)
pairs=
k=0
for n in p1:eth0 p2:eth0 ra:wan rb:wan rc:wan hd:eth0; do
	ifn=${n#*:} n=${n%:*}
	idx=$(ip -n "$(natlab_ns "$n")" -o link show "$ifn" |
	    sed 's/.*@if\([0-9]*\):.*/\1/')
	peer=$(ip -n "$inet" -o link | awk -F': ' -v i="$idx" \
	    '$1 == i { sub(/@.*/, "", $2); print $2 }')
	[ -n "$peer" ] || hard "no internet side for $n $ifn"
	k=$((k + 1))
	ip -n "$inet" link set "$peer" nomaster
	ip -n "$inet" link add "dl$k" type veth peer name "dl${k}b"
	ip -n "$inet" link set "dl${k}b" master br0 up
	ip -n "$inet" link set "dl$k" up
	pairs="$pairs $peer:dl$k"
done
natlab_spawn internet delay.log python3 "$NATLAB_TOOLS/delay.py" "$DELAY" \
    $pairs
natlab_wait_log delay.log ready 5 || hard "delay.py did not start"
ip netns exec "$inet" nft -f - <<EOF2 || hard "nft loss rule refused"
table bridge loss {
	chain forward {
		type filter hook forward priority 0; policy accept;
		numgen random mod 100 < $LOSS drop
	}
}
EOF2
t0=$(date +%s%N)
natlab_exec p1 ping -n -c 1 -w 5 "$(natlab_addr p2)" >/dev/null ||
	fail "no way through the impaired internet"
echo "internet: ${DELAY} ms per attachment, ${LOSS}% loss;" \
    "p1 -> p2 ping $(( ($(date +%s%N) - t0) / 1000000 )) ms"

meshlab_up P1
meshlab_up P2
for m in A B C D; do
	meshlab_up $m
done
for m in A B C; do
	for o in B C D; do
		[ "$m" \< "$o" ] || continue
		meshlab_wait_found $m $o 60 || fail "$m did not find $o"
	done
done

# first IP ping answered, from a fresh start of each pair (ping resends
# every 200 ms until one answer comes)
worst=0
bad=
for pr in A:B A:C A:D B:C B:D C:D; do
	a=${pr%:*} b=${pr#*:}
	t0=$(date +%s%N)
	natlab_exec "$(cat "$ML_DIR/$a.host")" ping -n -c 1 -i 0.2 -w 10 \
	    "$(meshlab_ip $b)" >/dev/null 2>&1 || bad="$bad $pr(none)"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "$a -> $b: first answer after $ms ms (path $(meshlab_peer $a $b \
	    path))"
	[ $ms -le $BOUND ] || bad="$bad $pr(${ms}ms)"
	[ $ms -le $worst ] || worst=$ms
done
echo "worst pair: $worst ms (bound $BOUND ms)"
[ -z "$bad" ] || fail "first packet too late:$bad"

for m in A B C D P1 P2; do
	meshlab_down $m
done
exit 0
