#!/bin/sh
# mesh ping and mesh lookup in the NAT lab (issue 13): a public node P (the
# DHT's boot node), alice behind a full-cone NAT and bob on a public
# address (a direct path from alice: the same segment would be "lan"), carol and dave behind port-restricted NATs and made to use the
# relay (MESH_TEST_RELAY_ONLY). ping by hostname and key prefix shows each
# reply's path (direct, then relayed via a public node: P or bob) and an
# RTT; lookup of a member's key from a member and from the public node (its
# interface left out) finds it, lookup of an unknown key does not;
# an unknown member, a bad key and our own key are clear errors (exit 1).
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

natlab_init
meshlab_init ping
natlab_host p internet
natlab_router ra full-cone
natlab_host ha ra
natlab_host hb internet
natlab_router rc port-restricted
natlab_host hc rc
natlab_router rd port-restricted
natlab_host hd rd
meshlab_public P p
meshlab_member alice ha
meshlab_member bob hb
meshlab_member carol hc
meshlab_member dave hd
meshlab_netconf
meshlab_up P
meshlab_up alice
meshlab_up bob
meshlab_up carol MESH_TEST_RELAY_ONLY=1
meshlab_up dave MESH_TEST_RELAY_ONLY=1

# mesh as a member (root) or as the public node (nobody) sees it
m() {
	local n=$1
	shift
	natlab_exec "$(cat "$ML_DIR/$n.host")" env \
	    MESH_RUNDIR="$ML_DIR/run" "$MESH" "$@"
}
mp() {
	natlab_exec p setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env MESH_RUNDIR="$ML_DIR/runpub" "$MESH" "$@"
}
out=$NATLAB_DIR/out
errf=$NATLAB_DIR/err
ifa=$(ml_ifn alice)
bobkey=$(cat "$ML_DIR/bob.pub")

meshlab_wait_found alice bob 30 || fail "alice did not find bob"
meshlab_ping alice bob 8 >/dev/null || fail "alice -> bob: no answer"

# ping by hostname, through a direct path
m alice ping count 3 "$ifa" bob >"$out" 2>"$errf" ||
    { cat "$out" "$errf"; fail "mesh ping bob failed"; }
cat "$out"
grep -q "^pong from bob (10.77.0.2) via $(natlab_addr hb):6374 (direct.*) in [0-9.]* ms$" \
    "$out" || fail "no direct pong from bob"
grep -q '^--- bob: 3 sent, 3 received, 0% loss, rtt min/avg/max ' "$out" ||
    fail "bad summary"
# IPv6 (the member's ULA)
m alice ping -6 count 1 "$ifa" bob >"$out" 2>"$errf" ||
    { cat "$out" "$errf"; fail "mesh ping -6 bob failed"; }
grep -q "^pong from bob ($(meshlab_ip6 bob)) via " "$out" ||
    { cat "$out"; fail "no IPv6 pong from bob"; }
# a key prefix
m alice ping count 1 "$ifa" "$(echo "$bobkey" | cut -c1-8)" >"$out" 2>"$errf" ||
    { cat "$out" "$errf"; fail "mesh ping KEYPREFIX failed"; }
grep -q '^pong from bob ' "$out" || fail "no pong by key prefix"

# lookup of a member from a member and from the public node
m alice lookup "$ifa" bob >"$out" 2>"$errf" ||
    { cat "$out" "$errf"; fail "mesh lookup bob failed"; }
cat "$out"
grep -Eq "^lookup of bob \($bobkey\) on $ifa: found in [0-9]+ rounds?, [1-9][0-9]* messages?, [0-9]+ ms$" \
    "$out" || fail "alice: bob not found"
grep -q "^  endpoint $(natlab_addr hb):6374 (" \
    "$out" || fail "alice: bob's endpoint missing"
# (the interface left out: the public node's is the only one in its
# socket directory; the members share theirs)
mp lookup "$(cat "$ML_DIR/carol.pub")" >"$out" 2>"$errf" ||
    { cat "$out" "$errf"; fail "the public node: mesh lookup carol failed"; }
cat "$out"
grep -Eq "^lookup of $(cat "$ML_DIR/carol.pub") on $(ml_ifn P): found in [0-9]+ rounds?, [1-9][0-9]* messages?, " \
    "$out" || fail "P: carol not found"
m alice lookup --json "$ifa" carol >"$out" 2>"$errf" ||
    { cat "$out" "$errf"; fail "mesh lookup --json carol failed"; }
python3 - "$out" "$(cat "$ML_DIR/carol.pub")" "$(cat "$ML_DIR/P.pub")" <<'PY' ||
import json, sys
j = json.load(open(sys.argv[1]))
assert j["key"] == sys.argv[2] and j["name"] == "carol", j
assert j["found"] is True and j["messages"] >= 1, j
assert j["endpoints"] and not any(e["reachable"] for e in j["endpoints"]), j
assert any(r["key"] == sys.argv[3] and r["observed"] for r in j["rendezvous"]), j
PY
    { cat "$out"; fail "lookup --json: carol behind NAT, served by P"; }

# an unknown key is not found (exit 1)
(umask 077; "$MESH" genkey workbit 0) | "$MESH" pubkey >"$NATLAB_DIR/stranger.pub"
rc=0
m alice lookup "$ifa" "$(cat "$NATLAB_DIR/stranger.pub")" >"$out" 2>&1 || rc=$?
cat "$out"
expect_eq "lookup of a stranger: exit status" "$rc" 1
grep -q ": not found in " "$out" || fail "a stranger's key was found"

# bad arguments: clear errors, exit status 1
expect_err() {
	local want=$1 rc=0
	shift
	"$@" >"$out" 2>"$errf" || rc=$?
	expect_eq "$* : exit status" "$rc" 1
	grep -q "$want" "$errf" || { cat "$errf"; fail "$*: no '$want'"; }
}
expect_err "no member 'mallory' in $ifa" m alice ping "$ifa" mallory
expect_err "no member 'not-a-key' in $ifa" m alice lookup "$ifa" not-a-key
expect_err "own key" m alice lookup "$ifa" "$(cat "$ML_DIR/alice.pub")"
expect_err "no daemon" m alice ping nosuchif bob

expect_err "4 interfaces are running; name one" m alice ping bob

# mesh show IFACE MEMBER and mesh show MEMBER: only that member
m alice show "$ifa" bob >"$out" 2>"$errf" || { cat "$errf"; fail "show IFACE bob"; }
grep -q '(bob)$' "$out" || { cat "$out"; fail "show IFACE bob: no bob"; }
grep -q '(carol)$' "$out" && fail "show IFACE bob also showed carol"
m alice show --json bob >"$out" 2>"$errf" || { cat "$errf"; fail "show bob"; }
python3 -c '
import json, sys
ifs = json.load(open(sys.argv[1]))["interfaces"]
assert ifs and all([p["name"] for p in i["peers"]] == ["bob"] for i in ifs), ifs
' "$out" || fail "show bob: not only bob"
expect_err "no member 'mallory' in $ifa" m alice show "$ifa" mallory
expect_err "no daemon is running" m alice show mallory

# a relayed path
meshlab_wait_found carol dave 30 || fail "carol did not find dave"
meshlab_ping carol dave 8 >/dev/null || fail "carol -> dave: no answer"
expect_eq "carol's path to dave" "$(meshlab_peer carol dave path)" relayed
m carol ping count 2 "$(ml_ifn carol)" dave >"$out" 2>"$errf" ||
    { cat "$out" "$errf"; fail "mesh ping dave failed"; }
cat "$out"
# the relay is a public node: P, or bob (a member with a public address)
grep -qE "^pong from dave \(10\.77\.0\.4\) via relay ($(cut -c1-8 \
    "$ML_DIR/P.pub")\.\.\. at $(natlab_addr p)|$(cut -c1-8 \
    "$ML_DIR/bob.pub")\.\.\. at $(natlab_addr hb)):6374 \(relayed.*\) in " \
    "$out" || fail "no relayed pong from dave"

# the path's reason does not repeat its kind ("direct (direct: ...)"),
# and a member that answers is not silent
why=$(meshlab_peer alice bob why)
case $why in
direct:*) fail "bob's why repeats the path: $why" ;;
esac
expect_eq "bob silent_since while up" "$(meshlab_peer alice bob silent_since)" 0

# a member that went away: a timeout, exit status 1
meshlab_down bob
rc=0
m alice ping count 1 "$ifa" bob >"$out" 2>"$errf" || rc=$?
cat "$out"
expect_eq "ping of a stopped member: exit status" "$rc" 1
grep -q "^timeout from bob (10.77.0.2) after 2000 ms (path: " "$out" ||
    fail "no timeout line for bob"
grep -q '^--- bob: 1 sent, 0 received, 100% loss$' "$out" ||
    fail "bad summary after a timeout"

# ... and, soon, silent or lost, not "direct" as if it were there
k=0
while ! m alice show "$ifa" >"$out" 2>&1 || ! grep -Eq \
    "^  path: (lost since [0-9]{2}:[0-9]{2}:[0-9]{2}|[a-z]+( via [^ ,]+)?, silent for [0-9]+ (second|minute))" \
    "$out"; do
	k=$((k + 1))
	[ $k -le 60 ] || { cat "$out"; fail "bob not silent or lost 60 s" \
	    "after mesh down"; }
	sleep 1
done
echo "alice: bob silent or lost $k s after the timeout"
grep -A6 '(bob)$' "$out"
grep -q '^  last seen: ' "$out" || fail "show has no last seen"
k=0
until m alice show --json "$ifa" | python3 -c '
import json, sys
(i,) = json.load(sys.stdin)["interfaces"]
(b,) = [p for p in i["peers"] if p["name"] == "bob"]
assert b["silent_since"] and b["last_seen"] and b["trying"], b' 2>/dev/null
do
	k=$((k + 1))
	# (if alice fell back to a relay meanwhile, silence on a relayed
	# path counts only after NATPATH_DEAD_MS, 45 s)
	[ $k -le 60 ] || fail "show --json: bob not silent"
	sleep 1
done

for n in dave carol alice P; do
	meshlab_down "$n"
done
echo "PASS"
