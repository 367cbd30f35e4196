/* Classifying our own NAT mapping from reflexive observations: pure, see
 * natkind.h. */
#include "config.h"

#include <string.h>

#include "nat/natep.h"
#include "nat/natkind.h"

void
natkind_init(struct natkind *nk)
{
	memset(nk, 0, sizeof(*nk));
}

void
natkind_reset(struct natkind *nk)
{
	nk->n = 0;
}

void
natkind_set_local(struct natkind *nk, const struct sockaddr_in6 *eps,
    size_t n)
{
	if (n > sizeof(nk->local) / sizeof(nk->local[0]))
		n = sizeof(nk->local) / sizeof(nk->local[0]);
	memcpy(nk->local, eps, n * sizeof(*eps));
	nk->nlocal = n;
}

void
natkind_observe(struct natkind *nk, const struct sockaddr_in6 *observer,
    const struct sockaddr_in6 *reflexive, uint64_t now)
{
	struct natkind_obs	*o = NULL;
	size_t			 i;

	for (i = 0; i < nk->n; i++) {
		if (natep_eq(&nk->obs[i].observer, observer)) {
			o = &nk->obs[i];
			break;
		}
	}
	if (o == NULL && nk->n < NATKIND_MAX_OBS)
		o = &nk->obs[nk->n++];
	if (o == NULL) {
		o = &nk->obs[0];
		for (i = 1; i < nk->n; i++)
			if (nk->obs[i].at < o->at)
				o = &nk->obs[i];
	}
	o->observer = *observer;
	o->reflexive = *reflexive;
	o->at = now;
}

static int
fresh(const struct natkind_obs *o, uint64_t now)
{
	return o->at <= now && now - o->at < NATKIND_WINDOW;
}

static int
is_local(const struct natkind *nk, const struct sockaddr_in6 *ep)
{
	size_t	i;

	for (i = 0; i < nk->nlocal; i++)
		if (natep_eq(&nk->local[i], ep))
			return 1;
	return 0;
}

/* Whether observation j took part in the count (see natkind_classify). */
static int
counted(const struct natkind *nk, size_t j, uint64_t now, int any_nonlocal)
{
	return fresh(&nk->obs[j], now) &&
	    !(any_nonlocal && is_local(nk, &nk->obs[j].reflexive));
}

/* Endpoint-dependent: the ports our NAT gave the mappings that were seen
 * at our (most common) public address, for port prediction. */
static void
learn_ports(const struct natkind *nk, uint64_t now, struct natkind_result *r)
{
	uint16_t	ports[NATKIND_MAX_OBS];
	size_t		i, n = 0;

	for (i = 0; i < nk->n; i++)
		if (counted(nk, i, now, 1) &&
		    natep_same_ip(&nk->obs[i].reflexive, &r->reflexive))
			ports[n++] = ntohs(nk->obs[i].reflexive.sin6_port);
	portpredict_learn(ports, n, &r->pp);
}

void
natkind_classify(const struct natkind *nk, uint64_t now,
    struct natkind_result *r)
{
	const struct natkind_obs	*o;
	size_t				 i, j, best = 0;
	unsigned			 count[NATKIND_MAX_OBS], bestn = 0;
	int				 first_map[NATKIND_MAX_OBS];
	int				 any_local = 0, all_local = 1;
	int				 any_nonlocal = 0;

	memset(r, 0, sizeof(*r));
	/* a peer on our LAN sees our own address; when others see a NAT's,
	 * the LAN reports say nothing about the mapping: leave them out */
	for (i = 0; i < nk->n; i++)
		if (fresh(&nk->obs[i], now) &&
		    !is_local(nk, &nk->obs[i].reflexive))
			any_nonlocal = 1;
	for (i = 0; i < nk->n; i++) {
		o = &nk->obs[i];
		count[i] = 0;
		first_map[i] = 0;
		if (!fresh(o, now) ||
		    (any_nonlocal && is_local(nk, &o->reflexive)))
			continue;
		/* distinct observer addresses (ports of one host count once) */
		for (j = 0; j < i; j++)
			if (counted(nk, j, now, any_nonlocal) &&
			    natep_same_ip(&nk->obs[j].observer, &o->observer))
				break;
		if (j == i)
			r->observers++;
		/* distinct reflexive endpoints, and how often each was seen */
		for (j = 0; j < i; j++)
			if (first_map[j] &&
			    natep_eq(&nk->obs[j].reflexive, &o->reflexive))
				break;
		if (j == i) {
			first_map[i] = 1;
			r->mappings++;
			count[i] = 1;
		} else
			count[j]++;
		if (is_local(nk, &o->reflexive))
			any_local = 1;
		else
			all_local = 0;
	}
	if (r->observers == 0)
		return;		/* unknown, nothing seen */
	for (i = 0; i < nk->n; i++) {
		if (first_map[i] && count[i] > bestn) {
			bestn = count[i];
			best = i;
		}
	}
	r->reflexive = nk->obs[best].reflexive;
	for (i = 0; i < nk->nlocal; i++)
		if (nk->local[i].sin6_port == r->reflexive.sin6_port)
			r->port_preserved = 1;
	if (any_local && all_local)
		r->kind = NATKIND_NONE;
	else if (r->mappings > 1) {
		r->kind = NATKIND_EDM;
		learn_ports(nk, now, r);
	}
	else if (r->observers >= 2)
		r->kind = NATKIND_EIM;
	else
		r->kind = NATKIND_UNKNOWN;
}

const char *
natkind_name(enum natkind_kind k)
{
	switch (k) {
	case NATKIND_NONE:
		return "none";
	case NATKIND_EIM:
		return "endpoint-independent";
	case NATKIND_EDM:
		return "endpoint-dependent";
	case NATKIND_UNKNOWN:
		break;
	}
	return "unknown";
}
