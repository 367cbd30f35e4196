/* Join strings (joinstr.h): encoding and decoding, pure. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "common/util.h"
#include "netconf/addr.h"
#include "netconf/joinstr.h"

#define PREFIX_LEN	(sizeof(JOINSTR_PREFIX) - 1)
#define FORMAT		1

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), bit by bit: a join
 * string is a few hundred bytes, read once. */
static uint32_t
crc32(const uint8_t *p, size_t n)
{
	uint32_t	c = 0xffffffffu;
	int		k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

void
joinstr_from_netconf(struct joinstr *js, const struct netconf *nc)
{
	size_t	i;
	int	pass;

	memset(js, 0, sizeof(*js));
	util_strlcpy(js->name, nc->name, sizeof(js->name));
	util_strlcpy(js->ns, nc->ns, sizeof(js->ns));
	js->version = nc->version;
	for (i = 0; i < nc->nadmins && i < JOIN_MAX_ADMINS; i++)
		memcpy(js->admins[i], nc->admins[i], KEY_LEN);
	js->nadmins = i;
	for (i = 0; i < nc->nboots && i < JOIN_MAX_BOOTS; i++) {
		memcpy(js->boots[i].key, nc->boots[i].key, KEY_LEN);
		js->boots[i].ep = nc->boots[i].ep;
	}
	js->nboots = i;
	/* members with a fixed endpoint are the likeliest to answer */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nc->nmembers &&
		    js->ncontacts < JOIN_MAX_CONTACTS; i++)
			if (nc->members[i].has_endpoint == (pass == 0))
				memcpy(js->contacts[js->ncontacts++],
				    nc->members[i].key, KEY_LEN);
}

struct wbuf {
	uint8_t	b[JOINSTR_MAX_BYTES];
	size_t	n;
	int	over;
};

static void
put(struct wbuf *w, const void *p, size_t n)
{
	if (w->n + n > sizeof(w->b)) {
		w->over = 1;
		return;
	}
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
put8(struct wbuf *w, unsigned v)
{
	uint8_t	c = (uint8_t)v;

	put(w, &c, 1);
}

static void
put_str(struct wbuf *w, const char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n > max || n > 255) {
		w->over = 1;
		return;
	}
	put8(w, (unsigned)n);
	put(w, s, n);
}

int
joinstr_encode(const struct joinstr *js, char *out, size_t outlen)
{
	struct wbuf	w;
	uint64_t	v = js->version;
	uint32_t	crc;
	size_t		i, len;

	if (js->nadmins < 1 || js->nadmins > JOIN_MAX_ADMINS ||
	    js->nboots > JOIN_MAX_BOOTS || js->ncontacts > JOIN_MAX_CONTACTS)
		return -1;
	memset(&w, 0, sizeof(w));
	put8(&w, FORMAT);
	put_str(&w, js->name, NETCONF_NAME_MAX);
	/* the default namespace costs nothing */
	put_str(&w, strcmp(js->ns, NETCONF_DEFAULT_NS) == 0 ? "" : js->ns,
	    NETCONF_NAME_MAX);
	do {
		put8(&w, (unsigned)(v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	put8(&w, (unsigned)js->nadmins);
	for (i = 0; i < js->nadmins; i++)
		put(&w, js->admins[i], KEY_LEN);
	put8(&w, (unsigned)js->nboots);
	for (i = 0; i < js->nboots; i++) {
		put(&w, js->boots[i].key, KEY_LEN);
		put_str(&w, js->boots[i].ep.host, NETCONF_HOST_MAX);
		put8(&w, js->boots[i].ep.port >> 8);
		put8(&w, js->boots[i].ep.port & 0xff);
	}
	put8(&w, (unsigned)js->ncontacts);
	for (i = 0; i < js->ncontacts; i++)
		put(&w, js->contacts[i], KEY_LEN);
	crc = crc32(w.b, w.n);
	for (i = 0; i < 4; i++)
		put8(&w, (crc >> (24 - 8 * i)) & 0xff);
	len = PREFIX_LEN + BASE64_LEN(w.n);
	if (w.over || len + 1 > outlen)
		return -1;
	memcpy(out, JOINSTR_PREFIX, PREFIX_LEN);
	base64_encode(out + PREFIX_LEN, w.b, w.n);
	return (int)len;
}

struct rbuf {
	const uint8_t	*b;
	size_t		 n, off;
};

static int
get(struct rbuf *r, void *p, size_t n)
{
	if (r->n - r->off < n)
		return -1;
	memcpy(p, r->b + r->off, n);
	r->off += n;
	return 0;
}

static int
get_str(struct rbuf *r, char *s, size_t max)
{
	uint8_t	n;

	if (get(r, &n, 1) == -1 || n > max || get(r, s, n) == -1)
		return -1;
	s[n] = '\0';
	return memchr(s, '\0', n) == NULL ? 0 : -1;
}

static int
valid_host(const char *h)
{
	uint32_t	ip4;
	uint8_t		ip6[16];

	return h[0] != '\0' && (addr_ip4_parse(h, &ip4) == 0 ||
	    addr_ip6_parse(h, ip6) == 0 || netconf_valid_dns_name(h));
}

/* The fields, once the checksum is known good. */
static int
decode_fields(struct joinstr *js, struct rbuf *r, char *err, size_t errlen)
{
	const char	*why;
	uint8_t		 c, port[2];
	unsigned	 shift;
	size_t		 i;

	if (get(r, &c, 1) == -1 || c != FORMAT)
		return util_errf(err, errlen,
		    "unknown join string format %u; a "
		    "newer mesh made it?", c);
	if (get_str(r, js->name, NETCONF_NAME_MAX) == -1)
		return util_errf(err, errlen, "bad network name");
	if (netconf_parse_name(js->name, &why) == -1)
		return util_errf(err, errlen, "network name: %s", why);
	if (get_str(r, js->ns, NETCONF_NAME_MAX) == -1)
		return util_errf(err, errlen, "bad namespace");
	if (js->ns[0] == '\0')
		util_strlcpy(js->ns, NETCONF_DEFAULT_NS, sizeof(js->ns));
	else if (netconf_parse_namespace(js->ns, &why) == -1)
		return util_errf(err, errlen, "namespace: %s", why);
	for (shift = 0;; shift += 7) {
		if (get(r, &c, 1) == -1 || shift > 63 ||
		    (shift == 63 && (c & 0x7e) != 0))
			return util_errf(err, errlen, "bad version");
		js->version |= (uint64_t)(c & 0x7f) << shift;
		if ((c & 0x80) == 0)
			break;
	}
	if (get(r, &c, 1) == -1 || c < 1 || c > JOIN_MAX_ADMINS)
		return util_errf(err, errlen, "expected 1 to %d admin keys",
		    JOIN_MAX_ADMINS);
	js->nadmins = c;
	for (i = 0; i < js->nadmins; i++)
		if (get(r, js->admins[i], KEY_LEN) == -1)
			return util_errf(err, errlen, "truncated admin key");
	if (get(r, &c, 1) == -1 || c > JOIN_MAX_BOOTS)
		return util_errf(err, errlen, "expected 0 to %d boot nodes",
		    JOIN_MAX_BOOTS);
	js->nboots = c;
	for (i = 0; i < js->nboots; i++) {
		if (get(r, js->boots[i].key, KEY_LEN) == -1 ||
		    get_str(r, js->boots[i].ep.host, NETCONF_HOST_MAX) == -1 ||
		    get(r, port, 2) == -1)
			return util_errf(err, errlen, "truncated boot node");
		js->boots[i].ep.port = (uint16_t)(port[0] << 8 | port[1]);
		if (!valid_host(js->boots[i].ep.host) ||
		    js->boots[i].ep.port == 0)
			return util_errf(err, errlen,
			    "boot node %zu: bad host or "
			    "port", i + 1);
	}
	if (get(r, &c, 1) == -1 || c > JOIN_MAX_CONTACTS)
		return util_errf(err, errlen, "expected 0 to %d contacts",
		    JOIN_MAX_CONTACTS);
	js->ncontacts = c;
	for (i = 0; i < js->ncontacts; i++)
		if (get(r, js->contacts[i], KEY_LEN) == -1)
			return util_errf(err, errlen, "truncated contact key");
	if (r->off != r->n)
		return util_errf(err, errlen, "unexpected bytes after the "
		    "contacts");
	return 0;
}

int
joinstr_decode(struct joinstr *js, const char *s, char *err, size_t errlen)
{
	uint8_t		b[JOINSTR_MAX_BYTES];
	struct rbuf	r;
	size_t		slen, n;
	uint32_t	crc;

	memset(js, 0, sizeof(*js));
	if (strncmp(s, JOINSTR_PREFIX, PREFIX_LEN) != 0)
		return util_errf(err, errlen, "not a join string; expected one "
		    "starting with \"%s\"", JOINSTR_PREFIX);
	s += PREFIX_LEN;
	slen = strlen(s);
	n = slen * 3 / 4;
	if (slen % 4 == 1 || n > sizeof(b) || n < 5 + 4 ||
	    base64_decode(b, n, s, slen) == -1)
		return util_errf(err, errlen, "not a join string: cut, or not "
		    "base64url after \"%s\"", JOINSTR_PREFIX);
	crc = (uint32_t)b[n - 4] << 24 | (uint32_t)b[n - 3] << 16 |
	    (uint32_t)b[n - 2] << 8 | b[n - 1];
	if (crc32(b, n - 4) != crc)
		return util_errf(err, errlen, "join string damaged (checksum "
		    "mismatch): copy it again");
	r.b = b;
	r.n = n - 4;
	r.off = 0;
	if (decode_fields(js, &r, err, errlen) == -1) {
		memset(js, 0, sizeof(*js));
		return -1;
	}
	return 0;
}
