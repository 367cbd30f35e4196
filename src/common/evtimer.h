/* Arming a libevent timer from the millisecond clock the pure modules use
 * (common/clock.h): one helper instead of a timeval conversion in every
 * glue file. */
#ifndef MESH_EVTIMER_H
#define MESH_EVTIMER_H

#include <stdint.h>

struct event;
struct event_base;

/* Fire ev in ms milliseconds (replaces a pending one). */
void	evtimer_arm_in(struct event *ev, uint64_t ms);
/* Fire ev at deadline on the monotonic ms clock, given now on it; a
 * deadline in the past fires at once. */
void	evtimer_arm_at(struct event *ev, uint64_t deadline, uint64_t now);

/* Tests only, while the clock is fake (clock_fake_start): timers armed
 * above wait on the fake clock (libevent holds them pending with a day's
 * timeout, which never comes). evtimer_fake_next gives the earliest
 * deadline of a timer pending on base (0, or -1: none);
 * evtimer_fake_fire makes every timer of base due at clock_mono_ms()
 * active, for the loop to run; it returns how many. */
int	evtimer_fake_next(struct event_base *, uint64_t *at);
int	evtimer_fake_fire(struct event_base *);

#endif
