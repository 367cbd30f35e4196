/* Signed netconfigs (sign.h): signing, verifying, accepting a version. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/base64.h"
#include "common/util.h"
#include "netconf/sign.h"

#define CTX_LEN		(sizeof(NETCONF_SIGN_CONTEXT) - 1)
#define SIG_TEXT_LEN	BASE64_LEN(NETCONF_SIG_LEN)

static const char *const verdict_names[NCV_COUNT] = {
	[NCV_OK] = "ok",
	[NCV_SAME] = "same",
	[NCV_UNSIGNED] = "unsigned",
	[NCV_NO_ADMIN] = "no-admin",
	[NCV_NOT_ADMIN] = "not-admin",
	[NCV_BAD_SIGNATURE] = "bad-signature",
	[NCV_NO_VERSION] = "no-version",
	[NCV_ROLLBACK] = "rollback",
	[NCV_SAME_VERSION] = "same-version",
	[NCV_CHANGE] = "change",
	[NCV_SELF] = "self",
	[NCV_TOO_BIG] = "too-big",
	[NCV_BAD_HASH] = "bad-hash",
	[NCV_MALFORMED] = "malformed",
	[NCV_FORK] = "fork",
};

void
netconf_hash(const char *buf, size_t len, uint8_t out[NETCONF_HASH_LEN])
{
	crypto_generichash(out, NETCONF_HASH_LEN, (const uint8_t *)buf, len,
	    NULL, 0);
}

const char *
netconf_verdict_name(enum nc_verdict v)
{
	return (unsigned)v < NCV_COUNT ? verdict_names[v] : "unknown";
}

static int
is_admin(const struct netconf *nc, const uint8_t key[KEY_LEN])
{
	size_t	i;

	for (i = 0; i < nc->nadmins; i++)
		if (memcmp(nc->admins[i], key, KEY_LEN) == 0)
			return 1;
	return 0;
}

/* The context and the signed bytes, in one buffer: Ed25519 signs one
 * message. NULL when out of memory. */
static uint8_t *
message(const char *body, size_t len, size_t *mlen)
{
	uint8_t	*m;

	if ((m = malloc(CTX_LEN + len + 1)) == NULL)
		return NULL;
	memcpy(m, NETCONF_SIGN_CONTEXT, CTX_LEN);
	memcpy(m + CTX_LEN, body, len);
	*mlen = CTX_LEN + len;
	return m;
}

int
netconf_verify(const char *buf, size_t len, const struct netconf *nc,
    char *err, size_t errlen)
{
	uint8_t	*m;
	size_t	 mlen;
	int	 rc;

	if (nc->sig_line == 0)
		return util_errf(err, errlen, "not signed");
	if ((m = message(buf, netconf_signed_len(buf, len), &mlen)) == NULL)
		return util_errf(err, errlen, "out of memory");
	rc = crypto_sign_verify_detached(nc->sig, m, mlen, nc->sig_key);
	free(m);
	if (rc != 0)
		return util_errf(err, errlen,
		    "bad signature on line %d: the file "
		    "was changed after it was signed, or the signature is "
		    "forged", nc->sig_line);
	return 0;
}

/* The checks of netconf_sign that need prev. */
static int
sign_over(const struct netconf *nc, const uint8_t pk[KEY_LEN],
    const struct netconf *prev, char *err, size_t errlen)
{
	char	msg[256];

	if (!is_admin(prev, pk))
		return util_errf(err, errlen,
		    "this admin key is not an admin of "
		    "the previous version; only its admins can sign the "
		    "next one");
	if (nc->version <= prev->version)
		return util_errf(err, errlen,
		    "version %llu is not higher than the "
		    "previous version %llu; members refuse it",
		    (unsigned long long)nc->version,
		    (unsigned long long)prev->version);
	if (netconf_reload_check(prev, nc, NULL, msg, sizeof(msg)) != 0)
		return util_errf(err, errlen, "members refuse it: %s", msg);
	return 0;
}

int
netconf_sign(const char *buf, size_t len, const struct netconf *nc,
    const uint8_t sk[ADMIN_SK_LEN], const struct netconf *prev,
    char **out, size_t *outlen, char *err, size_t errlen)
{
	uint8_t	 pk[KEY_LEN], sig[NETCONF_SIG_LEN], *m;
	char	 ktext[KEY_TEXT_LEN + 1], stext[SIG_TEXT_LEN + 1], *o;
	size_t	 blen, mlen, n;

	admin_public(pk, sk);
	if (nc->version_line == 0)
		return util_errf(err, errlen, "no \"version N\" line; a signed "
		    "netconfig needs one, higher than the members' current "
		    "version");
	if (prev != NULL) {
		if (sign_over(nc, pk, prev, err, errlen) == -1)
			return -1;
	} else if (!is_admin(nc, pk)) {
		key_to_text(ktext, pk);
		return util_errf(err, errlen,
		    "this admin key (%s) is not listed by "
		    "an \"admin\" line; to sign a version that removes it, "
		    "name the previous version (previous FILE)", ktext);
	}
	blen = nc->sig_line != 0 ? netconf_signed_len(buf, len) : len;
	/* the signature line starts a line of its own */
	n = blen > 0 && buf[blen - 1] != '\n' ? 1 : 0;
	if ((o = malloc(blen + n + 128 + SIG_TEXT_LEN)) == NULL)
		return util_errf(err, errlen, "out of memory");
	memcpy(o, buf, blen);
	if (n)
		o[blen++] = '\n';
	if ((m = message(o, blen, &mlen)) == NULL) {
		free(o);
		return util_errf(err, errlen, "out of memory");
	}
	crypto_sign_detached(sig, NULL, m, mlen, sk);
	free(m);
	key_to_text(ktext, pk);
	base64_encode(stext, sig, sizeof(sig));
	blen += (size_t)sprintf(o + blen, "signature %s %s\n", ktext, stext);
	*out = o;
	*outlen = blen;
	return 0;
}

/* The version rule: higher than cur's, or the very same file. */
static enum nc_verdict
check_version(const struct netconf *cur, const struct netconf *cand,
    char *why, size_t whylen)
{
	unsigned long long	c = cur->version, n = cand->version;

	if (n > c)
		return NCV_OK;
	if (n == c && cur->sig_line != 0 &&
	    memcmp(cur->sig, cand->sig, NETCONF_SIG_LEN) == 0 &&
	    memcmp(cur->sig_key, cand->sig_key, KEY_LEN) == 0) {
		snprintf(why, whylen, "version %llu is the one running", n);
		return NCV_SAME;
	}
	if (n == c) {
		snprintf(why, whylen, "version %llu is the one running, with "
		    "other contents: a new version needs a higher number", n);
		return NCV_SAME_VERSION;
	}
	snprintf(why, whylen, "version %llu is older than the running "
	    "version %llu (a replayed file?)", n, c);
	return NCV_ROLLBACK;
}

enum nc_verdict
netconf_accept(const struct netconf *cur, const struct netconf *cand,
    const char *buf, size_t len, const uint8_t self[KEY_LEN], unsigned flags,
    char *why, size_t whylen)
{
	const struct netconf	*authority = NULL;
	char			 ktext[KEY_TEXT_LEN + 1];
	enum nc_verdict		 v;
	int			 local = (flags & NETCONF_ACCEPT_LOCAL) != 0;
	int			 rc, check_sig = 0;

	snprintf(why, whylen, "accepted");
	if (cand->sig_line == 0) {
		if (!local) {
			snprintf(why, whylen, "not signed");
			return NCV_UNSIGNED;
		}
		if (cur != NULL && cur->sig_line != 0) {
			snprintf(why, whylen, "not signed, but the running "
			    "netconfig is (version %llu): sign this one, or "
			    "restart the daemon to go back to an unsigned "
			    "netconfig", (unsigned long long)cur->version);
			return NCV_UNSIGNED;
		}
	} else if (cur != NULL && cur->nadmins > 0)
		authority = cur;
	else if (local)
		check_sig = 1;	/* root's own file: how a network starts */
	else if (cur == NULL)
		authority = cand;
	else {
		snprintf(why, whylen, "the running netconfig names no admin: "
		    "it changes only by a local edit and mesh reload");
		return NCV_NO_ADMIN;
	}
	if (authority != NULL || check_sig) {
		if (authority != NULL && !is_admin(authority, cand->sig_key)) {
			key_to_text(ktext, cand->sig_key);
			snprintf(why, whylen, "signed by %s, not an admin of "
			    "the %s netconfig", ktext, authority == cur ?
			    "running" : "signed");
			return NCV_NOT_ADMIN;
		}
		if (netconf_verify(buf, len, cand, why, whylen) == -1)
			return NCV_BAD_SIGNATURE;
		if (cand->version_line == 0) {
			snprintf(why, whylen, "signed, but has no version");
			return NCV_NO_VERSION;
		}
		if (authority != NULL && authority == cur &&
		    (v = check_version(cur, cand, why, whylen)) != NCV_OK)
			return v;
	}
	if (cur == NULL || (rc = netconf_reload_check(cur, cand, self, why,
	    whylen)) == 0)
		return NCV_OK;
	return rc == NETCONF_CHANGE_SELF ? NCV_SELF : NCV_CHANGE;
}
