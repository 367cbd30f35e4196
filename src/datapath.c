/* The batched data path (see datapath.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath.h"
#include "icmp.h"
#include "log.h"
#include "route.h"
#include "tun.h"
#include "tunnel.h"
#include "udp.h"

/* Room for the largest inner packet plus what encryption adds, rounded up
 * to a cache line. Datagrams are received into buffers of the same size. */
#define DP_BUFSZ	((TUNNEL_HEADROOM + WIRE_DATA_MAX_PAYLOAD + \
			    TUNNEL_TAILROOM + 63) & ~(size_t)63)
#define DP_SRCLEN	18	/* cookie source: IPv6 address and port */

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

	/* Batches. */
	struct udp_msg		 txm[UDP_BATCH];
	struct udp_msg		 rxm[UDP_BATCH];
	struct udp_msg		 flushm[DP_STAGE_PER_PEER];
	uint8_t			*bufs;		/* 2 * UDP_BATCH * DP_BUFSZ */
	uint8_t			 scratch[ICMP_MAX];
	struct tunnel_rx	 rx;

	/* Staging pool. */
	uint8_t			*pool;
	size_t			 pktsz;
	struct dp_pkt		*free;

	/* Peers handled during the current batch, whose timers may need an
	 * earlier deadline. */
	struct peer		*touched[2 * UDP_BATCH + DP_STAGE_PER_PEER];
	size_t			 ntouched;
	uint32_t		 gen;

	/* Handshake rate, for tunnel_receive's under_load. */
	uint64_t		 hs_window;
	unsigned		 hs_count;
};

static void	actions(struct datapath *, struct peer *, unsigned, int,
		    uint64_t);

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
	if ((dp->bufs = malloc(2 * UDP_BATCH * DP_BUFSZ)) == NULL)
		goto fail;
	for (i = 0; i < UDP_BATCH; i++) {
		dp->txm[i].buf = dp->bufs + i * DP_BUFSZ;
		dp->txm[i].cap = DP_BUFSZ;
		dp->rxm[i].buf = dp->bufs + (UDP_BATCH + i) * DP_BUFSZ;
		dp->rxm[i].cap = DP_BUFSZ;
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
	free(dp->pool);
	free(dp->bufs);
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

static void
touch(struct datapath *dp, struct peer *p)
{
	if (p->touched == dp->gen)
		return;
	p->touched = dp->gen;
	if (dp->ntouched < sizeof(dp->touched) / sizeof(dp->touched[0]))
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

static void
send_one(struct datapath *dp, struct peer *p, const uint8_t *buf, size_t len)
{
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
	if (tun_write(dp->tun, pkt, len) == -1)
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
	unsigned	 n = 0, act = 0, a, failed;
	size_t		 out;

	for (k = p->stage_head; k != NULL; k = next) {
		next = k->next;
		a = 0;
		if (path_usable(&p->path) && tunnel_encrypt(p->tunnel, k->buf,
		    TUNNEL_HEADROOM + dp->mtu + TUNNEL_TAILROOM, k->len, now,
		    &out, &a) == TUNNEL_OK) {
			dp->flushm[n].buf = k->buf;
			dp->flushm[n].len = out;
			dp->flushm[n].addr = p->path.endpoint;
			dp->c.tx_bytes += out;
			n++;
		} else
			p->drops[PEER_DROP_STAGED]++;
		act |= a;
	}
	if (n > 0) {
		failed = udp_send_batch(dp->udp, dp->flushm, n);
		dp->c.drops[DP_DROP_SEND] += failed;
		dp->c.tx_packets += n - failed;
	}
	datapath_forget_peer(dp, p);
	/* Whatever encrypting asked for (a rekey cannot be due on a fresh
	 * session, but handle it anyway), minus SESSION_READY itself. */
	act &= ~TUNNEL_ACT_SESSION_READY;
	if (act != 0)
		actions(dp, p, act, n > 0, now);
	return n;
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
		/* Built even without an endpoint, so that the tunnel's
		 * retransmit and give-up timers run. */
		if (tunnel_initiation(p->tunnel, now, unix_ns(),
		    dp->scratch) == TUNNEL_OK && path_usable(&p->path))
			send_one(dp, p, dp->scratch, WIRE_INITIATION_LEN);
	}
	if ((act & TUNNEL_ACT_SESSION_READY) && flush_staged(dp, p, now) > 0)
		sent_data = 1;
	if ((act & TUNNEL_ACT_SEND_KEEPALIVE) && !sent_data &&
	    path_usable(&p->path) &&
	    tunnel_keepalive(p->tunnel, dp->scratch, sizeof(dp->scratch), now,
	    &len) == TUNNEL_OK)
		send_one(dp, p, dp->scratch, len);
}

/* One packet read from the TUN, at m->buf + TUNNEL_HEADROOM: encrypt it
 * for its member. Returns 1 if m is now a datagram to send. */
static int
outgoing(struct datapath *dp, struct udp_msg *m, size_t len, uint64_t now)
{
	uint8_t		*pkt = m->buf + TUNNEL_HEADROOM;
	struct peer	*p;
	enum tunnel_err	 e;
	unsigned	 act = 0;
	size_t		 n;
	int		 idx;

	if (len > dp->mtu) {
		dp->c.drops[DP_DROP_TOO_BIG]++;
		if ((n = icmp_too_big(dp->scratch, sizeof(dp->scratch), pkt,
		    len, dp->mtu)) > 0) {
			tun_put(dp, dp->scratch, n);
			dp->c.icmp_sent++;
		}
		return 0;
	}
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
		return 0;
	}
	if ((size_t)idx >= dp->npeers || (p = dp->peers[idx]) == NULL) {
		dp->c.drops[DP_DROP_LOOP]++;
		return 0;
	}
	e = tunnel_encrypt(p->tunnel, m->buf, m->cap, len, now, &n, &act);
	if (e == TUNNEL_OK && !path_usable(&p->path)) {
		/* A session but no endpoint: cannot happen (a session means
		 * we heard from it), but never send to nowhere. */
		p->drops[PEER_DROP_NO_ENDPOINT]++;
		e = TUNNEL_ERR_NO_SESSION;
	} else if (e == TUNNEL_ERR_NO_SESSION)
		stage(dp, p, pkt, len);
	else if (e != TUNNEL_OK)
		dp->c.drops[DP_DROP_TUNNEL]++;
	if (act != 0)
		actions(dp, p, act, e == TUNNEL_OK, now);
	else
		touch(dp, p);
	if (e != TUNNEL_OK)
		return 0;
	m->len = n;
	m->addr = p->path.endpoint;
	dp->c.tx_bytes += n;
	return 1;
}

void
datapath_tun_readable(struct datapath *dp, uint64_t now)
{
	unsigned	round, n, failed;
	ssize_t		len;

	if (dp->tun == NULL)
		return;
	for (round = 0; round < DP_ROUNDS; round++) {
		for (n = 0; n < UDP_BATCH; ) {
			struct udp_msg	*m = &dp->txm[n];

			len = tun_read(dp->tun, m->buf + TUNNEL_HEADROOM,
			    m->cap - TUNNEL_HEADROOM - TUNNEL_TAILROOM);
			if (len <= 0) {
				if (len < 0)
					dp->c.drops[DP_DROP_TUN_READ]++;
				break;
			}
			if (outgoing(dp, m, (size_t)len, now))
				n++;
		}
		if (n > 0) {
			failed = udp_send_batch(dp->udp, dp->txm, n);
			dp->c.drops[DP_DROP_SEND] += failed;
			dp->c.tx_packets += n - failed;
		}
		rearm(dp);
		if (len <= 0)
			break;
	}
}

static void
incoming(struct datapath *dp, struct udp_msg *m, uint64_t now)
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
	if (m->buf[0] != WIRE_DATA) {
		if (now - dp->hs_window >= 1000) {
			dp->hs_window = now;
			dp->hs_count = 0;
		}
		dp->hs_count++;
	}
	under_load = dp->hs_count > DP_HANDSHAKES_PER_SEC;
	memcpy(src, &m->addr.sin6_addr, 16);
	memcpy(src + 16, &m->addr.sin6_port, 2);
	e = tunnel_receive(dp->local, m->buf, m->len, src, sizeof(src),
	    under_load, now, rx);
	p = rx->peer != NULL ? tunnel_user(rx->peer) : NULL;
	if (rx->reply_len > 0 && udp_send(dp->udp, rx->reply, rx->reply_len,
	    &m->addr) == -1)
		dp->c.drops[DP_DROP_SEND]++;
	if (e != TUNNEL_OK) {
		dp->c.drops[DP_DROP_TUNNEL]++;
		return;
	}
	if (p == NULL)
		return;
	if (rx->authentic && path_learn(&p->path, &m->addr, now) &&
	    dp->hooks.roamed != NULL)
		dp->hooks.roamed(dp->arg, p);
	if (rx->data_len > 0) {
		n = route_src(dp->route, rx->data, rx->data_len, (int)p->idx);
		if (n >= 0)
			tun_put(dp, rx->data, (size_t)n);
		else if (n == ROUTE_SPOOFED)
			p->drops[PEER_DROP_SPOOFED]++;
		else
			p->drops[PEER_DROP_MALFORMED]++;
	}
	if (rx->actions != 0)
		actions(dp, p, rx->actions, 0, now);
	else
		touch(dp, p);
}

void
datapath_udp_readable(struct datapath *dp, uint64_t now)
{
	unsigned	round;
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

			dp->c.rx_packets++;
			dp->c.rx_bytes += m->len;
			if (m->len > m->cap) {
				dp->c.drops[DP_DROP_TRUNCATED]++;
				continue;
			}
			if (m->len == 0)
				dp->c.drops[DP_DROP_UNKNOWN_TYPE]++;
			else if (m->buf[0] >= WIRE_INITIATION &&
			    m->buf[0] <= WIRE_DATA)
				incoming(dp, m, now);
			else if (udp_dispatch(dp->udp, m->buf, m->len,
			    &m->addr, now) == -1)
				dp->c.drops[DP_DROP_UNKNOWN_TYPE]++;
		}
		rearm(dp);
		if (n < UDP_BATCH)
			break;
	}
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
