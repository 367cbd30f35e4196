#!/bin/sh
# mesh --help, mesh(8), mesh-netconfig(5) and the bash completion against
# the code: see tests/qa-docs.py.
. "${top_srcdir:-.}/tests/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
exec python3 "$top_srcdir/tests/qa-docs.py" "$MESH" "$top_srcdir"
