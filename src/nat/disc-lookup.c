/* mesh lookup (disc-lookup.h): a DHT search of its own per request, whose
 * events are gathered until DONE and handed back in one result. It reaches
 * the DHT only through disc_dht() and dhtglue_arm() (the DHT's timer), so
 * that it depends on nothing else of discovery's state; the lookups in
 * progress are its own list, here. */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "dht/dht.h"
#include "nat/disc.h"
#include "nat/disc-lookup.h"
#include "nat/discint.h"

#define LOOKUPS_MAX	16	/* operator lookups at once, all daemons */

struct lookup {
	TAILQ_ENTRY(lookup)	 entry;
	struct disc		*d;
	int			 search;	/* the DHT's id */
	disc_lookup_done	*done;
	void			*arg;
	struct disc_lookup_result res;
};

/* Every lookup in progress (of every struct disc in the process: tests run
 * several); a handful at most. */
static TAILQ_HEAD(, lookup) lookups = TAILQ_HEAD_INITIALIZER(lookups);
static size_t	nlookups;

static void
fmt_addr(char out[DISC_ADDRSTRLEN], const struct dht_addr *a)
{
	char	buf[DHT_ADDR_STRLEN];

	out[0] = '\0';
	if ((a->family != DHT_AF_INET && a->family != DHT_AF_INET6) ||
	    a->port == 0)
		return;
	dht_addr_format(buf, a);
	memcpy(out, buf, strnlen(buf, DISC_ADDRSTRLEN - 1));
	out[strnlen(buf, DISC_ADDRSTRLEN - 1)] = '\0';
}

static void
lookup_end(struct lookup *l)
{
	TAILQ_REMOVE(&lookups, l, entry);
	nlookups--;
	l->done(l->arg, &l->res);
	free(l);
}

static void
lookup_cb(void *arg, const struct dht_search_event *ev)
{
	struct lookup			*l = arg;
	struct disc_lookup_result	*r = &l->res;

	switch (ev->kind) {
	case DHT_EV_ENDPOINT:
		if (r->neps == DISC_LOOKUP_EPS)
			break;
		fmt_addr(r->eps[r->neps].addr, &ev->addr);
		if (r->eps[r->neps].addr[0] == '\0')
			break;
		r->eps[r->neps++].reachable = ev->reachable != 0;
		break;
	case DHT_EV_RENDEZVOUS:
		if (r->nrvs == DISC_LOOKUP_RVS)
			break;
		memcpy(r->rvs[r->nrvs].key, ev->rv_key, DHT_KEY_LEN);
		fmt_addr(r->rvs[r->nrvs].addr, &ev->addr);
		fmt_addr(r->rvs[r->nrvs].observed, &ev->addr_observed);
		r->nrvs++;
		break;
	case DHT_EV_DONE:
		r->found = ev->found != 0;
		r->rounds = ev->rounds;
		r->messages = ev->messages;
		r->elapsed_ms = ev->elapsed_ms;
		log_debugc(LOG_C_DHT, "operator lookup: %s, %u rounds, %u "
		    "messages, %llu ms", r->found ? "found" : "not found",
		    r->rounds, r->messages,
		    (unsigned long long)r->elapsed_ms);
		lookup_end(l);
		break;
	}
}

int
disc_lookup(struct disc *d, const uint8_t key[32], disc_lookup_done *done,
    void *arg)
{
	struct dht	*dht = disc_dht(d);
	struct lookup	*l;

	if (dht == NULL)
		return ENOTCONN;
	if (memcmp(key, dht_public_key(dht), DHT_KEY_LEN) == 0)
		return EINVAL;
	if (nlookups >= LOOKUPS_MAX)
		return EBUSY;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ENOMEM;
	l->d = d;
	l->done = done;
	l->arg = arg;
	memcpy(l->res.key, key, sizeof(l->res.key));
	/* The DHT calls back from its input and timers, never from here. */
	if ((l->search = dht_search(dht, key, lookup_cb, l,
	    clock_mono_ms())) <= 0) {
		free(l);
		return EBUSY;	/* the DHT's search table is full */
	}
	TAILQ_INSERT_TAIL(&lookups, l, entry);
	nlookups++;
	dhtglue_arm(d);
	return 0;
}

void
disc_lookup_cancel_all(struct disc *d)
{
	struct lookup	*l, *next;
	struct dht	*dht = disc_dht(d);

	for (l = TAILQ_FIRST(&lookups); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		if (l->d != d)
			continue;
		if (dht != NULL)
			(void)dht_search_cancel(dht, l->search);
		l->res.error = ECANCELED;
		lookup_end(l);
	}
}
