/* Contacts we were told about but have not heard from: how much we may send
 * them, and who told us.
 *
 * A NODES answer can name any address. Sending a padded FIND there would let
 * a fake node (one with a valid key) aim our traffic at a machine that never
 * asked for it, so an address is "proved" only when the key answered a
 * request of ours from it (remembered in the key cache), when it is a node
 * of our routing table (which only admits nodes that answered), or a
 * configured boot contact. Everything else is unproved and follows three
 * rules:
 *
 *  - requests to it are small (dhtpending.c: a FIND is padded to
 *    DHT_FIND_PAD_UNPROVED, its retransmissions to DHT_FIND_PAD_RETRY);
 *  - the bytes we sent to unproved addresses of one host (an IPv4 address,
 *    an IPv6 /64), counted on the wire (IP and UDP headers too), that are
 *    in flight or were never answered, count against DHT_UNPROVED_BUDGET
 *    for DHT_UNPROVED_WINDOW: an answer gives its request's bytes back, and
 *    its own size pays off unanswered bytes to the same host (a host with
 *    a live node and a dead one, or several nodes behind one address). A
 *    request that does not fit is not sent: a first transmission waits
 *    while our other requests to that host are in flight (dhtsearch.c
 *    tries again), a retransmission is skipped, and when unanswered bytes
 *    alone fill the budget nothing more goes there until the window ends.
 *    So a host receives from us at most DHT_UNPROVED_BUDGET bytes per
 *    window that it did not answer, plus as many as it answered with,
 *    however many nodes name it, under however many keys and ports;
 *  - the node that named it is charged when it does not answer and credited
 *    when it does; one whose contacts keep failing (DHT_LIAR_STRIKES net) is
 *    not listened to for DHT_LIAR_TIME: its answers' contacts and
 *    rendezvous reports are ignored (dhtsearch.c), and it leaves our
 *    routing table, so that we do not name it to others (dhtupkeep.c). */
#include "config.h"

#include <string.h>

#include "dhtint.h"

int
dht_addr_proved(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *a, uint64_t now)
{
	const struct dht_peer		*p;
	const struct dhttable_node	*n;
	uint8_t				 id[DHT_ID_LEN];
	unsigned			 i;

	if ((p = dhtkeys_lookup(d, key)) != NULL) {
		if (p->seen_at != 0 && now < p->seen_at + DHT_PROVED_TIME &&
		    dht_addr_eq(&p->seen, a))
			return 1;
		memcpy(id, p->id, DHT_ID_LEN);
	} else
		dht_node_id(d, id, key);
	if ((n = dhttable_find(&d->table, id)) != NULL &&
	    memcmp(n->key, key, DHT_KEY_LEN) == 0 && dht_addr_eq(&n->addr, a))
		return 1;
	for (i = 0; i < d->nboots; i++)
		if (memcmp(d->boots[i].key, key, DHT_KEY_LEN) == 0 &&
		    dht_addr_eq(&d->boots[i].addr, a))
			return 1;
	return 0;
}

void
dht_addr_answered(struct dht *d, struct dht_peer *p, const struct dht_addr *a,
    uint64_t now)
{
	(void)d;
	p->seen = *a;
	p->seen_at = now;
}

/* The host part of an address: IPv4, or the /64 of an IPv6 address (one
 * machine can have all of it). */
static void
host_of(const struct dht_addr *a, uint8_t *family, uint8_t net[8])
{
	*family = a->family;
	memset(net, 0, 8);
	memcpy(net, a->addr, a->family == DHT_AF_INET ? 4 : 8);
}

static struct dht_owed *
owed_find(struct dht *d, const struct dht_addr *a, uint64_t now, int create)
{
	struct dht_owed	*o, *slot = NULL;
	uint8_t		 family, net[8];
	unsigned	 i;

	host_of(a, &family, net);
	for (i = 0; i < DHT_OWED_MAX; i++) {
		o = &d->owed[i];
		if (o->family != 0 && now >= o->since + DHT_UNPROVED_WINDOW)
			o->family = 0;		/* the window is over */
		if (o->family == family && memcmp(o->net, net, 8) == 0)
			return o;
		/* a free slot, else the oldest window makes room */
		if (slot == NULL || (slot->family != 0 && (o->family == 0 ||
		    o->since < slot->since)))
			slot = o;
	}
	if (!create)
		return NULL;
	memset(slot, 0, sizeof(*slot));
	slot->family = family;
	memcpy(slot->net, net, 8);
	slot->since = now;
	return slot;
}

/* What a datagram costs on the wire: IP and UDP headers too. */
static size_t
wire_len(const struct dht_addr *a, size_t len)
{
	return len + (a->family == DHT_AF_INET ? 20 + 8 : 40 + 8);
}

int
dhtbudget_charge(struct dht *d, const struct dht_addr *a, size_t len,
    uint64_t now, size_t *cost)
{
	struct dht_owed	*o = owed_find(d, a, now, 1);

	*cost = len = wire_len(a, len);
	if (o->failed + len > DHT_UNPROVED_BUDGET) {
		d->st.unproved_refused++;
		return -1;
	}
	if (o->failed + o->inflight + len > DHT_UNPROVED_BUDGET)
		return 1;	/* until our other requests there are settled */
	o->inflight += (uint16_t)len;
	d->st.unproved_bytes += len;
	return 0;
}

void
dhtbudget_failed(struct dht *d, const struct dht_addr *a, size_t charged,
    uint64_t now)
{
	struct dht_owed	*o = owed_find(d, a, now, 0);

	if (o == NULL || charged == 0)
		return;		/* its window is over */
	o->inflight = charged < o->inflight ? (uint16_t)(o->inflight -
	    charged) : 0;
	o->failed = o->failed + charged < DHT_UNPROVED_BUDGET ?
	    (uint16_t)(o->failed + charged) : DHT_UNPROVED_BUDGET;
}

void
dhtbudget_answered(struct dht *d, const struct dht_addr *a, size_t charged,
    size_t len, uint64_t now)
{
	struct dht_owed	*o = owed_find(d, a, now, 0);

	if (o == NULL)
		return;
	o->inflight = charged < o->inflight ? (uint16_t)(o->inflight -
	    charged) : 0;
	len = wire_len(a, len);
	o->failed = len < o->failed ? (uint16_t)(o->failed - len) : 0;
}

int
dht_unproved_spend(struct dht *d, const struct dht_addr *a, size_t len,
    uint64_t now)
{
	size_t	cost;

	/* nothing to settle later: counted as unanswered at once */
	if (dhtbudget_charge(d, a, len, now, &cost) != 0)
		return -1;
	dhtbudget_failed(d, a, cost, now);
	return 0;
}

void
dht_unproved_proved(struct dht *d, const struct dht_addr *a, size_t len,
    uint64_t now)
{
	dhtbudget_answered(d, a, 0, len, now);
}

int
dht_proved(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const struct dht_addr *a, uint64_t now)
{
	return dht_addr_proved(d, key, a, now);
}

int
dhtbudget_busy(struct dht *d, const struct dht_addr *a, uint64_t now)
{
	struct dht_owed	*o = owed_find(d, a, now, 0);

	return o != NULL && o->inflight > 0;
}

static struct dht_liar *
liar_find(struct dht *d, const uint8_t key[DHT_KEY_LEN], int create)
{
	struct dht_liar	*l, *slot = &d->liars[0];
	unsigned	 i;

	for (i = 0; i < DHT_LIARS_MAX; i++) {
		l = &d->liars[i];
		if (memcmp(l->key, key, sizeof(l->key)) == 0)
			return l;
		/* reuse the entry that says least: lowest score, then the
		 * oldest */
		if (l->score < slot->score || (l->score == slot->score &&
		    l->last < slot->last))
			slot = l;
	}
	if (!create)
		return NULL;
	memset(slot, 0, sizeof(*slot));
	memcpy(slot->key, key, sizeof(slot->key));
	return slot;
}

void
dht_liar_strike(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now)
{
	struct dht_liar	*l = liar_find(d, key, 1);
	uint8_t		 id[DHT_ID_LEN];

	if (now >= l->last + DHT_LIAR_TIME)
		l->score = 0;	/* old news */
	l->last = now;
	if (l->score < DHT_LIAR_STRIKES * 4)
		l->score++;
	if (l->score >= DHT_LIAR_STRIKES) {
		if (l->until <= now) {
			/* and it is not passed on to others */
			dht_node_id(d, id, key);
			dhttable_remove(&d->table, id);
		}
		l->until = now + DHT_LIAR_TIME;
	}
}

void
dht_liar_credit(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	struct dht_liar	*l = liar_find(d, key, 0);

	/* a distrusted node stays so until its time is up: it cannot buy
	 * trust back by naming a few live nodes among the victims */
	if (l != NULL && l->score > 0 && l->score < DHT_LIAR_STRIKES)
		l->score--;
}

int
dht_is_liar(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now)
{
	struct dht_liar	*l = liar_find(d, key, 0);

	return l != NULL && l->until > now;
}
