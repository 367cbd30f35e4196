/* The clocks: see clock.h. */
#include "config.h"

#include <time.h>

#include "common/clock.h"

/* The fake clock (tests only, clock_fake_start): 0 when off. */
static int	 fake_on;
static uint64_t	 fake_mono_ms, fake_unix_ms;	/* unix at fake_mono_ms */

static struct timespec
read_clock(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return ts;
}

uint64_t
clock_mono_ms(void)
{
	if (fake_on)
		return fake_mono_ms;
	struct timespec	ts = read_clock(CLOCK_MONOTONIC);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
clock_mono_us(void)
{
	if (fake_on)
		return fake_mono_ms * 1000;
	struct timespec	ts = read_clock(CLOCK_MONOTONIC);

	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
clock_unix_ms(void)
{
	if (fake_on)
		return fake_unix_ms;
	struct timespec	ts = read_clock(CLOCK_REALTIME);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
clock_unix_s(void)
{
	if (fake_on)
		return fake_unix_ms / 1000;
	return (uint64_t)read_clock(CLOCK_REALTIME).tv_sec;
}

uint64_t
clock_unix_ns(void)
{
	if (fake_on)
		return fake_unix_ms * 1000000;
	struct timespec	ts = read_clock(CLOCK_REALTIME);

	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t
clock_mono_to_unix_ms(uint64_t mono_ms, uint64_t now_mono_ms,
    uint64_t now_unix_ms)
{
	if (mono_ms == 0)
		return 0;
	if (mono_ms <= now_mono_ms)
		return now_unix_ms - (now_mono_ms - mono_ms);
	return now_unix_ms + (mono_ms - now_mono_ms);
}

void
clock_fake_start(uint64_t mono_ms, uint64_t unix_ms)
{
	fake_on = 1;
	fake_mono_ms = mono_ms;
	fake_unix_ms = unix_ms;
}

void
clock_fake_set(uint64_t mono_ms)
{
	if (mono_ms > fake_mono_ms) {
		fake_unix_ms += mono_ms - fake_mono_ms;
		fake_mono_ms = mono_ms;
	}
}

void
clock_fake_stop(void)
{
	fake_on = 0;
}

int
clock_is_fake(void)
{
	return fake_on;
}
