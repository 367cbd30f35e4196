/* The clocks: see clock.h. */
#include "config.h"

#include <time.h>

#include "common/clock.h"

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
	struct timespec	ts = read_clock(CLOCK_MONOTONIC);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
clock_mono_us(void)
{
	struct timespec	ts = read_clock(CLOCK_MONOTONIC);

	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
clock_unix_ms(void)
{
	struct timespec	ts = read_clock(CLOCK_REALTIME);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
clock_unix_s(void)
{
	return (uint64_t)read_clock(CLOCK_REALTIME).tv_sec;
}

uint64_t
clock_unix_ns(void)
{
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
