/* The DHT core, driven as 2-12 instances in one process over a simulated
 * network (tests/unit/dht-harness.h): bootstrap, lookups, NAT-ed nodes and
 * rendezvous, the key cache, caps, cancelling, the routing table, the
 * configuration. The attacks are in test-dht-security.c. */
#include "config.h"

#include "dht-harness.h"

T_TEST(two_nodes_bootstrap)
{
	struct net		*net = net_build(2, 2, NULL);
	struct dht_stats	 a, b;
	struct dht_reflexive	 refl[DHT_REFLEXIVE_MAX];

	net_run(net, 20000);
	dht_get_stats(net->n[0]->d, &a);
	dht_get_stats(net->n[1]->d, &b);
	T_EQ_INT(a.table_nodes, 1);
	T_EQ_INT(b.table_nodes, 1);
	T_EQ_INT(total_drops(net->n[0]), 0);
	T_EQ_INT(total_drops(net->n[1]), 0);
	T_ASSERT(a.replies_out > 0 && b.replies_out > 0);
	T_ASSERT(net->n[0]->reflexive > 0);
	/* each saw the other at its true address */
	T_EQ_INT(dht_reflexive(net->n[0]->d, refl, DHT_REFLEXIVE_MAX), 1);
	T_EQ_MEM(refl[0].peer_key, net->n[1]->pk, 32);
	T_ASSERT(dht_addr_eq(&refl[0].observed, &net->n[0]->addr));
	T_ASSERT(dht_addr_eq(&refl[0].peer_addr, &net->n[1]->addr));
	net_free(net);
}

T_TEST(ipv6_and_ipv4_nodes_together)
{
	struct net	*net = net_new();
	struct result	 r[6];
	int		 i;

	for (i = 0; i < 6; i++) {
		struct node *n = net_add(net, NULL);

		if (i % 2 == 1) {	/* 2001:db8::i, port 6374 */
			memset(&n->addr, 0, sizeof(n->addr));
			n->addr.family = DHT_AF_INET6;
			n->addr.addr[0] = 0x20;
			n->addr.addr[1] = 0x01;
			n->addr.addr[2] = 0x0d;
			n->addr.addr[3] = 0xb8;
			n->addr.addr[15] = (uint8_t)i;
			n->addr.port = 6374;
		}
	}
	for (i = 1; i < 6; i++)
		dht_add_boot(net->n[i]->d, net->n[0]->pk, &net->n[0]->addr,
		    net->now);
	dht_add_boot(net->n[0]->d, net->n[1]->pk, &net->n[1]->addr, net->now);
	net_run(net, 60000);
	memset(r, 0, sizeof(r));
	for (i = 1; i < 6; i++)
		T_ASSERT(dht_search(net->n[(i + 2) % 6]->d, net->n[i]->pk,
		    on_search, &r[i], net->now) > 0 || (i + 2) % 6 == i);
	net_run(net, net->now + 5000);
	for (i = 1; i < 6; i++) {
		T_EQ_INT(r[i].found, 1);
		T_ASSERT(dht_addr_eq(&r[i].ep, &net->n[i]->addr));
	}
	for (i = 0; i < 6; i++)
		T_EQ_INT(total_drops(net->n[i]), 0);
	net_free(net);
}

T_TEST(sockaddr_conversion)
{
	struct sockaddr_storage	ss;
	struct sockaddr_in6	sin6;
	struct dht_addr		a, b;
	char			s[DHT_ADDR_STRLEN];

	dht_addr_set_v4(&a, 0xc0000201, 6374);
	T_EQ_INT(dht_addr_to_sockaddr(&a, (struct sockaddr *)&ss),
	    sizeof(struct sockaddr_in));
	T_EQ_INT(dht_addr_from_sockaddr(&b, (struct sockaddr *)&ss), 0);
	T_ASSERT(dht_addr_eq(&a, &b));
	/* an IPv4-mapped IPv6 address becomes IPv4 */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(6374);
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &sin6.sin6_addr);
	T_EQ_INT(dht_addr_from_sockaddr(&b, (struct sockaddr *)&sin6), 0);
	T_ASSERT(dht_addr_eq(&a, &b));
	inet_pton(AF_INET6, "2001:db8::7", &sin6.sin6_addr);
	T_EQ_INT(dht_addr_from_sockaddr(&b, (struct sockaddr *)&sin6), 0);
	T_EQ_STR(dht_addr_format(s, &b), "[2001:db8::7]:6374");
	T_EQ_INT(dht_addr_to_sockaddr(&b, (struct sockaddr *)&ss),
	    sizeof(struct sockaddr_in6));
	T_EQ_INT(dht_addr_from_sockaddr(&a, (struct sockaddr *)&ss), 0);
	T_ASSERT(dht_addr_eq(&a, &b));
	ss.ss_family = AF_UNIX;
	T_EQ_INT(dht_addr_from_sockaddr(&a, (struct sockaddr *)&ss), -1);
}

T_TEST(lookups_between_ten_reachable_nodes)
{
	struct net		*net = net_build(10, 10, NULL);
	struct result		 r[10][10];
	struct dht_stats	 st;
	int			 i, j;

	net_run(net, 60000);
	for (i = 0; i < 10; i++) {
		dht_get_stats(net->n[i]->d, &st);
		T_EQ_INT(st.table_nodes, 9);
	}
	memset(r, 0, sizeof(r));
	for (i = 0; i < 10; i++)
		for (j = 0; j < 10; j++)
			if (i != j)
				T_ASSERT(dht_search(net->n[i]->d,
				    net->n[j]->pk, on_search, &r[i][j],
				    net->now) > 0);
	net_run(net, net->now + 5000);
	for (i = 0; i < 10; i++) {
		for (j = 0; j < 10; j++) {
			if (i == j)
				continue;
			T_EQ_INT(r[i][j].done, 1);
			T_EQ_INT(r[i][j].found, 1);
			T_EQ_INT(r[i][j].endpoints, 1);
			T_EQ_INT(r[i][j].reachable, 1);
			T_ASSERT(dht_addr_eq(&r[i][j].ep, &net->n[j]->addr));
		}
		T_EQ_INT(total_drops(net->n[i]), 0);
	}
	net_free(net);
}

/* A node's NAT maps it anew (another port): the tokens it holds name its
 * old address, and the others refuse a request carrying one an answer
 * larger than itself (a NAT-ed owner's rendezvous record does not fit one
 * that small). A request retransmitted goes padded, without the token,
 * and one that failed drops it: the lookup still finds its key. */
T_TEST(lookup_after_rebinding)
{
	struct net	*net = net_build(10, 8, NULL);
	struct node	*x = net->n[3], *nat = net->n[9];
	struct result	 r;

	net_run(net, 60000);
	x->addr.port = (uint16_t)(x->addr.port + 1000);
	memset(&r, 0, sizeof(r));
	T_ASSERT(dht_search(x->d, nat->pk, on_search, &r, net->now) > 0);
	net_run(net, net->now + 5000);
	/* (before, this first lookup failed; the next one found the key) */
	T_EQ_INT(r.done, 1);
	T_EQ_INT(r.found, 1);
	T_ASSERT(r.rvs > 0);	/* through its rendezvous */
	net_free(net);
}

T_TEST(unknown_key_not_found)
{
	struct net	*net = net_build(6, 6, NULL);
	struct result	 r;
	uint8_t		 sk[32], pk[32];

	net_run(net, 30000);
	make_key(sk, pk, 4242, "public", 0, 0);
	memset(&r, 0, sizeof(r));
	T_ASSERT(dht_search(net->n[2]->d, pk, on_search, &r, net->now) > 0);
	net_run(net, net->now + 25000);
	T_EQ_INT(r.done, 1);
	T_EQ_INT(r.found, 0);
	T_EQ_INT(r.endpoints, 0);
	/* its own key cannot be looked up */
	T_EQ_INT(dht_search(net->n[2]->d, net->n[2]->pk, on_search, &r,
	    net->now), -1);
	net_free(net);
}

T_TEST(nat_rendezvous_and_relay)
{
	struct net		*net = net_build(10, 8, NULL);
	struct node		*nat = net->n[9], *src = net->n[3];
	struct result		 r;
	struct dht_rv_info	 rv[DHT_RV_MAX];
	struct dht_stats	 st;
	size_t			 nrv;
	int			 i;

	net_run(net, 60000);
	nrv = dht_rendezvous(nat->d, rv, DHT_RV_MAX);
	T_EQ_INT(nrv, DHT_RV_MAX);
	for (i = 0; i < (int)nrv; i++)
		T_ASSERT(rv[i].active);
	/* NAT-ed nodes are never handed out as hops */
	for (i = 0; i < 8; i++) {
		dht_get_stats(net->n[i]->d, &st);
		T_EQ_INT(st.table_nodes, 7);
	}
	memset(&r, 0, sizeof(r));
	T_ASSERT(dht_search(src->d, nat->pk, on_search, &r, net->now) > 0);
	net_run(net, net->now + 5000);
	T_EQ_INT(r.found, 1);
	T_EQ_INT(r.reachable, 0);
	T_ASSERT(dht_addr_eq(&r.ep, &nat->addr));
	T_ASSERT(r.rvs >= 2);
	T_ASSERT(dht_addr_eq(&r.rv_obs, &nat->addr));

	/* relay through the rendezvous the lookup reported */
	T_EQ_INT(dht_relay(src->d, r.rv_key, &r.rv_addr, nat->pk,
	    (const uint8_t *)"punch-me", 8, net->now), 0);
	net_run(net, net->now + 1000);
	T_EQ_INT(src->relay_result, 11);
	T_EQ_INT(nat->relayed, 1);
	T_EQ_MEM(nat->relayed_from, src->pk, 32);
	T_ASSERT(dht_addr_eq(&nat->relayed_addr, &src->addr));
	T_EQ_INT(nat->relayed_len, 8);
	T_EQ_MEM(nat->relayed_payload, "punch-me", 8);

	/* a node that serves nobody says so */
	T_EQ_INT(dht_relay(src->d, net->n[8]->pk, &net->n[8]->addr, nat->pk,
	    (const uint8_t *)"x", 1, net->now), 0);
	net_run(net, net->now + 1000);
	T_EQ_INT(src->relay_result, 10);
	/* a dead one does not answer */
	net->n[7]->dead = 1;
	T_EQ_INT(dht_relay(src->d, net->n[7]->pk, &net->n[7]->addr, nat->pk,
	    (const uint8_t *)"x", 1, net->now), 0);
	net_run(net, net->now + 5000);
	T_EQ_INT(src->relay_result, 9);
	T_EQ_INT(nat->relayed, 1);
	net_free(net);
}

/* A pair-key cache of one set: every new peer evicts another, including,
 * were it not protected, the one whose packet is being handled. */
T_TEST(tiny_key_cache)
{
	struct opts		 o = { .key_cache = 4 };
	struct net		*net = net_build(10, 8, &o);
	struct node		*nat = net->n[9], *src = net->n[3];
	struct result		 r[10];
	struct dht_stats	 st;
	int			 i;

	net_run(net, 60000);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 10; i++)
		if (i != 3)
			T_ASSERT(dht_search(src->d, net->n[i]->pk, on_search,
			    &r[i], net->now) > 0);
	net_run(net, net->now + 5000);
	for (i = 0; i < 10; i++) {
		if (i == 3)
			continue;
		T_EQ_INT(r[i].found, 1);
		T_ASSERT(dht_addr_eq(&r[i].ep, &net->n[i]->addr));
	}
	T_ASSERT(r[9].rvs > 0);
	T_EQ_INT(dht_relay(src->d, r[9].rv_key, &r[9].rv_addr, nat->pk,
	    (const uint8_t *)"punch", 5, net->now), 0);
	net_run(net, net->now + 1000);
	T_EQ_INT(src->relay_result, 11);
	T_EQ_INT(nat->relayed, 1);
	for (i = 0; i < 10; i++) {
		dht_get_stats(net->n[i]->d, &st);
		T_EQ_INT(st.drops[DHT_DROP_AUTH], 0);
		T_EQ_INT(st.drops[DHT_DROP_UNSOLICITED], 0);
	}
	net_free(net);
}

T_TEST(nat_node_replaces_dead_rendezvous)
{
	struct net		*net = net_build(10, 9, NULL);
	struct node		*nat = net->n[9];
	struct dht_rv_info	 rv[DHT_RV_MAX], rv2[DHT_RV_MAX];
	struct result		 r;
	size_t			 n, i, k;
	int			 victim = -1;

	net_run(net, 60000);
	n = dht_rendezvous(nat->d, rv, DHT_RV_MAX);
	T_EQ_INT(n, DHT_RV_MAX);
	for (k = 0; k < 9; k++)
		if (memcmp(net->n[k]->pk, rv[0].key, 32) == 0)
			victim = (int)k;
	T_ASSERT(victim >= 0);
	net->n[victim]->dead = 1;
	net_run(net, net->now + 120000);
	n = dht_rendezvous(nat->d, rv2, DHT_RV_MAX);
	T_EQ_INT(n, DHT_RV_MAX);
	for (i = 0; i < n; i++) {
		T_ASSERT(memcmp(rv2[i].key, rv[0].key, 32) != 0);
		T_ASSERT(rv2[i].active);
	}
	memset(&r, 0, sizeof(r));
	T_ASSERT(dht_search(net->n[(victim + 1) % 9]->d, nat->pk, on_search,
	    &r, net->now) > 0);
	net_run(net, net->now + 10000);
	T_EQ_INT(r.found, 1);
	net_free(net);
}

/* A RELAY without a fresh token is answered TOKEN; the requester asks once
 * more with the token of that answer, and the payload goes through. */
T_TEST(relay_retries_with_token)
{
	struct net		*net = net_build(10, 8, NULL);
	struct node		*nat = net->n[9], *src = net->n[3], *rvn;
	struct dht_rv_info	 rv[DHT_RV_MAX];
	struct dht_stats	 before, after;
	size_t			 nrv, i;
	int			 idx = -1;

	net_run(net, 60000);
	nrv = dht_rendezvous(nat->d, rv, DHT_RV_MAX);
	T_EQ_INT(nrv, DHT_RV_MAX);
	/* a rendezvous src has no token from: a fresh key cache at src */
	for (i = 0; i < nrv; i++)
		if ((idx = node_by_key(net, rv[i].key)) >= 0 &&
		    net->n[idx] != src)
			break;
	T_ASSERT(idx >= 0);
	rvn = net->n[idx];
	dht_destroy(src->d);
	{
		struct dht_callbacks	cb;
		struct dht_config	cfg;
		const char		*why;

		memset(&cb, 0, sizeof(cb));
		cb.arg = src;
		cb.send = cb_send;
		cb.random = cb_random;
		cb.wallclock = cb_wallclock;
		cb.on_relayed = cb_relayed;
		cb.on_relay_result = cb_relay_result;
		memset(&cfg, 0, sizeof(cfg));
		cfg.secret_key = src->sk;
		cfg.ns = "public";
		cfg.reachable = 1;
		T_ASSERT((src->d = dht_create(&cfg, &cb, net->now, &why)) !=
		    NULL);
	}
	dht_get_stats(rvn->d, &before);
	T_EQ_INT(dht_relay(src->d, rvn->pk, &rvn->addr, nat->pk,
	    (const uint8_t *)"punch-me", 8, net->now), 0);
	net_run(net, net->now + 1000);
	dht_get_stats(rvn->d, &after);
	T_EQ_INT(after.requests_in - before.requests_in, 2);
	T_EQ_INT(after.relays_forwarded - before.relays_forwarded, 1);
	T_EQ_INT(src->relay_result, 11);
	T_EQ_INT(nat->relayed, 1);
	T_EQ_MEM(nat->relayed_payload, "punch-me", 8);
	net_free(net);
}

T_TEST(caps)
{
	struct opts	 o = { .max_searches = 2 };
	struct net	*net = net_build(4, 4, &o);
	struct result	 r[4];
	struct dht_stats st;

	memset(r, 0, sizeof(r));
	net_run(net, 30000);
	T_ASSERT(dht_search(net->n[0]->d, net->n[1]->pk, on_search, &r[0],
	    net->now) > 0);
	T_ASSERT(dht_search(net->n[0]->d, net->n[2]->pk, on_search, &r[1],
	    net->now) > 0);
	T_EQ_INT(dht_search(net->n[0]->d, net->n[3]->pk, on_search, &r[2],
	    net->now), -1);
	net_run(net, net->now + 3000);
	T_EQ_INT(r[0].found + r[1].found, 2);
	dht_get_stats(net->n[0]->d, &st);
	T_EQ_INT(st.searches_active, 0);
	T_ASSERT(dht_search(net->n[0]->d, net->n[3]->pk, on_search, &r[2],
	    net->now) > 0);
	net_free(net);
}

struct canceller {
	struct dht	*d;
	int		 events;
};

static void
on_cancel(void *arg, const struct dht_search_event *ev)
{
	struct canceller	*c = arg;

	c->events++;
	dht_search_cancel(c->d, ev->search);
}

T_TEST(cancel_from_callback)
{
	struct net		*net = net_build(6, 6, NULL);
	struct canceller	 c;
	struct dht_stats	 st;

	net_run(net, 30000);
	c.d = net->n[0]->d;
	c.events = 0;
	T_ASSERT(dht_search(c.d, net->n[4]->pk, on_cancel, &c, net->now) > 0);
	net_run(net, net->now + 5000);
	T_EQ_INT(c.events, 1);		/* the endpoint; no DONE after it */
	dht_get_stats(c.d, &st);
	T_EQ_INT(st.searches_active, 0);
	net_free(net);
}

T_TEST(table_eviction_policy)
{
	struct dhttable		 t;
	struct dhttable_node	*promoted, *q;
	struct dht_addr		 a;
	uint8_t			 self[32], id[32], key[32];
	int			 i;

	memset(self, 0, sizeof(self));
	dhttable_init(&t, self);
	dht_addr_set_v4(&a, 0xc6336401, 1);
	/* fill bucket 0 (first bit differs) */
	for (i = 0; i < DHT_K + 3; i++) {
		memset(id, 0, sizeof(id));
		id[0] = 0x80;
		id[31] = (uint8_t)i;
		memset(key, i, sizeof(key));
		/* an unverified node is never inserted directly */
		T_EQ_INT(dhttable_heard(&t, key, id, &a, 0, 1000), i < DHT_K ?
		    DHTTABLE_VERIFY : DHTTABLE_IGNORED);
		T_EQ_INT(dhttable_heard(&t, key, id, &a, 1, 1000 + i),
		    i < DHT_K ? DHTTABLE_INSERTED : DHTTABLE_REPLACEMENT);
	}
	T_EQ_INT(t.nodes, DHT_K);
	T_EQ_INT(t.repl, 3);
	/* old live nodes are kept: nothing questionable yet */
	memset(id, 0, sizeof(id));
	id[0] = 0x80;
	T_ASSERT(dhttable_questionable(&t, id, 2000, 900000) == NULL);
	/* after a while, the least recently seen one is questioned */
	q = dhttable_questionable(&t, id, 1000000, 900000);
	T_ASSERT(q != NULL && q->id[31] == 0);
	/* one timeout is forgiven, the second evicts; the newest
	 * replacement takes the slot */
	T_EQ_INT(dhttable_failed(&t, id, &promoted), 0);
	T_EQ_INT(dhttable_failed(&t, id, &promoted), 1);
	T_ASSERT(promoted != NULL && promoted->id[31] == DHT_K + 2);
	T_EQ_INT(t.nodes, DHT_K);
	T_EQ_INT(t.repl, 2);
	T_ASSERT(dhttable_find(&t, id) == NULL);
	/* a verified answer refreshes and clears failures */
	id[31] = 5;
	T_EQ_INT(dhttable_failed(&t, id, &promoted), 0);
	T_EQ_INT(dhttable_heard(&t, key, id, &a, 1, 5000), DHTTABLE_UPDATED);
	T_EQ_INT(dhttable_find(&t, id)->fails, 0);
	dhttable_free(&t);
}

T_TEST(table_random_id_and_closest)
{
	struct dhttable		 t;
	struct dhttable_node	*out[DHT_K];
	struct dht_addr		 a;
	uint8_t			 self[32], rnd[32], id[32], key[32];
	unsigned		 i, j;
	size_t			 n;

	for (i = 0; i < 32; i++)
		self[i] = (uint8_t)(i * 13 + 1);
	dhttable_init(&t, self);
	for (i = 0; i < 256; i++) {
		for (j = 0; j < 32; j++)
			rnd[j] = (uint8_t)(i * 31 + j * 7);
		dhttable_random_id(&t, i, id, rnd);
		T_EQ_INT(dhttable_prefix(self, id), i);
	}
	dht_addr_set_v4(&a, 0xc6336401, 1);
	for (i = 0; i < 60; i++) {
		for (j = 0; j < 32; j++)
			id[j] = (uint8_t)(i * 97 + j * 5 + (i >> 2));
		memset(key, (int)i, sizeof(key));
		dhttable_heard(&t, key, id, &a, 1, 1);
	}
	n = dhttable_closest(&t, self, out, DHT_K, NULL, 0);
	T_ASSERT(n > 0);
	for (i = 1; i < n; i++)
		T_ASSERT(dhttable_cmp(self, out[i - 1]->id, out[i]->id) < 0);
	dhttable_free(&t);
}

T_TEST(create_rejects_bad_config)
{
	struct dht_callbacks	cb;
	struct dht_config	cfg;
	const char		*why;
	uint8_t			sk[32] = { 1 };
	char			longns[DHT_MAX_NS + 2];

	memset(&cb, 0, sizeof(cb));
	memset(&cfg, 0, sizeof(cfg));
	T_ASSERT(dht_create(&cfg, &cb, 0, &why) == NULL && why != NULL);
	cfg.secret_key = sk;
	T_ASSERT(dht_create(&cfg, &cb, 0, &why) == NULL && why != NULL);
	cb.send = cb_send;
	cb.random = cb_random;
	cb.wallclock = cb_wallclock;
	memset(longns, 'x', sizeof(longns) - 1);
	longns[sizeof(longns) - 1] = '\0';
	cfg.ns = longns;
	T_ASSERT(dht_create(&cfg, &cb, 0, &why) == NULL && why != NULL);
}

int
main(void)
{
	if (dhtcrypto_init() != 0)
		return 99;
	T_RUN(two_nodes_bootstrap);
	T_RUN(ipv6_and_ipv4_nodes_together);
	T_RUN(sockaddr_conversion);
	T_RUN(lookups_between_ten_reachable_nodes);
	T_RUN(lookup_after_rebinding);
	T_RUN(unknown_key_not_found);
	T_RUN(nat_rendezvous_and_relay);
	T_RUN(tiny_key_cache);
	T_RUN(nat_node_replaces_dead_rendezvous);
	T_RUN(relay_retries_with_token);
	T_RUN(caps);
	T_RUN(cancel_from_callback);
	T_RUN(table_eviction_policy);
	T_RUN(table_random_id_and_closest);
	T_RUN(create_rejects_bad_config);
	return t_done();
}
