#!/bin/sh
# Fast recovery targets (issue 11), measured with fast pings (-i 0.05,
# timestamped) between two members behind port-restricted NATs, on a
# punched direct path:
#  1. both routers lose their NAT state mid-transfer (conntrack -F and the
#     dynamic maps flushed): the traffic resumes within 3 s;
#  2. B's router gets a new public address (roaming): gap within 1.5 s;
#  3. B moves behind another router (roaming): gap within 1.5 s;
#  4. a public member's endpoint is changed on A's trust line and A
#     reloads, while that member moved there: no more than 1 s lost.
# MESH_RECOVER_SLACK (ms, default 0) is added to every bound on a loaded
# machine; the measured gaps are printed either way. MESH_RECOVER_ONLY=
# flush|renumber|move|reload runs one round; MESH_RECOVER_WINDOW (s,
# default 12) is how long each round pings.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv conntrack

SLACK=${MESH_RECOVER_SLACK:-0}

natlab_init
meshlab_init recover
natlab_host p1 internet
natlab_host p2 internet
meshlab_public P1 p1
meshlab_public P2 p2
natlab_router ra port-restricted
natlab_host ha ra
natlab_router rb port-restricted
natlab_host hb rb
natlab_router rb2 port-restricted
natlab_host hc internet
meshlab_member A ha
meshlab_member B hb
meshlab_member C hc
meshlab_netconf
# A knows C's endpoint from its trust line (reloaded in round 4)
cfg_c() {
	sed "s|^\(trust C .*\)|\1 $1:6374|" "$ML_DIR/net" >"$ML_DIR/A.net.new"
	chmod 644 "$ML_DIR/A.net.new"
	mv "$ML_DIR/A.net.new" "$ML_DIR/A.net"
}
cfg_c "$(natlab_addr hc)"
meshlab_up P1
meshlab_up P2
meshlab_up A
meshlab_up B
meshlab_up C
meshlab_wait_found A B 30 || fail "A did not find B"
meshlab_ping A B 8 >/dev/null || fail "A -> B: no answer"
k=0
while [ "$(meshlab_peer A B path)" = relayed ] && [ $k -lt 100 ]; do
	sleep 0.1; k=$((k + 1))
done
echo "A -> B: path $(meshlab_peer A B path) at $(meshlab_peer A B endpoint)"

# gap LOG SINCE: the longest silence (ms) between answers after SINCE (a
# date +%s.%N), and how many answers came after it
gap() {
	awk -v since="$2" '
		/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
			if (t < since) { last = t; next }
			if (last > 0 && t - last > max) max = t - last
			last = t; n++ }
		END { printf "%d %d\n", max * 1000, n }' "$1"
}

# measure ROUND BOUND WHAT...: ping A -> $TO (B) every 50 ms while WHAT
# runs; the longest gap must stay within BOUND ms
TO=B
measure() {
	round=$1 bound=$2
	shift 2
	natlab_spawn ha "ping$round.log" ping -D -n -i 0.05 \
	    -w "${MESH_RECOVER_WINDOW:-12}" "$(meshlab_ip $TO)"
	pid=$NATLAB_PID
	sleep 2
	t0=$(date +%s.%N)
	"$@"
	wait "$pid"
	set -- $(gap "$(natlab_log "ping$round.log")" "$t0")
	echo "$round: longest gap $1 ms (bound $bound ms); $2 answers after;" \
	    "path now $(meshlab_peer A $TO path) at" \
	    "$(meshlab_peer A $TO endpoint)"
	[ "$2" -gt 20 ] || fail "$round: the traffic did not resume"
	# mesh show's last recovery, on either side
	r1="$(meshlab_peer A $TO recovery) $(meshlab_peer A $TO \
	    recovery_via) $(meshlab_peer A $TO recovery_gap_ms)"
	r2="$(meshlab_peer $TO A recovery) $(meshlab_peer $TO A \
	    recovery_via) $(meshlab_peer $TO A recovery_gap_ms)"
	echo "  last recovery: A: ${r1% *} after ${r1##* } ms;" \
	    "$TO: ${r2% *} after ${r2##* } ms"
	[ -n "$(meshlab_peer A $TO recovery)$(meshlab_peer $TO A \
	    recovery)" ] || fail "$round: no recovery in mesh show"
	[ "$1" -le $((bound + SLACK)) ] ||
		fail "$round: the traffic stopped for $1 ms (bound $bound)"
}

# 1: both NATs forget everything
flush() {
	for r in ra rb; do
		natlab_exec $r conntrack -F >/dev/null 2>&1
		natlab_exec $r nft flush map inet filter cone 2>/dev/null
		natlab_exec $r nft flush set inet filter sent 2>/dev/null
	done
	echo "ra, rb: NAT state flushed"
}
only() { [ -z "${MESH_RECOVER_ONLY:-}" ] || [ "$MESH_RECOVER_ONLY" = "$1" ]; }
! only flush || measure flush 3000 flush

# 2: B's router is renumbered
renumber() {
	old=$(natlab_addr rb)
	natlab_exec rb sysctl -qw net.ipv4.conf.wan.promote_secondaries=1
	natlab_exec rb ip addr add 203.0.113.240/24 dev wan
	natlab_exec rb ip addr del "$old/24" dev wan
	echo 203.0.113.240 >"$NATLAB_DIR/rb.addr"
	echo "rb: $old -> 203.0.113.240"
}
! only renumber || measure renumber 1500 renumber

# 3: B moves to another router's LAN
move() {
	natlab_exec hb ip link del eth0
	natlab_attach hb eth0 "$1"
	echo "hb: moved behind $1, now $(natlab_addr hb)"
}
! only move || measure move 1500 move rb2

# 4: C's address changes and A's trust line follows (mesh reload)
reload_move() {
	old=$(natlab_addr hc)
	natlab_exec hc sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1
	natlab_exec hc ip addr add 203.0.113.241/24 dev eth0
	natlab_exec hc ip addr del "$old/24" dev eth0
	echo 203.0.113.241 >"$NATLAB_DIR/hc.addr"
	cfg_c 203.0.113.241
	natlab_exec ha env MESH_RUNDIR="$ML_DIR/run" "$MESH" reload \
	    "$(ml_ifn A)" >/dev/null || fail "mesh reload failed"
	echo "hc: $old -> 203.0.113.241, A reloaded"
}
if only reload; then
	meshlab_ping A C 8 >/dev/null || fail "A -> C: no answer"
	TO=C
	echo "A -> C: path $(meshlab_peer A C path) at" \
	    "$(meshlab_peer A C endpoint)"
	measure reload 1000 reload_move
fi

meshlab_down A
meshlab_down B
meshlab_down C
meshlab_down P1
meshlab_down P2
exit 0
