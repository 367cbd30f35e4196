#!/bin/sh
# Hard NATs (issue 12): a member behind a port-restricted NAT (E) against
# one behind a symmetric NAT that allocates ports in sequence (Q, the lab's
# seqsym router) and one behind a symmetric NAT that allocates them at
# random (S, masquerade fully-random). Without port prediction and birthday
# probing both pairs stay relayed.
#
#	E <-> Q		direct in every attempt, within 3 s of the first
#			packet (port prediction: E probes the window above
#			Q's last mapping)
#	E <-> S		direct in at least half of the attempts within 10 s
#			(birthday probing: S opens 256 sockets, E probes
#			random ports of S's address), relayed otherwise; no
#			packet of a numbered ping flow is lost either way
#
# Each attempt starts both members afresh on a new port (new NAT mappings),
# waits until each knows its NAT kind (two public nodes saw it), then pings
# every 50 ms. What was tried, with its budget, is printed per attempt from
# `mesh show`. Attempts: HARDNAT_SEQ (default 3) and HARDNAT_RANDOM (6).
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

nseq=${HARDNAT_SEQ:-3}
nrnd=${HARDNAT_RANDOM:-6}

natlab_init
meshlab_init hardnat
natlab_host p1 internet
natlab_host p2 internet
meshlab_public P1 p1
meshlab_public P2 p2
natlab_router re port-restricted
natlab_host he re
natlab_router rq seqsym
natlab_host hq rq
natlab_router rs symmetric
natlab_host hs rs
meshlab_member E he
meshlab_member Q hq
meshlab_member S hs
meshlab_netconf
meshlab_up P1
meshlab_up P2

# hn_up NAME PORT: a member on its own port (meshlab_up's, plus
# listen-port: every attempt meets fresh NAT mappings)
hn_up() {
	local n=$1 port=$2 sock k=0
	sock=$(ml_sock "$n")
	rm -f "$sock"
	natlab_spawn "$(cat "$ML_DIR/$n.host")" "$n-$port.log" env \
	    MESH_RUNDIR="$(ml_rundir "$n")" "$MESH" up "$ML_DIR/net" \
	    private-key "$ML_DIR/$n.sk" interface "$(ml_ifn "$n")" \
	    listen-port "$port" -f -v
	echo "$NATLAB_PID" >"$ML_DIR/$n.pid"
	while [ ! -S "$sock" ]; do
		k=$((k + 1))
		[ $k -le 100 ] && kill -0 "$NATLAB_PID" 2>/dev/null ||
			fail "$n did not start"
		sleep 0.1
	done
}

# hn_wait_nat NAME KIND SECS: until NAME's own NAT kind is KIND
hn_wait_nat() {
	local k=0
	while [ "$(meshlab_iface "$1" nat)" != "$2" ]; do
		k=$((k + 1))
		[ $k -le $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}

is_direct() {
	case $1 in direct|punched|mapped|lan) return 0 ;; esac
	return 1
}

# switched NAME PEER PORT T0: ms from T0 (HH:MM:SS.mmm) to the first log
# line of NAME saying its path to PEER went direct (the NAT layer's switch,
# or the data path following the member's packets there)
switched() {
	awk -v p="peer $2: " -v r="peer $2 (" -v t0="$4" '
		function ms(t, a) { split(t, a, ":")
			return (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 }
		(index($0, p) && $4 ~ /^(punched|direct|mapped|lan|roamed)$/) ||
		    (index($0, r) && / is now at /) {
			d = ms($1) - ms(t0)
			if (d < -43200000) d += 86400000
			if (d >= 0) { printf "%d\n", d; exit } }' \
	    "$(natlab_log "$1-$3.log")"
}

# tried NAME PEER: what NAME tried towards PEER (mesh show's fields)
tried() {
	local how
	how=$(meshlab_peer "$1" "$2" tried)
	[ -n "$how" ] || { echo "$1: nothing"; return; }
	echo "$1: $how, $(meshlab_peer "$1" "$2" tried_probes) of" \
	    "$(meshlab_peer "$1" "$2" tried_budget) probes," \
	    "$(meshlab_peer "$1" "$2" tried_result)" \
	    "after $(meshlab_peer "$1" "$2" tried_ms) ms"
}

# attempt N HARD SECS: E and HARD up on port 7000+N, a numbered ping flow
# from E for SECS + 2 seconds; sets ms (to direct, or empty), lost (pings
# unanswered after the first answer) and prints a line
attempt() {
	local n=$1 h=$2 secs=$3 port=$((7000 + $1)) t0 t k count log
	hn_up E "$port"
	hn_up "$h" "$port"
	meshlab_wait_found E "$h" 30 || fail "E did not find $h"
	meshlab_wait_found "$h" E 30 || fail "$h did not find E"
	hn_wait_nat E endpoint-independent 15 ||
		fail "E: NAT kind $(meshlab_iface E nat)"
	hn_wait_nat "$h" endpoint-dependent 15 ||
		fail "$h: NAT kind $(meshlab_iface "$h" nat)"
	count=$(((secs + 2) * 20))
	log=ping-$h-$n.log
	natlab_spawn he "$log" ping -n -i 0.05 -c "$count" -W 2 \
	    "$(meshlab_ip "$h")"
	t0=$(date +%H:%M:%S.%3N)
	natlab_wait_log "$log" 'packets transmitted' $((secs + 10)) ||
		hard "ping flow did not end"
	# when both sides had switched to a direct path, from their logs (a
	# loaded machine makes polling `mesh show` too slow to time it)
	a=$(switched E "$h" "$port" "$t0")
	b=$(switched "$h" E "$port" "$t0")
	ms=
	if [ -n "$a" ] && [ -n "$b" ]; then
		ms=$a
		[ "$b" -le "$a" ] || ms=$b
		is_direct "$(meshlab_peer E "$h" path)" ||
			fail "E<->$h went direct after $ms ms, then not"
	fi
	# every ping after the first answered one must be answered
	lost=$(awk -v c="$count" '
		/icmp_seq=/ { sub(/.*icmp_seq=/, ""); s = $1 + 0
			if (first == "" || s < first) first = s; got[s] = 1 }
		END { if (first == "") { print c; exit }
			for (i = first; i <= c; i++) if (!(i in got)) l++
			print l + 0 }' "$(natlab_log "$log")")
	if [ -n "$ms" ] && [ "$ms" -gt $((secs * 1000)) ]; then
		echo "(direct only after $ms ms)"
		ms=
	fi
	printf 'attempt %s E<->%s: %s, lost %s; %s; %s\n' "$n" "$h" \
	    "$([ -n "$ms" ] && echo "direct after $ms ms" || echo relayed)" \
	    "$lost" \
	    "$(tried E "$h")" "$(tried "$h" E)"
	meshlab_down E
	meshlab_down "$h"
}

echo "port-restricted <-> sequential symmetric ($nseq attempts):"
i=0
while [ $i -lt "$nseq" ]; do
	i=$((i + 1))
	attempt "$i" Q 3
	[ -n "$ms" ] || fail "E<->Q attempt $i: not direct within 3 s"
	expect_eq "E<->Q attempt $i: pings lost" "$lost" 0
done

echo "port-restricted <-> random symmetric ($nrnd attempts):"
i=0 direct=0
while [ $i -lt "$nrnd" ]; do
	i=$((i + 1))
	attempt $((i + 50)) S 10
	[ -z "$ms" ] || direct=$((direct + 1))
	expect_eq "E<->S attempt $i: pings lost" "$lost" 0
done
echo "E<->S: direct within 10 s in $direct of $nrnd attempts"
[ $((direct * 2)) -ge "$nrnd" ] ||
	fail "E<->S: direct in only $direct of $nrnd attempts"

meshlab_down P1
meshlab_down P2
exit 0
