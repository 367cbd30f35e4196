/* The replay filter for requests: see dhtreplay_check. */
#include "config.h"

#include <string.h>

#include "dhtint.h"

/*
 * Every accepted request's nonce is remembered until its timestamp leaves
 * the window. When a set is full, the entry with the oldest timestamp is
 * evicted and the set's horizon rises to it; a request that maps to that
 * set and is stamped at or below its horizon is refused, since it might be
 * one we forgot (a replay maps to the same set as its original). So memory
 * is fixed and no replay within the window is ever accepted; under a flood
 * the effective window shrinks instead.
 */
int
dhtreplay_check(struct dht *d, const uint8_t *nonce, const uint8_t *key,
    uint64_t ts, uint64_t wall)
{
	struct dht_replay	*set, *slot = NULL;
	uint64_t		 fp, k, expired, *horizon;
	unsigned		 i, si;

	memcpy(&fp, nonce, sizeof(fp));
	memcpy(&k, key, sizeof(k));
	fp ^= k;
	si = (unsigned)((((fp ^ d->kc_salt) * 0x9e3779b97f4a7c15ULL) >> 32) %
	    d->nreplaysets);
	set = &d->replay[si * DHT_RP_WAYS];
	horizon = &d->replay_horizon[si];
	if (ts <= *horizon)
		return -1;
	expired = wall > d->ts_window_ms ? wall - d->ts_window_ms : 0;
	for (i = 0; i < DHT_RP_WAYS; i++) {
		if (set[i].ts != 0 && set[i].fp == fp)
			return -1;
		if (set[i].ts < expired)
			set[i].ts = 0;
		if (set[i].ts == 0 && slot == NULL)
			slot = &set[i];
	}
	if (slot == NULL) {
		slot = &set[0];
		for (i = 1; i < DHT_RP_WAYS; i++)
			if (set[i].ts < slot->ts)
				slot = &set[i];
		if (slot->ts > *horizon)
			*horizon = slot->ts;
		if (ts <= *horizon)
			return -1;
	}
	slot->fp = fp;
	slot->ts = ts;
	return 0;
}
