/* Each member's path: natpath (natpath.c) and the relay client
 * (relayclient.c) fed and their actions carried out. PROBE/ACK/BOUND
 * handled (the hub dispatches them here), probes and punch requests sent
 * (a PUNCH through the member's rendezvous via the hub's punch callback),
 * BINDs sent (through relay-glue.c, which adds the relay's cookie for our
 * address), natpath's route handed to the path manager (path_route,
 * peer.h), tunnel datagrams wrapped in TORELAY for the relay in use and
 * FROMRELAY unwrapped into the tunnel's receive path. Lookups are asked
 * through the hub's lookup callback: nothing here calls dht-glue.c or the
 * hub. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "datapath/datapath.h"
#include "nat/discint.h"
#include "netconf/keys.h"
#include "common/log.h"
#include "nat/natep.h"
#include "nat/natkey.h"
#include "datapath/peer.h"
#include "datapath/udp.h"

#define RELAY_GSO_MAX	65000	/* bytes in one UDP GSO send */

/* Seal and send a natmsg with key. */
static void
send_msg(struct disc *d, struct natmsg *msg, const uint8_t *key,
    const struct sockaddr_in6 *to)
{
	uint8_t	buf[1 + 2 * NATMSG_KEY_LEN + NATMSG_NONCE_LEN + 2 +
		    NATMSG_MAX_EPS * NATMSG_EP_LEN + NATMSG_MAC_LEN];
	size_t	n;

	if ((n = natmsg_encode(msg, buf, sizeof(buf))) == 0)
		return;
	natkey_seal(buf, n, key);
	(void)udp_send(d->udp, buf, n, to);
}

/* --- the relay client ------------------------------------------------- */

static int
rc_pair(void *arg, const uint8_t key[RC_KEY_LEN], uint8_t out[32])
{
	struct disc	*d = arg;

	return natkey_pair(out, d->sk, d->pk, key);
}

static uint64_t
rc_wallclock(void *arg)
{
	(void)arg;
	return disc_wallclock();
}

static size_t
rc_own_rv(void *arg, struct rc_rv *out, size_t max)
{
	struct disc		*d = arg;
	struct dht_rv_info	 rv[DHT_RV_MAX];
	size_t			 i, n;

	n = d->dg.dht != NULL ? dht_rendezvous(d->dg.dht, rv, DHT_RV_MAX) : 0;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		memcpy(out[i].key, rv[i].key, RC_KEY_LEN);
		disc_sa_from_dht(&out[i].addr, &rv[i].addr);
		out[i].active = rv[i].active;
	}
	return n;
}

void
pathglue_init(struct disc *d)
{
	struct rc_config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.arg = d;
	cfg.pair = rc_pair;
	cfg.wallclock = rc_wallclock;
	cfg.own_rv = rc_own_rv;
	relayclient_init(&d->pg.rc, &cfg);
}

void
pathglue_free(struct disc *d)
{
	relayclient_wipe(&d->pg.rc);
}

/* Carry out what the relay client queued. */
static void
rc_drain(struct disc *d, uint64_t now)
{
	struct rc_action	 a;
	struct dmember		*m;
	const struct rc_relay	*r;
	char			 s[UDP_ADDRSTRLEN], b[UDP_ADDRSTRLEN];
	char			 c[UDP_ADDRSTRLEN];

	while (relayclient_next_action(&d->pg.rc, &a)) {
		m = a.m != NULL ? a.m->owner : NULL;
		switch (a.type) {
		case RC_ACT_NONE:
			break;
		case RC_ACT_BIND:
			/* relay-glue.c sends it, with the relay's cookie for
			 * our address once it has one (address validation) */
			r = &d->pg.rc.relays[a.relay];
			relayglue_bind_send(d, r->key, &a.addr, r->pair,
			    a.target, a.nonce, now);
			break;
		case RC_ACT_READY:
			log_debugc(LOG_C_NAT, "%s: relay %s ready", disc_mname(m),
			    disc_addr(&a.addr, s, sizeof(s)));
			break;
		case RC_ACT_SET_RELAY:
			natpath_set_relay(&m->pa.np, &a.addr, now);
			break;
		case RC_ACT_NO_RELAY:
			natpath_set_relay(&m->pa.np, NULL, now);
			break;
		case RC_ACT_KICK:
			disc_kick(m);
			break;
		case RC_ACT_LOST:
			log_info("peer %s: relay %s does not answer; looking "
			    "for another", disc_mname(m), disc_addr(&a.addr, s,
			    sizeof(s)));
			d->pg.lookup(m, now);
			break;
		case RC_ACT_OBSERVED:
			disc_observed(d, &a.addr, &a.seen, now);
			break;
		case RC_ACT_MOVED:
			log_info("discovery: relay %s sees us at %s, not %s",
			    disc_addr(&a.addr, s, sizeof(s)),
			    disc_addr(&a.seen, b, sizeof(b)),
			    disc_addr(&a.was, c, sizeof(c)));
			disc_moved(d, now, "our address changed");
			break;
		}
	}
}

/* A lookup found a rendezvous of m (at addr; it sees m at obs, if set):
 * punching through it is possible, and a relay is made ready. */
void
pathglue_rendezvous(struct dmember *m, const uint8_t *key,
    const struct sockaddr_in6 *addr, const struct sockaddr_in6 *obs,
    uint64_t now)
{
	natpath_set_rendezvous(&m->pa.np, 1, now);
	if (natep_is_set(obs))
		natpath_add_candidate(&m->pa.np, obs, NATPATH_SRC_DHT, now);
	relayclient_rendezvous(&m->d->pg.rc, &m->rc, key, addr, now);
	rc_drain(m->d, now);
	disc_kick(m);
}

/* A candidate endpoint for m (a lookup, a beacon, the netconfig). */
void
pathglue_candidate(struct dmember *m, const struct sockaddr_in6 *ep,
    enum natpath_src src, uint64_t now)
{
	natpath_add_candidate(&m->pa.np, ep, src, now);
	disc_kick(m);
}

/* Traffic for m is due (a handshake). */
void
pathglue_use(struct dmember *m, uint64_t now)
{
	natpath_use(&m->pa.np, now);
}

void
pathglue_bound_in(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m;
	uint64_t	 nonce = 0;
	int		 ri, k;

	if ((ri = relayclient_bound_relay(&d->pg.rc, msg->key, from)) == -1 ||
	    (m = disc_member_by_key(d, msg->key2)) == NULL) {
		d->pg.drops[DISC_DROP_STRAY]++;
		return;
	}
	if (natkey_verify(msg->mac - msg->maclen_covered, msg->maclen_covered,
	    msg->mac, d->pg.rc.relays[ri].pair) != 0) {
		d->pg.drops[DISC_DROP_MAC]++;
		return;
	}
	for (k = 0; k < 8; k++)
		nonce = nonce << 8 | msg->nonce[k];
	relayclient_bound(&d->pg.rc, &m->rc, ri, nonce, msg->status ==
	    NATMSG_BOUND_OK ? RC_BOUND_OK : RC_BOUND_REFUSED, &msg->observed,
	    d->self.nkr.kind == NATKIND_EIM || d->self.nkr.kind == NATKIND_NONE, now);
	rc_drain(d, now);
}

/* Our address may have changed (the path to m broke, our NAT mapping
 * moved): tell m's relay and our own rendezvous nodes where we are now,
 * before our DHT registration catches up. */
static void
pathglue_rebind(struct dmember *m, uint64_t now)
{
	relayclient_rebind(&m->d->pg.rc, &m->rc, now);
	rc_drain(m->d, now);
}

/* While paths are in use: every RC_WATCH_MS one of our relays is asked
 * (a BIND) where it sees us. Its BOUND says; a change means our NAT
 * mapping moved (a new public address, a router reboot), and every path in
 * use is searched again at once instead of after the silence that would
 * otherwise tell. It also keeps our binding there fresh. */
void
pathglue_watch(struct disc *d, uint64_t now)
{
	struct dmember	*m;

	if (now - d->pg.rc.watch_at < RC_WATCH_MS || d->pg.rc.nrelays == 0 ||
	    (m = dmembers_in_use(d)) == NULL)
		return;
	relayclient_watch(&d->pg.rc, &m->rc, now);
	rc_drain(d, now);
}

static void
rc_use(const struct dmember *m, struct rc_use *u, uint64_t now)
{
	const struct path	*path = &m->peer->path;

	u->in_use = m->pa.np.state != NATPATH_IDLE;
	u->was_in_use = m->pa.last_state != NATPATH_IDLE;
	u->np_relayed = m->pa.np.state == NATPATH_RELAYED;
	u->relayed_sending = path->relayed &&
	    now - path->last_tx < NATPATH_ACTIVE_MS;
}

/* Relay upkeep from m's timer (relayclient_tick). */
static void
rc_tick(struct dmember *m, uint64_t now)
{
	struct rc_use	u;

	rc_use(m, &u, now);
	relayclient_tick(&m->d->pg.rc, &m->rc, &u, now);
	rc_drain(m->d, now);
}

/* When m's relay upkeep is due. */
static uint64_t
rc_next(struct dmember *m, uint64_t now)
{
	struct rc_use	u;

	rc_use(m, &u, now);
	return relayclient_next(&m->rc, &u, now);
}

/* The member's packets came through the relay at via. */
void
pathglue_relayed(struct dmember *m, const struct sockaddr_in6 *via,
    uint64_t now)
{
	if (hardnat_kept(m, via)) {
		/* through our birthday socket: straight from the member */
		natpath_rx(&m->pa.np, via, now);
		disc_kick(m);
		return;
	}
	m->d->pg.relayed_in++;
	relayclient_relayed(&m->d->pg.rc, &m->rc, via, now);
	rc_drain(m->d, now);
	natpath_rx(&m->pa.np, NULL, now);
	disc_kick(m);
}

_Static_assert(PATH_ACTIVE_MS <= NATPATH_ACTIVE_MS,
    "the data path tells of activity at least as soon as natpath wants it");
_Static_assert(NATMSG_RELAY_HDR == DP_RELAY_HDR,
    "the data path leaves room for the TORELAY envelope");

int
disc_relay_send(struct disc *d, struct peer *p, const struct sockaddr_in6 *via,
    uint8_t *buf, size_t len, size_t segsize)
{
	struct udp_msg	msg[2];
	uint8_t		*start = buf - NATMSG_RELAY_HDR;
	size_t		off, n, out = 0, per;
	unsigned	nm;

	if (p->path.nat != NULL && hardnat_kept(p->path.nat, via))
		return hardnat_send(p->path.nat, buf, len, segsize);
	if (segsize == 0 || segsize >= len)
		segsize = len;
	if (segsize > NATMSG_MAX_PAYLOAD)
		return -1;
	/* every datagram gets its envelope, written in the room the data
	 * path left in front of it (dp_hooks.relay_send); equal sizes stay
	 * equal, so a run still goes out as one GSO send */
	for (off = 0; off < len; off += segsize) {
		n = len - off < segsize ? len - off : segsize;
		start[out] = NATMSG_TORELAY;
		memcpy(start + out + 1, p->key, NATMSG_ID_LEN);
		out += NATMSG_RELAY_HDR + n;
	}
	d->pg.relayed_out += (len + segsize - 1) / segsize;
	if (segsize == len)
		return udp_send(d->udp, start, out, via);
	/* the envelopes may push a run past what one UDP send carries:
	 * then it goes as two */
	per = (RELAY_GSO_MAX / (segsize + NATMSG_RELAY_HDR)) *
	    (segsize + NATMSG_RELAY_HDR);
	memset(msg, 0, sizeof(msg));
	for (off = 0, nm = 0; off < out && nm < 2; off += per, nm++) {
		msg[nm].buf = start + off;
		msg[nm].len = msg[nm].cap = out - off < per ? out - off : per;
		msg[nm].addr = *via;
		msg[nm].segsize = segsize + NATMSG_RELAY_HDR;
	}
	return off >= out && udp_send_batch(d->udp, msg, nm) == 0 ? 0 : -1;
}

/* A tunnel datagram a relay passed on to us. */
void
pathglue_fromrelay(struct disc *d, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	size_t	n = len - NATMSG_RELAY_HDR;

	if (len <= NATMSG_RELAY_HDR || n > NATMSG_MAX_PAYLOAD ||
	    disc_member_by_id(d, pkt + 1) == NULL) {
		d->pg.drops[DISC_DROP_NOTMEMBER]++;
		return;
	}
	/* the tunnel decrypts in place, in the receive buffer (the UDP
	 * handler's to modify): no copy */
	datapath_relayed_input(d->dp, pkt + NATMSG_RELAY_HDR, n, from, now);
}

/* --- probes and acknowledgements --------------------------------------- */

static struct dmember *
authentic(struct disc *d, const struct natmsg *msg)
{
	struct dmember	*m;

	if ((m = disc_member_by_key(d, msg->key)) == NULL) {
		d->pg.drops[DISC_DROP_NOTMEMBER]++;
		return NULL;
	}
	if (disc_member_pair(m) == -1 || natkey_verify(msg->mac -
	    msg->maclen_covered, msg->maclen_covered, msg->mac, m->pair) != 0) {
		d->pg.drops[DISC_DROP_MAC]++;
		return NULL;
	}
	return m;
}

void
pathglue_probe_in(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m;
	struct natmsg	 ack;

	if ((m = authentic(d, msg)) == NULL || d->relay_only ||
	    disc_member_ack(m, msg, from, now, &ack) == -1)
		return;
	/* it came from outside our NAT, and we hold a port mapping: that
	 * is how it got in */
	if (d->self.mapped && !disc_on_lan(d, from))
		ack.flags = NATMSG_ACK_MAPPED;
	send_msg(d, &ack, m->pair, from);
	disc_unproved_probe_in(m, from);
	natpath_probe_in(&m->pa.np, from, now);
	disc_kick(m);
}

void
pathglue_ack_in(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m;
	unsigned	 i;

	if ((m = authentic(d, msg)) == NULL)
		return;
	/* Only an answer to a probe we sent there may teach us anything: a
	 * replayed ACK from elsewhere must not feed NAT detection. */
	if (!natpath_ack_matches(&m->pa.np, from, msg->nonce)) {
		if (beacon_acked(d, m->key, from, msg->nonce))
			pathglue_candidate(m, from, NATPATH_SRC_LAN, now);
		else
			d->pg.drops[DISC_DROP_STRAY]++;
		return;
	}
	if (msg->flags & NATMSG_ACK_MAPPED) {
		m->pa.mapped = 1;
		natpath_add_candidate(&m->pa.np, from, NATPATH_SRC_MAPPED, now);
	}
	disc_unproved_acked(m, from, now);
	natpath_ack_in(&m->pa.np, from, msg->nonce, now);
	if (m->pa.np.have_ep && natep_eq(&m->pa.np.ep, from))
		for (i = 0; i < 4 && i < m->rtt.nsent; i++)
			if (memcmp(m->rtt.sent[i].nonce, msg->nonce,
			    NATMSG_NONCE_LEN) == 0)
				m->rtt.rtt_us = disc_now_us() - m->rtt.sent[i].at;
	disc_observed(d, from, &msg->observed, now);
	disc_kick(m);
}

/* A PUNCH from a member, through one of our rendezvous nodes. */
void
pathglue_punched(struct disc *d, const uint8_t *from_key,
    const struct dht_addr *observed, const uint8_t *payload, size_t len,
    uint64_t now)
{
	struct natmsg		 msg;
	struct dmember		*m;
	struct sockaddr_in6	 obs;

	if (natmsg_decode(payload, len, &msg) != NATMSG_OK ||
	    (msg.type != NATMSG_PUNCH && msg.type != NATMSG_PREDICT)) {
		d->pg.drops[DISC_DROP_NATMSG]++;
		return;
	}
	if (memcmp(msg.key, from_key, DHT_KEY_LEN) != 0) {
		d->pg.drops[DISC_DROP_MAC]++;
		return;
	}
	if ((m = authentic(d, &msg)) == NULL)
		return;
	disc_sa_from_dht(&obs, observed);
	if (msg.type == NATMSG_PREDICT) {
		hardnat_predict_in(m, &msg, natep_is_set(&obs) ? &obs : NULL,
		    now);
		return;
	}
	disc_unproved_punch(m, &obs, msg.eps, msg.neps);
	log_debugc(LOG_C_NAT, "%s: punch request%s", disc_mname(m),
	    msg.flags & NATMSG_PUNCH_REPLY ? " (reply)" : "");
	natpath_punch_in(&m->pa.np, natep_is_set(&obs) ? &obs : NULL, msg.eps,
	    msg.neps, (msg.flags & NATMSG_PUNCH_REPLY) != 0, now);
	disc_kick(m);
}

static void
punch_out(struct dmember *m, int reply, uint64_t now)
{
	struct disc	*d = m->d;
	struct natmsg	 msg;
	uint8_t		 buf[1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + 2 +
			    NATMSG_MAX_EPS * NATMSG_EP_LEN + NATMSG_MAC_LEN];
	size_t		 n;

	if (disc_member_pair(m) == -1)
		return;
	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_PUNCH;
	memcpy(msg.key, d->pk, NATMSG_KEY_LEN);
	disc_random(msg.nonce, sizeof(msg.nonce));
	msg.flags = reply ? NATMSG_PUNCH_REPLY : 0;
	msg.neps = (unsigned)disc_our_endpoints(d, msg.eps, NATMSG_MAX_EPS);
	if ((n = natmsg_encode(&msg, buf, sizeof(buf))) == 0)
		return;
	natkey_seal(buf, n, m->pair);
	(void)d->pg.punch(m, buf, n, now);
	/* and how our NAT maps, for hard NATs (a message of its own) */
	hardnat_predict_out(m, now);
	/* a punch while the path is direct: it went silent (at most once a
	 * punch round). If we are the one who moved, the relays still have
	 * our old address: tell them now, so that the member's data through
	 * them reaches us before we give the direct path up (their BOUND
	 * also tells us whether we moved: RC_ACT_MOVED) */
	if (!reply && m->pa.np.state == NATPATH_DIRECT)
		pathglue_rebind(m, now);
}

static void
probe_out(struct dmember *m, const struct natpath_action *a, uint64_t now)
{
	struct natmsg	msg;

	if (disc_member_pair(m) == -1 || m->d->relay_only ||
	    !disc_unproved_may_probe(m, &a->ep, now))
		return;
	if (hardnat_probe(m, &a->ep, a->nonce))
		return;		/* through our birthday socket */
	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_PROBE;
	memcpy(msg.key, m->d->pk, NATMSG_KEY_LEN);
	memcpy(msg.nonce, a->nonce, NATMSG_NONCE_LEN);
	send_msg(m->d, &msg, m->pair, &a->ep);
	if (m->pa.np.state == NATPATH_DIRECT) {
		char	s[UDP_ADDRSTRLEN];

		log_debugc(LOG_C_NAT, "%s: probe %s (%s)", disc_mname(m),
		    disc_addr(&a->ep, s, sizeof(s)), m->pa.np.reason);
	}
	memcpy(m->rtt.sent[m->rtt.nsent % 4].nonce, a->nonce, NATMSG_NONCE_LEN);
	m->rtt.sent[m->rtt.nsent % 4].at = disc_now_us();
	m->rtt.nsent++;
}

/* natpath's route into the data path's struct path (the path manager,
 * peer.h). */
static void
apply_route(struct dmember *m, uint64_t now)
{
	struct sockaddr_in6	 ep;
	int			 relayed;
	char			 a[UDP_ADDRSTRLEN];

	if (natpath_route(&m->pa.np, &ep, &relayed) == -1)
		return;
	/* through our birthday socket: the data path hands it to
	 * disc_relay_send, which sends it from there (hardnat-glue.c) */
	if (m->pa.np.state == NATPATH_DIRECT && m->pa.np.ep_sock)
		relayed = 1;
	if (path_route(&m->peer->path, &ep, relayed)) {
		log_info("peer %s: %s %s (%s)", disc_mname(m),
		    m->pa.np.ep_sock ? "punched (birthday socket)" : relayed ?
		    "relayed via" : natpath_src_name(m->pa.np.ep_src),
		    disc_addr(&ep, a, sizeof(a)), m->pa.np.reason);
		relayclient_routed(&m->d->pg.rc, &m->rc, relayed, now);
	}
	/* (confirmed where it was: a handshake sent there before the hole
	 * was open may have been lost) */
	datapath_path_ready(m->d->dp, m->peer, now);
}

/* Carry out what natpath queued. */
static void
pathglue_process(struct dmember *m, uint64_t now)
{
	struct natpath_action	a;

	while (natpath_next_action(&m->pa.np, &a)) {
		switch (a.type) {
		case NATPATH_ACT_PROBE:
			probe_out(m, &a, now);
			break;
		case NATPATH_ACT_PUNCH:
			punch_out(m, a.reply, now);
			break;
		case NATPATH_ACT_SWITCH:
			apply_route(m, now);
			break;
		}
	}
	/* the path broke: the member may have moved, look it up again */
	if (m->pa.last_state == NATPATH_DIRECT && m->pa.np.state != NATPATH_DIRECT &&
	    m->pa.np.state != NATPATH_IDLE) {
		log_info("peer %s: %s", disc_mname(m), m->pa.np.reason);
		m->d->pg.lookup(m, now);
		pathglue_rebind(m, now);
	}
	m->pa.last_state = m->pa.np.state;
}

/* Our own endpoint changed: every path in use is searched again. */
void
pathglue_repunch(struct disc *d, uint64_t now)
{
	size_t	i;

	for (i = 0; i < dmembers_count(d); i++) {
		struct dmember	*m = dmembers_at(d, i);

		if (m == NULL || m->pa.np.state == NATPATH_IDLE)
			continue;
		natpath_restart(&m->pa.np, "our address changed: looking "
		    "for a path again", now);
		pathglue_rebind(m, now);
		disc_kick(m);
	}
}

/* --- members ---------------------------------------------------------- */

void
pathglue_member_init(struct dmember *m, uint64_t now)
{
	struct peer	*p = m->peer;
	uint64_t	 seed;

	disc_random(&seed, sizeof(seed));
	natpath_init(&m->pa.np, seed, now);
	ratelimit_bucket_init(&m->pa.ack_bucket, DISC_ACK_BURST, now);
	relayclient_member_add(&m->d->pg.rc, &m->rc, m->key, m);
	if (p->path.has_configured)
		natpath_add_candidate(&m->pa.np, &p->path.configured,
		    NATPATH_SRC_CONFIG, now);
}

void
pathglue_member_free(struct dmember *m)
{
	hardnat_free(m);
	relayclient_member_remove(&m->d->pg.rc, &m->rc);
}

/* Feed what the data path saw since last time, run natpath's and the
 * relay client's timers, carry out their actions; when to run again. */
uint64_t
pathglue_run(struct dmember *m, uint64_t now)
{
	struct path	*path = &m->peer->path;
	uint64_t	 next, rnext;

	/* what came in first, then what went out since (the first send
	 * still unanswered, then the last one): natpath times the silence
	 * from the first */
	if (path->last_rx > m->pa.synced_rx) {
		m->pa.synced_rx = path->last_rx;
		if (!path->relayed && path_usable(path))
			natpath_rx(&m->pa.np, &path->endpoint, path->last_rx);
	}
	if (path->last_tx > m->pa.synced_tx) {
		m->pa.synced_tx = path->last_tx;
		natpath_use(&m->pa.np, path->last_tx);
	}
	if (!path->relayed)
		natpath_unanswered(&m->pa.np, path->waiting, path->wait_tx);
	rc_tick(m, now);
	next = natpath_periodic(&m->pa.np, now);
	if ((rnext = natpath_spray_periodic(&m->pa.np, now)) < next)
		next = rnext;
	if ((rnext = hardnat_run(m, now)) < next)
		next = rnext;
	pathglue_process(m, now);
	if ((rnext = rc_next(m, now)) < next)
		next = rnext;
	return next;
}

/* An authenticated packet came straight from m, from elsewhere: the data
 * path followed it (roaming), or, relayed, offered it to us; natpath
 * follows a direct path there, or probes it and switches once it answers
 * (apply_route). */
void
pathglue_roamed(struct dmember *m)
{
	const struct path	*path = &m->peer->path;

	m->pa.synced_rx = path->last_rx;
	natpath_rx(&m->pa.np, path->relayed ? &path->offered :
	    &path->endpoint, path->last_rx);
	disc_kick(m);
}
