#!/bin/sh
# Membership changes that reach every member (issue 14): five members
# behind NATs and on public addresses, one admin key, signed netconfigs.
# The admin edits, signs and `mesh reload`s one member's file; the new
# version spreads through the tunnels to every member within 10 s
# (measured) while a ping between two members the changes do not touch
# loses nothing. Adding a member (it then talks to the others), renaming
# one, removing one (its traffic is refused by every member), a member offline during a change catches up when it
# comes back (from its state directory, then the network). Refused, with
# a log line and a count in mesh show: a forged file, an older file
# replayed (with a higher version announced), a file signed by a
# non-admin (from a member) and, through mesh reload, the same and a file
# that changes the subnet. Last, a newcomer joins with the join string of
# mesh add alone (mesh join).
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

natlab_init
meshlab_init members
natlab_host p internet
meshlab_public P p
natlab_host ha internet
natlab_router rb full-cone
natlab_host hb rb
natlab_router rc port-restricted
natlab_host hc rc
natlab_router rd addr-restricted
natlab_host hd rd
natlab_host he internet
for m in A B C D E; do
	meshlab_member "$m" "h$(echo "$m" | tr A-Z a-z)"
done
meshlab_netconf base
# F and G join later (their keys now, their trust lines then)
natlab_router rf full-cone
natlab_host hf rf
meshlab_member F hf
natlab_router rg port-restricted
natlab_host hg rg
meshlab_member G hg

D_=$ML_DIR
(umask 077; "$MESH" genkey admin >"$D_/admin.sk") || hard "genkey admin"
ADMIN=$("$MESH" pubkey <"$D_/admin.sk")
(umask 077; "$MESH" genkey admin >"$D_/rogue.sk") || hard "genkey admin"
ROGUE=$("$MESH" pubkey <"$D_/rogue.sk")

# version N of the netconfig from a body: the admin line, the version,
# signed by KEY into FILE
sign() {	# sign BODY VERSION FILE [KEY]
	{ cat "$1"; echo "admin ${5:-$ADMIN}"; echo "version $2"; } \
	    >"$D_/unsigned"
	"$MESH" sign "$D_/unsigned" private-key "${4:-$D_/admin.sk}" \
	    output "$3" 2>/dev/null || fail "sign version $2"
	chmod 644 "$3"
}
sign "$D_/base" 1 "$D_/v1.net"
cp "$D_/v1.net" "$D_/net"	# the public node's
for m in A B C D E; do
	cp "$D_/v1.net" "$D_/$m.net"
	mkdir -p "$D_/state-$m"
done
mkdir -p "$D_/state-F" "$D_/state-rogue"

up() { meshlab_up "$1" MESH_STATE_DIR="$D_/state-$1" ${2:+"$2"} ${3:+"$3"}; }
ctl() {		# ctl NAME CMD...: mesh CMD on NAME's host
	local n=$1
	shift
	natlab_exec "$(cat "$D_/$n.host")" env MESH_RUNDIR="$D_/run" \
	    "$MESH" "$@"
}
version() { meshlab_iface "$1" netconfig_version; }
refused() {	# refused NAME VERDICT: how many
	meshlab_iface "$1" netconfig_refused | tr ',' '\n' |
	    sed -n "s/^$2=//p" | grep . || echo 0
}
# wait_version V SECS NAMES...: prints the ms until all run version V
# (polled: each mesh show takes its time on a loaded machine)
wait_version() {
	local v=$1 t0 end m ok
	shift
	t0=$(date +%s%N)
	end=$(( $(date +%s) + $1 ))
	shift
	while :; do
		ok=1
		for m in "$@"; do
			[ "$(version "$m")" = "$v" ] || { ok=0; break; }
		done
		[ $ok = 1 ] && break
		if [ "$(date +%s)" -gt "$end" ]; then
			for m in "$@"; do
				echo "$m runs version $(version "$m")" >&2
			done
			return 1
		fi
		sleep 0.1
	done
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
publish() {	# publish FILE: the admin's member reloads it
	cp "$1" "$D_/A.net"
	ctl A reload "$(ml_ifn A)" >/dev/null || fail "reload on A: $1"
}
log_has() { grep -q "$2" "$(natlab_log "$1.log")"; }
# ms of day of a log line's time stamp (HH:MM:SS.mmm)
ms_of() { awk -F'[:. ]' '{ print (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }'; }
# spread V NAMES...: ms from the admin's reload (A's last) to the last of
# NAMES applying version V, from the daemons' logs (polling mesh show on a
# loaded machine would measure the polling)
spread() {
	local v=$1 t0 t m max=0
	shift
	t0=$(grep 'reloaded ' "$(natlab_log A.log)" | tail -n 1 | ms_of)
	for m in "$@"; do
		t=$(grep "netconfig version $v from" "$(natlab_log "$m.log")" |
		    tail -n 1 | ms_of)
		[ -n "$t" ] || { echo "$m has no version $v line" >&2; return 1; }
		[ $((t - t0)) -gt $max ] && max=$((t - t0))
	done
	echo $max
}

meshlab_up P
for m in A B C D E; do
	up "$m"
done
for m in B C D E; do
	meshlab_wait_found A "$m" 30 || fail "A did not find $m"
	meshlab_wait_found "$m" A 30 || fail "$m did not find A"
done
meshlab_ping B A 10 >/dev/null || fail "B -> A: no answer"
for m in A B C D E; do
	expect_eq "$m's version at start" "$(version "$m")" 1
done

# a ping between two members no change touches, all along
natlab_spawn hb ping-ba.log ping -n -i 0.2 -w 900 "$(meshlab_ip A)"
PING_PID=$NATLAB_PID

# 1. add F: mesh add on the admin's member edits, signs, publishes
ctl A add "$D_/A.net" F "$(cat "$D_/F.pub")" private-key "$D_/admin.sk" \
    >"$D_/join.txt" 2>"$D_/add.err" || fail "mesh add: $(cat "$D_/add.err")"
grep -q "^mesh1:" "$D_/join.txt" || fail "mesh add printed no join string"
grep -q "version 2 (hash" "$D_/add.err" "$D_/join.txt" ||
    fail "mesh add did not publish: $(cat "$D_/add.err")"
"$MESH" check "$D_/A.net" | awk -v k="$(cat "$D_/F.pub")" \
    '$2 == k { print $3 }' >"$D_/F.ip"
[ -s "$D_/F.ip" ] || fail "F not in A.net after mesh add"
# the body of later versions: what mesh add wrote, unsigned
grep -v '^admin \|^version \|^signature ' "$D_/A.net" >"$D_/base2"
cp "$D_/A.net" "$D_/v2.net"
wait_version 2 30 A B C D E >/dev/null ||
    fail "version 2 did not reach everyone"
t=$(spread 2 B C D E) || fail "no log of version 2"
echo "add F: version 2 on all 5 members after $t ms"
[ "$t" -le 10000 ] || fail "version 2 took $t ms (target 10 s)"
cp "$D_/v2.net" "$D_/F.net"
up F
meshlab_wait_found F B 30 || fail "F did not find B"
meshlab_ping F B 10 >/dev/null || fail "F -> B: no answer"
meshlab_ping C F 10 >/dev/null || fail "C -> F: no answer"

# 2. rename D to dee
sed "s/^trust D /trust dee /" "$D_/base2" >"$D_/base3"
sign "$D_/base3" 3 "$D_/v3.net"
cp "$D_/v3.net" "$D_/A.net"
ctl A publish "$(ml_ifn A)" | grep -q "version 3" || fail "mesh publish"
wait_version 3 30 A B C D E F >/dev/null ||
    fail "version 3 did not reach everyone"
t=$(spread 3 B C D E F) || fail "no log of version 3"
echo "rename D: version 3 on all 6 members after $t ms"
[ "$t" -le 10000 ] || fail "version 3 took $t ms (target 10 s)"
expect_eq "D's name at B" "$(meshlab_peer B D name)" dee

# 3. remove E: every member refuses its traffic
grep -v "^trust E " "$D_/base3" >"$D_/base4"
sign "$D_/base4" 4 "$D_/v4.net"
publish "$D_/v4.net"
wait_version 4 30 A B C D F >/dev/null ||
    fail "version 4 did not reach everyone"
t=$(spread 4 B C D F) || fail "no log of version 4"
echo "remove E: version 4 on the 5 remaining members after $t ms"
[ "$t" -le 10000 ] || fail "version 4 took $t ms (target 10 s)"
expect_eq "E's version" "$(version E)" 3
for m in A B C D F; do
	[ -z "$(meshlab_peer "$m" E name)" ] ||
	    fail "$m still has E as a member"
	meshlab_ping E "$m" 3 >/dev/null && fail "E -> $m still answered"
done

# 4. C offline during a change catches up when it comes back
meshlab_down C
sed "s/^trust dee /trust D /" "$D_/base4" >"$D_/base5"
sign "$D_/base5" 5 "$D_/v5.net"
publish "$D_/v5.net"
wait_version 5 30 A B D F >/dev/null ||
    fail "version 5 did not reach everyone"
t=$(spread 5 B D F) || fail "no log of version 5"
echo "while C is away: version 5 on 4 members after $t ms"
up C		# with its file of version 1, its state of version 4
t=$(wait_version 5 30 C) || fail "C did not catch up"
echo "C back: version 5 after $t ms (polled)"
log_has C "valid successor" || fail "C did not start from its state file"
meshlab_ping C B 10 >/dev/null || fail "C -> B after catching up"

kill -INT "$PING_PID" 2>/dev/null
wait "$PING_PID" 2>/dev/null
out=$(grep 'packet loss' "$(natlab_log ping-ba.log)")
echo "B -> A during the changes: $out"
case $out in
*" 0% packet loss"*) ;;
*) fail "packets lost between untouched members: $out" ;;
esac

# 5. from a member (D restarted with the test knob), to the others
bad() {		# bad VERDICT FILE [VERSION]: D announces FILE
	meshlab_down D
	up D MESH_TEST_NCSYNC_SERVE="$2" ${3:+MESH_TEST_NCSYNC_VERSION=$3}
	end=$(( $(date +%s) + 30 ))
	for m in A B C F; do
		until [ "$(refused "$m" "$1")" -ge 1 ]; do
			[ "$(date +%s)" -le "$end" ] ||
			    fail "$m did not refuse ($1) $2"
			sleep 0.1
		done
		log_has "$m" "from D.* refused ($1)" || log_has "$m" \
		    "refused ($1)" || fail "$m: no log line for $1"
	done
	echo "$1: refused by A, B, C and F"
}
# forged: version 6 changed after signing
sed 's/^version 5$/version 6/' "$D_/v5.net" >"$D_/forged.net"
bad bad-signature "$D_/forged.net"
# an older file replayed, announced as a newer version
bad rollback "$D_/v2.net" 7
# signed by a key that is no admin
sign "$D_/base5" 8 "$D_/rogue.net" "$D_/rogue.sk" "$ROGUE"
bad not-admin "$D_/rogue.net"
for m in A B C F; do
	expect_eq "$m still at version 5" "$(version "$m")" 5
done

# 6. through mesh reload on A: counted too, version unchanged
sed 's#^subnet .*#subnet 10.78.0.0/24#; s# 10\.77\.0\.# 10.78.0.#' \
    "$D_/base5" >"$D_/base-subnet"
sign "$D_/base-subnet" 9 "$D_/subnet.net"
for f in subnet:change forged:bad-signature v2:rollback rogue:not-admin; do
	cp "$D_/${f%%:*}.net" "$D_/A.net"
	ctl A reload "$(ml_ifn A)" >/dev/null 2>&1 &&
	    fail "A accepted ${f%%:*}.net"
	[ "$(refused A "${f#*:}")" -ge 1 ] ||
	    fail "A did not count ${f#*:}"
done
expect_eq "A still at version 5" "$(version A)" 5
meshlab_show A | grep '^netconfig_' | sed 's/^/A: /'

# 7. G joins with the join string alone: mesh add on A (version 6),
# then mesh join on G finds a contact through the DHT, fetches, checks it
# against the string and comes up
cp "$D_/v5.net" "$D_/A.net"
ctl A add "$D_/A.net" G "$(cat "$D_/G.pub")" private-key "$D_/admin.sk" \
    >"$D_/join-G.txt" 2>"$D_/add.err" || fail "mesh add G: $(cat "$D_/add.err")"
"$MESH" check "$D_/A.net" | awk -v k="$(cat "$D_/G.pub")" \
    '$2 == k { print $3 }' >"$D_/G.ip"
mkdir -p "$D_/state-G"
t0=$(date +%s%N)
natlab_spawn hg G.log env MESH_RUNDIR="$D_/run" MESH_STATE_DIR="$D_/state-G" \
    "$MESH" join "$(cat "$D_/join-G.txt")" private-key "$D_/G.sk" \
    output "$D_/G.net" interface "$(ml_ifn G)" -f -v
echo "$NATLAB_PID" >"$D_/G.pid"
natlab_wait_log G.log "bringing .* up" 130 || {
	grep -v "^$" "$(natlab_log G.log)" | tail -20 >&2
	fail "G did not join"
}
echo "G joined (fetched version 6) after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
wait_version 6 30 G >/dev/null || fail "G is not up with version 6"
meshlab_wait_found G B 30 || fail "G did not find B"
meshlab_ping G B 10 >/dev/null || fail "G -> B: no answer"

for m in A B C D F G; do
	meshlab_down "$m"
done
meshlab_down E
meshlab_down P
exit 0
