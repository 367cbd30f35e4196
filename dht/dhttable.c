/* The Kademlia routing table (see dhttable.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dhttable.h"

void
dhttable_init(struct dhttable *t, const uint8_t self[DHT_ID_LEN])
{
	memset(t, 0, sizeof(*t));
	memcpy(t->self, self, DHT_ID_LEN);
}

void
dhttable_free(struct dhttable *t)
{
	unsigned	i;

	for (i = 0; i < DHTTABLE_BUCKETS; i++) {
		if (t->b[i] == NULL)
			continue;
		free(t->b[i]->n);
		free(t->b[i]->r);
		free(t->b[i]);
	}
	memset(t, 0, sizeof(*t));
}

unsigned
dhttable_prefix(const uint8_t a[DHT_ID_LEN], const uint8_t b[DHT_ID_LEN])
{
	unsigned	i, n = 0;
	uint8_t		x;

	for (i = 0; i < DHT_ID_LEN; i++) {
		x = a[i] ^ b[i];
		if (x != 0) {
			while ((x & 0x80) == 0) {
				x <<= 1;
				n++;
			}
			return n;
		}
		n += 8;
	}
	return n;
}

int
dhttable_cmp(const uint8_t target[DHT_ID_LEN], const uint8_t a[DHT_ID_LEN],
    const uint8_t b[DHT_ID_LEN])
{
	unsigned	i;
	uint8_t		da, db;

	for (i = 0; i < DHT_ID_LEN; i++) {
		da = a[i] ^ target[i];
		db = b[i] ^ target[i];
		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

static struct dhttable_bucket *
bucket_of(struct dhttable *t, const uint8_t id[DHT_ID_LEN], int create)
{
	unsigned	i = dhttable_prefix(t->self, id);

	if (i >= DHTTABLE_BUCKETS)
		return NULL;
	if (t->b[i] == NULL && create) {
		if ((t->b[i] = calloc(1, sizeof(*t->b[i]))) == NULL)
			return NULL;
		t->mem += sizeof(*t->b[i]);
		t->buckets++;
		if (i + 1 > t->top)
			t->top = i + 1;
	}
	return t->b[i];
}

/* Room for one more node in b (growing 2, 4, 8, 16, DHT_K); 0 or -1. */
static int
bucket_room(struct dhttable *t, struct dhttable_bucket *b)
{
	struct dhttable_node	*n;
	unsigned		 cap;

	if (b->count < b->cap)
		return 0;
	if (b->cap >= DHT_K)
		return -1;
	cap = b->cap == 0 ? 2 : b->cap * 2;
	if (cap > DHT_K)
		cap = DHT_K;
	if ((n = realloc(b->n, cap * sizeof(*n))) == NULL)
		return -1;
	t->mem += (cap - b->cap) * sizeof(*n);
	b->n = n;
	b->cap = cap;
	return 0;
}

static struct dhttable_node *
bucket_find(struct dhttable_bucket *b, const uint8_t id[DHT_ID_LEN])
{
	unsigned	i;

	for (i = 0; i < b->count; i++)
		if (memcmp(b->n[i].id, id, DHT_ID_LEN) == 0)
			return &b->n[i];
	return NULL;
}

static int
repl_find(struct dhttable_bucket *b, const uint8_t id[DHT_ID_LEN])
{
	unsigned	i;

	for (i = 0; i < b->rcount; i++)
		if (memcmp(b->r[i].id, id, DHT_ID_LEN) == 0)
			return (int)i;
	return -1;
}

static void
repl_remove(struct dhttable *t, struct dhttable_bucket *b, unsigned i)
{
	b->r[i] = b->r[--b->rcount];
	t->repl--;
}

struct dhttable_node *
dhttable_find(struct dhttable *t, const uint8_t id[DHT_ID_LEN])
{
	struct dhttable_bucket	*b = bucket_of(t, id, 0);

	return b ? bucket_find(b, id) : NULL;
}

enum dhttable_result
dhttable_heard(struct dhttable *t, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr, int verified,
    uint64_t now)
{
	struct dhttable_bucket	*b;
	struct dhttable_node	*n;
	struct dhttable_repl	*r;
	unsigned		 i, oldest;
	int			 ri;

	if (memcmp(id, t->self, DHT_ID_LEN) == 0)
		return DHTTABLE_IGNORED;
	if ((b = bucket_of(t, id, verified)) == NULL) {
		if (verified)
			return DHTTABLE_NOMEM;
		/* no bucket yet: it has room, so it is worth a ping */
		return DHTTABLE_VERIFY;
	}
	if ((n = bucket_find(b, id)) != NULL) {
		if (verified) {
			n->addr = *addr;
			n->last_reply = now;
			n->pinging = 0;
		} else if (!dht_addr_eq(&n->addr, addr))
			return DHTTABLE_VERIFY;	/* moved? prove it */
		n->last_seen = now;
		n->fails = 0;
		return DHTTABLE_UPDATED;
	}
	if (!verified) {
		if (b->count < DHT_K)
			return DHTTABLE_VERIFY;
		/* full: refresh a replacement entry we already hold */
		if ((ri = repl_find(b, id)) >= 0 &&
		    dht_addr_eq(&b->r[ri].addr, addr))
			b->r[ri].seen = now;
		return DHTTABLE_IGNORED;
	}
	if (b->count < DHT_K) {
		if (bucket_room(t, b) != 0)
			return DHTTABLE_NOMEM;
		if ((ri = repl_find(b, id)) >= 0)
			repl_remove(t, b, (unsigned)ri);
		n = &b->n[b->count++];
		memset(n, 0, sizeof(*n));
		memcpy(n->key, key, DHT_KEY_LEN);
		memcpy(n->id, id, DHT_ID_LEN);
		n->addr = *addr;
		n->last_seen = n->last_reply = now;
		t->nodes++;
		return DHTTABLE_INSERTED;
	}
	/* full: remember it as a replacement, the oldest making room */
	if (b->r == NULL) {
		if ((b->r = calloc(DHTTABLE_REPL, sizeof(*b->r))) == NULL)
			return DHTTABLE_NOMEM;
		t->mem += DHTTABLE_REPL * sizeof(*b->r);
	}
	if ((ri = repl_find(b, id)) < 0) {
		if (b->rcount < DHTTABLE_REPL) {
			ri = (int)b->rcount++;
			t->repl++;
		} else {
			for (oldest = 0, i = 1; i < b->rcount; i++)
				if (b->r[i].seen < b->r[oldest].seen)
					oldest = i;
			ri = (int)oldest;
		}
	}
	r = &b->r[ri];
	memcpy(r->key, key, DHT_KEY_LEN);
	memcpy(r->id, id, DHT_ID_LEN);
	r->addr = *addr;
	r->seen = now;
	return DHTTABLE_REPLACEMENT;
}

int
dhttable_failed(struct dhttable *t, const uint8_t id[DHT_ID_LEN],
    struct dhttable_node **promoted)
{
	struct dhttable_bucket	*b = bucket_of(t, id, 0);
	struct dhttable_node	*n;
	unsigned		 i, newest;

	*promoted = NULL;
	if (b == NULL || (n = bucket_find(b, id)) == NULL)
		return 0;
	n->pinging = 0;
	if (n->fails < 255)
		n->fails++;
	if (n->fails < DHTTABLE_MAX_FAILS)
		return 0;
	/* evict; the most recently seen replacement takes the slot */
	if (b->rcount > 0) {
		for (newest = 0, i = 1; i < b->rcount; i++)
			if (b->r[i].seen > b->r[newest].seen)
				newest = i;
		memset(n, 0, sizeof(*n));
		memcpy(n->key, b->r[newest].key, DHT_KEY_LEN);
		memcpy(n->id, b->r[newest].id, DHT_ID_LEN);
		n->addr = b->r[newest].addr;
		n->last_seen = n->last_reply = b->r[newest].seen;
		repl_remove(t, b, newest);
		*promoted = n;
	} else {
		*n = b->n[--b->count];
		t->nodes--;
	}
	return 1;
}

struct dhttable_node *
dhttable_questionable(struct dhttable *t, const uint8_t id[DHT_ID_LEN],
    uint64_t now, uint64_t stale_ms)
{
	struct dhttable_bucket	*b = bucket_of(t, id, 0);
	struct dhttable_node	*lrs = NULL;
	unsigned		 i;

	if (b == NULL)
		return NULL;
	for (i = 0; i < b->count; i++) {
		if (b->n[i].pinging)
			continue;
		if (lrs == NULL || b->n[i].last_seen < lrs->last_seen)
			lrs = &b->n[i];
	}
	if (lrs == NULL)
		return NULL;
	if (lrs->fails == 0 && lrs->last_seen + stale_ms > now)
		return NULL;
	return lrs;
}

/* Insert bucket b's nodes into the sorted out[0..*count) (at most max). */
static void
closest_add(const struct dhttable_bucket *b, const uint8_t target[DHT_ID_LEN],
    struct dhttable_node **out, size_t max, size_t *count, const uint8_t *skip,
    int avoid_failing)
{
	struct dhttable_node	*n;
	size_t			 j;
	unsigned		 k;

	if (b == NULL)
		return;
	for (k = 0; k < b->count; k++) {
		n = &b->n[k];
		if (avoid_failing && n->fails > 0)
			continue;
		if (skip != NULL && memcmp(n->key, skip, DHT_KEY_LEN) == 0)
			continue;
		if (*count == max &&
		    dhttable_cmp(target, n->id, out[max - 1]->id) >= 0)
			continue;
		j = *count < max ? (*count)++ : max - 1;
		while (j > 0 && dhttable_cmp(target, n->id, out[j - 1]->id) < 0) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = n;
	}
}

/*
 * With p = prefix(self, target): every node of bucket p is closer to the
 * target than any node of the buckets above p, which are all closer than
 * those of bucket p - 1, then p - 2, ... (the first bit where a node and the
 * target differ tells). So the buckets are visited in that order and the
 * scan stops at the first group that leaves the answer full.
 */
size_t
dhttable_closest(struct dhttable *t, const uint8_t target[DHT_ID_LEN],
    struct dhttable_node **out, size_t max, const uint8_t *skip,
    int avoid_failing)
{
	size_t		count = 0;
	unsigned	p = dhttable_prefix(t->self, target), i;

	if (max == 0)
		return 0;
	if (p < DHTTABLE_BUCKETS)
		closest_add(t->b[p], target, out, max, &count, skip,
		    avoid_failing);
	if (count == max)
		return count;
	for (i = p + 1; i < t->top; i++)
		closest_add(t->b[i], target, out, max, &count, skip,
		    avoid_failing);
	for (i = p < DHTTABLE_BUCKETS ? p : DHTTABLE_BUCKETS; i > 0 &&
	    count < max; i--)
		closest_add(t->b[i - 1], target, out, max, &count, skip,
		    avoid_failing);
	return count;
}

void
dhttable_remove(struct dhttable *t, const uint8_t id[DHT_ID_LEN])
{
	struct dhttable_bucket	*b = bucket_of(t, id, 0);
	struct dhttable_node	*n;
	int			 ri;

	if (b == NULL)
		return;
	if ((n = bucket_find(b, id)) != NULL) {
		*n = b->n[--b->count];
		t->nodes--;
	}
	if ((ri = repl_find(b, id)) >= 0)
		repl_remove(t, b, (unsigned)ri);
}

void
dhttable_random_id(const struct dhttable *t, unsigned i,
    uint8_t id[DHT_ID_LEN], const uint8_t rnd[DHT_ID_LEN])
{
	unsigned	byte = i / 8, bit = i % 8;
	uint8_t		mask;

	/* the first i bits equal ours, bit i differs, the rest random */
	memcpy(id, rnd, DHT_ID_LEN);
	if (i >= DHT_ID_LEN * 8)
		return;
	memcpy(id, t->self, byte);
	mask = (uint8_t)(0xff00 >> bit);	/* the bits before bit i */
	id[byte] = (uint8_t)((t->self[byte] & mask) |
	    (~t->self[byte] & (0x80 >> bit)) | (rnd[byte] & ~mask &
	    ~(0x80 >> bit)));
}
