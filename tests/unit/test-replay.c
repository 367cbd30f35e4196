/* The anti-replay window: a table of (counter, accepted?) steps, then a
 * comparison with a naive model over long random, reordered sequences. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "tunnel/replay.h"
#include "common/util.h"
#include "t.h"

#define W	REPLAY_WINDOW
#define LIMIT	(1ULL << 40)

struct step {
	uint64_t	counter;
	int		ok;
};

static const struct step steps[] = {
	{ 0, 1 },		/* first packet */
	{ 1, 1 },
	{ 1, 0 },		/* duplicate */
	{ 9, 1 },		/* gap */
	{ 8, 1 },		/* reordered, within the window */
	{ 7, 1 },
	{ 7, 0 },
	{ 0, 0 },
	{ W, 1 },		/* max W: window is 1..W */
	{ 0, 0 },		/* just fell out */
	{ 2, 1 },		/* oldest still inside */
	{ 2, 0 },
	{ W + 1, 1 },		/* window 2..W+1 */
	{ 2, 0 },
	{ 3, 1 },
	{ 1, 0 },
	{ 3 * W, 1 },		/* jump: window 2W+1..3W */
	{ 2 * W, 0 },
	{ 2 * W + 1, 1 },
	{ 2 * W + 1, 0 },
	{ 3 * W - 1, 1 },
	{ 3 * W, 0 },
	{ 3 * W + 64, 1 },	/* crosses a block boundary */
	{ 3 * W + 63, 1 },
	{ 3 * W + 65, 1 },
	{ 3 * W + 100 * REPLAY_BITS, 1 },	/* jump far beyond the ring */
	{ 3 * W + 64, 0 },
	{ 3 * W + 100 * REPLAY_BITS - 1, 1 },
	{ 3 * W + 100 * REPLAY_BITS - W, 0 },
	{ 3 * W + 100 * REPLAY_BITS - W + 1, 1 },
	{ LIMIT - 1, 1 },	/* last allowed counter */
	{ LIMIT, 0 },		/* at the limit: never */
	{ LIMIT + 5, 0 },
	{ UINT64_MAX, 0 },
	{ LIMIT - 2, 1 },
	{ LIMIT - 1, 0 },
};

T_TEST(table)
{
	struct replay	r;
	size_t		i;
	int		c, u;

	replay_init(&r);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		c = replay_check(&r, steps[i].counter, LIMIT);
		u = replay_update(&r, steps[i].counter, LIMIT);
		if (c != steps[i].ok || u != steps[i].ok)
			T_FAIL("step %zu: counter %llu: check %d update %d, "
			    "expected %d", i,
			    (unsigned long long)steps[i].counter, c, u,
			    steps[i].ok);
	}
}

T_TEST(check_does_not_change)
{
	struct replay	r;

	replay_init(&r);
	T_ASSERT(replay_check(&r, 5, LIMIT));
	T_ASSERT(replay_check(&r, 5, LIMIT));
	T_ASSERT(replay_update(&r, 5, LIMIT));
	T_ASSERT(!replay_check(&r, 5, LIMIT));
	/* a check far ahead does not move the window */
	T_ASSERT(replay_check(&r, 5 + 10 * W, LIMIT));
	T_ASSERT(replay_check(&r, 4, LIMIT));
}

/* Naive model: every counter seen kept in a byte array. */
#define MODEL_MAX	(20 * REPLAY_BITS)

static int
model_update(uint8_t *seen, uint64_t *max, int *any, uint64_t c)
{
	if (seen[c])
		return 0;
	if (*any && c < *max && *max - c >= W)
		return 0;
	seen[c] = 1;
	if (!*any || c > *max)
		*max = c;
	*any = 1;
	return 1;
}

T_TEST(random_against_model)
{
	struct replay	 r;
	uint8_t		*seen;
	uint64_t	 max = 0, base = 0, c;
	unsigned	 seed = 12345;
	int		 any = 0, i, round, bad = 0;

	if ((seen = calloc(MODEL_MAX, 1)) == NULL) {
		T_FAIL("out of memory");
		return;
	}
	for (round = 0; round < 4; round++) {
		memset(seen, 0, MODEL_MAX);
		replay_init(&r);
		any = 0;
		base = 0;
		for (i = 0; i < 200000; i++) {
			/* mostly forward, some reordering up to 1.5 windows
			 * back, some duplicates, occasional jumps */
			seed = seed * 1103515245 + 12345;
			switch ((seed >> 16) % 8) {
			case 0:
				c = base > 3 * W / 2 ?
				    base - (seed >> 8) % (3 * W / 2) : 0;
				break;
			case 1:
				c = base > 0 ? base - 1 : 0;
				break;
			case 2:
				base += (seed >> 10) % (W / 2 + round * W);
				c = base;
				break;
			default:
				c = ++base;
				break;
			}
			if (c >= MODEL_MAX || base >= MODEL_MAX)
				break;
			if (model_update(seen, &max, &any, c) !=
			    replay_update(&r, c, LIMIT) && bad++ < 5)
				T_FAIL("round %d step %d: counter %llu differs "
				    "from the model", round, i,
				    (unsigned long long)c);
		}
	}
	free(seen);
}

int
main(void)
{
	T_RUN(table);
	T_RUN(check_does_not_change);
	T_RUN(random_against_model);
	return t_done();
}
