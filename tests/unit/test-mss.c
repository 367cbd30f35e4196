/* TCP MSS clamp: rewrites only the MSS and keeps the checksum valid (checked
 * by recomputing it in full here, independently of the incremental update),
 * and touches nothing it does not fully understand. */
#include "config.h"

#include <stdint.h>

#include "datapath/mss.h"
#include "t.h"

#define TCP_SYN	0x02
#define TCP_ACK	0x10

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t
sum16(const uint8_t *b, size_t n, uint32_t sum)
{
	size_t	i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static unsigned
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The TCP segment at off (seglen bytes) with its pseudo-header: the folded
 * sum over everything including the checksum field (0xffff when valid). */
static unsigned
tcp_sum(const uint8_t *pkt, size_t off, size_t seglen)
{
	uint32_t	sum;

	if ((pkt[0] >> 4) == 4) {
		sum = sum16(pkt + 12, 8, 0);
	} else
		sum = sum16(pkt + 8, 32, 0);
	sum += 6 + (uint32_t)seglen;
	return fold(sum16(pkt + off, seglen, sum));
}

static void
tcp_fill_csum(uint8_t *pkt, size_t off, size_t seglen)
{
	put16(pkt + off + 16, 0);
	put16(pkt + off + 16, ~tcp_sum(pkt, off, seglen) & 0xffff);
}

/* An IPv4 TCP segment with these options (padded to 4 with EOL) and
 * `data` payload bytes; returns its length. */
static size_t
build4(uint8_t *pkt, uint8_t flags, const uint8_t *opt, size_t optlen,
    size_t data)
{
	size_t	thl = 20 + ((optlen + 3) & ~(size_t)3), tot = 20 + thl + data;
	size_t	i;

	memset(pkt, 0, tot);
	pkt[0] = 0x45;
	put16(pkt + 2, (unsigned)tot);
	put16(pkt + 4, 0x1234);
	pkt[6] = 0x40;			/* DF */
	pkt[8] = 64;
	pkt[9] = 6;
	pkt[12] = 10; pkt[15] = 1;
	pkt[16] = 10; pkt[19] = 2;
	put16(pkt + 20, 40000);
	put16(pkt + 22, 443);
	pkt[24] = 0xde; pkt[25] = 0xad; pkt[26] = 0xbe; pkt[27] = 0xef;
	pkt[32] = (uint8_t)((thl / 4) << 4);
	pkt[33] = flags;
	put16(pkt + 34, 64240);
	if (optlen > 0)
		memcpy(pkt + 40, opt, optlen);
	for (i = 0; i < data; i++)
		pkt[20 + thl + i] = (uint8_t)(i * 7 + 1);
	tcp_fill_csum(pkt, 20, thl + data);
	return tot;
}

/* The same over IPv6, with `ext` bytes of hop-by-hop header (0 or 8). */
static size_t
build6(uint8_t *pkt, uint8_t flags, const uint8_t *opt, size_t optlen,
    size_t ext, unsigned ext_type)
{
	size_t	thl = 20 + ((optlen + 3) & ~(size_t)3), off = 40 + ext;
	size_t	tot = off + thl;

	memset(pkt, 0, tot);
	pkt[0] = 0x60;
	put16(pkt + 4, (unsigned)(tot - 40));
	pkt[6] = ext ? (uint8_t)ext_type : 6;
	pkt[7] = 64;
	pkt[8] = 0xfd; pkt[23] = 1;
	pkt[24] = 0xfd; pkt[39] = 2;
	if (ext) {
		pkt[40] = 6;
		pkt[41] = (uint8_t)(ext / 8 - 1);
		pkt[42] = 1;		/* PadN */
		pkt[43] = (uint8_t)(ext - 4);
	}
	put16(pkt + off, 40000);
	put16(pkt + off + 2, 443);
	pkt[off + 12] = (uint8_t)((thl / 4) << 4);
	pkt[off + 13] = flags;
	memcpy(pkt + off + 20, opt, optlen);
	tcp_fill_csum(pkt, off, thl);
	return tot;
}

static const uint8_t	mss1460[] = { 2, 4, 0x05, 0xb4 };
/* Linux's SYN: MSS, SACK permitted, timestamps, NOP, window scale. */
static const uint8_t	linux_syn[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10,
	0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };

/* pkt differs from orig only in the MSS at mss_off and the checksum. */
static void
only_mss_changed(const uint8_t *pkt, const uint8_t *orig, size_t len,
    size_t mss_off, size_t csum_off)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (i == mss_off || i == mss_off + 1 || i == csum_off ||
		    i == csum_off + 1)
			continue;
		if (pkt[i] != orig[i]) {
			T_FAIL("byte %zu changed", i);
			return;
		}
	}
}

T_TEST(limit)
{
	T_EQ_INT(mss_limit(1420, 0), 1380);
	T_EQ_INT(mss_limit(1420, 1), 1360);
	T_EQ_INT(mss_limit(1340, 0), 1300);
	T_EQ_INT(mss_limit(100, 0), MSS_MIN);
	T_EQ_INT(mss_limit(0, 1), MSS_MIN);
}

T_TEST(syn4_clamped)
{
	uint8_t	pkt[128], orig[128];
	size_t	len;

	len = build4(pkt, TCP_SYN, linux_syn, sizeof(linux_syn), 0);
	memcpy(orig, pkt, len);
	T_EQ_INT(tcp_sum(pkt, 20, len - 20), 0xffff);
	T_EQ_INT(mss_clamp(pkt, len, 1340, 0), 1);
	T_EQ_INT(pkt[42] << 8 | pkt[43], 1300);
	T_EQ_INT(tcp_sum(pkt, 20, len - 20), 0xffff);
	only_mss_changed(pkt, orig, len, 42, 36);
	/* again: nothing left to do */
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1340, 0), 0);
	T_EQ_MEM(pkt, orig, len);
}

T_TEST(synack4_clamped)
{
	uint8_t	pkt[128];
	size_t	len;

	len = build4(pkt, TCP_SYN | TCP_ACK, mss1460, sizeof(mss1460), 0);
	T_EQ_INT(mss_clamp(pkt, len, 1400, 0), 1);
	T_EQ_INT(pkt[42] << 8 | pkt[43], 1360);
	T_EQ_INT(tcp_sum(pkt, 20, len - 20), 0xffff);
}

/* A NOP first puts the MSS value at an odd offset: the update swaps. */
T_TEST(odd_offset)
{
	static const uint8_t	opt[] = { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 };
	uint8_t			pkt[128], orig[128];
	size_t			len;

	len = build4(pkt, TCP_SYN, opt, sizeof(opt), 10);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1400, 0), 1);
	T_EQ_INT(pkt[43] << 8 | pkt[44], 1360);
	T_EQ_INT(tcp_sum(pkt, 20, len - 20), 0xffff);
	only_mss_changed(pkt, orig, len, 43, 36);
}

/* Many MSS values, offsets and payloads: the checksum always holds. */
T_TEST(checksum_sweep)
{
	uint8_t		opt[12], pkt[256];
	unsigned	mss, mtu, nops, data;
	size_t		len;
	int		bad = 0, n = 0;

	for (nops = 0; nops < 4; nops++)
		for (mss = 1200; mss < 65536; mss += 997)
			for (mtu = 1280; mtu <= 1500; mtu += 37)
				for (data = 0; data < 3; data++) {
					memset(opt, 1, sizeof(opt));
					opt[nops] = 2;
					opt[nops + 1] = 4;
					put16(opt + nops + 2, mss);
					len = build4(pkt, TCP_SYN, opt,
					    nops + 4, data);
					n += mss_clamp(pkt, len, mtu, 0);
					if (tcp_sum(pkt, 20, len - 20) !=
					    0xffff)
						bad++;
				}
	T_EQ_INT(bad, 0);
	T_ASSERT(n > 0);
}

T_TEST(already_small)
{
	static const uint8_t	opt[] = { 2, 4, 0x05, 0x00 };	/* 1280 */
	uint8_t			pkt[128], orig[128];
	size_t			len;

	len = build4(pkt, TCP_SYN, opt, sizeof(opt), 0);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1400, 0), 0);
	T_EQ_MEM(pkt, orig, len);
	/* exactly at the limit */
	len = build4(pkt, TCP_SYN, mss1460, sizeof(mss1460), 0);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1500, 0), 0);
	T_EQ_MEM(pkt, orig, len);
}

T_TEST(no_mss)
{
	static const uint8_t	opt[] = { 1, 1, 4, 2, 1, 3, 3, 7 };
	uint8_t			pkt[128], orig[128];
	size_t			len;

	len = build4(pkt, TCP_SYN, opt, sizeof(opt), 0);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	T_EQ_MEM(pkt, orig, len);
	len = build4(pkt, TCP_SYN, NULL, 0, 0);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	T_EQ_MEM(pkt, orig, len);
	/* an EOL before the MSS ends the options */
	static const uint8_t	eol[] = { 0, 0, 0, 0, 2, 4, 0x05, 0xb4 };
	len = build4(pkt, TCP_SYN, eol, sizeof(eol), 0);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	T_EQ_MEM(pkt, orig, len);
}

T_TEST(malformed_options)
{
	static const uint8_t	len0[] = { 8, 0, 2, 4, 0x05, 0xb4, 1, 1 };
	static const uint8_t	len1[] = { 8, 1, 2, 4, 0x05, 0xb4, 1, 1 };
	static const uint8_t	past[] = { 1, 1, 8, 40 };
	static const uint8_t	mss_past[] = { 1, 1, 1, 2 };	/* kind only */
	static const uint8_t	mss_short[] = { 1, 2, 4, 0x05 };/* ends early */
	static const uint8_t	mss_len3[] = { 2, 3, 0x05, 0xb4 };
	static const uint8_t	mss_len6[] = { 2, 6, 0x05, 0xb4, 0, 0, 1, 1 };
	static const uint8_t	hugelen[] = { 8, 255, 2, 4, 0x05, 0xb4, 1, 1 };
	const struct {
		const uint8_t	*opt;
		size_t		 len;
	} cases[] = {
		{ len0, sizeof(len0) }, { len1, sizeof(len1) },
		{ past, sizeof(past) }, { mss_past, sizeof(mss_past) },
		{ mss_short, sizeof(mss_short) },
		{ mss_len3, sizeof(mss_len3) }, { mss_len6, sizeof(mss_len6) },
		{ hugelen, sizeof(hugelen) },
	};
	uint8_t	pkt[128], orig[128];
	size_t	i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = build4(pkt, TCP_SYN, cases[i].opt, cases[i].len, 8);
		memcpy(orig, pkt, len);
		if (mss_clamp(pkt, len, 1280, 0) != 0)
			T_FAIL("case %zu changed", i);
		T_EQ_MEM(pkt, orig, len);
	}
	/* an MSS before the malformed option is still clamped, validly */
	static const uint8_t	after[] = { 2, 4, 0x05, 0xb4, 8, 0, 0, 0 };
	len = build4(pkt, TCP_SYN, after, sizeof(after), 0);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 1);
	T_EQ_INT(tcp_sum(pkt, 20, len - 20), 0xffff);
}

T_TEST(bad_headers)
{
	uint8_t	pkt[128], orig[128];
	size_t	len;

	/* data offset below 5, and past the segment */
	len = build4(pkt, TCP_SYN, mss1460, sizeof(mss1460), 0);
	pkt[32] = 0x40;
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	T_EQ_MEM(pkt, orig, len);
	pkt[32] = 0xf0;
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	T_EQ_MEM(pkt, orig, len);
	/* IP header length below 5, beyond the total length */
	len = build4(pkt, TCP_SYN, mss1460, sizeof(mss1460), 0);
	pkt[0] = 0x44;
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	pkt[0] = 0x4f;
	put16(pkt + 2, 50);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	/* total length beyond the buffer, below the header */
	len = build4(pkt, TCP_SYN, mss1460, sizeof(mss1460), 0);
	put16(pkt + 2, (unsigned)len + 1);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	put16(pkt + 2, 10);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	/* fragments: first (MF), later (offset) */
	len = build4(pkt, TCP_SYN, mss1460, sizeof(mss1460), 0);
	pkt[6] = 0x20;
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	pkt[6] = 0x00; pkt[7] = 0x10;
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	/* not TCP, not IP, unknown MTU */
	len = build4(pkt, TCP_SYN, mss1460, sizeof(mss1460), 0);
	pkt[9] = 17;
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	pkt[9] = 6;
	pkt[0] = 0x55;
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	pkt[0] = 0x45;
	T_EQ_INT(mss_clamp(pkt, len, 0, 0), 0);
	T_EQ_INT(mss_clamp(pkt, 0, 1280, 0), 0);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 1);
}

T_TEST(not_syn)
{
	uint8_t	pkt[128], orig[128];
	size_t	len;

	len = build4(pkt, TCP_ACK, mss1460, sizeof(mss1460), 20);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	T_EQ_MEM(pkt, orig, len);
}

/* Every prefix of a SYN: untouched (its total length says more). */
T_TEST(truncated)
{
	uint8_t	pkt[128], orig[128], *cut;
	size_t	len, n;

	len = build4(pkt, TCP_SYN, linux_syn, sizeof(linux_syn), 0);
	memcpy(orig, pkt, len);
	for (n = 0; n < len; n++) {
		/* a copy of exactly n bytes, so that a read past it shows
		 * under ASan */
		if ((cut = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(cut, pkt, n);
		if (mss_clamp(cut, n, 1280, 0) != 0)
			T_FAIL("prefix %zu changed", n);
		free(cut);
	}
	T_EQ_MEM(pkt, orig, len);
	len = build6(pkt, TCP_SYN, linux_syn, sizeof(linux_syn), 8, 0);
	for (n = 0; n < len; n++) {
		if ((cut = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(cut, pkt, n);
		if (mss_clamp(cut, n, 1280, 0) != 0)
			T_FAIL("v6 prefix %zu changed", n);
		free(cut);
	}
}

T_TEST(ipv6)
{
	static const uint8_t	mss1440[] = { 2, 4, 0x05, 0xa0 };
	uint8_t			pkt[160], orig[160];
	size_t			len;

	len = build6(pkt, TCP_SYN, mss1440, sizeof(mss1440), 0, 0);
	memcpy(orig, pkt, len);
	T_EQ_INT(tcp_sum(pkt, 40, len - 40), 0xffff);
	T_EQ_INT(mss_clamp(pkt, len, 1400, 0), 1);
	T_EQ_INT(pkt[62] << 8 | pkt[63], 1340);
	T_EQ_INT(tcp_sum(pkt, 40, len - 40), 0xffff);
	only_mss_changed(pkt, orig, len, 62, 56);
	/* behind hop-by-hop and destination options headers */
	len = build6(pkt, TCP_SYN, linux_syn, sizeof(linux_syn), 8, 0);
	T_EQ_INT(mss_clamp(pkt, len, 1400, 0), 1);
	T_EQ_INT(pkt[70] << 8 | pkt[71], 1340);
	T_EQ_INT(tcp_sum(pkt, 48, len - 48), 0xffff);
	len = build6(pkt, TCP_SYN, linux_syn, sizeof(linux_syn), 16, 60);
	T_EQ_INT(mss_clamp(pkt, len, 1400, 0), 1);
	T_EQ_INT(tcp_sum(pkt, 56, len - 56), 0xffff);
	/* a fragment header, an extension length past the packet, a
	 * jumbogram: untouched */
	len = build6(pkt, TCP_SYN, mss1440, sizeof(mss1440), 8, 44);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	T_EQ_MEM(pkt, orig, len);
	len = build6(pkt, TCP_SYN, mss1440, sizeof(mss1440), 8, 0);
	pkt[41] = 200;
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	len = build6(pkt, TCP_SYN, mss1440, sizeof(mss1440), 0, 0);
	put16(pkt + 4, 0);
	T_EQ_INT(mss_clamp(pkt, len, 1280, 0), 0);
	/* an extension header chain that never ends in TCP */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	put16(pkt + 4, 120);
	pkt[6] = 0;		/* hop-by-hop pointing at itself, 8 bytes */
	for (len = 40; len < 160; len += 8)
		pkt[len] = 0;
	T_EQ_INT(mss_clamp(pkt, 160, 1280, 0), 0);
}

/* NEEDS_CSUM: only the pseudo-header sum is in the field; the sum over
 * the segment is computed later, so only the MSS changes. */
T_TEST(partial_checksum)
{
	uint8_t	pkt[128], orig[128];
	size_t	len;

	len = build4(pkt, TCP_SYN, mss1460, sizeof(mss1460), 0);
	put16(pkt + 36, 0x1234);
	memcpy(orig, pkt, len);
	T_EQ_INT(mss_clamp(pkt, len, 1400, 1), 1);
	T_EQ_INT(pkt[42] << 8 | pkt[43], 1360);
	T_EQ_INT(pkt[36] << 8 | pkt[37], 0x1234);
	only_mss_changed(pkt, orig, len, 42, 1000);
}

int
main(void)
{
	T_RUN(limit);
	T_RUN(syn4_clamped);
	T_RUN(synack4_clamped);
	T_RUN(odd_offset);
	T_RUN(checksum_sweep);
	T_RUN(already_small);
	T_RUN(no_mss);
	T_RUN(malformed_options);
	T_RUN(bad_headers);
	T_RUN(not_syn);
	T_RUN(truncated);
	T_RUN(ipv6);
	T_RUN(partial_checksum);
	return t_done();
}
