#!/bin/sh
# The simulator gives the same results on one thread and on two (real
# crypto, 400 nodes): only the wall time and the thread count differ.
. "${top_srcdir:-.}/tests/lib.sh"
sim="$top_builddir/tests/sim/dhtsim"
out=${TMPDIR:-/tmp}/dhtsim-threads.$$
trap 'rm -f "$out".1 "$out".2 "$out".1f "$out".2f' EXIT
args="--nodes 400 --lookups 200 --seed 7 --join 20 --settle 40 --idle 60 --refresh 120"
"$sim" $args --threads 1 >"$out".1 || fail "one thread: exit $?"
"$sim" $args --threads 2 >"$out".2 || fail "two threads: exit $?"
filter() { grep -v -e 'wall=' -e '^crypto:' "$1" | sed 's/ threads=[0-9]*//'; }
filter "$out".1 >"$out".1f
filter "$out".2 >"$out".2f
diff "$out".1f "$out".2f || fail "results differ between one and two threads"
grep -q 'success=' "$out".1 || fail "no results"
cat "$out".1
