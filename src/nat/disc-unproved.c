/* Endpoints only DHT nodes named (discint.h, disc_unproved_*), and what
 * may be sent there.
 *
 * A rendezvous report (the member's endpoint as a rendezvous says it sees
 * it), an ENDPOINT the member did not answer us from, and the rendezvous'
 * view of the sender of a PUNCH may each be a victim's address named by a
 * fake DHT node; so may the source of a member's PROBE that is no
 * candidate yet (a replay from a spoofed address, natpath probes it back
 * while it searches). Probes to such an address are charged to the DHT's
 * unproved budget of its host (dht_unproved_spend: 900 wire bytes an hour
 * per IPv4 address or IPv6 /64, shared with the DHT's own requests there)
 * and not sent over it, until an ACK from the address proves that it
 * receives (and pays the probe back). What the member itself listed in its
 * PUNCH (MAC'd end to end) is not charged, nor the endpoint in use: hole
 * punching probes those as before. Each member keeps the last
 * DISC_UNPROVED_MAX such addresses; one pushed out is no longer charged,
 * but it has had its probes (natpath probes a candidate when it is added
 * and in rounds, and the budget is per host, not per address). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dht/dht.h"
#include "nat/discint.h"
#include "nat/natep.h"

#define PROBE_LEN	(1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + \
			    NATMSG_PROBE_PAD + NATMSG_MAC_LEN)

static size_t
find(const struct dmember *m, const struct sockaddr_in6 *ep)
{
	size_t	i;

	for (i = 0; i < m->up.n; i++)
		if (natep_eq(&m->up.ep[i], ep))
			return i;
	return SIZE_MAX;
}

static void
drop(struct dmember *m, const struct sockaddr_in6 *ep)
{
	size_t	i;

	if ((i = find(m, ep)) == SIZE_MAX)
		return;
	m->up.ep[i] = m->up.ep[--m->up.n];
}

void
disc_unproved_add(struct dmember *m, const struct sockaddr_in6 *ep)
{
	if (!natep_is_set(ep) || find(m, ep) != SIZE_MAX)
		return;
	if (m->up.n == DISC_UNPROVED_MAX) {
		memmove(&m->up.ep[0], &m->up.ep[1],
		    (DISC_UNPROVED_MAX - 1) * sizeof(m->up.ep[0]));
		m->up.n--;
	}
	m->up.ep[m->up.n++] = *ep;
}

void
disc_unproved_probe_in(struct dmember *m, const struct sockaddr_in6 *from)
{
	size_t	i;

	if (m->pa.np.have_ep && natep_eq(&m->pa.np.ep, from))
		return;
	/* a port of the address our hard-NAT spray probes: the member named
	 * that address itself (its MAC'd PREDICT, confirmed by its
	 * rendezvous), and its probe from there is the birthday hit, to be
	 * probed back at once (charging it would leave the member's side
	 * direct and ours relayed once the budget is spent) */
	if (pp_spray_running(&m->pa.np.spray) &&
	    natep_same_ip(&m->pa.np.spray.target, from))
		return;
	for (i = 0; i < m->pa.np.ncand; i++)
		if (natep_eq(&m->pa.np.cand[i].ep, from))
			return;	/* known: budgeted or not as it came */
	disc_unproved_add(m, from);
}

void
disc_unproved_punch(struct dmember *m, const struct sockaddr_in6 *obs,
    const struct sockaddr_in6 *eps, size_t neps)
{
	size_t	i;

	for (i = 0; i < neps; i++)
		drop(m, &eps[i]);
	for (i = 0; i < neps; i++)
		if (natep_eq(&eps[i], obs))
			return;
	disc_unproved_add(m, obs);
}

void
disc_unproved_acked(struct dmember *m, const struct sockaddr_in6 *ep,
    uint64_t now)
{
	struct dht_addr	a;

	if (find(m, ep) == SIZE_MAX)
		return;
	drop(m, ep);
	disc_dht_from_sa(&a, ep);
	if (m->d->dg.dht != NULL)
		dht_unproved_proved(m->d->dg.dht, &a, PROBE_LEN, now);
}

int
disc_unproved_may_probe(struct dmember *m, const struct sockaddr_in6 *ep,
    uint64_t now)
{
	struct dht_addr	a;

	if (find(m, ep) == SIZE_MAX ||
	    (m->pa.np.have_ep && natep_eq(&m->pa.np.ep, ep)))
		return 1;
	disc_dht_from_sa(&a, ep);
	if (m->d->dg.dht != NULL &&
	    dht_unproved_spend(m->d->dg.dht, &a, PROBE_LEN, now) == 0)
		return 1;
	m->d->pg.drops[DISC_DROP_UNPROVED]++;
	return 0;
}
