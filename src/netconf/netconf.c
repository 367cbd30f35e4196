/* The netconfig parser (pure: no I/O, no globals).
 *
 * One pass over the lines checks the syntax of each directive, duplicates
 * and caps; a second pass, once the whole file is known, checks what
 * depends on other lines (addresses against the subnet, keys against the
 * namespace's workbit), allocates the missing IPv4 addresses in file order
 * and derives every member's IPv6 address. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf/addr.h"
#include "netconf/netconf.h"
#include "dht/pow.h"
#include "common/util.h"

#define MAX_WORDS	8	/* a directive and its arguments, plus spare */
#define GOT_MAX		48	/* characters of a bad value quoted back */

struct parser {
	struct netconf	*nc;
	int		 line;
	char		*err;
	size_t		 errlen;
	size_t		 boots_cap;
	size_t		 members_cap;
	int		 name_line;
	int		 ns_line;
	int		 subnet_line;
	int		 workbit_line;
	int		 domain_line;
	int		 last;		/* the line is the file's last */
};

struct directive {
	const char	*name;
	int		 minargs;
	int		 maxargs;
	const char	*usage;
	int		(*fn)(struct parser *, char **, int);
};

static int	parse_name(struct parser *, char **, int);
static int	parse_ns(struct parser *, char **, int);
static int	parse_subnet(struct parser *, char **, int);
static int	parse_workbit(struct parser *, char **, int);
static int	parse_domain(struct parser *, char **, int);
static int	parse_boot(struct parser *, char **, int);
static int	parse_trust(struct parser *, char **, int);
static int	parse_signing(struct parser *, char **, int);

static const struct directive directives[] = {
	{ "name", 1, 1, "name NAME", parse_name },
	{ "namespace", 1, 1, "namespace NS", parse_ns },
	{ "subnet", 1, 1, "subnet A.B.C.D/N", parse_subnet },
	{ "workbit", 1, 1, "workbit N", parse_workbit },
	{ "domain", 1, 1, "domain DOMAIN", parse_domain },
	{ "boot", 2, 2, "boot KEY HOST[:PORT]", parse_boot },
	{ "trust", 1, 4, "trust [HOSTNAME] [IP] KEY [HOST[:PORT]]",
	    parse_trust },
	{ "admin", 1, 1, "admin KEY", parse_signing },
	{ "version", 1, 1, "version N", parse_signing },
	{ "signature", 2, 2, "signature KEY SIGNATURE", parse_signing },
};

static const char key_expected[] =
    "expected a public key (43 characters of base64url)";

static int perr(struct parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* s in double quotes, bytes outside printable ASCII escaped, cut to
 * GOT_MAX characters: safe to print whatever the file held. */
static const char *
quote(char out[GOT_MAX + 8], const char *s)
{
	size_t	o = 0, n = 0;

	out[o++] = '"';
	for (; *s != '\0' && n < GOT_MAX; s++, n++) {
		unsigned char	c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			if (n + 2 > GOT_MAX)
				break;
			out[o++] = '\\';
			out[o++] = (char)c;
			n++;
		} else if (c < 0x20 || c > 0x7e) {
			if (n + 4 > GOT_MAX)
				break;
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
			n += 3;
		} else
			out[o++] = (char)c;
	}
	if (*s != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* A word that looks like an attempt at a key (to blame the right word). */
static int
key_like(const char *s)
{
	size_t	n = strlen(s);

	return n == KEY_TEXT_LEN || n == KEY_TEXT_LEN + 1;
}

/* HOST:PORT with one colon (not an IPv6 address): an endpoint written
 * where the member's address belongs. */
static int
endpoint_like(const char *s)
{
	const char	*c = strchr(s, ':');

	return c != NULL && c != s && strchr(c + 1, ':') == NULL;
}

static int
is_key(const char *s, uint8_t key[KEY_LEN])
{
	uint8_t	tmp[KEY_LEN];

	return key_from_text(key != NULL ? key : tmp, s, strlen(s)) == 0;
}

static int
strcaseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char	ca = *a, cb = *b;

		if (ca >= 'A' && ca <= 'Z')
			ca = (char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (char)(cb - 'A' + 'a');
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

/* host[:port], [ipv6]:port or a bare IPv6 literal. */
static int
parse_endpoint(struct parser *p, const char *s, struct nc_endpoint *ep)
{
	static const char	 expected[] = "expected HOST[:PORT] (a DNS "
	    "name, an IPv4 address or an [IPv6] address, then an optional "
	    ":PORT)";
	char			 host[NETCONF_HOST_MAX + 1], q[GOT_MAX + 8];
	const char		*port = NULL, *colon, *why;
	uint8_t			 ip6[16];
	uint32_t		 ip4;
	size_t			 n;

	if (is_key(s, NULL))
		return perr(p, "expected HOST[:PORT], got a second key %s",
		    quote(q, s));
	if (s[0] == '[') {
		const char	*close = strchr(s, ']');

		if (close == NULL || (n = (size_t)(close - s - 1)) == 0 ||
		    n >= sizeof(host))
			return perr(p, "%s, got %s", expected, quote(q, s));
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (addr_ip6_parse(host, ip6) == -1)
			return perr(p, "expected an IPv6 address in [], "
			    "got %s", quote(q, s));
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return perr(p, "expected :PORT after ], got %s",
			    quote(q, s));
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') != NULL) {
		/* two colons or more: a bare IPv6 literal, no port */
		if (strlen(s) >= sizeof(host) || addr_ip6_parse(s, ip6) == -1)
			return perr(p, "expected an IPv6 address (write "
			    "[ADDR]:PORT to give a port), got %s", quote(q, s));
		util_strlcpy(host, s, sizeof(host));
	} else {
		n = colon != NULL ? (size_t)(colon - s) : strlen(s);
		if (n == 0 || n >= sizeof(host))
			return perr(p, "%s, got %s", expected, quote(q, s));
		memcpy(host, s, n);
		host[n] = '\0';
		if (colon != NULL)
			port = colon + 1;
		if (addr_ip4_like(host)) {
			if (addr_ip4_parse(host, &ip4) == -1)
				return perr(p, "expected an IPv4 address "
				    "A.B.C.D (0-255 each, no leading zeros), "
				    "got %s", quote(q, host));
		} else if (!netconf_valid_dns_name(host))
			return perr(p, "%s, got %s", expected, quote(q, s));
	}
	ep->port = NETCONF_DEFAULT_PORT;
	if (port != NULL && netconf_parse_port(port, &ep->port, &why) == -1)
		return perr(p, "%s, got %s", why, quote(q, port));
	util_strlcpy(ep->host, host, sizeof(ep->host));
	return 0;
}

static int
parse_key(struct parser *p, const char *s, uint8_t key[KEY_LEN])
{
	char	q[GOT_MAX + 8];

	if (!is_key(s, key))
		return perr(p, "%s, got %s", key_expected, quote(q, s));
	return 0;
}

/* For once-only directives: refuse a second one. */
static int
once(struct parser *p, int *line, const char *what)
{
	if (*line != 0)
		return perr(p, "duplicate \"%s\" directive; first on line %d",
		    what, *line);
	*line = p->line;
	return 0;
}

static int
parse_name(struct parser *p, char **av, int ac)
{
	const char	*why;
	char		 q[GOT_MAX + 8];

	if (once(p, &p->name_line, "name") == -1)
		return -1;
	if (netconf_parse_name(av[0], &why) == -1)
		return perr(p, "%s, got %s", why, quote(q, av[0]));
	util_strlcpy(p->nc->name, av[0], sizeof(p->nc->name));
	return 0;
}

static int
parse_ns(struct parser *p, char **av, int ac)
{
	const char	*why;
	char		 q[GOT_MAX + 8];

	if (once(p, &p->ns_line, "namespace") == -1)
		return -1;
	if (netconf_parse_namespace(av[0], &why) == -1)
		return perr(p, "%s, got %s", why, quote(q, av[0]));
	util_strlcpy(p->nc->ns, av[0], sizeof(p->nc->ns));
	return 0;
}

static int
parse_subnet(struct parser *p, char **av, int ac)
{
	char		 q[GOT_MAX + 8], net[ADDR_IP4_STRLEN];
	char		 ipbuf[ADDR_IP4_STRLEN];
	const char	*slash = strchr(av[0], '/');
	unsigned long	 plen;
	uint32_t	 ip;
	size_t		 n;

	if (once(p, &p->subnet_line, "subnet") == -1)
		return -1;
	if (slash == NULL)
		return perr(p, "expected a subnet A.B.C.D/N, got %s",
		    quote(q, av[0]));
	n = (size_t)(slash - av[0]);
	if (n >= sizeof(ipbuf))
		return perr(p, "expected a subnet A.B.C.D/N, got %s",
		    quote(q, av[0]));
	memcpy(ipbuf, av[0], n);
	ipbuf[n] = '\0';
	if (addr_ip4_parse(ipbuf, &ip) == -1)
		return perr(p, "expected a subnet A.B.C.D/N, got %s",
		    quote(q, av[0]));
	if (util_parse_uint(slash + 1, 0, 32, &plen) == -1 || plen < 8 ||
	    plen > 30)
		return perr(p, "expected a prefix length from 8 to 30, "
		    "got %s", quote(q, slash + 1));
	if ((ip & addr_ip4_mask((unsigned)plen)) != ip) {
		addr_ip4_format(net, ip & addr_ip4_mask((unsigned)plen));
		return perr(p, "expected the network address %s/%lu "
		    "(host bits zero), got %s", net, plen, quote(q, av[0]));
	}
	if (ip >> 24 == 0 || ip >> 24 == 127 || ip >= 0xe0000000u)
		return perr(p, "expected a unicast subnet (not in 0.0.0.0/8, "
		    "127.0.0.0/8 or 224.0.0.0/3), got %s", quote(q, av[0]));
	p->nc->subnet = ip;
	p->nc->prefixlen = (unsigned)plen;
	return 0;
}

static int
parse_workbit(struct parser *p, char **av, int ac)
{
	const char	*why;
	char		 q[GOT_MAX + 8];

	if (once(p, &p->workbit_line, "workbit") == -1)
		return -1;
	if (netconf_parse_workbit(av[0], &p->nc->workbit, &why) == -1)
		return perr(p, "%s, got %s", why, quote(q, av[0]));
	return 0;
}

static int
parse_domain(struct parser *p, char **av, int ac)
{
	const char	*why;
	char		 q[GOT_MAX + 8];

	if (once(p, &p->domain_line, "domain") == -1)
		return -1;
	if (netconf_parse_domain(av[0], p->nc->domain, &why) == -1)
		return perr(p, "%s, got %s", why, quote(q, av[0]));
	return 0;
}

/* Make room for one more element of an array capped at max. */
static int
grow(struct parser *p, void **arr, size_t *cap, size_t n, size_t max,
    size_t size, const char *what)
{
	void	*na;
	size_t	 ncap;

	if (n >= max)
		return perr(p, "too many %s lines (at most %zu)", what, max);
	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if (ncap > max)
		ncap = max;
	if ((na = realloc(*arr, ncap * size)) == NULL)
		return perr(p, "out of memory");
	*arr = na;
	*cap = ncap;
	return 0;
}

static int
parse_boot(struct parser *p, char **av, int ac)
{
	struct netconf	*nc = p->nc;
	struct nc_boot	*b;
	void		*arr = nc->boots;
	size_t		 i;
	int		 rc;

	rc = grow(p, &arr, &p->boots_cap, nc->nboots, NETCONF_MAX_BOOTS,
	    sizeof(*nc->boots), "boot");
	nc->boots = arr;
	if (rc == -1)
		return -1;
	b = &nc->boots[nc->nboots];
	memset(b, 0, sizeof(*b));
	b->line = p->line;
	if (parse_key(p, av[0], b->key) == -1 ||
	    parse_endpoint(p, av[1], &b->ep) == -1)
		return -1;
	for (i = 0; i < nc->nboots; i++)
		if (memcmp(nc->boots[i].key, b->key, KEY_LEN) == 0)
			return perr(p, "duplicate boot key; first on line %d",
			    nc->boots[i].line);
	nc->nboots++;
	return 0;
}

/* trust [hostname] [ip] key [host[:port]]: the key is the first word that
 * is a valid key; before it at most a hostname and an address, in that
 * order; after it at most an endpoint. */
static int
parse_trust(struct parser *p, char **av, int ac)
{
	struct netconf		*nc = p->nc;
	struct nc_member	*m;
	void			*arr = nc->members;
	char			 q[GOT_MAX + 8], a[ADDR_IP4_STRLEN];
	const char		*hostname = NULL, *ip = NULL;
	size_t			 i;
	int			 k, rc;

	for (k = 0; k < ac; k++)
		if (is_key(av[k], NULL))
			break;
	if (k == ac) {
		/* no key: blame the word where it should have been */
		k = 0;
		if (k < ac - 1 && !addr_ip4_like(av[k]) && !key_like(av[k]))
			k++;
		if (k < ac - 1 && addr_ip4_like(av[k]))
			k++;
		return perr(p, "%s, got %s", key_expected, quote(q, av[k]));
	}
	if (k > 2)
		return perr(p, "expected at most a hostname and an address "
		    "before the key, got %s", quote(q, av[2]));
	if (ac - k - 1 > 1)
		return perr(p, "unexpected %s after the endpoint; expected "
		    "\"trust [HOSTNAME] [IP] KEY [HOST[:PORT]]\"",
		    quote(q, av[k + 2]));
	if (k == 2) {
		if (addr_ip4_like(av[0]) && addr_ip4_like(av[1]))
			return perr(p, "expected one address before the key, "
			    "got a second one %s", quote(q, av[1]));
		if (addr_ip4_like(av[0]) && !addr_ip4_like(av[1]))
			return perr(p, "expected the hostname before the "
			    "address, got %s first", quote(q, av[0]));
		hostname = av[0];
		ip = av[1];
	} else if (k == 1) {
		if (addr_ip4_like(av[0]) || endpoint_like(av[0]))
			ip = av[0];
		else
			hostname = av[0];
	}

	rc = grow(p, &arr, &p->members_cap, nc->nmembers, NETCONF_MAX_MEMBERS,
	    sizeof(*nc->members), "trust");
	nc->members = arr;
	if (rc == -1)
		return -1;
	m = &nc->members[nc->nmembers];
	memset(m, 0, sizeof(*m));
	m->line = p->line;
	if (hostname != NULL) {
		if (!netconf_valid_hostname(hostname))
			return perr(p, "expected a hostname (one label of "
			    "letters, digits and '-', at most 63, not all "
			    "digits), got %s", quote(q, hostname));
		util_strlcpy(m->hostname, hostname, sizeof(m->hostname));
	}
	if (ip != NULL) {
		if (endpoint_like(ip))
			return perr(p, "expected the member's address inside "
			    "the mesh before the key, got %s (an endpoint "
			    "goes after the key)", quote(q, ip));
		if (addr_ip4_parse(ip, &m->ip4) == -1)
			return perr(p, "expected an IPv4 address A.B.C.D "
			    "(0-255 each, no leading zeros), got %s",
			    quote(q, ip));
		m->ip4_explicit = 1;
	}
	if (parse_key(p, av[k], m->key) == -1)
		return -1;
	if (k + 1 < ac) {
		if (parse_endpoint(p, av[k + 1], &m->ep) == -1)
			return -1;
		m->has_endpoint = 1;
	}
	for (i = 0; i < nc->nmembers; i++) {
		const struct nc_member	*o = &nc->members[i];

		if (memcmp(o->key, m->key, KEY_LEN) == 0)
			return perr(p, "duplicate key; first on line %d",
			    o->line);
		if (m->hostname[0] != '\0' &&
		    strcaseeq(o->hostname, m->hostname))
			return perr(p, "duplicate hostname %s; first on "
			    "line %d", quote(q, m->hostname), o->line);
		if (m->ip4_explicit && o->ip4_explicit && o->ip4 == m->ip4) {
			addr_ip4_format(a, m->ip4);
			return perr(p, "duplicate address %s; first on "
			    "line %d", a, o->line);
		}
	}
	nc->nmembers++;
	return 0;
}

/* admin, version, signature: netconf-admin.c (av[-1] is the name) */
static int
parse_signing(struct parser *p, char **av, int ac)
{
	return netconf_parse_signing(p->nc, av - 1, ac + 1, p->line, p->last,
	    p->err, p->errlen);
}

static int
parse_line(struct parser *p, char *line)
{
	const struct directive	*d = NULL;
	char			*av[MAX_WORDS], *s, q[GOT_MAX + 8];
	size_t			 i;
	int			 ac = 0, more = 0;

	if ((s = strchr(line, '#')) != NULL)
		*s = '\0';
	for (s = line; *s != '\0';) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (*s == '\0')
			break;
		if (ac < MAX_WORDS)
			av[ac++] = s;
		else
			more = 1;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
	}
	if (ac == 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(directives); i++)
		if (strcmp(av[0], directives[i].name) == 0)
			d = &directives[i];
	if (d == NULL)
		return perr(p, "unknown directive %s; expected name, namespace, "
		    "subnet, workbit, domain, boot, trust, admin, version or "
		    "signature", quote(q, av[0]));
	if (ac - 1 < d->minargs)
		return perr(p, "missing argument; expected \"%s\"", d->usage);
	if (ac - 1 > d->maxargs || more) {
		if (d->fn != parse_trust || more)
			return perr(p, "unexpected %s; expected \"%s\"",
			    quote(q, av[d->maxargs + 1]), d->usage);
		/* trust: let parse_trust say which word is wrong */
	}
	return d->fn(p, av + 1, ac - 1);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Give each member without an address the lowest free host address of the
 * subnet, in file order; free means not given explicitly to anyone
 * anywhere in the file, so that adding an explicit address to a later line
 * never moves an earlier allocation onto it. */
static int
allocate(struct parser *p)
{
	struct netconf	*nc = p->nc;
	uint32_t	*used, next, last;
	size_t		 i, j = 0, nused = 0;

	if ((used = calloc(nc->nmembers + 1, sizeof(*used))) == NULL)
		return perr(p, "out of memory");
	for (i = 0; i < nc->nmembers; i++)
		if (nc->members[i].ip4_explicit)
			used[nused++] = nc->members[i].ip4;
	qsort(used, nused, sizeof(*used), cmp_u32);
	next = nc->subnet + 1;
	last = nc->subnet + addr_ip4_nhosts(nc->prefixlen);
	for (i = 0; i < nc->nmembers; i++) {
		if (nc->members[i].ip4_explicit)
			continue;
		for (;;) {
			while (j < nused && used[j] < next)
				j++;
			if (j == nused || used[j] != next)
				break;
			next++;
		}
		if (next > last) {	/* ruled out by the caller's count */
			free(used);
			p->line = nc->members[i].line;
			return perr(p, "no free address left in the subnet");
		}
		nc->members[i].ip4 = next++;
	}
	free(used);
	return 0;
}

static int
check_workbits(struct parser *p, const uint8_t key[KEY_LEN], int line)
{
	struct netconf	*nc = p->nc;
	unsigned	 bits;

	bits = pow_workbits(nc->ns, strlen(nc->ns), key);
	if (bits < nc->workbit) {
		p->line = line;
		return perr(p, "key has %u workbit%s in namespace \"%s\", "
		    "fewer than the network's workbit %u (a mistyped key, "
		    "or one made for another namespace?)", bits,
		    bits == 1 ? "" : "s", nc->ns, nc->workbit);
	}
	return 0;
}

static int
check_member(struct parser *p, const struct nc_member *m)
{
	struct netconf	*nc = p->nc;
	char		 a[ADDR_IP4_STRLEN], net[ADDR_IP4_STRLEN];
	uint32_t	 bcast;

	addr_ip4_format(a, m->ip4);
	addr_ip4_format(net, nc->subnet);
	bcast = nc->subnet | ~addr_ip4_mask(nc->prefixlen);
	p->line = m->line;
	if (m->ip4_explicit && !addr_ip4_in_subnet(m->ip4, nc->subnet,
	    nc->prefixlen))
		return perr(p, "address %s is outside subnet %s/%u", a, net,
		    nc->prefixlen);
	if (m->ip4_explicit && m->ip4 == nc->subnet)
		return perr(p, "address %s is the network address of subnet "
		    "%s/%u; expected a host address", a, net, nc->prefixlen);
	if (m->ip4_explicit && m->ip4 == bcast)
		return perr(p, "address %s is the broadcast address of subnet "
		    "%s/%u; expected a host address", a, net, nc->prefixlen);
	return check_workbits(p, m->key, m->line);
}

/* Checks that need the whole file, in line order. */
static int
resolve(struct parser *p)
{
	struct netconf	*nc = p->nc;
	char		 net[ADDR_IP4_STRLEN], a[ADDR_IP6_STRLEN];
	size_t		 b = 0, m = 0, i, j;
	uint32_t	 nhosts;

	p->line = 0;
	if (p->name_line == 0)
		return perr(p, "missing \"name NAME\" directive");
	if (p->subnet_line == 0)
		return perr(p, "missing \"subnet A.B.C.D/N\" directive");
	while (b < nc->nboots || m < nc->nmembers) {
		if (m == nc->nmembers || (b < nc->nboots &&
		    nc->boots[b].line < nc->members[m].line)) {
			if (check_workbits(p, nc->boots[b].key,
			    nc->boots[b].line) == -1)
				return -1;
			b++;
		} else if (check_member(p, &nc->members[m++]) == -1)
			return -1;
	}
	nhosts = addr_ip4_nhosts(nc->prefixlen);
	if (nc->nmembers > nhosts) {
		p->line = p->subnet_line;
		addr_ip4_format(net, nc->subnet);
		return perr(p, "subnet %s/%u has %lu host addresses, too few "
		    "for %zu members", net, nc->prefixlen,
		    (unsigned long)nhosts, nc->nmembers);
	}
	if (allocate(p) == -1)
		return -1;
	if (p->domain_line == 0)
		netconf_default_domain(nc->name, nc->domain);

	addr_ula_prefix(nc->ula_prefix, nc->ns, strlen(nc->ns));
	for (i = 0; i < nc->nmembers; i++)
		addr_ula(nc->members[i].ip6, nc->ula_prefix, nc->ns,
		    strlen(nc->ns), nc->members[i].key);
	/* 2^-64 per pair; checked so that routing can rely on it */
	for (i = 0; i < nc->nmembers; i++) {
		for (j = 0; j < i; j++) {
			if (memcmp(nc->members[i].ip6, nc->members[j].ip6,
			    16) == 0) {
				p->line = nc->members[i].line;
				addr_ip6_format(a, nc->members[i].ip6);
				return perr(p, "IPv6 address %s collides with "
				    "the member on line %d; use another key",
				    a, nc->members[j].line);
			}
		}
	}
	return 0;
}

int
netconf_parse(const char *buf, size_t len, struct netconf *nc,
    int *errline, char *err, size_t errlen)
{
	struct parser	 p;
	char		 line[NETCONF_LINE_MAX + 1];
	size_t		 off = 0, n, i;
	const char	*nl, *start;

	memset(nc, 0, sizeof(*nc));
	memset(&p, 0, sizeof(p));
	p.nc = nc;
	p.err = err;
	p.errlen = errlen;
	util_strlcpy(nc->ns, NETCONF_DEFAULT_NS, sizeof(nc->ns));
	nc->workbit = NETCONF_DEFAULT_WORKBIT;

	if (len > NETCONF_MAX_SIZE) {
		perr(&p, "file too large (more than %d bytes)",
		    NETCONF_MAX_SIZE);
		goto fail;
	}
	/* A UTF-8 byte order mark, as some Windows editors write, is not
	 * part of the text. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	while (off < len) {
		p.line++;
		nl = memchr(buf + off, '\n', len - off);
		start = buf + off;
		n = nl != NULL ? (size_t)(nl - start) : len - off;
		off += n + 1;
		p.last = off >= len;
		/* CRLF line endings: the CR is not part of the line */
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n > NETCONF_LINE_MAX) {
			perr(&p, "line too long (more than %d characters)",
			    NETCONF_LINE_MAX);
			goto fail;
		}
		memcpy(line, start, n);
		line[n] = '\0';
		for (i = 0; i < n; i++) {
			unsigned char	c = (unsigned char)line[i];

			if (c == '\r') {
				perr(&p, "unexpected carriage return in column "
				    "%zu; expected one only right before a "
				    "newline (CRLF line endings)", i + 1);
				goto fail;
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				perr(&p, "unexpected control character 0x%02x "
				    "in column %zu", c, i + 1);
				goto fail;
			}
		}
		if (parse_line(&p, line) == -1)
			goto fail;
	}
	if (resolve(&p) == -1)
		goto fail;
	return 0;
fail:
	*errline = p.line;
	netconf_free(nc);
	return -1;
}

void
netconf_free(struct netconf *nc)
{
	free(nc->boots);
	free(nc->members);
	memset(nc, 0, sizeof(*nc));
}
