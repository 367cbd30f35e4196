#!/bin/sh
# Who may include what (STYLE.md, ARCHITECTURE.md): only crypto/keys-type modules
# include libsodium, only event-loop glue includes libevent, only the port
# mapping backends include miniupnpc or libnatpmp, only TUN backends include
# <linux/if_tun.h>. Every #include of those headers in src/ and dht/ must be
# in a file allowed below; a new one fails this test until it is either
# moved behind an allowed module or added here with its reason.
. "${top_srcdir:-.}/tests/lib.sh"
set -u

cd "$top_srcdir" || hard "cd $top_srcdir"

# RULE name|extended regex of the header after '#include <'|allowed files.
# The allowed files are shell patterns relative to the top source dir,
# each followed by why it may include the header.
sodium_allowed='
src/netconf/keys.c		keys: generation, text form, files, PoW search
src/netconf/adminkey.c		keys-type: admin (Ed25519) keys, text form, files
src/netconf/sign.c		Ed25519 signatures of netconfigs, the acceptance rule
src/tunnel/noise.c		Noise IK handshake (X25519, BLAKE2b, ChaCha20-Poly1305)
src/tunnel/cookie.c		mac1/mac2 and cookie replies (keyed BLAKE2b, XChaCha20)
src/tunnel/tunnel*.[ch]	transport AEAD, random indices, key wiping (tunnel.c, its parts, tunnel-int.h)
src/nat/natkey.c		the NAT module'"'"'s pair keys and MACs
src/netconf/addr.c		keys-type: the IPv6 ULA is a BLAKE2b hash of a public key
dht/dhtcrypto.c		the DHT'"'"'s sealing, node ids, random bytes
dht/pow.c		keys-type: workbits are a BLAKE2b hash of a public key
src/common/base64.c	libsodium'"'"'s constant-time base64 (key text form)
'
event_allowed='
src/daemon/daemon.c		glue: the event loop itself
src/common/evtimer.c		glue: the one ms-clock-to-timer helper
src/daemon/daemon-metrics.c	glue: the metrics endpoint (evhttp)
src/daemon/daemon-peers.c	glue: peer timers on the loop
src/control/control-server.c	glue: the control socket'"'"'s daemon end on the loop
src/*/*-glue.c		glue by name: dht-glue.c, natpath-glue.c, relay-glue.c, portmap-glue.c
src/nat/disc.c		glue: the discovery hub (member timers, work queue)
src/nat/beacon.c		glue: the LAN beacon'"'"'s broadcast timer
'
upnp_allowed='
src/nat/portmap-upnp.c	the UPnP IGD backend
'
natpmp_allowed='
src/nat/portmap-natpmp.c	the NAT-PMP backend
'
tun_allowed='
src/os/tun-linux.c		the Linux TUN backend
'

# allowed FILE LIST: is FILE matched by a pattern of LIST?
allowed() {
	printf '%s\n' "$2" | while read -r pat _why; do
		[ -n "$pat" ] || continue
		# shellcheck disable=SC2254
		case "$1" in
		$pat)	echo yes; break ;;
		esac
	done
}

bad=0
# check NAME REGEX LIST
check() {
	# (source file names have no blanks)
	# shellcheck disable=SC2046
	files=$(grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($2)" \
	    $(find src dht -name '*.[ch]' | sort)) || true
	for f in $files; do
		if [ "$(allowed "$f" "$3")" != yes ]; then
			echo "FAIL: $f includes $1 headers but is not allowed to" \
			    "(see tests/include-rules.sh)" >&2
			grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($2)" \
			    "$f" | sed "s|^|	$f:|" >&2
			bad=1
		fi
	done
}

{ [ -d src ] && [ -d dht ]; } || hard "no src/ or dht/ under $top_srcdir"
check libsodium 'sodium[./]' "$sodium_allowed"
check libevent 'event2/|event\.h' "$event_allowed"
check miniupnpc 'miniupnpc' "$upnp_allowed"
check libnatpmp 'natpmp' "$natpmp_allowed"
check if_tun 'linux/if_tun\.h' "$tun_allowed"

# The checker must see a violation when there is one (it cannot pass
# vacuously, e.g. on a pattern that never matches).
[ "$(allowed src/netconf/netconf.c "$sodium_allowed")" != yes ] ||
	hard "allow-list matches everything"
grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(sodium[./])' \
    src/tunnel/noise.c || hard "the sodium pattern does not match src/tunnel/noise.c"
grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(event2/|event\.h)' \
    src/control/control-server.c ||
	hard "the libevent pattern does not match src/control/control-server.c"

exit $bad
