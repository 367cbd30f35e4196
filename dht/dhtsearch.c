/* Iterative Kademlia lookups.
 *
 * A search keeps the closest candidates it has heard of, sorted by XOR
 * distance to the target, and keeps DHT_ALPHA FIND requests in flight to the
 * closest ones not yet asked, among the DHT_K closest that have not failed.
 * A request that misses its first deadline is retransmitted once by the
 * pending layer and stops counting against alpha ("slow"); one that misses
 * the second fails the candidate. The search ends when the DHT_K closest
 * live candidates have all answered, or (a host lookup) as soon as the key's
 * owner answered itself or two of its rendezvous reported it, or after
 * DHT_SEARCH_TIMEOUT.
 *
 * Rounds: candidates taken from our own table or boot list have depth 1,
 * those named in a depth-d answer depth d + 1; a search reports the depth of
 * the answer that found the target.
 *
 * Searches are freed lazily (dhtsearch_periodic), so a callback may cancel
 * or start searches while another one is being processed. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dhtint.h"

#define DHTSEARCH_CANDS		40
#define DHTSEARCH_EPS		4	/* endpoints reported per search */
#define DHTSEARCH_RVS		8	/* rendezvous reported per search */
#define DHTSEARCH_RV_ENOUGH	2	/* rendezvous reports that end it */

enum cand_state {
	C_NEW,
	C_INFLIGHT,
	C_SLOW,		/* first transmission timed out, retransmitted */
	C_DONE,
	C_FAILED,
};

struct dhtsearch_cand {
	uint8_t		key[DHT_KEY_LEN];
	uint8_t		id[DHT_ID_LEN];
	struct dht_addr	addr;
	uint8_t		state;
	uint8_t		depth;
	uint8_t		reachable;	/* said so in its answer */
	uint8_t		named;		/* learned from another's answer */
	uint8_t		via[DHT_KEY_LEN];	/* ... from this node */
	/* another address named for the same key, tried if this one
	 * fails (a fake node may name a victim's address for a real key) */
	uint8_t		has_alt, alt_named;
	struct dht_addr	alt;
	uint8_t		alt_via[DHT_KEY_LEN];
};

struct dhtsearch {
	struct dhtsearch	*next;
	int			 id;
	int			 kind;
	int			 dead;		/* finished or cancelled */
	int			 kick;		/* first step still to do */
	int			 wait;		/* a step deferred (budget) */
	uint64_t		 retry_at;
	uint8_t			 target[DHT_ID_LEN];
	uint8_t			 key[DHT_KEY_LEN];
	dht_search_cb		*cb;
	void			*arg;
	struct dhtsearch_cand	 c[DHTSEARCH_CANDS];
	unsigned		 n;
	uint64_t		 started, deadline;
	unsigned		 msgs, found_round, maxdepth;
	int			 found, direct;
	struct dht_addr		 ep[DHTSEARCH_EPS];
	unsigned		 nep;
	uint8_t			 rv[DHTSEARCH_RVS][DHT_KEY_LEN];
	unsigned		 nrv;
};

struct dhtsearch *
dhtsearch_find(struct dht *d, int id)
{
	struct dhtsearch	*s;

	for (s = d->searches; s != NULL; s = s->next)
		if (s->id == id && !s->dead)
			return s;
	return NULL;
}

int
dhtsearch_active(const struct dht *d, int kind)
{
	const struct dhtsearch	*s;
	int			 n = 0;

	for (s = d->searches; s != NULL; s = s->next)
		if (!s->dead && s->kind == kind)
			n++;
	return n;
}

static struct dhtsearch_cand *
cand_find(struct dhtsearch *s, const uint8_t key[DHT_KEY_LEN])
{
	unsigned	i;

	for (i = 0; i < s->n; i++)
		if (memcmp(s->c[i].key, key, DHT_KEY_LEN) == 0)
			return &s->c[i];
	return NULL;
}

static void
cand_set(struct dhtsearch_cand *c, const struct dht_addr *addr,
    const uint8_t *via)
{
	c->addr = *addr;
	c->named = via != NULL;
	if (via != NULL)
		memcpy(c->via, via, DHT_KEY_LEN);
}

/* The candidate's address failed: try the other one named, if any. */
static int
cand_use_alt(struct dhtsearch_cand *c)
{
	if (!c->has_alt)
		return 0;
	c->has_alt = 0;
	cand_set(c, &c->alt, c->alt_named ? c->alt_via : NULL);
	c->state = C_NEW;
	return 1;
}

static void
cand_add(struct dht *d, struct dhtsearch *s, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr, unsigned depth,
    const uint8_t *via, uint64_t now)
{
	struct dhtsearch_cand	*c;
	struct dht_addr		 old;
	unsigned		 i;

	if ((c = cand_find(s, key)) != NULL) {
		if (depth < c->depth)
			c->depth = (uint8_t)depth;
		if (dht_addr_eq(&c->addr, addr))
			return;
		if (c->state == C_FAILED) {
			cand_set(c, addr, via);
			c->state = C_NEW;
		} else if (c->state == C_NEW && dht_addr_proved(d, key, addr,
		    now) && !dht_addr_proved(d, key, &c->addr, now)) {
			/* an address the key answered us from comes first */
			old = c->addr;
			c->alt_named = c->named;
			memcpy(c->alt_via, c->via, DHT_KEY_LEN);
			cand_set(c, addr, via);
			c->alt = old;
			c->has_alt = 1;
		} else if (c->state != C_DONE && !c->has_alt) {
			c->alt = *addr;
			c->alt_named = via != NULL;
			if (via != NULL)
				memcpy(c->alt_via, via, DHT_KEY_LEN);
			c->has_alt = 1;
		}
		return;
	}
	/* position by distance; a full list drops its farthest */
	for (i = s->n; i > 0; i--)
		if (dhttable_cmp(s->target, s->c[i - 1].id, id) <= 0)
			break;
	if (i >= DHTSEARCH_CANDS)
		return;
	if (s->n == DHTSEARCH_CANDS)
		s->n--;
	memmove(&s->c[i + 1], &s->c[i], (s->n - i) * sizeof(s->c[0]));
	s->n++;
	c = &s->c[i];
	memset(c, 0, sizeof(*c));
	memcpy(c->key, key, DHT_KEY_LEN);
	memcpy(c->id, id, DHT_ID_LEN);
	cand_set(c, addr, via);
	c->state = C_NEW;
	c->depth = (uint8_t)(depth > 255 ? 255 : depth);
	if (depth > s->maxdepth)
		s->maxdepth = depth;
}

static void
emit(struct dhtsearch *s, struct dht_search_event *ev)
{
	if (s->cb == NULL || s->dead)
		return;
	ev->search = s->id;
	ev->key = s->key;
	s->cb(s->arg, ev);
}

static void
found(struct dhtsearch *s, unsigned depth)
{
	if (!s->found) {
		s->found = 1;
		s->found_round = depth;
	}
}

static void
report_endpoint(struct dhtsearch *s, const struct dht_addr *a, int reachable)
{
	struct dht_search_event	ev;
	unsigned		i;

	for (i = 0; i < s->nep; i++)
		if (dht_addr_eq(&s->ep[i], a))
			return;
	if (s->nep < DHTSEARCH_EPS)
		s->ep[s->nep++] = *a;
	memset(&ev, 0, sizeof(ev));
	ev.kind = DHT_EV_ENDPOINT;
	ev.addr = *a;
	ev.reachable = reachable;
	emit(s, &ev);
}

static void
report_rendezvous(struct dhtsearch *s, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *a, const struct dht_addr *observed)
{
	struct dht_search_event	ev;
	unsigned		i;

	for (i = 0; i < s->nrv; i++)
		if (memcmp(s->rv[i], key, DHT_KEY_LEN) == 0)
			return;
	if (s->nrv < DHTSEARCH_RVS)
		memcpy(s->rv[s->nrv++], key, DHT_KEY_LEN);
	memset(&ev, 0, sizeof(ev));
	ev.kind = DHT_EV_RENDEZVOUS;
	ev.addr = *a;
	ev.rv_key = key;
	ev.addr_observed = *observed;
	emit(s, &ev);
}

static void
finish(struct dht *d, struct dhtsearch *s, uint64_t now)
{
	struct dht_search_event	ev;
	struct dhtmsg_contact	best[DHT_K];
	size_t			nbest = 0;
	unsigned		i;

	if (s->dead)
		return;
	if (s->kind == DHTSEARCH_KEY) {
		if (s->found)
			d->st.searches_found++;
		else
			d->st.searches_failed++;
		memset(&ev, 0, sizeof(ev));
		ev.kind = DHT_EV_DONE;
		ev.found = s->found;
		ev.rounds = s->found ? s->found_round : s->maxdepth;
		ev.messages = s->msgs;
		ev.elapsed_ms = now - s->started;
		emit(s, &ev);
	} else if (s->kind == DHTSEARCH_SELF) {
		for (i = 0; i < s->n && nbest < DHT_K; i++) {
			if (s->c[i].state != C_DONE || !s->c[i].reachable)
				continue;
			memcpy(best[nbest].key, s->c[i].key, DHT_KEY_LEN);
			best[nbest].addr = s->c[i].addr;
			nbest++;
		}
		dhtrv_self_done(d, best, nbest, now);
	}
	s->dead = 1;
	d->nsearches--;
	dht_wake_at(d, now);	/* free it soon */
}

/* A candidate failed (no answer, or not even asked: see dhtproved.c); the
 * node that named it is charged. */
static void
cand_failed(struct dht *d, struct dhtsearch_cand *c, uint64_t now)
{
	c->state = C_FAILED;
	if (c->named) {
		c->named = 0;
		dht_liar_strike(d, c->via, now);
	}
	cand_use_alt(c);
}

/* Send what alpha allows; finish when the search is complete. */
static void
step(struct dht *d, struct dhtsearch *s, uint64_t now)
{
	struct dhtsearch_cand	*c;
	struct dht_pending	*pd;
	uint64_t		 txid;
	unsigned		 i, inflight = 0, considered = 0;
	int			 complete = 1;

	if (s->dead)
		return;
	if (s->kind == DHTSEARCH_KEY && s->found &&
	    (s->direct || s->nrv >= DHTSEARCH_RV_ENOUGH)) {
		finish(d, s, now);
		return;
	}
	for (i = 0; i < s->n; i++)
		if (s->c[i].state == C_INFLIGHT)
			inflight++;
	for (i = 0; i < s->n && considered < DHT_K; i++) {
		c = &s->c[i];
		if (c->state == C_FAILED)
			continue;
		considered++;
		if (c->state == C_NEW && inflight < DHT_ALPHA &&
		    c->named && dht_is_liar(d, c->via, now) &&
		    !cand_use_alt(c)) {
			c->state = C_FAILED;	/* named by a liar */
			continue;
		}
		if (c->state == C_NEW && inflight < DHT_ALPHA) {
			if ((txid = dht_request(d, c->key, &c->addr,
			    DHTMSG_FIND, DHT_P_SEARCH, s->id, s->target, NULL, 0,
			    now)) == 0) {
				if (d->npending >= d->max_pending)
					return;	/* try again later */
				/* its host's unproved budget is taken by our
				 * requests in flight: ask later. Spent on
				 * unanswered requests: give up on it, and
				 * charge the node that named it */
				if (d->budget_wait) {
					s->wait = 1;
					s->retry_at = now + DHT_UNPROVED_RETRY;
					dht_wake_at(d, s->retry_at);
					complete = 0;
				} else
					cand_failed(d, c, now);
				continue;
			}
			/* only the owner itself can confirm its endpoint:
			 * losing that exchange must not fail the lookup */
			if (s->kind == DHTSEARCH_KEY &&
			    memcmp(c->key, s->key, DHT_KEY_LEN) == 0 &&
			    (pd = dht_pending_find(d, txid)) != NULL)
				pd->max_attempts = DHT_ATTEMPTS_TARGET;
			c->state = C_INFLIGHT;
			inflight++;
			s->msgs++;
		}
		if (c->state != C_DONE)
			complete = 0;
	}
	if (complete)
		finish(d, s, now);
}

int
dhtsearch_start(struct dht *d, int kind, const uint8_t target[DHT_ID_LEN],
    const uint8_t *key, dht_search_cb *cb, void *arg, uint64_t now)
{
	struct dhttable_node	*near[DHT_K];
	struct dhtsearch	*s;
	uint8_t			 id[DHT_ID_LEN];
	size_t			 n, i;
	int			 count;

	count = dhtsearch_active(d, kind);
	if (kind == DHTSEARCH_KEY ? (unsigned)count >= d->max_searches :
	    count >= DHT_INTERNAL_SEARCHES)
		return -1;
	if ((s = dht_alloc(d, sizeof(*s))) == NULL)
		return -1;
	s->id = d->next_search_id++;
	if (d->next_search_id <= 0)
		d->next_search_id = 1;
	s->kind = kind;
	memcpy(s->target, target, DHT_ID_LEN);
	if (key != NULL)
		memcpy(s->key, key, DHT_KEY_LEN);
	s->cb = cb;
	s->arg = arg;
	s->started = now;
	s->deadline = now + DHT_SEARCH_TIMEOUT;
	s->kick = 1;

	n = dhttable_closest(&d->table, target, near, DHT_K, NULL, 1);
	for (i = 0; i < n; i++)
		cand_add(d, s, near[i]->key, near[i]->id, &near[i]->addr, 1,
		    NULL, now);
	if (n < DHT_K) {
		/* thin table: failing nodes and boot contacts too */
		n = dhttable_closest(&d->table, target, near, DHT_K, NULL, 0);
		for (i = 0; i < n; i++)
			cand_add(d, s, near[i]->key, near[i]->id,
			    &near[i]->addr, 1, NULL, now);
		for (i = 0; i < d->nboots; i++) {
			if (dht_contact_ok(d, d->boots[i].key, id) == 0)
				cand_add(d, s, d->boots[i].key, id,
				    &d->boots[i].addr, 1, NULL, now);
		}
	}
	s->next = d->searches;
	d->searches = s;
	d->nsearches++;
	if (kind == DHTSEARCH_KEY)
		d->st.searches_started++;
	/* the first step runs from dht_periodic, so that no callback fires
	 * before dht_search() has returned the id */
	dht_wake_at(d, now);
	return s->id;
}

void
dhtsearch_response(struct dht *d, int id, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *from, const struct dhtmsg *m, uint64_t now)
{
	struct dhtsearch	*s = dhtsearch_find(d, id);
	struct dhtsearch_cand	*c;
	uint8_t			 cid[DHT_ID_LEN];
	unsigned		 depth, i;

	if (s == NULL)
		return;
	c = cand_find(s, key);
	depth = c != NULL ? c->depth : s->maxdepth;
	if (c != NULL) {
		c->state = C_DONE;
		c->reachable = (m->flags & DHTMSG_F_REACHABLE) != 0;
		if (c->named) {
			c->named = 0;
			dht_liar_credit(d, c->via);
		}
	}
	if (s->kind == DHTSEARCH_KEY && memcmp(key, s->key, DHT_KEY_LEN) == 0) {
		/* the owner answered us itself */
		found(s, depth);
		s->direct = 1;
		report_endpoint(s, from, (m->flags & DHTMSG_F_REACHABLE) != 0);
	}
	/* a node whose contacts keep failing is not listened to: what it
	 * names (contacts, the owner's endpoint) may be a victim's address */
	if (dht_is_liar(d, key, now)) {
		step(d, s, now);
		return;
	}
	if (s->kind == DHTSEARCH_KEY && m->nserved == 1 &&
	    memcmp(m->served.key, s->key, DHT_KEY_LEN) == 0) {
		/* "reachable through me" */
		found(s, depth);
		report_endpoint(s, &m->served.addr, 0);
		report_rendezvous(s, key, from, &m->served.addr);
	}
	for (i = 0; i < m->ncontacts && !s->dead; i++) {
		if (dht_contact_ok(d, m->contacts[i].key, cid) != 0)
			continue;
		cand_add(d, s, m->contacts[i].key, cid, &m->contacts[i].addr,
		    depth + 1, key, now);
		if (s->kind == DHTSEARCH_SELF)
			dht_node_learned(d, m->contacts[i].key, cid,
			    &m->contacts[i].addr, now);
	}
	step(d, s, now);
}

void
dhtsearch_timeout(struct dht *d, int id, const uint8_t key[DHT_KEY_LEN],
    int final, uint64_t now)
{
	struct dhtsearch	*s = dhtsearch_find(d, id);
	struct dhtsearch_cand	*c;

	if (s == NULL)
		return;
	if ((c = cand_find(s, key)) != NULL) {
		if (final)
			cand_failed(d, c, now);
		else if (c->state == C_INFLIGHT)
			c->state = C_SLOW;
	}
	if (!final)
		s->msgs++;	/* the retransmission */
	step(d, s, now);
}

void
dhtsearch_slow(struct dht *d, int id, const uint8_t key[DHT_KEY_LEN],
    uint64_t now)
{
	struct dhtsearch	*s = dhtsearch_find(d, id);
	struct dhtsearch_cand	*c;

	if (s == NULL)
		return;
	if ((c = cand_find(s, key)) != NULL && c->state == C_INFLIGHT)
		c->state = C_SLOW;
	step(d, s, now);
}

void
dhtsearch_periodic(struct dht *d, uint64_t now)
{
	struct dhtsearch	*s, **sp;
	const struct dht_client	*cl;

	for (s = d->searches; s != NULL; s = s->next) {
		if (s->dead)
			continue;
		if (s->kick) {
			s->kick = 0;
			/* we may serve the NAT-ed owner ourselves */
			if (s->kind == DHTSEARCH_KEY &&
			    (cl = dhtrv_client_by_id(d, s->target, now)) !=
			    NULL && memcmp(cl->key, s->key, DHT_KEY_LEN) == 0) {
				found(s, 0);
				report_endpoint(s, &cl->addr, 0);
			}
			step(d, s, now);
		} else if (now >= s->deadline)
			finish(d, s, now);
		else if (s->wait && now >= s->retry_at) {
			s->wait = 0;
			step(d, s, now);
		}
	}
	for (sp = &d->searches; (s = *sp) != NULL; ) {
		if (s->dead) {
			*sp = s->next;
			dht_free(d, s, sizeof(*s));
		} else
			sp = &s->next;
	}
}

uint64_t
dhtsearch_wake(const struct dht *d, uint64_t w, uint64_t now)
{
	const struct dhtsearch	*s;

	for (s = d->searches; s != NULL; s = s->next) {
		if (s->dead || s->kick)
			return now;
		if (s->deadline < w)
			w = s->deadline;
		if (s->wait && s->retry_at < w)
			w = s->retry_at > now ? s->retry_at : now;
	}
	return w;
}

int
dhtsearch_cancel(struct dht *d, int id)
{
	struct dhtsearch	*s = dhtsearch_find(d, id);

	if (s == NULL || s->kind != DHTSEARCH_KEY)
		return -1;
	s->dead = 1;
	d->nsearches--;
	return 0;
}

void
dhtsearch_free_all(struct dht *d)
{
	struct dhtsearch	*s;

	while ((s = d->searches) != NULL) {
		d->searches = s->next;
		dht_free(d, s, sizeof(*s));
	}
	d->nsearches = 0;
}
