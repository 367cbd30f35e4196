/* Arming a libevent timer from the millisecond clock the pure modules use
 * (common/clock.h): one helper instead of a timeval conversion in every
 * glue file. */
#ifndef MESH_EVTIMER_H
#define MESH_EVTIMER_H

#include <stdint.h>

struct event;

/* Fire ev in ms milliseconds (replaces a pending one). */
void	evtimer_arm_in(struct event *ev, uint64_t ms);
/* Fire ev at deadline on the monotonic ms clock, given now on it; a
 * deadline in the past fires at once. */
void	evtimer_arm_at(struct event *ev, uint64_t deadline, uint64_t now);

#endif
