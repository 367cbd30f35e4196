/* natpath's action queue and its start: the actions natpath.c queues
 * (natpath_push) and the glue drains (natpath_next_action); the route it
 * gives the path manager, and the names of its states and sources. Pure,
 * see natpath.h. */
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

int
natpath_route(const struct natpath *p, struct sockaddr_in6 *ep, int *relayed)
{
	*relayed = 0;
	if (p->state == NATPATH_DIRECT ||
	    (p->have_ep && p->state != NATPATH_RELAYED)) {
		/* established, or optimistic on the last good endpoint */
		*ep = p->ep;
		return 0;
	}
	if (p->have_relay && p->state == NATPATH_RELAYED) {
		*ep = p->relay;
		*relayed = 1;
		return 0;
	}
	return -1;
}

const char *
natpath_state_name(enum natpath_state s)
{
	static const char *const names[] = {
		[NATPATH_IDLE] = "idle",
		[NATPATH_PROBING] = "probing",
		[NATPATH_PUNCHING] = "punching",
		[NATPATH_RELAYED] = "relayed",
		[NATPATH_UNREACHABLE] = "unreachable",
		[NATPATH_DIRECT] = "direct",
	};

	if ((unsigned)s < ARRAY_SIZE(names))
		return names[s];
	return "?";
}

const char *
natpath_src_name(enum natpath_src s)
{
	switch (s) {
	case NATPATH_SRC_CONFIG:
	case NATPATH_SRC_DHT:
		return "direct";
	case NATPATH_SRC_MAPPED:
		return "mapped";
	case NATPATH_SRC_LAN:
		return "lan";
	case NATPATH_SRC_PUNCHED:
		return "punched";
	case NATPATH_SRC_ROAMED:
		return "roamed";
	}
	return "?";
}
