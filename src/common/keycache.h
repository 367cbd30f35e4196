/* The pair-key cache: which public keys we hold a derived pair key for.
 * One copy serves the DHT (dht/dhtkeys.c: a key per node we talk to) and
 * the relay service (src/nat/relay-glue.c: a key per member that BINDs).
 * Pure: the clock is injected (`now`, ms), no I/O, no crypto, one
 * allocation in keycache_init.
 *
 * The cache is the index and the eviction policy only: it maps a 32-byte
 * public key to a slot number, and the user keeps what it derived (the
 * pair key, a node ID, a token) in its own array indexed by that slot.
 * Slots are grouped in sets of `ways` (a key's set is a salted hash of its
 * first bytes; one set of N ways is a fully associative cache). Within a
 * set a new key takes a free slot, else the least recently used one that
 * is not pinned; each slot's tag (the key's first bytes, never 0) sits in
 * one array, so a miss touches no key. Deriving the pair key, limiting how
 * many new keys are derived a second, and wiping the payload of an evicted
 * slot are the user's (the two users derive with different KDFs). */
#ifndef MESH_KEYCACHE_H
#define MESH_KEYCACHE_H

#include <stddef.h>
#include <stdint.h>

#define KEYCACHE_KEY_LEN	32
#define KEYCACHE_NONE		((size_t)-1)

struct keycache {
	uint64_t	*tags;		/* per slot; 0: free */
	uint64_t	*used;		/* per slot: last use, ms */
	uint8_t		(*keys)[KEYCACHE_KEY_LEN];
	size_t		 nsets;		/* a power of two */
	size_t		 ways;
	uint64_t	 salt;
	size_t		 pinned;	/* never evicted; KEYCACHE_NONE */
};

/* At least `entries` slots in sets of `ways` (the number of sets is
 * rounded up to a power of two). Returns the bytes allocated, 0 when out
 * of memory or the sizes are 0. */
size_t	 keycache_init(struct keycache *, size_t entries, size_t ways,
	    uint64_t salt);
void	 keycache_free(struct keycache *);
size_t	 keycache_slots(const struct keycache *);

/* The slot holding key, or KEYCACHE_NONE; does not count as a use. */
size_t	 keycache_find(const struct keycache *, const uint8_t *key);
/* Mark a slot used at now (for the least-recently-used order). */
void	 keycache_touch(struct keycache *, size_t slot, uint64_t now);
/* Take a slot for key (not in the cache), evicting from its set as above;
 * the caller overwrites the slot's payload. */
size_t	 keycache_insert(struct keycache *, const uint8_t *key, uint64_t now);
/* Free a slot (its key turned out unusable). */
void	 keycache_remove(struct keycache *, size_t slot);
/* Pin one slot while its payload is in use (KEYCACHE_NONE: none). */
void	 keycache_pin(struct keycache *, size_t slot);
const uint8_t *keycache_key(const struct keycache *, size_t slot);

#endif
