/* See evtimer.h. */
#include "config.h"

#include <sys/time.h>

#include <event2/event.h>

#include "common/evtimer.h"

void
evtimer_arm_in(struct event *ev, uint64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	event_add(ev, &tv);
}

void
evtimer_arm_at(struct event *ev, uint64_t deadline, uint64_t now)
{
	evtimer_arm_in(ev, deadline > now ? deadline - now : 0);
}
