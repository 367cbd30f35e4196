/* A small deterministic generator (splitmix64) for the DHT's unit tests
 * and its simulator: the same seed gives the same run. */
#ifndef MESH_TESTRNG_H
#define MESH_TESTRNG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
testrng_next(uint64_t *s)
{
	uint64_t	z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform double in [0, 1). */
static inline double
testrng_unit(uint64_t *s)
{
	return (double)(testrng_next(s) >> 11) / 9007199254740992.0;
}

/* len bytes of the stream into buf. */
static inline void
testrng_fill(uint64_t *s, void *buf, size_t len)
{
	uint8_t		*p = buf;
	uint64_t	 v;
	size_t		 k;

	while (len > 0) {
		v = testrng_next(s);
		k = len < 8 ? len : 8;
		memcpy(p, &v, k);
		p += k;
		len -= k;
	}
}

#endif
