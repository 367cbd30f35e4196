#!/bin/sh
# Golden tests of mesh show's output formats: the formatter runs on canned
# daemon replies (tests/golden/show-*.in) and must print exactly the
# expected files. JSON output is also parsed by python3 and cross-checked
# against the replies by an independent parser (check-json.py).
# Regenerate after an intended change: MESH_GOLDEN_UPDATE=1 make check
. "${top_srcdir:-.}/tests/lib.sh"

fmt=$top_builddir/tests/golden/show-fmt
# "lost since HH:MM:SS" is local time
TZ=UTC
export TZ
g=$top_srcdir/tests/golden
tmp=$(mktemp -d) || hard "mktemp"
trap 'rm -rf "$tmp"' EXIT

rc=0
golden() {	# golden EXPECTED MODE WHAT INPUT...
	exp=$1; shift
	"$fmt" "$@" >"$tmp/out" || { echo "FAIL: show-fmt $*" >&2; rc=1; return; }
	if [ -n "${MESH_GOLDEN_UPDATE:-}" ]; then
		cp "$tmp/out" "$g/$exp"
	elif ! diff -u "$g/$exp" "$tmp/out"; then
		echo "FAIL: $exp differs" >&2
		rc=1
	fi
}

for t in full minimal; do
	golden show-$t.pretty pretty all "$g/show-$t.in"
	golden show-$t.json json all "$g/show-$t.in"
	golden show-$t.dump dump all "$g/show-$t.in"
done
golden show-full.colour colour all "$g/show-full.in"
golden show-full.peers.pretty pretty peers "$g/show-full.in"
golden show-full.peers.json json peers "$g/show-full.in"
golden show-multi.json json all "$g/show-full.in" "$g/show-minimal.in"

if command -v python3 >/dev/null; then
	for j in show-full show-minimal; do
		python3 -m json.tool "$g/$j.json" >/dev/null ||
			{ echo "FAIL: $j.json is not JSON" >&2; rc=1; }
		python3 "$g/check-json.py" "$g/$j.json" "$g/$j.in" || rc=1
	done
	python3 "$g/check-json.py" "$g/show-multi.json" "$g/show-full.in" \
	    "$g/show-minimal.in" || rc=1
	# Only what was asked for; the rest is null.
	python3 -c 'import json, sys
(i,) = json.load(open(sys.argv[1]))["interfaces"]
assert i["dht"] is None and len(i["peers"]) == 3, i' \
	    "$g/show-full.peers.json" ||
		{ echo "FAIL: show-full.peers.json" >&2; rc=1; }
	# An empty list of interfaces is still a document.
	"$fmt" json all >"$tmp/empty.json" &&
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d == {"version": 1, "interfaces": []}, d' "$tmp/empty.json" ||
		{ echo "FAIL: empty JSON document" >&2; rc=1; }
else
	echo "python3 missing: JSON not validated" >&2
	rc=1
fi

# The colour output has escapes; the plain output has none.
grep -q "$(printf '\033')" "$g/show-full.colour" || fail "no colour"
grep -q "$(printf '\033')" "$g/show-full.pretty" && fail "colour in plain output"
# Dump lines: a kind, the interface, then a fixed number of fields.
awk -F '\t' '
	$1 == "interface" && NF != 34 { print "interface: " NF; bad = 1 }
	$1 == "peer" && NF != 29 { print "peer: " NF; bad = 1 }
	$1 == "dht" && NF != 9 { print "dht: " NF; bad = 1 }
	$1 == "bucket" && NF != 7 { print "bucket: " NF; bad = 1 }
	$1 == "search" && NF != 9 { print "search: " NF; bad = 1 }
	END { exit bad }' "$g/show-full.dump" "$g/show-minimal.dump" ||
	fail "dump field counts"
exit $rc
