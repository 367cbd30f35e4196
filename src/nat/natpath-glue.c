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

/* --- relays we use ----------------------------------------------------- */

static int
relay_get(struct disc *d, const uint8_t *key, const struct sockaddr_in6 *addr,
    uint64_t now)
{
	struct disc_relay	*r;
	size_t			 i, k, old = 0;

	for (i = 0; i < d->nrelays; i++) {
		if (memcmp(d->relays[i].key, key, DHT_KEY_LEN) == 0) {
			d->relays[i].addr = *addr;
			d->relays[i].used = now;
			return d->relays[i].pair_ok ? (int)i : -1;
		}
		if (d->relays[i].used < d->relays[old].used)
			old = i;
	}
	if (d->nrelays < DISC_MAX_RELAYS)
		i = d->nrelays++;
	else {
		/* the least recently used goes; members using it fall back
		 * to their next rendezvous */
		i = old;
		for (k = 0; k < d->nm; k++)
			if (d->m[k] != NULL && (d->m[k]->relay == (int)i ||
			    d->m[k]->bind_relay == (int)i)) {
				d->m[k]->relay = d->m[k]->bind_relay = -1;
				d->m[k]->relay_ok = 0;
				d->m[k]->bind_at = 0;
			}
	}
	r = &d->relays[i];
	natkey_wipe(r->pair);
	memcpy(r->key, key, DHT_KEY_LEN);
	r->addr = *addr;
	r->used = now;
	r->pair_ok = natkey_pair(r->pair, d->sk, d->pk, key) == 0;
	return r->pair_ok ? (int)i : -1;
}

/* Send a BIND for target to relay ri; returns its nonce. */
static uint64_t
bind_raw(struct disc *d, int ri, const uint8_t *target, uint64_t now)
{
	uint64_t	nonce = disc_wallclock();

	/* one growing counter for all our BINDs: a relay remembers the
	 * newest per sender, whichever member it was for */
	if (nonce <= d->bind_nonce)
		nonce = d->bind_nonce + 1;
	d->bind_nonce = nonce;
	d->relays[ri].used = now;
	relayglue_bind_send(d, d->relays[ri].key, &d->relays[ri].addr,
	    d->relays[ri].pair, target, nonce, now);
	return nonce;
}

/* The relay at addr among ours or our own rendezvous nodes (a member
 * reached us through it); -1 if unknown. */
int
pathglue_relay_at(struct disc *d, const struct sockaddr_in6 *addr,
    uint64_t now)
{
	struct dht_rv_info	rv[DHT_RV_MAX];
	struct sockaddr_in6	sa;
	size_t			i, n;

	for (i = 0; i < d->nrelays; i++)
		if (natep_eq(&d->relays[i].addr, addr))
			return d->relays[i].pair_ok ? (int)i : -1;
	n = d->dht != NULL ? dht_rendezvous(d->dht, rv, DHT_RV_MAX) : 0;
	for (i = 0; i < n; i++) {
		disc_sa_from_dht(&sa, &rv[i].addr);
		if (natep_eq(&sa, addr))
			return relay_get(d, rv[i].key, &sa, now);
	}
	return -1;
}

static void
bind_send(struct dmember *m, int ri, uint64_t now)
{
	m->bind_nonce = bind_raw(m->d, ri, m->key, now);
	m->bind_relay = ri;
	m->bind_at = now;
}

/* The relay with this key failed m (refused, silent): not again soon. */
static void
relay_failed(struct dmember *m, const uint8_t *key, uint64_t now)
{
	size_t	i, old = 0;

	for (i = 0; i < m->nrv; i++)
		if (memcmp(m->rv[i].key, key, DHT_KEY_LEN) == 0)
			m->rv[i].no_relay = 1;
	for (i = 0; i < DISC_MAX_RV; i++) {
		if (memcmp(m->bad_relay[i].id, key, sizeof(m->bad_relay[i].id))
		    == 0) {
			old = i;
			break;
		}
		if (m->bad_relay[i].until < m->bad_relay[old].until)
			old = i;
	}
	memcpy(m->bad_relay[old].id, key, sizeof(m->bad_relay[old].id));
	m->bad_relay[old].until = now + DISC_BAD_RELAY_MS;
}

static int
relay_bad(const struct dmember *m, const uint8_t *key, uint64_t now)
{
	size_t	i;

	for (i = 0; i < DISC_MAX_RV; i++)
		if (m->bad_relay[i].until > now && memcmp(m->bad_relay[i].id,
		    key, sizeof(m->bad_relay[i].id)) == 0)
			return 1;
	return 0;
}

/* Bind at the next usable rendezvous of m, else at one of our own (m may
 * well be known there, bound for us or registered); 0 if one was asked. */
static int
bind_next_rv(struct dmember *m, uint64_t now)
{
	struct dht_rv_info	own[DHT_RV_MAX];
	struct sockaddr_in6	sa;
	size_t			i, k, n;
	int			ri;

	for (k = 0; k < m->nrv; k++) {
		i = (m->rv_next + k) % m->nrv;
		if (m->rv[i].no_relay)
			continue;
		disc_sa_from_dht(&sa, &m->rv[i].addr);
		if (!natep_is_set(&sa) ||
		    (ri = relay_get(m->d, m->rv[i].key, &sa, now)) == -1)
			continue;
		m->rv_next = (unsigned)(i + 1);
		bind_send(m, ri, now);
		return 0;
	}
	n = m->d->dht != NULL ? dht_rendezvous(m->d->dht, own, DHT_RV_MAX) :
	    0;
	for (i = 0; i < n; i++) {
		for (k = 0; k < m->nrv; k++)
			if (memcmp(m->rv[k].key, own[i].key, DHT_KEY_LEN) == 0)
				break;
		if (k < m->nrv || !own[i].active ||
		    relay_bad(m, own[i].key, now))
			continue;
		disc_sa_from_dht(&sa, &own[i].addr);
		if (!natep_is_set(&sa) ||
		    (ri = relay_get(m->d, own[i].key, &sa, now)) == -1)
			continue;
		bind_send(m, ri, now);
		return 0;
	}
	return -1;
}

/* A rendezvous of m became known: have a relay ready before it is needed
 * (a BIND costs one round trip). */
void
pathglue_rendezvous(struct dmember *m, uint64_t now)
{
	if (m->relay_ok || m->bind_at != 0)
		return;
	(void)bind_next_rv(m, now);
}

static void
bound_in(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m;
	uint64_t	 nonce = 0;
	size_t		 i;
	int		 ri = -1, k;
	char		 a[UDP_ADDRSTRLEN], b[UDP_ADDRSTRLEN];
	char		 c[UDP_ADDRSTRLEN];

	for (i = 0; i < d->nrelays; i++)
		if (memcmp(d->relays[i].key, msg->key, DHT_KEY_LEN) == 0 &&
		    natep_eq(&d->relays[i].addr, from))
			ri = (int)i;
	if (ri == -1 || (m = disc_member_by_key(d, msg->key2)) == NULL) {
		d->drops[DISC_DROP_STRAY]++;
		return;
	}
	if (natkey_verify(msg->mac - msg->maclen_covered, msg->maclen_covered,
	    msg->mac, d->relays[ri].pair) != 0) {
		d->drops[DISC_DROP_MAC]++;
		return;
	}
	for (k = 0; k < 8; k++)
		nonce = nonce << 8 | msg->nonce[k];
	/* where the relay saw the BIND: if that moved, so did we (every
	 * relay sees the same endpoint behind an endpoint-independent NAT;
	 * a symmetric one picks new ports as it likes, and while the kind is
	 * not known only a new address counts). Not more than once per
	 * DISC_MOVED_MS: the search it starts asks every relay again. */
	if (natep_is_set(&msg->observed)) {
		if (natep_is_set(&d->watch_seen) &&
		    (!natep_same_ip(&d->watch_seen, &msg->observed) ||
		    ((d->nkr.kind == NATKIND_EIM ||
		    d->nkr.kind == NATKIND_NONE) &&
		    !natep_eq(&d->watch_seen, &msg->observed)))) {
			log_info("discovery: relay %s sees us at %s, not %s",
			    disc_addr(from, a, sizeof(a)),
			    disc_addr(&msg->observed, b, sizeof(b)),
			    disc_addr(&d->watch_seen, c, sizeof(c)));
			d->watch_seen = msg->observed;
			disc_moved(d, now, "our address changed");
		}
		d->watch_seen = msg->observed;
		disc_observed(d, from, &msg->observed, now);
	}
	if (m->bind_relay != ri || nonce != m->bind_nonce) {
		/* an answer to an older BIND, or to a refresh of our address
		 * at one of our own rendezvous (pathglue_rebind) */
		if (nonce > d->bind_nonce)
			d->drops[DISC_DROP_STRAY]++;
		return;
	}
	m->bind_at = 0;
	if (msg->status == NATMSG_BOUND_OK) {
		if (!m->relay_ok || m->relay != ri)
			log_debugc(LOG_C_NAT, "%s: relay %s ready", mname(m),
			    disc_addr(from, a, sizeof(a)));
		m->relay = ri;
		m->relay_ok = 1;
		m->bind_next = now + DISC_BIND_MS;
		if (!m->np.have_relay || !natep_eq(&m->np.relay, from))
			natpath_set_relay(&m->np, from, now);
		disc_kick(m);
		return;
	}
	/* that relay cannot reach the member: the next rendezvous */
	relay_failed(m, msg->key, now);
	if (m->relay == ri) {
		m->relay_ok = 0;
		m->relay = -1;
	}
	if (bind_next_rv(m, now) == -1) {
		m->bind_next = 0;
		if (!m->relay_ok && m->np.have_relay) {
			natpath_set_relay(&m->np, NULL, now);
			disc_kick(m);
		}
	}
}

/* Our address may have changed (the path to m broke, our NAT mapping
 * moved): tell m's relay and our own rendezvous nodes (relays m may use
 * to reach us) where we are now, before our DHT registration catches up. */
void
pathglue_rebind(struct dmember *m, uint64_t now)
{
	struct disc		*d = m->d;
	struct dht_rv_info	 rv[DHT_RV_MAX];
	struct sockaddr_in6	 sa;
	size_t			 n, i;
	int			 ri;

	if (d->dht != NULL) {
		n = dht_rendezvous(d->dht, rv, DHT_RV_MAX);
		for (i = 0; i < n; i++) {
			disc_sa_from_dht(&sa, &rv[i].addr);
			/* the answers are not awaited */
			if (natep_is_set(&sa) &&
			    (ri = relay_get(d, rv[i].key, &sa, now)) != -1 &&
			    ri != m->relay)
				(void)bind_raw(d, ri, m->key, now);
		}
	}
	if (m->relay_ok && m->relay >= 0)
		bind_send(m, m->relay, now);
}

/* While paths are in use: every DISC_WATCH_MS one of our relays is asked
 * (a BIND) where it sees us. Its BOUND says; a change means our NAT
 * mapping moved (a new public address, a router reboot), and every path in
 * use is searched again at once instead of after the silence that would
 * otherwise tell. It also keeps our binding there fresh. */
void
pathglue_watch(struct disc *d, uint64_t now)
{
	struct dmember	*m = NULL;
	size_t		 i, k;

	if (now - d->watch_at < DISC_WATCH_MS || d->nrelays == 0)
		return;
	for (i = 0; i < d->nm && m == NULL; i++)
		if (d->m[i] != NULL && d->m[i]->np.state != NATPATH_IDLE)
			m = d->m[i];
	if (m == NULL)
		return;
	d->watch_at = now;
	for (k = 0; k < d->nrelays; k++) {
		i = (d->watch_next + k) % d->nrelays;
		if (!d->relays[i].pair_ok)
			continue;
		d->watch_next = (unsigned)(i + 1);
		(void)bind_raw(d, (int)i, m->key, now);
		return;
	}
}

/* The relay in use went quiet while we send through it: try another. */
static void
relay_lost(struct dmember *m, uint64_t now)
{
	struct disc	*d = m->d;
	char		 a[UDP_ADDRSTRLEN];

	log_info("peer %s: relay %s does not answer; looking for another",
	    mname(m), disc_addr(&m->np.relay, a, sizeof(a)));
	if (m->relay >= 0)
		relay_failed(m, d->relays[m->relay].key, now);
	m->relay_ok = 0;
	m->relay = -1;
	m->bind_at = 0;
	natpath_set_relay(&m->np, NULL, now);
	m->relayed_since = 0;
	(void)bind_next_rv(m, now);
	m->next_search = now;
	dhtglue_lookup(d, m, now);
}

/* Relay upkeep from m's timer: an unanswered BIND tries the next
 * rendezvous; a relay in use is bound again before it lapses, and given up
 * when nothing comes back through it while we send. */
void
pathglue_tick(struct dmember *m, uint64_t now)
{
	struct path	*path = &m->peer->path;

	if (path->relayed && m->np.state == NATPATH_RELAYED &&
	    now - path->last_tx < NATPATH_ACTIVE_MS &&
	    m->relayed_since != 0 &&
	    now - m->relayed_since >= NATPATH_ACTIVE_DEAD_MS &&
	    now - m->relay_rx >= NATPATH_ACTIVE_DEAD_MS)
		relay_lost(m, now);

	if (m->bind_at != 0 && now - m->bind_at >= DISC_BIND_RETRY_MS) {
		if (m->bind_relay >= 0)
			relay_failed(m, m->d->relays[m->bind_relay].key, now);
		m->bind_at = 0;
		if (!m->relay_ok)
			(void)bind_next_rv(m, now);
	}
	if (m->relay_ok && m->bind_next != 0 && now >= m->bind_next) {
		if (m->np.state != NATPATH_IDLE && m->relay >= 0)
			bind_send(m, m->relay, now);
		m->bind_next = now + DISC_BIND_MS;
	}
	/* starting to use it after a long pause: refresh the binding now */
	if (m->np.state != NATPATH_IDLE && m->last_state == NATPATH_IDLE &&
	    m->relay_ok && m->relay >= 0 && m->bind_at == 0)
		bind_send(m, m->relay, now);
}

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
	d->relayed_out += (len + segsize - 1) / segsize;
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
static void
fromrelay_in(struct disc *d, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	size_t	n = len - NATMSG_RELAY_HDR;

	if (len <= NATMSG_RELAY_HDR || n > NATMSG_MAX_PAYLOAD ||
	    disc_member_by_id(d, pkt + 1) == NULL) {
		d->drops[DISC_DROP_NOTMEMBER]++;
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
	m->relayed_since = relayed ? now : 0;
	if (relayed)
		m->relay_rx = now;
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
pathglue_input(void *arg, uint8_t *pkt, size_t len,
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
	case NATMSG_COOKIE:
		relayglue_cookie(d, &msg, from, now);
		break;
	case NATMSG_BEACON:
		beacon_input(d, &msg, from, now);
		break;
	default:	/* PUNCH only ever comes through a rendezvous */
		d->drops[DISC_DROP_STRAY]++;
		break;
	}
}
