/* Discovery's view of the member table: the daemon's one table
 * (datapath/members.h, by index, by key, by the 8-byte id of a relay
 * envelope), each member's discovery state hung on its peer (path.nat),
 * their pair keys, and the queue of members with news (disc_kick) that
 * the hub runs from the loop. Calls nothing else of the discovery layer;
 * the hub's wake-up is a callback. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "datapath/members.h"
#include "datapath/peer.h"
#include "nat/discint.h"
#include "nat/natkey.h"

size_t
dmembers_count(const struct disc *d)
{
	return d->mt.mb != NULL ? d->mt.mb->n : 0;
}

struct dmember *
dmembers_at(const struct disc *d, size_t i)
{
	struct peer	*p;

	if (d->mt.mb == NULL || (p = members_peer(d->mt.mb, i)) == NULL)
		return NULL;
	return p->path.nat;
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
	free(d->mt.dirty);
	d->mt.dirty = NULL;
	d->mt.ndirty = 0;
	d->mt.mb = NULL;
}

struct dmember *
disc_member_by_id(struct disc *d, const uint8_t *id8)
{
	struct peer	*p;

	_Static_assert(NATMSG_ID_LEN >= MEMBERS_PREFIX_MIN,
	    "a relay envelope's member id can be looked up");
	if ((p = members_by_prefix(d->mt.mb, id8, NATMSG_ID_LEN)) == NULL)
		return NULL;
	return p->path.nat;
}

struct dmember *
disc_member_by_key(struct disc *d, const uint8_t *key)
{
	struct peer	*p;

	if ((p = members_by_key(d->mt.mb, key)) == NULL)
		return NULL;
	return p->path.nat;
}

int
disc_member_pair(struct dmember *m)
{
	if (m->pair_state == 0)
		m->pair_state = natkey_pair(m->pair, m->d->sk, m->d->pk,
		    m->key) == 0 ? 1 : -1;
	return m->pair_state == 1 ? 0 : -1;
}

int
disc_member_ack(struct dmember *m, const struct natmsg *probe,
    const struct sockaddr_in6 *from, uint64_t now, struct natmsg *ack)
{
	struct disc	*d = m->d;

	if (!ratelimit_bucket_take(&m->pa.ack_bucket, DISC_ACK_RATE,
	    DISC_ACK_BURST, 1, now)) {
		d->pg.drops[DISC_DROP_PROBE_RATE]++;
		return -1;
	}
	memset(ack, 0, sizeof(*ack));
	ack->type = NATMSG_ACK;
	memcpy(ack->key, d->pk, NATMSG_KEY_LEN);
	memcpy(ack->nonce, probe->nonce, NATMSG_NONCE_LEN);
	ack->observed = *from;
	return 0;
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
	struct dmember	*m;
	size_t		 i;

	for (i = 0; i < dmembers_count(d); i++)
		if ((m = dmembers_at(d, i)) != NULL &&
		    m->pa.np.state != NATPATH_IDLE)
			return m;
	return NULL;
}
