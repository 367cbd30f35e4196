/* natpath's candidate endpoints: ranking, lookup, the bounded table, and
 * which ACK answers a probe sent where (pure, see natpath.h). */
#include "config.h"

#include <string.h>

#include "common/be.h"
#include "nat/natep.h"
#include "nat/natpath.h"
#include "nat/natpath-int.h"

/* Lower is better: LAN, then what the member advertised or we were told,
 * then holes and roaming. */
int
natpath_rank(enum natpath_src s)
{
	switch (s) {
	case NATPATH_SRC_LAN:
		return 0;
	case NATPATH_SRC_CONFIG:
	case NATPATH_SRC_DHT:
	case NATPATH_SRC_MAPPED:
		return 1;
	case NATPATH_SRC_PUNCHED:
	case NATPATH_SRC_ROAMED:
		break;
	}
	return 2;
}

struct natpath_cand *
natpath_find(struct natpath *p, const struct sockaddr_in6 *ep)
{
	size_t	i;

	for (i = 0; i < p->ncand; i++)
		if (natep_eq(&p->cand[i].ep, ep))
			return &p->cand[i];
	return NULL;
}

/* Add or refresh; returns the candidate and whether it is new. */
struct natpath_cand *
natpath_cand_add(struct natpath *p, const struct sockaddr_in6 *ep,
    enum natpath_src src, uint64_t now, int *isnew)
{
	struct natpath_cand	*c;
	size_t			 i, victim = 0;

	*isnew = 0;
	if (!natep_is_set(ep))
		return NULL;
	if ((c = natpath_find(p, ep)) != NULL) {
		/* a better source, or the member told us it is its port
		 * mapping: say so (also for the path in use) */
		if (natpath_rank(src) < natpath_rank(c->src) ||
		    (src == NATPATH_SRC_MAPPED && c->src != NATPATH_SRC_LAN)) {
			c->src = src;
			if (p->have_ep && natep_eq(&p->ep, ep))
				p->ep_src = src;
		}
		return c;
	}
	if (p->ncand < NATPATH_MAX_CAND)
		c = &p->cand[p->ncand++];
	else {
		/* replace the worst, oldest candidate that is not in use */
		for (i = 0; i < p->ncand; i++) {
			if (p->have_ep && natep_eq(&p->cand[i].ep, &p->ep))
				continue;
			if (p->have_ep && natep_eq(&p->cand[victim].ep, &p->ep))
				victim = i;
			else if (natpath_rank(p->cand[i].src) >
			    natpath_rank(p->cand[victim].src) ||
			    (natpath_rank(p->cand[i].src) ==
			    natpath_rank(p->cand[victim].src) &&
			    p->cand[i].added < p->cand[victim].added))
				victim = i;
		}
		c = &p->cand[victim];
	}
	memset(c, 0, sizeof(*c));
	c->ep = *ep;
	c->src = src;
	c->added = now;
	*isnew = 1;
	return c;
}

/* Another endpoint of the member that answered a probe since our sends
 * began to wait (the best one), or NULL. */
struct natpath_cand *
natpath_answered_elsewhere(struct natpath *p)
{
	struct natpath_cand	*best = NULL;
	size_t			 i;

	if (!p->waiting)
		return NULL;
	for (i = 0; i < p->ncand; i++) {
		struct natpath_cand *c = &p->cand[i];

		if (natep_eq(&c->ep, &p->ep) || c->acked_at == 0 ||
		    c->acked_at < p->waiting_since || c->acked_at <= p->last_rx)
			continue;
		if (best == NULL ||
		    natpath_rank(c->src) < natpath_rank(best->src))
			best = c;
	}
	return best;
}

int
natpath_ack_matches(const struct natpath *p, const struct sockaddr_in6 *from,
    const uint8_t nonce[8])
{
	uint64_t	n = be64_get(nonce);
	size_t		i;

	if (pp_spray_matches(&p->spray, from, n))
		return 1;
	for (i = 0; i < p->ncand; i++)
		if (natep_eq(&p->cand[i].ep, from))
			return n != 0 && (n == p->cand[i].nonce ||
			    n == p->cand[i].prev_nonce);
	return 0;
}
