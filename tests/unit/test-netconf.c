/* netconf.c: the netconfig parser, address allocation, IPv6 derivation,
 * and the `mesh up` word pairs. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "netconf/addr.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "dht/pow.h"
#include "t.h"

/* Real keys with at least 8 workbits in namespace "public". */
static const char	KA[] = "NGisdmKLkW-KhsZZ2NPp6vcLKFk0JvW4WnWMfhEUBwE";
static const char	KB[] = "jldDOgDVdwPhi8ywZwCZUB9q19PyRnBDKJqjoS_UKEg";
static const char	KC[] = "DJw0D7jostnteAWVnGMWV1GsTWgZ0qIOWLV4vQjmSm4";

static char	cfg[1 << 16];

/* Synthetic key number i (for configs with workbit 0). */
static const char *
k(int i)
{
	static char	text[8][KEY_TEXT_LEN + 1];
	static int	slot;
	uint8_t		key[KEY_LEN];
	char		*t = text[slot++ % 8];

	memset(key, 0, sizeof(key));
	key[0] = (uint8_t)(i >> 8);
	key[1] = (uint8_t)i;
	key[31] = 0x42;
	key_to_text(t, key);
	return t;
}

static void
kbin(int i, uint8_t key[KEY_LEN])
{
	const char	*t = k(i);

	key_from_text(key, t, strlen(t));
}

static const char *
cfgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
cfgf(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(cfg, sizeof(cfg), fmt, ap);
	va_end(ap);
	return cfg;
}

static int
parse(const char *s, struct netconf *nc, int *line, char *err, size_t errlen)
{
	return netconf_parse(s, strlen(s), nc, line, err, errlen);
}

/* Parse must fail at line with exactly msg. */
static void
expect_err(const char *s, int line, const char *msg)
{
	struct netconf	nc;
	char		err[512];
	int		l = -5;

	if (parse(s, &nc, &l, err, sizeof(err)) != -1) {
		T_FAIL("accepted:\n%s", s);
		netconf_free(&nc);
		return;
	}
	if (l != line || strcmp(err, msg) != 0)
		T_FAIL("got %d: %s\nexpected %d: %s\nfor:\n%s", l, err, line,
		    msg, s);
	T_EQ_INT(nc.nmembers, 0);
	T_ASSERT(nc.members == NULL && nc.boots == NULL);
}

static void
ip4s(char out[ADDR_IP4_STRLEN], const struct nc_member *m)
{
	addr_ip4_format(out, m->ip4);
}

T_TEST(minimal)
{
	struct netconf	nc;
	char		err[256], ifname[NETCONF_IFNAME_MAX + 1];
	int		line;

	T_EQ_INT(parse("name office\nsubnet 10.42.0.0/24\n", &nc, &line, err,
	    sizeof(err)), 0);
	T_EQ_STR(nc.name, "office");
	T_EQ_STR(nc.ns, NETCONF_DEFAULT_NS);
	T_EQ_INT(nc.workbit, NETCONF_DEFAULT_WORKBIT);
	T_EQ_INT(nc.subnet, 0x0a2a0000);
	T_EQ_INT(nc.prefixlen, 24);
	T_EQ_INT(nc.nboots, 0);
	T_EQ_INT(nc.nmembers, 0);
	T_EQ_INT(nc.ula_prefix[0], 0xfd);
	T_EQ_INT(netconf_default_ifname(&nc, ifname, err, sizeof(err)), 0);
	T_EQ_STR(ifname, "mesh-office");
	netconf_free(&nc);
	netconf_free(&nc);	/* harmless twice */
}

T_TEST(full)
{
	struct netconf		 nc;
	const struct nc_member	*m;
	char			 err[256], a[ADDR_IP4_STRLEN];
	char			 ep[NETCONF_EP_STRLEN];
	uint8_t			 key[KEY_LEN], prefix[8], ip6[16];
	int			 line;

	cfgf("# office network\n"
	    "\n"
	    "name office-2.b_c  # trailing comment\n"
	    "   namespace\tlab.1\n"
	    "subnet 10.42.0.0/24\n"
	    "workbit 0\n"
	    "boot %s boot.example.com\n"
	    "boot %s 192.0.2.1:999\n"
	    "trust alice %s 203.0.113.5:5000\n"
	    "trust %s\n"
	    "trust bob 10.42.0.1 %s [2001:db8::1]:7000\n"
	    "trust 10.42.0.2 %s 2001:db8::2\n"
	    "trust Carol %s host-1.example.net\n"
	    "#trust %s\n",
	    k(1), k(2), k(3), k(4), k(5), k(6), k(7), k(8));
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	T_EQ_STR(nc.name, "office-2.b_c");
	T_EQ_STR(nc.ns, "lab.1");
	T_EQ_INT(nc.workbit, 0);
	T_EQ_INT(nc.nboots, 2);
	T_EQ_STR(nc.boots[0].ep.host, "boot.example.com");
	T_EQ_INT(nc.boots[0].ep.port, NETCONF_DEFAULT_PORT);
	T_EQ_INT(nc.boots[0].line, 7);
	T_EQ_STR(nc.boots[1].ep.host, "192.0.2.1");
	T_EQ_INT(nc.boots[1].ep.port, 999);
	kbin(2, key);
	T_EQ_MEM(nc.boots[1].key, key, KEY_LEN);

	T_EQ_INT(nc.nmembers, 5);
	m = &nc.members[0];
	T_EQ_STR(m->hostname, "alice");
	T_EQ_INT(m->line, 9);
	T_EQ_INT(m->ip4_explicit, 0);
	ip4s(a, m);
	T_EQ_STR(a, "10.42.0.3");	/* .1 and .2 are taken later */
	T_ASSERT(m->has_endpoint);
	T_EQ_STR(netconf_endpoint_format(ep, &m->ep), "203.0.113.5:5000");

	m = &nc.members[1];
	T_EQ_STR(m->hostname, "");
	ip4s(a, m);
	T_EQ_STR(a, "10.42.0.4");
	T_ASSERT(!m->has_endpoint);

	m = &nc.members[2];
	T_EQ_STR(m->hostname, "bob");
	T_ASSERT(m->ip4_explicit);
	ip4s(a, m);
	T_EQ_STR(a, "10.42.0.1");
	T_EQ_STR(m->ep.host, "2001:db8::1");
	T_EQ_STR(netconf_endpoint_format(ep, &m->ep), "[2001:db8::1]:7000");

	m = &nc.members[3];
	ip4s(a, m);
	T_EQ_STR(a, "10.42.0.2");
	T_EQ_STR(netconf_endpoint_format(ep, &m->ep), "[2001:db8::2]:6374");

	m = &nc.members[4];
	T_EQ_STR(m->hostname, "Carol");
	ip4s(a, m);
	T_EQ_STR(a, "10.42.0.5");
	T_EQ_STR(netconf_endpoint_format(ep, &m->ep),
	    "host-1.example.net:6374");

	/* IPv6: the namespace's prefix and the key's interface id */
	addr_ula_prefix(prefix, "lab.1", 5);
	T_EQ_MEM(nc.ula_prefix, prefix, 8);
	kbin(5, key);
	addr_ula(ip6, prefix, "lab.1", 5, key);
	T_EQ_MEM(nc.members[2].ip6, ip6, 16);

	/* lookups */
	T_ASSERT(netconf_member_by_key(&nc, key) == &nc.members[2]);
	T_ASSERT(netconf_member_by_ip4(&nc, 0x0a2a0001) == &nc.members[2]);
	T_ASSERT(netconf_member_by_ip6(&nc, ip6) == &nc.members[2]);
	kbin(8, key);
	T_ASSERT(netconf_member_by_key(&nc, key) == NULL);
	T_ASSERT(netconf_member_by_ip4(&nc, 0x0a2a0006) == NULL);
	ip6[15] ^= 1;
	T_ASSERT(netconf_member_by_ip6(&nc, ip6) == NULL);
	kbin(1, key);		/* a boot key is not a member */
	T_ASSERT(netconf_member_by_key(&nc, key) == NULL);
	netconf_free(&nc);
}

/* Allocation: file order, lowest free host address, never one that any
 * line gives explicitly; same result whatever the order of explicit ones. */
T_TEST(allocation_order)
{
	struct netconf	nc;
	char		err[256], a[ADDR_IP4_STRLEN];
	const char	*want[] = { "10.9.0.2", "10.9.0.1", "10.9.0.4",
			    "10.9.0.3", "10.9.0.6", "10.9.0.5" };
	size_t		i;
	int		line;

	cfgf("name n\nsubnet 10.9.0.0/29\nworkbit 0\n"
	    "trust %s\ntrust 10.9.0.1 %s\ntrust %s\ntrust 10.9.0.3 %s\n"
	    "trust %s\ntrust 10.9.0.5 %s\n",
	    k(1), k(2), k(3), k(4), k(5), k(6));
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	T_EQ_INT(nc.nmembers, 6);	/* a /29 has exactly 6 hosts */
	for (i = 0; i < nc.nmembers; i++) {
		ip4s(a, &nc.members[i]);
		T_EQ_STR(a, want[i]);
	}
	netconf_free(&nc);

	/* explicit addresses at the top of the range, allocation below */
	cfgf("name n\nsubnet 10.9.0.0/30\nworkbit 0\n"
	    "trust %s\ntrust 10.9.0.1 %s\n", k(1), k(2));
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	ip4s(a, &nc.members[0]);
	T_EQ_STR(a, "10.9.0.2");
	netconf_free(&nc);

	/* one too many */
	cfgf("name n\nsubnet 10.9.0.0/30\nworkbit 0\n"
	    "trust %s\ntrust %s\ntrust %s\n", k(1), k(2), k(3));
	expect_err(cfg, 2, "subnet 10.9.0.0/30 has 2 host addresses, too "
	    "few for 3 members");
}

T_TEST(allocation_big)
{
	struct netconf	nc;
	char		err[256];
	size_t		off = 0, i;
	int		line;

	off += (size_t)snprintf(cfg + off, sizeof(cfg) - off,
	    "name big\nsubnet 172.16.0.0/22\nworkbit 0\n");
	for (i = 0; i < 1022; i++) {
		if (i % 100 == 7)
			off += (size_t)snprintf(cfg + off, sizeof(cfg) - off,
			    "trust 172.16.3.%zu %s\n", 250 - i / 100, k((int)i));
		else
			off += (size_t)snprintf(cfg + off, sizeof(cfg) - off,
			    "trust %s\n", k((int)i));
	}
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	T_EQ_INT(nc.nmembers, 1022);
	for (i = 0; i < nc.nmembers; i++) {
		T_ASSERT(addr_ip4_is_host(nc.members[i].ip4, nc.subnet, 22));
		T_ASSERT(netconf_member_by_ip4(&nc, nc.members[i].ip4) ==
		    &nc.members[i]);
	}
	T_EQ_INT(nc.members[0].ip4, 0xac100001);
	netconf_free(&nc);
}

T_TEST(line_endings_and_blanks)
{
	struct netconf	nc;
	char		err[256];
	int		line;

	/* CRLF, tabs, no final newline, comment-only and blank lines */
	cfgf("\r\n#c\r\n\t name\tx \r\nsubnet 10.0.0.0/8\r\nworkbit 0\r\n"
	    "trust %s#c", k(1));
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	T_EQ_STR(nc.name, "x");
	T_EQ_INT(nc.nmembers, 1);
	T_EQ_INT(nc.members[0].line, 6);
	netconf_free(&nc);

	/* a UTF-8 byte order mark at the start is not part of the text */
	cfgf("\xef\xbb\xbfname x\r\nsubnet 10.0.0.0/8\r\nworkbit 0\r\n"
	    "trust %s\r\n", k(1));
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	T_EQ_STR(nc.name, "x");
	T_EQ_INT(nc.nmembers, 1);
	netconf_free(&nc);
	/* ... and only there */
	expect_err("name x\n\xef\xbb\xbfsubnet 10.0.0.0/8\n", 2,
	    "unknown directive \"\\xef\\xbb\\xbfsubnet\"; expected name, "
	    "namespace, subnet, workbit, domain, boot, trust, admin, version "
	    "or signature");
	/* a CR elsewhere than before the newline: old Mac line endings, a
	 * doubled CR, a CR inside a word */
	expect_err("name x\rsubnet 10.0.0.0/8\r", 1,
	    "unexpected carriage return in column 7; expected one only right "
	    "before a newline (CRLF line endings)");
	expect_err("name x\nsubnet 10.0.0.0/8\r\r\n", 2,
	    "unexpected carriage return in column 18; expected one only right "
	    "before a newline (CRLF line endings)");
	expect_err("name x\nsub\rnet 10.0.0.0/8\n", 2,
	    "unexpected carriage return in column 4; expected one only right "
	    "before a newline (CRLF line endings)");
	/* the CR of a CRLF does not count towards the line length */
	memset(cfg, ' ', NETCONF_LINE_MAX + 40);
	memcpy(cfg, "name x\r\nsubnet 10.0.0.0/8", 25);
	memcpy(cfg + 8 + NETCONF_LINE_MAX, "\r\n", 3);
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	netconf_free(&nc);
	memcpy(cfg + 8 + NETCONF_LINE_MAX, " \r\n", 4);
	expect_err(cfg, 2, "line too long (more than 1024 characters)");

	/* the buffer need not be NUL-terminated */
	memcpy(cfg, "name y\nsubnet 10.0.0.0/8\nXXXXX", 30);
	T_EQ_INT(netconf_parse(cfg, 25, &nc, &line, err, sizeof(err)), 0);
	T_EQ_STR(nc.name, "y");
	netconf_free(&nc);
}

T_TEST(padded_key_and_workbits)
{
	struct netconf	nc;
	char		err[256], std[KEY_TEXT_LEN + 2];
	uint8_t		key[KEY_LEN];
	size_t		i;
	int		line;

	/* standard base64 with padding is the same key */
	memcpy(std, KB, KEY_TEXT_LEN);
	for (i = 0; i < KEY_TEXT_LEN; i++) {
		if (std[i] == '-')
			std[i] = '+';
		else if (std[i] == '_')
			std[i] = '/';
	}
	std[KEY_TEXT_LEN] = '=';
	std[KEY_TEXT_LEN + 1] = '\0';
	cfgf("name n\nsubnet 10.0.0.0/24\ntrust %s\ntrust %s\n", KA, std);
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	key_from_text(key, KB, KEY_TEXT_LEN);
	T_EQ_MEM(nc.members[1].key, key, KEY_LEN);
	netconf_free(&nc);

	/* the same key twice, written two ways */
	cfgf("name n\nsubnet 10.0.0.0/24\ntrust %s\ntrust %s\n", KB, std);
	expect_err(cfg, 4, "duplicate key; first on line 3");

	/* default workbit 8: real keys pass, a synthetic one does not */
	kbin(1, key);
	T_ASSERT(pow_workbits("public", 6, key) < 8);
	cfgf("name n\nsubnet 10.0.0.0/24\nboot %s h\ntrust %s\ntrust %s\n",
	    KC, KA, k(1));
	snprintf(err, sizeof(err), "key has %u workbit%s in namespace "
	    "\"public\", fewer than the network's workbit 8 (a mistyped "
	    "key, or one made for another namespace?)",
	    pow_workbits("public", 6, key),
	    pow_workbits("public", 6, key) == 1 ? "" : "s");
	expect_err(cfg, 5, err);
	cfgf("name n\nsubnet 10.0.0.0/24\nboot %s h\ntrust %s\n", k(1), KA);
	expect_err(cfg, 3, err);
	/* the workbit line may come after the keys */
	cfgf("name n\nsubnet 10.0.0.0/24\ntrust %s\nworkbit 0\n", k(1));
	T_EQ_INT(parse(cfg, &nc, &line, err, sizeof(err)), 0);
	netconf_free(&nc);
}

T_TEST(errors)
{
	const char	*h = "name n\nsubnet 10.0.0.0/24\nworkbit 0\n";
	char		 buf[512];

	expect_err("", 0, "missing \"name NAME\" directive");
	expect_err("name n\n", 0, "missing \"subnet A.B.C.D/N\" directive");
	expect_err("subnet 10.0.0.0/24\n", 0,
	    "missing \"name NAME\" directive");
	/* two addresses; an endpoint where the address goes */
	snprintf(buf, sizeof(buf), "%strust 10.0.0.5 10.0.0.6 %s\n", h, k(1));
	expect_err(buf, 4, "expected one address before the key, got a "
	    "second one \"10.0.0.6\"");
	snprintf(buf, sizeof(buf), "%strust a 192.0.2.1:6374 %s\n", h, k(1));
	expect_err(buf, 4, "expected the member's address inside the mesh "
	    "before the key, got \"192.0.2.1:6374\" (an endpoint goes after "
	    "the key)");
	snprintf(buf, sizeof(buf), "%strust host.example:7 %s\n", h, k(1));
	expect_err(buf, 4, "expected the member's address inside the mesh "
	    "before the key, got \"host.example:7\" (an endpoint goes after "
	    "the key)");
	expect_err("name n\nfoo bar\n", 2, "unknown directive \"foo\"; "
	    "expected name, namespace, subnet, workbit, domain, boot, "
	    "trust, admin, version or signature");
	expect_err("Name n\n", 1, "unknown directive \"Name\"; "
	    "expected name, namespace, subnet, workbit, domain, boot, "
	    "trust, admin, version or signature");
	expect_err("name\n", 1, "missing argument; expected \"name NAME\"");
	expect_err("name a b\n", 1, "unexpected \"b\"; expected \"name NAME\"");
	expect_err("name a\nname b\n", 2,
	    "duplicate \"name\" directive; first on line 1");
	expect_err("name a\nnamespace x\n\nnamespace x\n", 4,
	    "duplicate \"namespace\" directive; first on line 2");
	expect_err("workbit 1\nworkbit 1\n", 2,
	    "duplicate \"workbit\" directive; first on line 1");
	expect_err("subnet 10.0.0.0/8\nsubnet 10.0.0.0/8\n", 2,
	    "duplicate \"subnet\" directive; first on line 1");
	expect_err("name -x\n", 1, "expected a network name of 1 to 32 "
	    "letters, digits, '-', '_' and '.', starting with a letter or "
	    "digit, got \"-x\"");
	expect_err("namespace a/b\n", 1, "expected a namespace of letters, "
	    "digits, '-', '_' and '.', got \"a/b\"");
	expect_err("workbit 65\n", 1,
	    "expected a workbit count from 0 to 64, got \"65\"");
	expect_err("subnet 10.0.0.0\n", 1,
	    "expected a subnet A.B.C.D/N, got \"10.0.0.0\"");
	expect_err("subnet 10.0.0/24\n", 1,
	    "expected a subnet A.B.C.D/N, got \"10.0.0/24\"");
	expect_err("subnet 10.0.0.0/31\n", 1,
	    "expected a prefix length from 8 to 30, got \"31\"");
	expect_err("subnet 10.0.0.0/\n", 1,
	    "expected a prefix length from 8 to 30, got \"\"");
	expect_err("subnet 127.0.0.0/8\n", 1, "expected a unicast subnet (not "
	    "in 0.0.0.0/8, 127.0.0.0/8 or 224.0.0.0/3), got \"127.0.0.0/8\"");
	expect_err("subnet 0.0.0.0/8\n", 1, "expected a unicast subnet (not "
	    "in 0.0.0.0/8, 127.0.0.0/8 or 224.0.0.0/3), got \"0.0.0.0/8\"");
	expect_err("subnet 240.0.0.0/8\n", 1, "expected a unicast subnet (not "
	    "in 0.0.0.0/8, 127.0.0.0/8 or 224.0.0.0/3), got \"240.0.0.0/8\"");
	expect_err("subnet 10.0.0.5/24\n", 1, "expected the network address "
	    "10.0.0.0/24 (host bits zero), got \"10.0.0.5/24\"");

	snprintf(buf, sizeof(buf), "%strust abc\n", h);
	expect_err(buf, 4, "expected a public key (43 characters of "
	    "base64url), got \"abc\"");
	snprintf(buf, sizeof(buf), "%strust alice 10.0.0.1\n", h);
	expect_err(buf, 4, "expected a public key (43 characters of "
	    "base64url), got \"10.0.0.1\"");
	snprintf(buf, sizeof(buf), "%strust alice abc host\n", h);
	expect_err(buf, 4, "expected a public key (43 characters of "
	    "base64url), got \"abc\"");
	snprintf(buf, sizeof(buf), "%strust %.42s! host\n", h, k(1));
	snprintf(cfg, sizeof(cfg), "expected a public key (43 characters of "
	    "base64url), got \"%.42s!\"", k(1));
	expect_err(buf, 4, cfg);
	snprintf(buf, sizeof(buf), "%strust a b c %s\n", h, k(1));
	expect_err(buf, 4, "expected at most a hostname and an address "
	    "before the key, got \"c\"");
	snprintf(buf, sizeof(buf), "%strust %s h1 h2\n", h, k(1));
	expect_err(buf, 4, "unexpected \"h2\" after the endpoint; expected "
	    "\"trust [HOSTNAME] [IP] KEY [HOST[:PORT]]\"");
	snprintf(buf, sizeof(buf), "%strust 1 2 3 4 5 6 7 8 9\n", h);
	expect_err(buf, 4, "unexpected \"5\"; expected \"trust [HOSTNAME] "
	    "[IP] KEY [HOST[:PORT]]\"");
	snprintf(buf, sizeof(buf), "%strust 10.0.0.256 %s\n", h, k(1));
	expect_err(buf, 4, "expected an IPv4 address A.B.C.D (0-255 each, "
	    "no leading zeros), got \"10.0.0.256\"");
	snprintf(buf, sizeof(buf), "%strust al_ice %s\n", h, k(1));
	expect_err(buf, 4, "expected a hostname (one label of letters, "
	    "digits and '-', at most 63, not all digits), got \"al_ice\"");
	snprintf(buf, sizeof(buf), "%strust 10.1.0.1 %s\n", h, k(1));
	expect_err(buf, 4, "address 10.1.0.1 is outside subnet 10.0.0.0/24");
	snprintf(buf, sizeof(buf), "%strust 10.0.0.0 %s\n", h, k(1));
	expect_err(buf, 4, "address 10.0.0.0 is the network address of "
	    "subnet 10.0.0.0/24; expected a host address");
	snprintf(buf, sizeof(buf), "%strust 10.0.0.255 %s\n", h, k(1));
	expect_err(buf, 4, "address 10.0.0.255 is the broadcast address of "
	    "subnet 10.0.0.0/24; expected a host address");
	snprintf(buf, sizeof(buf), "%strust 10.0.0.7 %s\ntrust 10.0.0.7 %s\n",
	    h, k(1), k(2));
	expect_err(buf, 5, "duplicate address 10.0.0.7; first on line 4");
	snprintf(buf, sizeof(buf), "%strust bob %s\ntrust BOB %s\n", h, k(1),
	    k(2));
	expect_err(buf, 5, "duplicate hostname \"BOB\"; first on line 4");
	snprintf(buf, sizeof(buf), "%sboot %s h\nboot %s h2\n", h, k(1), k(1));
	expect_err(buf, 5, "duplicate boot key; first on line 4");
	snprintf(buf, sizeof(buf), "%sboot %s\n", h, k(1));
	expect_err(buf, 4, "missing argument; expected \"boot KEY "
	    "HOST[:PORT]\"");
	snprintf(buf, sizeof(buf), "%sboot %s h:0\n", h, k(1));
	expect_err(buf, 4, "expected a UDP port from 1 to 65535, got \"0\"");
	snprintf(buf, sizeof(buf), "%sboot %s h:\n", h, k(1));
	expect_err(buf, 4, "expected a UDP port from 1 to 65535, got \"\"");
	snprintf(buf, sizeof(buf), "%sboot %s [::1\n", h, k(1));
	expect_err(buf, 4, "expected HOST[:PORT] (a DNS name, an IPv4 "
	    "address or an [IPv6] address, then an optional :PORT), got "
	    "\"[::1\"");
	snprintf(buf, sizeof(buf), "%sboot %s [::1]x\n", h, k(1));
	expect_err(buf, 4, "expected :PORT after ], got \"[::1]x\"");
	snprintf(buf, sizeof(buf), "%sboot %s [1.2.3.4]:5\n", h, k(1));
	expect_err(buf, 4, "expected an IPv6 address in [], got "
	    "\"[1.2.3.4]:5\"");
	snprintf(buf, sizeof(buf), "%sboot %s ::1:5:\n", h, k(1));
	expect_err(buf, 4, "expected an IPv6 address (write [ADDR]:PORT to "
	    "give a port), got \"::1:5:\"");
	snprintf(buf, sizeof(buf), "%sboot %s 1.2.3.999:5\n", h, k(1));
	expect_err(buf, 4, "expected an IPv4 address A.B.C.D (0-255 each, "
	    "no leading zeros), got \"1.2.3.999\"");
	snprintf(buf, sizeof(buf), "%sboot %s -bad.example\n", h, k(1));
	expect_err(buf, 4, "expected HOST[:PORT] (a DNS name, an IPv4 "
	    "address or an [IPv6] address, then an optional :PORT), got "
	    "\"-bad.example\"");
	snprintf(buf, sizeof(buf), "%strust %s %s\n", h, k(1), k(2));
	snprintf(cfg, sizeof(cfg), "expected HOST[:PORT], got a second key "
	    "\"%s\"", k(2));
	expect_err(buf, 4, cfg);
	expect_err("name n\x01\n", 1,
	    "unexpected control character 0x01 in column 7");
	expect_err("name \"\xff\"\n", 1, "expected a network name of 1 to 32 "
	    "letters, digits, '-', '_' and '.', starting with a letter or "
	    "digit, got \"\\\"\\xff\\\"\"");
}

T_TEST(caps)
{
	struct netconf	 nc;
	char		 err[256];
	char		*big;
	size_t		 off = 0;
	int		 i, line;

	big = malloc(NETCONF_MAX_SIZE + 2);
	T_ASSERT(big != NULL);
	if (big == NULL)
		return;
	memset(big, '#', NETCONF_MAX_SIZE + 1);
	T_EQ_INT(netconf_parse(big, NETCONF_MAX_SIZE + 1, &nc, &line, err,
	    sizeof(err)), -1);
	T_EQ_INT(line, 0);
	T_EQ_STR(err, "file too large (more than 1048576 bytes)");
	/* a long line */
	memcpy(big, "name n\nsubnet 10.0.0.0/8\n", 25);
	big[25 + NETCONF_LINE_MAX] = '\n';
	T_EQ_INT(netconf_parse(big, 25 + NETCONF_LINE_MAX + 1, &nc, &line,
	    err, sizeof(err)), 0);
	netconf_free(&nc);
	big[25 + NETCONF_LINE_MAX] = '#';
	big[25 + NETCONF_LINE_MAX + 1] = '\n';
	T_EQ_INT(netconf_parse(big, 25 + NETCONF_LINE_MAX + 2, &nc, &line,
	    err, sizeof(err)), -1);
	T_EQ_INT(line, 3);
	T_EQ_STR(err, "line too long (more than 1024 characters)");
	free(big);

	off += (size_t)snprintf(cfg + off, sizeof(cfg) - off,
	    "name n\nsubnet 10.0.0.0/8\nworkbit 0\n");
	for (i = 0; i <= NETCONF_MAX_BOOTS; i++)
		off += (size_t)snprintf(cfg + off, sizeof(cfg) - off,
		    "boot %s h\n", k(i));
	expect_err(cfg, 4 + NETCONF_MAX_BOOTS,
	    "too many boot lines (at most 64)");
}

T_TEST(too_many_members)
{
	char	*buf;
	size_t	 cap = 80 * (NETCONF_MAX_MEMBERS + 10), off = 0;
	int	 i;

	buf = malloc(cap);
	T_ASSERT(buf != NULL);
	if (buf == NULL)
		return;
	off += (size_t)snprintf(buf + off, cap - off,
	    "name n\nsubnet 10.0.0.0/8\nworkbit 0\n");
	for (i = 0; i <= NETCONF_MAX_MEMBERS; i++)
		off += (size_t)snprintf(buf + off, cap - off, "trust %s\n",
		    k(i));
	expect_err(buf, 4 + NETCONF_MAX_MEMBERS,
	    "too many trust lines (at most 4096)");
	free(buf);
}

T_TEST(default_ifname)
{
	struct netconf	nc;
	char		err[256], ifname[NETCONF_IFNAME_MAX + 1];
	int		line;

	T_EQ_INT(parse("name abcdefghij\nsubnet 10.0.0.0/24\n", &nc, &line,
	    err, sizeof(err)), 0);
	T_EQ_INT(netconf_default_ifname(&nc, ifname, err, sizeof(err)), 0);
	T_EQ_STR(ifname, "mesh-abcdefghij");
	netconf_free(&nc);
	T_EQ_INT(parse("name abcdefghijk\nsubnet 10.0.0.0/24\n", &nc, &line,
	    err, sizeof(err)), 0);
	T_EQ_INT(netconf_default_ifname(&nc, ifname, err, sizeof(err)), -1);
	T_EQ_STR(err, "interface name \"mesh-abcdefghijk\" would be longer "
	    "than 15 characters; pass interface NAME");
	netconf_free(&nc);
}

static int
up(struct up_args *ua, char *err, size_t errlen, ...)
{
	char	*argv[16];
	int	 argc = 0;
	va_list	 ap;

	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return netconf_parse_up_args(argc, argv, ua, err, errlen);
}

T_TEST(up_args)
{
	struct up_args	ua;
	char		err[256];

	T_EQ_INT(up(&ua, err, sizeof(err), "net.conf", NULL), 0);
	T_EQ_STR(ua.netconfig, "net.conf");
	T_ASSERT(ua.private_key == NULL);
	T_EQ_STR(ua.ifname, "");
	T_EQ_INT(ua.listen_port, 0);
	T_EQ_INT(ua.foreground, 0);
	T_EQ_INT(ua.verbose, 0);

	T_EQ_INT(up(&ua, err, sizeof(err), "-v", "./o.net", "private-key",
	    "a.sk", "-f", "interface", "wg7", "listen-port", "6000", "-vv",
	    NULL), 0);
	T_EQ_STR(ua.netconfig, "./o.net");
	T_EQ_STR(ua.private_key, "a.sk");
	T_EQ_STR(ua.ifname, "wg7");
	T_EQ_INT(ua.listen_port, 6000);
	T_EQ_INT(ua.foreground, 1);
	T_EQ_INT(ua.verbose, 3);
	T_EQ_INT(up(&ua, err, sizeof(err), "-fv", "x", NULL), 0);
	T_EQ_INT(ua.foreground, 1);
	T_EQ_INT(ua.verbose, 1);

	T_EQ_INT(up(&ua, err, sizeof(err), NULL), -1);
	T_EQ_STR(err, "expected a NETCONFIG file");
	T_EQ_INT(up(&ua, err, sizeof(err), "-f", NULL), -1);
	T_EQ_STR(err, "expected a NETCONFIG file");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "-q", NULL), -1);
	T_EQ_STR(err, "unknown option -q in \"-q\"; expected -f or -v");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "-", NULL), -1);
	T_EQ_STR(err, "unexpected \"-\"; expected -f or -v");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "private-key", NULL), -1);
	T_EQ_STR(err, "private-key: missing value");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "private-key", "", NULL), -1);
	T_EQ_STR(err, "private-key: expected a file name");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "listen-port", "0", NULL), -1);
	T_EQ_STR(err, "listen-port \"0\": expected a UDP port from 1 to 65535");
	T_EQ_INT(up(&ua, err, sizeof(err), "f", "metrics", "127.0.0.1:9474",
	    NULL), 0);
	T_EQ_STR(ua.metrics_addr, "127.0.0.1");
	T_EQ_INT(ua.metrics_port, 9474);
	T_EQ_INT(up(&ua, err, sizeof(err), "f", "metrics", "[::1]:80", NULL),
	    0);
	T_EQ_STR(ua.metrics_addr, "::1");
	T_EQ_INT(up(&ua, err, sizeof(err), "f", "metrics", "host:80", NULL),
	    -1);
	T_EQ_STR(err, "metrics \"host:80\": not an IPv4 address (names are "
	    "not resolved here)");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "interface",
	    "abcdefghijklmnop", NULL), -1);
	T_EQ_STR(err, "interface \"abcdefghijklmnop\": expected an interface "
	    "name of 1 to 15 characters");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "interface", "a/b", NULL), -1);
	T_EQ_STR(err, "interface \"a/b\": expected an interface name without "
	    "'/', ':', spaces or a leading '.'");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "y", NULL), -1);
	T_EQ_STR(err, "unexpected \"y\"; expected private-key, interface, "
	    "listen-port, tcp-port or metrics");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "tcp-port", "443", NULL), 0);
	T_EQ_INT(ua.tcp_port, 443);
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "tcp-port", "0", NULL), -1);
	T_EQ_STR(err, "tcp-port \"0\": expected a TCP port from 1 to 65535");
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "listen-port", "1",
	    "listen-port", "2", NULL), -1);
	T_EQ_STR(err, "listen-port given twice");
	/* a value may start with '-' (it is not a flag there) */
	T_EQ_INT(up(&ua, err, sizeof(err), "x", "private-key", "-k", NULL), 0);
	T_EQ_STR(ua.private_key, "-k");
}

T_TEST(value_helpers)
{
	const char	*why = NULL;
	unsigned	 w;
	uint16_t	 port;

	T_EQ_INT(netconf_parse_workbit("0", &w, &why), 0);
	T_EQ_INT(netconf_parse_workbit("64", &w, &why), 0);
	T_EQ_INT(w, 64);
	T_EQ_INT(netconf_parse_workbit("-1", &w, &why), -1);
	T_EQ_INT(netconf_parse_port("65535", &port, &why), 0);
	T_EQ_INT(port, 65535);
	T_EQ_INT(netconf_parse_port("65536", &port, &why), -1);
	T_EQ_INT(netconf_parse_port("+1", &port, &why), -1);
	T_EQ_INT(netconf_parse_name("a", &why), 0);
	T_EQ_INT(netconf_parse_name("0ffice.lan_2-b", &why), 0);
	T_EQ_INT(netconf_parse_name(".a", &why), -1);
	T_EQ_INT(netconf_parse_name("", &why), -1);
	T_EQ_INT(netconf_parse_name("a b", &why), -1);
	T_EQ_INT(netconf_parse_name("abcdefghijabcdefghijabcdefghijab", &why),
	    0);
	T_EQ_INT(netconf_parse_name("abcdefghijabcdefghijabcdefghijabc",
	    &why), -1);
	T_EQ_INT(netconf_parse_namespace("public", &why), 0);
	T_EQ_INT(netconf_parse_namespace("", &why), -1);
	T_EQ_INT(netconf_parse_ifname("mesh-office", &why), 0);
	T_EQ_INT(netconf_parse_ifname(".x", &why), -1);
}

/* Every member computes the same network from the same file. */
T_TEST(deterministic)
{
	struct netconf	a, b;
	char		err[256];
	int		line;

	cfgf("name n\nsubnet 10.0.0.0/24\ntrust %s\ntrust 10.0.0.1 %s\n"
	    "trust %s\n", KA, KB, KC);
	T_EQ_INT(parse(cfg, &a, &line, err, sizeof(err)), 0);
	T_EQ_INT(parse(cfg, &b, &line, err, sizeof(err)), 0);
	T_EQ_INT(a.nmembers, b.nmembers);
	T_EQ_MEM(a.members, b.members, a.nmembers * sizeof(*a.members));
	T_EQ_MEM(a.ula_prefix, b.ula_prefix, 8);
	netconf_free(&a);
	netconf_free(&b);
}

/* A daemon's trust list (NETCONF_LOAD_SECURE) is a regular file that group
 * and others cannot write; mesh check (no flags) reads any file. The alarm
 * turns a FIFO hanging the open into a failure. */
T_TEST(load_secure)
{
	static const char	text[] = "name office\nsubnet 10.42.0.0/24\n";
	static const mode_t	bad[] = { 0664, 0646, 0666, 0620 };
	struct netconf		nc;
	char			dir[] = "/tmp/mesh-test-netconf-XXXXXX";
	char			path[64], err[512], want[128];
	size_t			i;
	int			fd;

	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/office.net", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_ASSERT(fd >= 0);
	T_EQ_INT(write(fd, text, sizeof(text) - 1), (long)sizeof(text) - 1);
	close(fd);
	T_EQ_INT(chmod(path, 0644), 0);
	T_EQ_INT(netconf_load(path, NETCONF_LOAD_SECURE, &nc, err,
	    sizeof(err)), 0);
	T_EQ_STR(nc.name, "office");
	netconf_free(&nc);
	snprintf(want, sizeof(want), "run chmod go-w %s", path);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_EQ_INT(chmod(path, bad[i]), 0);
		T_EQ_INT(netconf_load(path, NETCONF_LOAD_SECURE, &nc, err,
		    sizeof(err)), -1);
		T_ASSERT(strncmp(err, path, strlen(path)) == 0);
		T_ASSERT(strstr(err, "writable by group or others") != NULL);
		T_ASSERT(strstr(err, want) != NULL);
		T_EQ_INT(nc.nmembers, 0);
		/* mesh check still reads it */
		T_EQ_INT(netconf_load(path, 0, &nc, err, sizeof(err)), 0);
		netconf_free(&nc);
	}
	unlink(path);
	T_EQ_INT(mkfifo(path, 0600), 0);
	alarm(10);
	T_EQ_INT(netconf_load(path, NETCONF_LOAD_SECURE, &nc, err,
	    sizeof(err)), -1);
	alarm(0);
	T_ASSERT(strstr(err, "not a regular file") != NULL);
	unlink(path);
	T_EQ_INT(netconf_load(path, NETCONF_LOAD_SECURE, &nc, err,
	    sizeof(err)), -1);
	T_ASSERT(strstr(err, "No such file") != NULL);
	rmdir(dir);
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	T_RUN(minimal);
	T_RUN(full);
	T_RUN(allocation_order);
	T_RUN(allocation_big);
	T_RUN(line_endings_and_blanks);
	T_RUN(padded_key_and_workbits);
	T_RUN(errors);
	T_RUN(caps);
	T_RUN(too_many_members);
	T_RUN(default_ifname);
	T_RUN(up_args);
	T_RUN(value_helpers);
	T_RUN(deterministic);
	T_RUN(load_secure);
	return t_done();
}
