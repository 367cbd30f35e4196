/* The member table of the discovery layer: members by key (open
 * addressing on the first 8 bytes), their pair keys, and the queue of
 * members with news (disc_kick) that the hub runs from the loop. Calls
 * nothing else of the discovery layer; the hub's wake-up is a callback. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nat/discint.h"
#include "nat/natkey.h"

void
dmembers_init(struct disc *d)
{
	disc_random(&d->mt.seed, sizeof(d->mt.seed));
}

static uint64_t
id_hash(const struct disc *d, const uint8_t *id)
{
	uint64_t	h;

	memcpy(&h, id, sizeof(h));
	h ^= d->mt.seed;
	h *= 0x9e3779b97f4a7c15ULL;
	return h >> 17;
}

static void
byid_build(struct disc *d)
{
	struct disc_members	*t = &d->mt;
	size_t			 size = 16, i, j;

	while (size < 2 * t->nm)
		size *= 2;
	free(t->byid);
	if ((t->byid = calloc(size, sizeof(*t->byid))) == NULL) {
		t->byid_mask = 0;
		return;
	}
	t->byid_mask = size - 1;
	for (i = 0; i < t->nm; i++) {
		if (t->m[i] == NULL)
			continue;
		j = id_hash(d, t->m[i]->key) & t->byid_mask;
		while (t->byid[j] != NULL)
			j = (j + 1) & t->byid_mask;
		t->byid[j] = t->m[i];
	}
}

void
dmembers_install(struct disc *d, struct dmember **m, size_t n)
{
	free(d->mt.m);
	d->mt.m = m;
	d->mt.nm = n;
	byid_build(d);
}

/* m is going: out of the work queue. */
void
dmembers_forget(struct disc *d, struct dmember *m)
{
	size_t	i;

	for (i = 0; i < d->mt.ndirty; i++)
		if (d->mt.dirty[i] == m) {
			d->mt.dirty[i] = d->mt.dirty[--d->mt.ndirty];
		}
	natkey_wipe(m->pair);
}

void
dmembers_free(struct disc *d)
{
	free(d->mt.m);
	free(d->mt.byid);
	free(d->mt.dirty);
	d->mt.m = d->mt.byid = d->mt.dirty = NULL;
	d->mt.nm = d->mt.ndirty = 0;
}

struct dmember *
disc_member_by_id(struct disc *d, const uint8_t *id8)
{
	size_t	j;

	if (d->mt.byid == NULL)
		return NULL;
	for (j = id_hash(d, id8) & d->mt.byid_mask; d->mt.byid[j] != NULL;
	    j = (j + 1) & d->mt.byid_mask)
		if (memcmp(d->mt.byid[j]->key, id8, NATMSG_ID_LEN) == 0)
			return d->mt.byid[j];
	return NULL;
}

struct dmember *
disc_member_by_key(struct disc *d, const uint8_t *key)
{
	struct dmember	*m = disc_member_by_id(d, key);

	if (m != NULL && memcmp(m->key, key, DHT_KEY_LEN) == 0)
		return m;
	return NULL;
}

int
disc_member_pair(struct dmember *m)
{
	if (m->pair_state == 0)
		m->pair_state = natkey_pair(m->pair, m->d->sk, m->d->pk,
		    m->key) == 0 ? 1 : -1;
	return m->pair_state == 1 ? 0 : -1;
}

void
disc_kick(struct dmember *m)
{
	struct disc	*d = m->d;
	struct dmember	**nd;

	if (m->dirty)
		return;
	if (d->mt.ndirty % 64 == 0) {
		if ((nd = reallocarray(d->mt.dirty, d->mt.ndirty + 64,
		    sizeof(*nd))) == NULL)
			return;		/* its timer will do it */
		d->mt.dirty = nd;
	}
	d->mt.dirty[d->mt.ndirty++] = m;
	m->dirty = 1;
	if (d->mt.wake != NULL)
		d->mt.wake(d);
}

struct dmember *
dmembers_next_dirty(struct disc *d)
{
	struct dmember	*m;

	/* members kicked while the queue is run are appended and run too */
	if (d->mt.next_dirty >= d->mt.ndirty) {
		d->mt.ndirty = d->mt.next_dirty = 0;
		return NULL;
	}
	m = d->mt.dirty[d->mt.next_dirty++];
	m->dirty = 0;
	return m;
}

struct dmember *
dmembers_in_use(struct disc *d)
{
	size_t	i;

	for (i = 0; i < d->mt.nm; i++)
		if (d->mt.m[i] != NULL &&
		    d->mt.m[i]->pa.np.state != NATPATH_IDLE)
			return d->mt.m[i];
	return NULL;
}
