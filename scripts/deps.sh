#!/bin/sh
# Install what building and testing mesh needs on Debian 12 (idempotent:
# apt-get runs only when a package is missing). Sourced or run as root.
set -e

MESH_DEPS="build-essential autoconf automake pkg-config
libsodium-dev libevent-dev libminiupnpc-dev libnatpmp-dev
mandoc iproute2 nftables iputils-ping iperf3 python3 procps
miniupnpd-nftables miniupnpc natpmpc prometheus curl conntrack"

missing=
for p in $MESH_DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps: installing$missing" >&2
	# Keep package scripts from starting daemons (miniupnpd) on this host.
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
	[ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
fi
