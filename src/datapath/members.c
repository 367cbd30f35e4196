/* The member table (members.h): built whole, read by every layer, swapped
 * by pointer on reload. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "datapath/members.h"
#include "datapath/peer.h"

/* Public keys are points chosen by their owners, but only the netconfig's
 * trust lines enter the table: four of their bytes spread them well. */
static size_t
key_hash(const uint8_t key[KEY_LEN])
{
	return (size_t)key[0] | (size_t)key[1] << 8 | (size_t)key[2] << 16 |
	    (size_t)key[3] << 24;
}

/* The key index's room for mb->n members (before the peers are known). */
static int
bykey_alloc(struct members *mb)
{
	size_t	cap = 8;

	while (cap < 2 * mb->n)
		cap *= 2;
	if ((mb->bykey = calloc(cap, sizeof(*mb->bykey))) == NULL)
		return -1;
	mb->bykey_mask = cap - 1;
	return 0;
}

/* Index the finished peer[] by key; cannot fail. */
static void
bykey_fill(struct members *mb)
{
	size_t	i, h;

	for (i = 0; i < mb->n; i++) {
		if (mb->peer[i] == NULL)
			continue;
		h = key_hash(mb->peer[i]->key) & mb->bykey_mask;
		while (mb->bykey[h] != 0)
			h = (h + 1) & mb->bykey_mask;
		mb->bykey[h] = (uint32_t)i + 1;
	}
}

struct peer *
members_by_prefix(const struct members *mb, const uint8_t *prefix,
    size_t len)
{
	struct peer	*p;
	size_t		 h;

	if (mb == NULL || mb->bykey == NULL || len < MEMBERS_PREFIX_MIN ||
	    len > KEY_LEN)
		return NULL;
	for (h = key_hash(prefix) & mb->bykey_mask; mb->bykey[h] != 0;
	    h = (h + 1) & mb->bykey_mask) {
		p = mb->peer[mb->bykey[h] - 1];
		if (memcmp(p->key, prefix, len) == 0)
			return p;
	}
	return NULL;
}

struct peer *
members_by_key(const struct members *mb, const uint8_t key[KEY_LEN])
{
	return members_by_prefix(mb, key, KEY_LEN);
}

/* The routing table for nc's members (indices as in nc). */
static int
route_build(const struct netconf *nc, struct route *r)
{
	size_t	i;

	if (route_init(r, nc->nmembers, nc->subnet, nc->prefixlen,
	    nc->ula_prefix) == -1)
		return -1;
	for (i = 0; i < nc->nmembers; i++) {
		/* The parser guarantees unique addresses. */
		(void)route_add4(r, nc->members[i].ip4, (int)i);
		(void)route_add6(r, nc->members[i].ip6, (int)i);
	}
	return 0;
}

/* old's peer p is member m (index i) of the new table. */
static int
reuse(struct peer *p, const struct nc_member *m, size_t i)
{
	int	changed;

	changed = p->ip4 != m->ip4 || memcmp(p->ip6, m->ip6, 16) != 0 ||
	    strcmp(p->hostname, m->hostname) != 0;
	p->idx = i;
	p->ip4 = m->ip4;
	memcpy(p->ip6, m->ip6, sizeof(p->ip6));
	memcpy(p->hostname, m->hostname, sizeof(p->hostname));
	return changed;
}

/* Does mb hold p? (A held peer's idx is its index there.) */
static int
holds(const struct members *mb, const struct peer *p)
{
	return mb != NULL && p->idx < mb->n && mb->peer[p->idx] == p;
}

struct members *
members_build(const struct netconf *nc, ssize_t self,
    const struct members *old, const struct members_ops *ops, void *arg,
    struct members_diff *diff)
{
	struct members_diff	 dd;
	struct members		*mb;
	struct peer		*p;
	size_t			 i;

	if (diff == NULL)
		diff = &dd;
	memset(diff, 0, sizeof(*diff));
	if ((mb = calloc(1, sizeof(*mb))) == NULL)
		return NULL;
	mb->self = self;
	if (self < 0)			/* headless: no peers, no routes */
		return mb;
	mb->n = nc->nmembers;
	if ((mb->peer = calloc(mb->n ? mb->n : 1, sizeof(*mb->peer))) ==
	    NULL || bykey_alloc(mb) == -1) {
		free(mb->peer);
		free(mb);
		return NULL;
	}
	if (route_build(nc, &mb->route) == -1) {
		free(mb->bykey);
		free(mb->peer);
		free(mb);
		return NULL;
	}
	/* Nothing fails from here on. */
	for (i = 0; i < mb->n; i++) {
		const struct nc_member	*m = &nc->members[i];

		if ((ssize_t)i == self)
			continue;
		if ((p = members_by_key(old, m->key)) != NULL) {
			if (reuse(p, m, i))
				diff->changed++;
			else
				diff->unchanged++;
			if (ops->update != NULL)
				ops->update(arg, p, m);
			mb->peer[i] = p;
			continue;
		}
		diff->added++;
		mb->peer[i] = ops->create(arg, m, i);
	}
	if (old != NULL)
		for (i = 0; i < old->n; i++)
			if (old->peer[i] != NULL && !holds(mb, old->peer[i]))
				diff->removed++;
	bykey_fill(mb);
	return mb;
}

void
members_free(struct members *mb, const struct members *keep,
    const struct members_ops *ops, void *arg)
{
	size_t	i;

	if (mb == NULL)
		return;
	for (i = 0; i < mb->n; i++)
		if (mb->peer[i] != NULL && !holds(keep, mb->peer[i]))
			ops->destroy(arg, mb->peer[i]);
	free(mb->peer);
	free(mb->bykey);
	if (mb->self >= 0)
		route_free(&mb->route);
	memset(mb, 0, sizeof(*mb));
	free(mb);
}
