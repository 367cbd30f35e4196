/* Tests of the clock helpers (src/common/clock.c). */
#include "config.h"

#include <stdint.h>

#include "common/clock.h"
#include "t.h"

T_TEST(readers)
{
	uint64_t	ms = clock_mono_ms(), us = clock_mono_us();
	uint64_t	ums = clock_unix_ms(), us_ = clock_unix_s();
	uint64_t	ns = clock_unix_ns();

	/* read within a second of each other */
	T_ASSERT(us / 1000 >= ms && us / 1000 - ms < 1000);
	T_ASSERT(ums / 1000 >= us_ - 1 && ums / 1000 <= us_ + 1);
	T_ASSERT(ns / 1000000 >= ums && ns / 1000000 - ums < 1000);
	T_ASSERT(ums > 1500000000000ULL);	/* after 2017 */
	T_ASSERT(clock_mono_ms() >= ms);
}

T_TEST(mono_to_unix)
{
	/* now: monotonic 5000 ms is Unix 1700000000000 ms */
	T_EQ_INT(clock_mono_to_unix_ms(5000, 5000, 1700000000000ULL),
	    1700000000000ULL);
	T_EQ_INT(clock_mono_to_unix_ms(2000, 5000, 1700000000000ULL),
	    1699999997000ULL);
	T_EQ_INT(clock_mono_to_unix_ms(65000, 5000, 1700000000000ULL),
	    1700000060000ULL);
	/* 0 means never */
	T_EQ_INT(clock_mono_to_unix_ms(0, 5000, 1700000000000ULL), 0);
}

/* The fake clock the discovery loop test runs on: the readers follow it,
 * it never goes back, and stopping it brings the real clocks back. */
T_TEST(fake)
{
	uint64_t	real = clock_mono_ms();

	clock_fake_start(5000, 1700000000000ULL);
	T_ASSERT(clock_is_fake());
	T_EQ_INT((int)clock_mono_ms(), 5000);
	T_ASSERT(clock_mono_us() == 5000000ULL);
	T_ASSERT(clock_unix_ms() == 1700000000000ULL);
	clock_fake_set(7500);
	T_EQ_INT((int)clock_mono_ms(), 7500);
	T_ASSERT(clock_unix_ms() == 1700000002500ULL);
	T_ASSERT(clock_unix_s() == 1700000002ULL);
	T_ASSERT(clock_unix_ns() == 1700000002500000000ULL);
	clock_fake_set(6000);		/* never back */
	T_EQ_INT((int)clock_mono_ms(), 7500);
	clock_fake_stop();
	T_ASSERT(!clock_is_fake());
	T_ASSERT(clock_mono_ms() >= real);
}

int
main(void)
{
	T_RUN(readers);
	T_RUN(mono_to_unix);
	T_RUN(fake);
	return t_done();
}
