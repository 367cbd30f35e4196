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

# progress: a search expected to take a while (16 workbits: ~65536 tries)
# says so at once and ends with what it found, as whole lines when standard
# error is a file (no carriage returns) ...
"$MESH" genkey workbit 16 >"$tmp/sk16" 2>"$tmp/err" || fail "genkey workbit 16"
bits=$("$MESH" pubkey <"$tmp/sk16" | "$MESH" workbit)
[ "$bits" -ge 16 ] || fail "genkey workbit 16 gave $bits bits"
head -n 1 "$tmp/err" | grep -q '^mesh genkey: searching for a key with 16 workbits in namespace "public"' ||
	fail "no progress line at the start: $(cat "$tmp/err")"
tail -n 1 "$tmp/err" | grep -q "^mesh genkey: found a key with $bits workbits in [0-9.]* s\$" ||
	fail "no final progress line: $(cat "$tmp/err")"
tr -d '\n' <"$tmp/err" | grep -q "$(printf '\r')" && fail "carriage return in a log file"
[ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\n' ] ||
	fail "progress does not end with a newline"
# ... and one line rewritten in place on a terminal, ended by a newline
if command -v script >/dev/null 2>&1; then
	TERM=dumb script -qec "'$MESH' genkey workbit 14 >'$tmp/sk14'" \
	    "$tmp/typescript" >/dev/null 2>&1 </dev/null ||
		fail "genkey workbit 14 on a terminal"
	grep -q "$(printf '\r')mesh genkey: searching for a key with 14" "$tmp/typescript" ||
		fail "no progress on a terminal: $(cat -A "$tmp/typescript")"
	grep -q "$(printf '\r')mesh genkey: found a key with [0-9]* workbits in [0-9.]* s *$(printf '\r')\$" "$tmp/typescript" ||
		fail "no final line on a terminal: $(cat -A "$tmp/typescript")"
fi
# a quick search says nothing
"$MESH" genkey workbit 4 >"$tmp/sk4b" 2>"$tmp/err" || fail "genkey workbit 4"
[ -s "$tmp/err" ] && fail "genkey workbit 4 printed: $(cat "$tmp/err")"

# the public key is X25519's, as an independent implementation computes it
# (OpenSSL, from the private key in PKCS#8 DER)
if command -v openssl >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
	python3 -c '
import base64, sys
raw = base64.urlsafe_b64decode(sys.stdin.read().strip() + "=")
sys.stdout.buffer.write(bytes.fromhex("302e020100300506032b656e04220420") + raw)
' <"$tmp/sk" >"$tmp/sk.der" || hard "python3"
	want=$(openssl pkey -inform DER -in "$tmp/sk.der" -pubout -outform DER |
	    tail -c 32 | base64 | tr '+/' '-_' | tr -d '=')
	[ -n "$want" ] || hard "openssl pkey"
	expect_eq "pubkey against OpenSSL" "$("$MESH" pubkey <"$tmp/sk")" "$want"
fi

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
