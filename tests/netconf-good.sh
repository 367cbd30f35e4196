#!/bin/sh
# mesh check on good netconfigs: golden output for tests/netconf/good/*.net,
# the shipped config/example.net, and the errors that are not about the
# contents of a file (usage, missing file, oversized file).
. "${top_srcdir:-.}/tests/lib.sh"
set -u
tmp=$(mktemp -d) || hard "mktemp"
trap 'rm -rf "$tmp"' EXIT

cd "$top_srcdir/tests/netconf/good" || hard "no tests/netconf/good"
n=0
for f in *.net; do
	name=${f%.net}
	[ -f "$name.out" ] || hard "$name.out is missing"
	"$MESH" check "$f" >"$tmp/out" 2>"$tmp/err" || {
		cat "$tmp/err"; fail "$f: mesh check failed"; }
	[ -s "$tmp/err" ] && { cat "$tmp/err"; fail "$f: wrote on stderr"; }
	cmp -s "$tmp/out" "$name.out" || {
		diff -u "$name.out" "$tmp/out"; fail "$f: output differs"; }
	n=$((n + 1))
done
[ "$n" -ge 3 ] || hard "only $n good netconfigs"

cd "$top_srcdir" || hard "cd"
"$MESH" check config/example.net >"$tmp/out" 2>"$tmp/err" || {
	cat "$tmp/err"; fail "config/example.net does not pass mesh check"; }
[ -s "$tmp/err" ] && fail "config/example.net: wrote on stderr"
grep -q '^name  *example$' "$tmp/out" || fail "example.net: no name line"

# usage errors exit 2
"$MESH" check >/dev/null 2>"$tmp/err"
expect_eq "check without a file" "$?" 2
grep -q '^usage: mesh check NETCONFIG \[previous FILE\]$' "$tmp/err" || fail "no usage line"
"$MESH" check a b >/dev/null 2>&1
expect_eq "check with two files" "$?" 2

# file errors: FILE: reason, exit 1
cd "$tmp" || hard "cd"
"$MESH" check nosuch.net >out 2>err
expect_eq "missing file exit" "$?" 1
expect_eq "missing file" "$(cat err)" "nosuch.net: No such file or directory"
mkdir dir.net
"$MESH" check dir.net >out 2>err
expect_eq "directory exit" "$?" 1
expect_eq "directory" "$(cat err)" "dir.net: Is a directory"
# one byte over the cap, as comment lines
awk 'BEGIN { for (i = 0; i < 16384; i++) printf "#%062d\n", 0 }' >big.net
printf '\n' >>big.net
[ "$(wc -c <big.net)" -eq 1048577 ] || hard "big.net has the wrong size"
"$MESH" check big.net >out 2>err
expect_eq "oversized exit" "$?" 1
expect_eq "oversized" "$(cat err)" "big.net: file too large (more than 1048576 bytes)"
exit 0
