#!/bin/sh
# Layouts beyond one NAT each: two members on one LAN behind a symmetric
# NAT (which does not hairpin) find each other by the LAN beacon and talk
# directly on the LAN; a member behind double NAT (a port-restricted router
# behind a full-cone one, as with carrier-grade NAT) punches through both
# to a member behind an address-restricted NAT, and reaches a member on a
# public address directly.
. "${top_srcdir:-.}/tests/lib.sh"
need_netns
. "$top_srcdir/tests/natlab/natlab.sh"
. "$top_srcdir/tests/natlab/meshlab.sh"
natlab_need setpriv

natlab_init
meshlab_init lan
natlab_host p1 internet
natlab_host p2 internet
meshlab_public P1 p1
meshlab_public P2 p2
natlab_router rs symmetric
natlab_host a1 rs
natlab_host a2 rs
natlab_router outer full-cone
natlab_router inner port-restricted outer
natlab_host c inner
natlab_router rd addr-restricted
natlab_host d rd
natlab_host e internet
meshlab_member A1 a1
meshlab_member A2 a2
meshlab_member C c
meshlab_member D d
meshlab_member E e
meshlab_netconf
meshlab_up P1
meshlab_up P2
for m in A1 A2 C D E; do
	meshlab_up "$m"
done

check() {	# check A B WANT...
	a=$1 b=$2
	shift 2
	meshlab_wait_found "$a" "$b" 30 || fail "$a did not find $b"
	t=$(meshlab_ping "$a" "$b" 8) || fail "$a -> $b: no answer"
	meshlab_ping "$b" "$a" 4 >/dev/null || fail "$b -> $a: no answer"
	# the path's kind may still change for a few seconds: a LAN address
	# a member published is first taken as "direct", and is "lan" once
	# a beacon's probe is answered (beacons every 2 s, a probe for every
	# second one: SECURITY.md)
	k=0
	while :; do
		pa=$(meshlab_peer "$a" "$b" path)
		pb=$(meshlab_peer "$b" "$a" path)
		bad=
		for p in "$pa" "$pb"; do
			case " $* " in
			*" $p "*) ;;
			*) bad=$p ;;
			esac
		done
		[ -n "$bad" ] && [ $k -lt 20 ] || break
		k=$((k + 1))
		sleep 0.5
	done
	echo "$a -> $b: $t ms, $pa / $pb ($(meshlab_peer "$a" "$b" endpoint))"
	[ -z "$bad" ] || fail "$a <-> $b: path $bad, expected $*"
}
check A1 A2 lan
expect_eq "A1's endpoint for A2" "$(meshlab_peer A1 A2 endpoint)" \
    "$(natlab_addr a2):6374"
check C D direct punched
check C E direct punched
check D E direct punched
for m in A1 A2 C D E; do
	meshlab_down "$m"
done
meshlab_down P1
meshlab_down P2
exit 0
