/* Hard-NAT probe sprays (portpredict.h) run by natpath: started when the
 * member's NAT calls for one, paced out as natpath's probe actions.
 * Pure, see natpath.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/be.h"
#include "nat/natpath.h"
#include "nat/natpath-int.h"

int
natpath_spray(struct natpath *p, enum pp_try kind,
    const struct sockaddr_in6 *target, uint16_t last, uint16_t delta,
    uint64_t seed, uint64_t now)
{
	if (p->state == NATPATH_IDLE || p->state == NATPATH_DIRECT ||
	    pp_spray_running(&p->spray))
		return 0;
	/* tagged by the top of the nonce counter: the low 16 bits name
	 * the port */
	if (pp_spray_start(&p->spray, kind, target, last, delta, seed,
	    (++p->nonce_ctr) | 1, now) == -1)
		return 0;
	snprintf(p->reason, sizeof(p->reason), "%s; %s probing of the "
	    "member's NAT", p->state == NATPATH_RELAYED ? "relayed" :
	    "searching", pp_try_name(kind));
	return 1;
}

uint64_t
natpath_spray_periodic(struct natpath *p, uint64_t now)
{
	struct natpath_action	a;
	struct sockaddr_in6	eps[8];
	uint64_t		nonces[8];
	size_t			i, n;

	if (!pp_spray_running(&p->spray))
		return UINT64_MAX;
	if (p->state == NATPATH_DIRECT || p->state == NATPATH_IDLE) {
		/* found otherwise (or given up on) meanwhile */
		pp_spray_end(&p->spray, p->state == NATPATH_DIRECT, now);
		return UINT64_MAX;
	}
	/* a few at a time: the action queue is shared with the search */
	n = pp_spray_due(&p->spray, now, eps, nonces, 8);
	for (i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.type = NATPATH_ACT_PROBE;
		a.ep = eps[i];
		be64_put(a.nonce, nonces[i]);
		p->nprobe++;
		natpath_push(p, &a);
	}
	return pp_spray_next(&p->spray);
}
