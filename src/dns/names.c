/* The members' names: see names.h. The table keeps the named members
 * sorted three ways (hostname, IPv4, IPv6) so that a question costs a
 * binary search, whatever the size of the network. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/names.h"
#include "netconf/addr.h"
#include "common/util.h"

struct name_entry {
	char		host[NETCONF_HOSTNAME_MAX + 1];	/* as written */
	uint32_t	ip4;		/* host byte order */
	uint8_t		ip6[16];
	long		member;		/* index in nc->members */
};

struct by_ip4 {
	uint32_t	ip4;
	size_t		entry;
};

struct by_ip6 {
	uint8_t		ip6[16];
	size_t		entry;
};

struct names {
	char			 domain[NETCONF_DOMAIN_MAX + 1];  /* as given */
	char			 ldomain[NETCONF_DOMAIN_MAX + 1]; /* lowercase */
	size_t			 domainlen;
	uint32_t		 subnet;
	unsigned		 prefixlen;
	uint8_t			 ula_prefix[8];
	struct name_entry	*entries;	/* sorted by host */
	struct by_ip4		*by4;
	struct by_ip6		*by6;
	size_t			 n;
};

static const char in_addr_arpa[] = "in-addr.arpa";
static const char ip6_arpa[] = "ip6.arpa";

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Hostnames sort and compare without regard to ASCII case. */
static int
cmp_entry(const void *a, const void *b)
{
	const char	*x = ((const struct name_entry *)a)->host;
	const char	*y = ((const struct name_entry *)b)->host;

	for (; *x != '\0' && lower(*x) == lower(*y); x++, y++)
		;
	return (unsigned char)lower(*x) - (unsigned char)lower(*y);
}

static int
cmp_by4(const void *a, const void *b)
{
	uint32_t	x = ((const struct by_ip4 *)a)->ip4;
	uint32_t	y = ((const struct by_ip4 *)b)->ip4;

	return x < y ? -1 : x > y;
}

static int
cmp_by6(const void *a, const void *b)
{
	return memcmp(((const struct by_ip6 *)a)->ip6,
	    ((const struct by_ip6 *)b)->ip6, 16);
}

struct names *
names_new(const struct netconf *nc)
{
	struct names	*t;
	size_t		 i, n = 0;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	util_strlcpy(t->domain, nc->domain, sizeof(t->domain));
	for (i = 0; t->domain[i] != '\0'; i++)
		t->ldomain[i] = lower(t->domain[i]);
	t->domainlen = i;
	t->subnet = nc->subnet;
	t->prefixlen = nc->prefixlen;
	memcpy(t->ula_prefix, nc->ula_prefix, sizeof(t->ula_prefix));

	for (i = 0; i < nc->nmembers; i++)
		if (nc->members[i].hostname[0] != '\0')
			n++;
	/* +1: calloc(0) may return NULL */
	t->entries = calloc(n + 1, sizeof(*t->entries));
	t->by4 = calloc(n + 1, sizeof(*t->by4));
	t->by6 = calloc(n + 1, sizeof(*t->by6));
	if (t->entries == NULL || t->by4 == NULL || t->by6 == NULL) {
		names_free(t);
		return NULL;
	}
	for (i = 0; i < nc->nmembers; i++) {
		const struct nc_member	*m = &nc->members[i];
		struct name_entry	*e;

		if (m->hostname[0] == '\0')
			continue;
		e = &t->entries[t->n++];
		util_strlcpy(e->host, m->hostname, sizeof(e->host));
		e->ip4 = m->ip4;
		memcpy(e->ip6, m->ip6, 16);
		e->member = (long)i;
	}
	qsort(t->entries, t->n, sizeof(*t->entries), cmp_entry);
	for (i = 0; i < t->n; i++) {
		t->by4[i].ip4 = t->entries[i].ip4;
		t->by4[i].entry = i;
		memcpy(t->by6[i].ip6, t->entries[i].ip6, 16);
		t->by6[i].entry = i;
	}
	qsort(t->by4, t->n, sizeof(*t->by4), cmp_by4);
	qsort(t->by6, t->n, sizeof(*t->by6), cmp_by6);
	return t;
}

void
names_free(struct names *t)
{
	if (t == NULL)
		return;
	free(t->entries);
	free(t->by4);
	free(t->by6);
	free(t);
}

const char *
names_domain(const struct names *t)
{
	return t->domain;
}

/* qname lowercased into out, without its one trailing dot. -1 when it is
 * empty or too long to be a name. */
static int
normalize(const char *qname, char out[NAMES_NAME_MAX + 1], size_t *outlen)
{
	size_t	n = strlen(qname), i;

	if (n > 0 && qname[n - 1] == '.')
		n--;
	if (n == 0 || n > NAMES_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = lower(qname[i]);
	out[n] = '\0';
	*outlen = n;
	return 0;
}

/* Does name (length n) end in "." suffix, or equal it? Returns the length
 * of what comes before the dot (0 when equal), -1 when neither. */
static long
under(const char *name, size_t n, const char *suffix, size_t slen)
{
	if (slen == 0 || n < slen || memcmp(name + n - slen, suffix, slen) != 0)
		return -1;
	if (n == slen)
		return 0;
	if (n == slen + 1 || name[n - slen - 1] != '.')
		return -1;
	return (long)(n - slen - 1);
}

static const struct name_entry *
find_host(const struct names *t, const char *host, size_t n)
{
	struct name_entry	e;

	if (n == 0 || n > NETCONF_HOSTNAME_MAX)
		return NULL;
	memcpy(e.host, host, n);
	e.host[n] = '\0';
	return bsearch(&e, t->entries, t->n, sizeof(*t->entries), cmp_entry);
}

static const struct name_entry *
find_ip4(const struct names *t, uint32_t ip4)
{
	struct by_ip4	 k, *r;

	k.ip4 = ip4;
	r = bsearch(&k, t->by4, t->n, sizeof(*t->by4), cmp_by4);
	return r != NULL ? &t->entries[r->entry] : NULL;
}

static const struct name_entry *
find_ip6(const struct names *t, const uint8_t ip6[16])
{
	struct by_ip6	 k, *r;

	memcpy(k.ip6, ip6, 16);
	r = bsearch(&k, t->by6, t->n, sizeof(*t->by6), cmp_by6);
	return r != NULL ? &t->entries[r->entry] : NULL;
}

static void
answer_member(const struct names *t, const struct name_entry *e, int qtype,
    struct names_answer *a)
{
	uint32_t	ip = e->ip4;

	a->member = e->member;
	if (qtype == NAMES_T_A || qtype == NAMES_T_ANY) {
		a->a[0] = (uint8_t)(ip >> 24);
		a->a[1] = (uint8_t)(ip >> 16);
		a->a[2] = (uint8_t)(ip >> 8);
		a->a[3] = (uint8_t)ip;
		a->has_a = 1;
	}
	if (qtype == NAMES_T_AAAA || qtype == NAMES_T_ANY) {
		memcpy(a->aaaa, e->ip6, 16);
		a->has_aaaa = 1;
	}
	if (!a->has_a && !a->has_aaaa)		/* NODATA */
		a->soa = NAMES_SOA_AUTHORITY;
}

/* name is under DOMAIN; rel is what comes before ".DOMAIN" (relen 0 for
 * DOMAIN itself). */
static void
lookup_forward(const struct names *t, const char *rel, size_t relen,
    int qtype, struct names_answer *a)
{
	const struct name_entry	*e;

	a->rcode = NAMES_NOERROR;
	a->authoritative = 1;
	if (relen == 0) {
		/* the apex has an SOA and nothing else we serve */
		a->soa = qtype == NAMES_T_SOA || qtype == NAMES_T_ANY ?
		    NAMES_SOA_ANSWER : NAMES_SOA_AUTHORITY;
		return;
	}
	/* a member's name has no names under it: those are NXDOMAIN too */
	if (memchr(rel, '.', relen) != NULL ||
	    (e = find_host(t, rel, relen)) == NULL) {
		a->rcode = NAMES_NXDOMAIN;
		a->soa = NAMES_SOA_AUTHORITY;
		return;
	}
	answer_member(t, e, qtype, a);
}

/* Labels of rel (length n), last first, into lab[] and len[] (at most
 * max of them); returns how many there are, which may be more than max. */
static int
split_labels(const char *rel, size_t n, const char **lab, size_t *len,
    int max)
{
	size_t	end = n, i;
	int	k = 0;

	if (n == 0)
		return 0;
	for (i = n; ; i--) {
		if (i == 0 || rel[i - 1] == '.') {
			if (k < max) {
				lab[k] = rel + i;
				len[k] = end - i;
			}
			k++;
			if (i == 0)
				break;
			end = i - 1;
		}
	}
	return k;
}

static void
answer_ptr(const struct names *t, const struct name_entry *e, int qtype,
    struct names_answer *a)
{
	a->rcode = NAMES_NOERROR;
	a->authoritative = 1;
	if (e == NULL || t->domainlen == 0) {
		a->rcode = NAMES_NXDOMAIN;
		return;
	}
	a->member = e->member;
	if (qtype == NAMES_T_PTR || qtype == NAMES_T_ANY) {
		/* fits: NETCONF_DOMAIN_MAX leaves room for HOSTNAME. */
		snprintf(a->ptr, sizeof(a->ptr), "%s.%s", e->host, t->domain);
		a->has_ptr = 1;
	}
}

/* Decimal 0-255 without leading zeros; -1 if not. */
static int
octet(const char *s, size_t n)
{
	unsigned	v = 0;
	size_t		i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= 255 ? (int)v : -1;
}

static int
nibble(const char *s, size_t n)
{
	if (n != 1)
		return -1;
	if (s[0] >= '0' && s[0] <= '9')
		return s[0] - '0';
	if (s[0] >= 'a' && s[0] <= 'f')
		return s[0] - 'a' + 10;
	return -1;
}

/* The reverse tree. ours: the labels read so far lie inside our subnet
 * (or /64); k: how many labels there are, full: how many make an address.
 * An address of ours is a member's name or NXDOMAIN; a shorter name inside
 * our part of the tree exists without records (an empty non-terminal); a
 * longer one does not exist; the rest of the tree is not ours. */
static void
answer_rev(const struct names *t, const struct name_entry *e, int ours,
    int k, int full, int qtype, struct names_answer *a)
{
	a->rcode = NAMES_REFUSED;
	if (!ours)
		return;
	a->rcode = NAMES_NOERROR;
	a->authoritative = 1;
	if (k > full)
		a->rcode = NAMES_NXDOMAIN;
	else if (k == full)
		answer_ptr(t, e, qtype, a);
}

/* rel: the labels before "in-addr.arpa", the first octet last. */
static void
lookup_rev4(const struct names *t, const char *rel, size_t n, int qtype,
    struct names_answer *a)
{
	const char	*lab[4];
	size_t		 len[4];
	uint32_t	 ip = 0;
	int		 k, i, o;

	k = split_labels(rel, n, lab, len, 4);
	for (i = 0; i < k && i < 4; i++) {
		if ((o = octet(lab[i], len[i])) == -1) {
			a->rcode = NAMES_REFUSED;
			return;
		}
		ip |= (uint32_t)o << (24 - 8 * i);
	}
	/* fewer octets than the prefix: above the subnet, not ours */
	answer_rev(t, k >= 4 ? find_ip4(t, ip) : NULL,
	    (unsigned)k * 8 >= t->prefixlen &&
	    (ip & addr_ip4_mask(t->prefixlen)) == t->subnet, k, 4, qtype, a);
}

/* rel: the labels before "ip6.arpa", the first nibble last. */
static void
lookup_rev6(const struct names *t, const char *rel, size_t n, int qtype,
    struct names_answer *a)
{
	const char	*lab[32];
	size_t		 len[32];
	uint8_t		 ip6[16];
	int		 k, i, v;

	memset(ip6, 0, sizeof(ip6));
	k = split_labels(rel, n, lab, len, 32);
	for (i = 0; i < k && i < 32; i++) {
		if ((v = nibble(lab[i], len[i])) == -1) {
			a->rcode = NAMES_REFUSED;
			return;
		}
		ip6[i / 2] |= (uint8_t)(i % 2 == 0 ? v << 4 : v);
	}
	answer_rev(t, k >= 32 ? find_ip6(t, ip6) : NULL,
	    k >= 16 && memcmp(ip6, t->ula_prefix, 8) == 0, k, 32, qtype, a);
}

void
names_lookup(const struct names *t, const char *qname, int qtype,
    int qclass, struct names_answer *a)
{
	const struct name_entry	*e;
	char			 name[NAMES_NAME_MAX + 1];
	size_t			 n;
	long			 rel;

	memset(a, 0, sizeof(*a));
	a->member = -1;
	a->rcode = NAMES_REFUSED;
	if ((qclass != NAMES_C_IN && qclass != NAMES_C_ANY) ||
	    normalize(qname, name, &n) == -1)
		return;
	if ((rel = under(name, n, in_addr_arpa, sizeof(in_addr_arpa) - 1))
	    != -1) {
		lookup_rev4(t, name, (size_t)rel, qtype, a);
		return;
	}
	if ((rel = under(name, n, ip6_arpa, sizeof(ip6_arpa) - 1)) != -1) {
		lookup_rev6(t, name, (size_t)rel, qtype, a);
		return;
	}
	if (t->domainlen == 0)
		return;
	if ((rel = under(name, n, t->ldomain, t->domainlen)) != -1) {
		lookup_forward(t, name, (size_t)rel, qtype, a);
		return;
	}
	/* a bare hostname, as `dig @ADDR bob` asks */
	if (memchr(name, '.', n) == NULL &&
	    (e = find_host(t, name, n)) != NULL) {
		a->rcode = NAMES_NOERROR;
		a->authoritative = 1;
		answer_member(t, e, qtype, a);
		if (a->soa == NAMES_SOA_AUTHORITY)
			a->soa = NAMES_SOA_NONE;  /* the SOA is DOMAIN's */
	}
}

int
names_source_ok4(const struct names *t, uint32_t ip4)
{
	return ip4 >> 24 == 127 ||
	    (ip4 & addr_ip4_mask(t->prefixlen)) == t->subnet;
}

int
names_source_ok6(const struct names *t, const uint8_t ip6[16])
{
	static const uint8_t	loopback[16] = { [15] = 1 };

	return memcmp(ip6, loopback, 16) == 0 ||
	    memcmp(ip6, t->ula_prefix, 8) == 0;
}

static unsigned
rev4_bits(const struct names *t)
{
	return (t->prefixlen + 7) / 8 * 8;
}

size_t
names_rev4_count(const struct names *t)
{
	return (size_t)1 << (rev4_bits(t) - t->prefixlen);
}

void
names_rev4_zone(const struct names *t, size_t i,
    char out[NAMES_NAME_MAX + 1])
{
	unsigned	bits = rev4_bits(t), k;
	uint32_t	ip = t->subnet + ((uint32_t)i << (32 - bits));
	size_t		o = 0;

	for (k = bits / 8; k > 0; k--)
		o += (size_t)snprintf(out + o, NAMES_NAME_MAX + 1 - o, "%u.",
		    (ip >> (32 - 8 * k)) & 0xff);
	snprintf(out + o, NAMES_NAME_MAX + 1 - o, "%s", in_addr_arpa);
}

void
names_rev6_zone(const struct names *t, char out[NAMES_NAME_MAX + 1])
{
	static const char	hex[] = "0123456789abcdef";
	size_t			o = 0;
	int			i;

	for (i = 15; i >= 0; i--) {
		out[o++] = hex[i % 2 == 0 ? t->ula_prefix[i / 2] >> 4 :
		    t->ula_prefix[i / 2] & 0xf];
		out[o++] = '.';
	}
	snprintf(out + o, NAMES_NAME_MAX + 1 - o, "%s", ip6_arpa);
}

/* name as uncompressed wire labels at buf[*off]; -1 when it does not fit */
static int
put_name(uint8_t *buf, size_t len, size_t *off, const char *name)
{
	const char	*b = name, *dot;
	size_t		 l;

	for (;;) {
		dot = strchr(b, '.');
		l = dot != NULL ? (size_t)(dot - b) : strlen(b);
		if (l == 0 || l > 63 || *off + 1 + l > len)
			return -1;
		buf[(*off)++] = (uint8_t)l;
		memcpy(buf + *off, b, l);
		*off += l;
		if (dot == NULL)
			break;
		b = dot + 1;
	}
	if (*off + 1 > len)
		return -1;
	buf[(*off)++] = 0;
	return 0;
}

static int
put32(uint8_t *buf, size_t len, size_t *off, uint32_t v)
{
	if (*off + 4 > len)
		return -1;
	buf[(*off)++] = (uint8_t)(v >> 24);
	buf[(*off)++] = (uint8_t)(v >> 16);
	buf[(*off)++] = (uint8_t)(v >> 8);
	buf[(*off)++] = (uint8_t)v;
	return 0;
}

size_t
names_soa_rdata(const struct names *t, uint8_t *buf, size_t len)
{
	char	rname[NAMES_NAME_MAX + 16];
	size_t	off = 0;

	if (t->domainlen == 0)
		return 0;
	/* MNAME: the zone itself (every member serves it; there is no
	 * primary); RNAME: hostmaster@DOMAIN, a mailbox nobody reads but
	 * the field is required */
	snprintf(rname, sizeof(rname), "hostmaster.%s", t->domain);
	if (put_name(buf, len, &off, t->domain) == -1 ||
	    put_name(buf, len, &off, rname) == -1 ||
	    put32(buf, len, &off, 1) == -1 ||		/* serial */
	    put32(buf, len, &off, 3600) == -1 ||	/* refresh */
	    put32(buf, len, &off, 600) == -1 ||		/* retry */
	    put32(buf, len, &off, 86400) == -1 ||	/* expire */
	    put32(buf, len, &off, NAMES_TTL) == -1)	/* negative TTL */
		return 0;
	return off;
}

long
names_find_member(const struct names *t, const char *s)
{
	const struct name_entry	*e;
	char			 name[NAMES_NAME_MAX + 1];
	size_t			 n;
	long			 rel;

	if (normalize(s, name, &n) == -1)
		return -1;
	if ((rel = under(name, n, t->ldomain, t->domainlen)) > 0)
		n = (size_t)rel;
	if (memchr(name, '.', n) != NULL ||
	    (e = find_host(t, name, n)) == NULL)
		return -1;
	return e->member;
}
