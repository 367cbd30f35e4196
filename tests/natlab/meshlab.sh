# meshlab.sh: mesh daemons in the NAT lab (sourced by tests/natlab/mesh-*.sh,
# scripts/demo and scripts/natbench after natlab.sh and natlab_init).
#
#	meshlab_init [NETNAME]		keys dir, control socket dir, names
#	meshlab_public P HOST		a public node's key (call before
#					meshlab_netconf); HOST: its namespace
#	meshlab_member M HOST		a member's key and address
#	meshlab_netconf [FILE [P...]]	write $ML_DIR/FILE (default net):
#					boot lines for the public nodes P
#					(default all), trust lines for the
#					members (no endpoints: the DHT finds
#					them)
#	meshlab_up NAME [ENV=V...]	start a node (public: as nobody, no
#					TUN) with $ML_DIR/NAME.net if that
#					exists, else $ML_DIR/net; waits for
#					its control socket
#	meshlab_down NAME		mesh down, wait for the exit
#	meshlab_kill NAME		SIGKILL (a crash, no goodbye)
#	meshlab_show NAME [WHAT]	control socket reply (key=value lines)
#	meshlab_peer NAME PEER FIELD	a field of NAME's record for PEER
#	meshlab_iface NAME FIELD	a field of NAME's interface record
#	meshlab_ip NAME			a member's mesh IPv4 address
#	meshlab_wait_found NAME PEER S	until NAME found PEER in the DHT
#	meshlab_ping A B [SECS]		one ping from A to B over the mesh;
#					prints the time to the answer in ms,
#					fails (1) without one within SECS
#
# Interface names carry the PID (${ML_TAG}NAME), and the control sockets
# live in directories of this run (MESH_RUNDIR: run/ for the members, run by
# root, runpub/ for the public nodes, run by nobody), so that tests running
# in parallel never meet.

ML_TOOL=${top_srcdir:-.}/tests/netns/tunnel-tool.py

meshlab_init() {
	ML_DIR=$NATLAB_DIR/mesh
	ML_NET=${1:-lab}
	ML_TAG=m$$
	ML_N=0
	ML_PUBLICS=""
	ML_MEMBERS=""
	mkdir -p "$ML_DIR/run" "$ML_DIR/runpub" || hard "mkdir"
	chmod 755 "$NATLAB_DIR" "$ML_DIR"
	chmod 700 "$ML_DIR/run" "$ML_DIR/runpub"
	# public nodes run as nobody: their socket directory is theirs
	chown 65534:65534 "$ML_DIR/runpub"
}

ml_ifn() { echo "${ML_TAG}$1" | cut -c1-15; }
ml_rundir() {
	if [ "$(cat "$ML_DIR/$1.role")" = public ]; then
		echo "$ML_DIR/runpub"
	else
		echo "$ML_DIR/run"
	fi
}
ml_sock() { echo "$(ml_rundir "$1")/$(ml_ifn "$1").sock"; }

ml_key() {
	(umask 077; "$MESH" genkey workbit 0 >"$ML_DIR/$1.sk") ||
	    hard "genkey"
	"$MESH" pubkey <"$ML_DIR/$1.sk" >"$ML_DIR/$1.pub" || hard "pubkey"
}

meshlab_public() {
	ml_key "$1"
	echo "$2" >"$ML_DIR/$1.host"
	echo public >"$ML_DIR/$1.role"
	ML_PUBLICS="$ML_PUBLICS $1"
}

meshlab_member() {
	ml_key "$1"
	echo "$2" >"$ML_DIR/$1.host"
	echo member >"$ML_DIR/$1.role"
	ML_N=$((ML_N + 1))
	echo "10.77.0.$ML_N" >"$ML_DIR/$1.ip"
	ML_MEMBERS="$ML_MEMBERS $1"
}

meshlab_netconf() {
	local f=$ML_DIR/${1:-net} boots
	[ $# -gt 0 ] && shift
	boots=${*:-$ML_PUBLICS}
	{
		echo "name $ML_NET"
		echo "subnet 10.77.0.0/24"
		echo "workbit 0"
		for p in $boots; do
			echo "boot $(cat "$ML_DIR/$p.pub") $(natlab_addr \
			    "$(cat "$ML_DIR/$p.host")")"
		done
		for m in $ML_MEMBERS; do
			echo "trust $m $(cat "$ML_DIR/$m.ip") $(cat \
			    "$ML_DIR/$m.pub")"
		done
	} >"$f"
	chmod 644 "$f"
	"$MESH" check "$f" >/dev/null || hard "bad lab netconfig"
}

meshlab_up() {
	local n=$1 host role ifn sock k
	shift
	host=$(cat "$ML_DIR/$n.host")
	role=$(cat "$ML_DIR/$n.role")
	ifn=$(ml_ifn "$n")
	sock=$(ml_sock "$n")
	net=$ML_DIR/net
	[ ! -f "$ML_DIR/$n.net" ] || net=$ML_DIR/$n.net
	if [ "$role" = public ]; then
		chown 65534:65534 "$ML_DIR/$n.sk"
		natlab_spawn "$host" "$n.log" setpriv --reuid=65534 \
		    --regid=65534 --clear-groups env \
		    MESH_RUNDIR="$(ml_rundir "$n")" "$@" "$MESH" up \
		    "$net" private-key "$ML_DIR/$n.sk" interface "$ifn" \
		    headless -f -v
	else
		natlab_spawn "$host" "$n.log" env \
		    MESH_RUNDIR="$(ml_rundir "$n")" "$@" "$MESH" up \
		    "$net" private-key "$ML_DIR/$n.sk" interface "$ifn" -f -v
	fi
	echo "$NATLAB_PID" >"$ML_DIR/$n.pid"
	k=0
	while [ ! -S "$sock" ]; do
		k=$((k + 1))
		if [ $k -gt 100 ] || ! kill -0 "$NATLAB_PID" 2>/dev/null; then
			cat "$(natlab_log "$n.log")" >&2
			fail "$n did not start"
		fi
		sleep 0.1
	done
}

meshlab_down() {
	local n=$1 pid k=0
	pid=$(cat "$ML_DIR/$n.pid")
	if [ "$(cat "$ML_DIR/$n.role")" = public ]; then
		natlab_exec "$(cat "$ML_DIR/$n.host")" setpriv --reuid=65534 \
		    --regid=65534 --clear-groups env \
		    MESH_RUNDIR="$(ml_rundir "$n")" "$MESH" down \
		    "$(ml_ifn "$n")" >/dev/null 2>&1
	else
		natlab_exec "$(cat "$ML_DIR/$n.host")" env \
		    MESH_RUNDIR="$(ml_rundir "$n")" "$MESH" down \
		    "$(ml_ifn "$n")" >/dev/null 2>&1
	fi
	while kill -0 "$pid" 2>/dev/null; do
		k=$((k + 1))
		[ $k -le 100 ] || fail "$n still running after mesh down"
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
	return 0
}

meshlab_kill() {
	local pid
	pid=$(cat "$ML_DIR/$1.pid")
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$(ml_sock "$1")"
	return 0
}

meshlab_show() {
	local what=${2:-all}
	python3 - "$(ml_sock "$1")" "$what" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"mesh-ctl=1\ncmd=show\narg=" + sys.argv[2].encode() + b"\n\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
EOF
}

# meshlab_peer NAME PEER FIELD: FIELD of NAME's peer record for PEER
meshlab_peer() {
	meshlab_show "$1" peers | awk -v k="$(cat "$ML_DIR/$2.pub")" \
	    -v f="$3" -F= '
		/^peer=/ { in_p = ($2 == k) }
		/^(dht|reload)=/ { in_p = 0 }
		in_p && $1 == f { sub(/^[^=]*=/, ""); print; exit }'
}

meshlab_iface() {
	meshlab_show "$1" peers | awk -v f="$2" -F= '
		/^peer=/ { exit }
		$1 == f { sub(/^[^=]*=/, ""); print; exit }'
}

meshlab_ip() { cat "$ML_DIR/$1.ip"; }
# A member's IPv6 ULA, as mesh check resolves the lab's netconfig.
meshlab_ip6() {
	"$MESH" check "$ML_DIR/net" | awk -v k="$(cat "$ML_DIR/$1.pub")" \
	    '$2 == k { print $4 }'
}

meshlab_wait_found() {
	local k=0 max=$(( ${3:-20} * 10 ))
	while :; do
		case $(meshlab_peer "$1" "$2" why) in
		"not found in the DHT yet"|"looking it up in the DHT") ;;
		*) return 0 ;;
		esac
		k=$((k + 1))
		[ $k -le $max ] || return 1
		sleep 0.1
	done
}

# meshlab_ping A B [SECS]: prints ms to the first answer
meshlab_ping() {
	local a=$1 b=$2 secs=${3:-10} dst=${4:-} t0 t1
	[ -n "$dst" ] || dst=$(meshlab_ip "$b")
	t0=$(date +%s%N)
	natlab_exec "$(cat "$ML_DIR/$a.host")" ping -n -c 1 -W "$secs" \
	    "$dst" >/dev/null 2>&1 || return 1
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}
