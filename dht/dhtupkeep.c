/* Routing table upkeep (recently failed contacts, verifying and questioning
 * nodes, what an answer or a timeout does to the table), reflexive address
 * reports, and the periodic work: bucket refresh, self-lookups, bootstrap
 * retries and the next wake-up. */
#include "config.h"

#include <string.h>

#include "dhtint.h"

int
dht_is_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now)
{
	unsigned	i;

	for (i = 0; i < d->nbad; i++)
		if (memcmp(d->bad[i].key, key, 8) == 0)
			return d->bad[i].until > now;
	return 0;
}

void
dht_mark_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now)
{
	unsigned	i, slot = 0;

	for (i = 0; i < d->nbad; i++) {
		if (memcmp(d->bad[i].key, key, 8) == 0) {
			slot = i;
			goto set;
		}
		if (d->bad[i].until < d->bad[slot].until)
			slot = i;
	}
	if (d->nbad < DHT_BAD_MAX)
		slot = d->nbad++;
set:
	memcpy(d->bad[slot].key, key, 8);
	d->bad[slot].until = now + DHT_BAD_TIME;
}

static void
unmark_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	unsigned	i;

	for (i = 0; i < d->nbad; i++)
		if (memcmp(d->bad[i].key, key, 8) == 0)
			d->bad[i].until = 0;
}

static void
check_node(struct dht *d, struct dhttable_node *n, uint64_t now)
{
	if (n->pinging || dht_pending_to(d, n->key))
		return;
	if (dht_request(d, n->key, &n->addr, DHTMSG_PING, DHT_P_CHECK, 0,
	    NULL, NULL, 0, now) != 0)
		n->pinging = 1;
}

void
dht_verify_node(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *addr, uint64_t now)
{
	/* keep room for lookups: verification is opportunistic; at an
	 * address only another node named, one at a time per host; never
	 * a node whose named contacts keep failing */
	if (d->npending * 2 >= d->max_pending || dht_is_bad(d, key, now) ||
	    dht_pending_to(d, key) || dht_is_liar(d, key, now) ||
	    (!dht_addr_proved(d, key, addr, now) &&
	    dhtbudget_busy(d, addr, now)))
		return;
	dht_request(d, key, addr, DHTMSG_PING, DHT_P_VERIFY, 0, NULL, NULL, 0,
	    now);
}

void
dht_node_answered(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr, uint64_t now)
{
	struct dhttable_node	*q;

	unmark_bad(d, key);
	if (dht_is_liar(d, key, now))
		return;		/* answers, but names victims */
	switch (dhttable_heard(&d->table, key, id, addr, 1, now)) {
	case DHTTABLE_REPLACEMENT:
		/* full bucket: question its least recently seen node */
		if ((q = dhttable_questionable(&d->table, id, now,
		    DHT_STALE)) != NULL)
			check_node(d, q, now);
		break;
	case DHTTABLE_INSERTED:
		dht_wake_at(d, now);	/* a new bucket may need a timer */
		if (!d->reachable)
			dhtrv_consider(d, key, id, addr, now);
		break;
	default:
		break;
	}
}

void
dht_node_failed(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], uint64_t now)
{
	struct dhttable_node	*promoted;

	dht_mark_bad(d, key, now);
	if (dhttable_failed(&d->table, id, &promoted) && promoted != NULL)
		check_node(d, promoted, now);
}

void
dht_node_learned(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr, uint64_t now)
{
	if (dhttable_find(&d->table, id) != NULL)
		return;
	if (dhttable_heard(&d->table, key, id, addr, 0, now) ==
	    DHTTABLE_VERIFY)
		dht_verify_node(d, key, addr, now);
}

/* A peer told us where it saw us. */
void
dht_reflexive_note(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *from, const struct dht_addr *observed,
    uint64_t now)
{
	struct dht_reflexive	*r = NULL;
	unsigned		 i, oldest = 0;
	int			 changed = 1;

	for (i = 0; i < d->nrefl; i++) {
		if (memcmp(d->refl[i].peer_key, key, DHT_KEY_LEN) == 0) {
			r = &d->refl[i];
			break;
		}
		if (d->refl[i].when < d->refl[oldest].when)
			oldest = i;
	}
	if (r == NULL)
		r = d->nrefl < DHT_REFLEXIVE_MAX ? &d->refl[d->nrefl++] :
		    &d->refl[oldest];
	else if (dht_addr_eq(&r->observed, observed) &&
	    dht_addr_eq(&r->peer_addr, from))
		changed = 0;
	memcpy(r->peer_key, key, DHT_KEY_LEN);
	r->peer_addr = *from;
	r->observed = *observed;
	r->when = now;
	if (changed && d->cb.on_reflexive != NULL)
		d->cb.on_reflexive(d->cb.arg, key, from, observed);
}

static uint64_t
jitter(struct dht *d, uint32_t base)
{
	/* base plus up to a quarter more, so timers do not synchronise */
	return base + dht_rand64(d) % (base / 4 + 1);
}

static void
refresh_bucket(struct dht *d, unsigned i, uint64_t now)
{
	struct dhttable_bucket	*b = d->table.b[i];
	struct dhttable_node	*n, *q;
	uint8_t			 rnd[DHT_ID_LEN], target[DHT_ID_LEN];
	unsigned		 k, pick;

	b->refresh_at = now + jitter(d, d->refresh_ms);
	if (b->count == 0)
		return;
	/* one FIND for a random ID in the bucket's range, to a live node */
	d->cb.random(d->cb.arg, rnd, sizeof(rnd));
	dhttable_random_id(&d->table, i, target, rnd);
	pick = (unsigned)(dht_rand64(d) % b->count);
	for (k = 0; k < b->count; k++) {
		n = &b->n[(pick + k) % b->count];
		if (n->fails == 0 && !n->pinging)
			break;
	}
	if (k < b->count && !dht_pending_to(d, n->key))
		dht_request(d, n->key, &n->addr, DHTMSG_FIND, DHT_P_REFRESH, 0,
		    target, NULL, 0, now);
	/* and question the node we heard from least recently */
	if ((q = dhttable_questionable(&d->table, b->n[0].id, now,
	    d->refresh_ms)) != NULL)
		check_node(d, q, now);
}

static void
maintain(struct dht *d, uint64_t now)
{
	struct dhttable_bucket	*b;
	unsigned		 i;

	dhttoken_rotate(d, now);
	if (now >= d->next_self || (d->table.nodes < DHT_K / 2 &&
	    d->nboots > 0 && now >= d->next_boot)) {
		if (!dhtsearch_active(d, DHTSEARCH_SELF))
			dhtsearch_start(d, DHTSEARCH_SELF, d->id, NULL, NULL,
			    NULL, now);
		d->next_boot = now + DHT_BOOT_RETRY;
		if (now >= d->next_self) {
			/* a NAT-ed node must keep its rendezvous among the
			 * closest nodes to its ID, which move fast in a young
			 * network: 30 s after start, then doubling up to the
			 * refresh interval. A reachable node hears of new
			 * neighbours through their own requests. */
			d->next_self = now + jitter(d, d->reachable ?
			    d->refresh_ms : d->self_gap);
			d->self_gap = d->self_gap * 2 < d->refresh_ms ?
			    d->self_gap * 2 : d->refresh_ms;
		}
	}
	for (i = 0; i < d->table.top; i++) {
		if ((b = d->table.b[i]) == NULL)
			continue;
		if (b->refresh_at == 0)
			b->refresh_at = now + jitter(d, d->refresh_ms);
		else if (b->refresh_at <= now)
			refresh_bucket(d, i, now);
	}
}

static uint64_t
compute_wake(struct dht *d, uint64_t now)
{
	uint64_t	w = d->secret_at + DHT_TOKEN_ROTATE;
	unsigned	i;

#define MINW(t) do { if ((t) < w) w = (t); } while (0)
	MINW(d->next_self);
	if (d->table.nodes < DHT_K / 2 && d->nboots > 0)
		MINW(d->next_boot);
	for (i = 0; i < d->npending; i++) {
		MINW(d->pending[i].deadline);
		if (d->pending[i].slow_at != 0)
			MINW(d->pending[i].slow_at);
	}
	for (i = 0; i < d->table.top; i++)
		if (d->table.b[i] != NULL)
			MINW(d->table.b[i]->refresh_at);
	for (i = 0; i < DHT_RV_MAX; i++)
		if (d->rv[i].used && !d->rv[i].inflight)
			MINW(d->rv[i].next_ka);
	if (!d->reachable)
		MINW(now + d->keepalive_ms);	/* rendezvous upkeep */
#undef MINW
	return w < now ? now : w;
}

uint64_t
dht_periodic(struct dht *d, uint64_t now)
{
	dht_pending_periodic(d, now);
	maintain(d, now);
	dhtrv_periodic(d, now);
	dhtsearch_periodic(d, now);
	d->wake = dhtsearch_wake(d, compute_wake(d, now), now);
	return d->wake;
}

uint64_t
dht_next_wakeup(const struct dht *d)
{
	return d->wake;
}
