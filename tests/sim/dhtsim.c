/* dhtsim: thousands of DHT instances in one process over a virtual network,
 * deterministic for a given seed.
 *
 * The network: every node has its own IPv4 endpoint; each pair of nodes has
 * a fixed one-way latency drawn uniformly from [lat-min, lat-max] ms, every
 * datagram is lost with probability `loss`. A fraction `nat` of the nodes is
 * behind NAT: endpoint-independent mapping (their endpoint is the same
 * towards everyone) with address-and-port-dependent filtering: a datagram
 * reaches them only from an endpoint they sent to within the last 60 s.
 *
 * The run (times in virtual seconds; N nodes):
 *   0..join	nodes join at random times, each told about two of the
 *		--boot bootstrap nodes (which start at 0)
 *   ..+settle	nothing: the tables converge
 *   idle	nothing; every live node's sent packets are counted
 *   lookups A	--lookups lookups by random live nodes for random live keys
 *   churn	a fraction --churn of all nodes vanishes without warning
 *   ..+refresh	one refresh interval passes
 *   lookups B	the same number of lookups among the survivors
 * and reports, for A and B: success rate (the owner's true endpoint was
 * reported), rounds and messages per lookup, latency to the first correct
 * endpoint (median, p99); and per node: routing state and total memory,
 * packets/s and bytes/s when idle. With --expect-* options it checks
 * thresholds and exits 1 when one is missed.
 *
 * Threads: --threads T runs the nodes on T threads (node i on thread
 * i mod T) in lock-step windows as long as the smallest link latency: a
 * datagram sent in one window arrives in a later one, so the threads only
 * exchange datagrams at the window boundaries. Events are ordered by time
 * and then by a key that does not depend on the threads (sender and its
 * send count, ...), and every random draw comes from a per-node generator,
 * so a run gives the same numbers on any number of threads.
 *
 * Crypto: by default every instance does real X25519 and XChaCha20-
 * Poly1305. The X25519 result of an unordered key pair is computed once and
 * shared by both ends (it is the same value); --crypto fast replaces X25519
 * with a hash of the two public keys (INSECURE, for quick experiments only;
 * the report says which mode ran). */
#include "config.h"

#include <stddef.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dht/dht.h"
#include "dht/dhtcrypto.h"
#include "dht/pow.h"
#include "testrng.h"

#define EPOCH		1700000000000ULL
#define NAT_TIMEOUT	60000
#define MAX_SKEW	2000	/* wall clocks differ by up to +-2 s */

struct opt {
	unsigned	 nodes;
	uint64_t	 seed;
	double		 nat;
	double		 loss;
	unsigned	 lat_min, lat_max;
	unsigned	 lookups;
	double		 churn;
	int		 fast;
	unsigned	 boot;
	unsigned	 workbit;
	uint64_t	 join_ms, settle_ms, idle_ms, refresh_ms;
	int		 verbose;
	/* thresholds; negative: not checked */
	double		 x_success, x_rounds, x_p99, x_churn_success;
	double		 x_routing_kib, x_idle_pps, x_seconds, x_relay;
};

struct simnode {
	struct dht	*d;
	uint8_t		 sk[32], pk[32];
	struct dht_addr	 addr;
	uint32_t	 idx;
	uint8_t		 nat, alive, joined;
	int32_t		 skew;
	uint64_t	 rng;
	uint64_t	 scheduled;	/* earliest queued wake-up, 0 none */
	uint64_t	 join_at;
	uint64_t	 pkts_idle0;	/* pkts_out at the idle window start */
	uint64_t	 lossrng;	/* this node's loss draws */
	uint64_t	 sendseq;	/* datagrams sent (event order key) */
	uint32_t	 boot1, boot2;
};

struct simpkt {
	uint32_t	from, to;
	uint32_t	len;
	uint8_t		buf[];
};

enum ev_type { EV_WAKE, EV_PKT, EV_JOIN, EV_LOOKUP };

/* Ordered by (t, k1, k2); the keys do not depend on the threads. */
struct event {
	uint64_t	 t;
	uint64_t	 k1, k2;
	uint32_t	 type, node;
	void		*p;
};

struct evvec {
	struct event	*v;
	size_t		 n, cap;
};

struct lookup {
	uint32_t	searcher, target;
	uint64_t	start, found_at;
	unsigned	rounds, messages;
	uint8_t		done, correct, phase;
	uint8_t		have_rv, relay_sent, relay_acked, relay_delivered;
	uint8_t		rv_key[32];
	struct dht_addr	rv_addr;
};

/* open-addressing u64 -> u64 map (NAT filters, key index) */
struct map {
	uint64_t	*k, *v;
	size_t		 cap, n;
};

/* unordered pair -> shared secret, for real-crypto sharing */
struct pairmap {
	uint64_t	*k;
	uint8_t		(*v)[32];
	size_t		 cap, n;
};

#define MAXT		16

/* A thread and the nodes it runs. */
struct worker {
	unsigned	 id;
	uint64_t	 now;
	struct event	*heap;
	size_t		 nheap, capheap;
	struct evvec	 out[2][MAXT];	/* by window parity, destination */
	uint64_t	 wk;		/* windows run */
	struct map	 natmap;	/* NAT filter state of its nodes */
	uint64_t	 n_events, n_pkts, n_lost, n_natdrop, n_dh, n_dh_shared;
	uint64_t	 n_bytes, n_relay_ok, n_relay_unknown, n_relay_timeout;
	uint64_t	 from, until;	/* the current run */
	pthread_t	 th;
};

static struct opt	 O;
static struct simnode	*N;
static struct worker	 workers[MAXT];
static unsigned		 nworkers = 1;
static int		 running;	/* workers are inside run_until */
/* A barrier that spins a little before it sleeps: the windows are short,
 * and when both threads have a core, sleeping in the kernel at each would
 * cost more than the work. */
static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	unsigned	 count;
	unsigned	 gen;
} barrier = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
static pthread_mutex_t	 pairs_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct worker *W;	/* the thread's own worker */
static uint64_t		 sim_t;		/* everything before it is done */
static uint64_t		 simrng;	/* the main thread's draws */
static struct map	 keyidx;
static struct pairmap	 pairs;
static struct lookup	*lookups;
static unsigned		 nlookups;

/* --- utilities ----------------------------------------------------------- */

static uint64_t
hash64(uint64_t x)
{
	uint64_t	s = x;

	return testrng_next(&s);
}

static double
urand(void)
{
	return testrng_unit(&simrng);
}

static void *
xcalloc(size_t n, size_t sz)
{
	void	*p = calloc(n, sz);

	if (p == NULL) {
		fprintf(stderr, "dhtsim: out of memory\n");
		exit(99);
	}
	return p;
}

static void
map_init(struct map *m, size_t cap)
{
	m->cap = cap;
	m->n = 0;
	m->k = xcalloc(cap, sizeof(*m->k));
	m->v = xcalloc(cap, sizeof(*m->v));
}

static void map_put(struct map *m, uint64_t k, uint64_t v);

static void
map_grow(struct map *m)
{
	struct map	old = *m;
	size_t		i;

	map_init(m, old.cap * 2);
	for (i = 0; i < old.cap; i++)
		if (old.k[i] != 0)
			map_put(m, old.k[i], old.v[i]);
	free(old.k);
	free(old.v);
}

/* keys are never 0 */
static void
map_put(struct map *m, uint64_t k, uint64_t v)
{
	size_t	i;

	if ((m->n + 1) * 10 > m->cap * 7)
		map_grow(m);
	for (i = hash64(k) & (m->cap - 1); m->k[i] != 0 && m->k[i] != k;
	    i = (i + 1) & (m->cap - 1))
		;
	if (m->k[i] == 0) {
		m->k[i] = k;
		m->n++;
	}
	m->v[i] = v;
}

static int
map_get(const struct map *m, uint64_t k, uint64_t *v)
{
	size_t	i;

	for (i = hash64(k) & (m->cap - 1); m->k[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->k[i] == k) {
			*v = m->v[i];
			return 1;
		}
	}
	return 0;
}

/* Copy the secret of pair k into out if known (caller holds the lock). */
static int
pair_find(uint64_t k, uint8_t out[32])
{
	size_t	i;

	if (pairs.cap == 0)
		return 0;
	for (i = hash64(k) & (pairs.cap - 1); pairs.k[i] != 0;
	    i = (i + 1) & (pairs.cap - 1)) {
		if (pairs.k[i] == k) {
			memcpy(out, pairs.v[i], 32);
			return 1;
		}
	}
	return 0;
}

/* The slot of pair k, added if new (caller holds the lock and fills it). */
static uint8_t *
pair_slot(uint64_t k, int *found)
{
	struct pairmap	old;
	size_t		i, j;

	if ((pairs.n + 1) * 10 > pairs.cap * 7) {
		old = pairs;
		pairs.cap = old.cap ? old.cap * 2 : 1 << 16;
		pairs.n = 0;
		pairs.k = xcalloc(pairs.cap, sizeof(*pairs.k));
		pairs.v = xcalloc(pairs.cap, sizeof(*pairs.v));
		for (i = 0; i < old.cap; i++) {
			if (old.k[i] == 0)
				continue;
			for (j = hash64(old.k[i]) & (pairs.cap - 1);
			    pairs.k[j] != 0; j = (j + 1) & (pairs.cap - 1))
				;
			pairs.k[j] = old.k[i];
			memcpy(pairs.v[j], old.v[i], 32);
			pairs.n++;
		}
		free(old.k);
		free(old.v);
	}
	for (i = hash64(k) & (pairs.cap - 1); pairs.k[i] != 0;
	    i = (i + 1) & (pairs.cap - 1)) {
		if (pairs.k[i] == k) {
			*found = 1;
			return pairs.v[i];
		}
	}
	*found = 0;
	pairs.k[i] = k;
	pairs.n++;
	return pairs.v[i];
}

/* --- event queues (a binary heap per worker) ------------------------------ */

static int
ev_less(const struct event *a, const struct event *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	return a->k2 < b->k2;
}

static void
heap_push(struct worker *w, const struct event *e)
{
	struct event	tmp;
	size_t		i;

	if (w->nheap == w->capheap) {
		w->capheap = w->capheap ? w->capheap * 2 : 1 << 12;
		w->heap = realloc(w->heap, w->capheap * sizeof(*w->heap));
		if (w->heap == NULL) {
			fprintf(stderr, "dhtsim: out of memory\n");
			exit(99);
		}
	}
	i = w->nheap++;
	w->heap[i] = *e;
	while (i > 0 && ev_less(&w->heap[i], &w->heap[(i - 1) / 2])) {
		tmp = w->heap[i];
		w->heap[i] = w->heap[(i - 1) / 2];
		w->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

static struct event
heap_pop(struct worker *w)
{
	struct event	top = w->heap[0], tmp;
	size_t		i = 0, l, r, m;

	w->heap[0] = w->heap[--w->nheap];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < w->nheap && ev_less(&w->heap[l], &w->heap[m]))
			m = l;
		if (r < w->nheap && ev_less(&w->heap[r], &w->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = w->heap[i];
		w->heap[i] = w->heap[m];
		w->heap[m] = tmp;
		i = m;
	}
	return top;
}

static void
evvec_add(struct evvec *v, const struct event *e)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 256;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
		if (v->v == NULL) {
			fprintf(stderr, "dhtsim: out of memory\n");
			exit(99);
		}
	}
	v->v[v->n++] = *e;
}

/* Queue an event for node: on its worker's heap, or, from another worker
 * during a run, in the outbox that worker drains at the next window. */
static void
ev_push(uint64_t t, uint64_t k1, uint64_t k2, uint32_t type, uint32_t node,
    void *p)
{
	struct event	 e;
	struct worker	*dst = &workers[node % nworkers];

	e.t = t;
	e.k1 = k1;
	e.k2 = k2;
	e.type = type;
	e.node = node;
	e.p = p;
	if (!running || dst == W)
		heap_push(dst, &e);
	else
		evvec_add(&W->out[W->wk % 2][dst->id], &e);
}

static void
schedule(struct simnode *n)
{
	uint64_t	w;

	if (!n->alive)
		return;
	w = dht_next_wakeup(n->d);
	if (w <= W->now)
		w = W->now + 1;
	if (n->scheduled == 0 || w < n->scheduled) {
		n->scheduled = w;
		ev_push(w, (uint64_t)EV_WAKE << 32 | n->idx, 0, EV_WAKE,
		    n->idx, NULL);
	}
}

/* --- the virtual network -------------------------------------------------- */

static uint32_t
addr_index(const struct dht_addr *a)
{
	/* 198.51.100.x / 203.0.113.x, port 20000 + k: see node_addr() */
	uint32_t	host = a->addr[3], net = a->addr[0] == 203;

	return ((uint32_t)(a->port - 20000) * 250 + host - 1) * 2 + net;
}

static void
node_addr(struct dht_addr *a, uint32_t i)
{
	uint32_t	net = i % 2, k = i / 2;
	uint32_t	ip = net ? 0xcb007100 : 0xc6336400;	/* TEST-NET-3/2 */

	dht_addr_set_v4(a, ip + 1 + k % 250, (uint16_t)(20000 + k / 250));
}

static unsigned
latency(uint32_t a, uint32_t b)
{
	uint64_t	lo = a < b ? a : b, hi = a < b ? b : a;
	uint64_t	h = hash64((lo << 32 | hi) ^ O.seed);

	return O.lat_min + (unsigned)(h % (O.lat_max - O.lat_min + 1));
}

static uint64_t
natkey(uint32_t nat, uint32_t peer)
{
	return ((uint64_t)nat << 32 | peer) + 1;
}

static void
sim_send(void *arg, const struct dht_addr *to, const uint8_t *buf, size_t len)
{
	struct simnode	*n = arg;
	struct simpkt	*p;
	uint32_t	 dst = addr_index(to);

	W->n_pkts++;
	W->n_bytes += len;
	if (dst >= O.nodes || !dht_addr_eq(&N[dst].addr, to))
		return;
	if (n->nat)
		map_put(&W->natmap, natkey(n->idx, dst), W->now);
	if (testrng_unit(&n->lossrng) < O.loss) {
		W->n_lost++;
		return;
	}
	p = malloc(sizeof(*p) + len);
	if (p == NULL)
		exit(99);
	p->from = n->idx;
	p->to = dst;
	p->len = (uint32_t)len;
	memcpy(p->buf, buf, len);
	ev_push(W->now + latency(n->idx, dst), (uint64_t)EV_PKT << 32 | n->idx,
	    ++n->sendseq, EV_PKT, dst, p);
}

static void
sim_random(void *arg, void *buf, size_t len)
{
	struct simnode	*n = arg;

	testrng_fill(&n->rng, buf, len);
}

static uint64_t
sim_wallclock(void *arg)
{
	struct simnode	*n = arg;

	return (uint64_t)((int64_t)(EPOCH + W->now) + n->skew);
}

static int
sim_dh(void *arg, uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32])
{
	struct simnode	*n = arg;
	uint64_t	 peer, k, lo, hi;
	uint8_t		 in[64], *slot;
	int		 found;

	uint8_t		 v[32];

	W->n_dh++;
	memcpy(&k, pk, sizeof(k));
	if (!map_get(&keyidx, k | 1, &peer) || memcmp(N[peer].pk, pk, 32) != 0)
		return dhtcrypto_x25519(out, sk, pk);
	lo = n->idx < peer ? n->idx : peer;
	hi = n->idx < peer ? peer : n->idx;
	pthread_mutex_lock(&pairs_lock);
	if ((found = pair_find((lo << 32 | hi) + 1, out)))
		W->n_dh_shared++;
	pthread_mutex_unlock(&pairs_lock);
	if (found)
		return 0;
	/* computed outside the lock; the other end may race us to it, and
	 * both get the same value */
	if (O.fast) {
		/* INSECURE stand-in: a hash of both public keys */
		memcpy(in, N[lo].pk, 32);
		memcpy(in + 32, N[hi].pk, 32);
		dhtcrypto_hash(v, 32, in, sizeof(in));
	} else if (dhtcrypto_x25519(v, sk, pk) != 0)
		return -1;
	pthread_mutex_lock(&pairs_lock);
	slot = pair_slot((lo << 32 | hi) + 1, &found);
	memcpy(slot, v, 32);
	pthread_mutex_unlock(&pairs_lock);
	memcpy(out, v, 32);
	return 0;
}

/* --- lookups -------------------------------------------------------------- */

/* The relay's outcome at the requester; a timeout is retried once (the
 * daemon retries its punch requests the same way). */
static void
sim_relay_result(void *arg, const uint8_t rv[32], const uint8_t target[32],
    int delivered)
{
	struct simnode	*n = arg;
	struct lookup	*l = NULL;
	unsigned	 i;

	if (delivered == 1)
		W->n_relay_ok++;
	else if (delivered == 0)
		W->n_relay_unknown++;
	else
		W->n_relay_timeout++;
	if (delivered >= 0)
		return;
	/* find the lookup (rare: a linear scan is fine) */
	for (i = 0; i < nlookups; i++)
		if (lookups[i].searcher == n->idx &&
		    lookups[i].relay_sent == 1 &&
		    memcmp(N[lookups[i].target].pk, target, 32) == 0)
			l = &lookups[i];
	if (l != NULL) {
		uint32_t	id = (uint32_t)(l - lookups);

		l->relay_sent = 2;
		dht_relay(n->d, rv, &l->rv_addr, target, (const uint8_t *)&id,
		    sizeof(id), W->now);
	}
}

static void
sim_relayed(void *arg, const uint8_t from[32], const struct dht_addr *fa,
    const uint8_t *payload, size_t len)
{
	struct simnode	*n = arg;
	struct lookup	*l;
	uint32_t	 id;

	if (len != sizeof(id))
		return;
	memcpy(&id, payload, sizeof(id));
	if (id >= nlookups)
		return;
	l = &lookups[id];
	/* the right payload, from the searcher, with its true endpoint */
	if (l->target == n->idx && memcmp(from, N[l->searcher].pk, 32) == 0 &&
	    dht_addr_eq(fa, &N[l->searcher].addr))
		l->relay_delivered = 1;
}

static void
on_search(void *arg, const struct dht_search_event *ev)
{
	struct lookup	*l = arg;

	switch (ev->kind) {
	case DHT_EV_ENDPOINT:
		if (!l->correct && dht_addr_eq(&ev->addr, &N[l->target].addr)) {
			l->correct = 1;
			l->found_at = W->now;
		}
		break;
	case DHT_EV_RENDEZVOUS:
		if (!l->have_rv) {
			l->have_rv = 1;
			memcpy(l->rv_key, ev->rv_key, 32);
			l->rv_addr = ev->addr;
		}
		break;
	case DHT_EV_DONE:
		l->done = 1;
		l->rounds = ev->rounds;
		l->messages = ev->messages;
		/* punch-request stand-in: relay our lookup's number to the
		 * NAT-ed owner through the rendezvous that reported it */
		if (l->correct && l->have_rv && N[l->searcher].alive) {
			uint32_t	id = (uint32_t)(l - lookups);

			if (dht_relay(N[l->searcher].d, l->rv_key, &l->rv_addr,
			    N[l->target].pk, (const uint8_t *)&id, sizeof(id),
			    W->now) == 0)
				l->relay_sent = 1;
		}
		break;
	default:
		break;
	}
}

static uint32_t
random_live(void)
{
	uint32_t	i;

	do
		i = (uint32_t)(testrng_next(&simrng) % O.nodes);
	while (!N[i].alive || !N[i].joined);
	return i;
}

/* Plan lookups (main thread): who looks up whom, and when. */
static void
plan_lookups(uint8_t phase, uint64_t start, uint64_t span)
{
	unsigned	i;

	for (i = 0; i < O.lookups; i++) {
		struct lookup *l = &lookups[nlookups++];

		l->phase = phase;
		l->start = start + (uint64_t)(urand() * (double)span);
		l->searcher = random_live();
		do
			l->target = random_live();
		while (l->target == l->searcher);
		ev_push(l->start, (uint64_t)EV_LOOKUP << 32 | (nlookups - 1), 0,
		    EV_LOOKUP, l->searcher, l);
	}
}

static void
start_lookup(struct lookup *l)
{
	struct simnode	*s = &N[l->searcher];

	if (dht_search(s->d, N[l->target].pk, on_search, l, W->now) < 0)
		l->done = 1;	/* counted as a failure */
	schedule(s);
}

/* --- nodes ---------------------------------------------------------------- */

static void
make_node(uint32_t i)
{
	struct simnode	*n = &N[i];
	uint8_t		 in[24];
	uint64_t	 ctr = 0, k;

	n->idx = i;
	n->rng = hash64(O.seed * 1000003 + i);
	n->lossrng = hash64(O.seed * 7919 + i + 0x5eed);
	n->skew = (int32_t)(hash64(O.seed ^ (i * 77ULL)) % (2 * MAX_SKEW + 1))
	    - MAX_SKEW;
	node_addr(&n->addr, i);
	memcpy(in, "dhtsim", 6);
	for (;;) {
		memcpy(in + 6, &O.seed, 8);
		memcpy(in + 14, &i, 4);
		memcpy(in + 18, &ctr, 4);
		dhtcrypto_hash(n->sk, 32, in, sizeof(in));
		dhtcrypto_public(n->pk, n->sk);
		if (O.workbit == 0 ||
		    pow_workbits("public", 6, n->pk) >= O.workbit)
			break;
		ctr++;
	}
	memcpy(&k, n->pk, sizeof(k));
	map_put(&keyidx, k | 1, i);
}

static void
start_node(uint32_t i)
{
	struct simnode		*n = &N[i];
	struct dht_callbacks	 cb;
	struct dht_config	 cfg;
	const char		*why;
	uint32_t		 b1 = n->boot1, b2 = n->boot2;

	memset(&cb, 0, sizeof(cb));
	cb.arg = n;
	cb.send = sim_send;
	cb.random = sim_random;
	cb.wallclock = sim_wallclock;
	cb.dh = sim_dh;
	cb.on_relayed = sim_relayed;
	cb.on_relay_result = sim_relay_result;
	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = n->sk;
	cfg.ns = "public";
	cfg.workbit = O.workbit;
	cfg.reachable = !n->nat;
	cfg.refresh_ms = (uint32_t)O.refresh_ms;
	if ((n->d = dht_create(&cfg, &cb, W->now, &why)) == NULL) {
		fprintf(stderr, "dhtsim: dht_create: %s\n", why);
		exit(99);
	}
	n->alive = 1;
	n->joined = 1;
	/* two bootstrap contacts (boot nodes know two others) */
	if (b1 != i)
		dht_add_boot(n->d, N[b1].pk, &N[b1].addr, W->now);
	if (b2 != i)
		dht_add_boot(n->d, N[b2].pk, &N[b2].addr, W->now);
	if (i < O.boot)
		dht_add_boot(n->d, N[(i + 1) % O.boot].pk,
		    &N[(i + 1) % O.boot].addr, W->now);
	schedule(n);
}

static void
deliver(struct simpkt *p)
{
	struct simnode	*n = &N[p->to];
	uint64_t	 t;

	if (!n->alive)
		return;
	if (n->nat && (!map_get(&W->natmap, natkey(p->to, p->from), &t) ||
	    W->now - t >= NAT_TIMEOUT)) {
		W->n_natdrop++;
		return;
	}
	dht_input(n->d, p->buf, p->len, &N[p->from].addr, W->now);
	schedule(n);
}

/* Run one window: take in what the other workers sent during the last
 * one, then every event of ours before wend. */
static void
run_window(uint64_t wend)
{
	struct event	 e;
	struct evvec	*in;
	struct simnode	*n;
	unsigned	 s;
	size_t		 i;

	for (s = 0; s < nworkers; s++) {
		in = &workers[s].out[(W->wk + 1) % 2][W->id];
		for (i = 0; i < in->n; i++)
			heap_push(W, &in->v[i]);
		in->n = 0;
	}
	while (W->nheap > 0 && W->heap[0].t < wend) {
		e = heap_pop(W);
		W->now = e.t;
		W->n_events++;
		switch (e.type) {
		case EV_PKT:
			deliver(e.p);
			free(e.p);
			break;
		case EV_WAKE:
			n = &N[e.node];
			if (!n->alive || n->scheduled != e.t)
				break;
			n->scheduled = 0;
			dht_periodic(n->d, W->now);
			schedule(n);
			break;
		case EV_JOIN:
			start_node(e.node);
			break;
		case EV_LOOKUP:
			start_lookup(e.p);
			break;
		}
	}
	W->wk++;
}

static void
barrier_wait(void)
{
	unsigned	gen = __atomic_load_n(&barrier.gen, __ATOMIC_ACQUIRE);
	unsigned	spins;

	pthread_mutex_lock(&barrier.lock);
	if (++barrier.count == nworkers) {
		barrier.count = 0;
		__atomic_store_n(&barrier.gen, gen + 1, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&barrier.cond);
		pthread_mutex_unlock(&barrier.lock);
		return;
	}
	pthread_mutex_unlock(&barrier.lock);
	for (spins = 0; spins < 20000; spins++)
		if (__atomic_load_n(&barrier.gen, __ATOMIC_ACQUIRE) != gen)
			return;
	pthread_mutex_lock(&barrier.lock);
	while (__atomic_load_n(&barrier.gen, __ATOMIC_ACQUIRE) == gen)
		pthread_cond_wait(&barrier.cond, &barrier.lock);
	pthread_mutex_unlock(&barrier.lock);
}

static void *
worker_main(void *arg)
{
	uint64_t	t, wend, len = O.lat_min;

	W = arg;
	for (t = W->from; t <= W->until; t = wend) {
		wend = t + len < W->until + 1 ? t + len : W->until + 1;
		run_window(wend);
		if (nworkers > 1)
			barrier_wait();
	}
	W->now = W->until;
	return NULL;
}

/* Run every event up to and including `until`. */
static void
run_until(uint64_t until)
{
	unsigned	i;

	for (i = 0; i < nworkers; i++) {
		workers[i].from = sim_t;
		workers[i].until = until;
	}
	running = 1;
	if (nworkers == 1)
		worker_main(&workers[0]);
	else {
		for (i = 0; i < nworkers; i++)
			if (pthread_create(&workers[i].th, NULL, worker_main,
			    &workers[i]) != 0) {
				fprintf(stderr, "dhtsim: cannot start threads\n");
				exit(99);
			}
		for (i = 0; i < nworkers; i++)
			pthread_join(workers[i].th, NULL);
	}
	running = 0;
	W = &workers[0];
	sim_t = until + 1;
}

/* --- statistics ----------------------------------------------------------- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_uns(const void *a, const void *b)
{
	unsigned	x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

struct phase_result {
	unsigned	n, ok, relays, relayed;
	double		success;
	unsigned	rounds_median, rounds_p99;
	double		messages_mean;
	uint64_t	lat_median, lat_p99;
};

static struct phase_result
phase_stats(uint8_t phase)
{
	struct phase_result	 r;
	uint64_t		*lat;
	unsigned		*rounds, i, nr = 0;
	double			 msgs = 0;

	memset(&r, 0, sizeof(r));
	lat = xcalloc(nlookups + 1, sizeof(*lat));
	rounds = xcalloc(nlookups + 1, sizeof(*rounds));
	for (i = 0; i < nlookups; i++) {
		struct lookup *l = &lookups[i];

		if (l->phase != phase)
			continue;
		msgs += l->messages;
		r.relays += l->relay_sent != 0;
		r.relayed += l->relay_delivered;
		/* latency over all lookups, a failure counting as +inf */
		lat[r.n++] = l->correct ? l->found_at - l->start : UINT64_MAX;
		if (l->correct) {
			r.ok++;
			rounds[nr++] = l->rounds;
		}
	}
	qsort(lat, r.n, sizeof(*lat), cmp_u64);
	if (r.n > 0) {
		r.lat_median = lat[r.n / 2];
		r.lat_p99 = lat[(size_t)((r.n - 1) * 0.99)];
	}
	qsort(rounds, nr, sizeof(*rounds), cmp_uns);
	if (nr > 0) {
		r.rounds_median = rounds[nr / 2];
		r.rounds_p99 = rounds[(size_t)((nr - 1) * 0.99)];
	}
	r.success = r.n ? (double)r.ok / r.n : 0;
	r.messages_mean = r.n ? msgs / r.n : 0;
	free(lat);
	free(rounds);
	return r;
}

static void
print_phase(const char *name, const struct phase_result *r)
{
	char	p99[32];

	if (r->lat_p99 == UINT64_MAX)
		snprintf(p99, sizeof(p99), "inf");
	else
		snprintf(p99, sizeof(p99), "%llu",
		    (unsigned long long)r->lat_p99);
	printf("%s: lookups=%u found=%u success=%.2f%% rounds_median=%u "
	    "rounds_p99=%u messages_mean=%.1f latency_median_ms=%llu "
	    "latency_p99_ms=%s relays=%u delivered=%u\n", name, r->n, r->ok,
	    100.0 * r->success, r->rounds_median, r->rounds_p99,
	    r->messages_mean, (unsigned long long)r->lat_median, p99,
	    r->relays, r->relayed);
}

static int	failures;

static uint64_t
total_of(size_t off)
{
	uint64_t	sum = 0;
	unsigned	i;

	for (i = 0; i < nworkers; i++)
		sum += *(const uint64_t *)((const char *)&workers[i] + off);
	return sum;
}
#define TOTAL(f)	total_of(offsetof(struct worker, f))

struct holder_arg {
	uint8_t		key[32];
	unsigned	n, r, failing;
};

static int
holder_fn(void *arg, const struct dht_node_info *ni)
{
	struct holder_arg	*ha = arg;

	if (memcmp(ni->key, ha->key, 32) == 0) {
		if (ni->replacement)
			ha->r++;
		else
			ha->n++;
		if (ni->fails)
			ha->failing++;
	}
	return 0;
}

static void
expect(const char *what, double got, double limit, int at_least)
{
	int	ok;

	if (limit < 0)
		return;
	ok = at_least ? got >= limit : got <= limit;
	printf("%s: %s %.3f %s %.3f\n", ok ? "PASS" : "FAIL", what, got,
	    at_least ? ">=" : "<=", limit);
	if (!ok)
		failures++;
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
usage(void)
{
	fprintf(stderr,
"usage: dhtsim [--nodes N] [--seed S] [--nat F] [--loss F] [--lat-min MS]\n"
"	[--lat-max MS] [--lookups N] [--churn F] [--crypto real|fast]\n"
"	[--boot N] [--workbit N] [--join S] [--settle S] [--idle S]\n"
"	[--refresh S] [--threads N] [--verbose]\n"
"	[--expect-success F] [--expect-rounds N] [--expect-p99-ms MS]\n"
"	[--expect-churn-success F] [--expect-routing-kib K]\n"
	"	[--expect-idle-pps P] [--expect-seconds S] [--expect-relay F]\n");
	exit(2);
}

static double
num(const char *s, const char *name)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "dhtsim: %s: not a non-negative number: %s\n",
		    name, s);
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "nodes", 1, NULL, 'n' }, { "seed", 1, NULL, 's' },
		{ "nat", 1, NULL, 'N' }, { "loss", 1, NULL, 'l' },
		{ "lat-min", 1, NULL, 'a' }, { "lat-max", 1, NULL, 'b' },
		{ "lookups", 1, NULL, 'L' }, { "churn", 1, NULL, 'c' },
		{ "crypto", 1, NULL, 'C' }, { "boot", 1, NULL, 'B' },
		{ "workbit", 1, NULL, 'w' }, { "join", 1, NULL, 'j' },
		{ "settle", 1, NULL, 'S' }, { "idle", 1, NULL, 'i' },
		{ "refresh", 1, NULL, 'r' }, { "verbose", 0, NULL, 'v' },
		{ "expect-success", 1, NULL, 1 },
		{ "expect-rounds", 1, NULL, 2 },
		{ "expect-p99-ms", 1, NULL, 3 },
		{ "expect-churn-success", 1, NULL, 4 },
		{ "expect-routing-kib", 1, NULL, 5 },
		{ "expect-idle-pps", 1, NULL, 6 },
		{ "expect-seconds", 1, NULL, 7 },
		{ "expect-relay", 1, NULL, 8 },
		{ "threads", 1, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct phase_result	a, b;
	struct dht_stats	st;
	struct timespec		t0;
	uint64_t		t, idle_pkts = 0;
	uint64_t		mem_route_max = 0, mem_total_sum = 0, mem_route_sum = 0;
	uint64_t		tbl_sum = 0, drops_sum = 0, dhc = 0;
	uint64_t		unproved_bytes = 0, unproved_refused = 0;
	uint64_t		drops_by[DHT_DROP_MAX];
	unsigned		i, live = 0, killed = 0, nat_count = 0, j;
	double			idle_pps, secs;
	int			c;

	O.nodes = 2000;
	O.seed = 1;
	O.nat = 0.3;
	O.loss = 0.01;
	O.lat_min = 20;
	O.lat_max = 80;
	O.lookups = 1000;
	O.churn = 0.3;
	O.boot = 8;
	O.join_ms = 60000;
	O.settle_ms = 120000;
	O.idle_ms = 300000;
	O.refresh_ms = 600000;
	O.x_success = O.x_rounds = O.x_p99 = O.x_churn_success = -1;
	O.x_routing_kib = O.x_idle_pps = O.x_seconds = O.x_relay = -1;
	while ((c = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': O.nodes = (unsigned)num(optarg, "nodes"); break;
		case 's': O.seed = (uint64_t)num(optarg, "seed"); break;
		case 'N': O.nat = num(optarg, "nat"); break;
		case 'l': O.loss = num(optarg, "loss"); break;
		case 'a': O.lat_min = (unsigned)num(optarg, "lat-min"); break;
		case 'b': O.lat_max = (unsigned)num(optarg, "lat-max"); break;
		case 'L': O.lookups = (unsigned)num(optarg, "lookups"); break;
		case 'c': O.churn = num(optarg, "churn"); break;
		case 'C':
			if (strcmp(optarg, "real") == 0)
				O.fast = 0;
			else if (strcmp(optarg, "fast") == 0)
				O.fast = 1;
			else
				usage();
			break;
		case 'B': O.boot = (unsigned)num(optarg, "boot"); break;
		case 'w': O.workbit = (unsigned)num(optarg, "workbit"); break;
		case 'j': O.join_ms = (uint64_t)(num(optarg, "join") * 1000);
			break;
		case 'S': O.settle_ms = (uint64_t)(num(optarg, "settle") * 1000);
			break;
		case 'i': O.idle_ms = (uint64_t)(num(optarg, "idle") * 1000);
			break;
		case 'r': O.refresh_ms = (uint64_t)(num(optarg, "refresh") *
			    1000);
			break;
		case 'v': O.verbose = 1; break;
		case 't': nworkers = (unsigned)num(optarg, "threads"); break;
		case 1: O.x_success = num(optarg, "expect-success"); break;
		case 2: O.x_rounds = num(optarg, "expect-rounds"); break;
		case 3: O.x_p99 = num(optarg, "expect-p99-ms"); break;
		case 4: O.x_churn_success = num(optarg,
			    "expect-churn-success");
			break;
		case 5: O.x_routing_kib = num(optarg, "expect-routing-kib");
			break;
		case 6: O.x_idle_pps = num(optarg, "expect-idle-pps"); break;
		case 7: O.x_seconds = num(optarg, "expect-seconds"); break;
		case 8: O.x_relay = num(optarg, "expect-relay"); break;
		default: usage();
		}
	}
	if (optind != argc || O.nodes < 16 || O.nodes > 500000 ||
	    nworkers < 1 || nworkers > MAXT || O.lat_min < 1 ||
	    O.boot < 2 || O.boot > O.nodes || O.lat_max < O.lat_min ||
	    O.nat > 0.9 || O.churn > 0.9 || O.loss > 0.5 ||
	    O.refresh_ms == 0 || O.refresh_ms > 0xffffffffULL)
		usage();

	memset(drops_by, 0, sizeof(drops_by));
	if (dhtcrypto_init() != 0) {
		fprintf(stderr, "dhtsim: libsodium failed to initialise\n");
		return 99;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	simrng = hash64(O.seed);
	N = xcalloc(O.nodes, sizeof(*N));
	lookups = xcalloc(2 * (size_t)O.lookups + 1, sizeof(*lookups));
	for (i = 0; i < nworkers; i++) {
		workers[i].id = i;
		map_init(&workers[i].natmap, 1 << 14);
	}
	W = &workers[0];
	map_init(&keyidx, 1 << 16);
	for (i = 0; i < O.nodes; i++) {
		make_node(i);
		/* boot nodes are public; the others NAT-ed with prob. nat */
		N[i].nat = i >= O.boot && urand() < O.nat;
		nat_count += N[i].nat;
		/* two bootstrap contacts (boot nodes know two others) */
		N[i].boot1 = (uint32_t)(testrng_next(&simrng) % O.boot);
		N[i].boot2 = (uint32_t)((N[i].boot1 + 1 + testrng_next(&simrng) %
		    (O.boot - 1)) % O.boot);
	}
	printf("dhtsim: nodes=%u nat=%u (%.0f%%) loss=%.2f%% latency=%u-%ums "
	    "boot=%u workbit=%u refresh=%llus seed=%llu threads=%u "
	    "crypto=%s\n",
	    O.nodes, nat_count, 100.0 * nat_count / O.nodes, 100 * O.loss,
	    O.lat_min, O.lat_max, O.boot, O.workbit,
	    (unsigned long long)(O.refresh_ms / 1000),
	    (unsigned long long)O.seed, nworkers,
	    O.fast ? "FAST (INSECURE hash instead of X25519; AEAD real)" :
	    "real (X25519 + XChaCha20-Poly1305)");
	fflush(stdout);

	for (i = 0; i < O.nodes; i++) {
		N[i].join_at = i < O.boot ? 0 :
		    (uint64_t)(urand() * (double)O.join_ms);
		ev_push(N[i].join_at, (uint64_t)EV_JOIN << 32 | i, 0, EV_JOIN, i,
		    NULL);
	}
	t = O.join_ms + O.settle_ms;
	run_until(t);
	if (O.verbose)
		fprintf(stderr, "settled at %.1fs wall, %llu packets\n",
		    elapsed(&t0), (unsigned long long)TOTAL(n_pkts));

	/* idle window */
	for (i = 0; i < O.nodes; i++) {
		dht_get_stats(N[i].d, &st);
		N[i].pkts_idle0 = st.pkts_out;
	}
	run_until(t += O.idle_ms);
	for (i = 0; i < O.nodes; i++) {
		dht_get_stats(N[i].d, &st);
		idle_pkts += st.pkts_out - N[i].pkts_idle0;
	}
	idle_pps = O.idle_ms ? (double)idle_pkts / O.nodes /
	    ((double)O.idle_ms / 1000) : 0;

	/* lookups before churn */
	plan_lookups(0, t, 30000);
	run_until(t += 60000);
	a = phase_stats(0);
	if (O.verbose)
		fprintf(stderr, "phase A done at %.1fs wall, %llu packets\n",
		    elapsed(&t0), (unsigned long long)TOTAL(n_pkts));

	/* churn: a fraction of all nodes vanishes */
	for (i = 0; i < O.nodes; i++) {
		if (urand() < O.churn) {
			N[i].alive = 0;
			killed++;
		}
	}
	run_until(t += O.refresh_ms);
	if (O.verbose)
		fprintf(stderr, "churn wait done at %.1fs wall, %llu packets\n",
		    elapsed(&t0), (unsigned long long)TOTAL(n_pkts));
	plan_lookups(1, t, 30000);
	run_until(t += 60000);
	b = phase_stats(1);
	secs = elapsed(&t0);

	for (i = 0; i < O.nodes; i++) {
		if (!N[i].alive)
			continue;
		live++;
		dht_get_stats(N[i].d, &st);
		mem_total_sum += st.mem_total;
		mem_route_sum += st.mem_routing;
		if (st.mem_routing > mem_route_max)
			mem_route_max = st.mem_routing;
		tbl_sum += st.table_nodes;
		dhc += st.dh_computed;
		unproved_bytes += st.unproved_bytes;
		unproved_refused += st.unproved_refused;
		for (j = 0; j < DHT_DROP_MAX; j++) {
			drops_sum += st.drops[j];
			drops_by[j] += st.drops[j];
		}
	}
	if (O.verbose) {
		for (i = 0, j = 0; i < nlookups && j < 20; i++) {
			struct holder_arg ha;
			struct lookup		*l = &lookups[i];
			struct dht_rv_info	 rv[DHT_RV_MAX];
			size_t			 nrv = 0, k, act = 0;

			if (l->correct)
				continue;
			j++;
			if (N[l->target].alive) {
				nrv = dht_rendezvous(N[l->target].d, rv,
				    DHT_RV_MAX);
				for (k = 0; k < nrv; k++)
					act += rv[k].active;
			}
			memset(&ha, 0, sizeof(ha));
			memcpy(ha.key, N[l->target].pk, 32);
			for (k = 0; k < O.nodes; k++)
				if (N[k].alive)
					dht_foreach_node(N[k].d, holder_fn, &ha);
			fprintf(stderr, "failed: held by %u tables, %u "
			    "replacement caches (failing %u)\n", ha.n, ha.r,
			    ha.failing);
			fprintf(stderr, "failed: phase %u searcher %u%s target "
			    "%u%s alive=%d joined_at=%llus rv=%zu/%zu done=%d "
			    "msgs=%u rounds=%u\n", l->phase, l->searcher,
			    N[l->searcher].nat ? " (nat)" : "", l->target,
			    N[l->target].nat ? " (nat)" : "",
			    N[l->target].alive,
			    (unsigned long long)N[l->target].join_at / 1000,
			    act, nrv, l->done, l->messages, l->rounds);
		}
	}
	print_phase("before churn", &a);
	print_phase("after churn", &b);
	printf("churn: %u of %u nodes vanished, lookups %llus later\n",
	    killed, O.nodes, (unsigned long long)(O.refresh_ms / 1000));
	printf("per node (live): table_nodes_mean=%.1f routing_bytes_mean=%.0f "
	    "routing_bytes_max=%llu memory_bytes_mean=%.0f\n",
	    (double)tbl_sum / live, (double)mem_route_sum / live,
	    (unsigned long long)mem_route_max, (double)mem_total_sum / live);
	printf("idle: packets_per_node_per_s=%.3f over %llus\n", idle_pps,
	    (unsigned long long)(O.idle_ms / 1000));
	printf("traffic: packets=%llu lost=%llu nat_filtered=%llu "
	    "bytes_per_node_per_s=%.1f drops_at_live_nodes=%llu\n",
	    (unsigned long long)TOTAL(n_pkts),
	    (unsigned long long)TOTAL(n_lost),
	    (unsigned long long)TOTAL(n_natdrop),
	    (double)TOTAL(n_bytes) / O.nodes / ((double)t / 1000),
	    (unsigned long long)drops_sum);
	printf("drops:");
	for (j = 0; j < DHT_DROP_MAX; j++)
		if (drops_by[j] > 0)
			printf(" %s=%llu", dht_drop_name(j),
			    (unsigned long long)drops_by[j]);
	printf("\n");
	printf("unproved: bytes_per_node=%.0f refused=%llu\n",
	    (double)unproved_bytes / live,
	    (unsigned long long)unproved_refused);
	printf("relay: acked=%llu not-served=%llu timeout=%llu\n",
	    (unsigned long long)TOTAL(n_relay_ok),
	    (unsigned long long)TOTAL(n_relay_unknown),
	    (unsigned long long)TOTAL(n_relay_timeout));
	printf("crypto: pair keys derived by instances=%llu, X25519 computed="
	    "%llu (shared between the two ends of a pair=%llu)\n",
	    (unsigned long long)dhc,
	    (unsigned long long)(TOTAL(n_dh) - TOTAL(n_dh_shared)),
	    (unsigned long long)TOTAL(n_dh_shared));
	printf("sim: virtual=%llus events=%llu wall=%.1fs\n",
	    (unsigned long long)(t / 1000),
	    (unsigned long long)TOTAL(n_events),
	    secs);

	expect("success before churn", a.success, O.x_success, 1);
	expect("median rounds", a.rounds_median, O.x_rounds, 0);
	expect("p99 latency ms", a.lat_p99 == UINT64_MAX ? 1e18 :
	    (double)a.lat_p99, O.x_p99, 0);
	expect("success after churn", b.success, O.x_churn_success, 1);
	expect("routing KiB per node (max)", mem_route_max / 1024.0,
	    O.x_routing_kib, 0);
	expect("idle packets/s per node", idle_pps, O.x_idle_pps, 0);
	expect("wall seconds", secs, O.x_seconds, 0);
	expect("relays delivered (both phases)", a.relays + b.relays ?
	    (double)(a.relayed + b.relayed) / (a.relays + b.relays) : 0,
	    O.x_relay, 1);

	for (i = 0; i < O.nodes; i++)
		dht_destroy(N[i].d);
	for (i = 0; i < nworkers; i++) {
		struct worker	*w = &workers[i];
		size_t		 k;

		while (w->nheap > 0) {
			struct event e = heap_pop(w);

			if (e.type == EV_PKT)
				free(e.p);
		}
		free(w->heap);
		for (j = 0; j < 2; j++) {
			for (k = 0; k < MAXT; k++) {
				size_t	x;

				for (x = 0; x < w->out[j][k].n; x++)
					free(w->out[j][k].v[x].p);
				free(w->out[j][k].v);
			}
		}
		free(w->natmap.k);
		free(w->natmap.v);
	}
	free(N);
	free(lookups);
	free(keyidx.k);
	free(keyidx.v);
	free(pairs.k);
	free(pairs.v);
	return failures ? 1 : 0;
}
