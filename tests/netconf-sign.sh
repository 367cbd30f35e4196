#!/bin/sh
# Admin keys and signed netconfigs from the command line: mesh genkey
# admin, mesh pubkey of an admin key, mesh sign (refusals included), and
# mesh check on signed files, alone and against a previous version.
. "${top_srcdir:-.}/tests/lib.sh"
set -u
tmp=$(mktemp -d) || hard "mktemp"
trap 'rm -rf "$tmp"' EXIT
umask 077
cd "$tmp" || hard "cd"

"$MESH" genkey admin >a.sk 2>err || fail "genkey admin failed"
[ -s err ] && fail "genkey admin wrote on stderr: $(cat err)"
[ "$(wc -c <a.sk)" = 87 ] || fail "admin key is not 86 chars + newline"
"$MESH" pubkey <a.sk >a.pk || fail "pubkey of an admin key"
[ "$(wc -c <a.pk)" = 44 ] || fail "admin public key is not 43 chars"
expect_eq "pubkey is deterministic" "$("$MESH" pubkey <a.sk)" "$(cat a.pk)"
"$MESH" genkey admin >b.sk || fail "genkey admin (b)"
[ "$(cat a.sk)" != "$(cat b.sk)" ] || fail "two admin keys are the same"
A=$(cat a.pk)
B=$("$MESH" pubkey <b.sk)
"$MESH" genkey >m.sk 2>/dev/null || fail "genkey"
M=$("$MESH" pubkey <m.sk)
"$MESH" genkey admin x >/dev/null 2>&1
expect_eq "genkey admin x exit" "$?" 2

cat >v1.net <<EOT
name lab
subnet 10.1.0.0/24
version 1
admin $A
trust alpha $M
EOT
"$MESH" sign v1.net private-key a.sk >s1.net 2>err || fail "sign: $(cat err)"
[ -s err ] && fail "sign to stdout wrote on stderr: $(cat err)"
head -n 5 s1.net | cmp -s - v1.net || fail "sign changed the signed part"
[ "$(wc -l <s1.net)" = 6 ] || fail "signed file is not 6 lines"
tail -n 1 s1.net | grep -q "^signature $A [A-Za-z0-9_-]\{86\}\$" ||
	fail "no signature line: $(tail -n 1 s1.net)"
"$MESH" check s1.net >out 2>err || fail "check signed: $(cat err)"
grep -q "^version  *1\$" out || fail "check: no version line"
grep -q "^admin  *$A\$" out || fail "check: no admin line"
grep -q "^signed  *by $A\$" out || fail "check: no signed line"
# output FILE, and signing again replaces the signature (in place)
"$MESH" sign s1.net private-key a.sk output s1b.net 2>err ||
	fail "sign output: $(cat err)"
expect_eq "sign output message" "$(cat err)" "mesh sign: s1b.net: version 1 signed"
cmp -s s1.net s1b.net || fail "re-signing a signed file changed it"
cp s1b.net inplace.net
chmod 644 inplace.net
"$MESH" sign inplace.net private-key a.sk output inplace.net 2>/dev/null ||
	fail "sign in place"
cmp -s s1.net inplace.net || fail "signing in place changed the file"
# the file replaced keeps its mode (umask 077 here): the daemon reads it
expect_eq "mode kept" "$(stat -c %a inplace.net)" 644

# a byte changed after signing
sed 's/alpha/alfa/' s1.net >forged.net
"$MESH" check forged.net >out 2>err
expect_eq "forged exit" "$?" 1
expect_eq "forged" "$(cat err)" "forged.net: bad signature on line 6: the file was changed after it was signed, or the signature is forged"
[ -s out ] && fail "forged: printed on stdout"

# sign refusals
"$MESH" sign v1.net private-key b.sk >/dev/null 2>err
expect_eq "non-admin exit" "$?" 1
expect_eq "non-admin" "$(cat err)" "mesh sign: v1.net: this admin key ($B) is not listed by an \"admin\" line; to sign a version that removes it, name the previous version (previous FILE)"
"$MESH" sign v1.net private-key m.sk >/dev/null 2>err
expect_eq "member key exit" "$?" 1
expect_eq "member key" "$(cat err)" "mesh sign: m.sk: 43 characters: a public key or a member's private key, not an admin private key (86 characters, made by mesh genkey admin)"
grep -v '^version' v1.net >nov.net
"$MESH" sign nov.net private-key a.sk >/dev/null 2>err
expect_eq "no version" "$(cat err)" "mesh sign: nov.net: no \"version N\" line; a signed netconfig needs one, higher than the members' current version"
cp a.sk open.sk
chmod 644 open.sk
"$MESH" sign v1.net private-key open.sk >/dev/null 2>err
expect_eq "open key exit" "$?" 1
grep -q "^mesh sign: open.sk: admin key is accessible by group or others" err ||
	fail "open key: $(cat err)"
"$MESH" sign v1.net >/dev/null 2>&1
expect_eq "sign without key exit" "$?" 2
"$MESH" sign v1.net private-key a.sk private-key a.sk >/dev/null 2>&1
expect_eq "sign twice the key exit" "$?" 2

# v2 hands over to B, signed by A; v3, signed by B, drops A
sed -e 's/^version 1$/version 2/' -e "s/^admin .*/admin $A\\
admin $B/" v1.net >v2.net
"$MESH" sign v2.net private-key a.sk output s2.net 2>/dev/null || fail "sign v2"
"$MESH" check s2.net previous s1.net >/dev/null 2>err ||
	fail "v2 after v1: $(cat err)"
sed -e 's/^version 2$/version 3/' -e "/^admin $A\$/d" v2.net >v3.net
"$MESH" sign v3.net private-key b.sk previous s2.net output s3.net \
    2>/dev/null || fail "sign v3"
"$MESH" check s3.net previous s2.net >/dev/null 2>err ||
	fail "v3 after v2: $(cat err)"
# the old file replayed to a member on v3; A signing after its removal
"$MESH" check s2.net previous s3.net >/dev/null 2>err
expect_eq "replay exit" "$?" 1
expect_eq "replay" "$(cat err)" "s2.net: a member running s3.net refuses it (not-admin): signed by $A, not an admin of the running netconfig"
"$MESH" check s3.net previous s3.net >/dev/null 2>err
expect_eq "same version" "$(cat err)" "s3.net: a member running s3.net refuses it (same): version 3 is the one running"
sed 's/^version 3$/version 2/' v3.net >old.net
"$MESH" sign old.net private-key b.sk output old-s.net 2>/dev/null ||
	fail "sign old"
"$MESH" check old-s.net previous s3.net >/dev/null 2>err
expect_eq "rollback" "$(cat err)" "old-s.net: a member running s3.net refuses it (rollback): version 2 is older than the running version 3 (a replayed file?)"
"$MESH" sign v3.net private-key a.sk previous s3.net >/dev/null 2>err
expect_eq "removed admin" "$(cat err)" "mesh sign: v3.net: this admin key is not an admin of the previous version; only its admins can sign the next one"
# the subnet changed
sed -e 's/^version 3$/version 4/' -e 's/^subnet .*/subnet 10.2.0.0\/24/' \
    v3.net >v4.net
"$MESH" sign v4.net private-key b.sk previous s3.net >/dev/null 2>err
expect_eq "subnet" "$(cat err)" "mesh sign: v4.net: members refuse it: network name, namespace or subnet changed: restart the daemon"
"$MESH" check s1.net previous >/dev/null 2>&1
expect_eq "check previous without file" "$?" 2
exit 0
