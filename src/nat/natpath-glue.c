/* The path manager's glue: NAT traversal messages on the UDP socket
 * (first bytes 0x20-0x2f), natpath's actions carried out (probes, punch
 * requests through the member's rendezvous, route switches applied to the
 * data path's struct path), the relay client (BIND at one of the member's
 * rendezvous nodes, tunnel datagrams wrapped in TORELAY, FROMRELAY
 * unwrapped into the tunnel's receive path). */
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

static const char *
mname(const struct dmember *m)
{
	return m->peer->hostname[0] != '\0' ? m->peer->hostname : "member";
}

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

	n = d->dht != NULL ? dht_rendezvous(d->dht, rv, DHT_RV_MAX) : 0;
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
	relayclient_init(&d->rc, &cfg);
}

/* Carry out what the relay client queued. */
static void
rc_drain(struct disc *d, uint64_t now)
{
	struct rc_action	 a;
	struct dmember		*m;
	struct natmsg		 msg;
	uint64_t		 n;
	int			 k;
	char			 s[UDP_ADDRSTRLEN], b[UDP_ADDRSTRLEN];
	char			 c[UDP_ADDRSTRLEN];

	while (relayclient_next_action(&d->rc, &a)) {
		m = a.m != NULL ? a.m->owner : NULL;
		switch (a.type) {
		case RC_ACT_NONE:
			break;
		case RC_ACT_BIND:
			memset(&msg, 0, sizeof(msg));
			msg.type = NATMSG_BIND;
			memcpy(msg.key, d->pk, NATMSG_KEY_LEN);
			memcpy(msg.key2, a.target, NATMSG_KEY_LEN);
			for (n = a.nonce, k = 7; k >= 0; k--) {
				msg.nonce[k] = (uint8_t)n;
				n >>= 8;
			}
			send_msg(d, &msg, d->rc.relays[a.relay].pair, &a.addr);
			break;
		case RC_ACT_READY:
			log_debugc(LOG_C_NAT, "%s: relay %s ready", mname(m),
			    disc_addr(&a.addr, s, sizeof(s)));
			break;
		case RC_ACT_SET_RELAY:
			natpath_set_relay(&m->np, &a.addr, now);
			break;
		case RC_ACT_NO_RELAY:
			natpath_set_relay(&m->np, NULL, now);
			break;
		case RC_ACT_KICK:
			disc_kick(m);
			break;
		case RC_ACT_LOST:
			log_info("peer %s: relay %s does not answer; looking "
			    "for another", mname(m), disc_addr(&a.addr, s,
			    sizeof(s)));
			m->next_search = now;
			dhtglue_lookup(d, m, now);
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

/* A rendezvous of m became known (a lookup). */
void
pathglue_rendezvous(struct dmember *m, const uint8_t *key,
    const struct sockaddr_in6 *addr, uint64_t now)
{
	relayclient_rendezvous(&m->d->rc, &m->rc, key, addr, now);
	rc_drain(m->d, now);
}

static void
bound_in(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m;
	uint64_t	 nonce = 0;
	int		 ri, k;

	if ((ri = relayclient_bound_relay(&d->rc, msg->key, from)) == -1 ||
	    (m = disc_member_by_key(d, msg->key2)) == NULL) {
		d->drops[DISC_DROP_STRAY]++;
		return;
	}
	if (natkey_verify(msg->mac - msg->maclen_covered, msg->maclen_covered,
	    msg->mac, d->rc.relays[ri].pair) != 0) {
		d->drops[DISC_DROP_MAC]++;
		return;
	}
	for (k = 0; k < 8; k++)
		nonce = nonce << 8 | msg->nonce[k];
	relayclient_bound(&d->rc, &m->rc, ri, nonce, msg->status ==
	    NATMSG_BOUND_OK ? RC_BOUND_OK : RC_BOUND_REFUSED, &msg->observed,
	    d->nkr.kind == NATKIND_EIM || d->nkr.kind == NATKIND_NONE, now);
	rc_drain(d, now);
}

/* Our address may have changed (the path to m broke, our NAT mapping
 * moved): tell m's relay and our own rendezvous nodes where we are now,
 * before our DHT registration catches up. */
void
pathglue_rebind(struct dmember *m, uint64_t now)
{
	relayclient_rebind(&m->d->rc, &m->rc, now);
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
	struct dmember	*m = NULL;
	size_t		 i;

	if (now - d->rc.watch_at < RC_WATCH_MS || d->rc.nrelays == 0)
		return;
	for (i = 0; i < d->nm && m == NULL; i++)
		if (d->m[i] != NULL && d->m[i]->np.state != NATPATH_IDLE)
			m = d->m[i];
	if (m == NULL)
		return;
	relayclient_watch(&d->rc, &m->rc, now);
	rc_drain(d, now);
}

static void
rc_use(const struct dmember *m, struct rc_use *u, uint64_t now)
{
	const struct path	*path = &m->peer->path;

	u->in_use = m->np.state != NATPATH_IDLE;
	u->was_in_use = m->last_state != NATPATH_IDLE;
	u->np_relayed = m->np.state == NATPATH_RELAYED;
	u->relayed_sending = path->relayed &&
	    now - path->last_tx < NATPATH_ACTIVE_MS;
}

/* Relay upkeep from m's timer (relayclient_tick). */
void
pathglue_tick(struct dmember *m, uint64_t now)
{
	struct rc_use	u;

	rc_use(m, &u, now);
	relayclient_tick(&m->d->rc, &m->rc, &u, now);
	rc_drain(m->d, now);
}

/* When m's relay upkeep is due. */
uint64_t
pathglue_next(struct dmember *m, uint64_t now)
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
	relayclient_relayed(&m->d->rc, &m->rc, via, now);
	rc_drain(m->d, now);
}

int
disc_relay_send(struct disc *d, struct peer *p, const struct sockaddr_in6 *via,
    const uint8_t *buf, size_t len, size_t segsize)
{
	struct udp_msg	msg[2];
	size_t		off, n, out = 0, per;
	unsigned	nm;

	if (segsize == 0 || segsize >= len)
		segsize = len;
	if (len + (len / segsize + 1) * NATMSG_RELAY_HDR > sizeof(d->buf) ||
	    segsize > NATMSG_MAX_PAYLOAD)
		return -1;
	/* every datagram gets its envelope; equal sizes stay equal, so a
	 * run still goes out as one GSO send */
	for (off = 0; off < len; off += segsize) {
		n = len - off < segsize ? len - off : segsize;
		d->buf[out] = NATMSG_TORELAY;
		memcpy(d->buf + out + 1, p->key, NATMSG_ID_LEN);
		memcpy(d->buf + out + NATMSG_RELAY_HDR, buf + off, n);
		out += NATMSG_RELAY_HDR + n;
	}
	d->relayed_out += (len + segsize - 1) / segsize;
	if (segsize == len)
		return udp_send(d->udp, d->buf, out, via);
	/* the envelopes may push a run past what one UDP send carries:
	 * then it goes as two */
	per = (RELAY_GSO_MAX / (segsize + NATMSG_RELAY_HDR)) *
	    (segsize + NATMSG_RELAY_HDR);
	memset(msg, 0, sizeof(msg));
	for (off = 0, nm = 0; off < out && nm < 2; off += per, nm++) {
		msg[nm].buf = d->buf + off;
		msg[nm].len = msg[nm].cap = out - off < per ? out - off : per;
		msg[nm].addr = *via;
		msg[nm].segsize = segsize + NATMSG_RELAY_HDR;
	}
	return off >= out && udp_send_batch(d->udp, msg, nm) == 0 ? 0 : -1;
}

/* A tunnel datagram a relay passed on to us. */
static void
fromrelay_in(struct disc *d, const uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	size_t	n = len - NATMSG_RELAY_HDR;

	if (len <= NATMSG_RELAY_HDR || n > NATMSG_MAX_PAYLOAD ||
	    disc_member_by_id(d, pkt + 1) == NULL) {
		d->drops[DISC_DROP_NOTMEMBER]++;
		return;
	}
	/* the tunnel decrypts in place: a copy it may write to (not the
	 * send scratch: an answer may go out while this is handled) */
	memcpy(d->rxbuf, pkt + NATMSG_RELAY_HDR, n);
	datapath_relayed_input(d->dp, d->rxbuf, n, from, now);
}

/* --- probes and acknowledgements --------------------------------------- */

static struct dmember *
authentic(struct disc *d, const struct natmsg *msg)
{
	struct dmember	*m;

	if ((m = disc_member_by_key(d, msg->key)) == NULL) {
		d->drops[DISC_DROP_NOTMEMBER]++;
		return NULL;
	}
	if (disc_member_pair(m) == -1 || natkey_verify(msg->mac -
	    msg->maclen_covered, msg->maclen_covered, msg->mac, m->pair) != 0) {
		d->drops[DISC_DROP_MAC]++;
		return NULL;
	}
	return m;
}

static void
probe_in(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m;
	struct natmsg	 ack;

	if ((m = authentic(d, msg)) == NULL || d->relay_only)
		return;
	if (!ratelimit_bucket_take(&m->ack_bucket, DISC_ACK_RATE,
	    DISC_ACK_BURST, 1, now)) {
		d->drops[DISC_DROP_PROBE_RATE]++;
		return;
	}
	memset(&ack, 0, sizeof(ack));
	ack.type = NATMSG_ACK;
	memcpy(ack.key, d->pk, NATMSG_KEY_LEN);
	memcpy(ack.nonce, msg->nonce, NATMSG_NONCE_LEN);
	ack.observed = *from;
	/* it came from outside our NAT, and we hold a port mapping: that
	 * is how it got in */
	if (d->mapped && !disc_on_lan(d, from))
		ack.flags = NATMSG_ACK_MAPPED;
	send_msg(d, &ack, m->pair, from);
	natpath_probe_in(&m->np, from, now);
	disc_kick(m);
}

static void
ack_in(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m;
	unsigned	 i;

	if ((m = authentic(d, msg)) == NULL)
		return;
	/* Only an answer to a probe we sent there may teach us anything: a
	 * replayed ACK from elsewhere must not feed NAT detection. */
	if (!natpath_ack_matches(&m->np, from, msg->nonce)) {
		d->drops[DISC_DROP_STRAY]++;
		return;
	}
	if (msg->flags & NATMSG_ACK_MAPPED) {
		m->mapped = 1;
		natpath_add_candidate(&m->np, from, NATPATH_SRC_MAPPED, now);
	}
	natpath_ack_in(&m->np, from, msg->nonce, now);
	if (m->np.have_ep && natep_eq(&m->np.ep, from))
		for (i = 0; i < 4 && i < m->nsent; i++)
			if (memcmp(m->sent[i].nonce, msg->nonce,
			    NATMSG_NONCE_LEN) == 0)
				m->rtt_us = disc_now_us() - m->sent[i].at;
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
	    msg.type != NATMSG_PUNCH) {
		d->drops[DISC_DROP_NATMSG]++;
		return;
	}
	if (memcmp(msg.key, from_key, DHT_KEY_LEN) != 0) {
		d->drops[DISC_DROP_MAC]++;
		return;
	}
	if ((m = authentic(d, &msg)) == NULL)
		return;
	disc_sa_from_dht(&obs, observed);
	log_debugc(LOG_C_NAT, "%s: punch request%s", mname(m),
	    msg.flags & NATMSG_PUNCH_REPLY ? " (reply)" : "");
	natpath_punch_in(&m->np, natep_is_set(&obs) ? &obs : NULL, msg.eps,
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
	size_t		 n, i, sent = 0;

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
	/* through two of its rendezvous, in case one is gone */
	for (i = 0; i < m->nrv && sent < 2; i++) {
		if (m->rv[i].no_punch)
			continue;
		if (dht_relay(d->dht, m->rv[i].key, &m->rv[i].addr, m->key,
		    buf, n, now) == 0)
			sent++;
	}
	dhtglue_arm(d);
	if (sent == 0) {
		/* nobody to pass it: find the member's rendezvous */
		log_debugc(LOG_C_NAT, "%s: no rendezvous to punch through",
		    mname(m));
		m->next_search = now;
	}
}

static void
probe_out(struct dmember *m, const struct natpath_action *a)
{
	struct natmsg	msg;

	if (disc_member_pair(m) == -1 || m->d->relay_only)
		return;
	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_PROBE;
	memcpy(msg.key, m->d->pk, NATMSG_KEY_LEN);
	memcpy(msg.nonce, a->nonce, NATMSG_NONCE_LEN);
	send_msg(m->d, &msg, m->pair, &a->ep);
	memcpy(m->sent[m->nsent % 4].nonce, a->nonce, NATMSG_NONCE_LEN);
	m->sent[m->nsent % 4].at = disc_now_us();
	m->nsent++;
}

/* natpath's route into the data path's struct path. */
static void
apply_route(struct dmember *m, uint64_t now)
{
	struct path		*path = &m->peer->path;
	struct sockaddr_in6	 ep;
	int			 relayed;
	char			 a[UDP_ADDRSTRLEN];

	if (natpath_route(&m->np, &ep, &relayed) == -1)
		return;
	if (path_usable(path) && natep_eq(&path->endpoint, &ep) &&
	    path->relayed == relayed) {
		/* confirmed where it was: a handshake sent there before the
		 * hole was open may have been lost */
		datapath_path_ready(m->d->dp, m->peer, now);
		return;
	}
	path->endpoint = ep;
	path->relayed = relayed;
	path->source = !relayed && path->has_configured &&
	    natep_eq(&path->configured, &ep) ? PATH_CONFIGURED : PATH_LEARNED;
	log_info("peer %s: %s %s (%s)", mname(m), relayed ? "relayed via" :
	    natpath_src_name(m->np.ep_src), disc_addr(&ep, a, sizeof(a)),
	    m->np.reason);
	relayclient_routed(&m->d->rc, &m->rc, relayed, now);
	datapath_path_ready(m->d->dp, m->peer, now);
}

/* The data path left the relay by itself (an authenticated packet came
 * straight from the member): natpath probes there and takes it once it
 * answers. If it does not within DISC_MISMATCH_MS, the relay is put back
 * (elsewhere the data path's roaming is the truth). */
static void
route_check(struct dmember *m, uint64_t now)
{
	struct path		*path = &m->peer->path;
	struct sockaddr_in6	 ep;
	int			 relayed;

	if (natpath_route(&m->np, &ep, &relayed) == -1 || !relayed ||
	    path->relayed) {
		m->mismatch_since = 0;
		return;
	}
	if (m->mismatch_since == 0)
		m->mismatch_since = now;
	else if (now - m->mismatch_since >= DISC_MISMATCH_MS) {
		m->mismatch_since = 0;
		apply_route(m, now);
	}
}

/* Carry out what natpath queued. */
void
pathglue_process(struct dmember *m, uint64_t now)
{
	struct natpath_action	a;

	while (natpath_next_action(&m->np, &a)) {
		switch (a.type) {
		case NATPATH_ACT_PROBE:
			probe_out(m, &a);
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
	if (m->last_state == NATPATH_DIRECT && m->np.state != NATPATH_DIRECT &&
	    m->np.state != NATPATH_IDLE) {
		log_info("peer %s: %s", mname(m), m->np.reason);
		m->next_search = now;
		dhtglue_lookup(m->d, m, now);
		pathglue_rebind(m, now);
	}
	m->last_state = m->np.state;
	route_check(m, now);
}

/* Our own endpoint changed: every path in use is searched again. */
void
pathglue_repunch(struct disc *d, uint64_t now)
{
	size_t	i;

	for (i = 0; i < d->nm; i++) {
		if (d->m[i] == NULL || d->m[i]->np.state == NATPATH_IDLE)
			continue;
		natpath_restart(&d->m[i]->np, "our address changed: looking "
		    "for a path again", now);
		pathglue_rebind(d->m[i], now);
		disc_kick(d->m[i]);
	}
}

/* --- the UDP handler --------------------------------------------------- */

void
pathglue_input(void *arg, const uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct disc	*d = arg;
	struct natmsg	 msg;

	/* the data carriers first, without a full decode */
	if (pkt[0] == NATMSG_TORELAY) {
		relayglue_forward(d, pkt, len, from, now);
		return;
	}
	if (pkt[0] == NATMSG_FROMRELAY) {
		fromrelay_in(d, pkt, len, from, now);
		return;
	}
	if (natmsg_decode(pkt, len, &msg) != NATMSG_OK) {
		d->drops[DISC_DROP_NATMSG]++;
		return;
	}
	switch (msg.type) {
	case NATMSG_PROBE:
		probe_in(d, &msg, from, now);
		break;
	case NATMSG_ACK:
		ack_in(d, &msg, from, now);
		break;
	case NATMSG_BIND:
		relayglue_bind(d, pkt, len, from, now);
		break;
	case NATMSG_BOUND:
		bound_in(d, &msg, from, now);
		break;
	case NATMSG_BEACON:
		beacon_input(d, &msg, from, now);
		break;
	default:	/* PUNCH only ever comes through a rendezvous */
		d->drops[DISC_DROP_STRAY]++;
		break;
	}
}
