/* Rendezvous and relay.
 *
 * A NAT-ed node registers with the DHT_RV_MAX reachable nodes closest to its
 * own ID (found by its self-lookup) and repeats the REGISTER every
 * keepalive interval, which also keeps its NAT mapping towards them open.
 * Those are exactly the nodes a lookup for its key converges on; they answer
 * FIND for its ID with a "served" record (its key and the endpoint they see
 * it at): "reachable through me". A rendezvous that stops answering is
 * replaced by the next closest node of the table.
 *
 * A reachable node serves up to max_clients such nodes. A registration
 * needs a valid address token (so nobody can point a registration at a
 * victim's address), carries a timestamp that must grow (an old REGISTER
 * replayed from elsewhere cannot move it), and lasts DHT_RV_LIFETIME.
 *
 * RELAY asks a rendezvous to pass an opaque payload to a client it serves;
 * it is forwarded as RELAYED with the requester's key and observed address
 * (only with a valid address token: the client may punch towards that
 * address; without one the answer is TOKEN and the requester asks once more
 * with the token that answer carried), rate-limited per client, and accepted by the client only from a node it
 * is registered with (or was, until that registration lapses: lookups may
 * still find it there). */
#include "config.h"

#include <string.h>

#include "dhtint.h"

struct dht_rvnode *
dhtrv_find(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	unsigned	i;

	for (i = 0; i < DHT_RV_MAX; i++)
		if (d->rv[i].used &&
		    memcmp(d->rv[i].key, key, DHT_KEY_LEN) == 0)
			return &d->rv[i];
	return NULL;
}

/* We move away from a live rendezvous: its registration of us lasts a
 * while longer and it keeps answering lookups for us, so its relays are
 * still accepted until then. */
static void
rv_retire(struct dht *d, struct dht_rvnode *rv, uint64_t now)
{
	struct dht_rvold	*o = &d->rv_old[0];
	unsigned		 i;

	if (rv->active) {
		for (i = 1; i < DHT_RV_OLD; i++)
			if (d->rv_old[i].until < o->until)
				o = &d->rv_old[i];
		memcpy(o->key, rv->key, DHT_KEY_LEN);
		o->until = now + DHT_RV_LIFETIME * 1000ULL;
	}
	memset(rv, 0, sizeof(*rv));
}

int
dhtrv_accepts_relay(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    uint64_t now)
{
	struct dht_rvnode	*rv = dhtrv_find(d, key);
	unsigned		 i;

	if (rv != NULL && rv->active)
		return 1;
	for (i = 0; i < DHT_RV_OLD; i++)
		if (d->rv_old[i].until > now &&
		    memcmp(d->rv_old[i].key, key, DHT_KEY_LEN) == 0)
			return 1;
	return 0;
}

static void
rv_register(struct dht *d, struct dht_rvnode *rv, uint64_t now)
{
	if (rv->inflight)
		return;
	rv->next_ka = now + d->keepalive_ms;
	if (dht_request(d, rv->key, &rv->addr, DHTMSG_REGISTER, DHT_P_REGISTER,
	    0, NULL, NULL, 0, now) != 0)
		rv->inflight = 1;
}

static struct dht_rvnode *
rv_add(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *addr, uint64_t now)
{
	struct dht_rvnode	*rv;
	unsigned		 i;

	if (dhtrv_find(d, key) != NULL || dht_is_bad(d, key, now))
		return NULL;
	for (i = 0; i < DHT_RV_MAX; i++) {
		rv = &d->rv[i];
		if (rv->used)
			continue;
		memset(rv, 0, sizeof(*rv));
		memcpy(rv->key, key, DHT_KEY_LEN);
		dht_node_id(d, rv->id, key);
		rv->addr = *addr;
		rv->used = 1;
		rv_register(d, rv, now);
		return rv;
	}
	return NULL;
}

void
dhtrv_forget(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	struct dht_rvnode	*rv = dhtrv_find(d, key);

	if (rv != NULL)
		memset(rv, 0, sizeof(*rv));
}

static unsigned
rv_count(const struct dht *d)
{
	unsigned	i, n = 0;

	for (i = 0; i < DHT_RV_MAX; i++)
		n += d->rv[i].used;
	return n;
}

void
dhtrv_consider(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr, uint64_t now)
{
	struct dht_rvnode	*far = NULL;
	unsigned		 i;

	if (d->reachable || dhtrv_find(d, key) != NULL)
		return;
	for (i = 0; i < DHT_RV_MAX; i++) {
		if (!d->rv[i].used) {
			rv_add(d, key, addr, now);
			return;
		}
		if (far == NULL || dhttable_cmp(d->id, d->rv[i].id, far->id) > 0)
			far = &d->rv[i];
	}
	/* lookups for us end at the closest nodes: follow them */
	if (dhttable_cmp(d->id, id, far->id) < 0 && !dht_is_bad(d, key, now)) {
		rv_retire(d, far, now);
		rv_add(d, key, addr, now);
	}
}

/* Fill empty slots with the table's closest nodes to our ID. */
static void
rv_fill(struct dht *d, uint64_t now)
{
	struct dhttable_node	*near[DHT_K];
	size_t			 n, i;

	if (d->reachable || rv_count(d) == DHT_RV_MAX)
		return;
	n = dhttable_closest(&d->table, d->id, near, DHT_K, NULL, 1);
	for (i = 0; i < n && rv_count(d) < DHT_RV_MAX; i++)
		rv_add(d, near[i]->key, &near[i]->addr, now);
}

void
dhtrv_self_done(struct dht *d, const struct dhtmsg_contact *closest, size_t n,
    uint64_t now)
{
	size_t		want, i, j;
	int		keep;

	if (d->reachable)
		return;
	/* the closest live nodes are where lookups for us will end: move
	 * there, dropping registrations outside that set */
	want = n < DHT_RV_MAX ? n : DHT_RV_MAX;
	if (want == DHT_RV_MAX) {
		for (j = 0; j < DHT_RV_MAX; j++) {
			if (!d->rv[j].used)
				continue;
			for (keep = 0, i = 0; i < want; i++)
				if (memcmp(closest[i].key, d->rv[j].key,
				    DHT_KEY_LEN) == 0)
					keep = 1;
			if (!keep)
				rv_retire(d, &d->rv[j], now);
		}
	}
	for (i = 0; i < n && rv_count(d) < DHT_RV_MAX; i++)
		rv_add(d, closest[i].key, &closest[i].addr, now);
	rv_fill(d, now);
}

void
dhtrv_registered(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dhtmsg *m, uint64_t now)
{
	struct dht_rvnode	*rv = dhtrv_find(d, key);

	if (rv == NULL)
		return;
	rv->inflight = 0;
	switch (m->status) {
	case DHTMSG_ST_OK:
		rv->active = 1;
		rv->token_retry = 0;
		rv->next_ka = now + d->keepalive_ms;
		break;
	case DHTMSG_ST_TOKEN:
		/* the answer carried a token: register again with it */
		if (!rv->token_retry) {
			rv->token_retry = 1;
			rv_register(d, rv, now);
			break;
		}
		/* FALLTHROUGH */
	default:
		dht_mark_bad(d, key, now);
		memset(rv, 0, sizeof(*rv));
		rv_fill(d, now);
		break;
	}
}

void
dhtrv_register_failed(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    uint64_t now)
{
	struct dht_rvnode	*rv = dhtrv_find(d, key);

	if (rv == NULL)
		return;
	memset(rv, 0, sizeof(*rv));
	rv_fill(d, now);
}

void
dhtrv_periodic(struct dht *d, uint64_t now)
{
	struct dht_client	*c;
	unsigned		 i;

	if (!d->reachable) {
		rv_fill(d, now);
		for (i = 0; i < DHT_RV_MAX; i++)
			if (d->rv[i].used && now >= d->rv[i].next_ka)
				rv_register(d, &d->rv[i], now);
	}
	for (i = 0; i < d->nclients_cap && d->nclients > 0; i++) {
		c = &d->clients[i];
		if (c->expires != 0 && c->expires <= now) {
			memset(c, 0, sizeof(*c));
			d->nclients--;
		}
	}
}

/* --- serving NAT-ed nodes ---------------------------------------------- */

static struct dht_client *
client_by_key(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now)
{
	unsigned	i;

	for (i = 0; i < d->nclients_cap; i++)
		if (d->clients[i].expires > now &&
		    memcmp(d->clients[i].key, key, DHT_KEY_LEN) == 0)
			return &d->clients[i];
	return NULL;
}

const struct dht_client *
dhtrv_client_by_id(struct dht *d, const uint8_t id[DHT_ID_LEN], uint64_t now)
{
	unsigned	i;

	if (d->nclients == 0)
		return NULL;
	for (i = 0; i < d->nclients_cap; i++)
		if (d->clients[i].expires > now &&
		    memcmp(d->clients[i].id, id, DHT_ID_LEN) == 0)
			return &d->clients[i];
	return NULL;
}

/* A free slot in a grown client table, or NULL at max_clients. */
static struct dht_client *
client_grow(struct dht *d)
{
	struct dht_client	*c;
	unsigned		 cap = d->nclients_cap ? d->nclients_cap * 2 : 4;

	if (d->nclients_cap >= d->max_clients)
		return NULL;
	if (cap > d->max_clients)
		cap = d->max_clients;
	if ((c = dht_alloc(d, cap * sizeof(*c))) == NULL)
		return NULL;
	if (d->clients != NULL)
		memcpy(c, d->clients, d->nclients_cap * sizeof(*c));
	dht_free(d, d->clients, d->nclients_cap * sizeof(*c));
	d->clients = c;
	c = &d->clients[d->nclients_cap];
	d->nclients_cap = cap;
	return c;
}

int
dhtrv_handle_register(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *from, const struct dhtmsg *m, int token_ok,
    uint64_t now, struct dhtmsg *r)
{
	struct dht_client	*c;
	unsigned		 i;

	r->type = DHTMSG_REGISTERED;
	if (!d->reachable) {
		r->status = DHTMSG_ST_UNREACHABLE;
		return 1;
	}
	if (!token_ok) {
		r->status = DHTMSG_ST_TOKEN;
		return 1;
	}
	if ((c = client_by_key(d, key, now)) != NULL) {
		if (m->ts <= c->last_ts) {
			dht_drop_count(d, DHT_DROP_REPLAY);
			return 0;
		}
	} else {
		for (i = 0; i < d->nclients_cap; i++) {
			if (d->clients[i].expires <= now) {
				c = &d->clients[i];
				break;
			}
		}
		if (c == NULL && (c = client_grow(d)) == NULL) {
			r->status = DHTMSG_ST_FULL;
			return 1;
		}
		if (c->expires == 0)
			d->nclients++;
		memset(c, 0, sizeof(*c));
		memcpy(c->key, key, DHT_KEY_LEN);
		dht_node_id(d, c->id, key);
		ratelimit_bucket_init(&c->relay, DHT_RELAY_BURST, now);
	}
	c->addr = *from;
	c->last_ts = m->ts;
	c->expires = now + DHT_RV_LIFETIME * 1000ULL;
	r->status = DHTMSG_ST_OK;
	r->lifetime = DHT_RV_LIFETIME;
	return 1;
}

int
dhtrv_handle_relay(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *from, const struct dhtmsg *m, int token_ok,
    uint64_t now, struct dhtmsg *r)
{
	struct dht_client	*c;
	struct dhtmsg		 f;

	r->type = DHTMSG_RELAY_ACK;
	if ((c = client_by_key(d, m->target, now)) == NULL) {
		r->status = DHTMSG_ST_UNKNOWN;
		return 1;
	}
	/* the client punches towards the origin we report: only an origin
	 * that proved it receives there (a token round trip), or anyone
	 * could aim our clients at a victim */
	if (!token_ok) {
		r->status = DHTMSG_ST_TOKEN;
		return 1;
	}
	if (!ratelimit_bucket_take(&c->relay, DHT_RELAY_RATE,
	    DHT_RELAY_BURST, 1, now)) {
		r->status = DHTMSG_ST_FULL;
		return 1;
	}
	memset(&f, 0, sizeof(f));
	f.type = DHTMSG_RELAYED;
	f.txid = dht_rand64(d);
	f.ts = d->cb.wallclock(d->cb.arg);
	f.flags = DHTMSG_F_REACHABLE;
	memcpy(f.target, key, DHT_KEY_LEN);
	f.origin = *from;
	f.payload = m->payload;
	f.payload_len = m->payload_len;
	if (dht_send_msg(d, c->key, &c->addr, &f, now) != 0) {
		r->status = DHTMSG_ST_UNKNOWN;
		return 1;
	}
	d->st.relays_forwarded++;
	r->status = DHTMSG_ST_OK;
	return 1;
}

void
dhtrv_handle_relayed(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *from, const struct dhtmsg *m, uint64_t now)
{
	/* dht.c checked that key may pass us relays (dhtrv_accepts_relay) */
	(void)key;
	(void)from;
	(void)now;
	d->st.relays_delivered++;
	if (d->cb.on_relayed != NULL)
		d->cb.on_relayed(d->cb.arg, m->target, &m->origin, m->payload,
		    m->payload_len);
}

size_t
dht_rendezvous(const struct dht *d, struct dht_rv_info *out, size_t max)
{
	size_t		n = 0;
	unsigned	i;

	for (i = 0; i < DHT_RV_MAX && n < max; i++) {
		if (!d->rv[i].used)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].key, d->rv[i].key, DHT_KEY_LEN);
		out[n].addr = d->rv[i].addr;
		out[n].active = d->rv[i].active;
		n++;
	}
	return n;
}

size_t
dht_clients(const struct dht *d, struct dht_rv_info *out, size_t max)
{
	size_t		n = 0;
	unsigned	i;

	for (i = 0; i < d->nclients_cap && n < max; i++) {
		if (d->clients[i].expires == 0)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].key, d->clients[i].key, DHT_KEY_LEN);
		out[n].addr = d->clients[i].addr;
		out[n].active = 1;
		out[n].expires = d->clients[i].expires;
		n++;
	}
	return n;
}
