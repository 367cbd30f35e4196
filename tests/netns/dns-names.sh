#!/bin/sh
# Names inside the mesh: every member answers DNS for the members'
# hostnames on its inside address. From member 1, with its resolver set to
# its own inside address (as /etc/resolv.conf would be), getent finds
# node2 by short and full name (A and AAAA) and 10.66.0.2 by address
# (PTR); a query through the tunnel to member 2's server gets NXDOMAIN for
# an unknown member and REFUSED (no recursion) for a name outside the
# domain; a reload that adds a member makes its name resolve, and one that
# changes the domain is refused.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"
command -v getent >/dev/null || skip "needs getent"

lan_up 2
net_write 2
chmod 755 "$TMPD"	# the daemon re-reads the netconfig as nobody
# ip netns exec bind-mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf
ETCNS=/etc/netns/$(ns 1)
mkdir -p "$ETCNS" || hard "mkdir $ETCNS"
trap 'rm -rf "$ETCNS"; cleanup' EXIT
printf 'nameserver 10.66.0.1\nsearch test.internal\noptions timeout:2 attempts:2\n' \
    >"$ETCNS/resolv.conf"

mesh_start 1
mesh_start 2
in1() { ip netns exec "$(ns 1)" "$@"; }

got=$(in1 getent ahostsv4 node2 | awk 'NR == 1 { print $1 }')
expect_eq "getent ahostsv4 node2" "$got" 10.66.0.2
got=$(in1 getent ahostsv4 node2.test.internal | awk 'NR == 1 { print $1 }')
expect_eq "getent ahostsv4 node2.test.internal" "$got" 10.66.0.2
got=$(in1 getent ahostsv6 node2.test.internal | awk 'NR == 1 { print $1 }')
expect_eq "getent ahostsv6 node2.test.internal" "$got" "$(ip6_of 2)"
got=$(in1 getent hosts 10.66.0.2 | awk '{ print $2 }')
expect_eq "getent hosts 10.66.0.2 (PTR)" "$got" node2.test.internal
in1 getent ahostsv4 nosuch.test.internal >/dev/null &&
    fail "an unknown member resolved"

# member 2's server, through the tunnel: rcodes and the AA bit
dnsq() {	# dnsq SERVER NAME TYPE: prints "rcode aa ancount"
	in1 python3 - "$@" <<'PY'
import socket, struct, sys
server, name, qtype = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
for label in name.rstrip(".").split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack("!HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, (server, 53))
r, _ = s.recvfrom(2048)
ident, flags, qd, an = struct.unpack("!HHHH", r[:8])
assert ident == 0x4242
print(flags & 15, (flags >> 10) & 1, an)
PY
}
expect_eq "A node1 at member 2" "$(dnsq 10.66.0.2 node1.test.internal 1)" "0 1 1"
expect_eq "NXDOMAIN at member 2" "$(dnsq 10.66.0.2 nosuch.test.internal 1)" "3 1 0"
expect_eq "REFUSED at member 2" "$(dnsq 10.66.0.2 www.example.com 1)" "5 0 0"

# reload: two more members (the network grows past its size at start:
# both get a peer) and their names resolve; a new domain is refused
for i in 3 4; do
	(umask 077; "$MESH" genkey workbit 0 >"$TMPD/k$i.sk") || hard genkey
	echo "trust node$i 10.66.0.$i $("$MESH" pubkey <"$TMPD/k$i.sk")" \
	    >>"$TMPD/net"
done
in1 "$MESH" reload "$(ifn 1)" >"$TMPD/reload.out" 2>&1 ||
    fail "reload failed: $(cat "$TMPD/reload.out")"
grep -q "2 added" "$TMPD/reload.out" ||
    fail "reload output: $(cat "$TMPD/reload.out")"
expect_eq "peers after adding two" "$(show 1 | grep -c '^peer=')" 3
grep -q "cannot add this member" "$TMPD/log1" &&
    fail "a member added by reload got no peer: $(grep 'cannot add' "$TMPD/log1")"
got=$(in1 getent ahostsv4 node3 | awk 'NR == 1 { print $1 }')
expect_eq "getent ahostsv4 node3 after reload" "$got" 10.66.0.3
got=$(in1 getent ahostsv4 node4 | awk 'NR == 1 { print $1 }')
expect_eq "getent ahostsv4 node4 after reload" "$got" 10.66.0.4
echo "domain other.internal" >>"$TMPD/net"
if in1 "$MESH" reload "$(ifn 1)" >"$TMPD/reload.out" 2>&1; then
	fail "a domain change was applied by reload"
fi
grep -q "domain changed" "$TMPD/reload.out" ||
    fail "no reason for the refused reload: $(cat "$TMPD/reload.out")"
echo "ok: names, reverse names, rcodes, reload"
