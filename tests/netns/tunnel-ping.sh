#!/bin/sh
# Two members in namespaces: no ping over the mesh before `mesh up`, ping
# over IPv4 and IPv6 after; an address no member owns gets "unreachable";
# `mesh down` removes the interface and the control socket; a bad netconfig
# fails in the foreground naming file and line.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 2
net_write 2

# Errors are reported before going to the background.
printf 'name test\nsubnet 10.66.0.0/24\nbogus line\n' >"$TMPD/bad"
chmod 644 "$TMPD/bad"
if ip netns exec "$(ns 1)" "$MESH" up "$TMPD/bad" private-key "$TMPD/k1.sk" \
    interface "$(ifn 1)" 2>"$TMPD/err"; then
	fail "mesh up accepted a bad netconfig"
fi
grep -q "$TMPD/bad:3:" "$TMPD/err" || fail "no file:line in: $(cat "$TMPD/err")"

ping_ok 1 10.66.0.2 && fail "ping worked before mesh up"

mesh_start 1
mesh_start 2
ip -n "$(ns 1)" -o addr show dev "$(ifn 1)" | grep -q "10.66.0.1/24" ||
    fail "no IPv4 address on $(ifn 1)"
mtu=$(ip -n "$(ns 1)" -o link show dev "$(ifn 1)" | sed 's/.* mtu \([0-9]*\).*/\1/')
expect_eq "MTU" "$mtu" 1420
ip -n "$(ns 1)" route show dev "$(ifn 1)" | grep -q "^10.66.0.0/24" ||
    fail "no route to the subnet"

ping_ok 1 10.66.0.2 || fail "IPv4 ping 1 -> 2 failed"
ping_ok 2 10.66.0.1 || fail "IPv4 ping 2 -> 1 failed"
a6=$(ip6_of 1)
b6=$(ip6_of 2)
[ -n "$a6" ] && [ -n "$b6" ] || fail "no IPv6 addresses"
ping_ok 1 "$b6" || fail "IPv6 ping 1 -> 2 failed"
ping_ok 2 "$a6" || fail "IPv6 ping 2 -> 1 failed"
# Larger packets (fragmented by the sender's kernel at the TUN MTU).
ip netns exec "$(ns 1)" ping -c 1 -W 2 -s 3000 10.66.0.2 >/dev/null ||
    fail "3000-byte ping failed"

# An address in the subnet that no member owns: ICMP unreachable at once.
out=$(ip netns exec "$(ns 1)" ping -c 1 -W 2 10.66.0.9 2>&1)
echo "$out" | grep -q "Unreachable" || fail "no unreachable for 10.66.0.9: $out"

# The daemon reports its peer.
show 1 >"$TMPD/show1"
grep -q "^interface=$(ifn 1)$" "$TMPD/show1" || fail "show: no interface"
grep -q "^endpoint=192.0.2.2:6374$" "$TMPD/show1" || fail "show: no endpoint"

# mesh down: interface and socket gone, daemon exited.
mesh_stop 2
ip -n "$(ns 2)" link show "$(ifn 2)" >/dev/null 2>&1 &&
    fail "interface still there after mesh down"
[ -e "$MESH_RUNDIR/$(ifn 2).sock" ] && fail "socket still there after mesh down"
ping_ok 1 10.66.0.2 && fail "ping worked after mesh down"

# Without -f, mesh up returns once the daemon runs, and reports start-up
# errors (here: the interface of member 1 exists already).
if ip netns exec "$(ns 1)" "$MESH" up "$TMPD/net" private-key "$TMPD/k1.sk" \
    interface "$(ifn 1)" listen-port 7000 2>"$TMPD/err"; then
	fail "second daemon for the same interface started"
fi
[ -s "$TMPD/err" ] || fail "no error message for a failed start"
ip netns exec "$(ns 2)" "$MESH" up "$TMPD/net" private-key "$TMPD/k2.sk" \
    interface "$(ifn 2)" || fail "mesh up (daemonized) failed"
dpid=$(show 2 | sed -n 's/^pid=//p')
[ -n "$dpid" ] || fail "no pid from the daemonized member"
PIDS="$PIDS $dpid"		# killed by cleanup should a check below fail
# Member 1 still holds a session with the old daemon (it would notice in
# 15 s, as WireGuard does); the new one starts a handshake when it sends.
ping_ok 2 10.66.0.1 || fail "ping from the daemonized member failed"
ping_ok 1 10.66.0.2 || fail "ping to the daemonized member failed"
ip netns exec "$(ns 2)" "$MESH" down "$(ifn 2)" || fail "mesh down failed"
ip -n "$(ns 2)" link show "$(ifn 2)" >/dev/null 2>&1 &&
    fail "interface of the daemonized member still there"
exit 0
