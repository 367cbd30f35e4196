/* The DHT instance's packets: sealing and sending messages, and input:
 * authentication, replay and rate checks, answering requests (never more
 * than the request until the sender's address is validated) and matching
 * responses to our pending requests. The rest of the instance: dhtapi.c
 * (create, API), dhtkeys.c (pair keys), dhtreplay.c, dhttoken.c,
 * dhtpending.c (our requests), dhtupkeep.c (table upkeep, timers);
 * lookups in dhtsearch.c, rendezvous and relay in dhtrv.c. */
#include "config.h"

#include <string.h>

#include "dhtint.h"

int
dht_seal_send(struct dht *d, struct dht_peer *p, const struct dht_addr *to,
    uint8_t type, const uint8_t *body, size_t blen)
{
	uint8_t	pkt[DHT_MAX_PACKET];
	size_t	len = DHTMSG_MIN_PACKET + blen;

	if (len > sizeof(pkt))
		return -1;
	pkt[0] = type;
	memcpy(pkt + 1, d->pk, DHT_KEY_LEN);
	d->cb.random(d->cb.arg, pkt + 1 + DHT_KEY_LEN, DHTMSG_NONCE_LEN);
	dhtcrypto_seal(pkt + DHTMSG_HDR_LEN, body, blen, pkt, 1 + DHT_KEY_LEN,
	    pkt + 1 + DHT_KEY_LEN, p->pair);
	d->cb.send(d->cb.arg, to, pkt, len);
	d->st.pkts_out++;
	d->st.bytes_out += len;
	return 0;
}

int
dht_send_msg(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *addr, const struct dhtmsg *m, uint64_t now)
{
	uint8_t		 body[DHTMSG_MAX_BODY];
	struct dht_peer	*p;
	enum dht_drop	 why;
	size_t		 blen;

	if ((p = dhtkeys_get(d, key, now, &why)) == NULL)
		return -1;
	if ((blen = dhtmsg_encode(m, body, sizeof(body))) == 0)
		return -1;
	return dht_seal_send(d, p, addr, m->type, body, blen);
}

void
dht_drop_count(struct dht *d, enum dht_drop why)
{
	d->st.drops[why]++;
}

static void
drop(struct dht *d, enum dht_drop why)
{
	dht_drop_count(d, why);
}

/* Answer a request. Until the requester's address is validated by a token
 * echo, the answer is no larger than the request: a NODES answer loses
 * contacts, anything else that does not fit is not sent. The answer is all
 * we send to such an address for its request (handle_request). */
static size_t
reply(struct dht *d, struct dht_peer *p, const struct dht_addr *to,
    const struct dhtmsg *req, size_t req_len, int token_ok, struct dhtmsg *r)
{
	uint8_t	body[DHTMSG_MAX_BODY];
	size_t	blen;

	r->txid = req->txid;
	r->flags = d->reachable ? DHTMSG_F_REACHABLE : 0;
	r->observed = *to;
	dhttoken_make(d, r->token, to, p->key);
	for (;;) {
		if ((blen = dhtmsg_encode(r, body, sizeof(body))) == 0) {
			drop(d, DHT_DROP_REFUSED);
			return 0;
		}
		if (token_ok || DHTMSG_MIN_PACKET + blen <= req_len)
			break;
		if (r->type != DHTMSG_NODES || r->ncontacts == 0) {
			drop(d, DHT_DROP_REFUSED);
			return 0;
		}
		r->ncontacts--;
	}
	if (dht_seal_send(d, p, to, r->type, body, blen) != 0)
		return 0;
	d->st.replies_out++;
	return DHTMSG_MIN_PACKET + blen;
}

static size_t
handle_find(struct dht *d, struct dht_peer *p, const struct dht_addr *from,
    const struct dhtmsg *m, size_t len, int token_ok, uint64_t now)
{
	struct dhttable_node	*near[DHT_K];
	const struct dht_client	*c;
	struct dhtmsg		 r;
	size_t			 i, n;

	memset(&r, 0, sizeof(r));
	r.type = DHTMSG_NODES;
	n = dhttable_closest(&d->table, m->target, near, DHT_K, p->key, 1);
	for (i = 0; i < n; i++) {
		memcpy(r.contacts[i].key, near[i]->key, DHT_KEY_LEN);
		r.contacts[i].addr = near[i]->addr;
	}
	r.ncontacts = (unsigned)n;
	/* "reachable through me": we serve the NAT-ed owner of target */
	if ((c = dhtrv_client_by_id(d, m->target, now)) != NULL) {
		memcpy(r.served.key, c->key, DHT_KEY_LEN);
		r.served.addr = c->addr;
		r.nserved = 1;
	}
	return reply(d, p, from, m, len, token_ok, &r);
}

static void
handle_request(struct dht *d, struct dht_peer *p, const uint8_t id[DHT_ID_LEN],
    const struct dht_addr *from, const struct dhtmsg *m,
    const struct dhtmsg_hdr *h, size_t len, uint64_t now)
{
	struct dhtmsg		 r;
	uint64_t		 wall = d->cb.wallclock(d->cb.arg);
	size_t			 sent = 0;
	int			 token_ok, verify = 0;

	if (m->ts + d->ts_window_ms < wall || m->ts > wall + d->ts_window_ms) {
		drop(d, DHT_DROP_STALE);
		return;
	}
	if (dhtreplay_check(d, h->nonce, h->key, m->ts, wall) != 0) {
		drop(d, DHT_DROP_REPLAY);
		return;
	}
	/* only our rendezvous nodes may pass us relayed packets */
	if (m->type == DHTMSG_RELAYED && !dhtrv_accepts_relay(d, p->key, now)) {
		drop(d, DHT_DROP_REFUSED);
		return;
	}
	if (m->type != DHTMSG_RELAYED && !ratelimit_bucket_take(&d->reply_rl,
	    d->reply_rate, d->reply_burst, 1, now)) {
		drop(d, DHT_DROP_RATELIMIT);
		return;
	}
	d->st.requests_in++;
	token_ok = (m->flags & DHTMSG_F_TOKEN) &&
	    dhttoken_valid(d, from, p->key, m->token);

	/* the sender is alive; a reachable one may earn a table slot
	 * (verified below) */
	if (m->flags & DHTMSG_F_REACHABLE)
		verify = dhttable_heard(&d->table, p->key, id, from, 0, now) ==
		    DHTTABLE_VERIFY;
	else
		dhttable_remove(&d->table, id);

	memset(&r, 0, sizeof(r));
	switch (m->type) {
	case DHTMSG_PING:
		r.type = DHTMSG_PONG;
		sent = reply(d, p, from, m, len, token_ok, &r);
		break;
	case DHTMSG_FIND:
		sent = handle_find(d, p, from, m, len, token_ok, now);
		break;
	case DHTMSG_REGISTER:
		if (dhtrv_handle_register(d, p->key, from, m, token_ok, now,
		    &r))
			sent = reply(d, p, from, m, len, token_ok, &r);
		break;
	case DHTMSG_RELAY:
		if (dhtrv_handle_relay(d, p->key, from, m, token_ok, now, &r))
			sent = reply(d, p, from, m, len, token_ok, &r);
		break;
	case DHTMSG_RELAYED:
		dhtrv_handle_relayed(d, p->key, from, m, now);
		break;
	}
	/* The verification ping goes to an address that has not proved it
	 * receives only if it fits, with the answer, in the request's size:
	 * on top of it, it would make us an amplifier towards a spoofed
	 * source. Otherwise the node is verified when it talks to us again
	 * and echoes the token of our answer. */
	if (verify && (token_ok || sent + DHT_VERIFY_MAX <= len))
		dht_verify_node(d, p->key, from, now);
}

static void
handle_response(struct dht *d, struct dht_peer *p, const uint8_t id[DHT_ID_LEN],
    const struct dht_addr *from, const struct dhtmsg *m, size_t len,
    uint64_t now)
{
	struct dht_pending	pd, *np;
	unsigned		i;

	for (i = 0; i < d->npending; i++) {
		if (d->pending[i].txid == m->txid)
			break;
	}
	if (i == d->npending ||
	    memcmp(d->pending[i].key, p->key, DHT_KEY_LEN) != 0 ||
	    !dht_addr_eq(&d->pending[i].addr, from) ||
	    dhtmsg_response_type(d->pending[i].type) != m->type) {
		drop(d, i == d->npending && dht_pending_recent(d, m->txid) ?
		    DHT_DROP_LATE : DHT_DROP_UNSOLICITED);
		return;
	}
	pd = d->pending[i];
	dht_pending_remove(d, i);
	d->st.responses_in++;
	if (pd.attempts == 1)	/* Karn: no samples from retransmissions */
		dht_rtt_sample(d, now - pd.sent);

	memcpy(p->token, m->token, DHTMSG_TOKEN_LEN);
	p->token_at = now;
	/* the address answered: it is proved, what we spent on it before
	 * it was is given back to its host's budget, and what the host sent
	 * us pays for unanswered requests to its other ports */
	dht_addr_answered(d, p, from, now);
	dhtbudget_answered(d, from, pd.charged, len, now);
	dht_reflexive_note(d, p->key, from, &m->observed, now);
	if (m->flags & DHTMSG_F_REACHABLE)
		dht_node_answered(d, p->key, id, from, now);
	else
		dhttable_remove(&d->table, id);

	switch (pd.purpose) {
	case DHT_P_SEARCH:
		dhtsearch_response(d, pd.search, p->key, from, m, now);
		break;
	case DHT_P_REFRESH:
		for (i = 0; i < m->ncontacts && !dht_is_liar(d, p->key, now);
		    i++) {
			uint8_t	cid[DHT_ID_LEN];

			if (dht_contact_ok(d, m->contacts[i].key, cid) == 0)
				dht_node_learned(d, m->contacts[i].key, cid,
				    &m->contacts[i].addr, now);
		}
		break;
	case DHT_P_REGISTER:
		dhtrv_registered(d, p->key, m, now);
		break;
	case DHT_P_RELAY:
		/* the rendezvous wants our address proved: ask once more,
		 * with the token this answer carried */
		if (m->status == DHTMSG_ST_TOKEN && !pd.token_retry &&
		    (np = dht_pending_find(d, dht_request(d, p->key, from,
		    DHTMSG_RELAY, DHT_P_RELAY, 0, pd.target, pd.payload,
		    pd.plen, now))) != NULL) {
			np->token_retry = 1;
			break;
		}
		if (d->cb.on_relay_result != NULL)
			d->cb.on_relay_result(d->cb.arg, p->key, pd.target,
			    m->status == DHTMSG_ST_OK ? 1 : 0);
		break;
	default:
		break;
	}
	dht_pending_release(d, &pd);
}

uint64_t
dht_input(struct dht *d, const uint8_t *buf, size_t len,
    const struct dht_addr *from, uint64_t now)
{
	uint8_t			 body[DHT_MAX_PACKET];
	uint8_t			 pair[DHTCRYPTO_PAIR_LEN];
	struct dhtmsg_hdr	 h;
	struct dhtmsg		 m;
	struct dht_peer		*p;
	enum dht_drop		 why;
	long			 blen;

	d->st.pkts_in++;
	d->st.bytes_in += len;
	if (from->family != DHT_AF_INET && from->family != DHT_AF_INET6) {
		drop(d, DHT_DROP_REFUSED);
		return d->wake;
	}
	if (dhtmsg_header(buf, len, &h, &why) != 0) {
		drop(d, why);
		return d->wake;
	}
	if (memcmp(h.key, d->pk, DHT_KEY_LEN) == 0) {
		drop(d, DHT_DROP_SELF);
		return d->wake;
	}
	/* a new key is only cached once its packet authenticates, so
	 * garbage cannot push real peers out of the cache */
	if ((p = dhtkeys_lookup(d, h.key)) != NULL) {
		blen = dhtcrypto_open(body, h.sealed, h.sealed_len, buf,
		    1 + DHT_KEY_LEN, h.nonce, p->pair);
	} else {
		if (dhtkeys_derive(d, h.key, pair, now, 1, &why) != 0) {
			drop(d, why);
			return d->wake;
		}
		blen = dhtcrypto_open(body, h.sealed, h.sealed_len, buf,
		    1 + DHT_KEY_LEN, h.nonce, pair);
		if (blen >= 0)
			p = dhtkeys_insert(d, h.key, pair, now);
		dhtcrypto_wipe(pair, sizeof(pair));
	}
	if (blen < 0) {
		drop(d, DHT_DROP_AUTH);
		return d->wake;
	}
	dhtkeys_touch(d, p, now);
	if (dhtmsg_decode(h.type, body, (size_t)blen, &m) != 0) {
		drop(d, DHT_DROP_DECODE);
		return d->wake;
	}
	dhtkeys_pin(d, p);
	if (dhtmsg_is_request(h.type))
		handle_request(d, p, p->id, from, &m, &h, len, now);
	else
		handle_response(d, p, p->id, from, &m, len, now);
	dhtkeys_pin(d, NULL);
	return d->wake;
}
