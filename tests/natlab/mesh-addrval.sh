#!/bin/sh
# Address validation (SECURITY.md): until an address has shown that it
# receives, nothing sent to it is larger than what came from it, and no
# state keyed by it changes.
#
# A public node P, a member A on a public address, members S (symmetric
# NAT) and R (port-restricted NAT) that can only talk through a relay; an
# attacker X and a victim V on the same public segment as P and A (so V is
# on A's LAN, where beacons are taken). V counts every UDP byte it gets.
#
# 1. For every message type the UDP port takes (tunnel initiation,
#    response, cookie reply, data; every DHT type, PING with the reachable
#    flag included, each from a fresh key; every NAT traversal type, BIND
#    included, from fresh keys and from S's own key), X sends P and A
#    datagrams spoofed from V. For each type: bytes at V <= bytes sent.
# 2. X, holding S's key (a member, or anyone who replays S), sends the
#    relay S's BINDs spoofed from V with nonces up to 110 s ahead, with no
#    cookie and a forged one, and DHT REGISTERs of R spoofed from V with no
#    and a forged token. Then S and R ping each other through the relay:
#    no relayed byte reaches V, and S's own BINDs are not locked out.
# 3. A fake DHT node F (a valid key of its own, on X's host, answering
#    honestly for itself) gets into P's routing table and answers FINDs for
#    member G (in the netconfig, never up, so every member keeps looking it
#    up) with the claim that it serves G, whom it "sees" at V (naming V as
#    contacts too would make it a liar the DHT soon ignores: test-dht and
#    dht-attack.py cover that). A sends G traffic meanwhile, so G's path is
#    in use: probes, punch rounds and retries go to its candidates. Each
#    member (each source address at V) must send V less than 1 KB, IP and
#    UDP headers counted.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv
python3 -c 'import ctypes.util, sys
sys.exit(0 if ctypes.util.find_library("sodium") else 1)' ||
    skip "needs libsodium loadable from python3"

TOOL="python3 $top_srcdir/tests/natlab/addrval.py"
VPORT=40000

natlab_init
meshlab_init addrval
natlab_host p internet
natlab_host ha internet
natlab_host x internet
natlab_host v internet
meshlab_public P p
meshlab_member A ha
natlab_router rs symmetric
natlab_host hs rs
natlab_router rr port-restricted
natlab_host hr rr
meshlab_member S hs
meshlab_member R hr
meshlab_member G x	# never up: looked up by everyone, named by F
meshlab_netconf
meshlab_up P
meshlab_up A
# S and R talk through the relay (part 2 tries to steal it): birthday
# probing could make a symmetric <-> port-restricted pair direct, so it
# is off for them
meshlab_up S MESH_BIRTHDAY_SOCKETS=0 MESH_TEST_RELAY_ONLY=1
meshlab_up R MESH_BIRTHDAY_SOCKETS=0 MESH_TEST_RELAY_ONLY=1
meshlab_wait_found S R 30 || fail "S did not find R"
meshlab_wait_found R S 30 || fail "R did not find S"
meshlab_ping S R 8 >/dev/null || fail "S -> R: no answer"
meshlab_ping A S 8 >/dev/null || fail "A -> S: no answer"
expect_eq "S's path to R" "$(meshlab_peer S R path)" relayed
via=$(meshlab_peer S R via)
relay=
for n in P A; do
	[ "$via" = "$(cat "$ML_DIR/$n.pub")" ] && relay=$n
done
[ -n "$relay" ] || fail "S's relay for R ($via) is neither P nor A"
relay_ip=$(natlab_addr "$(cat "$ML_DIR/$relay.host")")
echo "S <-> R relayed via $relay ($relay_ip)"

victim=$(natlab_addr v)
natlab_spawn v sniff.log $TOOL sniff "$NATLAB_DIR/victim.txt" "$victim"
natlab_wait_log sniff.log ready 5 || hard "the victim's counter did not start"

# 1. every type, spoofed from V, at P and at A
natlab_exec x $TOOL attack "$victim" $VPORT "$NATLAB_DIR/phases.json" \
    public "$ML_NET" \
    "A=$ML_DIR/A.pub,S=$ML_DIR/S.pub,R=$ML_DIR/R.pub" \
    "P:$(natlab_addr p):6374:$ML_DIR/P.pub:$ML_DIR/S.sk" \
    "A:$(natlab_addr ha):6374:$ML_DIR/A.pub:$ML_DIR/S.sk" ||
    hard "the attacker failed"
amplified=0
$TOOL judge "$NATLAB_DIR/victim.txt" "$NATLAB_DIR/phases.json" ||
    amplified=1
for n in P A S R; do
	kill -0 "$(cat "$ML_DIR/$n.pid")" 2>/dev/null || fail "$n died"
done

# 2. move S's binding and R's registration to V
meshlab_ping S R 8 >/dev/null || fail "S -> R: no answer before the theft"
drops0=$(meshlab_iface "$relay" drop_relay_bind)
since=$(date +%s.%N)
sent=$(natlab_exec x $TOOL steal "$victim" $VPORT \
    "$relay_ip:6374:$ML_DIR/$relay.pub" "$ML_DIR/S.sk" "$ML_DIR/R.sk" \
    public) || hard "the thief failed"
natlab_exec hs ping -n -q -c 20 -i 0.2 "$(meshlab_ip R)" >/dev/null 2>&1
natlab_exec hr ping -n -q -c 20 -i 0.2 "$(meshlab_ip S)" >/dev/null 2>&1
# S asks a relay where it sees it every 5 s (a BIND): a forward nonce
# taken from the spoofed BINDs would have the relay refuse those
sleep 12
meshlab_ping S R 8 >/dev/null || fail "S -> R: no answer after the theft"
expect_eq "S's path to R after the theft" "$(meshlab_peer S R path)" relayed
drops1=$(meshlab_iface "$relay" drop_relay_bind)
echo "relay $relay: drop_relay_bind ${drops0:-0} -> ${drops1:-0}"
stolen=0
$TOOL relayed "$NATLAB_DIR/victim.txt" "$since" "$sent" || stolen=1
[ "${drops1:-0}" = "${drops0:-0}" ] ||
    fail "the relay refused S's own BINDs after the spoofed ones"
[ $stolen = 0 ] || fail "relayed traffic (or more than was sent)" \
    "reached the victim"
[ $amplified = 0 ] || fail "a message type brought the victim more bytes" \
    "than were sent (see above)"

# 3. a fake DHT node names V as G's endpoint and as contacts
natlab_spawn x fake.log $TOOL fakedht public "$(natlab_addr x)" 6390 \
    "$(natlab_addr p):6374:$ML_DIR/P.pub" "$ML_DIR/G.pub" "$victim" 41000 \
    60 "$NATLAB_DIR/fake.json"
sleep 8
natlab_exec ha ping -n -q -c 45 -i 1 -W 1 "$(meshlab_ip G)" >/dev/null 2>&1
natlab_wait_log fake.log "fake DHT node:" 30 || hard "the fake node hung"
cat "$(natlab_log fake.log)"
for n in P A S R; do
	kill -0 "$(cat "$ML_DIR/$n.pid")" 2>/dev/null || fail "$n died"
done
meshlab_show A all | grep -E 'unproved' | sed 's/^/A: /'
$TOOL fakejudge "$NATLAB_DIR/victim.txt" "$NATLAB_DIR/fake.json" \
    "$(natlab_addr ha)=A" "$(natlab_addr p)=P" "$(natlab_addr rs)=S" \
    "$(natlab_addr rr)=R" ||
    fail "a member sent 1 KB or more to an address only a fake DHT node" \
    "named (or nobody asked the fake node)"

for n in S R A P; do
	meshlab_down $n
done
exit 0
