#!/bin/sh
# A daemon's life as operations see it (issue 6, items 2, 4, 5, 6):
# - under systemd's notify protocol it says READY=1 once up and STOPPING=1
#   on the way down;
# - after start-up its uids are not 0 and it holds no capability;
# - mesh show (pretty, --json, --dump, interfaces) describes it; the JSON is
#   parsed by python and checked against what the test set up;
# - reads need access to the socket: an unprivileged user is refused;
# - mesh down leaves nothing behind: no process, interface, socket, UDP
#   port or file.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 2
net_write 2

# A stand-in for systemd: a datagram socket printing what it receives.
python3 -u - "$TMPD/notify" >"$TMPD/notified" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    msg = s.recv(4096).decode()
    print(msg.replace("\n", " "))
    if "STOPPING=1" in msg:
        break
PY
PIDS="$PIDS $!"
notifier=$!
n=0
while [ ! -S "$TMPD/notify" ]; do
	n=$((n + 1)); [ "$n" -lt 50 ] || hard "notify listener"; sleep 0.1
done

# What exists before, to compare with after mesh down.
snapshot() {
	ip -n "$(ns 1)" -o link show | sed 's/^[0-9]*: //; s/:.*//' | sort
	ls -a "$MESH_RUNDIR"
	ip netns exec "$(ns 1)" ss -Hlnu | awk '{ print $4 }' | sort
}
snapshot >"$TMPD/before"

mesh_start 1 NOTIFY_SOCKET="$TMPD/notify"
mesh_start 2
n=0
until grep -q "READY=1" "$TMPD/notified"; do
	n=$((n + 1)); [ "$n" -lt 50 ] || fail "no READY=1: $(cat "$TMPD/notified")"
	sleep 0.1
done
grep -q "MAINPID=$PID1" "$TMPD/notified" ||
	fail "READY without the daemon's pid: $(cat "$TMPD/notified")"
ping_ok 1 10.66.0.2 || fail "no tunnel 1 -> 2"

# --- privileges ---
for p in "$PID1" "$PID2"; do
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$p/status")
	gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$p/status")
	for u in $uids $gids; do
		[ "$u" != 0 ] || fail "daemon $p runs with uid/gid 0: $uids / $gids"
	done
	for c in CapEff CapPrm CapInh CapAmb; do
		v=$(awk -v c="$c:" '$1 == c { print $2 }' "/proc/$p/status")
		expect_eq "$c of $p" "$v" 0000000000000000
	done
	grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$p/status" ||
		fail "daemon $p without no_new_privs"
done

# --- mesh show, as root ---
m() { ip netns exec "$(ns 1)" "$MESH" "$@"; }
m show interfaces >"$TMPD/ifs" || fail "show interfaces"
grep -qx "$(ifn 1)" "$TMPD/ifs" || fail "show interfaces: $(cat "$TMPD/ifs")"
m show "$(ifn 1)" >"$TMPD/pretty" || fail "show"
grep -q "^interface: $(ifn 1)$" "$TMPD/pretty" || fail "pretty: no interface"
grep -q "^peer: .* (node2)$" "$TMPD/pretty" || fail "pretty: no node2"
grep -q "$(printf '\033')" "$TMPD/pretty" && fail "colour without a terminal"
m >"$TMPD/noargs" || fail "mesh without arguments"
grep -q "^interface: $(ifn 1)$" "$TMPD/noargs" || fail "mesh: no interface"
m show --dump "$(ifn 1)" >"$TMPD/dump" || fail "show --dump"
awk -F '\t' -v i="$(ifn 1)" '$1 == "peer" && $2 == i && $4 == "node2" &&
    $9 == "192.0.2.2:6374" { ok = 1 } END { exit !ok }' "$TMPD/dump" ||
	fail "dump: $(cat "$TMPD/dump")"
m show --json "$(ifn 1)" all >"$TMPD/json" || fail "show --json"
pk2=$("$MESH" pubkey <"$TMPD/k2.sk")
pk1=$("$MESH" pubkey <"$TMPD/k1.sk")
python3 - "$TMPD/json" "$(ifn 1)" "$pk1" "$pk2" "$PID1" <<'PY' ||
import json, sys
doc = json.load(open(sys.argv[1]))
ifname, pk1, pk2, pid = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
assert doc["version"] == 1
(i,) = doc["interfaces"]
assert i["interface"] == ifname, i
assert i["public_key"] == pk1, i
assert i["address4"] == "10.66.0.1/24", i["address4"]
assert i["listen_port"] == 6374
assert i["pid"] == pid, (i["pid"], pid)
assert i["uid"] != 0, i["uid"]
assert i["now"] >= i["started"] > 0
(p,) = i["peers"]
assert p["public_key"] == pk2 and p["name"] == "node2", p
assert p["address4"].split("/")[0] == "10.66.0.2", p
assert p["endpoint"] == "192.0.2.2:6374", p
assert p["path"] in ("direct", "lan"), p
assert p["last_handshake"] is not None and p["last_handshake"] <= i["now"], p
assert p["rx_bytes"] > 0 and p["tx_bytes"] > 0, p
assert isinstance(p["drops"], dict)
assert "dht" in i
PY
	fail "show --json: $(cat "$TMPD/json")"

# --- an unprivileged user may not even read (the socket is 0600) ---
if command -v setpriv >/dev/null; then
	if ip netns exec "$(ns 1)" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups env MESH_RUNDIR="$MESH_RUNDIR" "$MESH" show "$(ifn 1)" \
	    >/dev/null 2>"$TMPD/err"; then
		fail "an unprivileged user read the control socket"
	fi
fi
perm=$(stat -c %a "$MESH_RUNDIR/$(ifn 1).sock")
expect_eq "socket mode" "$perm" 600

# --- mesh down leaves nothing behind ---
mesh_stop 1
n=0
until grep -q "STOPPING=1" "$TMPD/notified"; do
	n=$((n + 1)); [ "$n" -lt 20 ] || fail "no STOPPING=1: $(cat "$TMPD/notified")"
	sleep 0.1
done
kill -0 "$PID1" 2>/dev/null && fail "daemon still running"
mesh_stop 2
snapshot >"$TMPD/after"
diff -u "$TMPD/before" "$TMPD/after" >&2 || fail "mesh down left something behind"
m show "$(ifn 1)" 2>"$TMPD/err" && fail "show after down succeeded"
grep -q "no daemon is running" "$TMPD/err" || fail "show after down: $(cat "$TMPD/err")"
exit 0
