/* The batched data path (see datapath.h): setup, peer timers, the tunnel's
 * actions and the incoming path (UDP -> tunnel -> TUN). The outgoing path
 * is in datapath-out.c, the staging queues in datapath-stage.c. */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath/datapath.h"
#include "datapath/members.h"
#include "datapath/icmp.h"
#include "datapath/mss.h"
#include "common/clock.h"
#include "common/log.h"
#include "datapath/offload.h"
#include "common/ratelimit.h"
#include "datapath/route.h"
#include "os/tun.h"
#include "tunnel/tunnel.h"
#include "datapath/udp.h"

#include "datapath/datapath-int.h"

static void	incoming(struct datapath *, uint8_t *, size_t,
		    const struct sockaddr_in6 *, const struct sockaddr_in6 *,
		    uint64_t);
static gro_out_fn gro_out;
static tunnel_admit_fn admit;

struct datapath *
datapath_new(struct tun *tun, struct udp *udp, struct tunnel_local *local,
    const struct members *mb, unsigned mtu, const struct dp_hooks *hooks,
    void *arg)
{
	struct datapath	*dp;
	size_t		 i;

	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		return NULL;
	dp->tun = tun;
	dp->udp = udp;
	dp->local = local;
	dp->route = &mb->route;		/* the table's, read per packet */
	dp->peers = mb->peer;
	dp->npeers = mb->n;
	dp->mtu = mtu;
	dp->pmtu_off = getenv("MESH_TEST_NO_PMTU") != NULL;
	dp->hooks = *hooks;
	dp->arg = arg;
	dp->w.gen = 1;		/* peers start with touched = 0 */
	dp->w.scratch = dp->w.scratch_mem + DP_ROOM;
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
	 * encryption needs, or a TSO packet split into its datagrams (a
	 * stride is at most WIRE_DATA_OVERHEAD + mtu; for a relayed member
	 * DP_RELAY_HDR < WIRE_PAD_MULTIPLE more). */
	dp->rbufsz = TUNNEL_HEADROOM + WIRE_DATA_MAX_PAYLOAD + TUNNEL_TAILROOM;
	if (dp->rbufsz < OFFLOAD_MAX_SEGS * (WIRE_DATA_OVERHEAD + mtu +
	    WIRE_PAD_MULTIPLE))
		dp->rbufsz = OFFLOAD_MAX_SEGS * (WIRE_DATA_OVERHEAD + mtu +
		    WIRE_PAD_MULTIPLE);
	dp->rbufsz = (dp->rbufsz + 63) & ~(size_t)63;
	if (tun == NULL)
		dp->rbufsz = 0;		/* headless: nothing to read */
	if ((dp->w.bufs = malloc(UDP_BATCH * (DP_RBUF_ROOM + dp->rbufsz +
	    DP_RXBUFSZ))) == NULL)
		goto fail;
	for (i = 0; i < UDP_BATCH; i++) {
		dp->w.rbuf[i] = dp->w.bufs + i * (DP_RBUF_ROOM + dp->rbufsz) +
		    DP_RBUF_ROOM;
		dp->w.rxm[i].buf = dp->w.bufs + UDP_BATCH * (DP_RBUF_ROOM +
		    dp->rbufsz) + i * DP_RXBUFSZ;
		dp->w.rxm[i].cap = DP_RXBUFSZ;
	}
	if (tun != NULL && tun->offload) {
		if ((dp->w.grobufs = malloc(GRO_FLOWS * GRO_MAX_LEN)) == NULL)
			goto fail;
		gro_init(&dp->w.gro, dp->w.grobufs, gro_out, dp);
	}
	if (tun != NULL) {
		/* a probe fills the TUN's MTU at most (pmtu ceiling) */
		if ((dp->w.probe_mem = malloc(DP_ROOM + TUNNEL_HEADROOM +
		    mtu + TUNNEL_TAILROOM)) == NULL)
			goto fail;
		dp->w.probe = dp->w.probe_mem + DP_ROOM;
		dp->pktsz = (sizeof(struct dp_pkt) + DP_ROOM +
		    TUNNEL_HEADROOM + mtu + TUNNEL_TAILROOM + 15) &
		    ~(size_t)15;
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
	free(dp->w.bufs);
	free(dp->w.grobufs);
	free(dp->w.probe_mem);
	free(dp);
}

void
datapath_set_peers(struct datapath *dp, const struct members *mb)
{
	dp->route = &mb->route;
	dp->peers = mb->peer;
	dp->npeers = mb->n;
	dp->w.ntouched = 0;
}

const struct dp_counters *
datapath_counters(const struct datapath *dp)
{
	return &dp->w.c;
}

const char *
dp_drop_name(enum dp_drop d)
{
	static const char *const names[] = DP_DROP_NAMES;

	_Static_assert(sizeof(names) / sizeof(names[0]) == DP_DROP_COUNT,
	    "DP_DROP_NAMES names every enum dp_drop");
	return (unsigned)d < DP_DROP_COUNT && names[d] != NULL ? names[d] :
	    "unknown";
}

void
dp_touch(struct datapath *dp, struct peer *p)
{
	if (p->touched == dp->w.gen)
		return;
	/* Many peers in one batch: settle the timers seen so far. */
	if (dp->w.ntouched == sizeof(dp->w.touched) / sizeof(dp->w.touched[0]))
		dp_rearm(dp);
	p->touched = dp->w.gen;
	dp->w.touched[dp->w.ntouched++] = p;
}

/* End of a batch: timers that must fire earlier than armed. */
void
dp_rearm(struct datapath *dp)
{
	uint64_t	dl;
	size_t		i;

	if (dp->w.errq_due)
		dp_pmtu_errors(dp, dp->w.now);
	for (i = 0; i < dp->w.ntouched; i++) {
		struct peer	*p = dp->w.touched[i];

		dp_pmtu_run(dp, p, dp->w.now);
		dl = tunnel_next_deadline(p->tunnel);
		if (p->pmtu_at < dl)
			dl = p->pmtu_at;
		if (dl < p->timer_at) {
			p->timer_at = dl;
			dp->hooks.arm(dp->arg, p, dl);
		}
	}
	dp->w.ntouched = 0;
	if (++dp->w.gen == 0)
		dp->w.gen = 1;
}

static void
send_one(struct datapath *dp, struct peer *p, uint8_t *buf, size_t len)
{
	if (p->path.relayed) {
		dp_relay_out(dp, p, &p->path.endpoint, buf, len, 0, 1);
		return;
	}
	if (udp_send(dp->udp, buf, len, &p->path.endpoint) == -1) {
		dp->w.c.drops[DP_DROP_SEND]++;
		return;
	}
	dp->w.c.tx_packets++;
	dp->w.c.tx_bytes += len;
}

void
dp_tun_put(struct datapath *dp, const uint8_t *pkt, size_t len)
{
	if (tun_write(dp->tun, pkt, len, NULL) == -1)
		dp->w.c.drops[DP_DROP_TUN_WRITE]++;
}

/* A (possibly merged) packet from the receive-side merging. */
static void
gro_out(void *arg, const uint8_t *pkt, size_t len,
    const struct tun_pktinfo *pi)
{
	struct datapath	*dp = arg;

	if (tun_write(dp->tun, pkt, len, pi) == -1)
		dp->w.c.drops[DP_DROP_TUN_WRITE]++;
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
		uint8_t	*buf = dp_pkt_buf(k);

		next = k->next;
		a = 0;
		if (path_usable(&p->path) && tunnel_encrypt(p->tunnel, buf,
		    TUNNEL_HEADROOM + dp->mtu + TUNNEL_TAILROOM, k->len, now,
		    &out, &a) == TUNNEL_OK) {
			if (p->path.relayed) {
				dp_relay_out(dp, p, &p->path.endpoint, buf,
				    out, 0, 1);
				sent++;
			} else {
				dp->w.flushm[n].buf = buf;
				dp->w.flushm[n].len = out;
				dp->w.flushm[n].addr = p->path.endpoint;
				dp->w.c.tx_bytes += out;
				n++;
			}
		} else
			p->drops[PEER_DROP_STAGED]++;
		act |= a;
	}
	if (n > 0) {
		for (a = 0; a < n; a++)
			dp->w.flushm[a].segsize = 0;
		failed = udp_send_batch(dp->udp, dp->w.flushm, n);
		dp->w.c.drops[DP_DROP_SEND] += failed;
		dp->w.c.tx_packets += n - failed;
	}
	datapath_forget_peer(dp, p);
	/* the session is there: learn the path's MTU from now on */
	if (n + sent > 0)
		dp_pmtu_path(dp, p, now);
	/* Whatever encrypting asked for (a rekey cannot be due on a fresh
	 * session, but handle it anyway), minus SESSION_READY itself. */
	act &= ~TUNNEL_ACT_SESSION_READY;
	if (act != 0)
		dp_actions(dp, p, act, n + sent > 0, now);
	return n + sent;
}

/* Carry out the tunnel's actions for p (tunnel.h, in its order). sent_data:
 * a data packet already went to p in this handling. */
void
dp_actions(struct datapath *dp, struct peer *p, unsigned act, int sent_data,
    uint64_t now)
{
	size_t	len;

	dp_touch(dp, p);
	if (act & TUNNEL_ACT_GIVE_UP) {
		p->drops[PEER_DROP_STAGED] += p->nstaged;
		datapath_forget_peer(dp, p);
	}
	if (act & TUNNEL_ACT_SEND_INITIATION) {
		if (dp->hooks.handshake != NULL)
			dp->hooks.handshake(dp->arg, p, now);
		/* Built even without an endpoint, so that the tunnel's
		 * retransmit and give-up timers run. */
		if (tunnel_initiation(p->tunnel, now, clock_unix_ns(),
		    dp->w.scratch) == TUNNEL_OK && path_usable(&p->path)) {
			send_one(dp, p, dp->w.scratch, WIRE_INITIATION_LEN);
			dp_sent(dp, p, now);
			p->path.init_tx = now;
		}
	}
	if ((act & TUNNEL_ACT_SESSION_READY) && flush_staged(dp, p, now) > 0)
		sent_data = 1;
	if ((act & TUNNEL_ACT_SEND_KEEPALIVE) && !sent_data &&
	    path_usable(&p->path) &&
	    tunnel_keepalive(p->tunnel, dp->w.scratch, DP_SCRATCH_LEN, now,
	    &len) == TUNNEL_OK) {
		send_one(dp, p, dp->w.scratch, len);
		dp_sent(dp, p, now);
	}
	if ((act & TUNNEL_ACT_SESSION_READY) && dp->hooks.ready != NULL)
		dp->hooks.ready(dp->arg, p, now);
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

/* An inner packet from p (decrypted, or put back together from pieces)
 * into the TUN, if its source is p's. */
static void
deliver(struct datapath *dp, struct peer *p, uint8_t *pkt, size_t len)
{
	int	n;

	n = route_src(dp->route, pkt, len, (int)p->idx);
	if (n >= 0 && dp_inner(dp, p) < dp->mtu)
		/* our stack's segments to it must fit the path */
		(void)mss_clamp(pkt, (size_t)n, dp_inner(dp, p), 0);
	if (n >= 0) {
		if (dp->w.grobufs != NULL)
			gro_add(&dp->w.gro, pkt, (size_t)n);
		else
			dp_tun_put(dp, pkt, (size_t)n);
	} else if (n == ROUTE_SPOOFED)
		p->drops[PEER_DROP_SPOOFED]++;
	else
		p->drops[PEER_DROP_MALFORMED]++;
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
	struct tunnel_rx	*rx = &dp->w.rx;
	struct peer		*p;
	enum tunnel_err		 e;
	uint8_t			*whole;
	uint8_t			 src[DP_SRCLEN];
	int			 under_load, n;

	if (dp->local == NULL) {
		dp->w.c.drops[DP_DROP_HEADLESS]++;
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
		if (p != NULL) {
			/* (into room for the envelope: handshake messages
			 * are few, data is never copied) */
			memcpy(dp->w.scratch, rx->reply, rx->reply_len);
			dp_relay_out(dp, p, via, dp->w.scratch,
			    rx->reply_len, 0, 1);
		}
		else
			dp->w.c.drops[DP_DROP_SEND]++;
	} else if (rx->reply_len > 0 && udp_send(dp->udp, rx->reply,
	    rx->reply_len, from) == -1)
		dp->w.c.drops[DP_DROP_SEND]++;
	if (e != TUNNEL_OK) {
		dp->w.c.drops[DP_DROP_TUNNEL]++;
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
	if (rx->authentic && p->pmtu_on)
		pmtu_rx(&p->pmtu, now);
	if (rx->data_len > 0 && wire_ctl_type(rx->data, rx->data_len) ==
	    WIRE_CTL_FRAG) {
		if ((n = (int)dp_frag_in(dp, p, rx->data, rx->data_len,
		    &whole)) > 0)
			deliver(dp, p, whole, (size_t)n);
	} else if (rx->data_len > 0 && wire_ctl_type(rx->data,
	    rx->data_len) != 0)
		dp_pmtu_control(dp, p, rx->data, rx->data_len, from, via, now);
	else if (rx->data_len > 0)
		deliver(dp, p, rx->data, rx->data_len);
	if (rx->actions != 0)
		dp_actions(dp, p, rx->actions, 0, now);
	else
		dp_touch(dp, p);
}

static void
datagram(struct datapath *dp, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	dp->w.c.rx_packets++;
	dp->w.c.rx_bytes += len;
	if (len == 0)
		dp->w.c.drops[DP_DROP_UNKNOWN_TYPE]++;
	else if (buf[0] >= WIRE_INITIATION && buf[0] <= WIRE_DATA)
		incoming(dp, buf, len, from, NULL, now);
	else if (udp_dispatch(dp->udp, buf, len, from, now) == -1)
		dp->w.c.drops[DP_DROP_UNKNOWN_TYPE]++;
}

void
datapath_udp_readable(struct datapath *dp, uint64_t now)
{
	unsigned	round;
	size_t		off, len;
	int		n, i;

	dp->w.now = now;
	for (round = 0; round < DP_ROUNDS; round++) {
		n = udp_recv_batch(dp->udp, dp->w.rxm, UDP_BATCH);
		if (n <= 0) {
			if (n < 0)
				log_debug("udp: receive: %s", strerror(errno));
			/* woken with nothing to read: maybe the error queue
			 * (POLLERR), which must be read or it wakes us
			 * forever */
			if (round == 0 || n < 0)
				dp->w.errq_due = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			struct udp_msg	*m = &dp->w.rxm[i];

			if (m->len > m->cap) {
				dp->w.c.rx_packets++;
				dp->w.c.drops[DP_DROP_TRUNCATED]++;
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
		if (now - dp->w.errq_at >= DP_ERRQ_MS)
			dp->w.errq_due = 1;
		if (dp->hooks.rx_done != NULL)
			dp->hooks.rx_done(dp->arg);
		if (dp->w.grobufs != NULL)
			gro_flush(&dp->w.gro);
		dp_rearm(dp);
		if (n < UDP_BATCH)
			break;
	}
	if (dp->w.errq_due) {
		dp_pmtu_errors(dp, now);
		dp_rearm(dp);
	}
}

void
datapath_input(struct datapath *dp, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	dp->w.now = now;
	datagram(dp, buf, len, from, now);
}

void
datapath_input_done(struct datapath *dp)
{
	if (dp->hooks.rx_done != NULL)
		dp->hooks.rx_done(dp->arg);
	if (dp->w.grobufs != NULL)
		gro_flush(&dp->w.gro);
	dp_rearm(dp);
}

void
datapath_relayed_input(struct datapath *dp, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *via, uint64_t now)
{
	dp->w.now = now;
	/* counted as received with the relay's datagram that carried it */
	if (len == 0 || buf[0] < WIRE_INITIATION || buf[0] > WIRE_DATA) {
		dp->w.c.drops[DP_DROP_UNKNOWN_TYPE]++;
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
	dp->w.now = now;
	tunnel_get_stats(p->tunnel, &st);
	/* packets wait for a session, or a handshake went nowhere; not
	 * right after an initiation went out (the peer would take a second
	 * one so soon for a flood, and answer only the first) */
	if (p->nstaged == 0 && (st.has_session || st.attempts == 0))
		return;
	if (p->path.init_tx != 0 && now - p->path.init_tx < DP_REINIT_MS)
		return;
	dp_actions(dp, p, TUNNEL_ACT_SEND_INITIATION, 0, now);
	dp_rearm(dp);
}

void
datapath_peer_timer(struct datapath *dp, struct peer *p, uint64_t now)
{
	uint64_t	next, dl;
	unsigned	act;

	dp->w.now = now;
	p->timer_at = UINT64_MAX;
	act = tunnel_periodic(p->tunnel, now, &next);
	if (act != 0)
		dp_actions(dp, p, act, 0, now);
	dp_touch(dp, p);
	dp_rearm(dp);
	/* dp_rearm() armed next_deadline if any; periodic's own wish too. */
	dl = next;
	if (dl != UINT64_MAX && dl < p->timer_at) {
		p->timer_at = dl;
		dp->hooks.arm(dp->arg, p, dl);
	}
}
