/* The DHT core, driven as 2-12 instances in one process over a tiny
 * in-memory network with a virtual clock (5 ms per hop, optional NAT
 * filtering per node), plus a raw client that crafts packets by hand to
 * check what the library refuses. */
#include "config.h"

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

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t	z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
cb_random(void *arg, void *buf, size_t len)
{
	struct node	*n = arg;
	uint8_t		*p = buf;
	uint64_t	 v;
	size_t		 k;

	while (len > 0) {
		v = splitmix(&n->rng);
		k = len < 8 ? len : 8;
		memcpy(p, &v, k);
		p += k;
		len -= k;
	}
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
drops(struct node *n, enum dht_drop why)
{
	struct dht_stats	st;

	dht_get_stats(n->d, &st);
	return st.drops[why];
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

/* --- the raw client: crafts packets with its own key --------------------- */

static uint8_t	raw_sk[32], raw_pk[32];

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

/* Decrypt the last packet the raw client received. */
static int
raw_open(struct net *net, const struct node *from, struct dhtmsg *m,
    uint8_t *body)
{
	uint8_t			shared[32], pair[32];
	struct dhtmsg_hdr	h;
	enum dht_drop		why;
	long			blen;

	if (dhtmsg_header(net->raw_last.buf, net->raw_last.len, &h, &why) != 0)
		return -1;
	if (dhtcrypto_x25519(shared, raw_sk, from->pk) != 0)
		return -1;
	dhtcrypto_pair_key(pair, shared, "public", 6, raw_pk, from->pk);
	blen = dhtcrypto_open(body, h.sealed, h.sealed_len, net->raw_last.buf,
	    33, h.nonce, pair);
	if (blen < 0)
		return -1;
	return dhtmsg_decode(h.type, body, (size_t)blen, m);
}

static void
raw_send(struct net *net, struct node *to, const uint8_t *pkt, size_t len)
{
	net_enqueue(net, MAXN, to->idx, &raw_addr, pkt, len);
}

static void
raw_request(struct dhtmsg *m, uint8_t type, struct net *net, struct node *n)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->txid = 42;
	m->ts = cb_wallclock(n);
	m->flags = 0;
	(void)net;
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

/* --- tests --------------------------------------------------------------- */

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

/* A fake node with a valid key, known to a member (here as a boot contact,
 * as if it had got into a public node's table), answers every FIND with
 * contacts at victim hosts nobody else knows: 16 keys at 192.0.2.77 (one
 * of them the key looked up), 4 at 192.0.2.78, and claims to serve the
 * key looked up at 192.0.2.79. The member looks keys up for ten minutes;
 * each victim host gets less than 1 KB from it (IP and UDP headers
 * counted), the fake is soon not listened to, and lookups still work. */
T_TEST(poisoned_dht_does_not_steer_members)
{
	struct net		*net = net_build(6, 6, NULL);
	struct node		*m;
	struct result		 r[12];
	struct dht_stats	 st;
	uint8_t			 sk[32], pk[32];
	unsigned		 i;
	int			 k;

	net->fake_on = 1;
	make_key(net->fake_sk, net->fake_pk, 777, "public", 0, 0);
	dht_addr_set_v4(&net->fake_addr, 0xcb007150, 6374);	/* TEST-NET-3 */
	m = net_add(net, NULL);
	for (i = 0; i < DHT_K; i++) {
		make_key(sk, pk, 9000 + i, "public", 0, 0);
		memcpy(net->fake_contacts[i].key, i == 0 ? net->n[3]->pk : pk,
		    32);
		dht_addr_set_v4(&net->fake_contacts[i].addr,
		    i < 16 ? 0xc000024d : 0xc000024e, (uint16_t)(1000 + i));
	}
	net->fake_ncontacts = DHT_K;
	net->fake_serves = 1;
	memcpy(net->fake_served.key, net->n[3]->pk, 32);
	dht_addr_set_v4(&net->fake_served.addr, 0xc000024f, 4444);
	dht_add_boot(m->d, net->fake_pk, &net->fake_addr, net->now);
	dht_add_boot(m->d, net->n[0]->pk, &net->n[0]->addr, net->now);
	net_run(net, 30000);

	memset(r, 0, sizeof(r));
	for (k = 0; k < 12; k++) {
		/* node 3 (which the fake claims to be, or to serve, at the
		 * victims), and a key nobody has (the lookup asks everyone) */
		if (k % 2 == 0)
			T_ASSERT(dht_search(m->d, net->n[3]->pk, on_search,
			    &r[k], net->now) > 0);
		else {
			make_key(sk, pk, 5000 + (uint64_t)k, "public", 0, 0);
			T_ASSERT(dht_search(m->d, pk, on_search, &r[k],
			    net->now) > 0);
		}
		net_run(net, net->now + 50000);
	}
	/* the fake is in the member's table, so the member names it to
	 * others, which the fake poisons too: each is a member here */
	fprintf(stderr, "  fake answered %d FINDs; wire bytes (packets) to "
	    "the victims .77/.78/.79 from:\n", net->fake_finds);
	T_ASSERT(net->fake_finds > 0);
	for (k = 0; k < net->count; k++) {
		fprintf(stderr, "    node %d%s: %zu (%d) / %zu (%d) / "
		    "%zu (%d)\n", k, net->n[k] == m ? " (the member)" : "",
		    net->victim_bytes[k][0], net->victim_pkts[k][0],
		    net->victim_bytes[k][1], net->victim_pkts[k][1],
		    net->victim_bytes[k][2], net->victim_pkts[k][2]);
		for (i = 0; i < 4; i++)
			T_ASSERT(net->victim_bytes[k][i] < 1024);
		/* the DHT sends nothing to a rendezvous report's address */
		T_EQ_INT(net->victim_pkts[k][2], 0);
	}
	T_ASSERT(net->victim_pkts[m->idx][0] > 0);
	/* node 3 answered each lookup itself; the fake's rendezvous claim
	 * (an unconfirmed endpoint: the host must treat it as a candidate
	 * only) is reported until the fake is no longer listened to */
	for (k = 0, i = 0; k < 12; k += 2) {
		T_EQ_INT(r[k].done, 1);
		T_EQ_INT(r[k].found, 1);
		T_ASSERT(dht_addr_eq(&r[k].ep_direct, &net->n[3]->addr));
		if (r[k].rvs > 0)
			i++;
	}
	fprintf(stderr, "  lookups that got the fake's rendezvous claim: %u "
	    "of 6\n", i);
	T_ASSERT(i < 6);
	for (k = 1; k < 12; k += 2)
		T_EQ_INT(r[k].done, 1);
	dht_get_stats(m->d, &st);
	T_ASSERT(st.unproved_bytes >= net->victim_bytes[m->idx][0] +
	    net->victim_bytes[m->idx][1]);
	net_free(net);
}

/* The budget the host shares for endpoints only the DHT named: under 1 KB
 * on the wire per host (any port), paid back by authenticated packets. */
T_TEST(unproved_budget_shared_with_the_host)
{
	struct net		*net = net_build(2, 2, NULL);
	struct dht		*d = net->n[0]->d;
	struct dht_addr		 v, w;
	size_t			 sent = 0;
	int			 i;

	dht_addr_set_v4(&v, 0xc000024d, 1000);
	for (i = 0; i < 40; i++) {
		v.port = (uint16_t)(1000 + i);
		if (dht_unproved_spend(d, &v, 72, net->now) == 0)
			sent += 72 + 28;
	}
	T_ASSERT(sent > 0 && sent < 1024);
	v.port = 2000;
	T_EQ_INT(dht_unproved_spend(d, &v, 72, net->now), -1);
	/* another host has its own budget */
	dht_addr_set_v4(&w, 0xc000024e, 1000);
	T_EQ_INT(dht_unproved_spend(d, &w, 72, net->now), 0);
	/* an authenticated packet from the host pays back as much: two
	 * more (228 bytes on the wire) */
	dht_unproved_proved(d, &v, 200, net->now);
	for (i = 0; dht_unproved_spend(d, &v, 72, net->now) == 0; i++)
		continue;
	T_EQ_INT(i, 2);
	/* the window ends */
	T_EQ_INT(dht_unproved_spend(d, &v, 72, net->now + 1000), -1);
	T_EQ_INT(dht_unproved_spend(d, &v, 72, net->now + 3600001), 0);
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

/* Remember every packet from node 0 to node 1. */
static int
tap_capture(struct net *net, struct pkt *p)
{
	if (net->ncaptured < 64 && p->from == 0 && p->to == 1)
		net->captured[net->ncaptured++] = *p;
	return 1;
}

static int
tap_capture_back(struct net *net, struct pkt *p)
{
	if (net->ncaptured < 64 && p->from == 1 && p->to == 0)
		net->captured[net->ncaptured++] = *p;
	return 1;
}

T_TEST(replayed_request_and_response_dropped)
{
	struct net		*net = net_build(2, 2, NULL);
	struct dht_stats	 before, after;
	struct result		 res;
	struct pkt		 p;
	int			 i, req = -1;

	memset(&res, 0, sizeof(res));
	net->tap = tap_capture;
	net_run(net, 20000);
	for (i = 0; i < net->ncaptured; i++)
		if (dhtmsg_is_request(net->captured[i].buf[0]))
			req = i;
	T_ASSERT(req >= 0);
	/* the same request again, a little later: refused, unanswered */
	dht_get_stats(net->n[1]->d, &before);
	p = net->captured[req];
	dht_input(net->n[1]->d, p.buf, p.len, &p.src, net->now);
	dht_get_stats(net->n[1]->d, &after);
	T_EQ_INT(after.drops[DHT_DROP_REPLAY], before.drops[DHT_DROP_REPLAY]
	    + 1);
	T_EQ_INT(after.pkts_out, before.pkts_out);
	T_EQ_INT(after.table_nodes, before.table_nodes);

	/* a response delivered twice: the second is refused (as late) */
	net->ncaptured = 0;
	net->tap = tap_capture_back;
	T_ASSERT(dht_search(net->n[0]->d, net->n[1]->pk, on_search, &res,
	    net->now) > 0);
	net_run(net, net->now + 2000);
	for (i = 0, req = -1; i < net->ncaptured; i++)
		if (!dhtmsg_is_request(net->captured[i].buf[0]))
			req = i;
	T_ASSERT(req >= 0);
	dht_get_stats(net->n[0]->d, &before);
	p = net->captured[req];
	dht_input(net->n[0]->d, p.buf, p.len, &p.src, net->now);
	dht_get_stats(net->n[0]->d, &after);
	T_EQ_INT(after.drops[DHT_DROP_LATE], before.drops[DHT_DROP_LATE] + 1);
	T_EQ_INT(after.pkts_out, before.pkts_out);
	net_free(net);
}

T_TEST(tampered_and_truncated_packets_dropped)
{
	struct net		*net = net_build(2, 2, NULL);
	struct dht_stats	 before, after;
	struct pkt		 p;
	size_t			 cut;
	int			 i, req = -1;

	net->tap = tap_capture;
	net_run(net, 20000);
	for (i = 0; i < net->ncaptured; i++)
		if (dhtmsg_is_request(net->captured[i].buf[0]))
			req = i;
	T_ASSERT(req >= 0);
	dht_get_stats(net->n[1]->d, &before);
	for (cut = 0; cut < net->captured[req].len; cut++) {
		p = net->captured[req];
		p.buf[cut] ^= 0x40;	/* every single-bit flip fails */
		dht_input(net->n[1]->d, p.buf, p.len, &p.src, net->now);
		p = net->captured[req];
		dht_input(net->n[1]->d, p.buf, cut, &p.src, net->now);
	}
	dht_get_stats(net->n[1]->d, &after);
	T_EQ_INT(after.pkts_out, before.pkts_out);
	T_EQ_INT(after.requests_in, before.requests_in);
	T_EQ_INT(total_drops(net->n[1]), 2 * net->captured[req].len);
	net_free(net);
}

T_TEST(raw_client_checks)
{
	struct net		*net = net_build(3, 3, NULL);
	struct node		*b = net->n[1];
	struct dht_stats	 before, after;
	struct dhtmsg		 m, resp;
	uint8_t			 pkt[DHT_MAX_PACKET + 100], body[DHTMSG_MAX_BODY];
	size_t			 len, full;

	make_key(raw_sk, raw_pk, 777, "public", 0, 0);
	net_run(net, 30000);

	/* a well-formed ping is answered: the crafting is right */
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.type, DHTMSG_PONG);
	T_ASSERT(dht_addr_eq(&resp.observed, &raw_addr));

	/* the same bytes again: a replay, no answer */
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(drops(b, DHT_DROP_REPLAY), 1);

	/* stale and future timestamps */
	raw_request(&m, DHTMSG_PING, net, b);
	m.ts -= 40000;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	m.ts += 80000;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(drops(b, DHT_DROP_STALE), 2);

	/* wrong namespace: another pair key */
	raw_request(&m, DHTMSG_PING, net, b);
	len = raw_packet(pkt, b, "other", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	/* an unsolicited response */
	memset(&m, 0, sizeof(m));
	m.type = DHTMSG_PONG;
	m.txid = 12345;
	m.observed = b->addr;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	/* its own key as sender */
	raw_request(&m, DHTMSG_PING, net, b);
	len = raw_packet(pkt, b, "public", &m, b->pk, b->sk);
	raw_send(net, b, pkt, len);
	/* oversized */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = DHTMSG_PING;
	raw_send(net, b, pkt, DHT_MAX_PACKET);	/* garbage, fits: auth */
	net_run(net, net->now + 100);
	dht_input(b->d, pkt, DHT_MAX_PACKET + 1, &raw_addr, net->now);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(drops(b, DHT_DROP_AUTH), 2);
	T_EQ_INT(drops(b, DHT_DROP_UNSOLICITED), 1);
	T_EQ_INT(drops(b, DHT_DROP_SELF), 1);
	T_EQ_INT(drops(b, DHT_DROP_LONG), 1);

	/* an unpadded FIND without a token: the answer fits in the request
	 * (anti-amplification); with the token it is the full answer */
	raw_request(&m, DHTMSG_FIND, net, b);
	memcpy(m.target, net->n[2]->pk, 32);
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	dht_get_stats(b->d, &before);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 2);
	T_ASSERT(net->raw_last.len <= len);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.type, DHTMSG_NODES);
	T_EQ_INT(resp.ncontacts, 0);
	raw_request(&m, DHTMSG_FIND, net, b);
	m.txid = 43;
	memcpy(m.target, net->n[2]->pk, 32);
	m.flags = DHTMSG_F_TOKEN;
	memcpy(m.token, resp.token, sizeof(m.token));
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 3);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.ncontacts, 2);
	full = net->raw_last.len;
	T_ASSERT(full > len);
	/* tokens expire: eleven minutes later the same token is refused
	 * (the answer shrinks again) */
	net_run(net, net->now + 660000);
	raw_request(&m, DHTMSG_FIND, net, b);
	m.txid = 45;
	memcpy(m.target, net->n[2]->pk, 32);
	m.flags = DHTMSG_F_TOKEN;
	memcpy(m.token, resp.token, sizeof(m.token));
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 4);
	T_ASSERT(net->raw_last.len <= len);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.ncontacts, 0);
	/* a token for another address does not validate this one */
	raw_request(&m, DHTMSG_FIND, net, b);
	m.txid = 44;
	m.flags = DHTMSG_F_TOKEN;
	memcpy(m.token, resp.token, sizeof(m.token));
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	net_enqueue(net, MAXN, b->idx, &net->n[2]->addr, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 4);	/* answered to n[2], truncated */

	/* none of this put the raw client in the table */
	dht_get_stats(b->d, &after);
	T_EQ_INT(after.table_nodes, before.table_nodes);
	net_free(net);
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

/*
 * Address validation (SECURITY.md): requests of every type, each from a
 * fresh key (as an attacker makes them on the spot), claiming to be
 * reachable, spoofed from a victim's address (the raw client's, which
 * never answers) and without a token. Everything that reaches the victim
 * in answer weighs no more than what was sent, verification pings
 * included, and nothing keyed by the victim's address changes: no table
 * entry, no registration, no relayed packet.
 */
T_TEST(spoofed_requests_do_not_amplify)
{
	static const struct { uint8_t type; size_t pad; } kinds[] = {
		{ DHTMSG_PING, 0 }, { DHTMSG_PING, 19 }, { DHTMSG_PING, 400 },
		{ DHTMSG_FIND, 0 }, { DHTMSG_FIND, 958 },
		{ DHTMSG_REGISTER, 0 }, { DHTMSG_REGISTER, 22 },
		{ DHTMSG_RELAY, 0 }, { DHTMSG_RELAY, 600 },
		{ DHTMSG_RELAYED, 0 },
	};
	struct net		*net = net_build(6, 5, NULL);
	struct node		*nat = net->n[5], *b;
	struct dht_rv_info	 rv[DHT_RV_MAX];
	struct dht_stats	 before, after;
	struct dhtmsg		 m;
	uint8_t			 pkt[DHT_MAX_PACKET], sk[32], pk[32];
	size_t			 len, in, k;
	int			 i, idx;

	net_run(net, 60000);
	T_EQ_INT(dht_rendezvous(nat->d, rv, DHT_RV_MAX), DHT_RV_MAX);
	T_ASSERT((idx = node_by_key(net, rv[0].key)) >= 0);
	b = net->n[idx];		/* serves the NAT-ed node */
	dht_get_stats(b->d, &before);
	T_EQ_INT(before.clients, 1);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		net->raw_inbox = 0;
		net->raw_bytes = 0;
		in = 0;
		for (i = 0; i < 40; i++) {
			make_key(sk, pk, 5000 + k * 100 + (uint64_t)i, "public",
			    0, 0);
			raw_request(&m, kinds[k].type, net, b);
			m.txid = 1000 + (uint64_t)i;
			m.flags = DHTMSG_F_REACHABLE;
			m.pad = kinds[k].pad;
			memcpy(m.target, nat->pk, 32);
			if (kinds[k].type == DHTMSG_RELAY ||
			    kinds[k].type == DHTMSG_RELAYED) {
				m.payload = (const uint8_t *)"punch-the-victim";
				m.payload_len = 16;
			}
			if (kinds[k].type == DHTMSG_RELAYED)
				m.origin = raw_addr;
			len = raw_packet(pkt, b, "public", &m, pk, sk);
			T_ASSERT(len > 0);
			in += len;
			raw_send(net, b, pkt, len);
			net_run(net, net->now + 20);
		}
		net_run(net, net->now + 3000);
		if (net->raw_bytes > in)
			fprintf(stderr, "type 0x%02x pad %zu: %zu bytes in, "
			    "%zu bytes (%d packets) to the victim\n",
			    kinds[k].type, kinds[k].pad, in, net->raw_bytes,
			    net->raw_inbox);
		T_ASSERT(net->raw_bytes <= in);
		/* an answer (when it fits), and a verification ping when
		 * it fits too; RELAYED from a stranger: nothing at all */
		T_ASSERT(net->raw_inbox <= 80);
		if (kinds[k].type == DHTMSG_RELAYED)
			T_EQ_INT(net->raw_inbox, 0);
		if (kinds[k].pad >= 400)
			T_ASSERT(net->raw_inbox >= 40);
	}
	dht_get_stats(b->d, &after);
	T_EQ_INT(after.table_nodes, before.table_nodes);
	T_EQ_INT(after.clients, 1);		/* no registration */
	T_EQ_INT(after.relays_forwarded, before.relays_forwarded);
	T_EQ_INT(nat->relayed, 0);		/* nothing relayed on */
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

T_TEST(workbit_enforced)
{
	struct opts		 o = { .workbit = 6 };
	struct net		*net = net_build(3, 3, &o);
	struct node		*b = net->n[1];
	struct dhtmsg		 m;
	uint8_t			 pkt[DHT_MAX_PACKET];
	size_t			 len;

	net_run(net, 30000);
	T_EQ_INT(total_drops(b), 0);
	/* a client key with fewer than 6 workbits */
	make_key(raw_sk, raw_pk, 31337, "public", 6, 1);
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 0);
	T_EQ_INT(drops(b, DHT_DROP_WORKBIT), 1);
	/* one with enough is answered */
	make_key(raw_sk, raw_pk, 31337, "public", 6, 0);
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	net_free(net);
}

T_TEST(namespaces_are_separate)
{
	struct net		*net = net_new();
	struct opts		 a = { .ns = "alpha" }, b = { .ns = "beta" };
	struct dht_stats	 st;

	net_add(net, &a);
	net_add(net, &b);
	dht_add_boot(net->n[0]->d, net->n[1]->pk, &net->n[1]->addr, net->now);
	dht_add_boot(net->n[1]->d, net->n[0]->pk, &net->n[0]->addr, net->now);
	net_run(net, 30000);
	dht_get_stats(net->n[0]->d, &st);
	T_EQ_INT(st.table_nodes, 0);
	T_EQ_INT(st.replies_out, 0);
	T_ASSERT(drops(net->n[0], DHT_DROP_AUTH) > 0);
	T_ASSERT(drops(net->n[1], DHT_DROP_AUTH) > 0);
	net_free(net);
}

T_TEST(clock_skew_outside_window)
{
	struct opts		 o = { .skew = 45000 };
	struct net		*net = net_new();
	struct dht_stats	 st;

	net_add(net, NULL);
	net_add(net, &o);
	dht_add_boot(net->n[1]->d, net->n[0]->pk, &net->n[0]->addr, net->now);
	net_run(net, 30000);
	dht_get_stats(net->n[0]->d, &st);
	T_EQ_INT(st.replies_out, 0);
	T_ASSERT(st.drops[DHT_DROP_STALE] > 0);
	net_free(net);
}

T_TEST(reply_rate_limit)
{
	struct opts		 o = { .reply_rate = 5 };
	struct net		*net = net_build(2, 2, &o);
	struct node		*b = net->n[1];
	struct dhtmsg		 m;
	uint8_t			 pkt[DHT_MAX_PACKET];
	size_t			 len;
	int			 i;

	make_key(raw_sk, raw_pk, 555, "public", 0, 0);
	net_run(net, 30000);
	for (i = 0; i < 20; i++) {
		raw_request(&m, DHTMSG_PING, net, b);
		m.txid = 100 + (uint64_t)i;
		m.pad = 19;
		len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
		dht_input(b->d, pkt, len, &raw_addr, net->now);
	}
	net_run(net, net->now + 50);
	T_EQ_INT(net->raw_inbox, 5);
	T_EQ_INT(drops(b, DHT_DROP_RATELIMIT), 15);
	net_free(net);
}

T_TEST(replay_cache_full_still_refuses_replays)
{
	struct opts		 o = { .replay_cache = 8 };
	struct net		*net = net_build(2, 2, &o);
	struct node		*b = net->n[1];
	struct dhtmsg		 m;
	uint8_t			 first[DHT_MAX_PACKET], pkt[DHT_MAX_PACKET];
	size_t			 flen, len;
	int			 i;

	make_key(raw_sk, raw_pk, 556, "public", 0, 0);
	net_run(net, 30000);
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	flen = raw_packet(first, b, "public", &m, raw_pk, raw_sk);
	dht_input(b->d, first, flen, &raw_addr, net->now);
	/* push the first nonce out of the tiny cache */
	for (i = 0; i < 40; i++) {
		net->now += 10;
		raw_request(&m, DHTMSG_PING, net, b);
		m.txid = 200 + (uint64_t)i;
		m.pad = 19;
		len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
		dht_input(b->d, pkt, len, &raw_addr, net->now);
	}
	i = (int)drops(b, DHT_DROP_REPLAY);
	dht_input(b->d, first, flen, &raw_addr, net->now);
	T_EQ_INT(drops(b, DHT_DROP_REPLAY), i + 1);
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
	T_RUN(unknown_key_not_found);
	T_RUN(poisoned_dht_does_not_steer_members);
	T_RUN(unproved_budget_shared_with_the_host);
	T_RUN(nat_rendezvous_and_relay);
	T_RUN(tiny_key_cache);
	T_RUN(nat_node_replaces_dead_rendezvous);
	T_RUN(replayed_request_and_response_dropped);
	T_RUN(tampered_and_truncated_packets_dropped);
	T_RUN(raw_client_checks);
	T_RUN(spoofed_requests_do_not_amplify);
	T_RUN(relay_retries_with_token);
	T_RUN(workbit_enforced);
	T_RUN(namespaces_are_separate);
	T_RUN(clock_skew_outside_window);
	T_RUN(reply_rate_limit);
	T_RUN(replay_cache_full_still_refuses_replays);
	T_RUN(caps);
	T_RUN(cancel_from_callback);
	T_RUN(table_eviction_policy);
	T_RUN(table_random_id_and_closest);
	T_RUN(create_rejects_bad_config);
	return t_done();
}
