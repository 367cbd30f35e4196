/* Tunnel timers (see tunnel.h): the events that move a peer's deadlines,
 * the rekey decisions, and tunnel_periodic, which fires the due ones. Every
 * timer is an absolute deadline in the peer; the data path only moves
 * deadlines. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/tunnel-int.h"

/* ---- timer events (WireGuard's wg_timers_*) */

uint64_t
handshake_jitter(const struct tunnel_config *c)
{
	if (c->rekey_jitter_ms == 0)
		return 0;
	return randombytes_uniform((uint32_t)c->rekey_jitter_ms + 1);
}

/* When to retransmit an initiation after the attempts-th of an attempt:
 * rekey_fast_ms twice, then doubling, while below rekey_timeout_ms (with
 * the jitter scaled down alike), then rekey_timeout_ms + jitter: at 0, 1,
 * 2, 4, 8 s, then every 5 s. Two lost in a row (a lossy path: an
 * initiation and its response each cross it) still cost only ~2 s. */
uint64_t
retransmit_after(const struct tunnel_config *c, uint32_t attempts)
{
	uint64_t	iv = c->rekey_timeout_ms, f = c->rekey_fast_ms;

	if (f != 0 && attempts >= 1 && attempts < 16) {
		if (attempts >= 2)
			f <<= attempts - 2;
		if (f < iv)
			return f + handshake_jitter(c) * f / iv;
	}
	return iv + handshake_jitter(c);
}

void
ev_any_sent(struct tunnel *t, uint64_t now)
{
	t->t_keepalive = NEVER;
	if (t->persistent_ms != 0)
		t->t_persistent = now + t->persistent_ms;
}

void
ev_any_received(struct tunnel *t, uint64_t now)
{
	t->t_new_handshake = NEVER;
	if (t->persistent_ms != 0)
		t->t_persistent = now + t->persistent_ms;
}

void
ev_data_sent(struct tunnel *t, uint64_t now)
{
	const struct tunnel_config *c = &t->local->cfg;

	if (t->t_new_handshake == NEVER)
		t->t_new_handshake = now + c->keepalive_ms +
		    c->rekey_timeout_ms + handshake_jitter(c);
}

void
ev_data_received(struct tunnel *t, uint64_t now)
{
	if (t->t_keepalive == NEVER)
		t->t_keepalive = now + t->local->cfg.keepalive_ms;
	else
		t->need_another_keepalive = 1;
}

void
ev_session_derived(struct tunnel *t, uint64_t now)
{
	t->t_zero = now + 3 * t->local->cfg.reject_after_ms;
}

void
ev_handshake_complete(struct tunnel *t, uint64_t now)
{
	t->t_retransmit = NEVER;
	t->hs_active = 0;
	t->attempts = 0;
	t->sent_lastminute = 0;
	t->last_handshake = now;
	t->handshakes++;
}

/* A new handshake attempt is wanted (not a retransmission): rate limited
 * to one per rekey_timeout, counting responses we sent. */
unsigned
want_handshake(struct tunnel *t, uint64_t now)
{
	if (t->have_handshake_sent &&
	    now - t->last_handshake_sent < t->local->cfg.rekey_timeout_ms)
		return 0;
	t->hs_active = 1;
	t->hs_started = now;
	t->attempts = 0;
	return TUNNEL_ACT_SEND_INITIATION;
}

unsigned
keep_fresh(struct tunnel *t, uint64_t now)
{
	const struct tunnel_config	*c = &t->local->cfg;
	const struct tunnel_keypair	*kp = t->cur;

	if (kp != NULL && (kp->send_counter >= c->rekey_after_messages ||
	    (kp->k.initiator && now - kp->birth >= c->rekey_after_ms)))
		return want_handshake(t, now);
	return 0;
}

/* ---- timers */

uint64_t
tunnel_next_deadline(const struct tunnel *t)
{
	uint64_t	n = t->t_retransmit;

	if (t->t_keepalive < n)
		n = t->t_keepalive;
	if (t->t_new_handshake < n)
		n = t->t_new_handshake;
	if (t->t_zero < n)
		n = t->t_zero;
	if (t->t_persistent < n)
		n = t->t_persistent;
	return n;
}

unsigned
tunnel_periodic(struct tunnel *t, uint64_t now, uint64_t *next)
{
	const struct tunnel_config	*c = &t->local->cfg;
	unsigned			 actions = 0;

	if (t->t_retransmit <= now) {
		t->t_retransmit = NEVER;
		if (now - t->hs_started >= c->rekey_attempt_ms) {
			/* give up; data from the glue starts a new attempt */
			handshake_clear(t);
			t->hs_active = 0;
			t->t_keepalive = NEVER;
			if (t->t_zero == NEVER)
				t->t_zero = now + 3 * c->reject_after_ms;
			actions |= TUNNEL_ACT_GIVE_UP;
		} else
			actions |= TUNNEL_ACT_SEND_INITIATION;	/* retry */
	}
	if (t->t_keepalive <= now) {
		t->t_keepalive = NEVER;
		if (keypair_usable(c, t->cur, now))
			actions |= TUNNEL_ACT_SEND_KEEPALIVE;
		else
			actions |= want_handshake(t, now);
		if (t->need_another_keepalive) {
			t->need_another_keepalive = 0;
			t->t_keepalive = now + c->keepalive_ms;
		}
	}
	if (t->t_new_handshake <= now) {
		/* we sent data and heard nothing back */
		t->t_new_handshake = NEVER;
		actions |= want_handshake(t, now);
	}
	if (t->t_persistent <= now) {
		t->t_persistent = NEVER;
		if (keypair_usable(c, t->cur, now))
			actions |= TUNNEL_ACT_SEND_KEEPALIVE;
		else
			actions |= want_handshake(t, now);
	}
	/* the keepalive about to be sent may be due for a rekey, as data
	 * would be (tunnel_keepalive cannot report it) */
	if (actions & TUNNEL_ACT_SEND_KEEPALIVE)
		actions |= keep_fresh(t, now);
	if (t->t_zero <= now) {
		/* nothing for 3 * reject_after: wipe every key */
		t->t_zero = NEVER;
		keypairs_clear(t);
		handshake_clear(t);
	}
	*next = tunnel_next_deadline(t);
	return actions;
}

