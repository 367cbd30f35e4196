/* sign.c, adminkey.c, netconf-admin.c: the signing directives, admin keys,
 * signatures and the rule by which a member accepts a new netconfig. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "common/base64.h"
#include "netconf/adminkey.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"
#include "t.h"

/* Admin key number i, the same on every run. */
static void
admin(int i, uint8_t sk[ADMIN_SK_LEN], uint8_t pk[KEY_LEN])
{
	uint8_t	seed[32];

	memset(seed, 0, sizeof(seed));
	seed[0] = (uint8_t)i;
	seed[1] = 0xad;
	crypto_sign_seed_keypair(pk, sk, seed);
}

static const char *
apk(int i)
{
	static char	text[4][KEY_TEXT_LEN + 1];
	static int	slot;
	uint8_t		sk[ADMIN_SK_LEN], pk[KEY_LEN];
	char		*t = text[slot++ % 4];

	admin(i, sk, pk);
	key_to_text(t, pk);
	return t;
}

/* Synthetic member key number i (the configs have workbit 0). */
static const char *
mk(int i)
{
	static char	text[4][KEY_TEXT_LEN + 1];
	static int	slot;
	uint8_t		key[KEY_LEN];
	char		*t = text[slot++ % 4];

	memset(key, 0, sizeof(key));
	key[0] = (uint8_t)i;
	key[31] = 0x42;
	key_to_text(t, key);
	return t;
}

static void
mkbin(int i, uint8_t key[KEY_LEN])
{
	const char	*t = mk(i);

	key_from_text(key, t, strlen(t));
}

/* A netconfig in a static buffer (one of two, to hold cur and cand). */
static char *
cfg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
cfg(const char *fmt, ...)
{
	static char	buf[2][4096];
	static int	slot;
	char		*b = buf[slot++ % 2];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(buf[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* A parsed netconfig and its bytes. */
struct doc {
	char		*buf;
	size_t		 len;
	struct netconf	 nc;
};

static int
doc_parse(struct doc *d, const char *text, size_t len)
{
	char	err[512];
	int	line;

	d->buf = malloc(len + 1);
	memcpy(d->buf, text, len);
	d->buf[len] = '\0';
	d->len = len;
	if (netconf_parse(d->buf, len, &d->nc, &line, err, sizeof(err))) {
		T_FAIL("line %d: %s\n%s", line, err, text);
		return -1;
	}
	return 0;
}

static void
doc_free(struct doc *d)
{
	free(d->buf);
	netconf_free(&d->nc);
	memset(d, 0, sizeof(*d));
}

/* text signed by admin a (over prev if not NULL), parsed into d. */
static int
signed_doc(struct doc *d, const char *text, int a, const struct doc *prev)
{
	struct doc	u;
	uint8_t		sk[ADMIN_SK_LEN], pk[KEY_LEN];
	char		err[512], *out;
	size_t		outlen;
	int		rc;

	if (doc_parse(&u, text, strlen(text)) == -1)
		return -1;
	admin(a, sk, pk);
	rc = netconf_sign(u.buf, u.len, &u.nc, sk, prev ? &prev->nc : NULL,
	    &out, &outlen, err, sizeof(err));
	doc_free(&u);
	if (rc == -1) {
		T_FAIL("sign: %s\n%s", err, text);
		return -1;
	}
	rc = doc_parse(d, out, outlen);
	free(out);
	return rc;
}

/* The network: admins A (1), members 1-3; me is member 1. */
#define BASE	"name lab\nworkbit 0\nsubnet 10.7.0.0/24\n"

static enum nc_verdict
accept(const struct doc *cur, const struct doc *cand, unsigned flags)
{
	uint8_t	me[KEY_LEN];
	char	why[512];

	mkbin(1, me);
	return netconf_accept(cur ? &cur->nc : NULL, &cand->nc, cand->buf,
	    cand->len, me, flags, why, sizeof(why));
}

static void
expect_err(const char *s, int line, const char *msg)
{
	struct netconf	nc;
	char		err[512];
	int		l = -5;

	if (netconf_parse(s, strlen(s), &nc, &l, err, sizeof(err)) != -1) {
		T_FAIL("accepted:\n%s", s);
		netconf_free(&nc);
		return;
	}
	if (l != line || strcmp(err, msg) != 0)
		T_FAIL("got %d: %s\nexpected %d: %s\nfor:\n%s", l, err, line,
		    msg, s);
}

T_TEST(directives)
{
	struct doc	d;
	uint8_t		sk[ADMIN_SK_LEN], pk[KEY_LEN];
	char		sig[BASE64_LEN(64) + 1];

	T_ASSERT(doc_parse(&d, BASE "version 7\n", strlen(BASE "version 7\n"))
	    == 0);
	T_EQ_INT(d.nc.version, 7);
	T_EQ_INT(d.nc.version_line, 4);
	T_EQ_INT(d.nc.nadmins, 0);
	T_EQ_INT(d.nc.sig_line, 0);
	doc_free(&d);

	admin(1, sk, pk);
	{
		char	*t = cfg(BASE "admin %s\n# comment\nadmin %s\n"
		    "version 18446744073709551615\n", apk(1), apk(2));

		T_ASSERT(doc_parse(&d, t, strlen(t)) == 0);
		T_EQ_INT(d.nc.nadmins, 2);
		T_EQ_MEM(d.nc.admins[0], pk, KEY_LEN);
		T_EQ_INT(d.nc.admin_lines[1], 6);
		T_ASSERT(d.nc.version == UINT64_MAX);
		doc_free(&d);
	}

	expect_err(BASE "version 0\n", 4, "expected a version from 1 to "
	    "18446744073709551615 (decimal, no leading zeros), got \"0\"");
	expect_err(BASE "version 01\n", 4, "expected a version from 1 to "
	    "18446744073709551615 (decimal, no leading zeros), got \"01\"");
	expect_err(BASE "version -1\n", 4, "expected a version from 1 to "
	    "18446744073709551615 (decimal, no leading zeros), got \"-1\"");
	expect_err(BASE "version 18446744073709551616\n", 4, "expected a "
	    "version from 1 to 18446744073709551615 (decimal, no leading "
	    "zeros), got \"18446744073709551616\"");
	expect_err(BASE "version 1x\n", 4, "expected a version from 1 to "
	    "18446744073709551615 (decimal, no leading zeros), got \"1x\"");
	expect_err(BASE "version 1\nversion 2\n", 5,
	    "duplicate \"version\" directive; first on line 4");
	expect_err(BASE "version\n", 4,
	    "missing argument; expected \"version N\"");
	expect_err(BASE "admin nope\n", 4, "expected an admin public key (43 "
	    "characters of base64url), got \"nope\"");
	expect_err(cfg(BASE "admin %s\nadmin %s\n", apk(1), apk(1)), 5,
	    "duplicate admin key; first on line 4");
	{
		char	skt[ADMIN_SK_TEXT_LEN + 1];

		admin_to_text(skt, sk);
		expect_err(cfg(BASE "admin %s\n", skt), 4, "expected an admin "
		    "public key (43 characters of base64url), got an admin "
		    "private key; write what \"mesh pubkey < admin.sk\" "
		    "prints");
	}
	{
		char	big[4096];
		size_t	o = 0;
		int	i;

		o += (size_t)snprintf(big, sizeof(big), BASE);
		for (i = 0; i <= NETCONF_MAX_ADMINS; i++)
			o += (size_t)snprintf(big + o, sizeof(big) - o,
			    "admin %s\n", apk(i + 1));
		expect_err(big, 4 + NETCONF_MAX_ADMINS,
		    "too many admin lines (at most 16)");
	}
	memset(sig, 'A', BASE64_LEN(64));
	sig[BASE64_LEN(64)] = '\0';
	expect_err(cfg(BASE "signature %s %s\ntrust %s\n", apk(1), sig,
	    mk(1)), 4, "expected the signature line to be the file's last "
	    "line (it signs every byte before it); nothing may follow it, "
	    "not even a blank line");
	expect_err(cfg(BASE "signature %s %s\n\n", apk(1), sig), 4,
	    "expected the signature line to be the file's last line (it "
	    "signs every byte before it); nothing may follow it, not even a "
	    "blank line");
	expect_err(cfg(BASE "signature %s short\n", apk(1)), 4, "expected a "
	    "signature (86 characters of base64url), got \"short\"");
	expect_err(cfg(BASE "signature x %s\n", sig), 4, "expected the "
	    "signing admin's public key (43 characters of base64url), got "
	    "\"x\"");
	expect_err(cfg(BASE "signature %s\n", apk(1)), 4, "missing argument; "
	    "expected \"signature KEY SIGNATURE\"");
	/* the last line, with or without its newline */
	T_ASSERT(doc_parse(&d, cfg(BASE "signature %s %s", apk(1), sig),
	    strlen(BASE) + 10 + 43 + 1 + 86) == 0);
	T_EQ_INT(d.nc.sig_line, 4);
	doc_free(&d);
}

T_TEST(signed_len)
{
	T_EQ_INT(netconf_signed_len("a\nb\nsig x\n", 10), 4);
	T_EQ_INT(netconf_signed_len("a\nb\nsig x", 9), 4);
	T_EQ_INT(netconf_signed_len("sig x\n", 6), 0);
	T_EQ_INT(netconf_signed_len("", 0), 0);
	T_EQ_INT(netconf_signed_len("a\r\nsig\r\n", 8), 3);
}

T_TEST(admin_keys)
{
	uint8_t		 sk[ADMIN_SK_LEN], sk2[ADMIN_SK_LEN], pk[KEY_LEN];
	uint8_t		 pk2[KEY_LEN];
	char		 text[ADMIN_SK_TEXT_LEN + 8];
	const char	*why;

	admin_generate(sk);
	admin_public(pk, sk);
	admin_to_text(text, sk);
	T_EQ_INT(strlen(text), 86);
	T_EQ_INT(admin_parse_buffer(sk2, text, strlen(text), &why), 0);
	T_EQ_MEM(sk, sk2, sizeof(sk));
	admin_public(pk2, sk2);
	T_EQ_MEM(pk, pk2, sizeof(pk));
	/* blanks around it are fine */
	memmove(text + 2, text, 87);
	text[0] = ' ';
	text[1] = '\n';
	T_EQ_INT(admin_parse_buffer(sk2, text, strlen(text), &why), 0);
	/* a member key is not an admin key, and the other way round */
	T_EQ_INT(admin_parse_buffer(sk2, mk(1), 43, &why), -1);
	T_EQ_STR(why, "43 characters: a public key or a member's private key, "
	    "not an admin private key (86 characters, made by mesh genkey "
	    "admin)");
	admin_to_text(text, sk);
	T_EQ_INT(key_parse_buffer(pk2, text, strlen(text), &why), -1);
	/* a damaged key: the public half no longer matches */
	sk[40] ^= 1;
	admin_to_text(text, sk);
	T_EQ_INT(admin_parse_buffer(sk2, text, strlen(text), &why), -1);
	T_EQ_STR(why, "damaged admin key: its public half does not match its "
	    "private half");
	T_EQ_INT(admin_parse_buffer(sk2, "x", 1, &why), -1);
	T_EQ_INT(admin_parse_buffer(sk2, "", 0, &why), -1);
	T_EQ_STR(why, "no key found");
}

T_TEST(sign_and_verify)
{
	struct doc	 d, u;
	uint8_t		 sk[ADMIN_SK_LEN], pk[KEY_LEN];
	char		 err[512], *out, *t;
	size_t		 outlen;

	/* no version: refused */
	t = cfg(BASE "admin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(doc_parse(&u, t, strlen(t)) == 0);
	admin(1, sk, pk);
	T_EQ_INT(netconf_sign(u.buf, u.len, &u.nc, sk, NULL, &out, &outlen,
	    err, sizeof(err)), -1);
	T_EQ_STR(err, "no \"version N\" line; a signed netconfig needs one, "
	    "higher than the members' current version");
	doc_free(&u);
	/* not an admin of the file */
	t = cfg(BASE "version 1\nadmin %s\n", apk(1));
	T_ASSERT(doc_parse(&u, t, strlen(t)) == 0);
	admin(2, sk, pk);
	T_EQ_INT(netconf_sign(u.buf, u.len, &u.nc, sk, NULL, &out, &outlen,
	    err, sizeof(err)), -1);
	doc_free(&u);

	/* no final newline: one is added before the signature line */
	t = cfg(BASE "version 1\nadmin %s\ntrust %s", apk(1), mk(1));
	T_ASSERT(signed_doc(&d, t, 1, NULL) == 0);
	T_EQ_INT(memcmp(d.buf, t, strlen(t)), 0);
	T_EQ_INT(d.buf[strlen(t)], '\n');
	T_EQ_INT(d.nc.sig_line, 7);
	T_EQ_INT(netconf_verify(d.buf, d.len, &d.nc, err, sizeof(err)), 0);
	T_EQ_INT(d.buf[d.len - 1], '\n');
	/* signing a signed file replaces its signature: the same bytes
	 * (Ed25519 is deterministic) */
	T_ASSERT(signed_doc(&u, d.buf, 1, NULL) == 0);
	T_EQ_INT(u.len, d.len);
	T_EQ_MEM(u.buf, d.buf, d.len);
	doc_free(&u);
	/* every byte counts, comments too */
	d.buf[0] = 'N';
	T_EQ_INT(netconf_verify(d.buf, d.len, &d.nc, err, sizeof(err)), -1);
	T_EQ_STR(err, "bad signature on line 7: the file was changed after "
	    "it was signed, or the signature is forged");
	doc_free(&d);

	/* the context is signed too: a bare Ed25519 signature of the bytes
	 * is not a netconfig signature */
	{
		uint8_t	sig[64];
		char	st[BASE64_LEN(64) + 1], buf[4096];

		t = cfg(BASE "version 1\nadmin %s\n", apk(1));
		admin(1, sk, pk);
		crypto_sign_detached(sig, NULL, (const uint8_t *)t, strlen(t),
		    sk);
		base64_encode(st, sig, sizeof(sig));
		snprintf(buf, sizeof(buf), "%ssignature %s %s\n", t, apk(1),
		    st);
		T_ASSERT(doc_parse(&d, buf, strlen(buf)) == 0);
		T_EQ_INT(netconf_verify(d.buf, d.len, &d.nc, err,
		    sizeof(err)), -1);
		T_EQ_INT(accept(NULL, &d, 0), NCV_BAD_SIGNATURE);
		doc_free(&d);
	}
}

/* text signed by admin a whatever it says, parsed into d. */
static int
raw_signed_doc(struct doc *d, const char *text, int a)
{
	uint8_t	sk[ADMIN_SK_LEN], pk[KEY_LEN], sig[64], *m;
	char	st[BASE64_LEN(64) + 1], kt[KEY_TEXT_LEN + 1], buf[4096];
	size_t	ctx = strlen(NETCONF_SIGN_CONTEXT), n = strlen(text);

	admin(a, sk, pk);
	m = malloc(ctx + n);
	memcpy(m, NETCONF_SIGN_CONTEXT, ctx);
	memcpy(m + ctx, text, n);
	crypto_sign_detached(sig, NULL, m, ctx + n, sk);
	free(m);
	base64_encode(st, sig, sizeof(sig));
	key_to_text(kt, pk);
	snprintf(buf, sizeof(buf), "%ssignature %s %s\n", text, kt, st);
	return doc_parse(d, buf, strlen(buf));
}

T_TEST(accept_rule)
{
	struct doc	v1, c;
	char		*t, why[512];

	t = cfg(BASE "version 5\nadmin %s\ntrust %s\ntrust %s\n", apk(1),
	    mk(1), mk(2));
	T_ASSERT(signed_doc(&v1, t, 1, NULL) == 0);
	/* nothing running yet (mesh up, mesh check): its own admin */
	T_EQ_INT(accept(NULL, &v1, 0), NCV_OK);

	/* a good update: a member added */
	t = cfg(BASE "version 6\nadmin %s\ntrust %s\ntrust %s\ntrust %s\n",
	    apk(1), mk(1), mk(2), mk(3));
	T_ASSERT(signed_doc(&c, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_OK);
	/* ... and the old one replayed to a member running it */
	T_EQ_INT(accept(&c, &v1, 0), NCV_ROLLBACK);
	T_EQ_INT(accept(&c, &v1, NETCONF_ACCEPT_LOCAL), NCV_ROLLBACK);
	/* the very same file again */
	T_EQ_INT(accept(&c, &c, 0), NCV_SAME);
	/* a byte changed after signing */
	c.buf[c.len - 200] ^= 0x20;
	T_EQ_INT(accept(&v1, &c, 0), NCV_BAD_SIGNATURE);
	doc_free(&c);

	/* same version, other contents */
	t = cfg(BASE "version 5\nadmin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(signed_doc(&c, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_SAME_VERSION);
	doc_free(&c);

	/* signed by a non-admin (B signs a file that lists only A) */
	t = cfg(BASE "version 9\nadmin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(raw_signed_doc(&c, t, 2) == 0);
	T_EQ_INT(netconf_verify(c.buf, c.len, &c.nc, why, sizeof(why)), 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_NOT_ADMIN);
	T_EQ_INT(accept(NULL, &c, 0), NCV_NOT_ADMIN);
	doc_free(&c);
	/* signed without a version */
	t = cfg(BASE "admin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(raw_signed_doc(&c, t, 1) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_NO_VERSION);
	doc_free(&c);
	t = cfg(BASE "version 9\nadmin %s\nadmin %s\ntrust %s\n", apk(1),
	    apk(2), mk(1));
	T_ASSERT(signed_doc(&c, t, 2, NULL) == 0);
	/* B is an admin of the candidate only: anyone could list
	 * themselves */
	T_EQ_INT(accept(&v1, &c, 0), NCV_NOT_ADMIN);
	T_EQ_INT(accept(&v1, &c, NETCONF_ACCEPT_LOCAL), NCV_NOT_ADMIN);
	doc_free(&c);

	/* a forged signature: A's key named, someone else's signature */
	{
		struct doc	f;
		char		buf[4096];
		size_t		n;

		t = cfg(BASE "version 9\nadmin %s\nadmin %s\n", apk(1),
		    apk(2));
		T_ASSERT(signed_doc(&f, t, 2, NULL) == 0);
		/* swap the signer's key for A's */
		n = netconf_signed_len(f.buf, f.len);
		snprintf(buf, sizeof(buf), "%.*ssignature %s %s", (int)n,
		    f.buf, apk(1), f.buf + n + 10 + 43 + 1);
		doc_free(&f);
		T_ASSERT(doc_parse(&f, buf, strlen(buf)) == 0);
		T_EQ_INT(accept(&v1, &f, 0), NCV_BAD_SIGNATURE);
		doc_free(&f);
	}

	/* the subnet changed */
	t = cfg("name lab\nworkbit 0\nsubnet 10.8.0.0/24\nversion 7\n"
	    "admin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(signed_doc(&c, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_CHANGE);
	doc_free(&c);
	/* the workbit, the name */
	t = cfg("name lab\nworkbit 1\nsubnet 10.7.0.0/24\nversion 7\n"
	    "admin %s\n", apk(1));
	T_ASSERT(signed_doc(&c, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_CHANGE);
	doc_free(&c);
	/* this member's own key removed, or its address moved */
	t = cfg(BASE "version 7\nadmin %s\ntrust %s\n", apk(1), mk(2));
	T_ASSERT(signed_doc(&c, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_SELF);
	doc_free(&c);
	t = cfg(BASE "version 7\nadmin %s\ntrust %s\ntrust %s\n", apk(1),
	    mk(2), mk(1));
	T_ASSERT(signed_doc(&c, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_SELF);
	doc_free(&c);

	/* not signed, or without a version */
	t = cfg(BASE "version 7\nadmin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(doc_parse(&c, t, strlen(t)) == 0);
	T_EQ_INT(accept(&v1, &c, 0), NCV_UNSIGNED);
	/* a local unsigned file does not replace a signed one */
	T_EQ_INT(accept(&v1, &c, NETCONF_ACCEPT_LOCAL), NCV_UNSIGNED);
	doc_free(&c);
	doc_free(&v1);
}

T_TEST(unsigned_networks)
{
	struct doc	u1, u2, s1;
	char		*t;

	t = cfg(BASE "trust %s\n", mk(1));
	T_ASSERT(doc_parse(&u1, t, strlen(t)) == 0);
	t = cfg(BASE "trust %s\ntrust %s\n", mk(1), mk(2));
	T_ASSERT(doc_parse(&u2, t, strlen(t)) == 0);
	/* as today: a local edit replaces an unsigned netconfig */
	T_EQ_INT(accept(&u1, &u2, NETCONF_ACCEPT_LOCAL), NCV_OK);
	T_EQ_INT(accept(NULL, &u2, NETCONF_ACCEPT_LOCAL), NCV_OK);
	/* ... but nothing from the network does */
	T_EQ_INT(accept(&u1, &u2, 0), NCV_UNSIGNED);
	t = cfg(BASE "version 1\nadmin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(signed_doc(&s1, t, 1, NULL) == 0);
	T_EQ_INT(accept(&u1, &s1, 0), NCV_NO_ADMIN);
	/* a local signed file starts a network signing, whoever signed it
	 * (root trusts its own file), if the signature is good */
	T_EQ_INT(accept(&u1, &s1, NETCONF_ACCEPT_LOCAL), NCV_OK);
	T_EQ_INT(accept(NULL, &s1, NETCONF_ACCEPT_LOCAL), NCV_OK);
	doc_free(&s1);
	t = cfg(BASE "version 1\nadmin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(raw_signed_doc(&s1, t, 2) == 0);
	T_EQ_INT(accept(&u1, &s1, NETCONF_ACCEPT_LOCAL), NCV_OK);
	T_EQ_INT(accept(NULL, &s1, NETCONF_ACCEPT_LOCAL), NCV_OK);
	T_EQ_INT(accept(NULL, &s1, 0), NCV_NOT_ADMIN);
	s1.buf[0] = 'N';
	T_EQ_INT(accept(&u1, &s1, NETCONF_ACCEPT_LOCAL), NCV_BAD_SIGNATURE);
	T_EQ_INT(accept(NULL, &s1, NETCONF_ACCEPT_LOCAL), NCV_BAD_SIGNATURE);
	/* what reload refuses, it refuses for unsigned files too */
	doc_free(&u2);
	t = cfg(BASE "trust %s\n", mk(2));
	T_ASSERT(doc_parse(&u2, t, strlen(t)) == 0);
	T_EQ_INT(accept(&u1, &u2, NETCONF_ACCEPT_LOCAL), NCV_SELF);
	doc_free(&u1);
	doc_free(&u2);
	doc_free(&s1);
}

/* v2 adds admin B and is signed by A; v3, signed by B, removes A; v4
 * signed by A is then refused. */
T_TEST(admin_rotation)
{
	struct doc	v1, v2, v3, v4;
	char		*t;

	t = cfg(BASE "version 1\nadmin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(signed_doc(&v1, t, 1, NULL) == 0);
	t = cfg(BASE "version 2\nadmin %s\nadmin %s\ntrust %s\n", apk(1),
	    apk(2), mk(1));
	T_ASSERT(signed_doc(&v2, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v1, &v2, 0), NCV_OK);
	t = cfg(BASE "version 3\nadmin %s\ntrust %s\n", apk(2), mk(1));
	T_ASSERT(signed_doc(&v3, t, 2, NULL) == 0);
	T_EQ_INT(accept(&v2, &v3, 0), NCV_OK);
	/* v3 skips v2 for a member still on v1: B is no admin of v1 */
	T_EQ_INT(accept(&v1, &v3, 0), NCV_NOT_ADMIN);
	/* A, removed, can no longer sign */
	t = cfg(BASE "version 4\nadmin %s\nadmin %s\ntrust %s\n", apk(1),
	    apk(2), mk(1));
	T_ASSERT(signed_doc(&v4, t, 1, NULL) == 0);
	T_EQ_INT(accept(&v3, &v4, 0), NCV_NOT_ADMIN);
	doc_free(&v4);
	/* an admin may sign the version that removes it (previous given) */
	t = cfg(BASE "version 4\nadmin %s\ntrust %s\n", apk(2), mk(1));
	T_ASSERT(signed_doc(&v4, t, 1, &v2) == 0);
	T_EQ_INT(accept(&v2, &v4, 0), NCV_OK);
	doc_free(&v1);
	doc_free(&v2);
	doc_free(&v3);
	doc_free(&v4);
}

T_TEST(sign_previous)
{
	struct doc	v1, u;
	uint8_t		sk[ADMIN_SK_LEN], pk[KEY_LEN];
	char		err[512], *out, *t;
	size_t		outlen;

	t = cfg(BASE "version 3\nadmin %s\ntrust %s\n", apk(1), mk(1));
	T_ASSERT(signed_doc(&v1, t, 1, NULL) == 0);
	admin(1, sk, pk);
	t = cfg(BASE "version 3\nadmin %s\n", apk(1));
	T_ASSERT(doc_parse(&u, t, strlen(t)) == 0);
	T_EQ_INT(netconf_sign(u.buf, u.len, &u.nc, sk, &v1.nc, &out, &outlen,
	    err, sizeof(err)), -1);
	T_EQ_STR(err, "version 3 is not higher than the previous version 3; "
	    "members refuse it");
	doc_free(&u);
	t = cfg("name lab\nworkbit 0\nsubnet 10.9.0.0/24\nversion 4\n"
	    "admin %s\n", apk(1));
	T_ASSERT(doc_parse(&u, t, strlen(t)) == 0);
	T_EQ_INT(netconf_sign(u.buf, u.len, &u.nc, sk, &v1.nc, &out, &outlen,
	    err, sizeof(err)), -1);
	T_EQ_STR(err, "members refuse it: network name, namespace or subnet "
	    "changed: restart the daemon");
	doc_free(&u);
	admin(2, sk, pk);
	t = cfg(BASE "version 4\nadmin %s\n", apk(2));
	T_ASSERT(doc_parse(&u, t, strlen(t)) == 0);
	T_EQ_INT(netconf_sign(u.buf, u.len, &u.nc, sk, &v1.nc, &out, &outlen,
	    err, sizeof(err)), -1);
	T_EQ_STR(err, "this admin key is not an admin of the previous "
	    "version; only its admins can sign the next one");
	doc_free(&u);
	doc_free(&v1);
}

T_TEST(reload_check)
{
	struct doc	a, b;
	uint8_t		me[KEY_LEN];
	char		err[256], *t;

	mkbin(1, me);
	t = cfg(BASE "trust %s\n", mk(1));
	T_ASSERT(doc_parse(&a, t, strlen(t)) == 0);
	t = cfg(BASE "trust 10.7.0.9 %s\n", mk(1));
	T_ASSERT(doc_parse(&b, t, strlen(t)) == 0);
	T_EQ_INT(netconf_reload_check(&a.nc, &b.nc, me, err, sizeof(err)),
	    NETCONF_CHANGE_SELF);
	T_EQ_STR(err, "this node's own membership or address changed: "
	    "restart the daemon");
	T_EQ_INT(netconf_reload_check(&a.nc, &b.nc, NULL, err, sizeof(err)),
	    0);
	doc_free(&b);
	t = cfg("name lab\nworkbit 2\nsubnet 10.7.0.0/24\n");
	T_ASSERT(doc_parse(&b, t, strlen(t)) == 0);
	T_EQ_INT(netconf_reload_check(&a.nc, &b.nc, NULL, err, sizeof(err)),
	    NETCONF_CHANGE_WORKBIT);
	T_EQ_STR(err, "workbit changed from 0 to 2: restart the daemon");
	doc_free(&b);
	t = cfg(BASE "domain corp.example\n");
	T_ASSERT(doc_parse(&b, t, strlen(t)) == 0);
	T_EQ_INT(netconf_reload_check(&a.nc, &b.nc, NULL, err, sizeof(err)),
	    NETCONF_CHANGE_DOMAIN);
	T_EQ_STR(err, "domain changed from \"lab.internal\" to "
	    "\"corp.example\": restart the daemon (its registration with the "
	    "resolver needs root)");
	doc_free(&a);
	doc_free(&b);
	T_EQ_STR(netconf_verdict_name(NCV_ROLLBACK), "rollback");
	T_EQ_STR(netconf_verdict_name(NCV_COUNT), "unknown");
}

/* netconf_load's NETCONF_LOAD_VERIFY, as mesh up loads its file. */
T_TEST(load_verify)
{
	struct doc	 d;
	struct netconf	 nc;
	char		 path[] = "/tmp/test-sign-XXXXXX", err[512];
	char		 want[600];
	FILE		*f;
	int		 fd;

	T_ASSERT(signed_doc(&d, cfg(BASE "version 2\nadmin %s\ntrust %s\n",
	    apk(1), mk(1)), 1, NULL) == 0);
	d.buf[5] = 'L';		/* "name Lab": parses, but is not signed */
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		T_FAIL("mkstemp");
		return;
	}
	fwrite(d.buf, 1, d.len, f);
	fclose(f);
	T_EQ_INT(netconf_load(path, 0, &nc, err, sizeof(err)), 0);
	netconf_free(&nc);
	T_EQ_INT(netconf_load(path, NETCONF_LOAD_VERIFY, &nc, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: bad signature on line 7: the file "
	    "was changed after it was signed, or the signature is forged",
	    path);
	T_EQ_STR(err, want);
	T_EQ_INT(nc.nmembers, 0);
	d.buf[5] = 'l';
	f = fopen(path, "w");
	fwrite(d.buf, 1, d.len, f);
	fclose(f);
	T_EQ_INT(netconf_load(path, NETCONF_LOAD_VERIFY, &nc, err,
	    sizeof(err)), 0);
	netconf_free(&nc);
	unlink(path);
	doc_free(&d);
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	T_RUN(directives);
	T_RUN(signed_len);
	T_RUN(admin_keys);
	T_RUN(sign_and_verify);
	T_RUN(accept_rule);
	T_RUN(unsigned_networks);
	T_RUN(admin_rotation);
	T_RUN(sign_previous);
	T_RUN(reload_check);
	T_RUN(load_verify);
	return t_done();
}
