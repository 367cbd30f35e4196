#include "config.h"

#include <stdint.h>

#include "datapath/icmp.h"
#include "t.h"

static const uint8_t src4[4] = { 10, 42, 0, 1 }, dst4[4] = { 10, 42, 0, 9 };
static const uint8_t src6[16] = { 0xfd, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t dst6[16] = { 0xfd, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 9 };

/* An IPv4 echo request of len bytes. */
static void
ping4(uint8_t *p, size_t len)
{
	size_t	i;

	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[6] = 0x40;		/* DF */
	p[8] = 64;
	p[9] = 1;
	memcpy(p + 12, src4, 4);
	memcpy(p + 16, dst4, 4);
	p[20] = 8;
	for (i = 28; i < len; i++)
		p[i] = (uint8_t)i;
}

static void
ping6(uint8_t *p, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 58;
	p[7] = 64;
	memcpy(p + 8, src6, 16);
	memcpy(p + 24, dst6, 16);
	p[40] = 128;
}

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint16_t
cksum6(const uint8_t *p, size_t n)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	sum += (uint32_t)(n - 40) + 58;
	return icmp_cksum(p + 40, n - 40, sum);
}

T_TEST(cksum_rfc1071)
{
	/* RFC 1071's example bytes sum to 0xddf2; the checksum is ~. */
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
	    0xf6, 0xf7 };

	T_EQ_INT(icmp_cksum(b, 8, 0), 0xffff & ~0xddf2);
	T_EQ_INT(icmp_cksum(b, 7, 0), 0xffff & ~(0xddf2 - 0xf7));
}

T_TEST(unreach4)
{
	uint8_t	p[100], out[ICMP_MAX];
	size_t	n;

	ping4(p, 100);
	n = icmp_unreach(out, sizeof(out), p, 100);
	T_EQ_INT(n, 20 + 8 + 100);
	T_EQ_INT(out[0], 0x45);
	T_EQ_INT(get16(out + 2), n);
	T_EQ_INT(out[9], 1);
	T_EQ_MEM(out + 12, dst4, 4);	/* from the unreachable address */
	T_EQ_MEM(out + 16, src4, 4);
	T_EQ_INT(icmp_cksum(out, 20, 0), 0);
	T_EQ_INT(out[20], 3);
	T_EQ_INT(out[21], 1);
	T_EQ_INT(icmp_cksum(out + 20, n - 20, 0), 0);
	T_EQ_MEM(out + 28, p, 100);
	/* Too small an output buffer: nothing. */
	T_EQ_INT(icmp_unreach(out, 60, p, 100), 0);
}

T_TEST(unreach4_quote_limit)
{
	uint8_t	p[1400], out[ICMP_MAX];

	ping4(p, sizeof(p));
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, sizeof(p)), 576);
	T_EQ_INT(icmp_cksum(out + 20, 576 - 20, 0), 0);
}

T_TEST(no_error_for)
{
	uint8_t	p[100], out[ICMP_MAX];

	ping4(p, 100);
	p[20] = 3;			/* an ICMP error */
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 100), 0);
	ping4(p, 100);
	p[7] = 1;			/* non-first fragment */
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 100), 0);
	ping4(p, 100);
	p[16] = 224;			/* multicast destination */
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 100), 0);
	ping4(p, 100);
	memset(p + 12, 0, 4);		/* 0.0.0.0 source */
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 100), 0);
	ping4(p, 100);
	p[6] = 0;			/* too big without DF */
	T_EQ_INT(icmp_too_big(out, sizeof(out), p, 100, 80), 0);
	ping6(p, 100);
	p[40] = 1;			/* an ICMPv6 error */
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 100), 0);
	ping6(p, 100);
	p[24] = 0xff;
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 100), 0);
	ping6(p, 100);
	memset(p + 8, 0, 16);
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 100), 0);
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 0), 0);
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 10), 0);
	p[0] = 0x45;
	T_EQ_INT(icmp_unreach(out, sizeof(out), p, 10), 0);
}

T_TEST(too_big4)
{
	uint8_t	p[1500], out[ICMP_MAX];
	size_t	n;

	ping4(p, sizeof(p));
	n = icmp_too_big(out, sizeof(out), p, sizeof(p), 1420);
	T_EQ_INT(n, 576);
	T_EQ_INT(out[20], 3);
	T_EQ_INT(out[21], 4);
	T_EQ_INT(get16(out + 26), 1420);
	T_EQ_INT(icmp_cksum(out + 20, n - 20, 0), 0);
}

T_TEST(unreach6)
{
	uint8_t	p[100], out[ICMP_MAX];
	size_t	n;

	ping6(p, 100);
	n = icmp_unreach(out, sizeof(out), p, 100);
	T_EQ_INT(n, 40 + 8 + 100);
	T_EQ_INT(out[0] >> 4, 6);
	T_EQ_INT(get16(out + 4), n - 40);
	T_EQ_INT(out[6], 58);
	T_EQ_MEM(out + 8, dst6, 16);
	T_EQ_MEM(out + 24, src6, 16);
	T_EQ_INT(out[40], 1);
	T_EQ_INT(out[41], 3);
	T_EQ_INT(cksum6(out, n), 0);
	T_EQ_MEM(out + 48, p, 100);
}

T_TEST(too_big6)
{
	uint8_t	p[1500], out[ICMP_MAX];
	size_t	n;

	ping6(p, sizeof(p));
	n = icmp_too_big(out, sizeof(out), p, sizeof(p), 1420);
	T_EQ_INT(n, 1280);
	T_EQ_INT(out[40], 2);
	T_EQ_INT(out[41], 0);
	T_EQ_INT(get16(out + 44) << 16 | get16(out + 46), 1420);
	T_EQ_INT(cksum6(out, n), 0);
}

int
main(void)
{
	T_RUN(cksum_rfc1071);
	T_RUN(unreach4);
	T_RUN(unreach4_quote_limit);
	T_RUN(no_error_for);
	T_RUN(too_big4);
	T_RUN(unreach6);
	T_RUN(too_big6);
	return t_done();
}
