#!/bin/sh
# The Prometheus endpoint: `mesh up ... metrics 127.0.0.1:PORT` serves
# /metrics (validated by promtool) with the member's bytes, path kind and
# RTT, the interface's and the DHT's counters; other paths get 404, POST
# 501; a member started without it listens on nothing; bad values
# of the word are refused in the foreground.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"
command -v promtool >/dev/null || skip "needs promtool (Debian package prometheus)"

lan_up 2
net_write 2

for bad in "foo" "127.0.0.1" "localhost:9474" "127.0.0.1:0" "[::1]9474" \
    "1.2.3.4.5:80"; do
	if "$MESH" up "$TMPD/net" private-key "$TMPD/k1.sk" metrics "$bad" \
	    2>"$TMPD/err"; then
		fail "mesh up accepted metrics $bad"
	fi
	grep -q "metrics \"" "$TMPD/err" ||
	    fail "no reason for metrics $bad: $(cat "$TMPD/err")"
done

# member 1 with metrics (mesh_start passes only environment words)
ip netns exec "$(ns 1)" "$MESH" up "$TMPD/net" private-key "$TMPD/k1.sk" \
    interface "$(ifn 1)" metrics 127.0.0.1:9474 -f -v >"$TMPD/log1" 2>&1 &
PID1=$!
PIDS="$PIDS $!"
n=0
while [ ! -S "$MESH_RUNDIR/$(ifn 1).sock" ]; do
	n=$((n + 1))
	[ "$n" -le 100 ] && kill -0 "$PID1" 2>/dev/null ||
	    { cat "$TMPD/log1" >&2; fail "member 1 did not start"; }
	sleep 0.1
done
mesh_start 2
ping_ok 1 10.66.0.2 || fail "ping 1 -> 2 failed"
ping_ok 1 10.66.0.2 || fail "ping 1 -> 2 failed"

get() {	# get PATH [curl options]: body on stdout, HTTP code in $TMPD/code
	p=$1; shift
	ip netns exec "$(ns 1)" curl -s -o "$TMPD/body" -w '%{http_code}' \
	    "$@" "http://127.0.0.1:9474$p" >"$TMPD/code"
	cat "$TMPD/body"
}
get /metrics >"$TMPD/metrics"
expect_eq "GET /metrics" "$(cat "$TMPD/code")" 200
promtool check metrics <"$TMPD/metrics" >"$TMPD/promtool.out" 2>&1 ||
    { cat "$TMPD/promtool.out" >&2; fail "promtool check metrics failed"; }
k2=$("$MESH" pubkey <"$TMPD/k2.sk")
grep -q "^mesh_info{interface=\"$(ifn 1)\",network=\"test\"," "$TMPD/metrics" ||
    fail "no mesh_info"
rx=$(sed -n "s/^mesh_peer_rx_bytes_total{key=\"$k2\",name=\"node2\"} //p" \
    "$TMPD/metrics")
[ -n "$rx" ] && [ "$rx" -gt 0 ] || fail "no bytes from node2: '$rx'"
grep -q "^mesh_peer_path{key=\"$k2\",name=\"node2\",path=\"direct\"} 1$" \
    "$TMPD/metrics" || fail "node2's path is not direct in the metrics"
pk=$(sed -n "s/^mesh_peer_rx_packets_total{key=\"$k2\",name=\"node2\"} //p" \
    "$TMPD/metrics")
[ -n "$pk" ] && [ "$pk" -ge 2 ] || fail "no packets from node2: '$pk'"
grep -q "^mesh_relay_forwarded_datagrams_total 0$" "$TMPD/metrics" ||
    fail "no relay counter"
grep -q "^mesh_udp_rx_bytes_total [1-9]" "$TMPD/metrics" ||
    fail "no UDP byte counter"
get /other >/dev/null
expect_eq "GET /other" "$(cat "$TMPD/code")" 404
get /metrics -X POST >/dev/null
expect_eq "POST /metrics (libevent: not implemented)" "$(cat "$TMPD/code")" 501

# member 2 serves nothing
ip netns exec "$(ns 2)" curl -s -o /dev/null "http://127.0.0.1:9474/metrics" &&
    fail "member 2 serves metrics without the word"
echo "ok: metrics served and valid"
