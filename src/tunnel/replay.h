/* Sliding anti-replay window for transport counters (RFC 6479): a ring of
 * REPLAY_BITS bits in 64-bit blocks, so that advancing the window clears
 * whole blocks instead of shifting the bitmap. The newest REPLAY_WINDOW
 * counters are tracked; anything older is rejected. Pure, no allocation. */
#ifndef MESH_REPLAY_H
#define MESH_REPLAY_H

#include <stdint.h>

#define REPLAY_BLOCK_BITS	64
#define REPLAY_BITS		8192	/* ring size, power of two */
#define REPLAY_BLOCKS		(REPLAY_BITS / REPLAY_BLOCK_BITS)
/* Counters accepted behind the newest one: one block of the ring is always
 * being recycled, so the usable window is one block short of the ring. */
#define REPLAY_WINDOW		(REPLAY_BITS - REPLAY_BLOCK_BITS)	/* 8128 */

struct replay {
	uint64_t	top;			/* greatest counter seen + 1,
						 * 0 if none */
	uint64_t	bitmap[REPLAY_BLOCKS];
};

/* Start empty (every counter acceptable once). */
void	replay_init(struct replay *);

/* Would counter be accepted? Does not change the window: check before
 * authenticating, so forged packets cannot move it. Counters >= limit are
 * refused (the sender must never use them). 1 acceptable, 0 not. */
int	replay_check(const struct replay *, uint64_t counter, uint64_t limit);

/* Record counter as received (after the packet authenticated). Returns 1 if
 * it was new, 0 if it is a replay or too old (a race between check and
 * update can only make this refuse, never accept twice). */
int	replay_update(struct replay *, uint64_t counter, uint64_t limit);

#endif
