/* The outgoing data path (see datapath.h): packets read from the TUN in
 * batches, routed to their member, encrypted in place and sent with one
 * sendmmsg; a TSO packet is split in place and goes as UDP GSO runs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "datapath/datapath-int.h"
#include "datapath/mss.h"
#include "datapath/route.h"
#include "os/tun.h"

/* Queue a datagram (or a GSO run of them) for the batch send. */
static void
queue_msg(struct datapath *dp, uint8_t *buf, size_t len, size_t segsize,
    struct peer *p, unsigned ndgrams)
{
	struct udp_msg	*m;

	if (p->path.relayed) {
		dp_relay_out(dp, p, &p->path.endpoint, buf, len, segsize,
		    ndgrams);
		return;
	}
	m = &dp->w.sendm[dp->w.nsendm++];
	m->buf = buf;
	m->len = len;
	m->segsize = segsize;
	m->addr = p->path.endpoint;
	dp->w.nsendd += ndgrams;
	dp->w.c.tx_bytes += len;
}

static void
send_batch(struct datapath *dp)
{
	unsigned	failed;

	if (dp->w.nsendm == 0)
		return;
	failed = udp_send_batch(dp->udp, dp->w.sendm, dp->w.nsendm);
	dp->w.c.drops[DP_DROP_SEND] += failed;
	dp->w.c.tx_packets += dp->w.nsendd - failed;
	dp->w.nsendm = 0;
	dp->w.nsendd = 0;
}

/* The member an inside packet read from the TUN goes to; NULL when it is
 * dropped (counted; an ICMP error goes back where one is due). */
static struct peer *
route_out(struct datapath *dp, const uint8_t *pkt, size_t len)
{
	struct peer	*p;
	size_t		 n;
	int		 idx;

	idx = route_dst(dp->route, pkt, len);
	if (idx < 0) {
		switch (idx) {
		case ROUTE_UNKNOWN:
			dp->w.c.drops[DP_DROP_NO_ROUTE]++;
			if ((n = icmp_unreach(dp->w.scratch, DP_SCRATCH_LEN,
			    pkt, len)) > 0) {
				dp_tun_put(dp, dp->w.scratch, n);
				dp->w.c.icmp_sent++;
			}
			break;
		case ROUTE_MCAST:
			dp->w.c.drops[DP_DROP_MCAST]++;
			break;
		default:
			dp->w.c.drops[DP_DROP_MALFORMED]++;
			break;
		}
		return NULL;
	}
	if ((size_t)idx >= dp->npeers || (p = dp->peers[idx]) == NULL) {
		dp->w.c.drops[DP_DROP_LOOP]++;
		return NULL;
	}
	return p;
}

/* A packet of len bytes over the inner MTU of its member's path that gets
 * no "too big" (IPv4 without DF), or that must get through anyway: IPv6
 * needs 1280 bytes end to end, which a narrow path (1280 outer over IPv6:
 * 1200 inner) cannot carry whole. These go in pieces (datapath-frag.c);
 * never a black hole. */
static int
may_fragment(const uint8_t *pkt, size_t len, unsigned inner)
{
	if (len <= inner)
		return 0;
	if (pkt[0] >> 4 == 4)
		return len >= 20 && !(pkt[6] & 0x40);	/* no DF */
	return len <= PMTU_FLOOR;
}

/* Tell the sender of pkt (into the TUN) that the path carries mtu. */
static void
too_big(struct datapath *dp, const uint8_t *pkt, size_t len, unsigned mtu)
{
	size_t	n;

	if ((n = icmp_too_big(dp->w.scratch, DP_SCRATCH_LEN, pkt, len,
	    mtu)) > 0) {
		dp_tun_put(dp, dp->w.scratch, n);
		dp->w.c.icmp_sent++;
	}
}

/* One packet read from the TUN, at buf + TUNNEL_HEADROOM: encrypt it in
 * place for its member and queue it. */
static void
outgoing(struct datapath *dp, uint8_t *buf, size_t len, uint64_t now)
{
	uint8_t		*pkt = buf + TUNNEL_HEADROOM;
	struct peer	*p;
	enum tunnel_err	 e;
	unsigned	 act = 0, inner;
	size_t		 n;
	int		 frag = 0;

	if (len > dp->mtu) {
		dp->w.c.drops[DP_DROP_TOO_BIG]++;
		too_big(dp, pkt, len, dp->mtu);
		return;
	}
	if ((p = route_out(dp, pkt, len)) == NULL)
		return;
	if ((inner = dp_inner(dp, p)) < dp->mtu) {
		if (len > inner && !(frag = may_fragment(pkt, len, inner))) {
			/* too big for this member's path: the sender learns
			 * its size within a round trip (IPv6 no less than
			 * 1280, which then goes in pieces) */
			dp->w.c.drops[DP_DROP_TOO_BIG]++;
			too_big(dp, pkt, len, pkt[0] >> 4 == 6 &&
			    inner < PMTU_FLOOR ? PMTU_FLOOR : inner);
			dp_touch(dp, p);
			return;
		}
		(void)mss_clamp(pkt, len, inner, 0);
	}
	if (frag) {
		if ((act = dp_frag_out(dp, p, pkt, len, inner, now)) != 0)
			dp_actions(dp, p, act, 1, now);
		else
			dp_touch(dp, p);
		return;
	}
	e = tunnel_encrypt(p->tunnel, buf, dp->rbufsz, len, now, &n, &act);
	if (e == TUNNEL_OK && !path_usable(&p->path)) {
		/* A session but no endpoint: cannot happen (a session means
		 * we heard from it), but never send to nowhere. */
		p->drops[PEER_DROP_NO_ENDPOINT]++;
		e = TUNNEL_ERR_NO_SESSION;
	}
	if (e == TUNNEL_ERR_NO_SESSION)
		dp_stage(dp, p, pkt, len);
	else if (e != TUNNEL_OK)
		dp->w.c.drops[DP_DROP_TUNNEL]++;
	else {
		queue_msg(dp, buf, n, 0, p, 1);
		dp_pmtu_sent(dp, p, n, 1, now);
		dp_sent(dp, p, now);
	}
	if (act != 0)
		dp_actions(dp, p, act, e == TUNNEL_OK, now);
	else
		dp_touch(dp, p);
}

/* Bytes of a data message carrying an inner packet of len bytes: the
 * tunnel pads to a multiple of 16, but never beyond the MTU of the path
 * (mtu: dp_inner, as tunnel_set_pad_mtu told the tunnel). */
static size_t
wire_len(unsigned mtu, size_t len)
{
	size_t	padded = (len + WIRE_PAD_MULTIPLE - 1) &
		    ~(size_t)(WIRE_PAD_MULTIPLE - 1);

	if (padded > mtu)
		padded = len > mtu ? len : mtu;
	return WIRE_DATA_OVERHEAD + padded;
}

/* A TSO packet read from the TUN (at buf + TUNNEL_HEADROOM): split it in
 * place so that datagram i starts at buf + i * pitch, encrypt each
 * segment where it lies, and queue them as UDP GSO runs. The pitch is the
 * datagrams' stride, plus room for the relay envelope between them when
 * the member is reached through a relay (which then wraps them where they
 * lie: see dp_hooks.relay_send). */
static void
outgoing_tso(struct datapath *dp, uint8_t *buf, size_t len,
    const struct tun_pktinfo *pi, uint64_t now)
{
	uint8_t		*pkt = buf + TUNNEL_HEADROOM;
	size_t		 hl, seglen, lastlen, stride, pitch, n;
	size_t		 out[OFFLOAD_MAX_SEGS];
	size_t		 per, i, j, k, sum;
	struct tun_pktinfo pis;
	struct peer	*p;
	enum tunnel_err	 e;
	unsigned	 act, allact = 0, inner;
	int		 nsegs, ok = 1, sent = 0;

	if ((nsegs = offload_tso_plan(pkt, len, pi, &hl, &seglen,
	    &lastlen)) == -1) {
		dp->w.c.drops[DP_DROP_MALFORMED]++;
		return;
	}
	if (seglen > dp->mtu) {
		/* Segments over the tunnel's MTU (the interface's was raised
		 * by hand): path MTU discovery brings the MSS down. */
		dp->w.c.drops[DP_DROP_TOO_BIG]++;
		too_big(dp, pkt, len, dp->mtu);
		return;
	}
	if ((p = route_out(dp, pkt, len)) == NULL)
		return;
	inner = dp_inner(dp, p);
	if (seglen > inner) {
		/* The member's path is narrower: split at what it carries
		 * (and tell the sender, whose TCP then sends smaller
		 * segments: this costs a copy per segment until then). */
		too_big(dp, pkt, len, inner);
		if (inner <= hl) {
			dp->w.c.drops[DP_DROP_TOO_BIG]++;
			return;
		}
		pis = *pi;
		pis.gso_size = (uint16_t)(inner - hl);
		pi = &pis;
		if ((nsegs = offload_tso_plan(pkt, len, pi, &hl, &seglen,
		    &lastlen)) == -1) {
			dp->w.c.drops[DP_DROP_TOO_BIG]++;
			return;
		}
	}
	stride = wire_len(inner, seglen);
	pitch = stride + (p->path.relayed ? DP_RELAY_HDR : 0);
	if ((size_t)nsegs * pitch > dp->rbufsz ||
	    offload_tso_split(pkt, len, pi, pitch) != nsegs) {
		dp->w.c.drops[DP_DROP_MALFORMED]++;
		return;
	}
	for (i = 0; i < (size_t)nsegs; i++) {
		uint8_t	*d = buf + i * pitch;

		n = i == (size_t)nsegs - 1 ? lastlen : seglen;
		act = 0;
		e = tunnel_encrypt(p->tunnel, d, stride, n, now, &out[i],
		    &act);
		if (e == TUNNEL_OK && !path_usable(&p->path)) {
			/* As in outgoing(): never send to nowhere. */
			p->drops[PEER_DROP_NO_ENDPOINT]++;
			e = TUNNEL_ERR_NO_SESSION;
		}
		allact |= act;
		if (e == TUNNEL_ERR_NO_SESSION) {
			dp_stage(dp, p, d + TUNNEL_HEADROOM, n);
			out[i] = 0;
		} else if (e != TUNNEL_OK) {
			dp->w.c.drops[DP_DROP_TUNNEL]++;
			out[i] = 0;
		} else
			sent = 1;
		if (out[i] != (i == (size_t)nsegs - 1 ? wire_len(inner, n) :
		    stride))
			ok = 0;
	}
	if (ok && dp->udp->gso) {
		/* Runs of equal datagrams, at most DP_GSO_MAX bytes each. */
		per = DP_GSO_MAX / stride;
		if (per > OFFLOAD_MAX_SEGS)
			per = OFFLOAD_MAX_SEGS;
		for (i = 0; i < (size_t)nsegs; i += per) {
			k = (size_t)nsegs - i < per ? (size_t)nsegs - i : per;
			for (sum = 0, j = i; j < i + k; j++)
				sum += out[j];
			queue_msg(dp, buf + i * pitch, sum, stride, p,
			    (unsigned)k);
		}
		if (sent)
			dp_pmtu_sent(dp, p, stride, (unsigned)nsegs, now);
	} else {
		for (i = 0; i < (size_t)nsegs; i++)
			if (out[i] != 0) {
				queue_msg(dp, buf + i * pitch, out[i], 0, p,
				    1);
				dp_pmtu_sent(dp, p, out[i], 1, now);
			}
	}
	if (sent)
		dp_sent(dp, p, now);
	if (allact != 0)
		dp_actions(dp, p, allact, sent, now);
	else
		dp_touch(dp, p);
}

void
datapath_tun_readable(struct datapath *dp, uint64_t now)
{
	struct tun_pktinfo	pi;
	unsigned		round, r;
	ssize_t			len = 0;

	if (dp->tun == NULL)
		return;
	dp->w.now = now;
	for (round = 0; round < DP_ROUNDS; round++) {
		for (r = 0; r < UDP_BATCH &&
		    dp->w.nsendm + OFFLOAD_MAX_SEGS <= DP_SENDM; r++) {
			uint8_t	*buf = dp->w.rbuf[r];

			len = tun_read(dp->tun, buf + TUNNEL_HEADROOM,
			    WIRE_DATA_MAX_PAYLOAD, &pi);
			if (len <= 0) {
				if (len < 0)
					dp->w.c.drops[DP_DROP_TUN_READ]++;
				break;
			}
			if (pi.gso_type != OFFLOAD_GSO_NONE)
				outgoing_tso(dp, buf, (size_t)len, &pi, now);
			else if ((pi.flags & OFFLOAD_NEEDS_CSUM) &&
			    offload_csum_complete(buf + TUNNEL_HEADROOM,
			    (size_t)len, &pi) == -1)
				dp->w.c.drops[DP_DROP_MALFORMED]++;
			else
				outgoing(dp, buf, (size_t)len, now);
		}
		send_batch(dp);
		dp_rearm(dp);
		if (len <= 0)
			break;
	}
}

void
datapath_connect(struct datapath *dp, struct peer *p, uint64_t now)
{
	unsigned	act = 0;
	size_t		n;

	if (p->tunnel == NULL)
		return;
	/* an empty packet: with a session there is nothing to do (its
	 * keepalive is not sent); without one, the tunnel asks for a
	 * handshake, as for a first packet */
	if (tunnel_encrypt(p->tunnel, dp->w.scratch, DP_SCRATCH_LEN, 0, now,
	    &n, &act) == TUNNEL_OK)
		return;
	if (act != 0)
		dp_actions(dp, p, act, 0, now);
}
