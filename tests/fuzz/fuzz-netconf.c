/* Fuzz target for the netconfig parser. Besides "does not crash", checks
 * what a parsed netconfig promises to the daemon, and aborts on any
 * violation:
 * - every member's IPv4 address is a host address of the subnet, no two
 *   members share a key, an IPv4 or an IPv6 address or a hostname;
 * - every IPv6 address is the ULA prefix plus the key's interface id;
 * - every key meets the workbit; ports are non-zero; strings terminated;
 * - the domain, when there is one, has no trailing dot and fits;
 * - lookups by key, IPv4 and IPv6 find the member itself;
 * - writing the result back as a netconfig (all addresses explicit) and
 *   parsing that gives the same network;
 * - a refused input leaves an empty struct and a message. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netconf/addr.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "dht/pow.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz-netconf: invariant failed: %s "	\
		    "(line %d)\n", #c, __LINE__);			\
		abort();						\
	}								\
} while (0)

static int
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Append to a growing buffer; aborts when out of memory. */
struct out {
	char	*buf;
	size_t	 len, cap;
};

static void out_printf(struct out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		CHECK(n >= 0);
		if ((size_t)n < o->cap - o->len)
			break;
		o->cap = o->cap * 2 + (size_t)n + 64;
		o->buf = realloc(o->buf, o->cap);
		CHECK(o->buf != NULL);
	}
	o->len += (size_t)n;
}

/* The netconfig nc describes, every address explicit. */
static void
write_back(const struct netconf *nc, struct out *o)
{
	char	a[ADDR_IP4_STRLEN], k[KEY_TEXT_LEN + 1], ep[NETCONF_EP_STRLEN];
	size_t	i;

	addr_ip4_format(a, nc->subnet);
	out_printf(o, "name %s\nnamespace %s\nsubnet %s/%u\nworkbit %u\n",
	    nc->name, nc->ns, a, nc->prefixlen, nc->workbit);
	if (nc->domain[0] != '\0')
		out_printf(o, "domain %s\n", nc->domain);
	for (i = 0; i < nc->nboots; i++) {
		key_to_text(k, nc->boots[i].key);
		out_printf(o, "boot %s %s\n", k,
		    netconf_endpoint_format(ep, &nc->boots[i].ep));
	}
	for (i = 0; i < nc->nmembers; i++) {
		const struct nc_member	*m = &nc->members[i];

		key_to_text(k, m->key);
		addr_ip4_format(a, m->ip4);
		out_printf(o, "trust %s %s %s %s\n", m->hostname, a, k,
		    m->has_endpoint ? netconf_endpoint_format(ep, &m->ep) :
		    "");
	}
}

static void
check_endpoint(const struct nc_endpoint *ep)
{
	CHECK(terminated(ep->host, sizeof(ep->host)));
	CHECK(ep->host[0] != '\0');
	CHECK(ep->port != 0);
}

static void
check_network(const struct netconf *nc, size_t len)
{
	uint32_t	*ip4s;
	uint8_t		 ip6[16], prefix[8];
	size_t		 i, j, nslen;

	CHECK(terminated(nc->name, sizeof(nc->name)) && nc->name[0] != '\0');
	CHECK(terminated(nc->ns, sizeof(nc->ns)) && nc->ns[0] != '\0');
	CHECK(terminated(nc->domain, sizeof(nc->domain)));
	CHECK(strlen(nc->domain) <= NETCONF_DOMAIN_MAX);
	CHECK(nc->domain[0] != '.' && (nc->domain[0] == '\0' ||
	    nc->domain[strlen(nc->domain) - 1] != '.'));
	CHECK(nc->prefixlen >= 8 && nc->prefixlen <= 30);
	CHECK((nc->subnet & addr_ip4_mask(nc->prefixlen)) == nc->subnet);
	CHECK(nc->subnet >> 24 != 0 && nc->subnet >> 24 != 127 &&
	    nc->subnet < 0xe0000000u);
	CHECK(nc->workbit <= NETCONF_MAX_WORKBIT);
	CHECK(nc->nboots <= NETCONF_MAX_BOOTS);
	CHECK(nc->nmembers <= NETCONF_MAX_MEMBERS);
	CHECK(nc->nmembers <= addr_ip4_nhosts(nc->prefixlen));
	nslen = strlen(nc->ns);
	addr_ula_prefix(prefix, nc->ns, nslen);
	CHECK(memcmp(prefix, nc->ula_prefix, 8) == 0 && prefix[0] == 0xfd);

	for (i = 0; i < nc->nboots; i++) {
		check_endpoint(&nc->boots[i].ep);
		CHECK(pow_workbits(nc->ns, nslen, nc->boots[i].key) >=
		    nc->workbit);
		CHECK(nc->boots[i].line >= 1 && (size_t)nc->boots[i].line <=
		    len);
		for (j = 0; j < i; j++)
			CHECK(memcmp(nc->boots[i].key, nc->boots[j].key,
			    KEY_LEN) != 0);
	}

	ip4s = calloc(nc->nmembers + 1, sizeof(*ip4s));
	CHECK(ip4s != NULL);
	for (i = 0; i < nc->nmembers; i++) {
		const struct nc_member	*m = &nc->members[i];

		CHECK(addr_ip4_is_host(m->ip4, nc->subnet, nc->prefixlen));
		CHECK(terminated(m->hostname, sizeof(m->hostname)));
		CHECK(m->line >= 1 && (size_t)m->line <= len);
		CHECK(i == 0 || m->line > nc->members[i - 1].line);
		if (m->has_endpoint)
			check_endpoint(&m->ep);
		CHECK(pow_workbits(nc->ns, nslen, m->key) >= nc->workbit);
		addr_ula(ip6, nc->ula_prefix, nc->ns, nslen, m->key);
		CHECK(memcmp(ip6, m->ip6, 16) == 0);
		CHECK(netconf_member_by_key(nc, m->key) == m);
		CHECK(netconf_member_by_ip4(nc, m->ip4) == m);
		CHECK(netconf_member_by_ip6(nc, m->ip6) == m);
		for (j = 0; j < i; j++) {
			const struct nc_member	*o = &nc->members[j];

			CHECK(m->hostname[0] == '\0' ||
			    strcasecmp(m->hostname, o->hostname) != 0);
		}
		ip4s[i] = m->ip4;
	}
	qsort(ip4s, nc->nmembers, sizeof(*ip4s), cmp_u32);
	for (i = 1; i < nc->nmembers; i++)
		CHECK(ip4s[i] != ip4s[i - 1]);
	free(ip4s);
}

static void
check_same(const struct netconf *a, const struct netconf *b)
{
	size_t	i;

	CHECK(strcmp(a->name, b->name) == 0 && strcmp(a->ns, b->ns) == 0);
	CHECK(a->subnet == b->subnet && a->prefixlen == b->prefixlen);
	CHECK(a->workbit == b->workbit);
	CHECK(strcmp(a->domain, b->domain) == 0);
	CHECK(memcmp(a->ula_prefix, b->ula_prefix, 8) == 0);
	CHECK(a->nboots == b->nboots && a->nmembers == b->nmembers);
	for (i = 0; i < a->nboots; i++) {
		CHECK(memcmp(a->boots[i].key, b->boots[i].key, KEY_LEN) == 0);
		CHECK(strcmp(a->boots[i].ep.host, b->boots[i].ep.host) == 0);
		CHECK(a->boots[i].ep.port == b->boots[i].ep.port);
	}
	for (i = 0; i < a->nmembers; i++) {
		const struct nc_member	*x = &a->members[i], *y = &b->members[i];

		CHECK(memcmp(x->key, y->key, KEY_LEN) == 0);
		CHECK(strcmp(x->hostname, y->hostname) == 0);
		CHECK(x->ip4 == y->ip4 && y->ip4_explicit);
		CHECK(memcmp(x->ip6, y->ip6, 16) == 0);
		CHECK(x->has_endpoint == y->has_endpoint);
		if (x->has_endpoint) {
			CHECK(strcmp(x->ep.host, y->ep.host) == 0);
			CHECK(x->ep.port == y->ep.port);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 inited;
	struct netconf	 nc, nc2, zero;
	struct out	 o;
	char		 err[512], err2[512];
	size_t		 lines = 1, i;
	int		 line, line2, rc;

	if (!inited) {
		CHECK(keys_init() == 0);
		inited = 1;
	}
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	memset(&zero, 0, sizeof(zero));
	memset(err, 0, sizeof(err));
	rc = netconf_parse((const char *)data, size, &nc, &line, err,
	    sizeof(err));
	if (rc == -1) {
		CHECK(memcmp(&nc, &zero, sizeof(nc)) == 0);
		CHECK(line >= 0 && (size_t)line <= lines);
		CHECK(err[0] != '\0' && terminated(err, sizeof(err)));
		/* the same input fails the same way */
		rc = netconf_parse((const char *)data, size, &nc2, &line2,
		    err2, sizeof(err2));
		CHECK(rc == -1 && line2 == line && strcmp(err, err2) == 0);
		return 0;
	}
	CHECK(rc == 0);
	check_network(&nc, lines);

	o.len = 0;
	o.cap = 4096;
	o.buf = malloc(o.cap);
	CHECK(o.buf != NULL);
	write_back(&nc, &o);
	if (o.len > NETCONF_MAX_SIZE) {	/* explicit addresses made it big */
		free(o.buf);
		netconf_free(&nc);
		return 0;
	}
	rc = netconf_parse(o.buf, o.len, &nc2, &line2, err2, sizeof(err2));
	if (rc == -1)
		fprintf(stderr, "written back:\n%s\nline %d: %s\n", o.buf,
		    line2, err2);
	CHECK(rc == 0);
	check_same(&nc, &nc2);
	netconf_free(&nc2);
	free(o.buf);
	netconf_free(&nc);
	return 0;
}
