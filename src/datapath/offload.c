/* TSO splitting and GRO merging for the data path (pure; see offload.h). */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "common/be.h"
#include "datapath/offload.h"
#include "os/tun.h"

#define IP4_HDR		20
#define IP6_HDR		40
#define TCP_HDR		20
#define PROTO_TCP	6
#define HDR_MAX		(60 + 60)	/* IPv4 with options, TCP with options */

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PSH		0x08
#define TH_ACK		0x10
#define TH_CWR		0x80

uint64_t
offload_sum(const uint8_t *buf, size_t len, uint64_t sum)
{
	uint64_t	acc = 0, w;
	uint32_t	w32;
	uint16_t	w16;
	uint8_t		tail[2];

	/* Native-order words: the one's-complement sum of byte-swapped words
	 * is the byte-swapped sum (RFC 1071), fixed up at the end. */
	while (len >= 8) {
		memcpy(&w, buf, 8);
		acc += w;
		if (acc < w)
			acc++;
		buf += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w32, buf, 4);
		acc += w32;
		if (acc < w32)
			acc++;
		buf += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, buf, 2);
		acc += w16;
		if (acc < w16)
			acc++;
		buf += 2;
		len -= 2;
	}
	if (len == 1) {
		tail[0] = buf[0];
		tail[1] = 0;
		memcpy(&w16, tail, 2);
		acc += w16;
		if (acc < w16)
			acc++;
	}
	acc = (acc & 0xffffffffU) + (acc >> 32);
	acc = (acc & 0xffffffffU) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return sum + ntohs((uint16_t)acc);
}

uint16_t
offload_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

int
offload_csum_complete(uint8_t *pkt, size_t len, const struct tun_pktinfo *pi)
{
	size_t		at = (size_t)pi->csum_start + pi->csum_offset;
	uint16_t	c;

	if (pi->csum_start >= len || at + 2 > len)
		return -1;
	/* The field holds the pseudo-header sum: summing over it adds it. */
	c = (uint16_t)~offload_fold(offload_sum(pkt + pi->csum_start,
	    len - pi->csum_start, 0));
	be16_put(pkt + at, c == 0 ? 0xffff : c);
	return 0;
}

/* Pseudo-header sum of a TCP segment of tcplen bytes. */
static uint64_t
pseudo_sum(const uint8_t *ip, int v6, size_t tcplen)
{
	if (v6)
		return offload_sum(ip + 8, 32, 0) + tcplen + PROTO_TCP;
	return offload_sum(ip + 12, 8, 0) + tcplen + PROTO_TCP;
}

int
offload_tso_plan(const uint8_t *pkt, size_t len, const struct tun_pktinfo *pi,
    size_t *hdrlen, size_t *seglen, size_t *lastlen)
{
	size_t	iph, thl, payload, mss = pi->gso_size, n;
	int	type = pi->gso_type & ~OFFLOAD_GSO_ECN;

	if (len < 1 || mss == 0)
		return -1;
	if (type == OFFLOAD_GSO_TCPV4) {
		iph = (size_t)(pkt[0] & 0x0f) * 4;
		if (pkt[0] >> 4 != 4 || iph < IP4_HDR || len < iph + TCP_HDR ||
		    pkt[9] != PROTO_TCP)
			return -1;
	} else if (type == OFFLOAD_GSO_TCPV6) {
		iph = IP6_HDR;
		if (pkt[0] >> 4 != 6 || len < iph + TCP_HDR ||
		    pkt[6] != PROTO_TCP)
			return -1;
	} else
		return -1;
	thl = (size_t)(pkt[iph + 12] >> 4) * 4;
	if (thl < TCP_HDR || len < iph + thl)
		return -1;
	payload = len - iph - thl;
	if (payload == 0)
		return -1;
	n = (payload + mss - 1) / mss;
	if (n > OFFLOAD_MAX_SEGS)
		return -1;
	*hdrlen = iph + thl;
	*seglen = iph + thl + (n > 1 ? mss : payload);
	*lastlen = iph + thl + payload - (n - 1) * mss;
	return (int)n;
}

int
offload_tso_split(uint8_t *buf, size_t len, const struct tun_pktinfo *pi,
    size_t stride)
{
	uint8_t		hdr[HDR_MAX], *s, *tcp;
	size_t		hl, seglen, lastlen, mss = pi->gso_size, plen, iph;
	uint32_t	seq;
	uint16_t	id;
	uint8_t		flags;
	int		n, i, v6;

	if ((n = offload_tso_plan(buf, len, pi, &hl, &seglen,
	    &lastlen)) == -1 || stride < seglen || hl > sizeof(hdr))
		return -1;
	v6 = buf[0] >> 4 == 6;
	iph = v6 ? IP6_HDR : (size_t)(buf[0] & 0x0f) * 4;
	memcpy(hdr, buf, hl);
	seq = be32_get(hdr + iph + 4);
	id = (uint16_t)(hdr[4] << 8 | hdr[5]);
	flags = hdr[iph + 13];
	/* Last segment first: each payload moves up to its stride, never
	 * over a payload still to be moved (stride >= header + mss). */
	for (i = n - 1; i >= 0; i--) {
		s = buf + (size_t)i * stride;
		plen = (i == n - 1 ? lastlen : seglen) - hl;
		memmove(s + hl, buf + hl + (size_t)i * mss, plen);
		memcpy(s, hdr, hl);
		tcp = s + iph;
		if (v6)
			be16_put(s + 4, (uint32_t)(hl - iph + plen));
		else {
			be16_put(s + 2, (uint32_t)(hl + plen));
			be16_put(s + 4, (uint16_t)(id + i));
			be16_put(s + 10, 0);
			be16_put(s + 10, (uint16_t)~offload_fold(offload_sum(s,
			    iph, 0)));
		}
		be32_put(tcp + 4, seq + (uint32_t)((size_t)i * mss));
		tcp[13] = flags;
		if (i != n - 1)
			tcp[13] &= (uint8_t)~(TH_FIN | TH_PSH);
		if (i != 0)
			tcp[13] &= (uint8_t)~TH_CWR;
		be16_put(tcp + 16, 0);
		be16_put(tcp + 16, (uint16_t)~offload_fold(offload_sum(tcp,
		    hl - iph + plen, pseudo_sum(s, v6, hl - iph + plen))));
	}
	return n;
}

/* --- receive-side merging --- */

void
gro_init(struct gro *g, uint8_t *bufs, gro_out_fn *out, void *arg)
{
	size_t	i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < GRO_FLOWS; i++)
		g->flows[i].buf = bufs + i * GRO_MAX_LEN;
	g->out = out;
	g->arg = arg;
}

static void
flow_flush(struct gro *g, struct gro_flow *f)
{
	struct tun_pktinfo	pi;
	uint8_t			*p = f->buf;
	size_t			iph;
	int			v6;

	if (f->len == 0)
		return;
	memset(&pi, 0, sizeof(pi));
	if (f->nsegs == 1) {
		/* As it came: its checksum was made by the sender and the
		 * tunnel authenticated the packet. */
		pi.flags = OFFLOAD_DATA_VALID;
		g->out(g->arg, p, f->len, &pi);
		f->len = 0;
		return;
	}
	v6 = p[0] >> 4 == 6;
	iph = v6 ? IP6_HDR : IP4_HDR;
	if (v6)
		be16_put(p + 4, (uint32_t)(f->len - IP6_HDR));
	else {
		be16_put(p + 2, (uint32_t)f->len);
		be16_put(p + 10, 0);
		be16_put(p + 10, (uint16_t)~offload_fold(offload_sum(p, IP4_HDR,
		    0)));
	}
	be16_put(p + iph + 16, offload_fold(pseudo_sum(p, v6, f->len - iph)));
	pi.flags = OFFLOAD_NEEDS_CSUM;
	pi.gso_type = v6 ? OFFLOAD_GSO_TCPV6 : OFFLOAD_GSO_TCPV4;
	pi.hdr_len = (uint16_t)f->hdrlen;
	pi.gso_size = (uint16_t)f->mss;
	pi.csum_start = (uint16_t)iph;
	pi.csum_offset = 16;
	g->out(g->arg, p, f->len, &pi);
	f->len = 0;
}

void
gro_flush(struct gro *g)
{
	size_t	i;

	for (i = 0; i < GRO_FLOWS; i++)
		flow_flush(g, &g->flows[i]);
}

/* The flow key: addresses and ports, contiguous in a packet without IP
 * options or extension headers. */
static int
key_span(const uint8_t *p, size_t *off, size_t *len)
{
	if (p[0] == 0x45) {
		*off = 12;
		*len = 12;
		return 0;
	}
	if (p[0] >> 4 == 6) {
		*off = 8;
		*len = 36;
		return 0;
	}
	return -1;
}

static struct gro_flow *
flow_find(struct gro *g, const uint8_t *p, size_t len)
{
	size_t	i, off, klen;

	if (len < 1 || key_span(p, &off, &klen) == -1 || len < off + klen)
		return NULL;
	for (i = 0; i < GRO_FLOWS; i++) {
		struct gro_flow	*f = &g->flows[i];

		if (f->len != 0 && f->buf[0] == p[0] &&
		    memcmp(f->buf + off, p + off, klen) == 0)
			return f;
	}
	return NULL;
}

/* A TCP segment that may be merged: its header length, else 0. */
static size_t
mergeable(const uint8_t *p, size_t len)
{
	size_t	iph, thl;

	if (len < IP4_HDR + TCP_HDR)
		return 0;
	if (p[0] == 0x45) {
		if (p[9] != PROTO_TCP || (p[6] & 0x3f) != 0 || p[7] != 0)
			return 0;	/* not TCP, or a fragment */
		iph = IP4_HDR;
	} else if (p[0] >> 4 == 6) {
		if (len < IP6_HDR + TCP_HDR || p[6] != PROTO_TCP)
			return 0;	/* extension headers: not merged */
		iph = IP6_HDR;
	} else
		return 0;
	thl = (size_t)(p[iph + 12] >> 4) * 4;
	if (thl < TCP_HDR || len <= iph + thl)
		return 0;		/* no payload */
	if ((p[iph + 13] & ~TH_PSH) != TH_ACK)
		return 0;		/* SYN, FIN, RST, URG, ECE, CWR */
	return iph + thl;
}

/* May segment p (header length hl) follow flow f? */
static int
appendable(const struct gro_flow *f, const uint8_t *p, size_t len, size_t hl)
{
	const uint8_t	*q = f->buf;
	size_t		 iph = p[0] == 0x45 ? IP4_HDR : IP6_HDR;
	size_t		 payload = len - hl;

	if (f->closed || hl != f->hdrlen || payload > f->mss ||
	    f->len + payload > GRO_MAX_LEN || f->nsegs >= OFFLOAD_MAX_SEGS ||
	    be32_get(p + iph + 4) != f->next_seq)
		return 0;
	if (iph == IP4_HDR) {
		if (p[1] != q[1] || (p[6] & 0x40) != (q[6] & 0x40) ||
		    p[8] != q[8])
			return 0;	/* TOS, DF, TTL */
	} else if (memcmp(p, q, 4) != 0 || p[7] != q[7])
		return 0;		/* class, flow label, hop limit */
	/* Same ack, flags (but PSH), window, options. */
	return memcmp(p + iph + 8, q + iph + 8, 4) == 0 &&
	    ((p[iph + 13] ^ q[iph + 13]) & ~TH_PSH) == 0 &&
	    memcmp(p + iph + 14, q + iph + 14, 2) == 0 &&
	    memcmp(p + iph + TCP_HDR, q + iph + TCP_HDR,
	    hl - iph - TCP_HDR) == 0;
}

static void
flow_start(struct gro *g, struct gro_flow *f, const uint8_t *p, size_t len,
    size_t hl)
{
	size_t	iph = p[0] == 0x45 ? IP4_HDR : IP6_HDR;

	memcpy(f->buf, p, len);
	f->len = len;
	f->hdrlen = hl;
	f->mss = len - hl;
	f->nsegs = 1;
	f->next_seq = be32_get(p + iph + 4) + (uint32_t)(len - hl);
	f->closed = (p[iph + 13] & TH_PSH) != 0;
	f->age = g->clock++;
}

void
gro_add(struct gro *g, const uint8_t *p, size_t len)
{
	struct tun_pktinfo	 pi;
	struct gro_flow		*f, *slot;
	size_t			 hl, iph, i;

	f = flow_find(g, p, len);
	if ((hl = mergeable(p, len)) == 0) {
		/* Keep the order within the flow. */
		if (f != NULL)
			flow_flush(g, f);
		memset(&pi, 0, sizeof(pi));
		g->out(g->arg, p, len, &pi);
		return;
	}
	if (f != NULL) {
		if (appendable(f, p, len, hl)) {
			iph = p[0] == 0x45 ? IP4_HDR : IP6_HDR;
			memcpy(f->buf + f->len, p + hl, len - hl);
			f->len += len - hl;
			f->nsegs++;
			f->next_seq += (uint32_t)(len - hl);
			if (len - hl < f->mss || (p[iph + 13] & TH_PSH)) {
				f->closed = 1;
				f->buf[iph + 13] |= p[iph + 13] & TH_PSH;
			}
			g->merged++;
			return;
		}
		flow_flush(g, f);
		flow_start(g, f, p, len, hl);
		return;
	}
	slot = NULL;
	for (i = 0; i < GRO_FLOWS; i++) {
		f = &g->flows[i];
		if (f->len == 0) {
			slot = f;
			break;
		}
		if (slot == NULL || f->age < slot->age)
			slot = f;
	}
	flow_flush(g, slot);
	flow_start(g, slot, p, len, hl);
}
