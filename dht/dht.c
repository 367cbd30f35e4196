/* The DHT instance: packets in and out, pair keys, replay and rate limits,
 * address tokens, pending requests, routing table upkeep and the timers.
 * Lookups live in dhtsearch.c, rendezvous and relay in dhtrv.c. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhtint.h"
#include "pow.h"

static const char *drop_names[DHT_DROP_MAX] = {
	"short", "long", "type", "self", "workbit", "dhlimit", "auth",
	"decode", "stale", "replay", "unsolicited", "late", "ratelimit",
	"refused",
};

const char *
dht_drop_name(enum dht_drop r)
{
	return (unsigned)r < DHT_DROP_MAX ? drop_names[r] : "?";
}

/* --- addresses --------------------------------------------------------- */

int
dht_addr_from_sockaddr(struct dht_addr *a, const struct sockaddr *sa)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		a->family = DHT_AF_INET;
		memcpy(a->addr, &sin.sin_addr, 4);
		a->port = ntohs(sin.sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		a->port = ntohs(sin6.sin6_port);
		if (memcmp(&sin6.sin6_addr, mapped, sizeof(mapped)) == 0) {
			a->family = DHT_AF_INET;
			memcpy(a->addr, (uint8_t *)&sin6.sin6_addr + 12, 4);
		} else {
			a->family = DHT_AF_INET6;
			memcpy(a->addr, &sin6.sin6_addr, 16);
		}
		return 0;
	}
	return -1;
}

size_t
dht_addr_to_sockaddr(const struct dht_addr *a, struct sockaddr *ss)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	if (a->family == DHT_AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->addr, 4);
		sin.sin_port = htons(a->port);
		memcpy(ss, &sin, sizeof(sin));
		return sizeof(sin);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_addr, a->addr, 16);
	sin6.sin6_port = htons(a->port);
	memcpy(ss, &sin6, sizeof(sin6));
	return sizeof(sin6);
}

int
dht_addr_set_v4(struct dht_addr *a, uint32_t ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = DHT_AF_INET;
	a->addr[0] = (uint8_t)(ip >> 24);
	a->addr[1] = (uint8_t)(ip >> 16);
	a->addr[2] = (uint8_t)(ip >> 8);
	a->addr[3] = (uint8_t)ip;
	a->port = port;
	return port == 0 ? -1 : 0;
}

int
dht_addr_eq(const struct dht_addr *a, const struct dht_addr *b)
{
	size_t	n = a->family == DHT_AF_INET ? 4 : 16;

	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, n) == 0;
}

const char *
dht_addr_format(char out[DHT_ADDR_STRLEN], const struct dht_addr *a)
{
	char	host[INET6_ADDRSTRLEN];

	if (a->family == DHT_AF_INET) {
		inet_ntop(AF_INET, a->addr, host, sizeof(host));
		snprintf(out, DHT_ADDR_STRLEN, "%s:%u", host, a->port);
	} else if (a->family == DHT_AF_INET6) {
		inet_ntop(AF_INET6, a->addr, host, sizeof(host));
		snprintf(out, DHT_ADDR_STRLEN, "[%s]:%u", host, a->port);
	} else
		snprintf(out, DHT_ADDR_STRLEN, "?");
	return out;
}

int
dht_is_dht_packet(const uint8_t *buf, size_t len)
{
	return len > 0 && buf[0] >= DHT_TYPE_MIN && buf[0] <= DHT_TYPE_MAX;
}

/* --- small helpers ----------------------------------------------------- */

void *
dht_alloc(struct dht *d, size_t n)
{
	void	*p = calloc(1, n);

	if (p != NULL)
		d->mem += n;
	return p;
}

void
dht_free(struct dht *d, void *p, size_t n)
{
	if (p == NULL)
		return;
	dhtcrypto_wipe(p, n);
	free(p);
	d->mem -= n;
}

uint64_t
dht_rand64(struct dht *d)
{
	uint64_t	v;

	d->cb.random(d->cb.arg, &v, sizeof(v));
	return v;
}

void
dht_wake_at(struct dht *d, uint64_t t)
{
	if (t < d->wake)
		d->wake = t;
}

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

static void
rtt_sample(struct dht *d, uint64_t sample)
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

static void
load_id(struct dht *d, uint8_t id[DHT_ID_LEN], const uint8_t key[DHT_KEY_LEN])
{
	dhtcrypto_node_id(id, d->ns, d->nslen, key);
}

void
dht_node_id(const struct dht *d, uint8_t id[DHT_ID_LEN],
    const uint8_t key[DHT_KEY_LEN])
{
	dhtcrypto_node_id(id, d->ns, d->nslen, key);
}

const uint8_t *
dht_public_key(const struct dht *d)
{
	return d->pk;
}

/* --- pair keys --------------------------------------------------------- */

static unsigned
peer_set(const struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	uint64_t	h;

	memcpy(&h, key, sizeof(h));
	h = (h ^ d->kc_salt) * 0x9e3779b97f4a7c15ULL;
	return (unsigned)(h >> 32) & (d->npeersets - 1);
}

/* A key's tag: its first bytes, never 0 (0 marks a free way). The tags of a
 * set share a cache line, so a miss does not touch the entries. */
static uint64_t
peer_tag(const uint8_t key[DHT_KEY_LEN])
{
	uint64_t	t;

	memcpy(&t, key, sizeof(t));
	return t | 1;
}

static struct dht_peer *
peer_lookup(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	unsigned	 base = peer_set(d, key) * DHT_KC_WAYS, i;
	uint64_t	 tag = peer_tag(key);

	for (i = 0; i < DHT_KC_WAYS; i++)
		if (d->peer_tags[base + i] == tag &&
		    memcmp(d->peers[base + i].key, key, DHT_KEY_LEN) == 0)
			return &d->peers[base + i];
	return NULL;
}

static int
workbit_ok(const struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	return d->workbit == 0 ||
	    pow_workbits(d->ns, d->nslen, key) >= d->workbit;
}

/* Derive the pair key for key (one X25519): 0, or -1 with *why set. */
static int
peer_derive(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    uint8_t pair[DHTCRYPTO_PAIR_LEN], uint64_t now, int incoming,
    enum dht_drop *why)
{
	uint8_t		shared[32];
	int		r;

	if (!workbit_ok(d, key)) {
		*why = DHT_DROP_WORKBIT;
		return -1;
	}
	if (incoming && !ratelimit_bucket_take(&d->dh_rl, d->dh_rate,
	    d->dh_burst, 1, now)) {
		*why = DHT_DROP_DHLIMIT;
		return -1;
	}
	if (d->cb.dh != NULL)
		r = d->cb.dh(d->cb.arg, shared, d->sk, key);
	else
		r = dhtcrypto_x25519(shared, d->sk, key);
	if (r != 0) {
		dhtcrypto_wipe(shared, sizeof(shared));
		*why = DHT_DROP_AUTH;
		return -1;
	}
	d->st.dh_computed++;
	dhtcrypto_pair_key(pair, shared, d->ns, d->nslen, d->pk, key);
	dhtcrypto_wipe(shared, sizeof(shared));
	return 0;
}

/* Cache a pair key, evicting the least recently used entry of its set. */
static struct dht_peer *
peer_insert(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t pair[DHTCRYPTO_PAIR_LEN], uint64_t now)
{
	struct dht_peer	*set, *p;
	unsigned	 base = peer_set(d, key) * DHT_KC_WAYS, i, w = 0;

	set = &d->peers[base];
	/* never the peer whose packet is being handled (its entry is in use
	 * until dht_input returns) */
	if (&set[w] == d->pinned)
		w = 1;
	for (i = 0; i < DHT_KC_WAYS; i++) {
		if (d->peer_tags[base + i] == 0) {
			w = i;
			break;
		}
		if (set[i].used < set[w].used && &set[i] != d->pinned)
			w = i;
	}
	p = &set[w];
	dhtcrypto_wipe(p, sizeof(*p));
	memcpy(p->key, key, DHT_KEY_LEN);
	memcpy(p->pair, pair, DHTCRYPTO_PAIR_LEN);
	load_id(d, p->id, key);
	p->used = now;
	d->peer_tags[base + w] = peer_tag(key);
	return p;
}

/* The cached pair key for a key we are about to send to. */
static struct dht_peer *
peer_get(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now,
    enum dht_drop *why)
{
	struct dht_peer	*p;
	uint8_t		 pair[DHTCRYPTO_PAIR_LEN];

	if ((p = peer_lookup(d, key)) != NULL) {
		p->used = now;
		return p;
	}
	if (peer_derive(d, key, pair, now, 0, why) != 0)
		return NULL;
	p = peer_insert(d, key, pair, now);
	dhtcrypto_wipe(pair, sizeof(pair));
	return p;
}

/* --- replay filter ----------------------------------------------------- */

/*
 * Every accepted request's nonce is remembered until its timestamp leaves
 * the window. When a set is full, the entry with the oldest timestamp is
 * evicted and the set's horizon rises to it; a request that maps to that
 * set and is stamped at or below its horizon is refused, since it might be
 * one we forgot (a replay maps to the same set as its original). So memory
 * is fixed and no replay within the window is ever accepted; under a flood
 * the effective window shrinks instead.
 */
static int
replay_check(struct dht *d, const uint8_t *nonce, const uint8_t *key,
    uint64_t ts, uint64_t wall)
{
	struct dht_replay	*set, *slot = NULL;
	uint64_t		 fp, k, expired, *horizon;
	unsigned		 i, si;

	memcpy(&fp, nonce, sizeof(fp));
	memcpy(&k, key, sizeof(k));
	fp ^= k;
	si = (unsigned)((((fp ^ d->kc_salt) * 0x9e3779b97f4a7c15ULL) >> 32) %
	    d->nreplaysets);
	set = &d->replay[si * DHT_RP_WAYS];
	horizon = &d->replay_horizon[si];
	if (ts <= *horizon)
		return -1;
	expired = wall > d->ts_window_ms ? wall - d->ts_window_ms : 0;
	for (i = 0; i < DHT_RP_WAYS; i++) {
		if (set[i].ts != 0 && set[i].fp == fp)
			return -1;
		if (set[i].ts < expired)
			set[i].ts = 0;
		if (set[i].ts == 0 && slot == NULL)
			slot = &set[i];
	}
	if (slot == NULL) {
		slot = &set[0];
		for (i = 1; i < DHT_RP_WAYS; i++)
			if (set[i].ts < slot->ts)
				slot = &set[i];
		if (slot->ts > *horizon)
			*horizon = slot->ts;
		if (ts <= *horizon)
			return -1;
	}
	slot->fp = fp;
	slot->ts = ts;
	return 0;
}

/* --- address tokens ---------------------------------------------------- */

static void
secrets_rotate(struct dht *d, uint64_t now)
{
	if (d->secret_at != 0 && now < d->secret_at + DHT_TOKEN_ROTATE)
		return;
	memcpy(d->secret[1], d->secret[0], DHTCRYPTO_SECRET_LEN);
	d->cb.random(d->cb.arg, d->secret[0], DHTCRYPTO_SECRET_LEN);
	if (d->secret_at == 0)
		memcpy(d->secret[1], d->secret[0], DHTCRYPTO_SECRET_LEN);
	d->secret_at = now;
}

static int
token_valid(struct dht *d, const struct dht_addr *a,
    const uint8_t key[DHT_KEY_LEN], const uint8_t token[DHTMSG_TOKEN_LEN])
{
	uint8_t	t[DHTMSG_TOKEN_LEN];
	int	i;

	for (i = 0; i < 2; i++) {
		dhtcrypto_token(t, d->secret[i], a, key);
		if (dhtcrypto_memcmp(t, token, DHTMSG_TOKEN_LEN) == 0)
			return 1;
	}
	return 0;
}

/* --- sending ----------------------------------------------------------- */

static int
seal_send(struct dht *d, struct dht_peer *p, const struct dht_addr *to,
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

	if ((p = peer_get(d, key, now, &why)) == NULL)
		return -1;
	if ((blen = dhtmsg_encode(m, body, sizeof(body))) == 0)
		return -1;
	return seal_send(d, p, addr, m->type, body, blen);
}

/* The body size of the largest answer to a request, so that a request
 * without a token can be padded to it (an answer never exceeds the request
 * until the sender's address is validated). */
static size_t
request_pad(uint8_t type, size_t body_len)
{
	size_t	want;

	switch (type) {
	case DHTMSG_PING:
		want = 8 + 1 + 19 + DHTMSG_TOKEN_LEN;
		break;
	case DHTMSG_REGISTER:
		want = 8 + 1 + 19 + DHTMSG_TOKEN_LEN + 3;
		break;
	case DHTMSG_FIND:
		want = DHT_FIND_PAD - DHTMSG_MIN_PACKET;
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
	size_t		 blen;

	if ((p = peer_get(d, pd->key, now, &why)) == NULL)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = pd->type;
	m.txid = pd->txid;
	m.ts = d->cb.wallclock(d->cb.arg);
	m.flags = d->reachable ? DHTMSG_F_REACHABLE : 0;
	memcpy(m.target, pd->target, DHT_KEY_LEN);
	m.payload = payload;
	m.payload_len = plen;
	if (p->token_at != 0 && now < p->token_at + DHT_TOKEN_FRESH) {
		m.flags |= DHTMSG_F_TOKEN;
		memcpy(m.token, p->token, DHTMSG_TOKEN_LEN);
	}
	if ((blen = dhtmsg_encode(&m, body, sizeof(body))) == 0)
		return -1;
	if (!(m.flags & DHTMSG_F_TOKEN) && (m.pad = request_pad(m.type,
	    blen)) > 0 && (blen = dhtmsg_encode(&m, body, sizeof(body))) == 0)
		return -1;
	if (seal_send(d, p, &pd->addr, m.type, body, blen) != 0)
		return -1;
	pd->sent = now;
	pd->attempts++;
	/* back off: the first deadline is one RTO, then two, three; the
	 * last transmission waits at least two */
	pd->deadline = now + (uint64_t)dht_rto(d) *
	    (pd->attempts == pd->max_attempts && pd->attempts < 2 ? 2 :
	    pd->attempts);
	dht_wake_at(d, pd->deadline);
	d->st.requests_out++;
	return 0;
}

uint64_t
dht_request(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *addr, uint8_t type, enum dht_purpose purpose,
    int search, const uint8_t *target, const uint8_t *payload, size_t plen,
    uint64_t now)
{
	struct dht_pending	*pd;

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
	/* relays are not kept to resend; verification is opportunistic;
	 * everything else gets a second chance */
	pd->max_attempts = purpose == DHT_P_RELAY || purpose == DHT_P_VERIFY ?
	    1 : DHT_ATTEMPTS;
	pd->search = search;
	if (target != NULL)
		memcpy(pd->target, target, DHT_KEY_LEN);
	if (pending_send(d, pd, payload, plen, now) != 0)
		return 0;
	d->npending++;
	return pd->txid;
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
static void
pending_remove(struct dht *d, unsigned i)
{
	d->recent[d->nrecent++ % DHT_RECENT] = d->pending[i].txid;
	d->pending[i] = d->pending[--d->npending];
}

static int
recently_done(const struct dht *d, uint64_t txid)
{
	unsigned	i;

	for (i = 0; i < DHT_RECENT; i++)
		if (d->recent[i] == txid)
			return 1;
	return 0;
}

/* --- routing table upkeep ---------------------------------------------- */

int
dht_is_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now)
{
	unsigned	i;

	for (i = 0; i < d->nbad; i++)
		if (memcmp(d->bad[i].key, key, 8) == 0)
			return d->bad[i].until > now;
	return 0;
}

void
dht_mark_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now)
{
	unsigned	i, slot = 0;

	for (i = 0; i < d->nbad; i++) {
		if (memcmp(d->bad[i].key, key, 8) == 0) {
			slot = i;
			goto set;
		}
		if (d->bad[i].until < d->bad[slot].until)
			slot = i;
	}
	if (d->nbad < DHT_BAD_MAX)
		slot = d->nbad++;
set:
	memcpy(d->bad[slot].key, key, 8);
	d->bad[slot].until = now + DHT_BAD_TIME;
}

static void
unmark_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	unsigned	i;

	for (i = 0; i < d->nbad; i++)
		if (memcmp(d->bad[i].key, key, 8) == 0)
			d->bad[i].until = 0;
}

static void
check_node(struct dht *d, struct dhttable_node *n, uint64_t now)
{
	if (n->pinging || dht_pending_to(d, n->key))
		return;
	if (dht_request(d, n->key, &n->addr, DHTMSG_PING, DHT_P_CHECK, 0,
	    NULL, NULL, 0, now) != 0)
		n->pinging = 1;
}

static void
verify_node(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *addr, uint64_t now)
{
	/* keep room for lookups: verification is opportunistic */
	if (d->npending * 2 >= d->max_pending || dht_is_bad(d, key, now) ||
	    dht_pending_to(d, key))
		return;
	dht_request(d, key, addr, DHTMSG_PING, DHT_P_VERIFY, 0, NULL, NULL, 0,
	    now);
}

void
dht_node_answered(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr, uint64_t now)
{
	struct dhttable_node	*q;

	unmark_bad(d, key);
	switch (dhttable_heard(&d->table, key, id, addr, 1, now)) {
	case DHTTABLE_REPLACEMENT:
		/* full bucket: question its least recently seen node */
		if ((q = dhttable_questionable(&d->table, id, now,
		    DHT_STALE)) != NULL)
			check_node(d, q, now);
		break;
	case DHTTABLE_INSERTED:
		dht_wake_at(d, now);	/* a new bucket may need a timer */
		if (!d->reachable)
			dhtrv_consider(d, key, id, addr, now);
		break;
	default:
		break;
	}
}

void
dht_node_failed(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], uint64_t now)
{
	struct dhttable_node	*promoted;

	dht_mark_bad(d, key, now);
	if (dhttable_failed(&d->table, id, &promoted) && promoted != NULL)
		check_node(d, promoted, now);
}

void
dht_node_learned(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr, uint64_t now)
{
	if (dhttable_find(&d->table, id) != NULL)
		return;
	if (dhttable_heard(&d->table, key, id, addr, 0, now) ==
	    DHTTABLE_VERIFY)
		verify_node(d, key, addr, now);
}

int
dht_contact_ok(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    uint8_t id[DHT_ID_LEN])
{
	const struct dht_peer	*p;

	if (memcmp(key, d->pk, DHT_KEY_LEN) == 0)
		return -1;
	/* a cached peer passed the workbit check and has its ID */
	if ((p = peer_lookup(d, key)) != NULL) {
		memcpy(id, p->id, DHT_ID_LEN);
		return 0;
	}
	if (!workbit_ok(d, key))
		return -1;
	load_id(d, id, key);
	return 0;
}

/* A peer told us where it saw us. */
static void
reflexive_note(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *from, const struct dht_addr *observed,
    uint64_t now)
{
	struct dht_reflexive	*r = NULL;
	unsigned		 i, oldest = 0;
	int			 changed = 1;

	for (i = 0; i < d->nrefl; i++) {
		if (memcmp(d->refl[i].peer_key, key, DHT_KEY_LEN) == 0) {
			r = &d->refl[i];
			break;
		}
		if (d->refl[i].when < d->refl[oldest].when)
			oldest = i;
	}
	if (r == NULL)
		r = d->nrefl < DHT_REFLEXIVE_MAX ? &d->refl[d->nrefl++] :
		    &d->refl[oldest];
	else if (dht_addr_eq(&r->observed, observed) &&
	    dht_addr_eq(&r->peer_addr, from))
		changed = 0;
	memcpy(r->peer_key, key, DHT_KEY_LEN);
	r->peer_addr = *from;
	r->observed = *observed;
	r->when = now;
	if (changed && d->cb.on_reflexive != NULL)
		d->cb.on_reflexive(d->cb.arg, key, from, observed);
}

/* --- input ------------------------------------------------------------- */

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
 * contacts, anything else that does not fit is not sent. */
static void
reply(struct dht *d, struct dht_peer *p, const struct dht_addr *to,
    const struct dhtmsg *req, size_t req_len, int token_ok, struct dhtmsg *r)
{
	uint8_t	body[DHTMSG_MAX_BODY];
	size_t	blen;

	r->txid = req->txid;
	r->flags = d->reachable ? DHTMSG_F_REACHABLE : 0;
	r->observed = *to;
	dhtcrypto_token(r->token, d->secret[0], to, p->key);
	for (;;) {
		if ((blen = dhtmsg_encode(r, body, sizeof(body))) == 0) {
			drop(d, DHT_DROP_REFUSED);
			return;
		}
		if (token_ok || DHTMSG_MIN_PACKET + blen <= req_len)
			break;
		if (r->type != DHTMSG_NODES || r->ncontacts == 0) {
			drop(d, DHT_DROP_REFUSED);
			return;
		}
		r->ncontacts--;
	}
	if (seal_send(d, p, to, r->type, body, blen) == 0)
		d->st.replies_out++;
}

static void
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
	reply(d, p, from, m, len, token_ok, &r);
}

static void
handle_request(struct dht *d, struct dht_peer *p, const uint8_t id[DHT_ID_LEN],
    const struct dht_addr *from, const struct dhtmsg *m,
    const struct dhtmsg_hdr *h, size_t len, uint64_t now)
{
	struct dhtmsg		 r;
	uint64_t		 wall = d->cb.wallclock(d->cb.arg);
	int			 token_ok;

	if (m->ts + d->ts_window_ms < wall || m->ts > wall + d->ts_window_ms) {
		drop(d, DHT_DROP_STALE);
		return;
	}
	if (replay_check(d, h->nonce, h->key, m->ts, wall) != 0) {
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
	    token_valid(d, from, p->key, m->token);

	/* the sender is alive; a reachable one may earn a table slot */
	if (m->flags & DHTMSG_F_REACHABLE) {
		if (dhttable_heard(&d->table, p->key, id, from, 0, now) ==
		    DHTTABLE_VERIFY)
			verify_node(d, p->key, from, now);
	} else
		dhttable_remove(&d->table, id);

	memset(&r, 0, sizeof(r));
	switch (m->type) {
	case DHTMSG_PING:
		r.type = DHTMSG_PONG;
		reply(d, p, from, m, len, token_ok, &r);
		break;
	case DHTMSG_FIND:
		handle_find(d, p, from, m, len, token_ok, now);
		break;
	case DHTMSG_REGISTER:
		if (dhtrv_handle_register(d, p->key, from, m, token_ok, now,
		    &r))
			reply(d, p, from, m, len, token_ok, &r);
		break;
	case DHTMSG_RELAY:
		if (dhtrv_handle_relay(d, p->key, from, m, now, &r))
			reply(d, p, from, m, len, token_ok, &r);
		break;
	case DHTMSG_RELAYED:
		dhtrv_handle_relayed(d, p->key, from, m, now);
		break;
	}
}

static void
handle_response(struct dht *d, struct dht_peer *p, const uint8_t id[DHT_ID_LEN],
    const struct dht_addr *from, const struct dhtmsg *m, uint64_t now)
{
	struct dht_pending	pd;
	unsigned		i;

	for (i = 0; i < d->npending; i++) {
		if (d->pending[i].txid == m->txid)
			break;
	}
	if (i == d->npending ||
	    memcmp(d->pending[i].key, p->key, DHT_KEY_LEN) != 0 ||
	    !dht_addr_eq(&d->pending[i].addr, from) ||
	    dhtmsg_response_type(d->pending[i].type) != m->type) {
		drop(d, i == d->npending && recently_done(d, m->txid) ?
		    DHT_DROP_LATE : DHT_DROP_UNSOLICITED);
		return;
	}
	pd = d->pending[i];
	pending_remove(d, i);
	d->st.responses_in++;
	if (pd.attempts == 1)	/* Karn: no samples from retransmissions */
		rtt_sample(d, now - pd.sent);

	memcpy(p->token, m->token, DHTMSG_TOKEN_LEN);
	p->token_at = now;
	reflexive_note(d, p->key, from, &m->observed, now);
	if (m->flags & DHTMSG_F_REACHABLE)
		dht_node_answered(d, p->key, id, from, now);
	else
		dhttable_remove(&d->table, id);

	switch (pd.purpose) {
	case DHT_P_SEARCH:
		dhtsearch_response(d, pd.search, p->key, from, m, now);
		break;
	case DHT_P_REFRESH:
		for (i = 0; i < m->ncontacts; i++) {
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
		if (d->cb.on_relay_result != NULL)
			d->cb.on_relay_result(d->cb.arg, p->key, pd.target,
			    m->status == DHTMSG_ST_OK ? 1 : 0);
		break;
	default:
		break;
	}
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
	if ((p = peer_lookup(d, h.key)) != NULL) {
		blen = dhtcrypto_open(body, h.sealed, h.sealed_len, buf,
		    1 + DHT_KEY_LEN, h.nonce, p->pair);
	} else {
		if (peer_derive(d, h.key, pair, now, 1, &why) != 0) {
			drop(d, why);
			return d->wake;
		}
		blen = dhtcrypto_open(body, h.sealed, h.sealed_len, buf,
		    1 + DHT_KEY_LEN, h.nonce, pair);
		if (blen >= 0)
			p = peer_insert(d, h.key, pair, now);
		dhtcrypto_wipe(pair, sizeof(pair));
	}
	if (blen < 0) {
		drop(d, DHT_DROP_AUTH);
		return d->wake;
	}
	p->used = now;
	if (dhtmsg_decode(h.type, body, (size_t)blen, &m) != 0) {
		drop(d, DHT_DROP_DECODE);
		return d->wake;
	}
	d->pinned = p;
	if (dhtmsg_is_request(h.type))
		handle_request(d, p, p->id, from, &m, &h, len, now);
	else
		handle_response(d, p, p->id, from, &m, now);
	d->pinned = NULL;
	return d->wake;
}

/* --- timers ------------------------------------------------------------ */

static void
pending_failed(struct dht *d, const struct dht_pending *pd, uint64_t now)
{
	uint8_t	id[DHT_ID_LEN];

	d->st.timeouts++;
	load_id(d, id, pd->key);
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

static void
pending_periodic(struct dht *d, uint64_t now)
{
	struct dht_pending	pd;
	unsigned		i = 0;

	while (i < d->npending) {
		struct dht_pending *p = &d->pending[i];

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
		pending_remove(d, i);
		pending_failed(d, &pd, now);
	}
}

static uint64_t
jitter(struct dht *d, uint32_t base)
{
	/* base plus up to a quarter more, so timers do not synchronise */
	return base + dht_rand64(d) % (base / 4 + 1);
}

static void
refresh_bucket(struct dht *d, unsigned i, uint64_t now)
{
	struct dhttable_bucket	*b = d->table.b[i];
	struct dhttable_node	*n, *q;
	uint8_t			 rnd[DHT_ID_LEN], target[DHT_ID_LEN];
	unsigned		 k, pick;

	b->refresh_at = now + jitter(d, d->refresh_ms);
	if (b->count == 0)
		return;
	/* one FIND for a random ID in the bucket's range, to a live node */
	d->cb.random(d->cb.arg, rnd, sizeof(rnd));
	dhttable_random_id(&d->table, i, target, rnd);
	pick = (unsigned)(dht_rand64(d) % b->count);
	for (k = 0; k < b->count; k++) {
		n = &b->n[(pick + k) % b->count];
		if (n->fails == 0 && !n->pinging)
			break;
	}
	if (k < b->count && !dht_pending_to(d, n->key))
		dht_request(d, n->key, &n->addr, DHTMSG_FIND, DHT_P_REFRESH, 0,
		    target, NULL, 0, now);
	/* and question the node we heard from least recently */
	if ((q = dhttable_questionable(&d->table, b->n[0].id, now,
	    d->refresh_ms)) != NULL)
		check_node(d, q, now);
}

static void
maintain(struct dht *d, uint64_t now)
{
	struct dhttable_bucket	*b;
	unsigned		 i;

	secrets_rotate(d, now);
	if (now >= d->next_self || (d->table.nodes < DHT_K / 2 &&
	    d->nboots > 0 && now >= d->next_boot)) {
		if (!dhtsearch_active(d, DHTSEARCH_SELF))
			dhtsearch_start(d, DHTSEARCH_SELF, d->id, NULL, NULL,
			    NULL, now);
		d->next_boot = now + DHT_BOOT_RETRY;
		if (now >= d->next_self) {
			/* a NAT-ed node must keep its rendezvous among the
			 * closest nodes to its ID, which move fast in a young
			 * network: 30 s after start, then doubling up to the
			 * refresh interval. A reachable node hears of new
			 * neighbours through their own requests. */
			d->next_self = now + jitter(d, d->reachable ?
			    d->refresh_ms : d->self_gap);
			d->self_gap = d->self_gap * 2 < d->refresh_ms ?
			    d->self_gap * 2 : d->refresh_ms;
		}
	}
	for (i = 0; i < d->table.top; i++) {
		if ((b = d->table.b[i]) == NULL)
			continue;
		if (b->refresh_at == 0)
			b->refresh_at = now + jitter(d, d->refresh_ms);
		else if (b->refresh_at <= now)
			refresh_bucket(d, i, now);
	}
}

static uint64_t
compute_wake(struct dht *d, uint64_t now)
{
	uint64_t	w = d->secret_at + DHT_TOKEN_ROTATE;
	unsigned	i;

#define MINW(t) do { if ((t) < w) w = (t); } while (0)
	MINW(d->next_self);
	if (d->table.nodes < DHT_K / 2 && d->nboots > 0)
		MINW(d->next_boot);
	for (i = 0; i < d->npending; i++)
		MINW(d->pending[i].deadline);
	for (i = 0; i < d->table.top; i++)
		if (d->table.b[i] != NULL)
			MINW(d->table.b[i]->refresh_at);
	for (i = 0; i < DHT_RV_MAX; i++)
		if (d->rv[i].used && !d->rv[i].inflight)
			MINW(d->rv[i].next_ka);
	if (!d->reachable)
		MINW(now + d->keepalive_ms);	/* rendezvous upkeep */
#undef MINW
	return w < now ? now : w;
}

uint64_t
dht_periodic(struct dht *d, uint64_t now)
{
	pending_periodic(d, now);
	maintain(d, now);
	dhtrv_periodic(d, now);
	dhtsearch_periodic(d, now);
	d->wake = dhtsearch_wake(d, compute_wake(d, now), now);
	return d->wake;
}

uint64_t
dht_next_wakeup(const struct dht *d)
{
	return d->wake;
}

/* --- API --------------------------------------------------------------- */

struct dht *
dht_create(const struct dht_config *cfg, const struct dht_callbacks *cb,
    uint64_t now, const char **why)
{
	struct dht	*d;
	const char	*ns = cfg->ns != NULL ? cfg->ns : "public";
	unsigned	 kc, rp;

	*why = NULL;
	if (cfg->secret_key == NULL)
		*why = "no private key";
	else if (strlen(ns) > DHT_MAX_NS)
		*why = "namespace too long";
	else if (cb->send == NULL || cb->random == NULL ||
	    cb->wallclock == NULL)
		*why = "send, random and wallclock callbacks are required";
	else if (cfg->workbit > POW_MAX_BITS)
		*why = "workbit out of range";
	else if (dhtcrypto_init() != 0)
		*why = "libsodium failed to initialise";
	if (*why != NULL)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	d->mem = sizeof(*d);
	d->cb = *cb;
	memcpy(d->sk, cfg->secret_key, DHT_KEY_LEN);
	dhtcrypto_public(d->pk, d->sk);
	d->nslen = strlen(ns);
	memcpy(d->ns, ns, d->nslen);
	load_id(d, d->id, d->pk);
	d->workbit = cfg->workbit;
	d->reachable = cfg->reachable != 0;
	d->max_pending = cfg->max_pending ? cfg->max_pending : DHT_DEF_PENDING;
	d->max_searches = cfg->max_searches ? cfg->max_searches :
	    DHT_DEF_SEARCHES;
	d->max_clients = cfg->max_clients ? cfg->max_clients : DHT_DEF_CLIENTS;
	d->refresh_ms = cfg->refresh_ms ? cfg->refresh_ms : DHT_DEF_REFRESH;
	d->keepalive_ms = cfg->keepalive_ms ? cfg->keepalive_ms :
	    DHT_DEF_KEEPALIVE;
	/* a registration must be renewed well before it lapses */
	if (d->keepalive_ms > DHT_RV_LIFETIME * 1000 / 2)
		d->keepalive_ms = DHT_RV_LIFETIME * 1000 / 2;
	d->ts_window_ms = cfg->ts_window_ms ? cfg->ts_window_ms :
	    DHT_DEF_TS_WINDOW;
	kc = cfg->key_cache ? cfg->key_cache : DHT_DEF_KEYCACHE;
	rp = cfg->replay_cache ? cfg->replay_cache : DHT_DEF_REPLAY;
	for (d->npeersets = 1; d->npeersets * DHT_KC_WAYS < kc; )
		d->npeersets *= 2;	/* a power of two */
	d->nreplaysets = (rp + DHT_RP_WAYS - 1) / DHT_RP_WAYS;
	d->peers = dht_alloc(d, sizeof(*d->peers) * d->npeersets *
	    DHT_KC_WAYS);
	d->peer_tags = dht_alloc(d, sizeof(*d->peer_tags) * d->npeersets *
	    DHT_KC_WAYS);
	d->replay = dht_alloc(d, sizeof(*d->replay) * d->nreplaysets *
	    DHT_RP_WAYS);
	d->replay_horizon = dht_alloc(d, sizeof(*d->replay_horizon) *
	    d->nreplaysets);
	d->pending = dht_alloc(d, sizeof(*d->pending) * d->max_pending);
	if (d->peers == NULL || d->peer_tags == NULL || d->replay == NULL ||
	    d->pending == NULL ||
	    d->replay_horizon == NULL) {
		dht_destroy(d);
		*why = "out of memory";
		return NULL;
	}
	dhttable_init(&d->table, d->id);
	d->kc_salt = dht_rand64(d);
	d->reply_rate = cfg->reply_rate ? cfg->reply_rate : DHT_DEF_REPLY_RATE;
	d->reply_burst = cfg->reply_burst ? cfg->reply_burst :
	    2 * d->reply_rate;
	ratelimit_bucket_init(&d->reply_rl, d->reply_burst, now);
	d->dh_rate = cfg->dh_rate ? cfg->dh_rate : DHT_DEF_DH_RATE;
	d->dh_burst = 2 * d->dh_rate;
	ratelimit_bucket_init(&d->dh_rl, d->dh_burst, now);
	secrets_rotate(d, now);
	d->next_search_id = 1;
	d->next_self = now;
	d->self_gap = DHT_SELF_FIRST < d->refresh_ms ? DHT_SELF_FIRST :
	    d->refresh_ms;
	d->next_boot = now;
	d->wake = now;
	return d;
}

void
dht_destroy(struct dht *d)
{
	if (d == NULL)
		return;
	dhtsearch_free_all(d);
	dht_free(d, d->peers, sizeof(*d->peers) * d->npeersets * DHT_KC_WAYS);
	dht_free(d, d->peer_tags, sizeof(*d->peer_tags) * d->npeersets *
	    DHT_KC_WAYS);
	dht_free(d, d->replay, sizeof(*d->replay) * d->nreplaysets *
	    DHT_RP_WAYS);
	dht_free(d, d->replay_horizon, sizeof(*d->replay_horizon) *
	    d->nreplaysets);
	dht_free(d, d->pending, sizeof(*d->pending) * d->max_pending);
	dht_free(d, d->clients, sizeof(*d->clients) * d->nclients_cap);
	dhttable_free(&d->table);
	dhtcrypto_wipe(d, sizeof(*d));
	free(d);
}

int
dht_add_boot(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *addr, uint64_t now)
{
	unsigned	i;

	if (memcmp(key, d->pk, DHT_KEY_LEN) == 0 ||
	    (addr->family != DHT_AF_INET && addr->family != DHT_AF_INET6) ||
	    addr->port == 0)
		return -1;
	for (i = 0; i < d->nboots; i++) {
		if (memcmp(d->boots[i].key, key, DHT_KEY_LEN) == 0) {
			d->boots[i].addr = *addr;
			return 0;
		}
	}
	if (d->nboots >= DHT_MAX_BOOTS)
		return -1;
	memcpy(d->boots[d->nboots].key, key, DHT_KEY_LEN);
	d->boots[d->nboots].addr = *addr;
	d->nboots++;
	if (d->table.nodes < DHT_K / 2) {
		d->next_boot = now;
		dht_wake_at(d, now);
	}
	return 0;
}

void
dht_set_reachable(struct dht *d, int reachable, uint64_t now)
{
	reachable = reachable != 0;
	if (reachable == d->reachable)
		return;
	d->reachable = reachable;
	if (reachable) {
		memset(d->rv, 0, sizeof(d->rv));
		memset(d->rv_old, 0, sizeof(d->rv_old));
	} else {
		/* stop serving: our clients will notice and move */
		dht_free(d, d->clients, sizeof(*d->clients) *
		    d->nclients_cap);
		d->clients = NULL;
		d->nclients = d->nclients_cap = 0;
	}
	dht_wake_at(d, now);
}

int
dht_search(struct dht *d, const uint8_t key[DHT_KEY_LEN], dht_search_cb *cb,
    void *arg, uint64_t now)
{
	uint8_t	id[DHT_ID_LEN];

	if (memcmp(key, d->pk, DHT_KEY_LEN) == 0 || cb == NULL)
		return -1;
	load_id(d, id, key);
	return dhtsearch_start(d, DHTSEARCH_KEY, id, key, cb, arg, now);
}

int
dht_search_cancel(struct dht *d, int search)
{
	return dhtsearch_cancel(d, search);
}

int
dht_relay(struct dht *d, const uint8_t rv_key[DHT_KEY_LEN],
    const struct dht_addr *rv_addr, const uint8_t target[DHT_KEY_LEN],
    const uint8_t *payload, size_t len, uint64_t now)
{
	if (len > DHT_MAX_RELAY_PAYLOAD || (payload == NULL && len > 0) ||
	    memcmp(rv_key, d->pk, DHT_KEY_LEN) == 0 ||
	    (rv_addr->family != DHT_AF_INET &&
	    rv_addr->family != DHT_AF_INET6) || rv_addr->port == 0)
		return -1;
	if (dht_request(d, rv_key, rv_addr, DHTMSG_RELAY, DHT_P_RELAY, 0,
	    target, payload, len, now) == 0)
		return -1;
	return 0;
}

void
dht_get_stats(const struct dht *d, struct dht_stats *st)
{
	unsigned	i;

	*st = d->st;
	st->table_nodes = d->table.nodes;
	st->table_replacements = d->table.repl;
	st->table_buckets = d->table.buckets;
	st->searches_active = d->nsearches;
	st->pending = d->npending;
	st->clients = d->nclients;
	st->rendezvous = 0;
	for (i = 0; i < DHT_RV_MAX; i++)
		if (d->rv[i].used && d->rv[i].active)
			st->rendezvous++;
	st->reachable = d->reachable;
	st->mem_routing = sizeof(d->table) + d->table.mem +
	    sizeof(*d->clients) * d->nclients_cap;
	st->mem_total = d->mem + d->table.mem;
}

int
dht_foreach_node(const struct dht *d,
    int (*fn)(void *arg, const struct dht_node_info *n), void *arg)
{
	const struct dhttable_bucket	*b;
	struct dht_node_info		 ni;
	unsigned			 i, k;
	int				 r;

	for (i = 0; i < d->table.top; i++) {
		if ((b = d->table.b[i]) == NULL)
			continue;
		for (k = 0; k < b->count; k++) {
			memset(&ni, 0, sizeof(ni));
			memcpy(ni.key, b->n[k].key, DHT_KEY_LEN);
			ni.addr = b->n[k].addr;
			ni.bucket = i;
			ni.last_seen = b->n[k].last_seen;
			ni.fails = b->n[k].fails;
			if ((r = fn(arg, &ni)) != 0)
				return r;
		}
	}
	for (i = 0; i < d->table.top; i++) {
		if ((b = d->table.b[i]) == NULL)
			continue;
		for (k = 0; k < b->rcount; k++) {
			memset(&ni, 0, sizeof(ni));
			memcpy(ni.key, b->r[k].key, DHT_KEY_LEN);
			ni.addr = b->r[k].addr;
			ni.bucket = i;
			ni.replacement = 1;
			ni.last_seen = b->r[k].seen;
			if ((r = fn(arg, &ni)) != 0)
				return r;
		}
	}
	return 0;
}

size_t
dht_reflexive(const struct dht *d, struct dht_reflexive *out, size_t max)
{
	struct dht_reflexive	tmp;
	size_t			n = 0, i, j;

	for (i = 0; i < d->nrefl && n < max; i++)
		out[n++] = d->refl[i];
	/* most recent first */
	for (i = 1; i < n; i++) {
		tmp = out[i];
		for (j = i; j > 0 && out[j - 1].when < tmp.when; j--)
			out[j] = out[j - 1];
		out[j] = tmp;
	}
	return n;
}
