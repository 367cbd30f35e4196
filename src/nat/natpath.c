/* Per-member path state machine: pure, see natpath.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/be.h"
#include "nat/natep.h"
#include "nat/natpath.h"
#include "nat/natpath-int.h"
#include "common/util.h"

static void
probe(struct natpath *p, struct natpath_cand *c, uint64_t now)
{
	struct natpath_action	a;

	memset(&a, 0, sizeof(a));
	a.type = NATPATH_ACT_PROBE;
	a.ep = c->ep;
	c->prev_nonce = c->nonce;
	c->nonce = ++p->nonce_ctr;
	if (c->nonce == 0)	/* 0 means "none sent" */
		c->nonce = ++p->nonce_ctr;
	be64_put(a.nonce, c->nonce);
	c->probed_at = now;
	p->nprobe++;
	natpath_push(p, &a);
}

static void
probe_all(struct natpath *p, uint64_t now)
{
	size_t	i;

	for (i = 0; i < p->ncand; i++)
		probe(p, &p->cand[i], now);
	p->next_probe = now + NATPATH_PROBE_MS;
}

static void
punch(struct natpath *p, int reply, uint64_t now)
{
	struct natpath_action	a;

	memset(&a, 0, sizeof(a));
	a.type = NATPATH_ACT_PUNCH;
	a.reply = reply;
	p->npunch++;
	natpath_push(p, &a);
	p->punch_until = now + NATPATH_PUNCH_MS;
	p->punch_next = now + NATPATH_REPUNCH_MS;
}

static void
switched(struct natpath *p, uint64_t now)
{
	struct natpath_action	a;

	memset(&a, 0, sizeof(a));
	a.type = NATPATH_ACT_SWITCH;
	if (natpath_route(p, &a.ep, &a.relayed) == -1)
		return;
	if (p->connect_ms == 0)
		p->connect_ms = now - p->phase_start + 1;
	if (p->lost_at != 0) {
		/* a recovery completed: the first route after the break */
		p->rec.at = now;
		p->rec.gap = now > p->lost_at ? now - p->lost_at : 0;
		util_strlcpy(p->rec.what, p->lost_why, sizeof(p->rec.what));
		util_strlcpy(p->rec.how, a.relayed ? "relay" :
		    natpath_src_name(p->ep_src), sizeof(p->rec.how));
		p->lost_at = 0;
	}
	p->nswitch++;
	natpath_push(p, &a);
}

/* The path broke (or is about to be replaced) at `at`, the last moment it
 * was known good: note it, once, for the recovery record. */
static void
lost(struct natpath *p, const char *why, uint64_t at)
{
	if (p->lost_at != 0)
		return;
	p->lost_at = at != 0 ? at : 1;
	util_strlcpy(p->lost_why, why, sizeof(p->lost_why));
}

/* Whether something we sent waits for an answer: sent after the last
 * packet from the member. */
static int
waiting(const struct natpath *p)
{
	return p->waiting;
}

void
natpath_unanswered(struct natpath *p, int w, uint64_t since)
{
	p->waiting = w != 0;
	/* an ACK to our probe since then: alive, the clock starts again */
	p->waiting_since = since > p->last_rx ? since : p->last_rx;
}

/* The member answered (how: 0 data, 1 its probe, 2 an ACK to ours). A path
 * silent while we sent (a probe of ours unanswered too, or the member
 * probes us itself: it saw silence too) that answers is a recovery too. */
static void
answered(struct natpath *p, uint64_t now, int how)
{
	if ((p->silent || (how == 1 && p->waiting && now - p->waiting_since >=
	    NATPATH_PROBE_MS)) && p->state == NATPATH_DIRECT &&
	    p->lost_at == 0 && p->waiting &&
	    now - p->last_tx < NATPATH_ACTIVE_MS) {
		p->rec.at = now;
		p->rec.gap = now - p->waiting_since;
		util_strlcpy(p->rec.what, "path went silent", sizeof(p->rec.what));
		util_strlcpy(p->rec.how, natpath_src_name(p->ep_src),
		    sizeof(p->rec.how));
	}
	p->silent = 0;
	if (now > p->last_rx)
		p->last_rx = now;
	p->waiting = 0;
}

/* When the path was last known good: the first send that is still
 * unanswered, else the last answer. */
static uint64_t
heard(const struct natpath *p)
{
	return waiting(p) ? p->waiting_since : p->last_rx;
}

/* Probe c unless it was probed within half a probe interval. */
static void
probe_fresh(struct natpath *p, struct natpath_cand *c, uint64_t now)
{
	if (c->probed_at == 0 || now - c->probed_at >= NATPATH_PROBE_MS / 2)
		probe(p, c, now);
}

static int
searching(const struct natpath *p)
{
	return p->state == NATPATH_PROBING || p->state == NATPATH_PUNCHING ||
	    p->state == NATPATH_RELAYED || p->state == NATPATH_UNREACHABLE;
}

void
natpath_add_candidate(struct natpath *p, const struct sockaddr_in6 *ep,
    enum natpath_src src, uint64_t now)
{
	struct natpath_cand	*c;
	int			 isnew;

	c = natpath_cand_add(p, ep, src, now, &isnew);
	if (c == NULL)
		return;
	if (src == NATPATH_SRC_CONFIG && (!p->have_cfg ||
	    !natep_eq(&p->cfg, ep))) {
		int	had = p->have_cfg;

		p->have_cfg = 1;
		p->cfg = *ep;
		c->src = NATPATH_SRC_CONFIG;
		/* a reload named another endpoint while the path runs on the
		 * old one: probe it now, move on its answer (ack_in) */
		if (had && p->state == NATPATH_DIRECT &&
		    p->ep_src == NATPATH_SRC_CONFIG && !natep_eq(&p->ep, ep)) {
			lost(p, "endpoint changed by reload", now);
			probe(p, c, now);
			return;
		}
	}
	/* a new candidate is worth a probe right away, unless an endpoint
	 * at least as good is established */
	if (isnew && (searching(p) ||
	    (p->state == NATPATH_DIRECT &&
	    natpath_rank(src) < natpath_rank(p->ep_src))))
		probe(p, c, now);
}

void
natpath_set_relay(struct natpath *p, const struct sockaddr_in6 *relay,
    uint64_t now)
{
	int	was = p->have_relay;

	if (relay == NULL) {
		p->have_relay = 0;
		if (p->state == NATPATH_RELAYED) {
			p->state = NATPATH_UNREACHABLE;
			p->next_retry = now;
			util_strlcpy(p->reason, "relay lost",
			    sizeof(p->reason));
		}
		return;
	}
	p->have_relay = 1;
	p->relay = *relay;
	if (p->state == NATPATH_RELAYED && was) {
		switched(p, now);	/* moved to another relay */
	} else if (p->state == NATPATH_UNREACHABLE ||
	    (p->state == NATPATH_PUNCHING &&
	    now - p->phase_start >= NATPATH_DIRECT_MS)) {
		p->state = NATPATH_RELAYED;
		p->next_retry = now + NATPATH_RETRY_MS;
		util_strlcpy(p->reason, "relayed: no direct answer, "
		    "a relay became known", sizeof(p->reason));
		switched(p, now);
	}
}

void
natpath_set_rendezvous(struct natpath *p, int have, uint64_t now)
{
	int	was = p->have_rendezvous;

	p->have_rendezvous = have != 0;
	/* learnt while looking for a path (the lookup finished after the
	 * traffic started): punch now rather than at the next round */
	if (have && !was && p->state != NATPATH_IDLE &&
	    p->state != NATPATH_DIRECT && p->punch_until <= now) {
		punch(p, 0, now);
		probe_all(p, now);
	}
}

/* A new search: probes to every candidate, and (punch_now) a punch
 * request through the rendezvous. */
static void
start_search(struct natpath *p, int punch_now, uint64_t now)
{
	p->state = NATPATH_PROBING;
	p->phase_start = now;
	p->connect_ms = 0;
	p->ep_sock = 0;		/* a birthday socket's path is gone too */
	p->punch_until = 0;
	util_strlcpy(p->reason, p->ncand ? "probing candidate endpoints" :
	    "no candidate endpoint yet", sizeof(p->reason));
	probe_all(p, now);
	/* a NAT-ed member (it has a rendezvous) rarely answers a probe it
	 * did not expect: ask it to probe us at the same time, at once */
	if (p->have_rendezvous && punch_now) {
		punch(p, 0, now);
		util_strlcpy(p->reason, "probing; hole punching through the "
		    "rendezvous", sizeof(p->reason));
	}
}

static void
start(struct natpath *p, uint64_t now)
{
	start_search(p, 1, now);
}

/* The direct path is in doubt (silent, or our address changed) and a
 * relay is ready: the data goes through the relay at once while the
 * direct search (probes, a punch round) runs behind it, and the first ACK
 * moves it back (natpath_ack_in). Waiting out NATPATH_DIRECT_MS of probes
 * first would add a second to every roam that ends relayed. */
static void
relay_meanwhile(struct natpath *p, const char *why, uint64_t now)
{
	/* (a punch round already running goes on: no second request) */
	uint64_t	until = p->punch_until, pnext = p->punch_next;
	int		punching = until > now;

	start_search(p, !punching, now);
	if (punching) {
		p->punch_until = until;
		p->punch_next = pnext;
	}
	p->state = NATPATH_RELAYED;
	p->next_retry = now + NATPATH_RETRY_MS;
	if (p->punch_until < now + NATPATH_PUNCH_MS)	/* no rendezvous */
		p->punch_until = now + NATPATH_PUNCH_MS;
	util_strlcpy(p->reason, why, sizeof(p->reason));
	switched(p, now);
}

void
natpath_restart(struct natpath *p, const char *why, uint64_t now)
{
	if (p->state == NATPATH_IDLE)
		return;
	if (p->state == NATPATH_DIRECT)
		lost(p, "our address changed", heard(p));
	if (p->state == NATPATH_RELAYED) {
		/* keep the relay while looking: probes and a punch round */
		p->next_retry = now;
		util_strlcpy(p->reason, why, sizeof(p->reason));
		return;
	}
	if (p->state == NATPATH_DIRECT && p->have_relay) {
		relay_meanwhile(p, why, now);
		return;
	}
	start(p, now);
	util_strlcpy(p->reason, why, sizeof(p->reason));
}

void
natpath_use(struct natpath *p, uint64_t now)
{
	if (now > p->last_use)
		p->last_use = now;
	if (now >= p->last_tx)
		p->last_tx = now;
	/* the first send after the member's last packet: an answer (data,
	 * a tunnel keepalive, an ACK to our probe) is due from here */
	if (!p->waiting) {
		p->waiting = 1;
		p->waiting_since = now;
	}
	if (p->state == NATPATH_IDLE)
		start(p, now);
}

static void
establish(struct natpath *p, struct natpath_cand *c, const char *how,
    uint64_t now)
{
	const char	*was = natpath_state_name(p->state);

	p->have_ep = 1;
	p->ep = c->ep;
	p->ep_src = c->src;
	p->ep_sock = 0;
	answered(p, now, 0);
	snprintf(p->reason, sizeof(p->reason), "%s: %s (was %s)",
	    natpath_src_name(c->src), how, was);
	p->state = NATPATH_DIRECT;
	switched(p, now);
}

void
natpath_rx(struct natpath *p, const struct sockaddr_in6 *from, uint64_t now)
{
	struct natpath_cand	*c;
	uint64_t		 was = heard(p);
	int			 isnew;

	p->last_use = now;
	if (from == NULL) {
		/* through the relay: alive, but says nothing about direct */
		if (p->state == NATPATH_IDLE)
			start(p, now);
		/* ... unless our direct sends go unanswered meanwhile: the
		 * member lost the direct path too (it moved, its NAT changed)
		 * and answers the way it found; so do we */
		if (p->state == NATPATH_DIRECT && p->have_relay && waiting(p) &&
		    now - p->waiting_since >= NATPATH_PROBE_MS) {
			lost(p, "path lost", heard(p));
			relay_meanwhile(p, "relayed: the member answers through "
			    "the relay, direct is silent", now);
			return;
		}
		/* the member found no better way to us: answer through the
		 * relay at once (probing goes on for a punch round) */
		if (p->have_relay && (p->state == NATPATH_PROBING ||
		    p->state == NATPATH_PUNCHING ||
		    p->state == NATPATH_UNREACHABLE)) {
			p->state = NATPATH_RELAYED;
			p->next_retry = now + NATPATH_RETRY_MS;
			if (p->punch_until < now + NATPATH_PUNCH_MS)
				p->punch_until = now + NATPATH_PUNCH_MS;
			util_strlcpy(p->reason, "relayed: the member reached "
			    "us through the relay", sizeof(p->reason));
			switched(p, now);
		}
		return;
	}
	answered(p, now, 0);
	if (p->state == NATPATH_DIRECT && natep_eq(from, &p->ep))
		return;
	if (p->state == NATPATH_IDLE)
		start(p, now);
	c = natpath_cand_add(p, from, NATPATH_SRC_ROAMED, now, &isnew);
	if (c == NULL)
		return;
	if (p->state == NATPATH_DIRECT) {
		/* an authenticated packet from elsewhere: the member moved */
		c->acked_at = now;
		lost(p, "member moved", was);
		establish(p, c, "authenticated packet from a new address",
		    now);
		return;
	}
	/* searching and the member got through to us directly: confirm */
	probe(p, c, now);
}

void
natpath_probe_in(struct natpath *p, const struct sockaddr_in6 *from,
    uint64_t now)
{
	struct natpath_cand	*c;
	int			 isnew, searching;

	p->last_use = now;
	if (p->state == NATPATH_DIRECT && natep_eq(from, &p->ep)) {
		answered(p, now, 1);
		return;
	}
	/* Only while we are looking for a path ourselves (we started, or
	 * the member's PUNCH asked us to; a punch round behind the relay
	 * counts) is its probe the other half of a
	 * hole being punched. Otherwise the source has not shown that it
	 * receives (a member's PROBE can be replayed from a spoofed
	 * address): it gets the ACK, no larger than the PROBE, and nothing
	 * more (SECURITY.md). The member, told by our ACK, sends from there,
	 * and an authentic packet from it is offered to us (path_authentic). */
	searching = p->state == NATPATH_PROBING ||
	    p->state == NATPATH_PUNCHING || ((p->state == NATPATH_RELAYED ||
	    p->state == NATPATH_UNREACHABLE) && p->punch_until > now);
	if (!searching)
		return;
	c = natpath_cand_add(p, from, NATPATH_SRC_PUNCHED, now, &isnew);
	/* probe back at once: that opens our side of the hole (not again
	 * for every probe of a burst, or the two sides chase each other's
	 * nonces and no ACK ever matches) */
	if (c != NULL && (isnew || now - c->probed_at >= NATPATH_PROBE_MS / 2))
		probe(p, c, now);
}

/* An answer to one of the spray's probes: that port is a candidate, with
 * the nonce it answered (natpath_ack_in goes on to establish it). */
static void
spray_answered(struct natpath *p, const struct sockaddr_in6 *from,
    uint64_t n, uint64_t now)
{
	struct natpath_cand	*c;
	int			 isnew;

	if (!pp_spray_matches(&p->spray, from, n) ||
	    (c = natpath_cand_add(p, from, NATPATH_SRC_PUNCHED, now,
	    &isnew)) == NULL)
		return;
	c->prev_nonce = c->nonce;
	c->nonce = n;
	if (p->state != NATPATH_DIRECT ||
	    natpath_rank(c->src) < natpath_rank(p->ep_src))
		pp_spray_end(&p->spray, 1, now);
}

void
natpath_ack_in(struct natpath *p, const struct sockaddr_in6 *from,
    const uint8_t nonce[8], uint64_t now)
{
	struct natpath_cand	*c;
	uint64_t		 n = be64_get(nonce);

	spray_answered(p, from, n, now);
	if ((c = natpath_find(p, from)) == NULL || n == 0 ||
	    (n != c->nonce && n != c->prev_nonce))
		return;		/* not an answer to a probe sent there */
	c->acked_at = now;
	if (n == c->nonce && c->probed_at != 0 && now >= c->probed_at) {
		uint64_t	sample = now - c->probed_at;

		p->srtt = p->srtt == 0 ? sample : (7 * p->srtt + sample) / 8;
	}
	if (p->state == NATPATH_DIRECT && natep_eq(&c->ep, &p->ep)) {
		answered(p, now, 2);
		return;
	}
	if (p->state == NATPATH_DIRECT &&
	    natpath_rank(c->src) >= natpath_rank(p->ep_src) &&
	    !(p->have_cfg && natep_eq(&c->ep, &p->cfg) &&
	    p->ep_src == NATPATH_SRC_CONFIG) &&
	    !(waiting(p) && now - p->waiting_since >= NATPATH_PROBE_MS)) {
		/* the current one is at least as good, and the netconfig
		 * does not name this one instead, and the current one
		 * answers while we send: keep it */
		return;
	}
	if (p->state == NATPATH_DIRECT && p->lost_at == 0)
		lost(p, "path lost", heard(p));
	if (p->state == NATPATH_IDLE)
		return;
	establish(p, c, p->state == NATPATH_PUNCHING ||
	    p->punch_until > now ? "answered during hole punching" :
	    "answered a probe", now);
}

void
natpath_punch_in(struct natpath *p, const struct sockaddr_in6 *observed,
    const struct sockaddr_in6 *eps, size_t neps, int reply, uint64_t now)
{
	size_t	i;
	int	isnew;

	if (observed != NULL)
		natpath_cand_add(p, observed, NATPATH_SRC_PUNCHED, now, &isnew);
	for (i = 0; i < neps; i++)
		natpath_cand_add(p, &eps[i], NATPATH_SRC_DHT, now, &isnew);
	p->last_use = now;
	if (p->state == NATPATH_IDLE)
		start(p, now);
	/* answer a request with a request of ours (not every copy: it
	 * came through several rendezvous, maybe repeated) */
	if (!reply && (p->last_punch_reply == 0 ||
	    now - p->last_punch_reply >= NATPATH_PROBE_MS)) {
		punch(p, 1, now);
		p->last_punch_reply = now;
	} else
		p->punch_until = now + NATPATH_PUNCH_MS;
	if (p->state == NATPATH_DIRECT && p->have_relay && waiting(p) &&
	    now - p->last_tx < NATPATH_ACTIVE_MS &&
	    now - p->waiting_since >= NATPATH_ACTIVE_STALE_MS) {
		/* ... and our own sends have waited as long as a liveness
		 * probe does: both ends lost the path (the member moved,
		 * a NAT changed). The data goes through the relay now,
		 * the search (probes where it says it is) behind it. */
		lost(p, "path lost", heard(p));
		relay_meanwhile(p, "relayed: the member looks for us and "
		    "direct is silent; punching meanwhile", now);
		return;
	}
	if (p->state == NATPATH_DIRECT) {
		/* the member looks for us although we have a path: it may
		 * have moved or lost its NAT state; probe where it says it
		 * is (an answer there moves us if ours went silent) */
		struct natpath_cand	*c;

		if (observed != NULL && (c = natpath_find(p, observed)) != NULL)
			probe_fresh(p, c, now);
		for (i = 0; i < neps; i++)
			if ((c = natpath_find(p, &eps[i])) != NULL)
				probe_fresh(p, c, now);
		return;
	}
	if (p->state == NATPATH_PROBING || p->state == NATPATH_UNREACHABLE)
		p->state = NATPATH_PUNCHING;
	util_strlcpy(p->reason, p->state == NATPATH_RELAYED ?
	    "relayed; hole punching through the rendezvous" :
	    "hole punching through the rendezvous", sizeof(p->reason));
	/* both sides probe each other's endpoints now */
	probe_all(p, now);
}

/* The direct search gave nothing within NATPATH_DIRECT_MS. */
static void
direct_failed(struct natpath *p, uint64_t now)
{
	if (p->have_rendezvous && p->punch_until <= now)
		punch(p, 0, now);
	if (p->have_relay) {
		p->state = NATPATH_RELAYED;
		p->next_retry = now + NATPATH_RETRY_MS;
		util_strlcpy(p->reason, p->have_rendezvous ?
		    "relayed: no direct answer; punching meanwhile" :
		    "relayed: no direct answer, no rendezvous",
		    sizeof(p->reason));
		switched(p, now);
	} else if (p->have_rendezvous) {
		p->state = NATPATH_PUNCHING;
		util_strlcpy(p->reason, "hole punching through the "
		    "rendezvous", sizeof(p->reason));
	} else {
		p->state = NATPATH_UNREACHABLE;
		p->next_retry = now + NATPATH_RETRY_MS;
		util_strlcpy(p->reason, p->ncand ? "no answer from any "
		    "endpoint, no rendezvous, no relay" :
		    "no endpoint known, no rendezvous, no relay",
		    sizeof(p->reason));
	}
}

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* A punch request (or the member's reply) may have been lost on the way:
 * ask again once a second while the round lasts. */
static void
repunch(struct natpath *p, uint64_t now, uint64_t *next)
{
	if (!p->have_rendezvous || p->punch_until <= now)
		return;
	if (now >= p->punch_next) {
		uint64_t	until = p->punch_until;

		punch(p, 0, now);
		p->punch_until = until;	/* the same round */
	}
	if (p->punch_next > now && p->punch_next < p->punch_until)
		*next = min64(*next, p->punch_next);
}

uint64_t
natpath_periodic(struct natpath *p, uint64_t now)
{
	struct natpath_cand	*c;
	uint64_t		 next = UINT64_MAX, quiet, aquiet, dead;
	int			 active;

	if (p->state == NATPATH_IDLE)
		return UINT64_MAX;
	if (now - p->last_use >= NATPATH_IDLE_MS &&
	    (p->state != NATPATH_DIRECT || now - p->last_rx >= NATPATH_IDLE_MS)) {
		p->state = NATPATH_IDLE;
		p->lost_at = 0;
		util_strlcpy(p->reason, "not in use", sizeof(p->reason));
		return UINT64_MAX;
	}
	switch (p->state) {
	case NATPATH_PROBING:
		if (now - p->phase_start >= NATPATH_DIRECT_MS) {
			direct_failed(p, now);
			return natpath_periodic(p, now);
		}
		if (now >= p->next_probe)
			probe_all(p, now);
		next = min64(p->next_probe, p->phase_start + NATPATH_DIRECT_MS);
		break;
	case NATPATH_PUNCHING:
		/* with a relay, data need not wait for the punch round to
		 * end: it goes on behind the relay */
		if (now - p->phase_start >= NATPATH_DIRECT_MS &&
		    (p->have_relay || p->punch_until <= now)) {
			if (p->have_relay)
				direct_failed(p, now);
			else {
				p->state = NATPATH_UNREACHABLE;
				p->next_retry = now + NATPATH_RETRY_MS;
				util_strlcpy(p->reason, "hole punching failed "
				    "and no relay known", sizeof(p->reason));
			}
			return natpath_periodic(p, now);
		}
		if (now >= p->next_probe)
			probe_all(p, now);
		next = min64(p->next_probe, p->punch_until > now ?
		    p->punch_until : p->phase_start + NATPATH_DIRECT_MS);
		repunch(p, now, &next);
		break;
	case NATPATH_RELAYED:
	case NATPATH_UNREACHABLE:
		if (now >= p->next_retry) {
			/* a background round: direct probes and a punch */
			p->next_retry = now + NATPATH_RETRY_MS;
			if (p->have_rendezvous)
				punch(p, 0, now);
			else
				p->punch_until = now + NATPATH_DIRECT_MS;
			probe_all(p, now);
		}
		if (p->punch_until > now) {
			if (now >= p->next_probe)
				probe_all(p, now);
			next = min64(p->next_probe, p->punch_until);
			/* only in the round of a search we began (a path
			 * lost): the member's punches extend the round, and
			 * its repeats would extend ours, for ever */
			if (now - p->phase_start < NATPATH_PUNCH_MS)
				repunch(p, now, &next);
		}
		next = min64(next, p->next_retry);
		break;
	case NATPATH_DIRECT:
		quiet = now - p->last_rx;
		active = now - p->last_tx < NATPATH_ACTIVE_MS;
		/* while we send: how long our oldest unanswered send waits
		 * (not the silence since an answer long before the burst),
		 * the dead line stretched on a slow path */
		aquiet = waiting(p) ? now - p->waiting_since : 0;
		dead = NATPATH_ACTIVE_DEAD_MS + 3 * p->srtt;
		if (quiet >= NATPATH_DEAD_MS || (active && aquiet >= dead)) {
			uint64_t shown = active && aquiet < quiet ? aquiet :
			    quiet;
			char	 why[NATPATH_REASON_MAX];

			lost(p, "path lost", active ? heard(p) : p->last_rx);
			/* keep the reason that says why we search again */
			snprintf(why, sizeof(why), "path lost: no answer for "
			    "%llu.%llu s, %s",
			    (unsigned long long)(shown / 1000),
			    (unsigned long long)(shown % 1000 / 100),
			    p->have_relay ? "relayed while probing" :
			    "probing");
			p->have_ep = 0;
			if (p->have_relay)
				relay_meanwhile(p, why, now);
			else {
				start(p, now);
				util_strlcpy(p->reason, why, sizeof(p->reason));
				switched(p, now);
			}
			return natpath_periodic(p, now);
		}
		/* while our sends go unanswered, another endpoint of the
		 * member's answered a probe (its NAT was renumbered, it
		 * moved and punched to us): go there now */
		if (active && (c = natpath_answered_elsewhere(p)) != NULL) {
			if (aquiet >= NATPATH_PROBE_MS) {
				lost(p, "member moved", heard(p));
				establish(p, c, "answered while the path was "
				    "silent", now);
				return natpath_periodic(p, now);
			}
			next = p->waiting_since + NATPATH_PROBE_MS;
		}
		if (quiet >= NATPATH_STALE_MS || (active &&
		    aquiet >= NATPATH_ACTIVE_STALE_MS)) {
			/* unanswered: probe it fast until it answers */
			if (now >= p->next_probe) {
				c = natpath_find(p, &p->ep);

				/* a probe went unanswered too while we
				 * send: ask the member through its
				 * rendezvous to probe us (it may have moved,
				 * our NATs may have forgotten us), before
				 * the path is given up */
				if (c != NULL && active &&
				    c->probed_at > p->last_rx)
					p->silent = 1;
				if (p->silent && p->have_rendezvous &&
				    p->punch_until <= now)
					punch(p, 0, now);
				if (c != NULL)
					probe(p, c, now);
				p->next_probe = now + NATPATH_PROBE_MS *
				    (active ? 1 : 4);
			}
			next = min64(next, min64(p->next_probe, active ?
			    p->waiting_since + dead :
			    p->last_rx + NATPATH_DEAD_MS));
			break;
		}
		/* keepalive only while in use and only if quiet on our side */
		if (now - p->last_use < NATPATH_IDLE_MS &&
		    now - p->last_tx >= NATPATH_KEEPALIVE_MS &&
		    now - p->last_keepalive >= NATPATH_KEEPALIVE_MS) {
			if ((c = natpath_find(p, &p->ep)) == NULL) {
				int isnew;

				c = natpath_cand_add(p, &p->ep, p->ep_src, now,
				    &isnew);
			}
			if (c != NULL)
				probe(p, c, now);
			p->last_keepalive = now;
		}
		/* while sending, run now and then to learn of sends that
		 * wait for an answer (the glue feeds them in pathglue_run) */
		next = min64(next, min64(active ? (waiting(p) ?
		    p->waiting_since + NATPATH_ACTIVE_STALE_MS :
		    now + NATPATH_ACTIVE_STALE_MS / 2) :
		    p->last_rx + NATPATH_STALE_MS, (p->last_tx > p->last_keepalive ?
		    p->last_tx : p->last_keepalive) + NATPATH_KEEPALIVE_MS));
		if (active)
			next = min64(next, p->last_tx + NATPATH_ACTIVE_MS);
		break;
	case NATPATH_IDLE:
		break;
	}
	return min64(next, p->last_use + NATPATH_IDLE_MS);
}

void
natpath_via_socket(struct natpath *p, const struct sockaddr_in6 *ep,
    int sock, uint64_t now)
{
	struct natpath_cand	*c;
	int			 isnew;

	/* only while searching: a direct path already there (on our own
	 * socket, or this one) stays */
	if (p->state == NATPATH_IDLE || p->state == NATPATH_DIRECT)
		return;
	if ((c = natpath_cand_add(p, ep, NATPATH_SRC_PUNCHED, now,
	    &isnew)) == NULL)
		return;
	c->acked_at = now;
	c->src = NATPATH_SRC_PUNCHED;	/* (through that socket only) */
	establish(p, c, "birthday probing found a port", now);
	p->ep_sock = sock;
}
