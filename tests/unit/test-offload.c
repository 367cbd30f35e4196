/* TSO splitting and GRO merging: checksums, headers, and the round trip
 * split -> merge giving back the original stream. */
#include "config.h"

#include <stdint.h>

#include "datapath/icmp.h"
#include "datapath/offload.h"
#include "os/tun.h"
#include "t.h"

static uint8_t	big[70000], out[GRO_FLOWS * GRO_MAX_LEN];

/* What the merge callback got. */
static uint8_t			got[8][GRO_MAX_LEN];
static size_t			gotlen[8];
static struct tun_pktinfo	gotpi[8];
static int			ngot;

static void
collect(void *arg, const uint8_t *pkt, size_t len,
    const struct tun_pktinfo *pi)
{
	if (ngot < 8) {
		memcpy(got[ngot], pkt, len);
		gotlen[ngot] = len;
		gotpi[ngot] = *pi;
	}
	ngot++;
}

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Does the TCP checksum of segment p (IP header iph bytes) verify? */
static int
tcp_ok(const uint8_t *p, size_t len, int v6)
{
	size_t		iph = v6 ? 40 : 20;
	uint64_t	ps;

	if (v6)
		ps = offload_sum(p + 8, 32, 0);
	else
		ps = offload_sum(p + 12, 8, 0);
	ps += (len - iph) + 6;
	return offload_fold(offload_sum(p + iph, len - iph, ps)) == 0xffff;
}

/* A TCP packet: IPv4 or IPv6 header, TCP header with a 12-byte timestamp
 * option, payload of plen bytes (byte i = i * 7). */
static size_t
tcp_pkt(uint8_t *p, int v6, size_t plen, uint32_t seq, uint8_t flags)
{
	size_t	iph = v6 ? 40 : 20, hl = iph + 32, i;

	memset(p, 0, hl);
	if (v6) {
		p[0] = 0x60;
		p[4] = (uint8_t)((hl - 40 + plen) >> 8);
		p[5] = (uint8_t)(hl - 40 + plen);
		p[6] = 6;
		p[7] = 64;
		p[8] = 0xfd;
		p[23] = 1;
		p[24] = 0xfd;
		p[39] = 2;
	} else {
		p[0] = 0x45;
		p[2] = (uint8_t)((hl + plen) >> 8);
		p[3] = (uint8_t)(hl + plen);
		p[4] = 0x12;
		p[6] = 0x40;
		p[8] = 64;
		p[9] = 6;
		p[12] = 10; p[15] = 1;
		p[16] = 10; p[19] = 2;
		p[10] = (uint8_t)(icmp_cksum(p, 20, 0) >> 8);
		p[11] = (uint8_t)icmp_cksum(p, 20, 0);
	}
	p[iph] = 0x30; p[iph + 1] = 0x39;	/* 12345 */
	p[iph + 2] = 0x14; p[iph + 3] = 0x51;	/* 5201 */
	p[iph + 4] = (uint8_t)(seq >> 24); p[iph + 5] = (uint8_t)(seq >> 16);
	p[iph + 6] = (uint8_t)(seq >> 8); p[iph + 7] = (uint8_t)seq;
	p[iph + 11] = 99;			/* ack */
	p[iph + 12] = 8 << 4;			/* 32 bytes */
	p[iph + 13] = flags;
	p[iph + 14] = 0x01;			/* window */
	p[iph + 20] = 1; p[iph + 21] = 1; p[iph + 22] = 8; p[iph + 23] = 10;
	p[iph + 27] = 42;			/* TSval */
	for (i = 0; i < plen; i++)
		p[hl + i] = (uint8_t)((seq + i) * 7);
	return hl + plen;
}

/* As the kernel hands a TSO packet over: pseudo-header sum in the TCP
 * checksum field. */
static void
make_partial(uint8_t *p, size_t len, int v6, struct tun_pktinfo *pi,
    unsigned mss)
{
	size_t		iph = v6 ? 40 : 20;
	uint64_t	ps;

	ps = v6 ? offload_sum(p + 8, 32, 0) : offload_sum(p + 12, 8, 0);
	ps += (len - iph) + 6;
	p[iph + 16] = (uint8_t)(offload_fold(ps) >> 8);
	p[iph + 17] = (uint8_t)offload_fold(ps);
	memset(pi, 0, sizeof(*pi));
	pi->flags = OFFLOAD_NEEDS_CSUM;
	pi->gso_type = v6 ? OFFLOAD_GSO_TCPV6 : OFFLOAD_GSO_TCPV4;
	pi->hdr_len = (uint16_t)(iph + 32);
	pi->gso_size = (uint16_t)mss;
	pi->csum_start = (uint16_t)iph;
	pi->csum_offset = 16;
}

T_TEST(sum_matches_reference)
{
	uint8_t	b[301];
	size_t	n, i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 131 + 7);
	for (n = 0; n <= sizeof(b); n++)
		T_EQ_INT((uint16_t)~offload_fold(offload_sum(b, n, 0)),
		    icmp_cksum(b, n, 0));
	/* Unaligned start. */
	T_EQ_INT((uint16_t)~offload_fold(offload_sum(b + 1, 200, 0)),
	    icmp_cksum(b + 1, 200, 0));
}

T_TEST(csum_complete)
{
	struct tun_pktinfo	pi;
	uint8_t			p[200];
	size_t			len;

	len = tcp_pkt(p, 0, 77, 1000, 0x18);
	make_partial(p, len, 0, &pi, 0);
	T_ASSERT(!tcp_ok(p, len, 0));
	T_EQ_INT(offload_csum_complete(p, len, &pi), 0);
	T_ASSERT(tcp_ok(p, len, 0));
	pi.csum_start = 199;
	T_EQ_INT(offload_csum_complete(p, len, &pi), -1);
}

static void
split_and_check(int v6, size_t plen, unsigned mss, size_t stride)
{
	struct tun_pktinfo	pi;
	struct gro		g;
	size_t			len, hl = (v6 ? 40 : 20) + 32, n, i, off;
	size_t			seglen, lastlen, h;
	uint8_t			flags = 0x80 | 0x18 | 0x01; /* CWR PSH ACK FIN */
	int			k;

	len = tcp_pkt(big, v6, plen, 1000000, flags);
	make_partial(big, len, v6, &pi, mss);
	n = (plen + mss - 1) / mss;
	T_EQ_INT(offload_tso_plan(big, len, &pi, &h, &seglen, &lastlen),
	    (int)n);
	T_EQ_INT(h, hl);
	k = offload_tso_split(big, len, &pi, stride);
	T_EQ_INT(k, (int)n);
	for (i = 0; i < n; i++) {
		const uint8_t	*s = big + i * stride;
		size_t		 sl = i == n - 1 ? plen - (n - 1) * mss : mss;
		size_t		 iph = v6 ? 40 : 20;

		if (v6)
			T_EQ_INT(get16(s + 4), 32 + sl);
		else {
			T_EQ_INT(get16(s + 2), hl + sl);
			T_EQ_INT(get16(s + 4), 0x1200 + i);
			T_EQ_INT(icmp_cksum(s, 20, 0), 0);
		}
		T_EQ_INT(get32(s + iph + 4), 1000000 + i * mss);
		T_EQ_INT(s[iph + 13], (i == 0 ? 0x80 : 0) | 0x10 |
		    (i == n - 1 ? 0x09 : 0));
		T_ASSERT(tcp_ok(s, hl + sl, v6));
		for (off = 0; off < sl; off += 97)
			T_EQ_INT(s[hl + off],
			    (uint8_t)((1000000 + i * mss + off) * 7));
	}
	/* Merged back (CWR would keep the first one out: drop it; FIN makes
	 * the last one unmergeable: it comes out after the merged rest). */
	big[(v6 ? 40 : 20) + 13] &= (uint8_t)~0x80;
	ngot = 0;
	gro_init(&g, out, collect, NULL);
	for (i = 0; i < n; i++)
		gro_add(&g, big + i * stride, i == n - 1 ? hl + plen -
		    (n - 1) * mss : hl + mss);
	gro_flush(&g);
	T_EQ_INT(ngot, n > 1 ? 2 : 1);
	if (n > 2) {
		T_EQ_INT(gotlen[0], hl + (n - 1) * mss);
		T_EQ_INT(gotpi[0].gso_type, v6 ? OFFLOAD_GSO_TCPV6 :
		    OFFLOAD_GSO_TCPV4);
		T_EQ_INT(gotpi[0].gso_size, mss);
		T_EQ_INT(gotpi[0].hdr_len, hl);
		T_EQ_INT(gotpi[0].flags, OFFLOAD_NEEDS_CSUM);
		for (off = 0; off < (n - 1) * mss; off += 101)
			T_EQ_INT(got[0][hl + off],
			    (uint8_t)((1000000 + off) * 7));
		/* Completing the partial checksum gives a valid packet. */
		T_EQ_INT(offload_csum_complete(got[0], gotlen[0],
		    &gotpi[0]), 0);
		T_ASSERT(tcp_ok(got[0], gotlen[0], v6));
		if (!v6) {
			T_EQ_INT(get16(got[0] + 2), gotlen[0]);
			T_EQ_INT(icmp_cksum(got[0], 20, 0), 0);
		} else
			T_EQ_INT(get16(got[0] + 4), gotlen[0] - 40);
	}
	T_EQ_INT(gotpi[ngot - 1].gso_type, OFFLOAD_GSO_NONE);
}

T_TEST(split_merge_v4)
{
	split_and_check(0, 60000, 1368, 1452);
	split_and_check(0, 1000, 1368, 1452);		/* one segment */
	split_and_check(0, 2736, 1368, 1420);		/* exact multiple, tight */
}

T_TEST(split_merge_v6)
{
	split_and_check(1, 60000, 1348, 1452);
	split_and_check(1, 5000, 1348, 2000);
}

T_TEST(split_refuses)
{
	struct tun_pktinfo	pi;
	size_t			len, a, b, c;

	len = tcp_pkt(big, 0, 3000, 1, 0x10);
	make_partial(big, len, 0, &pi, 1000);
	T_EQ_INT(offload_tso_split(big, len, &pi, 1000), -1);	/* stride */
	pi.gso_type = OFFLOAD_GSO_TCPV6;			/* mismatch */
	T_EQ_INT(offload_tso_plan(big, len, &pi, &a, &b, &c), -1);
	pi.gso_type = 3;					/* UDP */
	T_EQ_INT(offload_tso_plan(big, len, &pi, &a, &b, &c), -1);
	pi.gso_type = OFFLOAD_GSO_TCPV4;
	pi.gso_size = 10;					/* > 64 segs */
	T_EQ_INT(offload_tso_plan(big, len, &pi, &a, &b, &c), -1);
	pi.gso_size = 1000;
	T_EQ_INT(offload_tso_plan(big, 30, &pi, &a, &b, &c), -1);
}

T_TEST(merge_rules)
{
	struct gro	g;
	uint8_t		a[2000], b[2000], u[100];
	size_t		la, lb;

	gro_init(&g, out, collect, NULL);
	/* A gap in sequence numbers: two packets. */
	ngot = 0;
	la = tcp_pkt(a, 0, 1000, 0, 0x10);
	lb = tcp_pkt(b, 0, 1000, 2000, 0x10);
	gro_add(&g, a, la);
	gro_add(&g, b, lb);
	gro_flush(&g);
	T_EQ_INT(ngot, 2);
	T_EQ_INT(gotpi[0].flags, OFFLOAD_DATA_VALID);
	/* In order, but a non-TCP packet of the same addresses in between
	 * flushes what came before it, keeping the order. */
	ngot = 0;
	lb = tcp_pkt(b, 0, 1000, 1000, 0x10);
	memcpy(u, a, 24);
	u[9] = 17;
	u[2] = 0;
	u[3] = 60;
	gro_add(&g, a, la);
	gro_add(&g, u, 60);
	gro_add(&g, b, lb);
	gro_flush(&g);
	T_EQ_INT(ngot, 3);
	T_EQ_INT(gotlen[1], 60);
	/* Different ack numbers: not merged. */
	ngot = 0;
	b[20 + 11] = 100;
	gro_add(&g, a, la);
	gro_add(&g, b, lb);
	gro_flush(&g);
	T_EQ_INT(ngot, 2);
	/* Merged: one packet of 2000 payload bytes. */
	ngot = 0;
	lb = tcp_pkt(b, 0, 1000, 1000, 0x18);
	gro_add(&g, a, la);
	gro_add(&g, b, lb);
	gro_flush(&g);
	T_EQ_INT(ngot, 1);
	T_EQ_INT(gotlen[0], 52 + 2000);
	T_EQ_INT(got[0][33] & 0x08, 0x08);	/* PSH of the last kept */
	T_EQ_INT(g.merged, 1);
}

T_TEST(many_flows)
{
	struct gro	g;
	uint8_t		p[2000];
	size_t		len;
	int		i;

	gro_init(&g, out, collect, NULL);
	ngot = 0;
	/* GRO_FLOWS + 1 flows: the oldest is written to make room. */
	for (i = 0; i <= GRO_FLOWS; i++) {
		len = tcp_pkt(p, 0, 500, 0, 0x10);
		p[20 + 1] = (uint8_t)i;		/* source port */
		gro_add(&g, p, len);
	}
	T_EQ_INT(ngot, 1);
	T_EQ_INT(got[0][21], 0);
	gro_flush(&g);
	T_EQ_INT(ngot, GRO_FLOWS + 1);
}

int
main(void)
{
	T_RUN(sum_matches_reference);
	T_RUN(csum_complete);
	T_RUN(split_merge_v4);
	T_RUN(split_merge_v6);
	T_RUN(split_refuses);
	T_RUN(merge_rules);
	T_RUN(many_flows);
	return t_done();
}
