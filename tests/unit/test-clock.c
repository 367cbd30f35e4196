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

int
main(void)
{
	T_RUN(readers);
	T_RUN(mono_to_unix);
	return t_done();
}
