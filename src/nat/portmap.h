/* The port-mapping lease logic as a pure state machine: which method to
 * try, when to renew, how long to back off, when a lease is lost, and the
 * orderly removal on shutdown. No I/O and no clock of its own: the glue
 * (portmap.c) feeds it results and the time in milliseconds, and carries
 * out the action it returns.
 *
 *	portmap_state_init(ps, methods, port, lifetime, now);
 *	for (;;) {
 *		act = portmap_state_periodic(ps, now, &method, &next);
 *		if (act == PORTMAP_ACT_MAP)	... start a request ...
 *		... later: portmap_state_mapped() or portmap_state_failed()
 *	}
 *	portmap_state_stop(ps, now);	then PORTMAP_ACT_UNMAP, then
 *	portmap_state_unmapped(ps, now); until phase is PORTMAP_STOPPED.
 */
#ifndef MESH_PORTMAP_STATE_H
#define MESH_PORTMAP_STATE_H

#include <stdint.h>

enum portmap_method {
	PORTMAP_NONE = 0,
	PORTMAP_NATPMP = 1,	/* tried first: one datagram, no discovery */
	PORTMAP_UPNP = 2,
};
#define PORTMAP_M_NATPMP	(1u << PORTMAP_NATPMP)
#define PORTMAP_M_UPNP		(1u << PORTMAP_UPNP)
#define PORTMAP_M_ALL		(PORTMAP_M_NATPMP | PORTMAP_M_UPNP)

enum portmap_phase {
	PORTMAP_WAITING = 0,	/* nothing mapped; next attempt at `next` */
	PORTMAP_REQUESTING,	/* a first map request is out */
	PORTMAP_MAPPED,		/* holding a lease; renewal at `next` */
	PORTMAP_RENEWING,	/* holding a lease, renewal request out */
	PORTMAP_UNMAPPING,	/* stopping: delete request out */
	PORTMAP_STOPPED,	/* stopped, nothing mapped */
};

enum portmap_action {
	PORTMAP_ACT_NONE = 0,
	PORTMAP_ACT_MAP,	/* request (or renew) a mapping by `method` */
	PORTMAP_ACT_UNMAP,	/* delete the mapping held by `method` */
};

/* What a successful request returned. */
struct portmap_lease {
	enum portmap_method	method;
	uint32_t		ext_ip;		/* host byte order */
	uint16_t		ext_port;
	uint16_t		int_port;
	uint32_t		lifetime;	/* seconds granted; 0: permanent */
};

#define PORTMAP_LIFETIME	3600	/* seconds asked for */
#define PORTMAP_RETRY_MIN	10000	/* ms before the first retry round */
#define PORTMAP_RETRY_MAX	(15 * 60 * 1000)
#define PORTMAP_RENEW_RETRY	30000	/* ms between failed renewals */
#define PORTMAP_RECHECK	(20 * 60 * 1000) /* re-add a permanent mapping */
#define PORTMAP_ERR_MAX		128

struct portmap_state {
	unsigned		methods;	/* PORTMAP_M_* allowed */
	uint16_t		port;		/* internal UDP port */
	uint32_t		want_lifetime;	/* seconds */
	enum portmap_phase	phase;
	enum portmap_method	trying;		/* method of the request out */
	unsigned		tried;		/* methods failed this round */
	int			stop_pending;	/* stop asked while requesting */
	int			pending_action;	/* act on next periodic call */

	int			mapped;
	struct portmap_lease	lease;
	uint64_t		granted_at;	/* ms */
	uint64_t		expiry;		/* ms; 0 when permanent */
	uint64_t		next;		/* ms; UINT64_MAX: waiting on I/O */
	uint64_t		retry_delay;	/* ms, doubles per failed round */

	char			error[PORTMAP_ERR_MAX];	/* last failure */
	enum portmap_method	error_method;
	uint64_t		error_at;
	uint64_t		generation;	/* bumped when lease changes */
	unsigned		nmapped, nrenewed, nfailed, nlost;
};

/* methods: PORTMAP_M_* (0 leaves it stopped); lifetime: seconds to ask
 * for (0 means PORTMAP_LIFETIME). The first attempt is due at now. */
void	portmap_state_init(struct portmap_state *, unsigned methods,
	    uint16_t port, uint32_t lifetime, uint64_t now);

/* The action due at now (PORTMAP_ACT_NONE if none) and its method; *next
 * gets the absolute time of the next call (UINT64_MAX while a request is
 * out: the result comes first). */
enum portmap_action portmap_state_periodic(struct portmap_state *,
	    uint64_t now, enum portmap_method *method, uint64_t *next);

/* The request started for `trying` succeeded. */
void	portmap_state_mapped(struct portmap_state *, uint64_t now,
	    const struct portmap_lease *);
/* The request failed; err says why (kept for show). */
void	portmap_state_failed(struct portmap_state *, uint64_t now,
	    const char *err);
/* The delete finished (successful or not: nothing more is tried). */
void	portmap_state_unmapped(struct portmap_state *, uint64_t now);
/* Begin the shutdown: delete the mapping if one is held. */
void	portmap_state_stop(struct portmap_state *, uint64_t now);

/* 1 while a lease is held and not expired at now. */
int	portmap_state_valid(const struct portmap_state *, uint64_t now);

const char *portmap_method_name(enum portmap_method);
const char *portmap_phase_name(enum portmap_phase);

#endif
