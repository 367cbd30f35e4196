/* The Kademlia routing table (pure: IDs are computed by the caller).
 *
 * Bucket i holds the nodes whose ID shares exactly i leading bits with ours,
 * up to DHT_K of them, plus a replacement cache of recently verified nodes
 * that did not fit. Buckets are allocated on first use and grow with their
 * content (the replacement cache only once the bucket is full), so a table
 * costs what the network's size needs: about log2(N / K) full buckets and a
 * few sparse ones near our own ID.
 *
 * Policy (Kademlia's): old live nodes are kept. A node heard through a round
 * trip we started (a response) is inserted if there is room, or goes into
 * the replacement cache; the caller then pings the bucket's least recently
 * seen node if it is questionable, and on repeated failure it is evicted and
 * the newest replacement promoted. A node heard only through its own request
 * is never inserted directly: the caller verifies it with a ping first. */
#ifndef DHT_DHTTABLE_H
#define DHT_DHTTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "dht.h"

#define DHTTABLE_BUCKETS	256
#define DHTTABLE_REPL		8	/* replacement cache per bucket */
#define DHTTABLE_MAX_FAILS	2	/* consecutive timeouts before eviction */

struct dhttable_node {
	uint8_t		key[DHT_KEY_LEN];
	uint8_t		id[DHT_ID_LEN];
	struct dht_addr	addr;
	uint64_t	last_seen;	/* any valid message from it */
	uint64_t	last_reply;	/* last answer to our request */
	uint8_t		fails;		/* consecutive timeouts */
	uint8_t		pinging;	/* a liveness check is outstanding */
};

struct dhttable_repl {
	uint8_t		key[DHT_KEY_LEN];
	uint8_t		id[DHT_ID_LEN];
	struct dht_addr	addr;
	uint64_t	seen;
};

struct dhttable_bucket {
	struct dhttable_node	*n;		/* count used of cap */
	unsigned		 count, cap;
	struct dhttable_repl	*r;		/* DHTTABLE_REPL when full */
	unsigned		 rcount;
	uint64_t		 refresh_at;	/* next refresh */
};

struct dhttable {
	uint8_t			 self[DHT_ID_LEN];
	struct dhttable_bucket	*b[DHTTABLE_BUCKETS];
	unsigned		 nodes, repl, buckets;
	unsigned		 top;		/* highest bucket in use + 1 */
	size_t			 mem;
};

enum dhttable_result {
	DHTTABLE_UPDATED,	/* known node refreshed */
	DHTTABLE_INSERTED,	/* new node in a bucket */
	DHTTABLE_REPLACEMENT,	/* bucket full: kept as a replacement */
	DHTTABLE_VERIFY,	/* caller should ping it (at addr) first */
	DHTTABLE_IGNORED,	/* nothing to do (our own ID, full, ...) */
	DHTTABLE_NOMEM,
};

void	dhttable_init(struct dhttable *t, const uint8_t self[DHT_ID_LEN]);
void	dhttable_free(struct dhttable *t);

/* Common leading bits of two IDs (DHT_ID_LEN * 8 when equal). */
unsigned dhttable_prefix(const uint8_t a[DHT_ID_LEN],
	    const uint8_t b[DHT_ID_LEN]);
/* <0, 0, >0 as a is closer to target than b (XOR metric). */
int	dhttable_cmp(const uint8_t target[DHT_ID_LEN],
	    const uint8_t a[DHT_ID_LEN], const uint8_t b[DHT_ID_LEN]);

struct dhttable_node *dhttable_find(struct dhttable *t,
	    const uint8_t id[DHT_ID_LEN]);

/* We heard from a node. verified: it answered a request we sent to addr;
 * otherwise it sent us a request from addr (alive, address unproven) or a
 * third party told us about it. */
enum dhttable_result dhttable_heard(struct dhttable *t,
	    const uint8_t key[DHT_KEY_LEN], const uint8_t id[DHT_ID_LEN],
	    const struct dht_addr *addr, int verified, uint64_t now);

/* A request to the node timed out. Returns 1 if it was evicted (and a
 * replacement promoted, which *promoted points to, or NULL). */
int	dhttable_failed(struct dhttable *t, const uint8_t id[DHT_ID_LEN],
	    struct dhttable_node **promoted);

/* The least recently seen node of id's bucket if it is questionable (not
 * heard from for stale_ms, or failing) and not already being checked. */
struct dhttable_node *dhttable_questionable(struct dhttable *t,
	    const uint8_t id[DHT_ID_LEN], uint64_t now, uint64_t stale_ms);

/* Up to max nodes closest to target (closest first), skipping `skip` (a
 * key, or NULL) and nodes that are failing when avoid_failing is set.
 * Returns how many. */
size_t	dhttable_closest(struct dhttable *t, const uint8_t target[DHT_ID_LEN],
	    struct dhttable_node **out, size_t max, const uint8_t *skip,
	    int avoid_failing);

/* Remove a node (e.g. it changed its mind about being reachable). */
void	dhttable_remove(struct dhttable *t, const uint8_t id[DHT_ID_LEN]);

/* A random ID in bucket i's range (from 32 random bytes in rnd). */
void	dhttable_random_id(const struct dhttable *t, unsigned i,
	    uint8_t id[DHT_ID_LEN], const uint8_t rnd[DHT_ID_LEN]);

#endif
