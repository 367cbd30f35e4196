# Helpers for the tunnel namespace tests (tests/netns/tunnel-*.sh), sourced
# after tests/lib.sh and need_netns. Every name carries this shell's PID so
# that runs never collide; cleanup (on EXIT) kills only the daemons started
# here, by PID, and deletes only these namespaces.
#
#   lan_up N		a switch namespace with a bridge and N member
#			namespaces ($(ns I)), member I at 192.0.2.I/24
#   net_write N		keys and a netconfig with N members: member I is
#			10.66.0.I, endpoint 192.0.2.I (the default port)
#   routed_up [6]	a router namespace $R between member 1 (192.0.2.1,
#			link r1) and member 2 (198.51.100.2, link r2), and a
#			netconfig for the two; with 6 also 2001:db8:1::1 and
#			2001:db8:2::2, which the netconfig then names
#   mesh_start I [ENV=V...]	start member I's daemon (-f, logs in $TMPD),
#			interface $(ifn I); wait until its control socket is up
#   mesh_stop I		mesh down, then wait for the process to exit
#   show I		the control socket's show reply (key=value lines)
#   ip6_of I		member I's inside IPv6 address

TP=mt$$
TMPD=$(mktemp -d /tmp/mesh-test.XXXXXX) || hard "mktemp"
MESH_RUNDIR=$TMPD/run
export MESH_RUNDIR
mkdir -m 700 "$MESH_RUNDIR" || hard "mkdir"
TOOL="$top_srcdir/tests/netns/tunnel-tool.py"
NSS=""
PIDS=""

ns() { echo "${TP}n$1"; }
ifn() { echo "${TP}m$1"; }

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	if [ -n "${KEEP_LOGS:-}" ]; then
		echo "logs kept in $TMPD" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT
trap 'exit 99' INT TERM

lan_up() {
	sw=${TP}sw
	ip netns add "$sw" || hard "ip netns add"
	NSS="$NSS $sw"
	ip -n "$sw" link add br0 type bridge || hard "bridge"
	ip -n "$sw" link set br0 up
	i=1
	while [ "$i" -le "$1" ]; do
		ip netns add "$(ns "$i")" || hard "ip netns add"
		NSS="$NSS $(ns "$i")"
		ip link add eth0 netns "$(ns "$i")" type veth peer name \
		    p$i netns "$sw" || hard "veth"
		ip -n "$sw" link set p$i master br0 up
		ip -n "$(ns "$i")" addr add 192.0.2.$i/24 dev eth0
		ip -n "$(ns "$i")" link set eth0 up
		ip -n "$(ns "$i")" link set lo up
		i=$((i + 1))
	done
}

net_write() {
	{
		echo "name test"
		echo "subnet 10.66.0.0/24"
		echo "workbit 0"
	} >"$TMPD/net"
	i=1
	while [ "$i" -le "$1" ]; do
		(umask 077; "$MESH" genkey workbit 0 >"$TMPD/k$i.sk") ||
		    hard "genkey"
		echo "trust node$i 10.66.0.$i $("$MESH" pubkey \
		    <"$TMPD/k$i.sk") 192.0.2.$i" >>"$TMPD/net"
		i=$((i + 1))
	done
	# whatever the umask: mesh up refuses a group-writable netconfig
	chmod 644 "$TMPD/net"
}

mesh_start() {
	i=$1
	shift
	ip netns exec "$(ns "$i")" env "$@" "$MESH" up "$TMPD/net" \
	    private-key "$TMPD/k$i.sk" interface "$(ifn "$i")" -f -v \
	    >"$TMPD/log$i" 2>&1 &
	eval "PID$i=$!"
	PIDS="$PIDS $!"
	n=0
	while [ ! -S "$MESH_RUNDIR/$(ifn "$i").sock" ]; do
		n=$((n + 1))
		if [ "$n" -gt 100 ] || ! kill -0 "$!" 2>/dev/null; then
			cat "$TMPD/log$i" >&2
			fail "member $i did not start"
		fi
		sleep 0.1
	done
}

mesh_stop() {
	eval "p=\$PID$1"
	ip netns exec "$(ns "$1")" "$MESH" down "$(ifn "$1")" ||
	    fail "mesh down $(ifn "$1") failed"
	n=0
	while kill -0 "$p" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -le 50 ] || fail "member $1 still running after down"
		sleep 0.1
	done
	wait "$p" 2>/dev/null
}

show() {
	python3 "$TOOL" show "$MESH_RUNDIR/$(ifn "$1").sock"
}

ip6_of() {
	ip -n "$(ns "$1")" -6 addr show dev "$(ifn "$1")" scope global |
	    awk '/inet6/ { sub("/.*", "", $2); print $2; exit }'
}

# pings FROM ADDR: one ping that must succeed within 2 s
ping_ok() {
	ip netns exec "$(ns "$1")" ping -c 1 -W 2 "$2" >/dev/null 2>&1
}

routed_up() {
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
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 ||
	    hard "forwarding"
	ep1=192.0.2.1
	ep2=198.51.100.2
	if [ "${1:-4}" = 6 ]; then
		for n in "$R" "$(ns 1)" "$(ns 2)"; do
			ip netns exec "$n" sysctl -qw \
			    net.ipv6.conf.all.accept_dad=0
			ip netns exec "$n" sysctl -qw \
			    net.ipv6.conf.default.accept_dad=0
		done
		ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1 ||
		    hard "forwarding"
		ip -n "$R" addr add 2001:db8:1::254/64 dev r1 nodad
		ip -n "$R" addr add 2001:db8:2::254/64 dev r2 nodad
		ip -n "$(ns 1)" addr add 2001:db8:1::1/64 dev eth0 nodad
		ip -n "$(ns 2)" addr add 2001:db8:2::2/64 dev eth0 nodad
		ip -n "$(ns 1)" route add default via 2001:db8:1::254
		ip -n "$(ns 2)" route add default via 2001:db8:2::254
		ep1="[2001:db8:1::1]:6374"
		ep2="[2001:db8:2::2]:6374"
	fi
	net_write 2
	sed -i -e "s/ 192\.0\.2\.1\$/ $ep1/" \
	    -e "s/ 192\.0\.2\.2\$/ $ep2/" "$TMPD/net"
}
