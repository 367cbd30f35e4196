#include "config.h"

#include <stdint.h>

#include "datapath/route.h"
#include "t.h"

static const uint8_t ula[8] = { 0xfd, 1, 2, 3, 4, 5, 6, 7 };

static void
ip6(uint8_t out[16], uint8_t last)
{
	memcpy(out, ula, 8);
	memset(out + 8, 0, 8);
	out[8] = 0x42;
	out[15] = last;
}

static void
pkt4(uint8_t *p, uint32_t src, uint32_t dst, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	p[12] = (uint8_t)(src >> 24); p[13] = (uint8_t)(src >> 16);
	p[14] = (uint8_t)(src >> 8); p[15] = (uint8_t)src;
	p[16] = (uint8_t)(dst >> 24); p[17] = (uint8_t)(dst >> 16);
	p[18] = (uint8_t)(dst >> 8); p[19] = (uint8_t)dst;
}

static void
pkt6(uint8_t *p, const uint8_t src[16], const uint8_t dst[16], size_t len)
{
	memset(p, 0, len);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 17;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

#define NET	0x0a2a0000U	/* 10.42.0.0/24 */

static void
fill(struct route *r, int n)
{
	uint8_t	a[16];
	int	i;

	T_ASSERT(route_init(r, (size_t)n, NET, 24, ula) == 0);
	for (i = 0; i < n; i++) {
		T_EQ_INT(route_add4(r, NET + 1 + (uint32_t)i, i), 0);
		ip6(a, (uint8_t)(i + 1));
		T_EQ_INT(route_add6(r, a, i), 0);
	}
}

T_TEST(lookup)
{
	struct route	r;
	uint8_t		a[16];
	int		i;

	fill(&r, 200);
	for (i = 0; i < 200; i++) {
		T_EQ_INT(route_lookup4(&r, NET + 1 + (uint32_t)i), i);
		ip6(a, (uint8_t)(i + 1));
		T_EQ_INT(route_lookup6(&r, a), i);
	}
	T_EQ_INT(route_lookup4(&r, NET + 250), ROUTE_UNKNOWN);
	T_EQ_INT(route_lookup4(&r, 0x0a2b0001U), ROUTE_UNKNOWN);
	ip6(a, 250);
	T_EQ_INT(route_lookup6(&r, a), ROUTE_UNKNOWN);
	/* An address has one owner. */
	T_EQ_INT(route_add4(&r, NET + 1, 7), -1);
	ip6(a, 1);
	T_EQ_INT(route_add6(&r, a, 7), -1);
	T_EQ_INT(route_lookup4(&r, NET + 1), 0);
	route_free(&r);
}

T_TEST(empty_table)
{
	struct route	r;
	uint8_t		p[40];

	T_ASSERT(route_init(&r, 0, NET, 24, ula) == 0);
	T_EQ_INT(route_lookup4(&r, NET + 1), ROUTE_UNKNOWN);
	pkt4(p, NET + 1, NET + 2, sizeof(p));
	T_EQ_INT(route_dst(&r, p, sizeof(p)), ROUTE_UNKNOWN);
	route_free(&r);
}

T_TEST(dst)
{
	struct route	r;
	uint8_t		p[80], a[16], b[16];

	fill(&r, 4);
	pkt4(p, NET + 1, NET + 3, 60);
	T_EQ_INT(route_dst(&r, p, 60), 2);
	pkt4(p, NET + 1, NET + 9, 60);
	T_EQ_INT(route_dst(&r, p, 60), ROUTE_UNKNOWN);
	pkt4(p, NET + 1, NET + 255, 60);	/* subnet broadcast */
	T_EQ_INT(route_dst(&r, p, 60), ROUTE_MCAST);
	pkt4(p, NET + 1, 0xe0000001U, 60);
	T_EQ_INT(route_dst(&r, p, 60), ROUTE_MCAST);
	pkt4(p, NET + 1, 0xffffffffU, 60);
	T_EQ_INT(route_dst(&r, p, 60), ROUTE_MCAST);
	T_EQ_INT(route_dst(&r, p, 19), ROUTE_MALFORMED);
	T_EQ_INT(route_dst(&r, p, 0), ROUTE_MALFORMED);

	ip6(a, 1);
	ip6(b, 4);
	pkt6(p, a, b, 80);
	T_EQ_INT(route_dst(&r, p, 80), 3);
	b[0] = 0xff;
	pkt6(p, a, b, 80);
	T_EQ_INT(route_dst(&r, p, 80), ROUTE_MCAST);
	T_EQ_INT(route_dst(&r, p, 39), ROUTE_MALFORMED);
	p[0] = 0x50;
	T_EQ_INT(route_dst(&r, p, 80), ROUTE_MALFORMED);
	route_free(&r);
}

T_TEST(src_check)
{
	struct route	r;
	uint8_t		p[100], a[16], b[16];

	fill(&r, 4);
	/* Member 1 (10.42.0.2) sends as itself: accepted, trimmed. */
	pkt4(p, NET + 2, NET + 1, 60);
	T_EQ_INT(route_src(&r, p, 64, 1), 60);
	/* ... as member 2: spoofed. As nobody: spoofed. */
	pkt4(p, NET + 3, NET + 1, 60);
	T_EQ_INT(route_src(&r, p, 60, 1), ROUTE_SPOOFED);
	pkt4(p, 0xc0000201U, NET + 1, 60);
	T_EQ_INT(route_src(&r, p, 60, 1), ROUTE_SPOOFED);
	/* Header claims more than was received; bad header length. */
	pkt4(p, NET + 2, NET + 1, 60);
	T_EQ_INT(route_src(&r, p, 59, 1), ROUTE_MALFORMED);
	p[0] = 0x44;
	T_EQ_INT(route_src(&r, p, 60, 1), ROUTE_MALFORMED);
	pkt4(p, NET + 2, NET + 1, 60);
	p[2] = 0; p[3] = 10;
	T_EQ_INT(route_src(&r, p, 60, 1), ROUTE_MALFORMED);

	ip6(a, 2);
	ip6(b, 1);
	pkt6(p, a, b, 90);
	T_EQ_INT(route_src(&r, p, 100, 1), 90);
	T_EQ_INT(route_src(&r, p, 100, 0), ROUTE_SPOOFED);
	T_EQ_INT(route_src(&r, p, 89, 1), ROUTE_MALFORMED);
	T_EQ_INT(route_src(&r, p, 0, 1), ROUTE_MALFORMED);
	route_free(&r);
}

T_TEST(full_table_probing)
{
	struct route	r;
	int		i;

	/* Many members: every address stays reachable through collisions. */
	T_ASSERT(route_init(&r, 4096, 0x0a000000U, 16, ula) == 0);
	for (i = 0; i < 4096; i++)
		T_EQ_INT(route_add4(&r, 0x0a000000U + (uint32_t)i * 7, i), 0);
	for (i = 0; i < 4096; i++)
		T_EQ_INT(route_lookup4(&r, 0x0a000000U + (uint32_t)i * 7), i);
	T_EQ_INT(route_lookup4(&r, 0x0a000000U + 4096 * 7), ROUTE_UNKNOWN);
	route_free(&r);
}

int
main(void)
{
	T_RUN(lookup);
	T_RUN(empty_table);
	T_RUN(dst);
	T_RUN(src_check);
	T_RUN(full_table_probing);
	return t_done();
}
