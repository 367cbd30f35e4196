/* The words of a netconfig or a command line, each checked alone (pure):
 * names, namespaces, workbits, ports, interface names, hostnames and DNS
 * names; the default interface name and an endpoint's text; and the word
 * pairs of `mesh up FILE private-key K interface N listen-port P`. The
 * file parser (netconf.c) and the commands (src/cli) share them. */
#include "config.h"

#include <stdio.h>
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "netconf/netconf.h"
#include "common/util.h"

#define XSTR(x)		#x
#define STR(x)		XSTR(x)
#define DOMAIN_MAX_TEXT	STR(NETCONF_DOMAIN_MAX)

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One DNS label: 1-63 letters, digits and '-', not at either end. */
static int
dns_label(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* A member's hostname: one DNS label with at least one letter. */
int
netconf_valid_hostname(const char *s)
{
	size_t	i, n = strlen(s);

	if (n > NETCONF_HOSTNAME_MAX || !dns_label(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if (is_alpha(s[i]))
			return 1;
	return 0;
}

/* A DNS name: labels separated by dots, at most 253 characters; the last
 * label is not all digits (that would be a mistyped address). */
int
netconf_valid_dns_name(const char *s)
{
	const char	*b = s, *dot;
	size_t		 n = strlen(s), i;
	int		 alpha = 0;

	if (n == 0 || n > 253)
		return 0;
	for (;;) {
		dot = strchr(b, '.');
		if (!dns_label(b, dot != NULL ? (size_t)(dot - b) :
		    strlen(b)))
			return 0;
		if (dot == NULL)
			break;
		b = dot + 1;
	}
	for (i = 0; b[i] != '\0'; i++)
		if (!(b[i] >= '0' && b[i] <= '9'))
			alpha = 1;
	return alpha;
}

/* Value helpers, shared with command lines (netconf.h). */

int
netconf_parse_workbit(const char *s, unsigned *out, const char **why)
{
	unsigned long	v;

	if (util_parse_uint(s, 0, NETCONF_MAX_WORKBIT, &v) == -1) {
		*why = "expected a workbit count from 0 to 64";
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int
name_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is_alnum(*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

int
netconf_parse_name(const char *s, const char **why)
{
	size_t	n = strlen(s);

	if (n == 0 || n > NETCONF_NAME_MAX || !name_chars(s) ||
	    !is_alnum(s[0])) {
		*why = "expected a network name of 1 to 32 letters, digits, "
		    "'-', '_' and '.', starting with a letter or digit";
		return -1;
	}
	return 0;
}

int
netconf_parse_namespace(const char *s, const char **why)
{
	size_t	n = strlen(s);

	if (n == 0 || n > NETCONF_NAME_MAX) {
		*why = "expected a namespace of 1 to 32 characters";
		return -1;
	}
	if (!name_chars(s)) {
		*why = "expected a namespace of letters, digits, "
		    "'-', '_' and '.'";
		return -1;
	}
	return 0;
}

int
netconf_parse_port(const char *s, uint16_t *out, const char **why)
{
	unsigned long	v;

	if (util_parse_uint(s, 1, 65535, &v) == -1) {
		*why = "expected a UDP port from 1 to 65535";
		return -1;
	}
	*out = (uint16_t)v;
	return 0;
}

int
netconf_parse_ifname(const char *s, const char **why)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > NETCONF_IFNAME_MAX) {
		*why = "expected an interface name of 1 to 15 characters";
		return -1;
	}
	for (i = 0; i < n; i++) {
		char	c = s[i];

		if (c == '/' || c == ':' || c <= ' ' || c > '~' ||
		    (i == 0 && c == '.')) {
			*why = "expected an interface name without '/', ':', "
			    "spaces or a leading '.'";
			return -1;
		}
	}
	return 0;
}

/* The reverse tree (.arpa) is refused: reverse names are answered from
 * the addresses, under in-addr.arpa and ip6.arpa. */
int
netconf_parse_domain(const char *s, char out[NETCONF_DOMAIN_MAX + 1],
    const char **why)
{
	char		 d[NETCONF_DOMAIN_MAX + 1];
	const char	*tld;
	size_t		 n = strlen(s);

	if (n > 1 && s[n - 1] == '.')
		n--;
	if (n > NETCONF_DOMAIN_MAX) {
		*why = "expected a domain of at most " DOMAIN_MAX_TEXT
		    " characters (so that HOSTNAME.DOMAIN fits in 253)";
		return -1;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	if (!netconf_valid_dns_name(d)) {
		*why = "expected a DNS domain (labels of 1 to 63 letters, "
		    "digits and '-', not starting or ending with '-', joined "
		    "by dots; the last not all digits)";
		return -1;
	}
	tld = strrchr(d, '.') != NULL ? strrchr(d, '.') + 1 : d;
	if (strcasecmp(tld, "arpa") == 0) {
		*why = "expected a domain outside .arpa (reverse names come "
		    "from the addresses)";
		return -1;
	}
	memcpy(out, d, n + 1);
	return 0;
}

/* '_' is allowed in network names, not in DNS hostnames; a name that
 * still makes no DNS name gets no domain, so that no member answers
 * names nobody chose. */
void
netconf_default_domain(const char *name, char out[NETCONF_DOMAIN_MAX + 1])
{
	char	d[NETCONF_NAME_MAX + sizeof(NETCONF_DOMAIN_DEFAULT) + 1];
	size_t	i;

	out[0] = '\0';
	snprintf(d, sizeof(d), "%s.%s", name, NETCONF_DOMAIN_DEFAULT);
	for (i = 0; d[i] != '\0'; i++) {
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
		else if (d[i] == '_')
			d[i] = '-';
	}
	if (netconf_valid_dns_name(d) && strlen(d) <= NETCONF_DOMAIN_MAX)
		memcpy(out, d, strlen(d) + 1);
}

int
netconf_default_ifname(const struct netconf *nc,
    char out[NETCONF_IFNAME_MAX + 1], char *err, size_t errlen)
{
	static const char	prefix[] = "mesh-";

	if (sizeof(prefix) - 1 + strlen(nc->name) > NETCONF_IFNAME_MAX) {
		snprintf(err, errlen, "interface name \"%s%s\" would be longer "
		    "than %d characters; pass interface NAME", prefix,
		    nc->name, NETCONF_IFNAME_MAX);
		return -1;
	}
	snprintf(out, NETCONF_IFNAME_MAX + 1, "%s%s", prefix, nc->name);
	return 0;
}

const char *
netconf_endpoint_format(char out[NETCONF_EP_STRLEN],
    const struct nc_endpoint *ep)
{
	if (strchr(ep->host, ':') != NULL)
		snprintf(out, NETCONF_EP_STRLEN, "[%s]:%u", ep->host,
		    (unsigned)ep->port);
	else
		snprintf(out, NETCONF_EP_STRLEN, "%s:%u", ep->host,
		    (unsigned)ep->port);
	return out;
}

/* Command line of mesh up. */

static int
up_flags(const char *arg, struct up_args *ua, char *err, size_t errlen)
{
	const char	*s;

	if (arg[1] == '\0') {
		snprintf(err, errlen, "unexpected \"-\"; expected -f or -v");
		return -1;
	}
	for (s = arg + 1; *s != '\0'; s++) {
		if (*s == 'f')
			ua->foreground = 1;
		else if (*s == 'v')
			ua->verbose++;
		else {
			snprintf(err, errlen, "unknown option -%c in \"%.32s\"; "
			    "expected -f or -v", *s, arg);
			return -1;
		}
	}
	return 0;
}

/* ADDR:PORT or [ADDR6]:PORT with a literal address (a listening socket:
 * no name to resolve) and a port other than 0. */
static int
parse_listen_addr(const char *v, char *addr, size_t addrlen, uint16_t *port,
    const char **why)
{
	const char	*colon, *a = v;
	size_t		 alen;
	unsigned char	 bin[16];
	int		 af = AF_INET;

	if (v[0] == '[') {
		if ((colon = strstr(v, "]:")) == NULL) {
			*why = "expected [IPV6]:PORT";
			return -1;
		}
		a = v + 1;
		alen = (size_t)(colon - a);
		colon++;
		af = AF_INET6;
	} else if ((colon = strrchr(v, ':')) == NULL ||
	    memchr(v, ':', (size_t)(colon - v)) != NULL) {
		*why = "expected ADDRESS:PORT, e.g. 127.0.0.1:9474 or "
		    "[::1]:9474";
		return -1;
	} else
		alen = (size_t)(colon - v);
	if (alen == 0 || alen >= addrlen) {
		*why = "expected an IP address before the port";
		return -1;
	}
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	if (inet_pton(af, addr, bin) != 1) {
		*why = af == AF_INET ? "not an IPv4 address (names are not "
		    "resolved here)" : "not an IPv6 address";
		return -1;
	}
	if (netconf_parse_port(colon + 1, port, why) == -1)
		return -1;
	if (*port == 0) {
		*why = "port 0";
		return -1;
	}
	return 0;
}

int
netconf_parse_up_args(int argc, char **argv, struct up_args *ua, char *err,
    size_t errlen)
{
	const char	*why, *w, *v;
	int		 i, seen_key = 0, seen_if = 0, seen_port = 0, *seen;
	int		 seen_metrics = 0, seen_tcp = 0;

	memset(ua, 0, sizeof(*ua));
	for (i = 0; i < argc; i++) {
		w = argv[i];
		if (w[0] == '-') {
			if (up_flags(w, ua, err, errlen) == -1)
				return -1;
			continue;
		}
		if (ua->netconfig == NULL) {
			ua->netconfig = w;
			continue;
		}
		if (strcmp(w, "private-key") == 0)
			seen = &seen_key;
		else if (strcmp(w, "interface") == 0)
			seen = &seen_if;
		else if (strcmp(w, "listen-port") == 0)
			seen = &seen_port;
		else if (strcmp(w, "metrics") == 0)
			seen = &seen_metrics;
		else if (strcmp(w, "tcp-port") == 0)
			seen = &seen_tcp;
		else {
			snprintf(err, errlen, "unexpected \"%.64s\"; expected "
			    "private-key, interface, listen-port, tcp-port or "
			    "metrics", w);
			return -1;
		}
		if (*seen) {
			snprintf(err, errlen, "%s given twice", w);
			return -1;
		}
		*seen = 1;
		if (i + 1 >= argc) {
			snprintf(err, errlen, "%s: missing value", w);
			return -1;
		}
		v = argv[++i];
		if (seen == &seen_key) {
			if (v[0] == '\0') {
				snprintf(err, errlen, "private-key: expected "
				    "a file name");
				return -1;
			}
			ua->private_key = v;
		} else if (seen == &seen_if) {
			if (netconf_parse_ifname(v, &why) == -1) {
				snprintf(err, errlen, "interface \"%.64s\": %s",
				    v, why);
				return -1;
			}
			util_strlcpy(ua->ifname, v, sizeof(ua->ifname));
		} else if (seen == &seen_metrics) {
			if (parse_listen_addr(v, ua->metrics_addr,
			    sizeof(ua->metrics_addr), &ua->metrics_port,
			    &why) == -1) {
				snprintf(err, errlen, "metrics \"%.64s\": %s",
				    v, why);
				return -1;
			}
		} else if (seen == &seen_tcp) {
			if (netconf_parse_port(v, &ua->tcp_port, &why) == -1) {
				snprintf(err, errlen, "tcp-port \"%.64s\": "
				    "expected a TCP port from 1 to 65535", v);
				return -1;
			}
		} else if (netconf_parse_port(v, &ua->listen_port, &why)
		    == -1) {
			snprintf(err, errlen, "listen-port \"%.64s\": %s", v,
			    why);
			return -1;
		}
	}
	if (ua->netconfig == NULL) {
		snprintf(err, errlen, "expected a NETCONFIG file");
		return -1;
	}
	return 0;
}
