/* Port-mapping lease logic: pure, see portmap-state.h. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "nat/portmap.h"
#include "common/util.h"

static const enum portmap_method order[] = { PORTMAP_NATPMP, PORTMAP_UPNP };

void
portmap_state_init(struct portmap_state *ps, unsigned methods, uint16_t port,
    uint32_t lifetime, uint64_t now)
{
	memset(ps, 0, sizeof(*ps));
	ps->methods = methods & PORTMAP_M_ALL;
	ps->port = port;
	ps->want_lifetime = lifetime ? lifetime : PORTMAP_LIFETIME;
	ps->retry_delay = PORTMAP_RETRY_MIN;
	ps->phase = ps->methods ? PORTMAP_WAITING : PORTMAP_STOPPED;
	ps->next = ps->methods ? now : UINT64_MAX;
}

/* The first allowed method not yet tried this round, or PORTMAP_NONE. */
static enum portmap_method
next_method(const struct portmap_state *ps)
{
	size_t	i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if ((ps->methods & (1u << order[i])) &&
		    !(ps->tried & (1u << order[i])))
			return order[i];
	}
	return PORTMAP_NONE;
}

static void
lose_lease(struct portmap_state *ps, uint64_t now)
{
	ps->mapped = 0;
	ps->nlost++;
	ps->generation++;
	memset(&ps->lease, 0, sizeof(ps->lease));
	ps->expiry = 0;
	ps->tried = 0;
	ps->phase = PORTMAP_WAITING;
	ps->next = now;
}

enum portmap_action
portmap_state_periodic(struct portmap_state *ps, uint64_t now,
    enum portmap_method *method, uint64_t *next)
{
	enum portmap_action	act = PORTMAP_ACT_NONE;
	enum portmap_method	m;

	*method = PORTMAP_NONE;
	switch (ps->phase) {
	case PORTMAP_WAITING:
		if (now < ps->next)
			break;
		if ((m = next_method(ps)) == PORTMAP_NONE) {
			/* a new round after the back-off */
			ps->tried = 0;
			m = next_method(ps);
		}
		ps->trying = m;
		ps->phase = PORTMAP_REQUESTING;
		ps->next = UINT64_MAX;
		*method = m;
		act = PORTMAP_ACT_MAP;
		break;
	case PORTMAP_MAPPED:
		if (ps->expiry != 0 && now >= ps->expiry) {
			/* renewals kept failing: the lease is gone */
			lose_lease(ps, now);
			return portmap_state_periodic(ps, now, method, next);
		}
		if (now < ps->next)
			break;
		ps->trying = ps->lease.method;
		ps->phase = PORTMAP_RENEWING;
		ps->next = UINT64_MAX;
		*method = ps->trying;
		act = PORTMAP_ACT_MAP;
		break;
	case PORTMAP_UNMAPPING:
		if (ps->pending_action) {
			ps->pending_action = 0;
			*method = ps->lease.method;
			act = PORTMAP_ACT_UNMAP;
		}
		break;
	case PORTMAP_REQUESTING:
	case PORTMAP_RENEWING:
	case PORTMAP_STOPPED:
		break;
	}
	*next = ps->next;
	return act;
}

void
portmap_state_mapped(struct portmap_state *ps, uint64_t now,
    const struct portmap_lease *l)
{
	uint64_t	life;

	if (ps->phase != PORTMAP_REQUESTING && ps->phase != PORTMAP_RENEWING)
		return;
	if (!ps->mapped || ps->lease.ext_ip != l->ext_ip ||
	    ps->lease.ext_port != l->ext_port ||
	    ps->lease.method != ps->trying)
		ps->generation++;
	if (ps->phase == PORTMAP_RENEWING)
		ps->nrenewed++;
	else
		ps->nmapped++;
	ps->lease = *l;
	ps->lease.method = ps->trying;
	ps->mapped = 1;
	ps->granted_at = now;
	ps->tried = 0;
	ps->retry_delay = PORTMAP_RETRY_MIN;
	ps->phase = PORTMAP_MAPPED;
	if (l->lifetime == 0) {
		ps->expiry = 0;
		ps->next = now + PORTMAP_RECHECK;
	} else {
		life = (uint64_t)l->lifetime * 1000;
		ps->expiry = now + life;
		/* renew at half the lease (RFC 6886 3.3 suggests so) */
		ps->next = now + life / 2;
	}
	if (ps->stop_pending) {
		ps->stop_pending = 0;
		portmap_state_stop(ps, now);
	}
}

void
portmap_state_failed(struct portmap_state *ps, uint64_t now, const char *err)
{
	if (ps->phase != PORTMAP_REQUESTING && ps->phase != PORTMAP_RENEWING)
		return;
	util_strlcpy(ps->error, err ? err : "failed", sizeof(ps->error));
	ps->error_method = ps->trying;
	ps->error_at = now;
	ps->nfailed++;
	if (ps->stop_pending) {
		ps->stop_pending = 0;
		if (ps->phase == PORTMAP_RENEWING) {
			/* still holding the old lease: delete it */
			ps->phase = PORTMAP_MAPPED;
			portmap_state_stop(ps, now);
		} else {
			ps->phase = PORTMAP_STOPPED;
			ps->next = UINT64_MAX;
		}
		return;
	}
	if (ps->phase == PORTMAP_RENEWING) {
		ps->phase = PORTMAP_MAPPED;
		if (ps->expiry != 0 && now >= ps->expiry) {
			lose_lease(ps, now);
			return;
		}
		ps->next = now + PORTMAP_RENEW_RETRY;
		if (ps->expiry != 0 && ps->next > ps->expiry)
			ps->next = ps->expiry;
		return;
	}
	ps->tried |= 1u << ps->trying;
	ps->phase = PORTMAP_WAITING;
	if (next_method(ps) != PORTMAP_NONE) {
		ps->next = now;		/* the next method right away */
		return;
	}
	ps->next = now + ps->retry_delay;
	ps->retry_delay *= 2;
	if (ps->retry_delay > PORTMAP_RETRY_MAX)
		ps->retry_delay = PORTMAP_RETRY_MAX;
}

void
portmap_state_stop(struct portmap_state *ps, uint64_t now)
{
	switch (ps->phase) {
	case PORTMAP_REQUESTING:
	case PORTMAP_RENEWING:
		ps->stop_pending = 1;
		break;
	case PORTMAP_MAPPED:
		ps->phase = PORTMAP_UNMAPPING;
		ps->pending_action = 1;
		ps->next = now;
		break;
	case PORTMAP_WAITING:
		ps->phase = PORTMAP_STOPPED;
		ps->next = UINT64_MAX;
		break;
	case PORTMAP_UNMAPPING:
	case PORTMAP_STOPPED:
		break;
	}
}

void
portmap_state_unmapped(struct portmap_state *ps, uint64_t now)
{
	(void)now;
	if (ps->phase != PORTMAP_UNMAPPING)
		return;
	ps->mapped = 0;
	ps->generation++;
	ps->expiry = 0;
	ps->phase = PORTMAP_STOPPED;
	ps->next = UINT64_MAX;
}

int
portmap_state_valid(const struct portmap_state *ps, uint64_t now)
{
	return ps->mapped && (ps->expiry == 0 || now < ps->expiry);
}

const char *
portmap_method_name(enum portmap_method m)
{
	switch (m) {
	case PORTMAP_NATPMP:
		return "nat-pmp";
	case PORTMAP_UPNP:
		return "upnp";
	case PORTMAP_NONE:
		break;
	}
	return "none";
}

const char *
portmap_phase_name(enum portmap_phase p)
{
	static const char *const names[] = {
		[PORTMAP_WAITING] = "waiting",
		[PORTMAP_REQUESTING] = "requesting",
		[PORTMAP_MAPPED] = "mapped",
		[PORTMAP_RENEWING] = "renewing",
		[PORTMAP_UNMAPPING] = "unmapping",
		[PORTMAP_STOPPED] = "stopped",
	};

	if ((unsigned)p < ARRAY_SIZE(names))
		return names[p];
	return "?";
}
