/* The instance and the public API that is not packet handling: create and
 * destroy, bootstrap contacts, lookups and relays, statistics and the
 * accessors for `mesh show`; and the small allocation/random helpers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dhtint.h"
#include "pow.h"

static const char *const drop_names[] = DHT_DROP_NAMES;
_Static_assert(sizeof(drop_names) / sizeof(drop_names[0]) == DHT_DROP_MAX,
    "DHT_DROP_NAMES names every enum dht_drop");

const char *
dht_drop_name(enum dht_drop r)
{
	return (unsigned)r < DHT_DROP_MAX && drop_names[r] != NULL ?
	    drop_names[r] : "?";
}

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

struct dht *
dht_create(const struct dht_config *cfg, const struct dht_callbacks *cb,
    uint64_t now, const char **why)
{
	struct dht	*d;
	const char	*ns = cfg->ns != NULL ? cfg->ns : "public";
	unsigned	 kc, rp;
	size_t		 n = 0;

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
	dht_node_id(d, d->id, d->pk);
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
	d->kc_salt = dht_rand64(d);
	if ((n = keycache_init(&d->kc, kc, DHT_KC_WAYS, d->kc_salt)) != 0)
		d->mem += n;
	d->nreplaysets = (rp + DHT_RP_WAYS - 1) / DHT_RP_WAYS;
	d->peers = dht_alloc(d, sizeof(*d->peers) * keycache_slots(&d->kc));
	d->replay = dht_alloc(d, sizeof(*d->replay) * d->nreplaysets *
	    DHT_RP_WAYS);
	d->replay_horizon = dht_alloc(d, sizeof(*d->replay_horizon) *
	    d->nreplaysets);
	d->pending = dht_alloc(d, sizeof(*d->pending) * d->max_pending);
	if (n == 0 || d->peers == NULL || d->replay == NULL ||
	    d->pending == NULL ||
	    d->replay_horizon == NULL) {
		dht_destroy(d);
		*why = "out of memory";
		return NULL;
	}
	dhttable_init(&d->table, d->id);
	d->reply_rate = cfg->reply_rate ? cfg->reply_rate : DHT_DEF_REPLY_RATE;
	d->reply_burst = cfg->reply_burst ? cfg->reply_burst :
	    2 * d->reply_rate;
	ratelimit_bucket_init(&d->reply_rl, d->reply_burst, now);
	d->dh_rate = cfg->dh_rate ? cfg->dh_rate : DHT_DEF_DH_RATE;
	d->dh_burst = 2 * d->dh_rate;
	ratelimit_bucket_init(&d->dh_rl, d->dh_burst, now);
	dhttoken_rotate(d, now);
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
	unsigned	i;

	if (d == NULL)
		return;
	dhtsearch_free_all(d);
	for (i = 0; i < d->npending; i++)
		dht_pending_release(d, &d->pending[i]);
	dht_free(d, d->peers, sizeof(*d->peers) * keycache_slots(&d->kc));
	keycache_free(&d->kc);
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
	dht_node_id(d, id, key);
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
