/* Our outstanding requests: sending and retransmitting them, the RTT
 * estimate, and what a timeout means for each purpose. */
#include "config.h"

#include <string.h>

#include "dhtint.h"

uint32_t
dht_rto(const struct dht *d)
{
	uint32_t	rto;

	if (d->srtt == 0)
		return DHT_RTO_INIT;
	rto = d->srtt + 4 * d->rttvar;
	if (rto < DHT_RTO_MIN)
		rto = DHT_RTO_MIN;
	if (rto > DHT_RTO_MAX)
		rto = DHT_RTO_MAX;
	return rto;
}

void
dht_rtt_sample(struct dht *d, uint64_t sample)
{
	uint32_t	s = sample > 60000 ? 60000 : (uint32_t)sample;
	uint32_t	err;

	if (d->srtt == 0) {
		d->srtt = s > 0 ? s : 1;
		d->rttvar = s / 2;
		return;
	}
	/* RFC 6298: rttvar = 3/4 rttvar + 1/4 |srtt - s|, srtt = 7/8 ... */
	err = s > d->srtt ? s - d->srtt : d->srtt - s;
	d->rttvar = (3 * d->rttvar + err) / 4;
	d->srtt = (7 * d->srtt + s) / 8;
	if (d->srtt == 0)
		d->srtt = 1;
}

/* The body size of the largest answer to a request, so that a request
 * without a token can be padded to it (an answer never exceeds the request
 * until the sender's address is validated). A FIND to an address that has
 * not proved itself asks for a short answer only: see dhtproved.c. */
static size_t
request_pad(uint8_t type, size_t body_len, int unproved, int first)
{
	size_t	want;

	switch (type) {
	case DHTMSG_PING:
		want = DHT_PING_BODY_PAD;
		break;
	case DHTMSG_REGISTER:
		want = 8 + 1 + 19 + DHTMSG_TOKEN_LEN + 3;
		break;
	case DHTMSG_FIND:
		want = (!unproved ? DHT_FIND_PAD : first ?
		    DHT_FIND_PAD_UNPROVED : DHT_FIND_PAD_RETRY) -
		    DHTMSG_MIN_PACKET;
		break;
	default:
		return 0;
	}
	return want > body_len ? want - body_len : 0;
}

static int
pending_send(struct dht *d, struct dht_pending *pd, const uint8_t *payload,
    size_t plen, uint64_t now)
{
	uint8_t		 body[DHTMSG_MAX_BODY];
	struct dhtmsg	 m;
	struct dht_peer	*p;
	enum dht_drop	 why;
	size_t		 blen, cost;
	int		 unproved;

	if ((p = dhtkeys_get(d, pd->key, now, &why)) == NULL)
		return -1;
	unproved = !dht_addr_proved(d, pd->key, &pd->addr, now);
	memset(&m, 0, sizeof(m));
	m.type = pd->type;
	m.txid = pd->txid;
	m.ts = d->cb.wallclock(d->cb.arg);
	m.flags = d->reachable ? DHTMSG_F_REACHABLE : 0;
	memcpy(m.target, pd->target, DHT_KEY_LEN);
	m.payload = payload;
	m.payload_len = plen;
	/* A token names the address it was given to: after our NAT mapped
	 * us anew it is worth nothing, and a NODES answer larger than the
	 * FIND is then refused. So a FIND retransmitted goes without it,
	 * padded, as to a node that never saw us (and its answer brings a
	 * new one). Other answers fit their requests: a stale token costs
	 * them a "token needed" round at most. */
	if (p->token_at != 0 && now < p->token_at + DHT_TOKEN_FRESH &&
	    (pd->attempts == 0 || m.type != DHTMSG_FIND)) {
		m.flags |= DHTMSG_F_TOKEN;
		memcpy(m.token, p->token, DHTMSG_TOKEN_LEN);
	}
	if ((blen = dhtmsg_encode(&m, body, sizeof(body))) == 0)
		return -1;
	if (!(m.flags & DHTMSG_F_TOKEN) && (m.pad = request_pad(m.type,
	    blen, unproved, pd->attempts == 0)) > 0 &&
	    (blen = dhtmsg_encode(&m, body, sizeof(body))) == 0)
		return -1;
	/* only another node named this address: spend little on it */
	if (unproved) {
		switch (dhtbudget_charge(d, &pd->addr, DHTMSG_MIN_PACKET +
		    blen, now, &cost)) {
		case 0:
			pd->charged += (uint16_t)cost;
			break;
		case 1:
			/* our requests in flight there fill its budget: a
			 * first transmission waits (the caller may try again
			 * later), a retransmission is skipped, as if lost */
			if (pd->attempts == 0) {
				d->budget_wait = 1;
				return -1;
			}
			goto sent;
		default:
			return -1;
		}
	}
	if (dht_seal_send(d, p, &pd->addr, m.type, body, blen) != 0)
		return -1;
	d->st.requests_out++;
sent:
	pd->sent = now;
	pd->attempts++;
	/* back off: the first deadline is one RTO, then two, three; the
	 * last transmission waits at least two */
	pd->deadline = now + (uint64_t)dht_rto(d) *
	    (pd->attempts == pd->max_attempts && pd->attempts < 2 ? 2 :
	    pd->attempts);
	dht_wake_at(d, pd->deadline);
	/* a lookup step sent once: after one RTO it no longer holds up the
	 * lookup (as a retransmitted one would not) */
	if (pd->purpose == DHT_P_SEARCH && pd->max_attempts == 1) {
		pd->slow_at = now + dht_rto(d);
		dht_wake_at(d, pd->slow_at);
	}
	return 0;
}

uint64_t
dht_request(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *addr, uint8_t type, enum dht_purpose purpose,
    int search, const uint8_t *target, const uint8_t *payload, size_t plen,
    uint64_t now)
{
	struct dht_pending	*pd;

	d->budget_wait = 0;
	if (d->npending >= d->max_pending)
		return 0;
	pd = &d->pending[d->npending];
	memset(pd, 0, sizeof(*pd));
	do
		pd->txid = dht_rand64(d);
	while (pd->txid == 0);
	memcpy(pd->key, key, DHT_KEY_LEN);
	pd->addr = *addr;
	pd->type = type;
	pd->purpose = (uint8_t)purpose;
	/* relays are not resent on a timeout (their payload is only kept
	 * for one retry with a token); verification is opportunistic; so
	 * is a lookup step to an address only another node named (the
	 * lookup has other candidates, and a victim's address must cost
	 * little: see dhtproved.c); everything else gets a second chance */
	pd->max_attempts = purpose == DHT_P_RELAY || purpose == DHT_P_VERIFY ||
	    (purpose == DHT_P_SEARCH && !dht_addr_proved(d, key, addr, now)) ?
	    1 : DHT_ATTEMPTS;
	pd->search = search;
	if (target != NULL)
		memcpy(pd->target, target, DHT_KEY_LEN);
	if (purpose == DHT_P_RELAY && plen > 0) {
		if (plen > DHT_MAX_RELAY_PAYLOAD ||
		    (pd->payload = dht_alloc(d, plen)) == NULL)
			return 0;
		memcpy(pd->payload, payload, plen);
		pd->plen = (uint16_t)plen;
	}
	if (pending_send(d, pd, payload, plen, now) != 0) {
		dht_pending_release(d, pd);
		return 0;
	}
	d->npending++;
	return pd->txid;
}

void
dht_pending_release(struct dht *d, struct dht_pending *pd)
{
	dht_free(d, pd->payload, pd->plen);
	pd->payload = NULL;
	pd->plen = 0;
}

struct dht_pending *
dht_pending_find(struct dht *d, uint64_t txid)
{
	unsigned	i;

	for (i = 0; i < d->npending; i++)
		if (d->pending[i].txid == txid)
			return &d->pending[i];
	return NULL;
}

int
dht_pending_to(const struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	unsigned	i;

	for (i = 0; i < d->npending; i++)
		if (memcmp(d->pending[i].key, key, DHT_KEY_LEN) == 0)
			return 1;
	return 0;
}

/* Remove a finished request, remembering its id for a while so that a
 * late answer (after a retransmission or a timeout) is told apart from an
 * unsolicited one. */
void
dht_pending_remove(struct dht *d, unsigned i)
{
	d->recent[d->nrecent++ % DHT_RECENT] = d->pending[i].txid;
	d->pending[i] = d->pending[--d->npending];
}

int
dht_pending_recent(const struct dht *d, uint64_t txid)
{
	unsigned	i;

	for (i = 0; i < DHT_RECENT; i++)
		if (d->recent[i] == txid)
			return 1;
	return 0;
}

static void
pending_failed(struct dht *d, const struct dht_pending *pd, uint64_t now)
{
	struct dht_peer	*p;
	uint8_t		 id[DHT_ID_LEN];

	d->st.timeouts++;
	dhtbudget_failed(d, &pd->addr, pd->charged, now);
	/* unanswered: our token there may be stale (see pending_send), the
	 * next request goes without it */
	if ((p = dhtkeys_lookup(d, pd->key)) != NULL)
		p->token_at = 0;
	dht_node_id(d, id, pd->key);
	switch (pd->purpose) {
	case DHT_P_SEARCH:
		dht_node_failed(d, pd->key, id, now);
		dhtsearch_timeout(d, pd->search, pd->key, 1, now);
		break;
	case DHT_P_VERIFY:
		dht_mark_bad(d, pd->key, now);
		break;
	case DHT_P_CHECK:
	case DHT_P_REFRESH:
		dht_node_failed(d, pd->key, id, now);
		break;
	case DHT_P_REGISTER:
		dht_node_failed(d, pd->key, id, now);
		dhtrv_register_failed(d, pd->key, now);
		break;
	case DHT_P_RELAY:
		if (d->cb.on_relay_result != NULL)
			d->cb.on_relay_result(d->cb.arg, pd->key, pd->target,
			    -1);
		break;
	}
}

void
dht_pending_periodic(struct dht *d, uint64_t now)
{
	struct dht_pending	pd;
	unsigned		i = 0;

	while (i < d->npending) {
		struct dht_pending *p = &d->pending[i];

		if (p->slow_at != 0 && p->slow_at <= now && p->deadline > now) {
			p->slow_at = 0;
			/* (a lookup step only adds requests at the end) */
			dhtsearch_slow(d, p->search, p->key, now);
			i++;
			continue;
		}
		if (p->deadline > now) {
			i++;
			continue;
		}
		if (p->attempts < p->max_attempts &&
		    pending_send(d, p, NULL, 0, now) == 0) {
			if (p->purpose == DHT_P_SEARCH)
				dhtsearch_timeout(d, p->search, p->key, 0, now);
			i++;
			continue;
		}
		pd = *p;
		dht_pending_remove(d, i);
		pending_failed(d, &pd, now);
		dht_pending_release(d, &pd);
	}
}
