/* The clocks, in one place. The daemon's glue reads the monotonic clock and
 * hands it to the pure modules as `now` (milliseconds, any origin, never
 * going back); the wall clock only stamps what leaves the host (DHT request
 * timestamps, handshake TAI64N, BIND nonces) and turns monotonic instants
 * into Unix times for `mesh show`.
 *
 * Pure modules (dht/, the tunnel, natpath, ...) never call the readers
 * below: they take `now` as an argument. clock_mono_to_unix_ms is pure. */
#ifndef MESH_CLOCK_H
#define MESH_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds and microseconds. */
uint64_t clock_mono_ms(void);
uint64_t clock_mono_us(void);
/* CLOCK_REALTIME: milliseconds, seconds and nanoseconds since the Unix
 * epoch. */
uint64_t clock_unix_ms(void);
uint64_t clock_unix_s(void);
uint64_t clock_unix_ns(void);

/* The Unix time (ms) of the monotonic instant mono_ms, given one reading
 * of both clocks (now_mono_ms, now_unix_ms); mono_ms may lie in the past or
 * the future. 0 stays 0 ("never"). The one way `mesh show` turns monotonic
 * times into Unix times. */
uint64_t clock_mono_to_unix_ms(uint64_t mono_ms, uint64_t now_mono_ms,
	    uint64_t now_unix_ms);

/* Tests only: a fake clock behind every reader above, so that glue (the
 * discovery layer, the data path's callers) can be run in one process on
 * a virtual time (tests/unit/test-disc-loop.c). clock_fake_start sets the
 * monotonic clock to mono_ms and the wall clock to unix_ms at that instant;
 * clock_fake_set moves both forward (never back); evtimer.c keeps libevent
 * timers on the fake clock while it runs (evtimer.h). The daemon never
 * calls these. */
void	 clock_fake_start(uint64_t mono_ms, uint64_t unix_ms);
void	 clock_fake_set(uint64_t mono_ms);
void	 clock_fake_stop(void);
int	 clock_is_fake(void);

#endif
