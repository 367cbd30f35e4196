#!/bin/sh
# mesh reload and SIGHUP on running daemons (issue 6, item 3), with real
# daemons, TUN devices and UDP between namespaces:
# - a reload under a ping flood and a UDP iperf3 stream loses no packet
#   (counts compared end to end);
# - a member added by reload is found and connected; a member removed is cut
#   off at once, in both directions;
# - a bad netconfig, and changes that cannot be applied live (subnet,
#   namespace, workbit, own address), are refused with a clear message and
#   the old configuration keeps running;
# - SIGHUP does what mesh reload does.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
command -v iperf3 >/dev/null || skip "needs iperf3"
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 3
net_write 3
# Keys with at least 2 workbits and a network asking for 1, so that a change
# of workbit (to 2) leaves a valid file whose only fault is the change.
i=1
while [ "$i" -le 3 ]; do
	(umask 077; "$MESH" genkey workbit 2 >"$TMPD/k$i.sk") || hard "genkey"
	sed -i "s|^\(trust node$i 10\.66\.0\.$i\) [^ ]* |\1 $("$MESH" pubkey <"$TMPD/k$i.sk") |" "$TMPD/net"
	i=$((i + 1))
done
sed -i 's/^workbit 0$/workbit 1/' "$TMPD/net"
# $TMPD/net is what the daemons read; keep the three-member version aside
# and start with members 1 and 2 only.
cp "$TMPD/net" "$TMPD/net3"
grep -v '^trust node3 ' "$TMPD/net3" >"$TMPD/net2"
cp "$TMPD/net2" "$TMPD/net"
# The daemons drop root after start-up; they must still read the netconfig.
chmod 755 "$TMPD"
chmod 644 "$TMPD"/net*

reload() {	# reload I: mesh reload on member I, output in $TMPD/reload
	ip netns exec "$(ns "$1")" "$MESH" reload "$(ifn "$1")" \
	    >"$TMPD/reload" 2>&1
}

mesh_start 1
mesh_start 2
ping_ok 1 10.66.0.2 || fail "no tunnel 1 -> 2"
# Member 3 knows everybody, but 1 and 2 do not know it yet.
cp "$TMPD/net3" "$TMPD/net"
mesh_start 3
cp "$TMPD/net2" "$TMPD/net"
ping_ok 3 10.66.0.1 && fail "member 1 answered a member not in its netconfig"

# --- reload under load: nothing lost ---
ip netns exec "$(ns 2)" iperf3 -s -1 -B 10.66.0.2 >"$TMPD/iperf-s" 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
ip netns exec "$(ns 1)" ping -q -i 0.002 -c 2500 -W 2 10.66.0.2 \
    >"$TMPD/flood" 2>&1 &
flood=$!
ip netns exec "$(ns 1)" iperf3 -c 10.66.0.2 -u -b 10M -l 1200 -w 2M -t 4 -J \
    >"$TMPD/iperf.json" 2>&1 &
iperf=$!
PIDS="$PIDS $flood $iperf"
sleep 1
# While both run: add member 3 on both sides, reload a few times, and let
# a bad reload be refused in between.
cp "$TMPD/net3" "$TMPD/net"
reload 1 || fail "reload 1 (add member 3): $(cat "$TMPD/reload")"
grep -q "reloaded: 1 added, 0 removed" "$TMPD/reload" ||
	fail "reload output: $(cat "$TMPD/reload")"
reload 2 || fail "reload 2 (add member 3): $(cat "$TMPD/reload")"
sleep 0.5
reload 1 || fail "reload 1 (no change): $(cat "$TMPD/reload")"
grep -q "reloaded: 0 added, 0 removed, 0 changed" "$TMPD/reload" ||
	fail "no-change reload output: $(cat "$TMPD/reload")"
sleep 0.5
kill -HUP "$PID2"
wait "$flood" || fail "ping flood failed: $(cat "$TMPD/flood")"
wait "$iperf" || fail "iperf3 failed: $(cat "$TMPD/iperf.json")"

sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$TMPD/flood")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMPD/flood")
expect_eq "ping flood: received of $sent" "$got" "$sent"
python3 - "$TMPD/iperf.json" <<'PY' || fail "iperf3 over reloads: $(cat "$TMPD/iperf.json")"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["end"]["sum"]
print("iperf3: %d packets, %d lost" % (s["packets"], s["lost_packets"]))
sys.exit(0 if s["packets"] > 3000 and s["lost_packets"] == 0 else 1)
PY

# --- the added member was found and connected ---
ping_ok 1 10.66.0.3 || fail "member 3 not reachable from 1 after reload"
ping_ok 3 10.66.0.2 || fail "member 2 not reachable from 3 after reload"
show 1 | grep -q "^name=node3$" || fail "show: node3 missing after reload"

# --- a member removed is cut off at once, both ways ---
cp "$TMPD/net2" "$TMPD/net"
reload 1 || fail "reload 1 (remove member 3): $(cat "$TMPD/reload")"
grep -q "reloaded: 0 added, 1 removed" "$TMPD/reload" ||
	fail "reload output: $(cat "$TMPD/reload")"
ping_ok 1 10.66.0.3 && fail "member 1 still reaches removed member 3"
ping_ok 3 10.66.0.1 && fail "removed member 3 still reaches member 1"
show 1 | grep -q "^name=node3$" && fail "show: node3 still listed"
ping_ok 1 10.66.0.2 || fail "member 2 lost by removing member 3"

# --- a changed hostname is applied, the tunnel is untouched ---
sed 's/^trust node2 /trust second /' "$TMPD/net2" >"$TMPD/net"
reload 1 || fail "reload 1 (rename node2): $(cat "$TMPD/reload")"
grep -q "reloaded: 0 added, 0 removed, 1 changed" "$TMPD/reload" ||
	fail "rename: $(cat "$TMPD/reload")"
show 1 | grep -q "^name=second$" || fail "show: rename not applied"
ping_ok 1 10.66.0.2 || fail "tunnel 1 -> 2 broken by a rename"
cp "$TMPD/net2" "$TMPD/net"
reload 1 || fail "reload 1 (rename back): $(cat "$TMPD/reload")"

# --- refused reloads leave the running configuration alone ---
refused() {	# refused WHAT EXPECTED-MESSAGE: reload 1 must fail
	reload 1 && fail "reload accepted: $1"
	grep -q "$2" "$TMPD/reload" ||
		fail "$1: message '$(cat "$TMPD/reload")' lacks '$2'"
	ping_ok 1 10.66.0.2 || fail "$1: tunnel 1 -> 2 broken by the refusal"
	show 1 | grep -q "^name=node2$" || fail "$1: node2 gone"
}
{ cat "$TMPD/net2"; echo "bogus directive"; } >"$TMPD/net"
refused "syntax error" "$TMPD/net:[0-9]*: unknown directive"
sed 's/^subnet .*/subnet 10.67.0.0\/24/' "$TMPD/net2" |
    sed 's/ 10\.66\.0\./ 10.67.0./' >"$TMPD/net"
refused "subnet change" "restart"
# (workbit 0 so that the keys stay valid in the other namespace)
{ echo "namespace other"; sed 's/^workbit 1$/workbit 0/' "$TMPD/net2"; } \
    >"$TMPD/net"
refused "namespace change" "restart"
sed 's/^workbit 1$/workbit 2/' "$TMPD/net2" >"$TMPD/net"
"$MESH" check "$TMPD/net" >/dev/null 2>&1 || hard "workbit 2 netconfig invalid"
refused "workbit change" "workbit"
sed 's/ 10\.66\.0\.1 / 10.66.0.11 /' "$TMPD/net2" >"$TMPD/net"
refused "own address change" "restart"
rm -f "$TMPD/net"
refused "missing netconfig" "$TMPD/net"

# --- SIGHUP re-reads the file as mesh reload does ---
cp "$TMPD/net3" "$TMPD/net"
kill -HUP "$PID1"
n=0
until ping_ok 1 10.66.0.3; do
	n=$((n + 1))
	[ "$n" -lt 5 ] || fail "SIGHUP did not add member 3 back"
done
exit 0
