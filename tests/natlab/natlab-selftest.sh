#!/bin/sh
# The NAT lab checks itself: every router kind maps and filters as its kind
# should, and miniupnpd on the upnp router creates working mappings for
# natpmpc and upnpc (and removes them again).
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
natlab_need miniupnpd upnpc natpmpc

natlab_init
natlab_stun
natlab_host pub internet
natlab_spawn pub echo.log $NATLAB_UDP echo 7000
natlab_wait_log echo.log ready || hard "echo server did not start"
pub=$(natlab_addr pub)
kinds="full-cone addr-restricted port-restricted symmetric seqsym upnp"
for k in $kinds; do
	natlab_router "r-$k" "$k"
	natlab_host "h-$k" "r-$k"
done
# double NAT: a port-restricted router behind the full-cone one
natlab_router r-inner port-restricted r-full-cone
natlab_host h-inner r-inner

port_of() { sed -n "s/^$1 [0-9.]*:\([0-9]*\)$/\1/p"; }
addr_of() { sed -n "s/^$1 \([0-9.]*\):[0-9]*$/\1/p"; }

# check_kind HOST WANADDR KIND
check_kind() {
	h=$1 wan=$2 kind=$3
	# mapping: the same inside socket towards three remote endpoints
	out=$(natlab_exec "$h" $NATLAB_UDP stun "$NATLAB_STUN1" a1p1 a2p1 \
	    "echo=$pub:7000")
	p1=$(echo "$out" | port_of a1p1)
	p2=$(echo "$out" | port_of a2p1)
	p3=$(echo "$out" | port_of "echo=$pub:7000")
	[ -n "$p1" ] && [ -n "$p2" ] && [ -n "$p3" ] ||
		fail "$kind: no reflexive address: $out"
	expect_eq "$kind: observed source address" \
	    "$(echo "$out" | addr_of a1p1)" "$wan"
	if [ "$kind" = symmetric ] || [ "$kind" = seqsym ]; then
		[ "$p1" != "$p2" ] && [ "$p1" != "$p3" ] && [ "$p2" != "$p3" ] ||
			fail "$kind: mapping is not endpoint-dependent: $out"
	else
		[ "$p1" = "$p2" ] && [ "$p1" = "$p3" ] ||
			fail "$kind: mapping is not endpoint-independent: $out"
	fi
	# filtering: answers from another port of the same address, and from
	# another address and port, on a fresh socket each
	chport=$(natlab_exec "$h" $NATLAB_UDP stun "$NATLAB_STUN1" chport)
	chboth=$(natlab_exec "$h" $NATLAB_UDP stun "$NATLAB_STUN1" chboth)
	case $kind in
	full-cone) want_port=pass want_both=pass ;;
	addr-restricted) want_port=pass want_both=drop ;;
	*) want_port=drop want_both=drop ;;
	esac
	got_port=pass got_both=pass
	[ "$chport" != "chport none" ] || got_port=drop
	[ "$chboth" != "chboth none" ] || got_both=drop
	expect_eq "$kind: datagram from another port of a contacted host" \
	    "$got_port" "$want_port"
	expect_eq "$kind: datagram from a host never contacted" \
	    "$got_both" "$want_both"
	echo "ok $kind: mapping ports $p1 $p2 $p3, filtering $got_port/$got_both"
	[ "$kind" = seqsym ] || return 0
	# seqsym: every new flow takes the next port (nothing else goes out
	# through this router), also from a second inside socket
	[ $((p2 - p1)) = 1 ] && [ $((p3 - p2)) = 1 ] ||
		fail "$kind: ports not allocated in sequence: $p1 $p2 $p3"
	out=$(natlab_exec "$h" $NATLAB_UDP stun "$NATLAB_STUN1" a1p1 a2p1)
	q1=$(echo "$out" | port_of a1p1)
	q2=$(echo "$out" | port_of a2p1)
	[ -n "$q1" ] && [ $((q2 - q1)) = 1 ] && [ "$q1" -gt "$p3" ] ||
		fail "$kind: a new socket's ports not in sequence after $p3: $out"
	echo "ok $kind: allocates in sequence ($p1 $p2 $p3, then $q1 $q2)"
}

for k in $kinds; do
	check_kind "h-$k" "$(natlab_addr "r-$k")" "$k"
done
# behind two NATs the outer (full cone) address is what the world sees,
# and the inner port-restricted filter decides
check_kind h-inner "$(natlab_addr r-full-cone)" port-restricted

# expect_arrival HOST PORT WANADDR yes|no: a datagram from the public host
# to WANADDR:PORT reaches HOST (or not)
expect_arrival() {
	h=$1 port=$2 wan=$3 want=$4
	# the receiver exits on the first datagram: a long wait costs time
	# only where none should come, and a loaded machine (python starting
	# the sender) needs more than a second or two
	secs=2; [ "$want" = yes ] && secs=10
	natlab_spawn "$h" "recv-$port.log" $NATLAB_UDP recv "$port" "$secs"
	rpid=$NATLAB_PID
	natlab_wait_log "recv-$port.log" ready || hard "receiver did not start"
	natlab_exec pub $NATLAB_UDP send "$wan:$port" "mapped-$port"
	wait "$rpid"
	if grep -q "^mapped-$port from $pub:" "$(natlab_log "recv-$port.log")"
	then got=yes; else got=no; fi
	expect_eq "datagram to $wan:$port reaches $h" "$got" "$want"
}

wan=$(natlab_addr r-upnp)
hu=$(natlab_addr h-upnp)
# unmapped: closed
expect_arrival h-upnp 40001 "$wan" no
# NAT-PMP
natlab_exec h-upnp natpmpc -a 40001 40001 udp 600 >"$NATLAB_DIR/natpmpc.out" 2>&1 ||
	{ cat "$NATLAB_DIR/natpmpc.out"; fail "natpmpc -a failed"; }
grep -q "Mapped public port 40001 protocol UDP to local port 40001" \
    "$NATLAB_DIR/natpmpc.out" || { cat "$NATLAB_DIR/natpmpc.out"; fail "natpmpc: no mapping"; }
expect_arrival h-upnp 40001 "$wan" yes
natlab_exec h-upnp natpmpc -a 40001 40001 udp 0 >/dev/null 2>&1 ||
	fail "natpmpc could not delete its mapping"
expect_arrival h-upnp 40001 "$wan" no
# UPnP IGD (-i: accept the IGD although its address is a reserved one)
natlab_exec h-upnp upnpc -i -a "$hu" 40002 40002 UDP >"$NATLAB_DIR/upnpc.out" 2>&1
grep -q "external $wan:40002 UDP is redirected to internal $hu:40002" \
    "$NATLAB_DIR/upnpc.out" || { cat "$NATLAB_DIR/upnpc.out"; fail "upnpc: no mapping"; }
expect_arrival h-upnp 40002 "$wan" yes
natlab_exec h-upnp upnpc -i -d 40002 UDP >/dev/null 2>&1
expect_arrival h-upnp 40002 "$wan" no
echo "ok upnp: natpmpc and upnpc mappings work and are removed"
exit 0
