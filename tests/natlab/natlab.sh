# natlab.sh: a NAT lab out of network namespaces (sourced by the tests).
#
#	. "$top_srcdir/tests/natlab/natlab.sh"
#	natlab_init				# internet namespace, cleanup trap
#	natlab_router r1 full-cone		# or addr-restricted, port-restricted,
#						#    symmetric, seqsym, upnp; [PARENT]
#						#    for double NAT behind PARENT's LAN
#	natlab_host a r1			# a host on r1's LAN
#	natlab_host pub internet		# a public host
#	natlab_exec a CMD...			# run in a's namespace
#	natlab_spawn a LOG CMD...		# background; PID recorded
#	natlab_addr a				# a's address (a router's: WAN)
#
# Topology (see shared NATLAB.md): an "internet" namespace holds a bridge
# on 203.0.113.0/24; routers' WAN veths and public hosts hang off it. Each
# router has a LAN bridge on its own /28 slice of 192.0.2.0/24, NATs to its
# WAN address with nftables according to its kind, and drops unsolicited
# WAN input to itself. The two symmetric (endpoint-dependent) kinds differ in
# how they pick ports: "symmetric" at random (masquerade fully-random),
# "seqsym" in sequence (UDP: snat to the next port of a counter, numgen inc,
# from NATLAB_SEQ_BASE, 1024 ports then round again: the nat chain sees only a flow's first packet, so
# every new destination gets the next port, as many home routers do). A
# STUN server (udptool.py stun-server) with two
# addresses and two ports is started on the public side for the upnp kind
# (miniupnpd refuses to map ports behind a TEST-NET WAN address unless STUN
# says the mapping is unrestricted) and may be used by tests too.
#
# Namespaces are named "${NATLAB_PREFIX}NAME" (prefix includes $$); the
# cleanup (installed as an EXIT trap by natlab_init) kills only the PIDs it
# recorded and deletes only the namespaces it created.

NATLAB_TOOLS=${top_srcdir:-.}/tests/natlab
NATLAB_UDP="python3 $NATLAB_TOOLS/udptool.py"
NATLAB_STUN1=203.0.113.2
NATLAB_STUN2=203.0.113.3
NATLAB_STUN_PORT=3478

# natlab_need: skip (exit 77) unless the lab can be built here. Call after
# need_netns.
natlab_need() {
	command -v nft >/dev/null || skip "needs nft (Debian package nftables)"
	command -v python3 >/dev/null || skip "needs python3"
	for t in "$@"; do
		command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
			skip "needs $t"
	done
}

natlab_init() {
	NATLAB_PREFIX=${NATLAB_PREFIX:-nl$$-}
	NATLAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/natlab.XXXXXX") ||
		hard "mktemp failed"
	: >"$NATLAB_DIR/pids"
	: >"$NATLAB_DIR/netns"
	NATLAB_NSLICE=0		# LAN slices handed out so far
	NATLAB_NPUB=0		# public addresses handed out so far
	NATLAB_NVETH=0
	trap natlab_cleanup EXIT
	trap 'exit 99' INT TERM HUP
	natlab_mkns internet
	ip -n "$(natlab_ns internet)" link add br0 type bridge ||
		hard "cannot create the internet bridge"
	ip -n "$(natlab_ns internet)" link set br0 up
}

natlab_cleanup() {
	local rc=$? pid n ns
	[ -n "${NATLAB_DIR:-}" ] && [ -d "$NATLAB_DIR" ] || return $rc
	for pid in $(cat "$NATLAB_DIR/pids"); do
		kill "$pid" 2>/dev/null
	done
	for pid in $(cat "$NATLAB_DIR/pids"); do
		n=0
		while kill -0 "$pid" 2>/dev/null && [ $n -lt 20 ]; do
			sleep 0.1; n=$((n + 1))
		done
		kill -9 "$pid" 2>/dev/null
	done
	for ns in $(cat "$NATLAB_DIR/netns"); do
		ip netns delete "$ns" 2>/dev/null
	done
	if [ -n "${NATLAB_KEEP:-}" ]; then
		echo "natlab: logs kept in $NATLAB_DIR" >&2
	else
		rm -rf "$NATLAB_DIR"
	fi
	return $rc
}

natlab_ns() { echo "${NATLAB_PREFIX}$1"; }
natlab_exec() { local n=$1; shift; ip netns exec "$(natlab_ns "$n")" "$@"; }
natlab_addr() { cat "$NATLAB_DIR/$1.addr"; }
natlab_log() { echo "$NATLAB_DIR/$1"; }

# natlab_spawn NAME LOGNAME CMD...: start CMD in NAME's namespace in the
# background with output in $NATLAB_DIR/LOGNAME; records and prints nothing,
# the PID is in $NATLAB_PID.
natlab_spawn() {
	local n=$1 log=$2; shift 2
	# truncate here, not in the child, so that natlab_wait_log cannot
	# see an earlier run's output
	: >"$NATLAB_DIR/$log"
	ip netns exec "$(natlab_ns "$n")" "$@" >>"$NATLAB_DIR/$log" 2>&1 &
	NATLAB_PID=$!
	echo "$NATLAB_PID" >>"$NATLAB_DIR/pids"
}

# natlab_kill PID: end one process this lab started.
natlab_kill() {
	grep -qx "$1" "$NATLAB_DIR/pids" || return 1
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# natlab_wait_log LOGNAME REGEX [SECS]: wait until the log matches.
natlab_wait_log() {
	local n=0 max=$(( ${3:-5} * 10 ))
	while ! grep -qE "$2" "$NATLAB_DIR/$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -le $max ] || return 1
		sleep 0.1
	done
}

natlab_mkns() {
	local ns
	ns=$(natlab_ns "$1")
	ip netns add "$ns" || hard "cannot create namespace $ns"
	echo "$ns" >>"$NATLAB_DIR/netns"
	ip -n "$ns" link set lo up
	# bridged frames must not traverse the ip filter hooks
	ip netns exec "$ns" sh -c \
	    'f=/proc/sys/net/bridge/bridge-nf-call-iptables;
	     [ ! -w $f ] || echo 0 >$f' 2>/dev/null
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1
	:
}

# natlab_attach NAME IFNAME SEGMENT: a veth IFNAME in NAME's namespace, its
# peer enslaved to SEGMENT's bridge (internet: br0, a router: lan). Prints
# the address given to it (with prefix length) and records it.
natlab_attach() {
	local n=$1 ifn=$2 seg=$3 peer br addr plen gw base k
	NATLAB_NVETH=$((NATLAB_NVETH + 1))
	peer=v$NATLAB_NVETH
	if [ "$seg" = internet ]; then
		br=br0
		NATLAB_NPUB=$((NATLAB_NPUB + 1))
		[ $NATLAB_NPUB -le 200 ] || hard "too many public hosts"
		addr=203.0.113.$((NATLAB_NPUB + 9)) plen=24
		gw=
	else
		[ -f "$NATLAB_DIR/$seg.slice" ] || hard "no router $seg"
		br=lan
		base=$(cat "$NATLAB_DIR/$seg.slice")
		k=$(cat "$NATLAB_DIR/$seg.nhosts")
		k=$((k + 1))
		[ $k -le 13 ] || hard "too many hosts behind $seg"
		echo $k >"$NATLAB_DIR/$seg.nhosts"
		addr=192.0.2.$((base + 1 + k)) plen=28
		gw=192.0.2.$((base + 1))
	fi
	ip -n "$(natlab_ns "$n")" link add "$ifn" type veth peer name "$peer" \
	    netns "$(natlab_ns "$seg")" || hard "cannot create veth for $n"
	ip -n "$(natlab_ns "$seg")" link set "$peer" master "$br" up
	ip -n "$(natlab_ns "$n")" addr add "$addr/$plen" dev "$ifn"
	ip -n "$(natlab_ns "$n")" link set "$ifn" up
	if [ -n "$gw" ]; then
		ip -n "$(natlab_ns "$n")" route add default via "$gw"
	else
		# public side: everything else on the lab internet is on-link
		ip -n "$(natlab_ns "$n")" route add default dev "$ifn"
	fi
	echo "$addr" >"$NATLAB_DIR/$n.addr"
	echo "$seg" >"$NATLAB_DIR/$n.segment"
}

# natlab_host NAME ROUTER|internet
natlab_host() {
	natlab_mkns "$1"
	natlab_attach "$1" eth0 "$2"
}

# natlab_stun: start the STUN server (once): namespace "stun" with the two
# addresses $NATLAB_STUN1 and $NATLAB_STUN2, ports 3478 and 3479.
natlab_stun() {
	local ns
	[ -f "$NATLAB_DIR/stun.addr" ] && return 0
	natlab_mkns stun
	ns=$(natlab_ns stun)
	NATLAB_NVETH=$((NATLAB_NVETH + 1))
	ip -n "$ns" link add eth0 type veth peer name v$NATLAB_NVETH \
	    netns "$(natlab_ns internet)"
	ip -n "$(natlab_ns internet)" link set v$NATLAB_NVETH master br0 up
	ip -n "$ns" addr add $NATLAB_STUN1/24 dev eth0
	ip -n "$ns" addr add $NATLAB_STUN2/24 dev eth0
	ip -n "$ns" link set eth0 up
	echo $NATLAB_STUN1 >"$NATLAB_DIR/stun.addr"
	natlab_spawn stun stun.log $NATLAB_UDP stun-server \
	    $NATLAB_STUN1 $NATLAB_STUN2 $NATLAB_STUN_PORT \
	    $((NATLAB_STUN_PORT + 1))
	natlab_wait_log stun.log 'ready' 5 || hard "STUN server did not start"
}

# natlab_router NAME KIND [PARENT]
natlab_router() {
	local n=$1 kind=$2 parent=${3:-internet} ns slice lan wan
	case $kind in
	full-cone|addr-restricted|port-restricted|symmetric|seqsym|upnp) ;;
	*) hard "natlab_router: unknown kind '$kind'" ;;
	esac
	[ "$kind" != upnp ] || [ "$parent" = internet ] ||
	    hard "natlab_router: a upnp router must be on the internet"
	natlab_mkns "$n"
	natlab_attach "$n" wan "$parent"
	ns=$(natlab_ns "$n")
	slice=$((NATLAB_NSLICE * 16))
	NATLAB_NSLICE=$((NATLAB_NSLICE + 1))
	[ $NATLAB_NSLICE -le 15 ] || hard "too many routers"
	echo $slice >"$NATLAB_DIR/$n.slice"
	echo 0 >"$NATLAB_DIR/$n.nhosts"
	echo "$kind" >"$NATLAB_DIR/$n.kind"
	lan=192.0.2.$slice/28
	ip -n "$ns" link add lan type bridge
	ip -n "$ns" addr add 192.0.2.$((slice + 1))/28 dev lan
	ip -n "$ns" link set lan up
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
	wan=$(natlab_addr "$n")
	natlab_nft "$kind" "$lan" "$wan" >"$NATLAB_DIR/$n.nft"
	ip netns exec "$ns" nft -f "$NATLAB_DIR/$n.nft" ||
		hard "nft rules for $n ($kind) refused"
	[ "$kind" != upnp ] || natlab_miniupnpd "$n"
}

# seqsym's ports: counter value -> port. (A map, not "numgen ... offset
# BASE": nft would store the counter in host byte order as the port, and
# on a little-endian machine the ports would go up in steps of 256.)
NATLAB_SEQ_N=1024
natlab_seqmap() {
	local i=0 base=${NATLAB_SEQ_BASE:-20000} sep=
	while [ $i -lt $NATLAB_SEQ_N ]; do
		printf '%s%d : %d' "$sep" $i $((base + i))
		sep=', '
		i=$((i + 1))
	done
}

# natlab_nft KIND LAN WANADDR: the router's ruleset on stdout. All in table
# inet filter, where miniupnpd expects its chains.
natlab_nft() {
	local kind=$1 lan=$2 wan=$3 stun_in masq
	stun_in=
	if [ "$kind" = upnp ]; then
		# miniupnpd's own STUN tests must see answers from the
		# changed address and port
		stun_in="iifname \"wan\" ip saddr { $NATLAB_STUN1, $NATLAB_STUN2 } udp sport { $NATLAB_STUN_PORT, $((NATLAB_STUN_PORT + 1)) } accept"
	fi
	masq="masquerade"
	[ "$kind" != symmetric ] || masq="masquerade fully-random"
	[ "$kind" != seqsym ] ||
		masq="meta l4proto udp snat ip to $wan : numgen inc mod $NATLAB_SEQ_N map { $(natlab_seqmap) }
		oifname \"wan\" ip saddr $lan masquerade"
	cat <<EOF
table inet filter {
	# cone kinds: external UDP port -> inside endpoint, learnt from
	# outbound flows; (external port, remote address) pairs for ADF
	map cone {
		type inet_service : ipv4_addr . inet_service
		flags dynamic, timeout
		timeout 120s
	}
	set sent {
		type inet_service . ipv4_addr
		flags dynamic, timeout
		timeout 120s
	}
	chain miniupnpd {
	}
	chain prerouting_miniupnpd {
	}
	chain postrouting_miniupnpd {
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "wan" ct state established,related accept
		$stun_in
		iifname "wan" drop
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		iifname "lan" oifname "wan" accept
		ct state established,related accept
		ct status dnat accept
		jump miniupnpd
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump prerouting_miniupnpd
$(case $kind in
full-cone)
	echo '		iifname "wan" dnat ip to udp dport map @cone' ;;
addr-restricted)
	echo '		iifname "wan" udp dport . ip saddr @sent dnat ip to udp dport map @cone' ;;
esac)
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump postrouting_miniupnpd
		oifname "wan" ip saddr $lan $masq
	}
	chain learn {
		type filter hook postrouting priority srcnat + 10; policy accept;
$(case $kind in
full-cone|addr-restricted)
	echo '		oifname "wan" meta l4proto udp ct direction original ct status snat update @cone { udp sport : ct original ip saddr . ct original proto-src }' ;;
esac
case $kind in
addr-restricted)
	echo '		oifname "wan" meta l4proto udp ct direction original ct status snat update @sent { udp sport . ip daddr }' ;;
esac)
	}
}
EOF
}

# natlab_miniupnpd NAME: a real miniupnpd (UPnP IGD + NAT-PMP) on router
# NAME, its external address found by STUN.
natlab_miniupnpd() {
	local n=$1 conf
	natlab_stun
	conf=$NATLAB_DIR/$n.miniupnpd.conf
	cat >"$conf" <<EOF
ext_ifname=wan
listening_ip=lan
http_port=0
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
system_uptime=no
notify_interval=30
clean_ruleset_interval=600
ext_perform_stun=yes
ext_stun_host=$NATLAB_STUN1
ext_stun_port=$NATLAB_STUN_PORT
uuid=$(cat /proc/sys/kernel/random/uuid)
lease_file=$NATLAB_DIR/$n.leases
allow 1024-65535 192.0.2.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
	natlab_spawn "$n" "$n.miniupnpd.log" miniupnpd -d -f "$conf" \
	    -P "$NATLAB_DIR/$n.miniupnpd.pid"
	natlab_wait_log "$n.miniupnpd.log" 'Listening for NAT-PMP' 10 ||
		{ cat "$NATLAB_DIR/$n.miniupnpd.log" >&2;
		  hard "miniupnpd did not start on $n"; }
	if grep -q 'impossible' "$NATLAB_DIR/$n.miniupnpd.log"; then
		cat "$NATLAB_DIR/$n.miniupnpd.log" >&2
		hard "miniupnpd on $n refuses port forwarding"
	fi
}
