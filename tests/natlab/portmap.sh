#!/bin/sh
# The port-mapping module against a real miniupnpd: behind the lab's upnp
# router, portmap-probe maps a UDP port by UPnP IGD and then by NAT-PMP; a
# public host's datagram to the reported external endpoint arrives; the
# lease is renewed; on SIGTERM the mapping is deleted (the IGD no longer
# lists it and datagrams stop arriving). Behind a router without either
# service the failure is reported and the probe keeps running.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
natlab_need miniupnpd upnpc
PROBE=$top_builddir/tests/natlab/portmap-probe
[ -x "$PROBE" ] || hard "$PROBE not built"

natlab_init
natlab_host pub internet
natlab_router r upnp
natlab_host h r
natlab_router plain port-restricted
natlab_host hp plain
pub=$(natlab_addr pub)
wan=$(natlab_addr r)

# arrives HOST-LOG TEXT: wait until the probe reports the datagram
arrives() { natlab_wait_log "$1" "^received $2 from $pub:" 3; }

# check METHOD PORT [LIFETIME]
check() {
	m=$1 port=$2 life=${3:-}
	log=probe-$m.log
	natlab_spawn h "$log" "$PROBE" -m "$m" ${life:+-l "$life"} "$port"
	ppid=$NATLAB_PID
	natlab_wait_log "$log" '^mapped ' 10 ||
		{ cat "$(natlab_log "$log")"; fail "$m: no mapping"; }
	line=$(grep '^mapped ' "$(natlab_log "$log")" | head -n 1)
	set -- $line
	ext=$3
	want=$m; [ "$m" != natpmp ] || want=nat-pmp
	expect_eq "$m: method" "$2" "$want"
	expect_eq "$m: external address" "${ext%:*}" "$wan"
	natlab_exec pub $NATLAB_UDP send "$ext" "hello-$m"
	arrives "$log" "hello-$m" ||
		{ cat "$(natlab_log "$log")"; fail "$m: datagram to $ext did not arrive"; }
	if [ -n "$life" ]; then
		natlab_wait_log "$log" '^renewed 1$' $((life + 2)) ||
			{ cat "$(natlab_log "$log")"; fail "$m: lease of $life s not renewed"; }
	fi
	grep -q '^failed' "$(natlab_log "$log")" &&
		{ cat "$(natlab_log "$log")"; fail "$m: a request failed"; }
	kill "$ppid"
	natlab_wait_log "$log" '^unmapped$' 6 ||
		{ cat "$(natlab_log "$log")"; fail "$m: did not stop"; }
	wait "$ppid" || fail "$m: probe exited $?"
	# the IGD forgot it, and the port is closed again
	natlab_exec h upnpc -i -l >"$NATLAB_DIR/list-$m" 2>&1
	grep -q "UDP *${ext#*:}->" "$NATLAB_DIR/list-$m" &&
		{ cat "$NATLAB_DIR/list-$m"; fail "$m: mapping still listed"; }
	natlab_spawn h "recv-$m.log" $NATLAB_UDP recv "$port" 1.5
	rpid=$NATLAB_PID
	natlab_wait_log "recv-$m.log" ready || hard "receiver did not start"
	natlab_exec pub $NATLAB_UDP send "$ext" "late-$m"
	wait "$rpid" && fail "$m: datagram still arrives after the delete"
	echo "ok $m: mapped $ext, datagram arrived${life:+, renewed}, deleted"
}

check upnp 40010
check natpmp 40011 4

# no UPnP, no NAT-PMP: failures reported, the probe lives on and stops
log=probe-none.log
natlab_spawn hp "$log" "$PROBE" -m all -d 500 -n 1000 40012
ppid=$NATLAB_PID
natlab_wait_log "$log" '^failed UPnP' 8 ||
	{ cat "$(natlab_log "$log")"; fail "no failure reported"; }
grep -q '^failed NAT-PMP' "$(natlab_log "$log")" ||
	{ cat "$(natlab_log "$log")"; fail "NAT-PMP failure not reported"; }
kill -0 "$ppid" || fail "the probe died after failing"
kill "$ppid"
natlab_wait_log "$log" '^unmapped$' 6 || fail "did not stop after failing"
wait "$ppid" || fail "probe exited $?"
echo "ok failure reported: $(grep '^failed' "$(natlab_log "$log")" | tr '\n' ';')"
exit 0
