/* Token buckets: one bucket for one rate (struct ratelimit_bucket), and a
 * fixed-size table of buckets keyed by source (struct ratelimit), as
 * WireGuard limits handshake messages per source address when under load.
 * Pure: the clock is injected (`now`, milliseconds, any origin, never going
 * back), no I/O, no allocation after ratelimit_new.
 *
 * A bucket holds up to `burst` tokens and gains `rate` tokens a second;
 * each event takes `cost` tokens, or is refused (and takes nothing) when
 * fewer are left. Levels are kept in thousandths of a token; rates and
 * bursts up to 2^53 tokens are safe from overflow.
 *
 * The table: keys are short byte strings (a source address or prefix, the
 * caller's choice), hashed with a random seed into sets of RATELIMIT_WAYS
 * entries. An unknown key takes a free entry of its set, else one whose
 * bucket has filled up again (it holds nothing a fresh bucket would not),
 * else the fullest one (counted as evicted): the sources being limited
 * keep their entries, and a full table never refuses a source it has not
 * seen (it gets a fresh bucket, as it would after a quiet second). */
#ifndef MESH_RATELIMIT_H
#define MESH_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_KEY_MAX	16	/* bytes */
#define RATELIMIT_WAYS		8	/* entries per set */
#define RATELIMIT_DEF_ENTRIES	4096

struct ratelimit_bucket {
	uint64_t	level;		/* thousandths of a token */
	uint64_t	at;		/* ms: last refill */
};

/* A full bucket at now. */
void	ratelimit_bucket_init(struct ratelimit_bucket *, uint64_t burst,
	    uint64_t now);
/* Refill for the time since the last call (rate tokens per second, at most
 * burst), then take cost tokens (cost <= burst): 1 if they were there, 0
 * if not (then nothing is taken). */
int	ratelimit_bucket_take(struct ratelimit_bucket *, uint64_t rate,
	    uint64_t burst, uint64_t cost, uint64_t now);

struct ratelimit_config {
	unsigned	entries;	/* 0: RATELIMIT_DEF_ENTRIES; rounded up
					 * to a power of two, at least
					 * RATELIMIT_WAYS */
	uint64_t	rate;		/* tokens per second and key */
	uint64_t	burst;		/* bucket depth, >= 1 */
	uint64_t	seed;		/* random: hash seed */
};

struct ratelimit_stats {
	uint64_t	allowed, limited;
	uint64_t	evicted;	/* entries taken from a key whose bucket
					 * was not full */
};

struct ratelimit;

/* NULL: out of memory, or a rate or burst out of range. */
struct ratelimit *ratelimit_new(const struct ratelimit_config *);
void	ratelimit_free(struct ratelimit *);

/* One event from key (1..RATELIMIT_KEY_MAX bytes; longer keys are cut):
 * 1 allowed, 0 over its rate. */
int	ratelimit_allow(struct ratelimit *, const void *key, size_t keylen,
	    uint64_t now);
void	ratelimit_get_stats(const struct ratelimit *,
	    struct ratelimit_stats *);

#endif
