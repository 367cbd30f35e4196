#!/bin/sh
# Hardening of the daemon (security review), with real daemons in
# namespaces:
# - a daemon started by a user other than root, given a capability (here an
#   ambient CAP_NET_ADMIN, as a service manager or file capabilities would),
#   lets go of it, sets no_new_privs and is not dumpable (another process
#   of its user cannot read its memory); mesh show and mesh down still
#   work for that user;
# - a daemon started as root is not dumpable after the drop either;
# - a netconfig writable by group or others is refused by mesh up and by
#   a reload (mesh reload and SIGHUP), naming the file and the fix, and the
#   running configuration stays; so is a FIFO in its place; after chmod
#   go-w the reload goes through.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
command -v setpriv >/dev/null || skip "needs setpriv"
set -u
. "$top_srcdir/tests/netns/tunnel-lib.sh"

lan_up 2
net_write 2
chmod 711 "$TMPD"		# a daemon running as nobody reads $TMPD/net

as_nobody() {	# as_nobody NS CMD...: run as nobody in member NS's namespace
	n=$1
	shift
	ip netns exec "$(ns "$n")" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups "$@"
}

# caps_dropped PID: no capability, no_new_privs, not dumpable (its /proc
# files belong to root then, not to its user)
caps_dropped() {
	for c in CapEff CapPrm CapInh CapAmb; do
		v=$(awk -v c="$c:" '$1 == c { print $2 }' "/proc/$1/status")
		expect_eq "$c of $1" "$v" 0000000000000000
	done
	grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$1/status" ||
		fail "daemon $1 without no_new_privs"
	expect_eq "owner of /proc/$1/environ (dumpable?)" \
	    "$(stat -c %u "/proc/$1/environ")" 0
}

# --- started as nobody, holding CAP_NET_ADMIN (a public node: headless) ---
nrun=$TMPD/nrun
mkdir -m 700 "$nrun" && chown 65534:65534 "$nrun" || hard "rundir"
pubif=${TP}pub
ip netns exec "$(ns 2)" setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=+net_admin --ambient-caps=+net_admin \
    env MESH_RUNDIR="$nrun" "$MESH" up "$TMPD/net" interface "$pubif" \
    listen-port 7001 -f -v >"$TMPD/log-pub" 2>&1 &
pub=$!
PIDS="$PIDS $pub"
n=0
while [ ! -S "$nrun/$pubif.sock" ]; do
	n=$((n + 1))
	if [ "$n" -gt 100 ] || ! kill -0 "$pub" 2>/dev/null; then
		cat "$TMPD/log-pub" >&2
		fail "the daemon started as nobody did not come up"
	fi
	sleep 0.1
done
expect_eq "uid of $pub" \
    "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pub/status")" \
    "65534 65534 65534 65534"
caps_dropped "$pub"
# another process of the same user cannot read the daemon's memory
if as_nobody 2 head -c 1 "/proc/$pub/environ" >/dev/null 2>&1; then
	fail "another nobody process read the daemon's /proc/PID/environ"
fi
as_nobody 2 env MESH_RUNDIR="$nrun" "$MESH" show "$pubif" >"$TMPD/show-pub" \
    2>&1 || fail "mesh show as nobody: $(cat "$TMPD/show-pub")"
grep -q "^interface: $pubif$" "$TMPD/show-pub" ||
	fail "mesh show as nobody: $(cat "$TMPD/show-pub")"
as_nobody 2 env MESH_RUNDIR="$nrun" "$MESH" down "$pubif" ||
	fail "mesh down as nobody"
n=0
while kill -0 "$pub" 2>/dev/null; do
	n=$((n + 1)); [ "$n" -le 50 ] || fail "still running after down"
	sleep 0.1
done
wait "$pub" || fail "the daemon started as nobody failed: $(cat "$TMPD/log-pub")"

# --- started as root: dropped to an unprivileged user, not dumpable ---
mesh_start 1
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$PID1/status")
case " $uids " in *" 0 "*) fail "member 1 runs with uid 0: $uids" ;; esac
caps_dropped "$PID1"
show 1 | grep -q "^name=node2$" || fail "show: node2 missing"

# --- a netconfig others may change is not a trust list ---
for mode in 664 646; do
	chmod "$mode" "$TMPD/net"
	if timeout 20 ip netns exec "$(ns 2)" "$MESH" up "$TMPD/net" \
	    private-key "$TMPD/k2.sk" interface "$(ifn 2)" -f \
	    >"$TMPD/up-$mode" 2>&1; then
		fail "mesh up accepted a netconfig of mode $mode"
	fi
	grep -q "$TMPD/net: writable by group or others (mode 0$mode)" \
	    "$TMPD/up-$mode" || fail "mode $mode: $(cat "$TMPD/up-$mode")"
	grep -q "run chmod go-w $TMPD/net" "$TMPD/up-$mode" ||
		fail "mode $mode, no fix named: $(cat "$TMPD/up-$mode")"
	[ ! -e "$MESH_RUNDIR/$(ifn 2).sock" ] || fail "a socket was left behind"
done
chmod 664 "$TMPD/net"
if ip netns exec "$(ns 1)" "$MESH" reload "$(ifn 1)" >"$TMPD/reload" 2>&1; then
	fail "reload accepted a group-writable netconfig"
fi
grep -q "writable by group or others.*chmod go-w $TMPD/net" "$TMPD/reload" ||
	fail "reload: $(cat "$TMPD/reload")"
kill -HUP "$PID1"
n=0
until grep -q "reload refused: .*chmod go-w $TMPD/net" "$TMPD/log1"; do
	n=$((n + 1)); [ "$n" -lt 50 ] || fail "SIGHUP: $(tail -n 5 "$TMPD/log1")"
	sleep 0.1
done
kill -0 "$PID1" 2>/dev/null || fail "member 1 died"
show 1 | grep -q "^name=node2$" || fail "refused reload changed the peers"

# a FIFO in its place is refused, not waited on (that would stop the
# daemon's event loop)
mv "$TMPD/net" "$TMPD/net.file"
mkfifo -m 644 "$TMPD/net" || hard "mkfifo"
if timeout 20 ip netns exec "$(ns 1)" "$MESH" reload "$(ifn 1)" \
    >"$TMPD/reload" 2>&1; then
	fail "reload accepted a FIFO"
fi
grep -q "$TMPD/net: not a regular file" "$TMPD/reload" ||
	fail "reload of a FIFO: $(cat "$TMPD/reload")"
rm -f "$TMPD/net"
mv "$TMPD/net.file" "$TMPD/net"

chmod go-w "$TMPD/net"
ip netns exec "$(ns 1)" "$MESH" reload "$(ifn 1)" >"$TMPD/reload" 2>&1 ||
	fail "reload after chmod go-w: $(cat "$TMPD/reload")"
mesh_start 2
ping_ok 1 10.66.0.2 || fail "no tunnel 1 -> 2"
exit 0
