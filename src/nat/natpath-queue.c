/* natpath's action queue and its start: the actions natpath.c queues
 * (natpath_push) and the glue drains (natpath_next_action). Pure, see
 * natpath.h. */
#include "config.h"

#include <string.h>

#include "nat/natpath.h"
#include "nat/natpath-int.h"
#include "common/util.h"

void
natpath_init(struct natpath *p, uint64_t nonce_seed, uint64_t now)
{
	memset(p, 0, sizeof(*p));
	p->state = NATPATH_IDLE;
	p->nonce_ctr = nonce_seed;
	p->phase_start = now;
	util_strlcpy(p->reason, "not in use", sizeof(p->reason));
}

void
natpath_push(struct natpath *p, const struct natpath_action *a)
{
	if (p->outhead == p->nout)
		p->outhead = p->nout = 0;
	if (p->nout == NATPATH_MAX_ACTIONS) {
		p->dropped_actions++;
		return;
	}
	p->out[p->nout++] = *a;
}

int
natpath_next_action(struct natpath *p, struct natpath_action *a)
{
	if (p->outhead == p->nout)
		return 0;
	*a = p->out[p->outhead++];
	return 1;
}

void
natpath_nonce_bytes(uint8_t out[8], uint64_t n)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)n;
		n >>= 8;
	}
}
