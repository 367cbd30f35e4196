/* The netconfig's signing directives (admin, version, signature) and the
 * pure checks around them: what a reload may not change, and which bytes a
 * signature covers. Pure: no I/O, no globals; the cryptography is sign.c's.
 *
 *	admin KEY		an Ed25519 public key allowed to sign the
 *				next version (repeatable)
 *	version N		the version, 1 to 2^64-1 (absent: 0)
 *	signature KEY SIG	KEY's Ed25519 signature (86 characters of
 *				base64url) of every byte before this line,
 *				which must be the file's last */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/util.h"
#include "netconf/addr.h"
#include "netconf/netconf.h"

#define GOT_MAX		48	/* characters of a bad value quoted back */

/* s in double quotes, cut to GOT_MAX characters, bytes outside printable
 * ASCII escaped (as netconf.c quotes). */
static const char *
quote(char out[GOT_MAX * 4 + 8], const char *s)
{
	size_t	o = 0, n;

	out[o++] = '"';
	for (n = 0; s[n] != '\0' && n < GOT_MAX; n++) {
		unsigned char	c = (unsigned char)s[n];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		} else
			out[o++] = (char)c;
	}
	if (s[n] != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

static int
parse_admin(struct netconf *nc, const char *s, int line, char *err,
    size_t errlen)
{
	char	q[GOT_MAX * 4 + 8];
	size_t	i;

	if (nc->nadmins == NETCONF_MAX_ADMINS)
		return util_errf(err, errlen,
		    "too many admin lines (at most %d)",
		    NETCONF_MAX_ADMINS);
	if (strlen(s) == BASE64_LEN(64))
		return util_errf(err, errlen,
		    "expected an admin public key (43 "
		    "characters of base64url), got an admin private key; "
		    "write what \"mesh pubkey < admin.sk\" prints");
	if (key_from_text(nc->admins[nc->nadmins], s, strlen(s)) == -1)
		return util_errf(err, errlen,
		    "expected an admin public key (43 "
		    "characters of base64url), got %s", quote(q, s));
	for (i = 0; i < nc->nadmins; i++)
		if (memcmp(nc->admins[i], nc->admins[nc->nadmins],
		    KEY_LEN) == 0)
			return util_errf(err, errlen,
			    "duplicate admin key; first "
			    "on line %d", nc->admin_lines[i]);
	nc->admin_lines[nc->nadmins++] = line;
	return 0;
}

static int
parse_version(struct netconf *nc, const char *s, int line, char *err,
    size_t errlen)
{
	char			 q[GOT_MAX * 4 + 8], *end;
	unsigned long long	 v;

	if (nc->version_line != 0)
		return util_errf(err, errlen,
		    "duplicate \"version\" directive; "
		    "first on line %d", nc->version_line);
	/* digits only: strtoull would take "-1", "+1", " 1" and "0x1" */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '1' || s[0] > '9' || *end != '\0' || errno == ERANGE ||
	    strspn(s, "0123456789") != strlen(s))
		return util_errf(err, errlen, "expected a version from 1 to "
		    "18446744073709551615 (decimal, no leading zeros), got %s",
		    quote(q, s));
	nc->version = (uint64_t)v;
	nc->version_line = line;
	return 0;
}

static int
parse_signature(struct netconf *nc, const char *key, const char *sig,
    int line, int last, char *err, size_t errlen)
{
	char	q[GOT_MAX * 4 + 8];

	if (!last)
		return util_errf(err, errlen,
		    "expected the signature line to be "
		    "the file's last line (it signs every byte before it); "
		    "nothing may follow it, not even a blank line");
	if (key_from_text(nc->sig_key, key, strlen(key)) == -1)
		return util_errf(err, errlen,
		    "expected the signing admin's public "
		    "key (43 characters of base64url), got %s", quote(q, key));
	if (base64_decode(nc->sig, sizeof(nc->sig), sig, strlen(sig)) == -1)
		return util_errf(err, errlen,
		    "expected a signature (86 characters "
		    "of base64url), got %s", quote(q, sig));
	nc->sig_line = line;
	return 0;
}

int
netconf_parse_signing(struct netconf *nc, char **av, int ac, int line,
    int last, char *err, size_t errlen)
{
	if (strcmp(av[0], "admin") == 0 && ac == 2)
		return parse_admin(nc, av[1], line, err, errlen);
	if (strcmp(av[0], "version") == 0 && ac == 2)
		return parse_version(nc, av[1], line, err, errlen);
	if (strcmp(av[0], "signature") == 0 && ac == 3)
		return parse_signature(nc, av[1], av[2], line, last, err,
		    errlen);
	return util_errf(err, errlen,
	    "internal error: directive \"%s\"", av[0]);
}

int
netconf_reload_check(const struct netconf *old, const struct netconf *nc,
    const uint8_t self[KEY_LEN], char *err, size_t errlen)
{
	const struct nc_member	*was, *is;

	if (strcmp(nc->name, old->name) != 0 || strcmp(nc->ns, old->ns) ||
	    nc->subnet != old->subnet || nc->prefixlen != old->prefixlen) {
		snprintf(err, errlen, "network name, namespace or subnet "
		    "changed: restart the daemon");
		return NETCONF_CHANGE_NETWORK;
	}
	if (nc->workbit != old->workbit) {
		snprintf(err, errlen, "workbit changed from %u to %u: "
		    "restart the daemon", old->workbit, nc->workbit);
		return NETCONF_CHANGE_WORKBIT;
	}
	/* the daemon registers the domain with the resolver as root */
	if (strcmp(nc->domain, old->domain) != 0) {
		snprintf(err, errlen, "domain changed from \"%s\" to \"%s\": "
		    "restart the daemon (its registration with the resolver "
		    "needs root)", old->domain, nc->domain);
		return NETCONF_CHANGE_DOMAIN;
	}
	if (self == NULL)
		return 0;
	was = netconf_member_by_key(old, self);
	is = netconf_member_by_key(nc, self);
	if ((was == NULL) != (is == NULL) || (is != NULL &&
	    is->ip4 != was->ip4)) {
		snprintf(err, errlen, "this node's own membership or address "
		    "changed: restart the daemon");
		return NETCONF_CHANGE_SELF;
	}
	return 0;
}

size_t
netconf_signed_len(const char *buf, size_t len)
{
	size_t	n = len;

	if (n > 0 && buf[n - 1] == '\n')
		n--;
	while (n > 0 && buf[n - 1] != '\n')
		n--;
	return n;
}
