/* addr.c: IPv4 text form and subnets, IPv6 formatting, ULA derivation. */
#include "config.h"

#include <stdint.h>

#include "netconf/addr.h"
#include "netconf/keys.h"
#include "t.h"

T_TEST(ip4_parse_good)
{
	static const struct {
		const char	*s;
		uint32_t	 ip;
	} v[] = {
		{ "0.0.0.0", 0 },
		{ "10.42.0.1", 0x0a2a0001 },
		{ "255.255.255.255", 0xffffffff },
		{ "192.0.2.10", 0xc000020a },
		{ "100.64.0.0", 0x64400000 },
	};
	uint32_t	ip;
	size_t		i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ip = 1;
		T_EQ_INT(addr_ip4_parse(v[i].s, &ip), 0);
		T_EQ_INT(ip, v[i].ip);
	}
}

T_TEST(ip4_parse_bad)
{
	static const char *const bad[] = {
		"", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256",
		"01.2.3.4", "1.2.3.04", "1..3.4", ".1.2.3", "1.2.3.4.",
		"1.2.3.-4", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1.2.3.4/24",
		"99999999999.1.1.1", "0x1.2.3.4", "1.2.3.4x",
	};
	uint32_t	ip = 7;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (addr_ip4_parse(bad[i], &ip) != -1)
			T_FAIL("accepted \"%s\"", bad[i]);
	}
	T_EQ_INT(ip, 7);	/* untouched on failure */
}

T_TEST(ip4_like)
{
	T_ASSERT(addr_ip4_like("1.2.3.4"));
	T_ASSERT(addr_ip4_like("1.2.3.400"));
	T_ASSERT(addr_ip4_like("1."));
	T_ASSERT(!addr_ip4_like("1234"));
	T_ASSERT(!addr_ip4_like(""));
	T_ASSERT(!addr_ip4_like("host.example"));
	T_ASSERT(!addr_ip4_like("1.2.3.4:5"));
}

T_TEST(ip4_format_round_trip)
{
	static const uint32_t	v[] = { 0, 1, 0x0a2a0001, 0xc0a80101,
				    0xffffffff, 0x7f000001 };
	char			buf[ADDR_IP4_STRLEN];
	uint32_t		ip;
	size_t			i;

	addr_ip4_format(buf, 0xffffffff);
	T_EQ_STR(buf, "255.255.255.255");
	addr_ip4_format(buf, 0x0a000001);
	T_EQ_STR(buf, "10.0.0.1");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		addr_ip4_format(buf, v[i]);
		T_EQ_INT(addr_ip4_parse(buf, &ip), 0);
		T_EQ_INT(ip, v[i]);
	}
}

T_TEST(subnets)
{
	T_EQ_INT(addr_ip4_mask(0), 0);
	T_EQ_INT(addr_ip4_mask(8), 0xff000000u);
	T_EQ_INT(addr_ip4_mask(24), 0xffffff00u);
	T_EQ_INT(addr_ip4_mask(31), 0xfffffffeu);
	T_EQ_INT(addr_ip4_mask(32), 0xffffffffu);

	T_ASSERT(addr_ip4_in_subnet(0x0a2a0005, 0x0a2a0000, 24));
	T_ASSERT(addr_ip4_in_subnet(0x0a2a00ff, 0x0a2a0000, 24));
	T_ASSERT(!addr_ip4_in_subnet(0x0a2a0100, 0x0a2a0000, 24));
	T_ASSERT(!addr_ip4_in_subnet(0x0b2a0005, 0x0a2a0000, 24));
	T_ASSERT(addr_ip4_in_subnet(0x12345678, 0, 0));

	T_ASSERT(addr_ip4_is_host(0x0a2a0001, 0x0a2a0000, 24));
	T_ASSERT(addr_ip4_is_host(0x0a2a00fe, 0x0a2a0000, 24));
	T_ASSERT(!addr_ip4_is_host(0x0a2a0000, 0x0a2a0000, 24));
	T_ASSERT(!addr_ip4_is_host(0x0a2a00ff, 0x0a2a0000, 24));
	T_ASSERT(!addr_ip4_is_host(0x0a2a0101, 0x0a2a0000, 24));
	T_ASSERT(addr_ip4_is_host(0x0a2a0001, 0x0a2a0000, 30));
	T_ASSERT(addr_ip4_is_host(0x0a2a0002, 0x0a2a0000, 30));
	T_ASSERT(!addr_ip4_is_host(0x0a2a0003, 0x0a2a0000, 30));
	T_ASSERT(!addr_ip4_is_host(0x0a2a0001, 0x0a2a0000, 31));
	T_ASSERT(!addr_ip4_is_host(0x0a2a0000, 0x0a2a0000, 32));

	T_EQ_INT(addr_ip4_nhosts(24), 254);
	T_EQ_INT(addr_ip4_nhosts(30), 2);
	T_EQ_INT(addr_ip4_nhosts(31), 0);
	T_EQ_INT(addr_ip4_nhosts(32), 0);
	T_EQ_INT(addr_ip4_nhosts(8), 16777214);
}

T_TEST(ip6_parse_format)
{
	uint8_t	ip6[16], ip6b[16];
	char	buf[ADDR_IP6_STRLEN];

	T_EQ_INT(addr_ip6_parse("2001:db8::1", ip6), 0);
	T_EQ_INT(ip6[0], 0x20);
	T_EQ_INT(ip6[15], 1);
	addr_ip6_format(buf, ip6);
	T_EQ_STR(buf, "2001:db8::1");
	/* RFC 5952: lowercase, longest zero run compressed */
	T_EQ_INT(addr_ip6_parse("FD00:0:0:1:0:0:0:2", ip6), 0);
	addr_ip6_format(buf, ip6);
	T_EQ_STR(buf, "fd00:0:0:1::2");
	T_EQ_INT(addr_ip6_parse(buf, ip6b), 0);
	T_EQ_MEM(ip6, ip6b, 16);
	T_EQ_INT(addr_ip6_parse("1.2.3.4", ip6), -1);
	T_EQ_INT(addr_ip6_parse("[::1]", ip6), -1);
	T_EQ_INT(addr_ip6_parse("fe80::1%eth0", ip6), -1);
	T_EQ_INT(addr_ip6_parse("1:2:3:4:5:6:7:8:9", ip6), -1);
}

/* Known answers computed independently (Python's hashlib.blake2b). */
T_TEST(ula_known_answers)
{
	static const uint8_t	pub[8] = { 0xfd, 0xc4, 0x32, 0x91, 0xe3, 0xca,
				    0x91, 0x77 };
	static const uint8_t	off[8] = { 0xfd, 0x74, 0xd1, 0x80, 0x2f, 0xa6,
				    0x18, 0x50 };
	static const uint8_t	iid1[8] = { 0xd7, 0xcf, 0x9b, 0x90, 0x6d,
				    0x28, 0x2d, 0x4b };
	static const uint8_t	iid0[8] = { 0xd7, 0x1f, 0xc0, 0xeb, 0xff,
				    0x85, 0x17, 0x8e };
	static const char	k1[] =
	    "NGisdmKLkW-KhsZZ2NPp6vcLKFk0JvW4WnWMfhEUBwE";
	uint8_t			prefix[8], iid[8], key[KEY_LEN], ip6[16];
	uint8_t			zero[KEY_LEN];
	char			buf[ADDR_IP6_STRLEN];

	addr_ula_prefix(prefix, "public", 6);
	T_EQ_MEM(prefix, pub, 8);
	addr_ula_prefix(prefix, "office", 6);
	T_EQ_MEM(prefix, off, 8);

	T_EQ_INT(key_from_text(key, k1, sizeof(k1) - 1), 0);
	addr_ula_iid(iid, "public", 6, key);
	T_EQ_MEM(iid, iid1, 8);
	memset(zero, 0, sizeof(zero));
	addr_ula_iid(iid, "office", 6, zero);
	T_EQ_MEM(iid, iid0, 8);

	addr_ula_prefix(prefix, "public", 6);
	addr_ula(ip6, prefix, "public", 6, key);
	addr_ip6_format(buf, ip6);
	T_EQ_STR(buf, "fdc4:3291:e3ca:9177:d7cf:9b90:6d28:2d4b");
}

T_TEST(ula_depends_on_namespace_and_key)
{
	uint8_t	a[8], b[8], k[KEY_LEN];

	memset(k, 0, sizeof(k));
	addr_ula_prefix(a, "public", 6);
	addr_ula_prefix(b, "publi", 5);
	T_ASSERT(memcmp(a, b, 8) != 0);
	T_EQ_INT(a[0], 0xfd);
	T_EQ_INT(b[0], 0xfd);
	addr_ula_iid(a, "public", 6, k);
	k[31] = 1;
	addr_ula_iid(b, "public", 6, k);
	T_ASSERT(memcmp(a, b, 8) != 0);
	k[31] = 0;
	addr_ula_iid(b, "office", 6, k);
	T_ASSERT(memcmp(a, b, 8) != 0);
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	T_RUN(ip4_parse_good);
	T_RUN(ip4_parse_bad);
	T_RUN(ip4_like);
	T_RUN(ip4_format_round_trip);
	T_RUN(subnets);
	T_RUN(ip6_parse_format);
	T_RUN(ula_known_answers);
	T_RUN(ula_depends_on_namespace_and_key);
	return t_done();
}
