/* The relay's forwarding table and per-source rate limit: pure, see
 * relay.h.
 *
 * Entries live in a fixed array; two open-addressing indexes (by address,
 * by id) point into it. Lookups skip expired entries; removals and address
 * changes (rare: expiry, roaming) mark the indexes stale and they are
 * rebuilt before the next lookup. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/ratelimit.h"
#include "nat/natep.h"
#include "nat/relay.h"

struct relay_entry {
	uint8_t			key[RELAY_KEY_LEN];
	struct sockaddr_in6	addr;
	uint64_t		expires;	/* 0: free */
	uint64_t		bound_until;	/* a BIND set the address */
	uint64_t		nonce;		/* newest BIND's */
	struct ratelimit_bucket	b;		/* tokens are bytes */
};

struct relay {
	struct relay_config	 cfg;
	struct relay_entry	*e;
	unsigned		 n;		/* slots in use (high mark) */
	unsigned		*by_addr, *by_id;	/* entry + 1; 0 empty */
	unsigned		 mask;		/* index size - 1 */
	int			 stale;
	struct relay_stats	 st;
	struct ratelimit_bucket	 cap;		/* all sources: bytes */
	uint64_t		 cap_burst;
	uint8_t			 secret[2][RELAY_SECRET_LEN];	/* now, prev */
	uint64_t		 secret_at[2];	/* 0: none */
};

struct relay *
relay_new(const struct relay_config *cfg)
{
	struct relay	*r;
	unsigned	 size = 16;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->cfg = *cfg;
	if (r->cfg.max_entries == 0)
		r->cfg.max_entries = RELAY_DEF_ENTRIES;
	if (r->cfg.rate == 0)
		r->cfg.rate = RELAY_DEF_RATE;
	if (r->cfg.burst == 0) {
		r->cfg.burst = r->cfg.rate == UINT64_MAX ? UINT64_MAX :
		    r->cfg.rate / 8;
		if (r->cfg.burst < 65536)
			r->cfg.burst = 65536;
	}
	if (r->cfg.rate != UINT64_MAX && r->cfg.burst > (1ULL << 40))
		r->cfg.burst = 1ULL << 40;	/* * 1000 must not overflow */
	if (r->cfg.cap == 0)
		r->cfg.cap = RELAY_DEF_CAP;
	if (r->cfg.cap != UINT64_MAX) {
		r->cap_burst = r->cfg.cap / 8;
		if (r->cfg.burst != UINT64_MAX && r->cap_burst < r->cfg.burst)
			r->cap_burst = r->cfg.burst;
		if (r->cap_burst < 65536)
			r->cap_burst = 65536;
		if (r->cap_burst > (1ULL << 40))
			r->cap_burst = 1ULL << 40;
		ratelimit_bucket_init(&r->cap, r->cap_burst, 0);
	}
	if (r->cfg.ttl_ms == 0)
		r->cfg.ttl_ms = RELAY_DEF_TTL_MS;
	while (size < 2 * r->cfg.max_entries)
		size *= 2;
	r->mask = size - 1;
	r->e = calloc(r->cfg.max_entries, sizeof(*r->e));
	r->by_addr = calloc(size, sizeof(*r->by_addr));
	r->by_id = calloc(size, sizeof(*r->by_id));
	if (r->e == NULL || r->by_addr == NULL || r->by_id == NULL) {
		relay_free(r);
		return NULL;
	}
	return r;
}

void
relay_free(struct relay *r)
{
	if (r == NULL)
		return;
	free(r->e);
	free(r->by_addr);
	free(r->by_id);
	memset(r->secret, 0, sizeof(r->secret));
	free(r);
}

static uint64_t
hash(const struct relay *r, const uint8_t *p, size_t n)
{
	uint64_t	h = 0xcbf29ce484222325ULL ^ r->cfg.seed;
	size_t		i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t
hash_addr(const struct relay *r, const struct sockaddr_in6 *a)
{
	uint8_t	b[18];

	memcpy(b, &a->sin6_addr, 16);
	memcpy(b + 16, &a->sin6_port, 2);
	return hash(r, b, sizeof(b));
}

static int
live(const struct relay_entry *e, uint64_t now)
{
	return e->expires > now;
}

static void
index_put(struct relay *r, unsigned *tab, uint64_t h, unsigned idx)
{
	unsigned	i = (unsigned)h & r->mask;

	while (tab[i] != 0)
		i = (i + 1) & r->mask;
	tab[i] = idx + 1;
}

static void
rebuild(struct relay *r, uint64_t now)
{
	unsigned	i, top = 0;

	memset(r->by_addr, 0, (r->mask + 1) * sizeof(*r->by_addr));
	memset(r->by_id, 0, (r->mask + 1) * sizeof(*r->by_id));
	r->st.entries = 0;
	for (i = 0; i < r->n; i++) {
		if (!live(&r->e[i], now)) {
			memset(&r->e[i], 0, sizeof(r->e[i]));
			continue;
		}
		index_put(r, r->by_addr, hash_addr(r, &r->e[i].addr), i);
		index_put(r, r->by_id, hash(r, r->e[i].key, RELAY_ID_LEN), i);
		r->st.entries++;
		top = i + 1;
	}
	r->n = top;
	r->stale = 0;
}

static struct relay_entry *
find_addr(struct relay *r, const struct sockaddr_in6 *a, uint64_t now)
{
	unsigned		i = (unsigned)hash_addr(r, a) & r->mask;
	struct relay_entry	*e;

	if (r->stale)
		rebuild(r, now);
	for (; r->by_addr[i] != 0; i = (i + 1) & r->mask) {
		e = &r->e[r->by_addr[i] - 1];
		if (natep_eq(&e->addr, a) && live(e, now))
			return e;
	}
	return NULL;
}

static struct relay_entry *
find_id(struct relay *r, const uint8_t *id, uint64_t now)
{
	unsigned		i = (unsigned)hash(r, id, RELAY_ID_LEN) & r->mask;
	struct relay_entry	*e;

	if (r->stale)
		rebuild(r, now);
	for (; r->by_id[i] != 0; i = (i + 1) & r->mask) {
		e = &r->e[r->by_id[i] - 1];
		if (memcmp(e->key, id, RELAY_ID_LEN) == 0 && live(e, now))
			return e;
	}
	return NULL;
}

/* Insert or update key at addr; *e_out is the entry. keep_bound: leave
 * an address a recent BIND set (the DHT's registration may be older). */
static enum relay_bind_result
put(struct relay *r, const uint8_t *key, const struct sockaddr_in6 *addr,
    uint64_t now, int keep_bound, struct relay_entry **e_out)
{
	struct relay_entry	*e, *other;
	unsigned		 i;

	if ((e = find_id(r, key, now)) != NULL) {
		if (memcmp(e->key, key, RELAY_KEY_LEN) != 0)
			return RELAY_BIND_CLASH;
		if (!natep_eq(&e->addr, addr) &&
		    !(keep_bound && e->bound_until > now)) {
			/* the member moved: whoever held the new address
			 * before is gone from it */
			if ((other = find_addr(r, addr, now)) != NULL &&
			    other != e)
				other->expires = 0;
			e->addr = *addr;
			r->stale = 1;
		}
		*e_out = e;
		return RELAY_BIND_OK;
	}
	for (i = 0; i < r->cfg.max_entries; i++)
		if (!live(&r->e[i], now))
			break;
	if (i == r->cfg.max_entries)
		return RELAY_BIND_FULL;
	if ((other = find_addr(r, addr, now)) != NULL) {
		other->expires = 0;
		r->stale = 1;
	}
	e = &r->e[i];
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, RELAY_KEY_LEN);
	e->addr = *addr;
	e->expires = now + 1;
	if (r->cfg.rate != UINT64_MAX)
		ratelimit_bucket_init(&e->b, r->cfg.burst, now);
	if (i >= r->n)
		r->n = i + 1;
	if (r->stale)
		rebuild(r, now);
	else {
		index_put(r, r->by_addr, hash_addr(r, addr), i);
		index_put(r, r->by_id, hash(r, key, RELAY_ID_LEN), i);
		r->st.entries++;
	}
	*e_out = e;
	return RELAY_BIND_OK;
}

enum relay_bind_result
relay_bind(struct relay *r, const uint8_t *key,
    const struct sockaddr_in6 *addr, uint64_t nonce, uint64_t now)
{
	struct relay_entry	*e;
	enum relay_bind_result	 res;

	if ((e = find_id(r, key, now)) != NULL &&
	    memcmp(e->key, key, RELAY_KEY_LEN) == 0 && nonce <= e->nonce) {
		r->st.bind_refused++;
		return RELAY_BIND_REPLAY;
	}
	if ((res = put(r, key, addr, now, 0, &e)) != RELAY_BIND_OK) {
		r->st.bind_refused++;
		return res;
	}
	e->nonce = nonce;
	e->bound_until = now + r->cfg.ttl_ms;
	if (e->expires < now + r->cfg.ttl_ms)
		e->expires = now + r->cfg.ttl_ms;
	r->st.binds++;
	return RELAY_BIND_OK;
}

enum relay_bind_result
relay_client(struct relay *r, const uint8_t *key,
    const struct sockaddr_in6 *addr, uint64_t expires, uint64_t now)
{
	struct relay_entry	*e;
	enum relay_bind_result	 res;

	if (expires <= now)
		return RELAY_BIND_OK;
	if ((res = put(r, key, addr, now, 1, &e)) != RELAY_BIND_OK)
		return res;
	if (e->expires < expires)
		e->expires = expires;
	return RELAY_BIND_OK;
}

int
relay_known(const struct relay *r, const uint8_t *key, uint64_t now)
{
	unsigned	i;

	/* not on the forwarding path: a scan keeps this const */
	for (i = 0; i < r->n; i++)
		if (live(&r->e[i], now) &&
		    memcmp(r->e[i].key, key, RELAY_KEY_LEN) == 0)
			return 1;
	return 0;
}

static int
take(struct relay *r, struct relay_entry *e, size_t len, uint64_t now)
{
	if (r->cfg.rate == UINT64_MAX)
		return 1;
	return ratelimit_bucket_take(&e->b, r->cfg.rate, r->cfg.burst,
	    (uint64_t)len, now);
}

/* The source's bucket first: a source over its own rate must not use up
 * the cap for everyone else (the other way round, a datagram the cap
 * refuses costs only its source). */
static int
take_all(struct relay *r, struct relay_entry *e, size_t len, uint64_t now)
{
	if (!take(r, e, len, now))
		return 0;
	if (r->cfg.cap != UINT64_MAX && !ratelimit_bucket_take(&r->cap,
	    r->cfg.cap, r->cap_burst, (uint64_t)len, now)) {
		r->st.capped++;
		return 0;
	}
	return 1;
}

enum relay_verdict
relay_forward(struct relay *r, const struct sockaddr_in6 *from,
    const uint8_t *id, size_t len, uint64_t now, struct sockaddr_in6 *to,
    uint8_t src_id[RELAY_ID_LEN])
{
	struct relay_entry	*src, *dst;
	enum relay_verdict	 v;

	if ((src = find_addr(r, from, now)) == NULL)
		v = RELAY_UNBOUND;
	else if ((dst = find_id(r, id, now)) == NULL)
		v = RELAY_UNKNOWN;
	else if (dst == src)
		v = RELAY_LOOP;
	else if (!take_all(r, src, len, now))
		v = RELAY_RATE;
	else {
		*to = dst->addr;
		memcpy(src_id, src->key, RELAY_ID_LEN);
		r->st.forwarded++;
		r->st.forwarded_bytes += len;
		return RELAY_FORWARD;
	}
	r->st.drops[v]++;
	return v;
}

int
relay_secret_due(const struct relay *r, uint64_t now)
{
	return r->secret_at[0] == 0 || now < r->secret_at[0] ||
	    now - r->secret_at[0] >= RELAY_SECRET_MS;
}

void
relay_secret_rotate(struct relay *r, const uint8_t fresh[RELAY_SECRET_LEN],
    uint64_t now)
{
	memcpy(r->secret[1], r->secret[0], RELAY_SECRET_LEN);
	r->secret_at[1] = r->secret_at[0];
	memcpy(r->secret[0], fresh, RELAY_SECRET_LEN);
	r->secret_at[0] = now != 0 ? now : 1;
}

const uint8_t *
relay_secret(const struct relay *r, int prev, uint64_t now)
{
	int	i = prev ? 1 : 0;

	/* a secret makes cookies for one turn; the previous one takes them
	 * for another: any secret older than two turns takes none */
	if (r->secret_at[i] == 0 || now < r->secret_at[i] ||
	    now - r->secret_at[i] >= 2 * (uint64_t)RELAY_SECRET_MS)
		return NULL;
	return r->secret[i];
}

uint64_t
relay_expire(struct relay *r, uint64_t now)
{
	uint64_t	next = UINT64_MAX;
	unsigned	i;

	for (i = 0; i < r->n; i++) {
		if (r->e[i].expires == 0)
			continue;
		if (!live(&r->e[i], now))
			r->stale = 1;
		else if (r->e[i].expires < next)
			next = r->e[i].expires;
	}
	if (r->stale)
		rebuild(r, now);
	return next;
}

void
relay_get_stats(const struct relay *r, struct relay_stats *st)
{
	*st = r->st;
}

const char *
relay_verdict_name(enum relay_verdict v)
{
	static const char *const names[] = RELAY_VERDICT_NAMES;

	_Static_assert(sizeof(names) / sizeof(names[0]) == RELAY_VERDICT_COUNT,
	    "RELAY_VERDICT_NAMES names every enum relay_verdict");
	return (unsigned)v < RELAY_VERDICT_COUNT && names[v] != NULL ?
	    names[v] : "?";
}
