#!/bin/sh
# genkey | pubkey round trip, workbit, and strict input handling.
. "${top_srcdir:-.}/tests/lib.sh"
set -u
tmp=$(mktemp -d) || hard "mktemp"
trap 'rm -rf "$tmp"' EXIT
umask 077

"$MESH" genkey >"$tmp/sk" 2>"$tmp/err" || fail "genkey failed"
[ "$(wc -c <"$tmp/sk")" = 44 ] || fail "private key is not 43 chars + newline"
"$MESH" pubkey <"$tmp/sk" >"$tmp/pk" || fail "pubkey failed"
[ "$(wc -c <"$tmp/pk")" = 44 ] || fail "public key is not 43 chars + newline"
# the default workbit (8 in namespace public) is met
bits=$("$MESH" workbit <"$tmp/pk") || fail "workbit failed"
[ "$bits" -ge 8 ] || fail "genkey default key has only $bits workbits"

# another namespace and a higher workbit
"$MESH" genkey workbit 12 namespace lab >"$tmp/sk2" 2>/dev/null || fail "genkey workbit 12"
bits=$("$MESH" pubkey <"$tmp/sk2" | "$MESH" workbit namespace lab)
[ "$bits" -ge 12 ] || fail "genkey workbit 12 gave $bits bits"

# pubkey is deterministic and accepts standard base64 with padding
a=$("$MESH" pubkey <"$tmp/sk")
std="$(tr -- '-_' '+/' <"$tmp/sk")="
b=$(printf '%s\n' "$std" | "$MESH" pubkey) || fail "pubkey rejects padded base64"
expect_eq "pubkey of padded form" "$b" "$a"

# strictness: anything but exactly one key is refused with a reason
for bad in "" "abc" "$a $a" "${a}A"; do
	if printf '%s\n' "$bad" | "$MESH" pubkey >/dev/null 2>"$tmp/err"; then
		fail "pubkey accepted '$bad'"
	fi
	grep -q '^mesh pubkey: stdin: ' "$tmp/err" || fail "no reason for '$bad'"
done

# a warning when the key file would be open to others: a file on standard
# output by its mode (whatever the umask), a pipe by the umask
(umask 022; "$MESH" genkey >"$tmp/sk3" 2>"$tmp/err")
grep -q 'mode 0644' "$tmp/err" || fail "no warning for a new 0644 file"
: >"$tmp/sk4"; chmod 644 "$tmp/sk4"
"$MESH" genkey >"$tmp/sk4" 2>"$tmp/err"
grep -q 'mode 0644' "$tmp/err" ||
	fail "no warning for an existing 0644 file under umask 077"
: >"$tmp/sk5"; chmod 600 "$tmp/sk5"
(umask 022; "$MESH" genkey >"$tmp/sk5" 2>"$tmp/err")
[ -s "$tmp/err" ] && fail "warning for a 0600 file: $(cat "$tmp/err")"
(umask 022; "$MESH" genkey 2>"$tmp/err" | cat >/dev/null)
grep -q 'umask 0022' "$tmp/err" || fail "no umask warning for a pipe"
(umask 066; "$MESH" genkey 2>"$tmp/err" | cat >/dev/null)
[ -s "$tmp/err" ] && fail "warning under umask 066: $(cat "$tmp/err")"

# usage errors exit 2 with a usage line
"$MESH" genkey workbit 2>"$tmp/err"; rc=$?
expect_eq "genkey usage exit" "$rc" 2
grep -q '^usage: mesh genkey' "$tmp/err" || fail "no usage line"
"$MESH" genkey workbit 99 2>/dev/null; expect_eq "workbit 99 exit" "$?" 2
"$MESH" nosuchcommand 2>/dev/null; expect_eq "unknown command exit" "$?" 2
"$MESH" --version | grep -q '^mesh [0-9]' || fail "--version"
"$MESH" --help | grep -q genkey || fail "--help"
"$MESH" help pubkey | grep -q '^usage: mesh pubkey' || fail "help pubkey"
exit 0
