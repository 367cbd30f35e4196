/* See evtimer.h. */
#include "config.h"

#include <sys/time.h>

#include <stddef.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/evtimer.h"

/* The fake clock's timers: the deadline of each event armed while the
 * clock is fake. An entry counts only while libevent still holds its event
 * (event_base_foreach_event), so an event deleted or freed without us is
 * forgotten; arming again replaces the entry. */
#define FAKE_MAX	4096

static struct fake_timer {
	const struct event	*ev;
	uint64_t		 at;
} fake[FAKE_MAX];
static size_t	nfake;

static void
fake_arm(struct event *ev, uint64_t ms)
{
	struct timeval	day = { 86400, 0 };
	size_t		i;

	for (i = 0; i < nfake && fake[i].ev != ev; i++)
		;
	if (i == nfake) {
		if (nfake == FAKE_MAX)
			return;		/* a test with this many timers */
		nfake++;
	}
	fake[i].ev = ev;
	fake[i].at = clock_mono_ms() + ms;
	event_add(ev, &day);
}

void
evtimer_arm_in(struct event *ev, uint64_t ms)
{
	struct timeval	tv;

	if (clock_is_fake()) {
		fake_arm(ev, ms);
		return;
	}
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	event_add(ev, &tv);
}

void
evtimer_arm_at(struct event *ev, uint64_t deadline, uint64_t now)
{
	evtimer_arm_in(ev, deadline > now ? deadline - now : 0);
}

/* Mark the entries whose event libevent holds as a pending timer. */
static int
live_cb(const struct event_base *base, const struct event *ev, void *arg)
{
	unsigned char	*live = arg;
	size_t		 i;

	(void)base;
	for (i = 0; i < nfake; i++)
		if (fake[i].ev == ev)
			live[i] = 1;
	return 0;
}

/* Drop the entries of events libevent no longer holds. */
static void
fake_prune(struct event_base *base)
{
	static unsigned char	live[FAKE_MAX];
	size_t			i, n = 0;

	for (i = 0; i < nfake; i++)
		live[i] = 0;
	(void)event_base_foreach_event(base, live_cb, live);
	for (i = 0; i < nfake; i++) {
		if (!live[i] ||
		    !event_pending(fake[i].ev, EV_TIMEOUT, NULL))
			continue;
		fake[n++] = fake[i];
	}
	nfake = n;
}

int
evtimer_fake_next(struct event_base *base, uint64_t *at)
{
	size_t	i;

	fake_prune(base);
	if (nfake == 0)
		return -1;
	*at = fake[0].at;
	for (i = 1; i < nfake; i++)
		if (fake[i].at < *at)
			*at = fake[i].at;
	return 0;
}

int
evtimer_fake_fire(struct event_base *base)
{
	uint64_t	now = clock_mono_ms();
	size_t		i, n = 0;
	int		fired = 0;

	fake_prune(base);
	for (i = 0; i < nfake; i++) {
		if (fake[i].at > now) {
			fake[n++] = fake[i];
			continue;
		}
		/* libevent runs it (and deletes its day-long timeout) */
		event_active((struct event *)(uintptr_t)fake[i].ev,
		    EV_TIMEOUT, 1);
		fired++;
	}
	nfake = n;
	return fired;
}
