/* The relay client (see relayclient.h): pure, clock injected. */
#include "config.h"

#include <string.h>

#include "nat/natep.h"
#include "nat/natpath.h"
#include "nat/relayclient.h"

static void
wipe(void *p, size_t len)
{
	volatile uint8_t	*v = p;

	while (len-- > 0)
		*v++ = 0;
}

static struct rc_action *
act(struct relayclient *rc, enum rc_act type, struct rc_member *m)
{
	struct rc_action	*a;

	if (rc->nout == RC_MAX_ACTIONS) {
		/* the glue drains after every event; a full queue means it
		 * did not: the oldest go (a BIND is retried, the rest is
		 * redone by the next event) */
		rc->dropped_actions++;
		rc->outhead = (rc->outhead + 1) % RC_MAX_ACTIONS;
		rc->nout--;
	}
	a = &rc->out[(rc->outhead + rc->nout++) % RC_MAX_ACTIONS];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->m = m;
	return a;
}

int
relayclient_next_action(struct relayclient *rc, struct rc_action *a)
{
	if (rc->nout == 0)
		return 0;
	*a = rc->out[rc->outhead];
	rc->outhead = (rc->outhead + 1) % RC_MAX_ACTIONS;
	rc->nout--;
	return 1;
}

void
relayclient_init(struct relayclient *rc, const struct rc_config *cfg)
{
	memset(rc, 0, sizeof(*rc));
	rc->cfg = *cfg;
}

void
relayclient_wipe(struct relayclient *rc)
{
	size_t	i;

	for (i = 0; i < rc->nrelays; i++)
		wipe(rc->relays[i].pair, sizeof(rc->relays[i].pair));
}

void
relayclient_member_add(struct relayclient *rc, struct rc_member *m,
    const uint8_t key[RC_KEY_LEN], void *owner)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->key, key, RC_KEY_LEN);
	m->owner = owner;
	m->relay = -1;
	m->bind_relay = -1;
	m->next = rc->members;
	if (rc->members != NULL)
		rc->members->prev = m;
	rc->members = m;
}

void
relayclient_member_remove(struct relayclient *rc, struct rc_member *m)
{
	size_t	i;

	if (m->prev != NULL)
		m->prev->next = m->next;
	else if (rc->members == m)
		rc->members = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	m->next = m->prev = NULL;
	/* actions still queued for it go */
	for (i = 0; i < rc->nout; i++) {
		struct rc_action *a = &rc->out[(rc->outhead + i) %
		    RC_MAX_ACTIONS];

		if (a->m == m) {
			a->m = NULL;
			a->type = RC_ACT_NONE;
		}
	}
}

/* --- relays ------------------------------------------------------------ */

/* The relay with key at addr among ours, added when new (the least
 * recently used goes when full); -1 if its pair key is unusable. */
static int
relay_get(struct relayclient *rc, const uint8_t *key,
    const struct sockaddr_in6 *addr, uint64_t now)
{
	struct rc_relay		*r;
	struct rc_member	*m;
	size_t			 i, old = 0;

	for (i = 0; i < rc->nrelays; i++) {
		if (memcmp(rc->relays[i].key, key, RC_KEY_LEN) == 0) {
			rc->relays[i].addr = *addr;
			rc->relays[i].used = now;
			return rc->relays[i].pair_ok ? (int)i : -1;
		}
		if (rc->relays[i].used < rc->relays[old].used)
			old = i;
	}
	if (rc->nrelays < RC_MAX_RELAYS)
		i = rc->nrelays++;
	else {
		/* the least recently used goes; members using it fall back
		 * to their next rendezvous */
		i = old;
		for (m = rc->members; m != NULL; m = m->next)
			if (m->relay == (int)i || m->bind_relay == (int)i) {
				m->relay = m->bind_relay = -1;
				m->relay_ok = 0;
				m->bind_at = 0;
			}
	}
	r = &rc->relays[i];
	wipe(r->pair, sizeof(r->pair));
	memcpy(r->key, key, RC_KEY_LEN);
	r->addr = *addr;
	r->used = now;
	r->pair_ok = rc->cfg.pair(rc->cfg.arg, key, r->pair) == 0;
	return r->pair_ok ? (int)i : -1;
}

static size_t
own_rv(struct relayclient *rc, struct rc_rv *rv)
{
	size_t	n;

	if (rc->cfg.own_rv == NULL)
		return 0;
	n = rc->cfg.own_rv(rc->cfg.arg, rv, RC_MAX_OWN);
	return n > RC_MAX_OWN ? RC_MAX_OWN : n;
}

/* The relay at addr among ours or our own rendezvous nodes (a member
 * reached us through it); -1 if unknown. */
static int
relay_at(struct relayclient *rc, const struct sockaddr_in6 *addr,
    uint64_t now)
{
	struct rc_rv	rv[RC_MAX_OWN];
	size_t		i, n;

	for (i = 0; i < rc->nrelays; i++)
		if (natep_eq(&rc->relays[i].addr, addr))
			return rc->relays[i].pair_ok ? (int)i : -1;
	n = own_rv(rc, rv);
	for (i = 0; i < n; i++)
		if (natep_eq(&rv[i].addr, addr))
			return relay_get(rc, rv[i].key, &rv[i].addr, now);
	return -1;
}

/* Queue a BIND for target to relay ri; returns its nonce. */
static uint64_t
bind_raw(struct relayclient *rc, int ri, const uint8_t *target, uint64_t now)
{
	struct rc_action	*a;
	uint64_t		 nonce = rc->cfg.wallclock(rc->cfg.arg);

	/* one growing counter for all our BINDs: a relay remembers the
	 * newest per sender, whichever member it was for */
	if (nonce <= rc->bind_nonce)
		nonce = rc->bind_nonce + 1;
	rc->bind_nonce = nonce;
	rc->relays[ri].used = now;
	a = act(rc, RC_ACT_BIND, NULL);
	a->relay = ri;
	memcpy(a->target, target, RC_KEY_LEN);
	a->nonce = nonce;
	a->addr = rc->relays[ri].addr;
	return nonce;
}

static void
bind_send(struct relayclient *rc, struct rc_member *m, int ri, uint64_t now)
{
	m->bind_nonce = bind_raw(rc, ri, m->key, now);
	m->bind_relay = ri;
	m->bind_at = now;
}

static void
set_np_relay(struct relayclient *rc, struct rc_member *m,
    const struct sockaddr_in6 *relay)
{
	struct rc_action	*a;

	if (relay == NULL) {
		m->have_np_relay = 0;
		(void)act(rc, RC_ACT_NO_RELAY, m);
		return;
	}
	m->have_np_relay = 1;
	m->np_relay = *relay;
	a = act(rc, RC_ACT_SET_RELAY, m);
	a->addr = *relay;
}

/* The relay with this key failed m (refused, silent): not again soon. */
static void
relay_failed(struct rc_member *m, const uint8_t *key, uint64_t now)
{
	size_t	i, old = 0;

	for (i = 0; i < m->nrv; i++)
		if (memcmp(m->rv[i].key, key, RC_KEY_LEN) == 0)
			m->rv[i].no_relay = 1;
	for (i = 0; i < RC_MAX_RV; i++) {
		if (memcmp(m->bad_relay[i].id, key, sizeof(m->bad_relay[i].id))
		    == 0) {
			old = i;
			break;
		}
		if (m->bad_relay[i].until < m->bad_relay[old].until)
			old = i;
	}
	memcpy(m->bad_relay[old].id, key, sizeof(m->bad_relay[old].id));
	m->bad_relay[old].until = now + RC_BAD_RELAY_MS;
}

static int
relay_bad(const struct rc_member *m, const uint8_t *key, uint64_t now)
{
	size_t	i;

	for (i = 0; i < RC_MAX_RV; i++)
		if (m->bad_relay[i].until > now && memcmp(m->bad_relay[i].id,
		    key, sizeof(m->bad_relay[i].id)) == 0)
			return 1;
	return 0;
}

/* Bind at the next usable rendezvous of m, else at one of our own (m may
 * well be known there, bound for us or registered); 0 if one was asked. */
static int
bind_next_rv(struct relayclient *rc, struct rc_member *m, uint64_t now)
{
	struct rc_rv	own[RC_MAX_OWN];
	size_t		i, k, n;
	int		ri;

	for (k = 0; k < m->nrv; k++) {
		i = (m->rv_next + k) % m->nrv;
		if (m->rv[i].no_relay)
			continue;
		if (!natep_is_set(&m->rv[i].addr) || (ri = relay_get(rc,
		    m->rv[i].key, &m->rv[i].addr, now)) == -1)
			continue;
		m->rv_next = (unsigned)(i + 1);
		bind_send(rc, m, ri, now);
		return 0;
	}
	n = own_rv(rc, own);
	for (i = 0; i < n; i++) {
		for (k = 0; k < m->nrv; k++)
			if (memcmp(m->rv[k].key, own[i].key, RC_KEY_LEN) == 0)
				break;
		if (k < m->nrv || !own[i].active ||
		    relay_bad(m, own[i].key, now))
			continue;
		if (!natep_is_set(&own[i].addr) ||
		    (ri = relay_get(rc, own[i].key, &own[i].addr, now)) == -1)
			continue;
		bind_send(rc, m, ri, now);
		return 0;
	}
	return -1;
}

void
relayclient_rendezvous(struct relayclient *rc, struct rc_member *m,
    const uint8_t key[RC_KEY_LEN], const struct sockaddr_in6 *addr,
    uint64_t now)
{
	size_t	i;

	for (i = 0; i < m->nrv; i++)
		if (memcmp(m->rv[i].key, key, RC_KEY_LEN) == 0)
			break;
	if (i == m->nrv) {
		if (m->nrv == RC_MAX_RV) {
			/* the newest answer replaces the oldest */
			memmove(&m->rv[0], &m->rv[1],
			    (RC_MAX_RV - 1) * sizeof(m->rv[0]));
			i = --m->nrv;
		}
		m->nrv++;
	}
	memcpy(m->rv[i].key, key, RC_KEY_LEN);
	m->rv[i].addr = *addr;
	m->rv[i].active = 1;
	m->rv[i].no_relay = 0;
	if (m->relay_ok || m->bind_at != 0)
		return;
	(void)bind_next_rv(rc, m, now);
}

/* --- BOUND ------------------------------------------------------------- */

int
relayclient_bound_relay(struct relayclient *rc, const uint8_t key[RC_KEY_LEN],
    const struct sockaddr_in6 *from)
{
	size_t	i;
	int	ri = -1;

	for (i = 0; i < rc->nrelays; i++)
		if (memcmp(rc->relays[i].key, key, RC_KEY_LEN) == 0 &&
		    natep_eq(&rc->relays[i].addr, from))
			ri = (int)i;
	return ri;
}

void
relayclient_bound(struct relayclient *rc, struct rc_member *m, int ri,
    uint64_t nonce, enum rc_bound_status status,
    const struct sockaddr_in6 *observed, int eim, uint64_t now)
{
	const struct sockaddr_in6	*from = &rc->relays[ri].addr;
	struct rc_action		*a;

	/* where the relay saw the BIND: if that moved, so did we (every
	 * relay sees the same endpoint behind an endpoint-independent NAT;
	 * a symmetric one picks new ports as it likes, and while the kind is
	 * not known only a new address counts). The glue limits how often a
	 * move counts: the search it starts asks every relay again. */
	if (natep_is_set(observed)) {
		if (natep_is_set(&rc->watch_seen) &&
		    (!natep_same_ip(&rc->watch_seen, observed) ||
		    (eim && !natep_eq(&rc->watch_seen, observed)))) {
			a = act(rc, RC_ACT_MOVED, NULL);
			a->addr = *from;
			a->seen = *observed;
			a->was = rc->watch_seen;
		}
		rc->watch_seen = *observed;
		a = act(rc, RC_ACT_OBSERVED, NULL);
		a->addr = *from;
		a->seen = *observed;
	}
	if (m == NULL)
		return;
	if (m->bind_relay != ri || nonce != m->bind_nonce) {
		/* an answer to an older BIND, or to a refresh of our address
		 * at one of our own rendezvous (relayclient_rebind) */
		if (nonce > rc->bind_nonce)
			rc->stray++;
		return;
	}
	/* answered: a copy of this BOUND (a replay) is not an answer */
	m->bind_at = 0;
	m->bind_relay = -1;
	if (status == RC_BOUND_OK) {
		if (!m->relay_ok || m->relay != ri) {
			a = act(rc, RC_ACT_READY, m);
			a->addr = *from;
		}
		m->relay = ri;
		m->relay_ok = 1;
		m->bind_next = now + RC_BIND_MS;
		if (!m->have_np_relay || !natep_eq(&m->np_relay, from))
			set_np_relay(rc, m, from);
		(void)act(rc, RC_ACT_KICK, m);
		return;
	}
	/* that relay cannot reach the member: the next rendezvous */
	relay_failed(m, rc->relays[ri].key, now);
	if (m->relay == ri) {
		m->relay_ok = 0;
		m->relay = -1;
	}
	if (bind_next_rv(rc, m, now) == -1) {
		m->bind_next = 0;
		if (!m->relay_ok && m->have_np_relay) {
			set_np_relay(rc, m, NULL);
			(void)act(rc, RC_ACT_KICK, m);
		}
	}
}

/* --- use --------------------------------------------------------------- */

void
relayclient_relayed(struct relayclient *rc, struct rc_member *m,
    const struct sockaddr_in6 *via, uint64_t now)
{
	int	ri;

	/* the member reached us through this relay: answer the same way
	 * until something better answers. That relay knows where we are
	 * (it found us); ours may be gone (nothing came through it for a
	 * while). When both ends use different relays that work, both move
	 * to the one with the lower key: they agree without swapping. */
	if (m->have_np_relay && natep_eq(&m->np_relay, via)) {
		m->relay_rx = now;
	} else if (!m->have_np_relay ||
	    now - m->relay_rx >= NATPATH_ACTIVE_DEAD_MS ||
	    ((ri = relay_at(rc, via, now)) >= 0 && m->relay >= 0 &&
	    memcmp(rc->relays[ri].key, rc->relays[m->relay].key,
	    RC_KEY_LEN) < 0)) {
		set_np_relay(rc, m, via);
		m->relay = relay_at(rc, via, now);
		m->relay_ok = m->relay >= 0;
		m->bind_at = 0;
		m->relay_rx = now;
		if (m->relay_ok)
			m->bind_next = now;	/* bind there soon */
	}
}

void
relayclient_routed(struct relayclient *rc, struct rc_member *m, int relayed,
    uint64_t now)
{
	(void)rc;
	m->relayed_since = relayed ? now : 0;
	if (relayed)
		m->relay_rx = now;
}

void
relayclient_rebind(struct relayclient *rc, struct rc_member *m, uint64_t now)
{
	struct rc_rv	rv[RC_MAX_OWN];
	size_t		n, i;
	int		ri;

	n = own_rv(rc, rv);
	for (i = 0; i < n; i++)
		/* the answers are not awaited */
		if (natep_is_set(&rv[i].addr) &&
		    (ri = relay_get(rc, rv[i].key, &rv[i].addr, now)) != -1 &&
		    ri != m->relay)
			(void)bind_raw(rc, ri, m->key, now);
	if (m->relay_ok && m->relay >= 0)
		bind_send(rc, m, m->relay, now);
}

void
relayclient_watch(struct relayclient *rc, const struct rc_member *target,
    uint64_t now)
{
	size_t	i, k;

	if (now - rc->watch_at < RC_WATCH_MS || rc->nrelays == 0 ||
	    target == NULL)
		return;
	rc->watch_at = now;
	for (k = 0; k < rc->nrelays; k++) {
		i = (rc->watch_next + k) % rc->nrelays;
		if (!rc->relays[i].pair_ok)
			continue;
		rc->watch_next = (unsigned)(i + 1);
		(void)bind_raw(rc, (int)i, target->key, now);
		return;
	}
}

/* The relay in use went quiet while we send through it: try another. */
static void
relay_lost(struct relayclient *rc, struct rc_member *m, uint64_t now)
{
	struct rc_action	*a;
	struct sockaddr_in6	 was = m->np_relay;

	if (m->relay >= 0)
		relay_failed(m, rc->relays[m->relay].key, now);
	m->relay_ok = 0;
	m->relay = -1;
	m->bind_at = 0;
	set_np_relay(rc, m, NULL);
	m->relayed_since = 0;
	(void)bind_next_rv(rc, m, now);
	a = act(rc, RC_ACT_LOST, m);
	a->addr = was;
}

void
relayclient_tick(struct relayclient *rc, struct rc_member *m,
    const struct rc_use *u, uint64_t now)
{
	if (u->np_relayed && u->relayed_sending && m->relayed_since != 0 &&
	    now - m->relayed_since >= NATPATH_ACTIVE_DEAD_MS &&
	    now - m->relay_rx >= NATPATH_ACTIVE_DEAD_MS)
		relay_lost(rc, m, now);

	if (m->bind_at != 0 && now - m->bind_at >= RC_BIND_RETRY_MS) {
		if (m->bind_relay >= 0)
			relay_failed(m, rc->relays[m->bind_relay].key, now);
		m->bind_at = 0;
		if (!m->relay_ok)
			(void)bind_next_rv(rc, m, now);
	}
	if (m->relay_ok && m->bind_next != 0 && now >= m->bind_next) {
		if (u->in_use && m->relay >= 0)
			bind_send(rc, m, m->relay, now);
		m->bind_next = now + RC_BIND_MS;
	}
	/* starting to use it after a long pause: refresh the binding now */
	if (u->in_use && !u->was_in_use && m->relay_ok && m->relay >= 0 &&
	    m->bind_at == 0)
		bind_send(rc, m, m->relay, now);
}

uint64_t
relayclient_next(const struct rc_member *m, const struct rc_use *u,
    uint64_t now)
{
	uint64_t	next = UINT64_MAX;

	if (m->bind_next != 0)
		next = m->bind_next;
	/* relayed data flowing: watch the relay */
	if (u->relayed_sending && now + 1000 < next)
		next = now + 1000;
	if (m->bind_at != 0 && m->bind_at + RC_BIND_RETRY_MS < next)
		next = m->bind_at + RC_BIND_RETRY_MS;
	return next;
}

const uint8_t *
relayclient_relay_key(const struct relayclient *rc, const struct rc_member *m)
{
	if (m->relay < 0 || (size_t)m->relay >= rc->nrelays)
		return NULL;
	return rc->relays[m->relay].key;
}
