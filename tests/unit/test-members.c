/* The member table (members.h): built whole from a netconfig, peers reused
 * by key across a rebuild, routes by index, the old table freed without
 * touching the peers the new one holds. Peers are plain allocations here
 * (no tunnel): the ops below stand in for the daemon's. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/members.h"
#include "datapath/peer.h"
#include "datapath/route.h"
#include "netconf/netconf.h"
#include "t.h"

#define NET	0x0a000000U		/* 10.0.0.0/24 */

static const uint8_t	ula[8] = { 0xfd, 1, 2, 3, 4, 5, 6, 7 };
static int		ncreated, nupdated, ndestroyed, fail_create;

static struct peer *
fake_create(void *arg, const struct nc_member *m, size_t idx)
{
	struct peer	*p;

	if (fail_create || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	ncreated++;
	p->idx = idx;
	memcpy(p->key, m->key, KEY_LEN);
	memcpy(p->hostname, m->hostname, sizeof(p->hostname));
	p->ip4 = m->ip4;
	memcpy(p->ip6, m->ip6, sizeof(p->ip6));
	return p;
}

static void
fake_update(void *arg, struct peer *p, const struct nc_member *m)
{
	nupdated++;
}

static void
fake_destroy(void *arg, struct peer *p)
{
	ndestroyed++;
	free(p);
}

static const struct members_ops ops = {
	fake_create, fake_update, fake_destroy
};

/* Member with key byte k at host address host. */
static void
member(struct nc_member *m, uint8_t k, uint32_t host, const char *name)
{
	memset(m, 0, sizeof(*m));
	memset(m->key, k, KEY_LEN);
	m->key[0] = (uint8_t)(k * 7);	/* spread the hash a little */
	m->ip4 = NET + host;
	memcpy(m->ip6, ula, 8);
	m->ip6[15] = (uint8_t)host;
	snprintf(m->hostname, sizeof(m->hostname), "%s", name);
}

static void
netconf(struct netconf *nc, struct nc_member *m, size_t n)
{
	memset(nc, 0, sizeof(*nc));
	nc->subnet = NET;
	nc->prefixlen = 24;
	memcpy(nc->ula_prefix, ula, 8);
	nc->members = m;
	nc->nmembers = n;
}

T_TEST(build_and_rebuild)
{
	struct nc_member	 m1[3], m2[3];
	struct netconf		 nc1, nc2;
	struct members		*a, *b;
	struct members_diff	 diff;
	struct peer		*pb, *pc;
	uint8_t			 key[KEY_LEN];

	ncreated = nupdated = ndestroyed = fail_create = 0;
	/* self (1), b (2), c (3) */
	member(&m1[0], 1, 1, "self");
	member(&m1[1], 2, 2, "b");
	member(&m1[2], 3, 3, "c");
	netconf(&nc1, m1, 3);
	T_ASSERT((a = members_build(&nc1, 0, NULL, &ops, NULL, &diff)) != NULL);
	T_EQ_INT(a->n, 3);
	T_EQ_INT(a->self, 0);
	T_ASSERT(members_peer(a, 0) == NULL);
	T_ASSERT(members_peer(a, 3) == NULL);
	T_EQ_INT(ncreated, 2);
	T_EQ_INT(diff.added, 2);
	T_EQ_INT(route_lookup4(&a->route, NET + 3), 2);
	pb = members_peer(a, 1);
	pc = members_peer(a, 2);
	T_ASSERT(members_by_key(a, m1[1].key) == pb);
	T_ASSERT(members_by_key(a, m1[0].key) == NULL);	/* self */
	memset(key, 9, sizeof(key));
	T_ASSERT(members_by_key(a, key) == NULL);
	/* by the first bytes of a key (a relay envelope's 8-byte id) */
	T_ASSERT(members_by_prefix(a, m1[2].key, 8) == pc);
	T_ASSERT(members_by_prefix(a, m1[2].key, MEMBERS_PREFIX_MIN) == pc);
	T_ASSERT(members_by_prefix(a, m1[2].key, 3) == NULL);	/* too short */
	T_ASSERT(members_by_prefix(a, m1[0].key, 8) == NULL);	/* self */
	memcpy(key, m1[2].key, 8);
	T_ASSERT(members_by_prefix(a, key, 8) == pc);
	T_ASSERT(members_by_key(a, key) == NULL);
	T_ASSERT(members_by_prefix(NULL, key, 8) == NULL);

	/* c moves to the front with a new address, b goes, d comes. */
	member(&m2[0], 3, 7, "c");
	member(&m2[1], 1, 1, "self");
	member(&m2[2], 4, 4, "d");
	netconf(&nc2, m2, 3);
	T_ASSERT((b = members_build(&nc2, 1, a, &ops, NULL, &diff)) != NULL);
	T_EQ_INT(diff.added, 1);
	T_EQ_INT(diff.removed, 1);
	T_EQ_INT(diff.changed, 1);
	T_EQ_INT(diff.unchanged, 0);
	T_EQ_INT(nupdated, 1);
	T_ASSERT(members_peer(b, 0) == pc);		/* session kept */
	T_EQ_INT(pc->idx, 0);
	T_EQ_INT(pc->ip4, NET + 7);
	T_EQ_INT(route_lookup4(&b->route, NET + 7), 0);
	T_EQ_INT(route_lookup4(&b->route, NET + 3), ROUTE_UNKNOWN);
	/* the old table still routes as before */
	T_EQ_INT(route_lookup4(&a->route, NET + 3), 2);
	T_EQ_INT(ndestroyed, 0);
	members_free(a, b, &ops, NULL);
	T_EQ_INT(ndestroyed, 1);			/* b only */
	members_free(b, NULL, &ops, NULL);
	T_EQ_INT(ndestroyed, 3);
}

T_TEST(headless_and_failures)
{
	struct nc_member	 m[2];
	struct netconf		 nc;
	struct members		*mb;
	struct members_diff	 diff;

	ncreated = nupdated = ndestroyed = 0;
	member(&m[0], 1, 1, "a");
	member(&m[1], 2, 2, "b");
	netconf(&nc, m, 2);
	T_ASSERT((mb = members_build(&nc, -1, NULL, &ops, NULL, &diff)) !=
	    NULL);
	T_EQ_INT(mb->n, 0);
	T_EQ_INT(ncreated, 0);
	members_free(mb, NULL, &ops, NULL);

	/* A peer that cannot be made leaves a hole, counted as added. */
	fail_create = 1;
	T_ASSERT((mb = members_build(&nc, 0, NULL, &ops, NULL, &diff)) !=
	    NULL);
	fail_create = 0;
	T_EQ_INT(diff.added, 1);
	T_ASSERT(members_peer(mb, 1) == NULL);
	T_EQ_INT(route_lookup4(&mb->route, NET + 2), 1);
	members_free(mb, NULL, &ops, NULL);
	T_EQ_INT(ndestroyed, 0);
}

int
main(void)
{
	T_RUN(build_and_rebuild);
	T_RUN(headless_and_failures);
	return t_done();
}
