#!/bin/sh
# mesh check on every tests/netconf/bad/NAME.net must exit 1, print nothing
# on stdout and exactly the line in NAME.err on stderr. The test runs in the
# corpus directory and passes the base name, so messages read "NAME.net:LINE:
# ..." wherever the tree is.
. "${top_srcdir:-.}/tests/lib.sh"
set -u
tmp=$(mktemp -d) || hard "mktemp"
trap 'rm -rf "$tmp"' EXIT
cd "$top_srcdir/tests/netconf/bad" || hard "no tests/netconf/bad"

n=0
failed=0
for f in *.net; do
	name=${f%.net}
	[ -f "$name.err" ] || hard "$name.err is missing"
	"$MESH" check "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	n=$((n + 1))
	if [ "$rc" -ne 1 ]; then
		echo "FAIL: $f: exit status $rc, expected 1"
		failed=$((failed + 1))
	elif [ -s "$tmp/out" ]; then
		echo "FAIL: $f: printed on stdout"
		failed=$((failed + 1))
	elif ! cmp -s "$tmp/err" "$name.err"; then
		echo "FAIL: $f: stderr differs from $name.err"
		diff -u "$name.err" "$tmp/err"
		failed=$((failed + 1))
	fi
done
[ "$n" -ge 25 ] || hard "only $n bad netconfigs; expected at least 25"
echo "$n bad netconfigs, $failed failed"
[ "$failed" -eq 0 ] || exit 1
exit 0
