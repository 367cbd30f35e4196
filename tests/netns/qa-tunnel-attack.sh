#!/bin/sh
# Independent check of a running tunnel under attack (written apart from
# tunnel-junk.sh, with its own set-up and its own tool, qa-attack.py).
# Two members on one link rekey every 3 s while a numbered UDP flow and a
# TCP stream go from a to b. Meanwhile an attacker next to EACH member
# captures that member's tunnel datagrams and sends the other one, spoofed
# from the member's own endpoint (raw IPv4) and from a stranger address:
# replays (recent, old, of past sessions, of handshakes), truncations, bit
# flips, forged counters (up to 2^64-1), extended messages, random bytes of
# every type, right-sized messages carrying a real receiver index, a second
# of random initiations and oversized datagrams.
# Expected: both daemons survive; no datagram arrives twice or corrupted;
# the TCP stream arrives intact; nothing but the test's own flows comes out
# of b's TUN; b still sends to a's real endpoint; the drops are counted;
# the daemons log no warning per packet; pings work afterwards.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
command -v python3 >/dev/null || skip "needs python3"

P=qa$$
NA=${P}a
NB=${P}b
IA=${P}ma
IB=${P}mb
T=$(mktemp -d /tmp/qa-attack.XXXXXX) || hard "mktemp"
TOOL=$top_srcdir/tests/netns/qa-attack.py
MESH_RUNDIR=$T/run
export MESH_RUNDIR
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	if [ -n "${KEEP_LOGS:-}" ]; then echo "logs in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 99' INT TERM
mkdir -m 700 "$MESH_RUNDIR" || hard "mkdir"

ip netns add "$NA" && ip netns add "$NB" || hard "ip netns add"
ip link add eth0 netns "$NA" type veth peer name eth0 netns "$NB" || hard "veth"
for n in "$NA" "$NB"; do
	ip -n "$n" link set lo up
	ip -n "$n" link set eth0 up
done
ip -n "$NA" addr add 192.0.2.1/24 dev eth0
ip -n "$NA" addr add 192.0.2.66/24 dev eth0	# a's neighbour, the stranger
ip -n "$NB" addr add 192.0.2.2/24 dev eth0
ip -n "$NB" addr add 192.0.2.67/24 dev eth0

umask 077
"$MESH" genkey workbit 0 >"$T/a.sk" 2>/dev/null &&
    "$MESH" genkey workbit 0 >"$T/b.sk" 2>/dev/null || hard "genkey"
cat >"$T/net" <<EOF
name qa
subnet 10.91.0.0/24
workbit 0
trust a 10.91.0.1 $("$MESH" pubkey <"$T/a.sk") 192.0.2.1
trust b 10.91.0.2 $("$MESH" pubkey <"$T/b.sk") 192.0.2.2:6374
EOF
chmod 644 "$T/net"

start() {	# start NS IFACE KEY LOG
	ip netns exec "$1" env MESH_TEST_REKEY_AFTER_MS=3000 "$MESH" up \
	    "$T/net" private-key "$3" interface "$2" -f >"$4" 2>&1 &
	PIDS="$PIDS $!"
	eval "pid_$2=$!"
	n=0
	until [ -S "$MESH_RUNDIR/$2.sock" ]; do
		n=$((n + 1))
		[ $n -lt 100 ] && kill -0 "$!" 2>/dev/null ||
			{ cat "$4" >&2; fail "$2 did not start"; }
		sleep 0.1
	done
}
start "$NA" "$IA" "$T/a.sk" "$T/a.log"
start "$NB" "$IB" "$T/b.sk" "$T/b.log"
eval "pa=\$pid_$IA pb=\$pid_$IB"

waitready() {	# waitready FILE
	n=0
	until grep -q ready "$1" 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 100 ] || fail "$1: helper did not start"
		sleep 0.1
	done
}
bg() {	# bg NS CMD...: a helper in NS, remembered for cleanup
	ns=$1; shift
	ip netns exec "$ns" python3 "$TOOL" "$@" &
	PIDS="$PIDS $!"
	last=$!
}

b6=$(ip -n "$NB" -6 addr show dev "$IB" scope global |
    awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')
a6=$(ip -n "$NA" -6 addr show dev "$IA" scope global |
    awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')
[ -n "$a6" ] && [ -n "$b6" ] || fail "no inside IPv6 addresses"

bg "$NB" tunsniff "$IB" 17 "$T/sniff.json" 10.91.0.1 10.91.0.2 "$a6" >"$T/sniff.out"
sniff=$last
waitready "$T/sniff.out"
bg "$NB" udprecv 10.91.0.2 9000 3 "$T/udp.json" >"$T/udprecv.out"
urecv=$last
bg "$NB" tcprecv 10.91.0.2 9001 "$T/tcp.json" >"$T/tcprecv.out"
trecv=$last
waitready "$T/udprecv.out"
waitready "$T/tcprecv.out"

# the attackers watch from before the first handshake
bg "$NA" attack eth0 192.0.2.1 192.0.2.2 6374 192.0.2.66 12 "$T/atk-a.json"
atka=$last
bg "$NB" attack eth0 192.0.2.2 192.0.2.1 6374 192.0.2.67 12 "$T/atk-b.json"
atkb=$last
sleep 0.5
ip netns exec "$NA" ping -c 1 -W 3 10.91.0.2 >/dev/null || fail "first ping failed"
ip netns exec "$NA" ping -c 1 -W 3 "$b6" >/dev/null || fail "first ping6 failed"

bg "$NA" udpsend 10.91.0.2 9000 9000 800
usend=$last
bg "$NA" tcpsend 10.91.0.2 9001 40000000 11
tsend=$last
wait "$usend" || fail "udp sender failed"
wait "$tsend" || fail "tcp sender failed"
wait "$atka" || fail "attacker at a failed"
wait "$atkb" || fail "attacker at b failed"
wait "$urecv" || fail "udp receiver failed"
wait "$trecv" || fail "tcp receiver failed"

kill -0 "$pa" 2>/dev/null || { tail "$T/a.log" >&2; fail "daemon a died"; }
kill -0 "$pb" 2>/dev/null || { tail "$T/b.log" >&2; fail "daemon b died"; }
ip netns exec "$NA" ping -c 1 -W 3 10.91.0.2 >/dev/null || fail "ping a -> b after the attack"
ip netns exec "$NB" ping -c 1 -W 3 10.91.0.1 >/dev/null || fail "ping b -> a after the attack"
ip netns exec "$NB" ping -c 1 -W 3 "$a6" >/dev/null || fail "ping6 b -> a after the attack"
wait "$sniff" || fail "sniffer failed"

"$MESH" show --json "$IB" >"$T/show-b.json" || fail "mesh show b"
"$MESH" show --json "$IA" >"$T/show-a.json" || fail "mesh show a"

python3 - "$T" <<'EOF' || fail "checks failed (logs: KEEP_LOGS=1)"
import json, sys
t = sys.argv[1]
ld = lambda n: json.load(open(t + "/" + n))
ok = True
def bad(msg):
    global ok
    ok = False
    print("FAIL:", msg)
udp, tcp, sn = ld("udp.json"), ld("tcp.json"), ld("sniff.json")
ka, kb = ld("atk-a.json"), ld("atk-b.json")
print("attack at b:", sum(ka["sent"].values()), "sent,",
      "captured", ka["captured"])
print("attack at a:", sum(kb["sent"].values()), "sent, captured",
      kb["captured"])
print("udp flow:", udp, "tcp:", tcp)
print("b's TUN:", sn["counts"], "unexpected:", sn["n_unexpected"])
if udp["dup"]:
    bad("%d datagrams delivered twice" % udp["dup"])
if udp["bad"]:
    bad("%d corrupt datagrams delivered" % udp["bad"])
if udp["good"] < 9000 * 0.97:
    bad("only %d of 9000 datagrams arrived" % udp["good"])
if not tcp["ok"] or tcp["bytes"] != 40000000:
    bad("tcp stream: %s" % tcp)
if sn["n_unexpected"]:
    bad("unexpected packets out of b's TUN: %s" % sn["unexpected"])
for k in ka, kb:
    c = k["captured"]
    if c["data"] < 100 or c["init"] + c["resp"] < 2:
        bad("the attacker saw too little to replay: %s" % k["captured"])
for who, f, peer_ep in (("b", "show-b.json", "192.0.2.1:6374"),
                        ("a", "show-a.json", "192.0.2.2:6374")):
    s = ld(f)
    i = s["interfaces"][0]
    p = i["peers"][0]
    print(who, "drops:", i.get("drops"), "peer drops:", p.get("drops"),
          "endpoint:", p.get("endpoint"))
    if p.get("endpoint") != peer_ep:
        bad("%s sends to %s, not to %s" % (who, p.get("endpoint"), peer_ep))
    total = sum((i.get("drops") or {}).values()) + \
        sum((p.get("drops") or {}).values())
    if total < 1000:
        bad("%s counted only %d drops" % (who, total))
sys.exit(0 if ok else 1)
EOF

# no per-packet logging at warning level (the logs hold start-up lines)
for x in a b; do
	n=$(grep -ciE 'warn|error' "$T/$x.log")
	echo "$x.log: $(wc -l <"$T/$x.log") lines, $n warnings/errors"
	[ "$n" -le 5 ] || { tail -n 20 "$T/$x.log" >&2; fail "$x logged $n warnings"; }
done
exit 0
