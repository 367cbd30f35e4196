/* Tests of the token buckets and the per-source table (src/common/ratelimit.c),
 * on a fake clock. */
#include "config.h"

#include <stdint.h>

#include "common/ratelimit.h"
#include "t.h"

/* How many events of key pass at now, trying up to max times. */
static int
drain(struct ratelimit *rl, const char *key, uint64_t now, int max)
{
	int	i, n = 0;

	for (i = 0; i < max; i++)
		n += ratelimit_allow(rl, key, strlen(key), now);
	return n;
}

T_TEST(bucket)
{
	struct ratelimit_bucket	b;
	int			i, n = 0;

	ratelimit_bucket_init(&b, 5, 1000);
	for (i = 0; i < 10; i++)
		n += ratelimit_bucket_take(&b, 20, 5, 1, 1000);
	T_EQ_INT(n, 5);
	/* 20 a second: one token every 50 ms, none before */
	T_EQ_INT(ratelimit_bucket_take(&b, 20, 5, 1, 1049), 0);
	T_EQ_INT(ratelimit_bucket_take(&b, 20, 5, 1, 1050), 1);
	T_EQ_INT(ratelimit_bucket_take(&b, 20, 5, 1, 1050), 0);
	/* a long pause fills it to the burst, no more */
	for (i = 0, n = 0; i < 10; i++)
		n += ratelimit_bucket_take(&b, 20, 5, 1, 100000);
	T_EQ_INT(n, 5);
	/* a cost of several tokens; a refusal takes nothing */
	ratelimit_bucket_init(&b, 5, 0);
	T_EQ_INT(ratelimit_bucket_take(&b, 1, 5, 3, 0), 1);
	T_EQ_INT(ratelimit_bucket_take(&b, 1, 5, 3, 0), 0);
	T_EQ_INT(ratelimit_bucket_take(&b, 1, 5, 2, 0), 1);
	T_EQ_INT(b.level, 0);
	/* a clock that goes back refills nothing */
	T_EQ_INT(ratelimit_bucket_take(&b, 1000, 5, 1, 0), 0);
	b.at = 500;
	T_EQ_INT(ratelimit_bucket_take(&b, 1000, 5, 1, 400), 0);
	/* rate 0: never refills */
	ratelimit_bucket_init(&b, 1, 0);
	T_EQ_INT(ratelimit_bucket_take(&b, 0, 1, 1, 0), 1);
	T_EQ_INT(ratelimit_bucket_take(&b, 0, 1, 1, UINT64_MAX), 0);
}

/* The largest rates and bursts and times do not overflow. */
T_TEST(bucket_limits)
{
	struct ratelimit_bucket	b;
	uint64_t		big = 1ULL << 53;

	ratelimit_bucket_init(&b, big, 0);
	T_EQ_INT(ratelimit_bucket_take(&b, big, big, big, 0), 1);
	T_EQ_INT(b.level, 0);
	T_EQ_INT(ratelimit_bucket_take(&b, big, big, big, UINT64_MAX), 1);
	T_EQ_INT(b.level, 0);
	T_EQ_INT(ratelimit_bucket_take(&b, big, big, 1, UINT64_MAX), 0);
	/* one ms of a huge rate, then the rest */
	b.at = 0;
	T_EQ_INT(ratelimit_bucket_take(&b, big, big, big / 1000, 1), 1);
	T_EQ_INT(b.level, big % 1000);
	T_EQ_INT(ratelimit_bucket_take(&b, 1, 10, 1, UINT64_MAX), 1);
	T_EQ_INT(b.level, 9000);
}

/* Tokens as bytes, as the relay uses the bucket (src/nat/relay.c): a large
 * rate and burst, costs of a packet's length. */
T_TEST(bucket_bytes)
{
	struct ratelimit_bucket	b;
	uint64_t		rate = 512ULL * 1024 * 1024, burst = rate / 8;
	uint64_t		sent = 0;
	int			i;

	ratelimit_bucket_init(&b, burst, 0);
	for (i = 0; i < 100000 && ratelimit_bucket_take(&b, rate, burst, 1400,
	    0); i++)
		sent += 1400;
	T_ASSERT(sent <= burst && sent + 1400 > burst);
	/* 1 ms later: rate / 1000 bytes more */
	for (sent = 0; ratelimit_bucket_take(&b, rate, burst, 1400, 1); )
		sent += 1400;
	T_ASSERT(sent <= rate / 1000 + 1400 && sent + 2800 > rate / 1000);
	/* a rate near UINT64_MAX neither overflows nor underflows */
	ratelimit_bucket_init(&b, 1ULL << 40, 0);
	T_EQ_INT(ratelimit_bucket_take(&b, UINT64_MAX - 1, 1ULL << 40,
	    1ULL << 40, 0), 1);
	T_EQ_INT(ratelimit_bucket_take(&b, UINT64_MAX - 1, 1ULL << 40, 1, 0),
	    0);
	T_EQ_INT(ratelimit_bucket_take(&b, UINT64_MAX - 1, 1ULL << 40,
	    1ULL << 40, 1), 1);
}

T_TEST(table)
{
	struct ratelimit_config	c = { .rate = 20, .burst = 5, .seed = 7 };
	struct ratelimit_stats	st;
	struct ratelimit	*rl;

	T_ASSERT((rl = ratelimit_new(&c)) != NULL);
	if (rl == NULL)
		return;
	T_EQ_INT(drain(rl, "192.0.2.1", 0, 10), 5);
	/* another source is not affected; sources are whole keys */
	T_EQ_INT(drain(rl, "192.0.2.2", 0, 10), 5);
	T_EQ_INT(drain(rl, "192.0.2.1x", 0, 10), 5);
	T_EQ_INT(ratelimit_allow(rl, "192.0.2.1", 8, 0), 1);	/* prefix */
	T_EQ_INT(drain(rl, "192.0.2.1", 49, 10), 0);
	T_EQ_INT(drain(rl, "192.0.2.1", 50, 10), 1);
	T_EQ_INT(drain(rl, "192.0.2.1", 10000, 10), 5);
	ratelimit_get_stats(rl, &st);
	T_EQ_INT(st.allowed, 5 + 5 + 5 + 1 + 1 + 5);
	T_EQ_INT(st.limited, 5 + 5 + 5 + 10 + 9 + 5);
	T_EQ_INT(st.evicted, 0);
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

/* Keys longer than RATELIMIT_KEY_MAX are cut there; binary keys work. */
T_TEST(long_and_binary_keys)
{
	struct ratelimit_config	c = { .rate = 1, .burst = 2, .seed = 1 };
	struct ratelimit	*rl;
	uint8_t			a[20], b[20];

	T_ASSERT((rl = ratelimit_new(&c)) != NULL);
	if (rl == NULL)
		return;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	b[RATELIMIT_KEY_MAX] = 1;	/* differs only past the cut */
	T_EQ_INT(ratelimit_allow(rl, a, sizeof(a), 0), 1);
	T_EQ_INT(ratelimit_allow(rl, b, sizeof(b), 0), 1);
	T_EQ_INT(ratelimit_allow(rl, a, sizeof(a), 0), 0);
	b[0] = 1;
	T_EQ_INT(ratelimit_allow(rl, b, sizeof(b), 0), 1);
	T_EQ_INT(ratelimit_allow(rl, a, 0, 0), 1);	/* the empty key */
	T_EQ_INT(ratelimit_allow(rl, b, 0, 0), 1);
	T_EQ_INT(ratelimit_allow(rl, a, 0, 0), 0);
	ratelimit_free(rl);
}

/* One set: a full table gives new sources a fresh bucket by taking a
 * refilled entry or the fullest one; the source being limited keeps its
 * entry however many others come by. */
T_TEST(eviction)
{
	struct ratelimit_config	c = { .entries = 1, .rate = 1, .burst = 5,
				    .seed = 3 };
	struct ratelimit_stats	st;
	struct ratelimit	*rl;
	char			key[16];
	int			i;

	T_ASSERT((rl = ratelimit_new(&c)) != NULL);
	if (rl == NULL)
		return;
	T_EQ_INT(drain(rl, "heavy", 0, 10), 5);
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "light%d", i);
		T_EQ_INT(ratelimit_allow(rl, key, strlen(key), 0), 1);
		T_EQ_INT(ratelimit_allow(rl, "heavy", 5, 0), 0);
	}
	ratelimit_get_stats(rl, &st);
	/* 7 free entries, then every newcomer evicts one at 4 tokens */
	T_EQ_INT(st.evicted, 100 - (RATELIMIT_WAYS - 1));
	/* a refilled entry is taken without counting an eviction: after
	 * 1 s light entries are full again (4 + 1), heavy is not (0 + 1) */
	T_EQ_INT(ratelimit_allow(rl, "new", 3, 1000), 1);
	ratelimit_get_stats(rl, &st);
	T_EQ_INT(st.evicted, 100 - (RATELIMIT_WAYS - 1));
	T_EQ_INT(drain(rl, "heavy", 1000, 10), 1);
	ratelimit_free(rl);
}

T_TEST(config)
{
	struct ratelimit_config	c = { .rate = 1, .burst = 0 };
	struct ratelimit	*rl;

	T_ASSERT(ratelimit_new(&c) == NULL);
	c.burst = 1ULL << 62;
	T_ASSERT(ratelimit_new(&c) == NULL);
	c.burst = 1;
	c.rate = UINT64_MAX;
	T_ASSERT(ratelimit_new(&c) == NULL);
	c.rate = 0;
	c.entries = 3;	/* rounded up to one set */
	T_ASSERT((rl = ratelimit_new(&c)) != NULL);
	T_EQ_INT(ratelimit_allow(rl, "a", 1, 0), 1);
	T_EQ_INT(ratelimit_allow(rl, "a", 1, 1000000), 0);
	ratelimit_free(rl);
}

int
main(void)
{
	T_RUN(bucket);
	T_RUN(bucket_limits);
	T_RUN(bucket_bytes);
	T_RUN(table);
	T_RUN(long_and_binary_keys);
	T_RUN(eviction);
	T_RUN(config);
	return t_done();
}
