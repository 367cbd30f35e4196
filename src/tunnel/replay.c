/* Sliding anti-replay window in the style of RFC 6479: the bitmap is a ring
 * of 64-bit blocks; moving the window forward zeroes the blocks it enters,
 * so no bit shifting is ever needed. Counters are stored shifted by one
 * (n = counter + 1) so that top == 0 means "nothing received yet". */
#include "config.h"

#include <string.h>

#include "tunnel/replay.h"

_Static_assert((REPLAY_BLOCKS & (REPLAY_BLOCKS - 1)) == 0,
    "REPLAY_BLOCKS must be a power of two");

void
replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
}

static int
replay_seen(const struct replay *r, uint64_t n)
{
	uint64_t	block = (n / REPLAY_BLOCK_BITS) & (REPLAY_BLOCKS - 1);
	uint64_t	bit = 1ULL << (n % REPLAY_BLOCK_BITS);

	return (r->bitmap[block] & bit) != 0;
}

int
replay_check(const struct replay *r, uint64_t counter, uint64_t limit)
{
	uint64_t	n;

	if (counter >= limit || counter == UINT64_MAX)
		return 0;
	n = counter + 1;
	if (n > r->top)
		return 1;		/* ahead of everything seen */
	if (r->top - n >= REPLAY_WINDOW)
		return 0;		/* fell out of the window */
	return !replay_seen(r, n);
}

int
replay_update(struct replay *r, uint64_t counter, uint64_t limit)
{
	uint64_t	n, cur, next, steps, i;

	if (!replay_check(r, counter, limit))
		return 0;
	n = counter + 1;
	if (n > r->top) {
		/* Zero the blocks the window moves into (all of them at
		 * most), then move the top. */
		cur = r->top / REPLAY_BLOCK_BITS;
		next = n / REPLAY_BLOCK_BITS;
		steps = next - cur;
		if (steps > REPLAY_BLOCKS)
			steps = REPLAY_BLOCKS;
		for (i = 1; i <= steps; i++)
			r->bitmap[(cur + i) & (REPLAY_BLOCKS - 1)] = 0;
		r->top = n;
	}
	r->bitmap[(n / REPLAY_BLOCK_BITS) & (REPLAY_BLOCKS - 1)] |=
	    1ULL << (n % REPLAY_BLOCK_BITS);
	return 1;
}
