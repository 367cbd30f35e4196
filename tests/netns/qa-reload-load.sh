#!/bin/sh
# Independent check of reloads under load (own set-up; written apart from
# ops-reload.sh). Members a and b exchange numbered UDP flows both ways
# (2000 and 1000 datagrams/s for 8 s) while a's and b's netconfig changes
# under them, reloaded by `mesh reload` on a and by SIGHUP on b: member c is
# added (and brought up and pinged), renamed, a broken netconfig is refused,
# b is renamed (a change to a member with a running tunnel), c is removed,
# and a reload with no change. Every reply must count the changes right;
# afterwards every datagram must have arrived exactly once, the tunnel byte
# counters of both ends must agree (what a sent to b is what b received
# from a, and back), and `mesh show --json` must pass the independent
# reader tests/qa-show-json.py with the values this test knows.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
command -v python3 >/dev/null || skip "needs python3"

P=qr$$
T=$(mktemp -d /tmp/qa-reload.XXXXXX) || hard "mktemp"
TOOL=$top_srcdir/tests/netns/qa-attack.py
JSONCHECK=$top_srcdir/tests/qa-show-json.py
MESH_RUNDIR=$T/run
export MESH_RUNDIR
PIDS=
NSS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	if [ -n "${KEEP_LOGS:-}" ]; then echo "logs in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 99' INT TERM
mkdir -m 700 "$MESH_RUNDIR" || hard "mkdir"
chmod 755 "$T"		# the daemons re-read the netconfig as nobody

ip netns add "${P}sw" || hard "ip netns add"
NSS="${P}sw"
ip -n "${P}sw" link add br0 type bridge && ip -n "${P}sw" link set br0 up ||
    hard "bridge"
i=1
for x in a b c; do
	ip netns add "$P$x" || hard "ip netns add"
	NSS="$NSS $P$x"
	ip link add eth0 netns "$P$x" type veth peer name v$x netns "${P}sw" ||
	    hard "veth"
	ip -n "${P}sw" link set "v$x" master br0 up
	ip -n "$P$x" link set lo up
	ip -n "$P$x" link set eth0 up
	ip -n "$P$x" addr add "192.0.2.$i/24" dev eth0
	(umask 077; "$MESH" genkey workbit 0 >"$T/$x.sk" 2>/dev/null) || hard "genkey"
	eval "k$x=\$(\"\$MESH\" pubkey <\"\$T/\$x.sk\")"
	i=$((i + 1))
done

# netconfig versions: $1 = the trust lines
conf() {
	{
		printf 'name qr\nsubnet 10.92.0.0/24\nworkbit 0\n'
		printf '%s\n' "$@"
	} >"$T/net.new" && chmod 644 "$T/net.new" && mv "$T/net.new" "$T/net"
}
A="trust alpha 10.92.0.1 $ka 192.0.2.1"
B="trust beta 10.92.0.2 $kb 192.0.2.2"
B2="trust bravo 10.92.0.2 $kb 192.0.2.2"
C="trust gamma 10.92.0.3 $kc 192.0.2.3"
C2="trust charlie 10.92.0.3 $kc 192.0.2.3"
conf "$A" "$B"

start() {	# start X
	ip netns exec "$P$1" "$MESH" up "$T/net" private-key "$T/$1.sk" \
	    interface "${P}m$1" -f >"$T/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "pid$1=$!"
	n=0
	until [ -S "$MESH_RUNDIR/${P}m$1.sock" ]; do
		n=$((n + 1))
		[ $n -lt 100 ] && kill -0 "$!" 2>/dev/null ||
			{ cat "$T/$1.log" >&2; fail "$1 did not start"; }
		sleep 0.1
	done
}
start a
start b
ip netns exec "${P}a" ping -c 1 -W 3 10.92.0.2 >/dev/null || fail "ping a -> b"

bg() {	# bg X CMD...: a helper in member X's namespace
	x=$1; shift
	ip netns exec "$P$x" python3 "$TOOL" "$@" &
	PIDS="$PIDS $!"
	last=$!
}
bg b udprecv 10.92.0.2 9000 2 "$T/atob.json" >"$T/rb.out"; rb=$last
bg a udprecv 10.92.0.1 9000 2 "$T/btoa.json" >"$T/ra.out"; ra=$last
for f in rb ra; do
	n=0
	until grep -q ready "$T/$f.out"; do
		n=$((n + 1)); [ $n -lt 100 ] || fail "receiver $f"; sleep 0.1
	done
done
bg a udpsend 10.92.0.2 9000 16000 2000; sa=$last
bg b udpsend 10.92.0.1 9000 8000 1000; sb=$last

reload_a() {	# reload_a EXPECTED-REPLY
	ip netns exec "${P}a" "$MESH" reload "${P}ma" >"$T/reply" 2>&1 ||
		fail "mesh reload failed: $(cat "$T/reply")"
	expect_eq "reload reply" "$(cat "$T/reply")" "${P}ma: reloaded: $1"
}
hup_b() {	# hup_b EXPECTED-LOG-TEXT: SIGHUP, then the log says so
	n0=$(grep -c . "$T/b.log")
	kill -HUP "$pidb"
	n=0
	until tail -n +"$((n0 + 1))" "$T/b.log" | grep -q "$1"; do
		n=$((n + 1))
		[ $n -lt 50 ] || { cat "$T/b.log" >&2; fail "b did not log '$1'"; }
		sleep 0.1
	done
}

sleep 1
conf "$A" "$B" "$C"
reload_a "1 added, 0 removed, 0 changed, 1 unchanged"
hup_b "1 added, 0 removed, 0 changed"
start c
ip netns exec "${P}a" ping -c 1 -W 3 10.92.0.3 >/dev/null || fail "ping a -> c after adding c"
ip netns exec "${P}c" ping -c 1 -W 3 10.92.0.2 >/dev/null || fail "ping c -> b after adding c"

sleep 0.5
conf "$A" "$B" "$C2"
reload_a "0 added, 0 removed, 1 changed, 1 unchanged"
hup_b "0 added, 0 removed, 1 changed"

sleep 0.5
printf 'name qr\nsubnet 10.92.0.0/24\nworkbit 0\n%s\ntrust %s\n' "$A" "$ka" \
    >"$T/net"	# a's key twice
if ip netns exec "${P}a" "$MESH" reload "${P}ma" >"$T/reply" 2>&1; then
	fail "a broken netconfig was accepted"
fi
grep -q "$T/net:5: duplicate key; first on line 4" "$T/reply" ||
    fail "refusal without file:line: $(cat "$T/reply")"

sleep 0.5
conf "$A" "$B2" "$C2"
reload_a "0 added, 0 removed, 1 changed, 1 unchanged"
hup_b "0 added, 0 removed, 0 changed"

sleep 0.5
conf "$A" "$B2"
reload_a "0 added, 1 removed, 0 changed, 1 unchanged"
hup_b "0 added, 1 removed, 0 changed"
if ip netns exec "${P}c" ping -c 1 -W 1 10.92.0.1 >/dev/null 2>&1; then
	fail "c still reaches a after its removal"
fi
reload_a "0 added, 0 removed, 0 changed, 1 unchanged"

wait "$sa" || fail "sender a"
wait "$sb" || fail "sender b"
wait "$rb" || fail "receiver b"
wait "$ra" || fail "receiver a"
sleep 1
for x in a b; do
	"$MESH" show --json "${P}m$x" >"$T/$x.json" || fail "mesh show $x"
done
python3 - "$T" "$ka" "$kb" <<'EOF' || fail "end-to-end counts differ (KEEP_LOGS=1 keeps $T)"
import json, sys
t, ka, kb = sys.argv[1:4]
ok = True
for name, want in (("atob", 16000), ("btoa", 8000)):
    r = json.load(open("%s/%s.json" % (t, name)))
    print(name, r)
    if r["good"] != want or r["dup"] or r["bad"]:
        print("FAIL: %s: %d of %d arrived, %d twice, %d corrupt" %
              (name, r["good"], want, r["dup"], r["bad"]))
        ok = False
peer = lambda x, k: [p for p in json.load(open("%s/%s.json" % (t, x)))
                     ["interfaces"][0]["peers"] if p["public_key"] == k][0]
ab, ba = peer("a", kb), peer("b", ka)
print("a -> b: a sent %d, b received %d; b -> a: b sent %d, a received %d" %
      (ab["tx_bytes"], ba["rx_bytes"], ba["tx_bytes"], ab["rx_bytes"]))
if ab["tx_bytes"] != ba["rx_bytes"] or ba["tx_bytes"] != ab["rx_bytes"]:
    print("FAIL: the tunnel byte counters of the two ends differ")
    ok = False
sys.exit(0 if ok else 1)
EOF

python3 "$JSONCHECK" "$T/a.json" --iface "${P}ma" --pid "$pida" --port 6374 \
    --peers 1 --address4 10.92.0.1/24 --peer="$kb=192.0.2.2:6374" ||
    fail "mesh show --json of a"
python3 "$JSONCHECK" "$T/b.json" --iface "${P}mb" --pid "$pidb" --port 6374 \
    --peers 1 --address4 10.92.0.2/24 --peer="$ka=192.0.2.1:6374" ||
    fail "mesh show --json of b"
"$MESH" show --json all dht >"$T/all.json" || fail "mesh show --json all dht"
python3 "$JSONCHECK" "$T/all.json" --iface "${P}mc" --peers 0 ||
    fail "mesh show --json all dht"
exit 0
