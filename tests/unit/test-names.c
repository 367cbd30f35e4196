/* names.c: forward and reverse lookups, NXDOMAIN, NODATA, REFUSED, the
 * SOA, finding a member by name; and the netconfig's domain directive as
 * the table sees it. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "dns/names.h"
#include "netconf/addr.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "common/util.h"
#include "t.h"

/* Members: gw, alice, an unnamed one, bob (10.42.0.1-4), carol .200. */
static const char office[] =
    "name office\n"
    "subnet 10.42.0.0/24\n"
    "trust gw 10.42.0.1 EE1HZvkVL37eBN5lzAG3UCLG-f7vw-ZIakWRV74Ua04\n"
    "trust Alice 5NCm7b_2uShkajfroJOlRYeNNOvqVbOmlKtpxdOQhXA\n"
    "trust WTD-uz-dZ5KJ6oKmzd5jQVhZgkuQfdQlVNURmfRdGUQ\n"
    "trust bob TaRvr-q2ewxw_fGxgFXnyfbO8k3tZUpVitnPW3_qLSo\n"
    "trust carol 10.42.0.200 pMFkqfLh_2DFurDt7j-iHNESKOBgA8OsYoau6nT10HE\n";

static int
parse(const char *text, struct netconf *nc)
{
	char	err[256];
	int	line;

	if (netconf_parse(text, strlen(text), nc, &line, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "parse: line %d: %s\n", line, err);
		return -1;
	}
	return 0;
}

static struct names *
table(const char *text, struct netconf *nc)
{
	if (parse(text, nc) == -1)
		return NULL;
	return names_new(nc);
}

/* The ip6.arpa name of ip6, nibbles in the given case. */
static void
rev6(char out[80], const uint8_t ip6[16], int nibbles, int upper)
{
	const char	*hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t		 o = 0;
	int		 i, v;

	for (i = nibbles - 1; i >= 0; i--) {
		v = i % 2 == 0 ? ip6[i / 2] >> 4 : ip6[i / 2] & 0xf;
		out[o++] = hex[v];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", 9);
}

#define LOOKUP(t, name, type, a)					\
	names_lookup((t), (name), (type), NAMES_C_IN, (a))

T_TEST(forward)
{
	struct netconf		nc;
	struct names		*t = table(office, &nc);
	struct names_answer	a;
	static const uint8_t	alice4[4] = { 10, 42, 0, 2 };

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	T_EQ_STR(names_domain(t), "office.internal");

	LOOKUP(t, "alice.office.internal", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.authoritative, 1);
	T_EQ_INT(a.has_a, 1);
	T_EQ_MEM(a.a, alice4, 4);
	T_EQ_INT(a.has_aaaa, 0);
	T_EQ_INT(a.has_ptr, 0);
	T_EQ_INT(a.soa, NAMES_SOA_NONE);
	T_EQ_INT(a.member, 1);

	/* case, and the absolute form */
	LOOKUP(t, "ALICE.Office.INTERNAL.", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_a, 1);
	T_EQ_MEM(a.a, alice4, 4);

	LOOKUP(t, "bob.office.internal", NAMES_T_AAAA, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_a, 0);
	T_EQ_INT(a.has_aaaa, 1);
	T_EQ_MEM(a.aaaa, nc.members[3].ip6, 16);
	T_EQ_INT(a.member, 3);

	LOOKUP(t, "carol.office.internal", NAMES_T_ANY, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_a, 1);
	T_EQ_INT(a.has_aaaa, 1);
	T_EQ_INT(a.a[3], 200);

	/* NODATA: the name exists, not the type; SOA for negative caching */
	LOOKUP(t, "gw.office.internal", 15 /* MX */, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.authoritative, 1);
	T_EQ_INT(a.has_a + a.has_aaaa + a.has_ptr, 0);
	T_EQ_INT(a.soa, NAMES_SOA_AUTHORITY);
	LOOKUP(t, "gw.office.internal", NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_ptr, 0);

	names_free(t);
	netconf_free(&nc);
}

T_TEST(nxdomain_and_apex)
{
	struct netconf		nc;
	struct names		*t = table(office, &nc);
	struct names_answer	a;
	static const char *const nx[] = {
		"zed.office.internal", "x.alice.office.internal",
		"a.b.office.internal", "office-internal.office.internal",
	};
	size_t			i;

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(nx); i++) {
		LOOKUP(t, nx[i], NAMES_T_A, &a);
		T_EQ_INT(a.rcode, NAMES_NXDOMAIN);
		T_EQ_INT(a.authoritative, 1);
		T_EQ_INT(a.soa, NAMES_SOA_AUTHORITY);
		T_EQ_INT(a.has_a, 0);
		T_EQ_INT(a.member, -1);
	}
	/* the apex exists: its SOA, NODATA for the rest */
	LOOKUP(t, "office.internal", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.authoritative, 1);
	T_EQ_INT(a.has_a, 0);
	T_EQ_INT(a.soa, NAMES_SOA_AUTHORITY);
	LOOKUP(t, "Office.Internal.", NAMES_T_SOA, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.soa, NAMES_SOA_ANSWER);
	LOOKUP(t, "office.internal", NAMES_T_NS, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.soa, NAMES_SOA_AUTHORITY);
	names_free(t);
	netconf_free(&nc);
}

T_TEST(refused)
{
	struct netconf		nc;
	struct names		*t = table(office, &nc);
	struct names_answer	a;
	static const char *const out[] = {
		"example.com", "www.example.com.", "internal", "xoffice.internal",
		"alice.office.internal.evil.example", "alice.internal",
		"zed", "office", "", ".", "..", "in-addr.arpa", "arpa",
		"ip6.arpa",
	};
	size_t			i;

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(out); i++) {
		LOOKUP(t, out[i], NAMES_T_A, &a);
		if (a.rcode != NAMES_REFUSED)
			T_FAIL("%s: rcode %d, expected REFUSED", out[i],
			    a.rcode);
		T_EQ_INT(a.authoritative, 0);
		T_EQ_INT(a.has_a + a.has_aaaa + a.has_ptr + a.soa, 0);
	}
	/* other classes (CHAOS version.bind) */
	names_lookup(t, "alice.office.internal", NAMES_T_A, 3, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	names_lookup(t, "alice.office.internal", NAMES_T_A, NAMES_C_ANY, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_a, 1);
	names_free(t);
	netconf_free(&nc);
}

T_TEST(bare_hostname)
{
	struct netconf		nc;
	struct names		*t = table(office, &nc);
	struct names_answer	a;

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	LOOKUP(t, "alice", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_a, 1);
	T_EQ_INT(a.a[3], 2);
	LOOKUP(t, "BOB.", NAMES_T_AAAA, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_aaaa, 1);
	LOOKUP(t, "bob", 15, &a);		/* NODATA without the SOA */
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.soa, NAMES_SOA_NONE);
	names_free(t);
	netconf_free(&nc);
}

T_TEST(reverse_ipv4)
{
	struct netconf		nc;
	struct names		*t = table(office, &nc);
	struct names_answer	a;
	static const struct {
		const char	*name;
		int		 rcode;
		const char	*ptr;
	} v[] = {
		{ "2.0.42.10.in-addr.arpa", NAMES_NOERROR,
		    "Alice.office.internal" },
		{ "200.0.42.10.IN-ADDR.ARPA.", NAMES_NOERROR,
		    "carol.office.internal" },
		{ "4.0.42.10.in-addr.arpa", NAMES_NOERROR,
		    "bob.office.internal" },
		/* the unnamed member, a free address, below an address */
		{ "3.0.42.10.in-addr.arpa", NAMES_NXDOMAIN, NULL },
		{ "99.0.42.10.in-addr.arpa", NAMES_NXDOMAIN, NULL },
		{ "x.2.0.42.10.in-addr.arpa", NAMES_NXDOMAIN, NULL },
		/* the /24 itself: exists, no records */
		{ "0.42.10.in-addr.arpa", NAMES_NOERROR, NULL },
		/* above the subnet, outside it, not an address */
		{ "42.10.in-addr.arpa", NAMES_REFUSED, NULL },
		{ "10.in-addr.arpa", NAMES_REFUSED, NULL },
		{ "2.0.43.10.in-addr.arpa", NAMES_REFUSED, NULL },
		{ "1.1.168.192.in-addr.arpa", NAMES_REFUSED, NULL },
		{ "02.0.42.10.in-addr.arpa", NAMES_REFUSED, NULL },
		{ "256.0.42.10.in-addr.arpa", NAMES_REFUSED, NULL },
		{ "a.0.42.10.in-addr.arpa", NAMES_REFUSED, NULL },
		{ "2..42.10.in-addr.arpa", NAMES_REFUSED, NULL },
	};
	size_t			i;

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		LOOKUP(t, v[i].name, NAMES_T_PTR, &a);
		if (a.rcode != v[i].rcode)
			T_FAIL("%s: rcode %d, expected %d", v[i].name,
			    a.rcode, v[i].rcode);
		T_EQ_INT(a.authoritative, v[i].rcode != NAMES_REFUSED);
		T_EQ_INT(a.has_ptr, v[i].ptr != NULL);
		if (v[i].ptr != NULL)
			T_EQ_STR(a.ptr, v[i].ptr);
	}
	/* the name exists, another type: NODATA */
	LOOKUP(t, "2.0.42.10.in-addr.arpa", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_ptr + a.has_a, 0);
	names_free(t);
	netconf_free(&nc);
}

T_TEST(reverse_ipv6)
{
	struct netconf		nc;
	struct names		*t = table(office, &nc);
	struct names_answer	a;
	char			name[80];
	uint8_t			ip6[16];

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	rev6(name, nc.members[1].ip6, 32, 0);
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.authoritative, 1);
	T_EQ_INT(a.has_ptr, 1);
	T_EQ_STR(a.ptr, "Alice.office.internal");	/* case kept */
	T_EQ_INT(a.member, 1);
	rev6(name, nc.members[4].ip6, 32, 1);	/* upper case */
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.has_ptr, 1);
	T_EQ_STR(a.ptr, "carol.office.internal");
	/* the unnamed member; an address of the /64 that is nobody's */
	rev6(name, nc.members[2].ip6, 32, 0);
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NXDOMAIN);
	memcpy(ip6, nc.members[1].ip6, 16);
	ip6[15] ^= 1;
	rev6(name, ip6, 32, 0);
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NXDOMAIN);
	/* the /64 and below it: exist; above it: not ours */
	rev6(name, ip6, 16, 0);
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_ptr, 0);
	rev6(name, ip6, 20, 0);
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	rev6(name, ip6, 15, 0);
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	/* another /64 */
	ip6[3] ^= 0x10;
	rev6(name, ip6, 32, 0);
	LOOKUP(t, name, NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	/* not nibbles */
	LOOKUP(t, "10.0.ip6.arpa", NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	LOOKUP(t, "g.ip6.arpa", NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	names_free(t);
	netconf_free(&nc);
}

T_TEST(soa)
{
	struct netconf	 nc;
	struct names	*t = table(office, &nc);
	uint8_t		 buf[300];
	static const uint8_t want[] =
	    "\x06office\x08internal\x00"
	    "\x0ahostmaster\x06office\x08internal\x00"
	    "\x00\x00\x00\x01" "\x00\x00\x0e\x10" "\x00\x00\x02\x58"
	    "\x00\x01\x51\x80" "\x00\x00\x00\x3c";

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	T_EQ_INT(names_soa_rdata(t, buf, sizeof(buf)), sizeof(want) - 1);
	T_EQ_MEM(buf, want, sizeof(want) - 1);
	T_EQ_INT(names_soa_rdata(t, buf, 20), 0);	/* too small */
	names_free(t);
	netconf_free(&nc);
}

T_TEST(find_member)
{
	struct netconf	 nc;
	struct names	*t = table(office, &nc);
	static const struct {
		const char	*s;
		long		 m;
	} v[] = {
		{ "gw", 0 }, { "alice", 1 }, { "ALICE", 1 }, { "bob", 3 },
		{ "bob.office.internal", 3 }, { "Bob.Office.Internal.", 3 },
		{ "carol.", 4 }, { "zed", -1 }, { "", -1 }, { ".", -1 },
		{ "bob.other.internal", -1 }, { "office.internal", -1 },
		{ "x.bob.office.internal", -1 }, { "10.42.0.3", -1 },
	};
	size_t		 i;

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (names_find_member(t, v[i].s) != v[i].m)
			T_FAIL("find_member(\"%s\") == %ld, expected %ld",
			    v[i].s, names_find_member(t, v[i].s), v[i].m);
	names_free(t);
	netconf_free(&nc);
}

T_TEST(source)
{
	struct netconf	 nc;
	struct names	*t = table(office, &nc);
	uint8_t		 ip6[16];
	static const uint8_t loopback[16] = { [15] = 1 };

	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	T_EQ_INT(names_source_ok4(t, 0x0a2a0002), 1);	/* 10.42.0.2 */
	T_EQ_INT(names_source_ok4(t, 0x0a2a00fe), 1);
	T_EQ_INT(names_source_ok4(t, 0x7f000001), 1);	/* 127.0.0.1 */
	T_EQ_INT(names_source_ok4(t, 0x0a2a0102), 0);	/* 10.42.1.2 */
	T_EQ_INT(names_source_ok4(t, 0xc0a80105), 0);	/* 192.168.1.5 */
	T_EQ_INT(names_source_ok6(t, nc.members[0].ip6), 1);
	T_EQ_INT(names_source_ok6(t, loopback), 1);
	memcpy(ip6, nc.members[0].ip6, 16);
	ip6[7] ^= 1;
	T_EQ_INT(names_source_ok6(t, ip6), 0);
	names_free(t);
	netconf_free(&nc);
}

/* The reverse zones for systemd-resolved, and that each is answered. */
T_TEST(reverse_zones)
{
	static const struct {
		const char	*subnet;
		size_t		 n;
		const char	*first, *last;
	} v[] = {
		{ "10.42.0.0/24", 1, "0.42.10.in-addr.arpa",
		    "0.42.10.in-addr.arpa" },
		{ "10.42.16.0/20", 16, "16.42.10.in-addr.arpa",
		    "31.42.10.in-addr.arpa" },
		{ "10.0.0.0/8", 1, "10.in-addr.arpa", "10.in-addr.arpa" },
		{ "172.16.0.0/12", 16, "16.172.in-addr.arpa",
		    "31.172.in-addr.arpa" },
		{ "192.168.128.0/17", 128, "128.168.192.in-addr.arpa",
		    "255.168.192.in-addr.arpa" },
		/* below /24: one name an address */
		{ "192.168.1.4/30", 4, "4.1.168.192.in-addr.arpa",
		    "7.1.168.192.in-addr.arpa" },
	};
	struct netconf		nc;
	struct names		*t;
	struct names_answer	a;
	char			text[128], zone[NAMES_NAME_MAX + 1], want[80];
	uint8_t			prefix[16];
	size_t			i, j;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		snprintf(text, sizeof(text), "name n\nsubnet %s\n",
		    v[i].subnet);
		if ((t = table(text, &nc)) == NULL) {
			T_FAIL("%s", v[i].subnet);
			continue;
		}
		T_EQ_INT(names_rev4_count(t), v[i].n);
		names_rev4_zone(t, 0, zone);
		T_EQ_STR(zone, v[i].first);
		names_rev4_zone(t, v[i].n - 1, zone);
		T_EQ_STR(zone, v[i].last);
		for (j = 0; j < v[i].n; j++) {
			names_rev4_zone(t, j, zone);
			LOOKUP(t, zone, NAMES_T_SOA, &a);
			if (a.rcode == NAMES_REFUSED || !a.authoritative)
				T_FAIL("%s: rcode %d", zone, a.rcode);
		}
		names_rev6_zone(t, zone);
		memset(prefix, 0, sizeof(prefix));
		memcpy(prefix, nc.ula_prefix, 8);
		rev6(want, prefix, 16, 0);
		T_EQ_STR(zone, want);
		LOOKUP(t, zone, NAMES_T_SOA, &a);
		T_EQ_INT(a.rcode, NAMES_NOERROR);
		names_free(t);
		netconf_free(&nc);
	}
}

/* The domain directive as the table sees it: case kept in answers,
 * ignored in questions; and a network whose name makes no domain. */
T_TEST(domain_directive)
{
	struct netconf		nc;
	struct names		*t;
	struct names_answer	a;

	t = table("name office\ndomain Corp.Example.\nsubnet 10.1.0.0/16\n"
	    "trust gw 5NCm7b_2uShkajfroJOlRYeNNOvqVbOmlKtpxdOQhXA\n", &nc);
	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	T_EQ_STR(nc.domain, "Corp.Example");
	T_EQ_STR(names_domain(t), "Corp.Example");
	LOOKUP(t, "gw.corp.example", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	T_EQ_INT(a.has_a, 1);
	LOOKUP(t, "gw.office.internal", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	/* /16: one label deeper than the subnet's is still ours */
	LOOKUP(t, "1.0.1.10.in-addr.arpa", NAMES_T_PTR, &a);
	T_EQ_STR(a.ptr, "gw.Corp.Example");
	LOOKUP(t, "0.1.10.in-addr.arpa", NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	LOOKUP(t, "1.10.in-addr.arpa", NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_NOERROR);
	LOOKUP(t, "10.in-addr.arpa", NAMES_T_PTR, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	names_free(t);
	netconf_free(&nc);

	T_ASSERT(parse("name My_Lab\nsubnet 10.0.0.0/8\n", &nc) == 0);
	T_EQ_STR(nc.domain, "my-lab.internal");
	netconf_free(&nc);

	t = table("name a..b\nsubnet 10.0.0.0/8\n"
	    "trust gw 5NCm7b_2uShkajfroJOlRYeNNOvqVbOmlKtpxdOQhXA\n", &nc);
	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	T_EQ_STR(nc.domain, "");
	T_EQ_STR(names_domain(t), "");
	LOOKUP(t, "gw", NAMES_T_A, &a);
	T_EQ_INT(a.rcode, NAMES_REFUSED);
	LOOKUP(t, "1.0.0.10.in-addr.arpa", NAMES_T_PTR, &a);
	T_EQ_INT(a.has_ptr, 0);
	T_EQ_INT(names_find_member(t, "gw"), 0);
	T_EQ_INT(names_soa_rdata(t, (uint8_t[64]){ 0 }, 64), 0);
	names_free(t);
	netconf_free(&nc);
}

/* Many members: every name, address and reverse name finds its own. */
T_TEST(many)
{
	struct netconf		nc;
	struct names		*t;
	struct names_answer	a;
	char			*text, name[80], k[KEY_TEXT_LEN + 1];
	uint8_t			key[KEY_LEN];
	size_t			len = 0, cap = 600 * 80, i;
	const size_t		n = 500;

	text = malloc(cap);
	T_ASSERT(text != NULL);
	if (text == NULL)
		return;
	len += (size_t)snprintf(text + len, cap - len,
	    "name big\nsubnet 10.0.0.0/20\nworkbit 0\n");
	for (i = 0; i < n; i++) {
		memset(key, 0, sizeof(key));
		key[0] = (uint8_t)(i >> 8);
		key[1] = (uint8_t)i;
		key[2] = 0x5a;
		key_to_text(k, key);
		/* descending names, so that file order is not sorted order */
		len += (size_t)snprintf(text + len, cap - len,
		    "trust H%03zu %s\n", n - i, k);
	}
	t = table(text, &nc);
	free(text);
	T_ASSERT(t != NULL);
	if (t == NULL)
		return;
	for (i = 0; i < n; i++) {
		const struct nc_member	*m = &nc.members[i];

		snprintf(name, sizeof(name), "%s.big.internal", m->hostname);
		LOOKUP(t, name, NAMES_T_A, &a);
		if (a.member != (long)i || !a.has_a)
			T_FAIL("%s: member %ld, expected %zu", name, a.member,
			    i);
		snprintf(name, sizeof(name), "%u.%u.%u.%u.in-addr.arpa",
		    m->ip4 & 0xff, (m->ip4 >> 8) & 0xff, (m->ip4 >> 16) & 0xff,
		    m->ip4 >> 24);
		LOOKUP(t, name, NAMES_T_PTR, &a);
		if (a.member != (long)i)
			T_FAIL("%s: member %ld, expected %zu", name, a.member,
			    i);
		rev6(name, m->ip6, 32, 0);
		LOOKUP(t, name, NAMES_T_PTR, &a);
		if (a.member != (long)i)
			T_FAIL("%s: member %ld, expected %zu", name, a.member,
			    i);
		if (names_find_member(t, m->hostname) != (long)i)
			T_FAIL("find %s", m->hostname);
	}
	names_free(t);
	netconf_free(&nc);
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	T_RUN(forward);
	T_RUN(nxdomain_and_apex);
	T_RUN(refused);
	T_RUN(bare_hostname);
	T_RUN(reverse_ipv4);
	T_RUN(reverse_ipv6);
	T_RUN(soa);
	T_RUN(find_member);
	T_RUN(source);
	T_RUN(reverse_zones);
	T_RUN(domain_directive);
	T_RUN(many);
	return t_done();
}
