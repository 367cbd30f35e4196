/* The harness test-dht.c and test-dht-security.c share: the DHT core,
 * driven as 2-12 instances in one process over a tiny in-memory network
 * with a virtual clock (5 ms per hop, optional NAT filtering per node),
 * plus a raw client that crafts packets by hand to check what the library
 * refuses. Included once by each test program. */
#ifndef MESH_TEST_DHT_HARNESS_H
#define MESH_TEST_DHT_HARNESS_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "dht/dht.h"
#include "dht/dhtcrypto.h"
#include "dht/dhtmsg.h"
#include "dht/dhttable.h"
#include "dht/pow.h"
#include "t.h"
#include "testrng.h"

#define MAXN		16
#define MAXQ		4096
#define HOP		5
#define EPOCH		1700000000000ULL
#define NAT_TIMEOUT	60000

struct node;

struct pkt {
	int		from, to;
	uint64_t	at;
	struct dht_addr	src;
	size_t		len;
	uint8_t		buf[DHT_MAX_PACKET];
};

struct net {
	struct node	*n[MAXN];
	int		 count;
	uint64_t	 now;
	struct pkt	 q[MAXQ];
	int		 qlen;
	/* a tap: called for every packet sent; returning 0 drops it */
	int		(*tap)(struct net *, struct pkt *);
	struct pkt	 captured[64];
	int		 ncaptured;
	int		 raw_inbox;	/* packets for the raw client */
	size_t		 raw_bytes;	/* ... and their bytes */
	struct pkt	 raw_last;
	/* a fake DHT node (a valid key, no instance) that answers every
	 * FIND with the contacts below, and wire bytes sent to the victim
	 * hosts 192.0.2.77-80 (no node lives there) by each node */
	int		 fake_on;
	uint8_t		 fake_sk[32], fake_pk[32];
	struct dht_addr	 fake_addr;
	struct dhtmsg_contact fake_contacts[DHT_K];
	unsigned	 fake_ncontacts;
	int		 fake_serves;		/* claim to serve ... */
	struct dhtmsg_contact fake_served;	/* ... this key, there */
	int		 fake_finds;
	size_t		 victim_bytes[MAXN][4];
	int		 victim_pkts[MAXN][4];
};

struct node {
	struct net	*net;
	int		 idx;
	struct dht	*d;
	uint8_t		 sk[32], pk[32];
	struct dht_addr	 addr;
	int		 nat, dead;
	int64_t		 skew;
	uint64_t	 rng;
	struct { struct dht_addr to; uint64_t at; } opened[MAXN + 2];
	/* what the callbacks saw */
	int		 relayed;
	uint8_t		 relayed_from[32];
	struct dht_addr	 relayed_addr;
	uint8_t		 relayed_payload[64];
	size_t		 relayed_len;
	int		 relay_result;
	int		 reflexive;
};

static struct dht_addr	raw_addr;	/* the raw client's endpoint */

static void
cb_random(void *arg, void *buf, size_t len)
{
	struct node	*n = arg;

	testrng_fill(&n->rng, buf, len);
}

static uint64_t
cb_wallclock(void *arg)
{
	struct node	*n = arg;

	return (uint64_t)((int64_t)(EPOCH + n->net->now) + n->skew);
}

static int
addr_is_open(struct node *n, const struct dht_addr *from, uint64_t now)
{
	unsigned	i;

	for (i = 0; i < MAXN + 2; i++)
		if (n->opened[i].at != 0 && dht_addr_eq(&n->opened[i].to, from)
		    && n->opened[i].at + NAT_TIMEOUT > now)
			return 1;
	return 0;
}

static void
nat_open(struct node *n, const struct dht_addr *to, uint64_t now)
{
	unsigned	i, slot = 0;

	for (i = 0; i < MAXN + 2; i++) {
		if (dht_addr_eq(&n->opened[i].to, to)) {
			slot = i;
			break;
		}
		if (n->opened[i].at < n->opened[slot].at)
			slot = i;
	}
	n->opened[slot].to = *to;
	n->opened[slot].at = now;
}

static void
net_enqueue(struct net *net, int from, int to, const struct dht_addr *src,
    const uint8_t *buf, size_t len)
{
	struct pkt	*p;

	if (net->qlen == MAXQ || len > DHT_MAX_PACKET)
		return;
	p = &net->q[net->qlen++];
	p->from = from;
	p->to = to;
	p->at = net->now + HOP;
	p->src = *src;
	p->len = len;
	memcpy(p->buf, buf, len);
	if (net->tap != NULL && !net->tap(net, p))
		net->qlen--;
}

static void fake_answer(struct net *, struct node *, const uint8_t *,
    size_t);

static void
cb_send(void *arg, const struct dht_addr *to, const uint8_t *buf, size_t len)
{
	struct node	*n = arg;
	struct net	*net = n->net;
	int		 i, dst = -1;

	if (n->nat)
		nat_open(n, to, net->now);
	if (dht_addr_eq(to, &raw_addr))
		dst = MAXN;
	for (i = 0; i < net->count; i++)
		if (dht_addr_eq(&net->n[i]->addr, to))
			dst = i;
	if (net->fake_on && dht_addr_eq(to, &net->fake_addr)) {
		fake_answer(net, n, buf, len);
		return;
	}
	if (to->family == DHT_AF_INET && to->addr[0] == 192 &&
	    to->addr[1] == 0 && to->addr[2] == 2 && to->addr[3] >= 77 &&
	    to->addr[3] <= 80) {
		/* on the wire: IP and UDP headers too */
		net->victim_bytes[n->idx][to->addr[3] - 77] += len + 28;
		net->victim_pkts[n->idx][to->addr[3] - 77]++;
	}
	if (dst < 0)
		return;
	net_enqueue(net, n->idx, dst, &n->addr, buf, len);
}

static void
cb_relayed(void *arg, const uint8_t from[32], const struct dht_addr *fa,
    const uint8_t *payload, size_t len)
{
	struct node	*n = arg;

	n->relayed++;
	memcpy(n->relayed_from, from, 32);
	n->relayed_addr = *fa;
	n->relayed_len = len < sizeof(n->relayed_payload) ? len :
	    sizeof(n->relayed_payload);
	memcpy(n->relayed_payload, payload, n->relayed_len);
}

static void
cb_relay_result(void *arg, const uint8_t rv[32], const uint8_t target[32],
    int delivered)
{
	struct node	*n = arg;

	n->relay_result = delivered + 10;	/* 9, 10 or 11 */
}

static void
cb_reflexive(void *arg, const uint8_t k[32], const struct dht_addr *pa,
    const struct dht_addr *obs)
{
	struct node	*n = arg;

	n->reflexive++;
}

static void
make_key(uint8_t sk[32], uint8_t pk[32], uint64_t seed, const char *ns,
    unsigned workbit, int below)
{
	uint8_t		in[16];
	unsigned	bits;

	memcpy(in, "test-dht-key", 12);
	for (;;) {
		memcpy(in + 12, &seed, 4);
		dhtcrypto_hash(sk, 32, in, sizeof(in));
		dhtcrypto_public(pk, sk);
		bits = pow_workbits(ns, strlen(ns), pk);
		if (below ? bits < workbit : bits >= workbit)
			return;
		seed += 1000003;
	}
}

struct opts {
	int		 nat;
	const char	*ns;
	unsigned	 workbit;
	unsigned	 reply_rate;
	unsigned	 max_searches;
	unsigned	 max_pending;
	unsigned	 replay_cache;
	unsigned	 key_cache;
	int64_t		 skew;
};

static struct node *
net_add(struct net *net, const struct opts *o)
{
	struct dht_callbacks	cb;
	struct dht_config	cfg;
	struct node		*n;
	const char		*why, *ns = o && o->ns ? o->ns : "public";

	n = calloc(1, sizeof(*n));
	n->net = net;
	n->idx = net->count;
	n->rng = 0x1234 + (uint64_t)net->count * 77;
	n->nat = o ? o->nat : 0;
	n->skew = o ? o->skew : 0;
	make_key(n->sk, n->pk, 1 + (uint64_t)net->count, ns,
	    o ? o->workbit : 0, 0);
	dht_addr_set_v4(&n->addr, 0xc6336400 + 1 + (uint32_t)net->count,
	    6374);
	memset(&cb, 0, sizeof(cb));
	cb.arg = n;
	cb.send = cb_send;
	cb.random = cb_random;
	cb.wallclock = cb_wallclock;
	cb.on_relayed = cb_relayed;
	cb.on_relay_result = cb_relay_result;
	cb.on_reflexive = cb_reflexive;
	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = n->sk;
	cfg.ns = ns;
	cfg.workbit = o ? o->workbit : 0;
	cfg.reachable = !n->nat;
	if (o) {
		cfg.reply_rate = o->reply_rate;
		cfg.reply_burst = o->reply_rate;
		cfg.max_searches = o->max_searches;
		cfg.max_pending = o->max_pending;
		cfg.replay_cache = o->replay_cache;
		cfg.key_cache = o->key_cache;
	}
	n->d = dht_create(&cfg, &cb, net->now, &why);
	if (n->d == NULL) {
		fprintf(stderr, "dht_create: %s\n", why);
		exit(99);
	}
	net->n[net->count++] = n;
	return n;
}

static void
net_free(struct net *net)
{
	int	i;

	for (i = 0; i < net->count; i++) {
		dht_destroy(net->n[i]->d);
		free(net->n[i]);
	}
	free(net);
}

static struct net *
net_new(void)
{
	struct net	*net = calloc(1, sizeof(*net));

	net->now = 1000;
	dht_addr_set_v4(&raw_addr, 0xcb007101, 9999);	/* 203.0.113.1 */
	return net;
}

static void
deliver(struct net *net, struct pkt *p)
{
	struct node	*dst;

	if (p->to == MAXN) {		/* for the raw client */
		net->raw_inbox++;
		net->raw_bytes += p->len;
		net->raw_last = *p;
		return;
	}
	dst = net->n[p->to];
	if (dst->dead)
		return;
	if (dst->nat && !addr_is_open(dst, &p->src, net->now))
		return;
	dht_input(dst->d, p->buf, p->len, &p->src, net->now);
}

/* Run the network until `until` (virtual ms). */
static void
net_run(struct net *net, uint64_t until)
{
	uint64_t	next;
	int		i, j;

	while (net->now <= until) {
		/* deliver what is due, in order */
		for (i = 0; i < net->qlen; ) {
			if (net->q[i].at <= net->now) {
				struct pkt p = net->q[i];

				for (j = i; j < net->qlen - 1; j++)
					net->q[j] = net->q[j + 1];
				net->qlen--;
				deliver(net, &p);
			} else
				i++;
		}
		for (i = 0; i < net->count; i++)
			if (!net->n[i]->dead &&
			    dht_next_wakeup(net->n[i]->d) <= net->now)
				dht_periodic(net->n[i]->d, net->now);
		next = until + 1;
		for (i = 0; i < net->qlen; i++)
			if (net->q[i].at < next)
				next = net->q[i].at;
		for (i = 0; i < net->count; i++)
			if (!net->n[i]->dead &&
			    dht_next_wakeup(net->n[i]->d) < next)
				next = dht_next_wakeup(net->n[i]->d);
		net->now = next > net->now ? next : net->now + 1;
	}
	net->now = until;
}

/* n nodes, each booting from node 0 (and node 0 from node 1). */
static struct net *
net_build(int n, int nat_from, const struct opts *o)
{
	struct net	*net = net_new();
	struct opts	 oo;
	int		 i;

	memset(&oo, 0, sizeof(oo));
	if (o)
		oo = *o;
	for (i = 0; i < n; i++) {
		oo.nat = i >= nat_from;
		net_add(net, &oo);
	}
	for (i = 1; i < n; i++)
		dht_add_boot(net->n[i]->d, net->n[0]->pk, &net->n[0]->addr,
		    net->now);
	dht_add_boot(net->n[0]->d, net->n[1]->pk, &net->n[1]->addr, net->now);
	return net;
}

/* --- search result collection ------------------------------------------ */

struct result {
	int		done, found, endpoints, rvs;
	int		reachable;
	struct dht_addr	ep, rv_addr, rv_obs;
	struct dht_addr	ep_direct;	/* the last reachable=1 endpoint */
	uint8_t		rv_key[32];
	unsigned	rounds, messages;
};

static void
on_search(void *arg, const struct dht_search_event *ev)
{
	struct result	*r = arg;

	switch (ev->kind) {
	case DHT_EV_ENDPOINT:
		r->endpoints++;
		r->ep = ev->addr;
		r->reachable = ev->reachable;
		if (ev->reachable)
			r->ep_direct = ev->addr;
		break;
	case DHT_EV_RENDEZVOUS:
		r->rvs++;
		r->rv_addr = ev->addr;
		r->rv_obs = ev->addr_observed;
		memcpy(r->rv_key, ev->rv_key, 32);
		break;
	case DHT_EV_DONE:
		r->done++;
		r->found = ev->found;
		r->rounds = ev->rounds;
		r->messages = ev->messages;
		break;
	}
}

static uint64_t
total_drops(struct node *n)
{
	struct dht_stats	st;
	uint64_t		sum = 0;
	int			i;

	dht_get_stats(n->d, &st);
	for (i = 0; i < DHT_DROP_MAX; i++)
		sum += st.drops[i];
	return sum;
}

/* Index of the node whose key is k, or -1. */
static int
node_by_key(struct net *net, const uint8_t *k)
{
	int	i;

	for (i = 0; i < net->count; i++)
		if (memcmp(net->n[i]->pk, k, 32) == 0)
			return i;
	return -1;
}

/* --- the raw client: crafts packets with its own key --------------------- */

static size_t
raw_packet(uint8_t *pkt, const struct node *to, const char *ns,
    const struct dhtmsg *m, const uint8_t *sender_pk, const uint8_t *sk)
{
	uint8_t		shared[32], pair[32], body[DHTMSG_MAX_BODY];
	size_t		blen;

	if (dhtcrypto_x25519(shared, sk, to->pk) != 0)
		return 0;
	dhtcrypto_pair_key(pair, shared, ns, strlen(ns), sender_pk, to->pk);
	blen = dhtmsg_encode(m, body, sizeof(body));
	if (blen == 0)
		return 0;
	pkt[0] = m->type;
	memcpy(pkt + 1, sender_pk, 32);
	memset(pkt + 33, 0xa5, 24);
	pkt[33] = (uint8_t)rand();
	pkt[34] = (uint8_t)rand();
	pkt[35] = (uint8_t)rand();
	dhtcrypto_seal(pkt + DHTMSG_HDR_LEN, body, blen, pkt, 33, pkt + 33,
	    pair);
	return DHTMSG_MIN_PACKET + blen;
}

/* The fake node: open a request sent to it, answer a PING with a PONG and
 * a FIND with its poisoned contacts (and rendezvous report). */
static void
fake_answer(struct net *net, struct node *from, const uint8_t *buf,
    size_t len)
{
	uint8_t			shared[32], pair[32], body[DHTMSG_MAX_BODY];
	uint8_t			pkt[DHT_MAX_PACKET];
	struct dhtmsg_hdr	h;
	struct dhtmsg		m, r;
	enum dht_drop		why;
	unsigned		i;
	long			blen;
	size_t			plen;

	if (dhtmsg_header(buf, len, &h, &why) != 0 ||
	    dhtcrypto_x25519(shared, net->fake_sk, from->pk) != 0)
		return;
	dhtcrypto_pair_key(pair, shared, "public", 6, net->fake_pk, from->pk);
	if ((blen = dhtcrypto_open(body, h.sealed, h.sealed_len, buf, 33,
	    h.nonce, pair)) < 0 || dhtmsg_decode(h.type, body, (size_t)blen,
	    &m) != 0)
		return;
	memset(&r, 0, sizeof(r));
	r.txid = m.txid;
	r.flags = DHTMSG_F_REACHABLE;
	r.observed = from->addr;
	memset(r.token, 0x77, sizeof(r.token));
	if (h.type == DHTMSG_PING)
		r.type = DHTMSG_PONG;
	else if (h.type == DHTMSG_FIND) {
		net->fake_finds++;
		r.type = DHTMSG_NODES;
		for (i = 0; i < net->fake_ncontacts; i++)
			r.contacts[i] = net->fake_contacts[i];
		r.ncontacts = net->fake_ncontacts;
		if (net->fake_serves) {
			r.served = net->fake_served;
			r.nserved = 1;
		}
		/* never more than we were sent? A liar does not care */
	} else
		return;
	if ((plen = raw_packet(pkt, from, "public", &r, net->fake_pk,
	    net->fake_sk)) > 0)
		net_enqueue(net, MAXN, from->idx, &net->fake_addr, pkt, plen);
}

#endif
