/* The batched data path (see datapath.h). */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath/datapath.h"
#include "datapath/icmp.h"
#include "common/log.h"
#include "datapath/offload.h"
#include "common/ratelimit.h"
#include "datapath/route.h"
#include "os/tun.h"
#include "tunnel/tunnel.h"
#include "datapath/udp.h"

/* Datagrams are received into buffers for the largest one (or a GRO batch
 * of them). TUN reads go into buffers that also hold a TSO packet split in
 * place into OFFLOAD_MAX_SEGS datagrams (see dp->rbufsz). */
#define DP_RXBUFSZ	((WIRE_DATA_MAX_LEN + 63) & ~(size_t)63)
#define DP_SRCLEN	18	/* cookie source: IPv6 address and port */
/* Most bytes in one UDP GSO send (the IP length field is 16 bits). */
#define DP_GSO_MAX	65000
#define DP_SENDM	(UDP_BATCH + OFFLOAD_MAX_SEGS)
/* datapath_path_ready: no new initiation sooner after the last one (the
 * responder's flood limit is 20 ms) */
#define DP_REINIT_MS	100

/* A packet waiting in a peer's staging queue: the inner packet is at
 * buf + TUNNEL_HEADROOM, so it is encrypted where it lies. */
struct dp_pkt {
	struct dp_pkt	*next;
	size_t		 len;
	uint8_t		 buf[];
};

struct datapath {
	struct tun		*tun;
	struct udp		*udp;
	struct tunnel_local	*local;
	const struct route	*route;
	struct peer		**peers;
	size_t			 npeers;
	unsigned		 mtu;
	struct dp_hooks		 hooks;
	void			*arg;

	struct dp_counters	 c;

	/* Batches. A TUN read lands in rbuf[i] + TUNNEL_HEADROOM, is
	 * encrypted there (a TSO packet is split first) and becomes one or
	 * more of the messages in sendm. */
	uint8_t			*rbuf[UDP_BATCH];
	size_t			 rbufsz;
	struct udp_msg		 sendm[DP_SENDM];
	unsigned		 nsendm;
	uint64_t		 nsendd;	/* datagrams in sendm */
	struct udp_msg		 rxm[UDP_BATCH];
	struct udp_msg		 flushm[DP_STAGE_PER_PEER];
	uint8_t			*bufs;
	uint8_t			 scratch[ICMP_MAX];
	struct tunnel_rx	 rx;

	/* Receive-side merging into the TUN (offload only). */
	struct gro		 gro;
	uint8_t			*grobufs;

	/* Staging pool. */
	uint8_t			*pool;
	size_t			 pktsz;
	struct dp_pkt		*free;

	/* Peers handled during the current batch, whose timers may need an
	 * earlier deadline. */
	struct peer		*touched[2 * UDP_BATCH + DP_STAGE_PER_PEER];
	size_t			 ntouched;
	uint32_t		 gen;

	/* Handshake rate, for tunnel_receive's under_load, and the limit
	 * per source that applies then (see incoming()). */
	uint64_t		 hs_window;
	unsigned		 hs_count;
	struct ratelimit	*hs_limit;
};

static void	actions(struct datapath *, struct peer *, unsigned, int,
		    uint64_t);
static void	incoming(struct datapath *, uint8_t *, size_t,
		    const struct sockaddr_in6 *, const struct sockaddr_in6 *,
		    uint64_t);
static gro_out_fn gro_out;
static tunnel_admit_fn admit;

struct datapath *
datapath_new(struct tun *tun, struct udp *udp, struct tunnel_local *local,
    const struct route *route, struct peer **peers, size_t npeers,
    unsigned mtu, const struct dp_hooks *hooks, void *arg)
{
	struct datapath	*dp;
	size_t		 i;

	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		return NULL;
	dp->tun = tun;
	dp->udp = udp;
	dp->local = local;
	dp->route = route;
	dp->peers = peers;
	dp->npeers = npeers;
	dp->mtu = mtu;
	dp->hooks = *hooks;
	dp->arg = arg;
	dp->gen = 1;		/* peers start with touched = 0 */
	if (local != NULL) {
		struct ratelimit_config	rc;

		memset(&rc, 0, sizeof(rc));
		rc.rate = DP_HS_RATE_PER_SOURCE;
		rc.burst = DP_HS_BURST_PER_SOURCE;
		/* the seed only spreads sources over the table */
		if (getrandom(&rc.seed, sizeof(rc.seed), 0) !=
		    (ssize_t)sizeof(rc.seed))
			rc.seed = (uint64_t)time(NULL) ^ (uintptr_t)dp;
		if ((dp->hs_limit = ratelimit_new(&rc)) == NULL)
			goto fail;
		tunnel_local_set_admit(local, admit, dp);
	}
	/* A read buffer takes the largest inner packet with the room
	 * encryption needs, or a TSO packet split into its datagrams. */
	dp->rbufsz = TUNNEL_HEADROOM + WIRE_DATA_MAX_PAYLOAD + TUNNEL_TAILROOM;
	if (dp->rbufsz < OFFLOAD_MAX_SEGS * (WIRE_DATA_OVERHEAD + mtu +
	    WIRE_PAD_MULTIPLE))
		dp->rbufsz = OFFLOAD_MAX_SEGS * (WIRE_DATA_OVERHEAD + mtu +
		    WIRE_PAD_MULTIPLE);
	dp->rbufsz = (dp->rbufsz + 63) & ~(size_t)63;
	if (tun == NULL)
		dp->rbufsz = 0;		/* headless: nothing to read */
	if ((dp->bufs = malloc(UDP_BATCH * (dp->rbufsz + DP_RXBUFSZ))) ==
	    NULL)
		goto fail;
	for (i = 0; i < UDP_BATCH; i++) {
		dp->rbuf[i] = dp->bufs + i * dp->rbufsz;
		dp->rxm[i].buf = dp->bufs + UDP_BATCH * dp->rbufsz +
		    i * DP_RXBUFSZ;
		dp->rxm[i].cap = DP_RXBUFSZ;
	}
	if (tun != NULL && tun->offload) {
		if ((dp->grobufs = malloc(GRO_FLOWS * GRO_MAX_LEN)) == NULL)
			goto fail;
		gro_init(&dp->gro, dp->grobufs, gro_out, dp);
	}
	if (tun != NULL) {
		dp->pktsz = (sizeof(struct dp_pkt) + TUNNEL_HEADROOM + mtu +
		    TUNNEL_TAILROOM + 15) & ~(size_t)15;
		if ((dp->pool = malloc(DP_STAGE_POOL * dp->pktsz)) == NULL)
			goto fail;
		for (i = 0; i < DP_STAGE_POOL; i++) {
			struct dp_pkt	*p = (struct dp_pkt *)(void *)
					    (dp->pool + i * dp->pktsz);

			p->next = dp->free;
			dp->free = p;
		}
	}
	return dp;
fail:
	datapath_free(dp);
	return NULL;
}

void
datapath_forget_peer(struct datapath *dp, struct peer *p)
{
	struct dp_pkt	*k;

	while ((k = p->stage_head) != NULL) {
		p->stage_head = k->next;
		k->next = dp->free;
		dp->free = k;
	}
	p->stage_tail = NULL;
	p->nstaged = 0;
}

void
datapath_free(struct datapath *dp)
{
	size_t	i;

	if (dp == NULL)
		return;
	for (i = 0; i < dp->npeers; i++)
		if (dp->peers[i] != NULL)
			datapath_forget_peer(dp, dp->peers[i]);
	if (dp->local != NULL)
		tunnel_local_set_admit(dp->local, NULL, NULL);
	ratelimit_free(dp->hs_limit);
	free(dp->pool);
	free(dp->bufs);
	free(dp->grobufs);
	free(dp);
}

void
datapath_set_peers(struct datapath *dp, const struct route *route,
    struct peer **peers, size_t npeers)
{
	dp->route = route;
	dp->peers = peers;
	dp->npeers = npeers;
	dp->ntouched = 0;
}

const struct dp_counters *
datapath_counters(const struct datapath *dp)
{
	return &dp->c;
}

const char *
dp_drop_name(enum dp_drop d)
{
	static const char *const names[DP_DROP_COUNT] = {
		"truncated", "unknown_type", "headless", "tunnel",
		"no_route", "multicast", "malformed", "loop", "too_big",
		"tun_write", "send", "tun_read",
	};

	return (unsigned)d < DP_DROP_COUNT ? names[d] : "unknown";
}

static void	rearm(struct datapath *);

static void
touch(struct datapath *dp, struct peer *p)
{
	if (p->touched == dp->gen)
		return;
	/* Many peers in one batch: settle the timers seen so far. */
	if (dp->ntouched == sizeof(dp->touched) / sizeof(dp->touched[0]))
		rearm(dp);
	p->touched = dp->gen;
	dp->touched[dp->ntouched++] = p;
}

/* End of a batch: timers that must fire earlier than armed. */
static void
rearm(struct datapath *dp)
{
	uint64_t	dl;
	size_t		i;

	for (i = 0; i < dp->ntouched; i++) {
		struct peer	*p = dp->touched[i];

		dl = tunnel_next_deadline(p->tunnel);
		if (dl < p->timer_at) {
			p->timer_at = dl;
			dp->hooks.arm(dp->arg, p, dl);
		}
	}
	dp->ntouched = 0;
	if (++dp->gen == 0)
		dp->gen = 1;
}

/* Datagrams for a peer whose path runs through a relay (or an answer
 * going back through the relay at via): the path manager wraps and sends
 * them. */
static void
relay_out(struct datapath *dp, struct peer *p, const struct sockaddr_in6 *via,
    const uint8_t *buf, size_t len, size_t segsize, unsigned ndgrams)
{
	if (dp->hooks.relay_send == NULL ||
	    dp->hooks.relay_send(dp->arg, p, via, buf, len, segsize) == -1) {
		dp->c.drops[DP_DROP_SEND] += ndgrams;
		return;
	}
	dp->c.tx_packets += ndgrams;
	dp->c.tx_bytes += len;
}

static void
send_one(struct datapath *dp, struct peer *p, const uint8_t *buf, size_t len)
{
	if (p->path.relayed) {
		relay_out(dp, p, &p->path.endpoint, buf, len, 0, 1);
		return;
	}
	if (udp_send(dp->udp, buf, len, &p->path.endpoint) == -1) {
		dp->c.drops[DP_DROP_SEND]++;
		return;
	}
	dp->c.tx_packets++;
	dp->c.tx_bytes += len;
}

static void
tun_put(struct datapath *dp, const uint8_t *pkt, size_t len)
{
	if (tun_write(dp->tun, pkt, len, NULL) == -1)
		dp->c.drops[DP_DROP_TUN_WRITE]++;
}

/* A (possibly merged) packet from the receive-side merging. */
static void
gro_out(void *arg, const uint8_t *pkt, size_t len,
    const struct tun_pktinfo *pi)
{
	struct datapath	*dp = arg;

	if (tun_write(dp->tun, pkt, len, pi) == -1)
		dp->c.drops[DP_DROP_TUN_WRITE]++;
}

static void
stage(struct datapath *dp, struct peer *p, const uint8_t *pkt, size_t len)
{
	struct dp_pkt	*k;

	if (p->nstaged >= DP_STAGE_PER_PEER || dp->free == NULL) {
		/* Full: the oldest makes room (newer packets matter more). */
		if ((k = p->stage_head) == NULL) {
			p->drops[PEER_DROP_STAGED]++;
			return;
		}
		p->stage_head = k->next;
		if (p->stage_head == NULL)
			p->stage_tail = NULL;
		p->nstaged--;
		p->drops[PEER_DROP_STAGED]++;
	} else {
		k = dp->free;
		dp->free = k->next;
	}
	memcpy(k->buf + TUNNEL_HEADROOM, pkt, len);
	k->len = len;
	k->next = NULL;
	if (p->stage_tail != NULL)
		p->stage_tail->next = k;
	else
		p->stage_head = k;
	p->stage_tail = k;
	p->nstaged++;
}

/* A session is ready: encrypt and send what waited for it. Returns how many
 * went out. */
static unsigned
flush_staged(struct datapath *dp, struct peer *p, uint64_t now)
{
	struct dp_pkt	*k, *next;
	unsigned	 n = 0, sent = 0, act = 0, a, failed;
	size_t		 out;

	for (k = p->stage_head; k != NULL; k = next) {
		next = k->next;
		a = 0;
		if (path_usable(&p->path) && tunnel_encrypt(p->tunnel, k->buf,
		    TUNNEL_HEADROOM + dp->mtu + TUNNEL_TAILROOM, k->len, now,
		    &out, &a) == TUNNEL_OK) {
			if (p->path.relayed) {
				relay_out(dp, p, &p->path.endpoint, k->buf,
				    out, 0, 1);
				sent++;
			} else {
				dp->flushm[n].buf = k->buf;
				dp->flushm[n].len = out;
				dp->flushm[n].addr = p->path.endpoint;
				dp->c.tx_bytes += out;
				n++;
			}
		} else
			p->drops[PEER_DROP_STAGED]++;
		act |= a;
	}
	if (n > 0) {
		for (a = 0; a < n; a++)
			dp->flushm[a].segsize = 0;
		failed = udp_send_batch(dp->udp, dp->flushm, n);
		dp->c.drops[DP_DROP_SEND] += failed;
		dp->c.tx_packets += n - failed;
	}
	datapath_forget_peer(dp, p);
	/* Whatever encrypting asked for (a rekey cannot be due on a fresh
	 * session, but handle it anyway), minus SESSION_READY itself. */
	act &= ~TUNNEL_ACT_SESSION_READY;
	if (act != 0)
		actions(dp, p, act, n + sent > 0, now);
	return n + sent;
}

static uint64_t
unix_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Carry out the tunnel's actions for p (tunnel.h, in its order). sent_data:
 * a data packet already went to p in this handling. */
static void
actions(struct datapath *dp, struct peer *p, unsigned act, int sent_data,
    uint64_t now)
{
	size_t	len;

	touch(dp, p);
	if (act & TUNNEL_ACT_GIVE_UP) {
		p->drops[PEER_DROP_STAGED] += p->nstaged;
		datapath_forget_peer(dp, p);
	}
	if (act & TUNNEL_ACT_SEND_INITIATION) {
		if (dp->hooks.handshake != NULL)
			dp->hooks.handshake(dp->arg, p, now);
		/* Built even without an endpoint, so that the tunnel's
		 * retransmit and give-up timers run. */
		if (tunnel_initiation(p->tunnel, now, unix_ns(),
		    dp->scratch) == TUNNEL_OK && path_usable(&p->path)) {
			send_one(dp, p, dp->scratch, WIRE_INITIATION_LEN);
			p->path.last_tx = now;
			p->path.init_tx = now;
		}
	}
	if ((act & TUNNEL_ACT_SESSION_READY) && flush_staged(dp, p, now) > 0)
		sent_data = 1;
	if ((act & TUNNEL_ACT_SEND_KEEPALIVE) && !sent_data &&
	    path_usable(&p->path) &&
	    tunnel_keepalive(p->tunnel, dp->scratch, sizeof(dp->scratch), now,
	    &len) == TUNNEL_OK) {
		send_one(dp, p, dp->scratch, len);
		p->path.last_tx = now;
	}
}

/* Queue a datagram (or a GSO run of them) for the batch send. */
static void
queue_msg(struct datapath *dp, uint8_t *buf, size_t len, size_t segsize,
    struct peer *p, unsigned ndgrams)
{
	struct udp_msg	*m;

	if (p->path.relayed) {
		relay_out(dp, p, &p->path.endpoint, buf, len, segsize,
		    ndgrams);
		return;
	}
	m = &dp->sendm[dp->nsendm++];
	m->buf = buf;
	m->len = len;
	m->segsize = segsize;
	m->addr = p->path.endpoint;
	dp->nsendd += ndgrams;
	dp->c.tx_bytes += len;
}

static void
send_batch(struct datapath *dp)
{
	unsigned	failed;

	if (dp->nsendm == 0)
		return;
	failed = udp_send_batch(dp->udp, dp->sendm, dp->nsendm);
	dp->c.drops[DP_DROP_SEND] += failed;
	dp->c.tx_packets += dp->nsendd - failed;
	dp->nsendm = 0;
	dp->nsendd = 0;
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
			dp->c.drops[DP_DROP_NO_ROUTE]++;
			if ((n = icmp_unreach(dp->scratch, sizeof(dp->scratch),
			    pkt, len)) > 0) {
				tun_put(dp, dp->scratch, n);
				dp->c.icmp_sent++;
			}
			break;
		case ROUTE_MCAST:
			dp->c.drops[DP_DROP_MCAST]++;
			break;
		default:
			dp->c.drops[DP_DROP_MALFORMED]++;
			break;
		}
		return NULL;
	}
	if ((size_t)idx >= dp->npeers || (p = dp->peers[idx]) == NULL) {
		dp->c.drops[DP_DROP_LOOP]++;
		return NULL;
	}
	return p;
}

/* One packet read from the TUN, at buf + TUNNEL_HEADROOM: encrypt it in
 * place for its member and queue it. */
static void
outgoing(struct datapath *dp, uint8_t *buf, size_t len, uint64_t now)
{
	uint8_t		*pkt = buf + TUNNEL_HEADROOM;
	struct peer	*p;
	enum tunnel_err	 e;
	unsigned	 act = 0;
	size_t		 n;

	if (len > dp->mtu) {
		dp->c.drops[DP_DROP_TOO_BIG]++;
		if ((n = icmp_too_big(dp->scratch, sizeof(dp->scratch), pkt,
		    len, dp->mtu)) > 0) {
			tun_put(dp, dp->scratch, n);
			dp->c.icmp_sent++;
		}
		return;
	}
	if ((p = route_out(dp, pkt, len)) == NULL)
		return;
	e = tunnel_encrypt(p->tunnel, buf, dp->rbufsz, len, now, &n, &act);
	if (e == TUNNEL_OK && !path_usable(&p->path)) {
		/* A session but no endpoint: cannot happen (a session means
		 * we heard from it), but never send to nowhere. */
		p->drops[PEER_DROP_NO_ENDPOINT]++;
		e = TUNNEL_ERR_NO_SESSION;
	}
	if (e == TUNNEL_ERR_NO_SESSION)
		stage(dp, p, pkt, len);
	else if (e != TUNNEL_OK)
		dp->c.drops[DP_DROP_TUNNEL]++;
	else {
		queue_msg(dp, buf, n, 0, p, 1);
		p->path.last_tx = now;
	}
	if (act != 0)
		actions(dp, p, act, e == TUNNEL_OK, now);
	else
		touch(dp, p);
}

/* Bytes of a data message carrying an inner packet of len bytes: the
 * tunnel pads to a multiple of 16, but never beyond the MTU. */
static size_t
wire_len(const struct datapath *dp, size_t len)
{
	size_t	padded = (len + WIRE_PAD_MULTIPLE - 1) &
		    ~(size_t)(WIRE_PAD_MULTIPLE - 1);

	if (padded > dp->mtu)
		padded = len > dp->mtu ? len : dp->mtu;
	return WIRE_DATA_OVERHEAD + padded;
}

/* A TSO packet read from the TUN (at buf + TUNNEL_HEADROOM): split it in
 * place so that datagram i starts at buf + i * stride, encrypt each
 * segment where it lies, and queue them as UDP GSO runs. */
static void
outgoing_tso(struct datapath *dp, uint8_t *buf, size_t len,
    const struct tun_pktinfo *pi, uint64_t now)
{
	uint8_t		*pkt = buf + TUNNEL_HEADROOM;
	size_t		 hl, seglen, lastlen, stride, n, out[OFFLOAD_MAX_SEGS];
	size_t		 per, i, j, k, sum;
	struct peer	*p;
	enum tunnel_err	 e;
	unsigned	 act, allact = 0;
	int		 nsegs, ok = 1, sent = 0;

	if ((nsegs = offload_tso_plan(pkt, len, pi, &hl, &seglen,
	    &lastlen)) == -1) {
		dp->c.drops[DP_DROP_MALFORMED]++;
		return;
	}
	if (seglen > dp->mtu) {
		/* Segments over the tunnel's MTU (the interface's was raised
		 * by hand): path MTU discovery brings the MSS down. */
		dp->c.drops[DP_DROP_TOO_BIG]++;
		if ((n = icmp_too_big(dp->scratch, sizeof(dp->scratch), pkt,
		    len, dp->mtu)) > 0) {
			tun_put(dp, dp->scratch, n);
			dp->c.icmp_sent++;
		}
		return;
	}
	if ((p = route_out(dp, pkt, len)) == NULL)
		return;
	stride = wire_len(dp, seglen);
	if ((size_t)nsegs * stride > dp->rbufsz ||
	    offload_tso_split(pkt, len, pi, stride) != nsegs) {
		dp->c.drops[DP_DROP_MALFORMED]++;
		return;
	}
	for (i = 0; i < (size_t)nsegs; i++) {
		uint8_t	*d = buf + i * stride;

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
			stage(dp, p, d + TUNNEL_HEADROOM, n);
			out[i] = 0;
		} else if (e != TUNNEL_OK) {
			dp->c.drops[DP_DROP_TUNNEL]++;
			out[i] = 0;
		} else
			sent = 1;
		if (out[i] != (i == (size_t)nsegs - 1 ? wire_len(dp, n) :
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
			queue_msg(dp, buf + i * stride, sum, stride, p,
			    (unsigned)k);
		}
	} else {
		for (i = 0; i < (size_t)nsegs; i++)
			if (out[i] != 0)
				queue_msg(dp, buf + i * stride, out[i], 0, p,
				    1);
	}
	if (sent)
		p->path.last_tx = now;
	if (allact != 0)
		actions(dp, p, allact, sent, now);
	else
		touch(dp, p);
}

void
datapath_tun_readable(struct datapath *dp, uint64_t now)
{
	struct tun_pktinfo	pi;
	unsigned		round, r;
	ssize_t			len = 0;

	if (dp->tun == NULL)
		return;
	for (round = 0; round < DP_ROUNDS; round++) {
		for (r = 0; r < UDP_BATCH &&
		    dp->nsendm + OFFLOAD_MAX_SEGS <= DP_SENDM; r++) {
			uint8_t	*buf = dp->rbuf[r];

			len = tun_read(dp->tun, buf + TUNNEL_HEADROOM,
			    WIRE_DATA_MAX_PAYLOAD, &pi);
			if (len <= 0) {
				if (len < 0)
					dp->c.drops[DP_DROP_TUN_READ]++;
				break;
			}
			if (pi.gso_type != OFFLOAD_GSO_NONE)
				outgoing_tso(dp, buf, (size_t)len, &pi, now);
			else if ((pi.flags & OFFLOAD_NEEDS_CSUM) &&
			    offload_csum_complete(buf + TUNNEL_HEADROOM,
			    (size_t)len, &pi) == -1)
				dp->c.drops[DP_DROP_MALFORMED]++;
			else
				outgoing(dp, buf, (size_t)len, now);
		}
		send_batch(dp);
		rearm(dp);
		if (len <= 0)
			break;
	}
}

/* The tunnel asks whether a handshake message with a valid cookie may
 * have its Diffie-Hellman (only under load): one token from its source's
 * bucket. src is the cookie source (address, port); the limit is per IPv4
 * address, or per IPv6 /64 (one host's share of addresses), as WireGuard's.
 * A relayed message counts against the relay's address. */
static int
admit(void *arg, const void *src, size_t srclen, uint64_t now)
{
	static const uint8_t	 v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct datapath		*dp = arg;
	const uint8_t		*a = src;

	if (srclen < 16)
		return 1;
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		return ratelimit_allow(dp->hs_limit, a + 12, 4, now);
	return ratelimit_allow(dp->hs_limit, a, 8, now);
}

/* One datagram of the tunnel's (first byte 0x01..0x04); via: it came
 * through the relay at that address (then from is via too).
 *
 * Under load: every initiation and response counts towards the handshake
 * rate, in windows of one second (cookie replies and data do not: they
 * cost no Diffie-Hellman). Past DP_HANDSHAKES_PER_SEC in the current
 * window, the node is under load until the window ends: the tunnel then
 * answers initiations and responses without a valid cookie (mac2) with a
 * cookie reply and nothing else, and those with one go through admit()
 * above, at most DP_HS_RATE_PER_SOURCE a second per source, before any
 * Diffie-Hellman. */
static void
incoming(struct datapath *dp, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from, const struct sockaddr_in6 *via,
    uint64_t now)
{
	struct tunnel_rx	*rx = &dp->rx;
	struct peer		*p;
	enum tunnel_err		 e;
	uint8_t			 src[DP_SRCLEN];
	int			 under_load, n;

	if (dp->local == NULL) {
		dp->c.drops[DP_DROP_HEADLESS]++;
		return;
	}
	if (buf[0] == WIRE_INITIATION || buf[0] == WIRE_RESPONSE) {
		if (now - dp->hs_window >= 1000) {
			dp->hs_window = now;
			dp->hs_count = 0;
		}
		dp->hs_count++;
	}
	under_load = dp->hs_count > DP_HANDSHAKES_PER_SEC;
	memcpy(src, &from->sin6_addr, 16);
	memcpy(src + 16, &from->sin6_port, 2);
	e = tunnel_receive(dp->local, buf, len, src, sizeof(src), under_load,
	    now, rx);
	p = rx->peer != NULL ? tunnel_user(rx->peer) : NULL;
	if (rx->reply_len > 0 && via != NULL) {
		/* back through the relay, which needs to know for whom */
		if (p != NULL)
			relay_out(dp, p, via, rx->reply, rx->reply_len, 0, 1);
		else
			dp->c.drops[DP_DROP_SEND]++;
	} else if (rx->reply_len > 0 && udp_send(dp->udp, rx->reply,
	    rx->reply_len, from) == -1)
		dp->c.drops[DP_DROP_SEND]++;
	if (e != TUNNEL_OK) {
		dp->c.drops[DP_DROP_TUNNEL]++;
		return;
	}
	if (p == NULL)
		return;
	if (via != NULL) {
		if (rx->authentic && dp->hooks.relayed != NULL)
			dp->hooks.relayed(dp->arg, p, via, now);
	} else if (rx->authentic && path_authentic(&p->path, from, now) !=
	    PATH_RX_SAME && dp->hooks.roamed != NULL)
		dp->hooks.roamed(dp->arg, p);
	if (rx->data_len > 0) {
		n = route_src(dp->route, rx->data, rx->data_len, (int)p->idx);
		if (n >= 0) {
			if (dp->grobufs != NULL)
				gro_add(&dp->gro, rx->data, (size_t)n);
			else
				tun_put(dp, rx->data, (size_t)n);
		} else if (n == ROUTE_SPOOFED)
			p->drops[PEER_DROP_SPOOFED]++;
		else
			p->drops[PEER_DROP_MALFORMED]++;
	}
	if (rx->actions != 0)
		actions(dp, p, rx->actions, 0, now);
	else
		touch(dp, p);
}

static void
datagram(struct datapath *dp, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	dp->c.rx_packets++;
	dp->c.rx_bytes += len;
	if (len == 0)
		dp->c.drops[DP_DROP_UNKNOWN_TYPE]++;
	else if (buf[0] >= WIRE_INITIATION && buf[0] <= WIRE_DATA)
		incoming(dp, buf, len, from, NULL, now);
	else if (udp_dispatch(dp->udp, buf, len, from, now) == -1)
		dp->c.drops[DP_DROP_UNKNOWN_TYPE]++;
}

void
datapath_udp_readable(struct datapath *dp, uint64_t now)
{
	unsigned	round;
	size_t		off, len;
	int		n, i;

	for (round = 0; round < DP_ROUNDS; round++) {
		n = udp_recv_batch(dp->udp, dp->rxm, UDP_BATCH);
		if (n <= 0) {
			if (n < 0)
				log_debug("udp: receive: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct udp_msg	*m = &dp->rxm[i];

			if (m->len > m->cap) {
				dp->c.rx_packets++;
				dp->c.drops[DP_DROP_TRUNCATED]++;
				continue;
			}
			if (m->segsize == 0) {
				datagram(dp, m->buf, m->len, &m->addr, now);
				continue;
			}
			/* A GRO batch: datagrams of segsize bytes. */
			for (off = 0; off < m->len; off += m->segsize) {
				len = m->len - off < m->segsize ?
				    m->len - off : m->segsize;
				datagram(dp, m->buf + off, len, &m->addr, now);
			}
		}
		if (dp->hooks.rx_done != NULL)
			dp->hooks.rx_done(dp->arg);
		if (dp->grobufs != NULL)
			gro_flush(&dp->gro);
		rearm(dp);
		if (n < UDP_BATCH)
			break;
	}
}

void
datapath_relayed_input(struct datapath *dp, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *via, uint64_t now)
{
	/* counted as received with the relay's datagram that carried it */
	if (len == 0 || buf[0] < WIRE_INITIATION || buf[0] > WIRE_DATA) {
		dp->c.drops[DP_DROP_UNKNOWN_TYPE]++;
		return;
	}
	incoming(dp, buf, len, via, via, now);
}

void
datapath_path_ready(struct datapath *dp, struct peer *p, uint64_t now)
{
	struct tunnel_stats	st;

	if (!path_usable(&p->path))
		return;
	tunnel_get_stats(p->tunnel, &st);
	/* packets wait for a session, or a handshake went nowhere; not
	 * right after an initiation went out (the peer would take a second
	 * one so soon for a flood, and answer only the first) */
	if (p->nstaged == 0 && (st.has_session || st.attempts == 0))
		return;
	if (p->path.init_tx != 0 && now - p->path.init_tx < DP_REINIT_MS)
		return;
	actions(dp, p, TUNNEL_ACT_SEND_INITIATION, 0, now);
	rearm(dp);
}

void
datapath_peer_timer(struct datapath *dp, struct peer *p, uint64_t now)
{
	uint64_t	next, dl;
	unsigned	act;

	p->timer_at = UINT64_MAX;
	act = tunnel_periodic(p->tunnel, now, &next);
	if (act != 0)
		actions(dp, p, act, 0, now);
	touch(dp, p);
	rearm(dp);
	/* rearm() armed next_deadline if any; periodic's own wish too. */
	dl = next;
	if (dl != UINT64_MAX && dl < p->timer_at) {
		p->timer_at = dl;
		dp->hooks.arm(dp->arg, p, dl);
	}
}
