/* Token buckets and a per-source table of them: pure, see ratelimit.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/ratelimit.h"

#define MILLI		1000ULL
#define MAX_TOKENS	(UINT64_MAX / MILLI / 2)	/* rate, burst */

struct rl_entry {
	struct ratelimit_bucket	b;
	uint8_t			key[RATELIMIT_KEY_MAX];
	uint8_t			used;		/* key length + 1; 0: free */
};

struct ratelimit {
	struct ratelimit_config	 cfg;
	struct rl_entry		*e;
	size_t			 nsets;		/* a power of two */
	struct ratelimit_stats	 st;
};

void
ratelimit_bucket_init(struct ratelimit_bucket *b, uint64_t burst,
    uint64_t now)
{
	b->level = burst * MILLI;
	b->at = now;
}

int
ratelimit_bucket_take(struct ratelimit_bucket *b, uint64_t rate,
    uint64_t burst, uint64_t cost, uint64_t now)
{
	uint64_t	max = burst * MILLI, need = cost * MILLI, dt;

	if (now > b->at) {
		dt = now - b->at;
		/* ms * tokens/s = thousandths; full once dt * rate covers
		 * what is missing (tested by division: no overflow) */
		if (b->level >= max)
			b->level = max;
		else if (rate != 0 && dt > (max - b->level) / rate)
			b->level = max;
		else
			b->level += dt * rate;
		b->at = now;
	}
	if (b->level < need)
		return 0;
	b->level -= need;
	return 1;
}

struct ratelimit *
ratelimit_new(const struct ratelimit_config *cfg)
{
	struct ratelimit	*rl;
	size_t			 n = RATELIMIT_WAYS;

	if (cfg->burst == 0 || cfg->burst > MAX_TOKENS ||
	    cfg->rate > MAX_TOKENS)
		return NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->cfg = *cfg;
	if (rl->cfg.entries == 0)
		rl->cfg.entries = RATELIMIT_DEF_ENTRIES;
	while (n < rl->cfg.entries && n < (1U << 24))
		n *= 2;
	rl->cfg.entries = (unsigned)n;
	rl->nsets = n / RATELIMIT_WAYS;
	if ((rl->e = calloc(n, sizeof(*rl->e))) == NULL) {
		free(rl);
		return NULL;
	}
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->e);
	free(rl);
}

/* Seeded 64-bit mix of the key (an attacker who cannot see the seed cannot
 * aim many keys at one set). */
static uint64_t
hash(uint64_t seed, const uint8_t *p, size_t n)
{
	uint64_t	h = seed ^ (n * 0x9e3779b97f4a7c15ULL), w;
	size_t		i, j;

	for (i = 0; i < n; i += 8) {
		w = 0;
		for (j = i; j < n && j < i + 8; j++)
			w |= (uint64_t)p[j] << (8 * (j - i));
		h ^= w;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

int
ratelimit_allow(struct ratelimit *rl, const void *key, size_t keylen,
    uint64_t now)
{
	struct rl_entry	*set, *e, *victim = NULL;
	uint64_t	 max = rl->cfg.burst * MILLI;
	size_t		 w;

	if (keylen > RATELIMIT_KEY_MAX)
		keylen = RATELIMIT_KEY_MAX;
	set = &rl->e[(hash(rl->cfg.seed, key, keylen) & (rl->nsets - 1)) *
	    RATELIMIT_WAYS];
	for (w = 0; w < RATELIMIT_WAYS; w++) {
		e = &set[w];
		if (e->used == keylen + 1 && memcmp(e->key, key, keylen) == 0)
			goto take;
	}
	/* A free entry, else one refilled to the brim, else the fullest. */
	for (w = 0; w < RATELIMIT_WAYS; w++) {
		e = &set[w];
		if (e->used == 0) {
			victim = e;
			break;
		}
		(void)ratelimit_bucket_take(&e->b, rl->cfg.rate,
		    rl->cfg.burst, 0, now);
		if (e->b.level >= max) {
			victim = e;
			break;
		}
		if (victim == NULL || e->b.level > victim->b.level)
			victim = e;
	}
	e = victim;
	if (e->used != 0 && e->b.level < max)
		rl->st.evicted++;
	memset(e->key, 0, sizeof(e->key));
	memcpy(e->key, key, keylen);
	e->used = (uint8_t)(keylen + 1);
	ratelimit_bucket_init(&e->b, rl->cfg.burst, now);
take:
	if (ratelimit_bucket_take(&e->b, rl->cfg.rate, rl->cfg.burst, 1,
	    now)) {
		rl->st.allowed++;
		return 1;
	}
	rl->st.limited++;
	return 0;
}

void
ratelimit_get_stats(const struct ratelimit *rl, struct ratelimit_stats *st)
{
	*st = rl->st;
}
