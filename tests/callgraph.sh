#!/bin/sh
# No call cycle between the .c files of src/ (ARCHITECTURE.md, issue 9): for
# each object file of src/, the functions it calls in other src/ files
# (nm: its undefined symbols, matched with the symbols the others define)
# give a graph of files; it must have no cycle. Calls through function
# pointers (callbacks, hooks) are not edges: that is how a lower layer
# hands events back up.
#
# Cycles that exist and are not fixed yet are listed below as known edges,
# each with its reason; they are left out of the graph. Remove an entry once
# its cycle is gone (the test then keeps it gone).
#
# Usage: tests/callgraph.sh [-v]	(-v: print the whole graph)
. "${top_srcdir:-.}/tests/lib.sh"
set -u

# FROM TO  why (known edges that close a cycle; shell patterns allowed)
known='
src/datapath/datapath-stage.c src/datapath/datapath.c	the staging queues flush through dp_actions (datapath.c, which calls the queues): move it below both (dp_relay_out went to datapath-send.c)
'

command -v nm >/dev/null || skip "needs nm"
command -v python3 >/dev/null || skip "needs python3"
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
verbose=0
[ "${1:-}" = -v ] && verbose=1

tmp=$(mktemp -d) || hard "mktemp"
trap 'rm -rf "$tmp"' EXIT

# one line per file: "FILE def|undef SYMBOL"
n=0
for c in $(cd "$srcdir" && find src -name '*.c' | sort); do
	dir=$(dirname "$c")
	base=$(basename "$c" .c)
	obj=
	for o in "$builddir/$dir/libmesh_a-$base.o" \
	    "$builddir/$dir/libcommon_a-$base.o" "$builddir/$dir/mesh-$base.o" \
	    "$builddir/$dir/$base.o"; do
		[ -f "$o" ] && { obj=$o; break; }
	done
	[ -n "$obj" ] || hard "no object file for $c (build first)"
	nm --defined-only -g "$obj" | awk -v f="$c" 'NF == 3 { print f, "def", $3 }'
	nm -u "$obj" | awk -v f="$c" '{ print f, "undef", $NF }'
	n=$((n + 1))
done > "$tmp/syms"
[ "$n" -gt 10 ] || hard "only $n object files found under $builddir/src"
printf '%s\n' "$known" > "$tmp/known"

python3 - "$tmp/syms" "$tmp/known" "$verbose" <<'EOF'
import sys
syms, known, verbose = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
defs, undefs = {}, {}
files = set()
for line in open(syms):
    f, kind, sym = line.split()
    files.add(f)
    (defs if kind == "def" else undefs).setdefault(sym if kind == "def" else f,
        set()).add(f if kind == "def" else sym)
edges = {f: {} for f in files}
for f, us in undefs.items():
    for s in us:
        for g in defs.get(s, ()):
            if g != f:
                edges[f].setdefault(g, []).append(s)
import fnmatch
pats = []
for line in open(known):
    w = line.split()
    if len(w) >= 2:
        pats.append((w[0], w[1]))
allowed = set()
for a, b in pats:
    hit = [(f, g) for f in edges for g in edges[f]
        if fnmatch.fnmatchcase(f, a) and fnmatch.fnmatchcase(g, b)]
    if not hit:
        print("NOTE: known edge %s -> %s no longer exists: remove it "
            "from tests/callgraph.sh" % (a, b))
    allowed.update(hit)
if verbose:
    for f in sorted(edges):
        for g in sorted(edges[f]):
            print("%s -> %s (%s)%s" % (f, g, ", ".join(sorted(edges[f][g])[:4]),
                " [known]" if (f, g) in allowed else ""))
graph = {f: [g for g in edges[f] if (f, g) not in allowed] for f in edges}
# Tarjan's strongly connected components
index, low, stack, on, comps, ctr = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = ctr[0]; ctr[0] += 1
    stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v:
                break
        comps.append(c)
for v in sorted(graph):
    if v not in index:
        visit(v)
bad = [sorted(c) for c in comps if len(c) > 1]
for c in bad:
    print("FAIL: call cycle between %s" % " ".join(c))
    for f in c:
        for g in sorted(graph[f]):
            if g in c:
                print("\t%s -> %s (%s)" % (f, g, ", ".join(sorted(edges[f][g])[:4])))
print("%d files, %d edges, %d cycles" % (len(files),
    sum(len(v) for v in graph.values()), len(bad)))
sys.exit(1 if bad else 0)
EOF
