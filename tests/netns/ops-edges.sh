#!/bin/sh
# Rough edges an operator hit (issue 13), each retried with real daemons in
# namespaces; every section fails on the behaviour that was reported:
# - a reload that only changes a member's endpoint counts it as changed;
# - bash completion offers the members' names of running interfaces;
# - a member started a second time (another interface name, another port)
#   is refused, naming the interface it runs as; a second network on the
#   same subnet does not take over the first's route, and its failed start
#   leaves that route alone;
# - a key that is no member is refused unless asked for (headless, a boot
#   line's key, a netconfig without trust lines), and a public key given
#   as the private key is recognised;
# - a netconfig the daemon's user cannot read: up warns, naming the user
#   and the fix, and the refused reload names the user too;
# - the control socket is gone once a daemon that dropped root has exited,
#   on SIGTERM, SIGINT and mesh down, and soon after a SIGKILL;
# - a refused reload by SIGHUP, unseen without syslog, is in mesh show
#   (pretty, JSON, dump), and so is a good one; mesh reload NETCONFIG (as
#   mesh@.service does) finds the daemon and exits 1 on a refusal;
# - two namespaces starting the default interface name: the error suggests
#   interface NAME and MESH_RUNDIR; mesh show as a user who may not open a
#   socket says whether it is stale or another user's daemon;
# - on a host without IPv4, miniupnpc's own complaints ("sendto: Network
#   is unreachable") do not reach the log raw.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 2
net_write 2
chmod 755 "$TMPD"	# the daemons drop root; they read $TMPD/net
m() { n=$1; shift; ip netns exec "$(ns "$n")" "$MESH" "$@"; }

mesh_start 1
mesh_start 2
ping_ok 1 10.66.0.2 || fail "no tunnel 1 -> 2"

# --- a new endpoint is a change (edge 4) ---
sed -i 's/^\(trust node2 .*\) 192\.0\.2\.2$/\1 192.0.2.2:7000/' "$TMPD/net"
grep -q '192.0.2.2:7000$' "$TMPD/net" || hard "sed"
m 1 reload "$(ifn 1)" >"$TMPD/out" 2>&1 || fail "reload: $(cat "$TMPD/out")"
grep -q "reloaded: 0 added, 0 removed, 1 changed, 0 unchanged" "$TMPD/out" ||
	fail "endpoint change not counted: $(cat "$TMPD/out")"
m 1 reload "$(ifn 1)" >"$TMPD/out" 2>&1 || fail "reload: $(cat "$TMPD/out")"
grep -q "reloaded: 0 added, 0 removed, 0 changed, 1 unchanged" "$TMPD/out" ||
	fail "second reload: $(cat "$TMPD/out")"
sed -i 's/192\.0\.2\.2:7000$/192.0.2.2/' "$TMPD/net"
m 1 reload "$(ifn 1)" >"$TMPD/out" 2>&1 || fail "reload: $(cat "$TMPD/out")"
grep -q "1 changed" "$TMPD/out" || fail "endpoint back: $(cat "$TMPD/out")"

# --- member names in the bash completion ---
bc=/usr/share/bash-completion/bash_completion
if [ ! -f "$bc" ]; then	# without the package: what _mesh needs of it
	bc=$TMPD/bc
	cat >"$bc" <<'EOF'
_init_completion() {
	words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
	cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD - 1]}
}
_filedir() { :; }
EOF
fi
if command -v bash >/dev/null; then
	out=$(ip netns exec "$(ns 1)" env PATH="$(dirname "$MESH"):$PATH" \
	    MESH_RUNDIR="$MESH_RUNDIR" bash -c '
		. "$1"; . "$2"
		COMP_WORDS=(mesh ping ""); COMP_CWORD=2; COMP_LINE="mesh ping "
		COMP_POINT=${#COMP_LINE}; _mesh; echo "${COMPREPLY[*]}"
		COMP_WORDS=(mesh ping "$3" n); COMP_CWORD=3
		COMP_LINE="mesh ping $3 n"; COMP_POINT=${#COMP_LINE}
		_mesh; echo "${COMPREPLY[*]}"' sh "$bc" \
	    "$top_srcdir/config/bash-completion/mesh" "$(ifn 1)")
	expect_eq "completion of members" "$out" "$(ifn 1) $(ifn 2) node1 node2
node2"
fi

# --- the same member twice (edge 1) ---
route() { ip -n "$(ns 1)" route show 10.66.0.0/24; }
route | grep -q "dev $(ifn 1) " || fail "no route: $(route)"
m 1 up "$TMPD/net" private-key "$TMPD/k1.sk" interface "${TP}z" \
    listen-port 7003 >"$TMPD/out" 2>&1 && fail "second copy of member 1 started"
grep -q "already runs as interface $(ifn 1) .*mesh down $(ifn 1)" \
    "$TMPD/out" || fail "second copy: $(cat "$TMPD/out")"
ip -n "$(ns 1)" link show "${TP}z" >/dev/null 2>&1 && fail "${TP}z exists"
# member 2's key in member 1's namespace, its socket elsewhere: the route
# of 10.66.0.0/24 is taken
mkdir -m 700 "$TMPD/run2"
ip netns exec "$(ns 1)" env MESH_RUNDIR="$TMPD/run2" "$MESH" up "$TMPD/net" \
    private-key "$TMPD/k2.sk" interface "${TP}y" listen-port 7004 \
    >"$TMPD/out" 2>&1 && fail "a second interface took the subnet's route"
grep -q "route.*exists.*another interface" "$TMPD/out" ||
	fail "second route: $(cat "$TMPD/out")"
route | grep -q "dev $(ifn 1) " || fail "route lost: $(route)"
ping_ok 1 10.66.0.2 || fail "no tunnel 1 -> 2 after the refused starts"

# --- keys that are no member (edge 6) ---
(umask 077; "$MESH" genkey workbit 0 >"$TMPD/out.sk") || hard "genkey"
(umask 077; "$MESH" pubkey <"$TMPD/k2.sk" >"$TMPD/k2.pub") || hard "pubkey"
m 1 up "$TMPD/net" private-key "$TMPD/out.sk" interface "${TP}o" \
    listen-port 7005 >"$TMPD/out" 2>&1 && fail "an outsider key started"
grep -q "out.sk: its public key .* is no trust line.*headless" "$TMPD/out" ||
	fail "outsider key: $(cat "$TMPD/out")"
m 1 up "$TMPD/net" private-key "$TMPD/k2.pub" interface "${TP}o" \
    listen-port 7005 >"$TMPD/out" 2>&1 && fail "a public key started"
grep -q "k2.pub: this looks like a public key (that of node2" "$TMPD/out" ||
	fail "public key as private key: $(cat "$TMPD/out")"
m 1 up "$TMPD/net" private-key "$TMPD/out.sk" interface "${TP}o" \
    listen-port 7005 headless >"$TMPD/out" 2>&1 ||
	fail "headless: $(cat "$TMPD/out")"
m 1 show "${TP}o" >"$TMPD/out" 2>&1 || fail "show headless: $(cat "$TMPD/out")"
grep -q "headless" "$TMPD/out" || fail "show headless: $(cat "$TMPD/out")"
m 1 down "${TP}o" || fail "down headless"
grep -v '^trust' "$TMPD/net" >"$TMPD/public"
m 1 up "$TMPD/public" private-key "$TMPD/out.sk" interface "${TP}o" \
    listen-port 7005 >"$TMPD/out" 2>&1 ||
	fail "public node: $(cat "$TMPD/out")"
m 1 down "${TP}o" || fail "down public node"

# --- a netconfig the daemon's user cannot read (edge 2) ---
mesh_stop 1
mkdir -m 700 "$TMPD/priv"
(umask 077; cp "$TMPD/net" "$TMPD/priv/net")
ip netns exec "$(ns 1)" env MESH_USER=nobody "$MESH" up "$TMPD/priv/net" \
    private-key "$TMPD/k1.sk" interface "$(ifn 1)" -f >"$TMPD/log1" 2>&1 &
PID1=$!
PIDS="$PIDS $PID1"
n=0
until [ -S "$MESH_RUNDIR/$(ifn 1).sock" ]; do
	n=$((n + 1))
	[ "$n" -lt 100 ] && kill -0 "$PID1" 2>/dev/null ||
	    fail "member 1 did not start: $(cat "$TMPD/log1")"
	sleep 0.1
done
grep -q "warning: .*priv/net: the directory .*/priv is Permission denied for user nobody.*chmod o+x" \
    "$TMPD/log1" || fail "up did not warn: $(cat "$TMPD/log1")"
m 1 reload "$(ifn 1)" >"$TMPD/out" 2>&1 && fail "reload read an unreadable file"
grep -q "Permission denied (the daemon runs as user nobody" "$TMPD/out" ||
	fail "reload error: $(cat "$TMPD/out")"
chmod 711 "$TMPD/priv"
chmod 644 "$TMPD/priv/net"
m 1 reload "$(ifn 1)" >"$TMPD/out" 2>&1 || fail "reload: $(cat "$TMPD/out")"
mesh_stop 1
ip netns exec "$(ns 1)" env MESH_USER=nobody "$MESH" up "$TMPD/priv/net" \
    private-key "$TMPD/k1.sk" interface "$(ifn 1)" >"$TMPD/out" 2>&1 ||
	fail "up: $(cat "$TMPD/out")"
grep -q warning "$TMPD/out" && fail "a warning for a readable file: $(cat "$TMPD/out")"
m 1 down "$(ifn 1)" || fail "down"

# --- the last reload in show; reload by netconfig (edges 7, 10) ---
mesh_start 1
m 1 reload "$TMPD/net" >"$TMPD/out" 2>&1 && fail "reload of a file two read"
grep -q "2 daemons read .*name the interface" "$TMPD/out" ||
	fail "reload by netconfig: $(cat "$TMPD/out")"
mesh_stop 2
m 1 show --json "$(ifn 1)" >"$TMPD/out" || fail "show --json"
python3 -c 'import json, sys
(i,) = json.load(open(sys.argv[1]))["interfaces"]
assert i["last_reload"] is None, i["last_reload"]' "$TMPD/out" ||
	fail "last_reload before any: $(cat "$TMPD/out")"
cp "$TMPD/net" "$TMPD/net.good"
echo "trust bad 10.66.0.9 nokey" >>"$TMPD/net"
kill -HUP "$PID1"
n=0
until m 1 show "$(ifn 1)" | grep -q "last reload: .*(SIGHUP): refused: .*net:[0-9]*:"; do
	n=$((n + 1)); [ "$n" -lt 30 ] || fail "refused SIGHUP not in show: $(m 1 show "$(ifn 1)")"
	sleep 0.1
done
m 1 show --json "$(ifn 1)" >"$TMPD/out" || fail "show --json"
python3 -c 'import json, sys
(i,) = json.load(open(sys.argv[1]))["interfaces"]
r = i["last_reload"]
assert r["via"] == "signal" and r["result"] == "refused", r
assert ":" in r["error"] and 0 < r["time"] <= i["now"], r' "$TMPD/out" ||
	fail "last_reload refused: $(cat "$TMPD/out")"
m 1 show --dump "$(ifn 1)" | awk -F '\t' '$1 == "interface" &&
    $24 == "refused" && $25 ~ /net:[0-9]+:/ { ok = 1 } END { exit !ok }' ||
	fail "dump: $(m 1 show --dump "$(ifn 1)")"
m 1 reload "$TMPD/net" >"$TMPD/out" 2>&1 && fail "a refused reload exits 0"
grep -q "mesh reload: $(ifn 1): .*net:[0-9]*:" "$TMPD/out" ||
	fail "reload by netconfig: $(cat "$TMPD/out")"
cp "$TMPD/net.good" "$TMPD/net"
m 1 reload "$TMPD/net" >"$TMPD/out" 2>&1 || fail "reload: $(cat "$TMPD/out")"
grep -q "^$(ifn 1): reloaded: 0 added" "$TMPD/out" || fail "reload: $(cat "$TMPD/out")"
m 1 show "$(ifn 1)" | grep -q "last reload: .*(mesh reload): ok, 0 added, 0 removed, 0 changed" ||
	fail "good reload not in show: $(m 1 show "$(ifn 1)")"
m 1 reload "$TMPD/nonesuch/net" >"$TMPD/out" 2>&1 && fail "reload of no file"
m 1 reload "$TMPD/net.good" >"$TMPD/out" 2>&1 && fail "reload of a file nobody runs"
grep -q "no running daemon reads" "$TMPD/out" || fail "reload: $(cat "$TMPD/out")"
mesh_stop 1

# --- no socket left behind (edge 3) ---
sock=$MESH_RUNDIR/$(ifn 1).sock
for sig in TERM INT; do
	mesh_start 1
	uid=$(awk '/^Uid:/ { print $3 }' "/proc/$PID1/status")
	[ "$uid" != 0 ] || fail "member 1 runs as root"
	kill -s "$sig" "$PID1"
	wait "$PID1"
	[ -e "$sock" ] && fail "SIG$sig left $sock behind"
	ip -n "$(ns 1)" link show "$(ifn 1)" >/dev/null 2>&1 &&
		fail "SIG$sig left the interface"
done
# in the background: mesh up's output (a pipe here) is closed once it
# exits, the socket's remover holding none of it
ip netns exec "$(ns 1)" "$MESH" up "$TMPD/net" private-key "$TMPD/k1.sk" \
    interface "$(ifn 1)" 2>&1 | cat >"$TMPD/out" &
cpid=$!
n=0
while kill -0 "$cpid" 2>/dev/null; do
	n=$((n + 1))
	if [ "$n" -gt 100 ]; then
		m 1 down "$(ifn 1)"
		fail "mesh up's output stayed open after it exited"
	fi
	sleep 0.1
done
[ -S "$sock" ] || fail "mesh up: $(cat "$TMPD/out")"
m 1 down "$(ifn 1)" || fail "down"
[ -e "$sock" ] && fail "mesh down left $sock behind"
mesh_start 1
kill -s KILL "$PID1"
wait "$PID1" 2>/dev/null
n=0
while [ -e "$sock" ]; do
	n=$((n + 1)); [ "$n" -lt 30 ] || fail "SIGKILL left $sock behind"
	sleep 0.1
done

# --- default names across namespaces; stale sockets (edge 8) ---
m 1 up "$TMPD/net" private-key "$TMPD/k1.sk" >"$TMPD/out" 2>&1 ||
	fail "up with the default name: $(cat "$TMPD/out")"
m 2 up "$TMPD/net" private-key "$TMPD/out.sk" headless listen-port 7006 \
    >"$TMPD/out" 2>&1 && fail "two daemons on one socket name"
grep -q "already running .*another network namespace.*interface NAME.*MESH_RUNDIR" \
    "$TMPD/out" || fail "default name collision: $(cat "$TMPD/out")"
m 1 down mesh-test || fail "down mesh-test"
if command -v setpriv >/dev/null; then
	run3=$TMPD/run3
	mkdir -m 755 "$run3"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$run3/${TP}s.sock"
	chmod 600 "$run3/${TP}s.sock"
	ip netns exec "$(ns 1)" env MESH_RUNDIR="$run3" "$MESH" up "$TMPD/net" \
	    private-key "$TMPD/k1.sk" interface "$(ifn 1)" >"$TMPD/out" 2>&1 ||
		fail "up in $run3: $(cat "$TMPD/out")"
	nobody() {
		ip netns exec "$(ns 1)" setpriv --reuid=65534 --regid=65534 \
		    --clear-groups env MESH_RUNDIR="$run3" "$MESH" "$@"
	}
	nobody show "${TP}s" >"$TMPD/out" 2>&1
	expect_eq "exit status of show (stale)" "$?" 1
	grep -q "no daemon listens on .*: probably a stale socket" "$TMPD/out" ||
		fail "show of a stale socket: $(cat "$TMPD/out")"
	nobody show "$(ifn 1)" >"$TMPD/out" 2>&1
	expect_eq "exit status of show (root's)" "$?" 1
	grep -q "permission denied: its daemon was started by another user" \
	    "$TMPD/out" || fail "show of root's daemon: $(cat "$TMPD/out")"
	nobody show >"$TMPD/out" 2>&1
	expect_eq "exit status of show all" "$?" 1
	grep -q "stale" "$TMPD/out" && grep -q "another user" "$TMPD/out" ||
		fail "show all as nobody: $(cat "$TMPD/out")"
	ip netns exec "$(ns 1)" env MESH_RUNDIR="$run3" "$MESH" down \
	    "$(ifn 1)" || fail "down in $run3"
	ip netns exec "$(ns 1)" env MESH_RUNDIR="$run3" "$MESH" down \
	    "${TP}s" >/dev/null 2>&1
	[ -e "$run3/${TP}s.sock" ] && fail "down left the stale socket"
fi

# --- miniupnpc's stderr (edge 9) ---
v6=${TP}n6
ip netns add "$v6" || hard "ip netns add"
NSS="$NSS $v6"
ip -n "$v6" link set lo up
ip -n "$v6" addr add 2001:db8::5/128 dev lo	# no IPv4 but loopback
{ cat "$TMPD/net"; echo "boot $(cat "$TMPD/k2.pub") [2001:db8::9]:6374"; } \
    >"$TMPD/net6"
chmod 644 "$TMPD/net6"
mkdir -m 700 "$TMPD/run6"
ip netns exec "$v6" env MESH_RUNDIR="$TMPD/run6" MESH_PORTMAP=upnp "$MESH" up \
    "$TMPD/net6" private-key "$TMPD/k1.sk" interface "$(ifn 1)" -f -v \
    >"$TMPD/log6" 2>&1 &
p6=$!
PIDS="$PIDS $p6"
n=0
until grep -qs "UPnP" "$TMPD/log6"; do
	n=$((n + 1))
	[ "$n" -lt 150 ] && kill -0 "$p6" 2>/dev/null ||
	    fail "no UPnP attempt: $(cat "$TMPD/log6")"
	sleep 0.1
done
sleep 0.5
ip netns exec "$v6" env MESH_RUNDIR="$TMPD/run6" "$MESH" down "$(ifn 1)" ||
	fail "down (IPv6 only)"
wait "$p6"
# every line is the daemon's: a time, then the message
if grep -v '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9] ' "$TMPD/log6"; then
	fail "raw lines in the log (above)"
fi

ls -A "$MESH_RUNDIR" | grep -q . && fail "left in the run directory: $(ls -A "$MESH_RUNDIR")"
exit 0
