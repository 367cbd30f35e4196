#!/bin/sh
# Rough edges an operator hit (issue 13), each retried with real daemons in
# namespaces; every section fails on the behaviour that was reported:
# - a reload that only changes a member's endpoint counts it as changed.
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

mesh_stop 1
mesh_stop 2
exit 0
