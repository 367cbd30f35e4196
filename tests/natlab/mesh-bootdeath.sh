#!/bin/sh
# Boot nodes die: the netconfig's two boot nodes are killed (SIGKILL, no
# goodbye) while two members behind NAT talk through a punched tunnel. The
# tunnel carries on without losing a packet (it needs no public node once
# punched). A third public node, which had joined the DHT through the
# dead ones, is all that is left; a pair that was relayed by a dead one
# (symmetric against port-restricted NAT) moves to it within seconds, and a
# new member whose netconfig also names it joins through it and reaches
# both members.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

natlab_init
meshlab_init bootdeath
natlab_host p1 internet
natlab_host p2 internet
natlab_host p3 internet
meshlab_public P1 p1
meshlab_public P2 p2
meshlab_public P3 p3
natlab_router ra port-restricted
natlab_host ha ra
natlab_router rb full-cone
natlab_host hb rb
natlab_router rc addr-restricted
natlab_host hc rc
natlab_router rs symmetric
natlab_host hs rs
meshlab_member A ha
meshlab_member B hb
meshlab_member C hc
meshlab_member S hs
# everybody's netconfig names P1 and P2; the newcomer's also P3
meshlab_netconf net P1 P2
meshlab_netconf C.net P1 P2 P3
meshlab_up P1
meshlab_up P2
meshlab_up P3
sleep 1
meshlab_up A
meshlab_up B
meshlab_up S
meshlab_wait_found A B 30 || fail "A did not find B"
t=$(meshlab_ping A B 8) || fail "A -> B: no answer"
echo "A -> B: first answer after $t ms, path $(meshlab_peer A B path)"
meshlab_wait_found A S 30 || fail "A did not find S"
t=$(meshlab_ping A S 8) || fail "A -> S: no answer"
echo "A -> S: first answer after $t ms, path $(meshlab_peer A S path)" \
    "via $(meshlab_peer A S endpoint)"
# the members keep their rendezvous among the closest public nodes, P3
# among them once their own lookups have met it
sleep 5

# a steady ping through the tunnel while the boot nodes die, and one
# through the relay
natlab_spawn ha ping.log ping -n -i 0.05 -c 200 "$(meshlab_ip B)"
pingpid=$NATLAB_PID
natlab_spawn ha pings.log ping -D -n -i 0.1 -w 14 "$(meshlab_ip S)"
spid=$NATLAB_PID
sleep 2
meshlab_kill P1
meshlab_kill P2
echo "boot nodes P1 and P2 killed"
wait "$pingpid"
sed -n 's/^\(.*packets transmitted.*\)$/ping A -> B during the kill: \1/p' \
    "$(natlab_log ping.log)"
grep -q ' 0% packet loss' "$(natlab_log ping.log)" ||
    fail "packets lost while the boot nodes died"
wait "$spid"
set -- $(awk '/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
	if (last > 0 && t - last > max) max = t - last; last = t; n++ }
	END { printf "%d %d\n", max * 1000, n }' "$(natlab_log pings.log)")
echo "A -> S (relayed): longest gap $1 ms, $2 answers; now" \
    "$(meshlab_peer A S path) via $(meshlab_peer A S endpoint)," \
    "P3 at $(natlab_addr p3)"
[ "$1" -le 8000 ] && [ "$2" -ge 80 ] ||
    fail "the relayed pair did not move to the remaining public node"

# a newcomer joins through P3 alone
meshlab_up C
for m in A B; do
	n=0
	while ! t=$(meshlab_ping C "$m" 3); do
		n=$((n + 1))
		[ $n -lt 20 ] || fail "C never reached $m: $(meshlab_peer C \
		    "$m" why)"
	done
	echo "C -> $m: answered (path $(meshlab_peer C "$m" path))"
done
meshlab_ping A C 5 >/dev/null || fail "A -> C: no answer"
for m in A B C S; do
	meshlab_down "$m"
done
meshlab_down P3
exit 0
