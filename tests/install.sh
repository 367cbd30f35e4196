#!/bin/sh
# `make install DESTDIR=...` as any user: everything lands under DESTDIR,
# nothing outside it, and the installed tree has what mesh(8) promises:
# the binary, both man pages, the systemd unit (pointing at the installed
# binary), bash completion and the example netconfigs.
. "${top_srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d) || hard "mktemp"
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

mk() { sed -n "s/^$1 = //p" "$top_builddir/Makefile" | head -n 1; }
prefix=$(mk prefix)
[ -n "$prefix" ] || hard "no prefix in Makefile"

${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$dest" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "make install failed"; }

root=$dest$prefix
for f in bin/mesh share/man/man8/mesh.8 share/man/man5/mesh-netconfig.5 \
    lib/systemd/system/mesh@.service \
    share/bash-completion/completions/mesh \
    share/mesh/example.net share/mesh/public; do
	[ -f "$root/$f" ] || fail "not installed: $prefix/$f"
done
[ -x "$root/bin/mesh" ] || fail "mesh not executable"

# Nothing outside DESTDIR$prefix.
stray=$(cd "$dest" && find . -type f | grep -v "^\.$prefix/" || true)
[ -z "$stray" ] || fail "installed outside the prefix: $stray"

# The unit runs the installed binary, as a notify service, reloading with
# mesh reload (which fails on a refused netconfig); no placeholder is left.
unit=$root/lib/systemd/system/mesh@.service
grep -q "^ExecStart=$prefix/bin/mesh up /etc/mesh/%i.net private-key /etc/mesh/%i.sk -f\$" "$unit" ||
	fail "ExecStart in $unit"
grep -q '^Type=notify$' "$unit" || fail "Type=notify"
grep -q "^ExecReload=$prefix/bin/mesh reload /etc/mesh/%i.net\$" "$unit" ||
	fail "ExecReload"
grep -q '@bindir@' "$unit" && fail "@bindir@ left in unit"
if command -v systemd-analyze >/dev/null; then
	# verify wants the binary at its final path: check a copy pointing
	# into DESTDIR.
	mkdir -p "$tmp/units"
	sed "s|$prefix/bin/mesh|$root/bin/mesh|g" "$unit" >"$tmp/units/mesh@.service"
	SYSTEMD_LOG_LEVEL=err systemd-analyze verify --man=no \
	    "$tmp/units/mesh@.service" >"$tmp/verify" 2>&1 ||
		{ cat "$tmp/verify"; fail "systemd-analyze verify"; }
	# Ignore complaints about the host's own units.
	if grep -v -e '^/\(usr/\)\?lib/systemd' -e '^/etc/systemd' "$tmp/verify" |
	    grep -q .; then
		cat "$tmp/verify"
		fail "systemd-analyze verify"
	fi
fi

# The completion is valid bash and completes commands and words.
bash -n "$root/share/bash-completion/completions/mesh" || fail "completion syntax"
if [ -f /usr/share/bash-completion/bash_completion ]; then
	out=$(PATH=$root/bin:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		COMP_WORDS=(mesh sh); COMP_CWORD=1; COMP_LINE="mesh sh"
		COMP_POINT=${#COMP_LINE}
		_mesh; echo "${COMPREPLY[*]}"
		COMP_WORDS=(mesh show x ""); COMP_CWORD=3; COMP_LINE="mesh show x "
		COMP_POINT=${#COMP_LINE}
		_mesh; echo "${COMPREPLY[*]}"' sh "$root/share/bash-completion/completions/mesh")
	expect_eq "completion" "$out" "show
peers dht all dump"
fi

# The installed binary runs, and its man pages are lint-clean.
"$root/bin/mesh" --version | grep -q '^mesh ' || fail "installed mesh --version"
if command -v mandoc >/dev/null; then
	mandoc -Tlint -Wwarning "$root/share/man/man8/mesh.8" \
	    "$root/share/man/man5/mesh-netconfig.5" || fail "mandoc -Tlint"
fi

# And uninstall removes what install put there.
${MAKE:-make} -s -C "$top_builddir" uninstall DESTDIR="$dest" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "make uninstall failed"; }
left=$(cd "$dest" && find . -type f)
[ -z "$left" ] || fail "left after uninstall: $left"
exit 0
