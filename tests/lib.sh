# Helpers for the shell tests. Source after setting nothing; provides
# $MESH, fail(), skip(), and the netns helpers (which need root).
. "${top_builddir:-.}/tests/env.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
hard() { echo "ERROR: $*" >&2; exit 99; }

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# need_root: skip unless we may build namespaces and TUN devices.
need_netns() {
	[ "$NETNS_TESTS" = yes ] || skip "netns tests disabled by configure"
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
	command -v ip >/dev/null || skip "needs iproute2"
	ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"
}
