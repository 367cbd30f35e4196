/* Per-peer tunnel sessions and the transport (see tunnel.h). The state
 * machine follows WireGuard's timers (send.c, receive.c, timers.c of the
 * Linux module), rewritten for a single-threaded, clock-injected library:
 * every timer is an absolute deadline in the peer, tunnel_periodic fires
 * the due ones, and the data path only moves deadlines.
 *
 * This file: configuration, the local side and its peers, the handshake
 * and the receive dispatch. The index table and keypairs are in
 * tunnel-index.c, the timers in tunnel-timers.c, the transport in
 * tunnel-data.c (tunnel-int.h is what they share). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/tunnel-int.h"

/* ---- configuration, local, peers */

void
tunnel_config_default(struct tunnel_config *c)
{
	memset(c, 0, sizeof(*c));
	c->rekey_after_ms = TUNNEL_REKEY_AFTER_MS;
	c->reject_after_ms = TUNNEL_REJECT_AFTER_MS;
	c->rekey_after_messages = TUNNEL_REKEY_AFTER_MESSAGES;
	c->reject_after_messages = TUNNEL_REJECT_AFTER_MESSAGES;
	c->rekey_timeout_ms = TUNNEL_REKEY_TIMEOUT_MS;
	c->rekey_fast_ms = TUNNEL_REKEY_FAST_MS;
	c->rekey_jitter_ms = TUNNEL_REKEY_JITTER_MS;
	c->rekey_attempt_ms = TUNNEL_REKEY_ATTEMPT_MS;
	c->keepalive_ms = TUNNEL_KEEPALIVE_MS;
	c->mtu = WIRE_DEFAULT_MTU;
	c->ciphers = WIRE_CIPHER_ALL;
}

static int
config_ok(const struct tunnel_config *c)
{
	return c->rekey_after_ms > 0 && c->rekey_timeout_ms > 0 &&
	    c->keepalive_ms > 0 &&
	    c->reject_after_ms > c->rekey_after_ms &&
	    c->reject_after_ms > c->keepalive_ms + c->rekey_timeout_ms &&
	    c->reject_after_ms < NEVER / 4 &&
	    c->rekey_attempt_ms >= c->rekey_timeout_ms &&
	    c->rekey_jitter_ms <= UINT32_MAX - 1 &&
	    c->rekey_after_messages > 0 &&
	    c->rekey_after_messages < c->reject_after_messages &&
	    c->reject_after_messages <= TUNNEL_REJECT_AFTER_MESSAGES &&
	    c->mtu <= WIRE_DATA_MAX_PAYLOAD;
}

struct tunnel_local *
tunnel_local_new(const uint8_t priv[TUNNEL_KEY_LEN],
    const struct tunnel_config *c, size_t max_peers)
{
	struct tunnel_local	*l;
	size_t			 cap = 16;

	if (sodium_init() < 0 || max_peers == 0 ||
	    max_peers > SIZE_MAX / (8 * PEER_INDICES * sizeof(struct index_entry)))
		return NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if (c != NULL)
		l->cfg = *c;
	else
		tunnel_config_default(&l->cfg);
	while (cap < 2 * PEER_INDICES * max_peers)
		cap *= 2;
	l->max_peers = max_peers;
	l->peers = calloc(max_peers, sizeof(*l->peers));
	l->index = calloc(cap, sizeof(*l->index));
	l->index_mask = cap - 1;
	if (!config_ok(&l->cfg) || l->peers == NULL || l->index == NULL ||
	    noise_local_init(&l->noise, priv) != 0) {
		free(l->peers);
		free(l->index);
		sodium_memzero(l, sizeof(*l));
		free(l);
		return NULL;
	}
	l->ciphers = WIRE_CIPHER_CHACHA20POLY1305;
	if ((l->cfg.ciphers & WIRE_CIPHER_AES256GCM) &&
	    crypto_aead_aes256gcm_is_available())
		l->ciphers |= WIRE_CIPHER_AES256GCM;
	cookie_checker_init(&l->cookie, l->noise.pub);
	return l;
}

void
tunnel_local_free(struct tunnel_local *l)
{
	if (l == NULL)
		return;
	while (l->npeers > 0)
		tunnel_free(l->peers[l->npeers - 1]);
	free(l->peers);
	free(l->index);
	noise_local_wipe(&l->noise);
	cookie_checker_wipe(&l->cookie);
	sodium_memzero(l, sizeof(*l));
	free(l);
}

const uint8_t *
tunnel_local_pub(const struct tunnel_local *l)
{
	return l->noise.pub;
}

const struct tunnel_config *
tunnel_local_config(const struct tunnel_local *l)
{
	return &l->cfg;
}

uint64_t
tunnel_local_drops(const struct tunnel_local *l, enum tunnel_err e)
{
	if ((unsigned)e >= TUNNEL_ERR_COUNT)
		return 0;
	return l->drops[e];
}

void
tunnel_local_set_admit(struct tunnel_local *l, tunnel_admit_fn *fn, void *arg)
{
	l->admit = fn;
	l->admit_arg = arg;
}

struct tunnel *
tunnel_find(const struct tunnel_local *l, const uint8_t pub[TUNNEL_KEY_LEN])
{
	size_t	i;

	/* Linear: peers are few (a netconfig's members) and a lookup only
	 * happens after an initiation's Diffie-Hellman, which costs more. */
	for (i = 0; i < l->npeers; i++)
		if (memcmp(l->peers[i]->remote.pub, pub, TUNNEL_KEY_LEN) == 0)
			return l->peers[i];
	return NULL;
}

static struct noise_remote *
lookup_remote(void *arg, const uint8_t pub[NOISE_PUBLIC_LEN])
{
	struct tunnel	*t = tunnel_find(arg, pub);

	return t != NULL ? &t->remote : NULL;
}

struct tunnel *
tunnel_new(struct tunnel_local *l, const uint8_t pub[TUNNEL_KEY_LEN],
    void *user)
{
	struct tunnel	*t;
	size_t		 sz;

	if (l->npeers >= l->max_peers || tunnel_find(l, pub) != NULL ||
	    memcmp(pub, l->noise.pub, TUNNEL_KEY_LEN) == 0)
		return NULL;
	/* the AES-GCM states inside want 16-byte alignment */
	sz = (sizeof(*t) + _Alignof(struct tunnel) - 1) /
	    _Alignof(struct tunnel) * _Alignof(struct tunnel);
	if ((t = aligned_alloc(_Alignof(struct tunnel), sz)) == NULL)
		return NULL;
	memset(t, 0, sizeof(*t));
	if (noise_remote_init(&t->remote, &l->noise, pub) != 0) {
		free(t);
		return NULL;
	}
	cookie_maker_init(&t->cookie, pub);
	t->local = l;
	t->user = user;
	t->t_retransmit = t->t_keepalive = t->t_new_handshake = NEVER;
	t->t_zero = t->t_persistent = NEVER;
	l->peers[l->npeers++] = t;
	return t;
}

void
tunnel_free(struct tunnel *t)
{
	struct tunnel_local	*l;
	size_t			 i;

	if (t == NULL)
		return;
	l = t->local;
	tunnel_clear(t);
	for (i = 0; i < l->npeers; i++) {
		if (l->peers[i] == t) {
			l->peers[i] = l->peers[--l->npeers];
			l->peers[l->npeers] = NULL;
			break;
		}
	}
	noise_remote_wipe(&t->remote);
	cookie_maker_wipe(&t->cookie);
	sodium_memzero(t, sizeof(*t));
	free(t);
}

void *
tunnel_user(const struct tunnel *t)
{
	return t->user;
}

const uint8_t *
tunnel_pub(const struct tunnel *t)
{
	return t->remote.pub;
}

void
tunnel_set_persistent_keepalive(struct tunnel *t, uint64_t ms)
{
	t->persistent_ms = ms;
	/* due at once: the next tunnel_periodic sends the first one */
	t->t_persistent = ms != 0 ? 0 : NEVER;
}

void
tunnel_clear(struct tunnel *t)
{
	keypairs_clear(t);
	handshake_clear(t);
	t->hs_active = 0;
	t->attempts = 0;
	t->need_another_keepalive = 0;
	t->t_retransmit = t->t_keepalive = t->t_new_handshake = NEVER;
	t->t_zero = NEVER;
}

void
tunnel_get_stats(const struct tunnel *t, struct tunnel_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->rx_packets = t->rx_packets;
	st->rx_bytes = t->rx_bytes;
	st->tx_packets = t->tx_packets;
	st->tx_bytes = t->tx_bytes;
	st->last_handshake = t->last_handshake;
	st->handshakes = t->handshakes;
	st->attempts = t->attempts;
	/* without a clock here, "can send" ignores expiry by age */
	st->has_session = t->cur != NULL &&
	    t->cur->send_counter < t->local->cfg.reject_after_messages;
	st->cipher = t->cur != NULL ? t->cur->k.cipher : 0;
}

/* ---- handshake */

enum tunnel_err
tunnel_initiation(struct tunnel *t, uint64_t now, uint64_t unix_ns,
    uint8_t out[WIRE_INITIATION_LEN])
{
	struct tunnel_local	*l = t->local;
	const struct tunnel_config *c = &l->cfg;
	uint32_t		 idx;

	handshake_clear(t);
	if (index_insert(l, t, NULL, &idx) != 0)
		return TUNNEL_ERR_NOSPACE;
	if (noise_create_initiation(&l->noise, &t->remote,
	    (struct wire_initiation *)(void *)out, idx, unix_ns,
	    l->ciphers) != NOISE_OK) {
		index_remove(l, idx);
		return TUNNEL_ERR_HANDSHAKE;
	}
	t->hs_index = idx;
	t->hs_index_live = 1;
	cookie_maker_macs(&t->cookie, out, WIRE_INITIATION_LEN, now);
	t->last_handshake_sent = now;
	t->have_handshake_sent = 1;
	if (!t->hs_active) {
		t->hs_active = 1;
		t->hs_started = now;
		t->attempts = 0;
	}
	t->attempts++;
	t->t_retransmit = now + retransmit_after(c, t->attempts);
	ev_any_sent(t, now);
	return TUNNEL_OK;
}

/* ---- receive */

static enum tunnel_err
check_macs(struct tunnel_local *l, const uint8_t *buf, size_t len,
    uint32_t sender, const void *src, size_t srclen, int under_load,
    uint64_t now, struct tunnel_rx *rx)
{
	switch (cookie_checker_validate(&l->cookie, buf, len, src, srclen,
	    under_load, now)) {
	case COOKIE_OK:
		if (under_load && l->admit != NULL &&
		    !l->admit(l->admit_arg, src, srclen, now))
			return TUNNEL_ERR_RATELIMITED;
		return TUNNEL_OK;
	case COOKIE_NEED_COOKIE:
		cookie_checker_reply(&l->cookie,
		    (struct wire_cookie_reply *)(void *)rx->reply, buf, len,
		    sender, src, srclen, now);
		rx->reply_len = WIRE_COOKIE_REPLY_LEN;
		return TUNNEL_ERR_COOKIE_REQUIRED;
	case COOKIE_BAD_MAC1:
		break;
	}
	return TUNNEL_ERR_MAC1;
}

static enum tunnel_err
noise_to_tunnel_err(enum noise_err e)
{
	switch (e) {
	case NOISE_OK:
		return TUNNEL_OK;
	case NOISE_ERR_UNKNOWN_PEER:
		return TUNNEL_ERR_UNKNOWN_PEER;
	case NOISE_ERR_REPLAY:
		return TUNNEL_ERR_REPLAYED_INITIATION;
	case NOISE_ERR_FLOOD:
		return TUNNEL_ERR_FLOOD;
	case NOISE_ERR_STATE:
		return TUNNEL_ERR_UNEXPECTED;
	case NOISE_ERR_DECRYPT:
	case NOISE_ERR_LOW_ORDER:
	case NOISE_ERR_PAYLOAD:
		break;
	}
	return TUNNEL_ERR_HANDSHAKE;
}

static enum tunnel_err
rx_initiation(struct tunnel_local *l, const struct wire_msg *m, uint64_t now,
    struct tunnel_rx *rx)
{
	struct noise_remote	*r;
	struct noise_keypair	 nk;
	struct tunnel		*t;
	enum noise_err		 nerr;
	uint32_t		 idx;
	uint8_t			 cipher;

	nerr = noise_consume_initiation(&l->noise, m->u.init, lookup_remote, l,
	    now, &r);
	if (nerr != NOISE_OK)
		return noise_to_tunnel_err(nerr);
	t = TUNNEL_OF_REMOTE(r);
	rx->peer = t;
	rx->authentic = 1;
	/* Our own initiation in flight, if any, was just replaced by theirs
	 * (both sides started at once); its index goes. */
	if (t->hs_index_live) {
		index_remove(l, t->hs_index);
		t->hs_index_live = 0;
	}
	cipher = (l->ciphers & r->hs.offer & WIRE_CIPHER_AES256GCM) ?
	    WIRE_CIPHER_AES256GCM : WIRE_CIPHER_CHACHA20POLY1305;
	if (index_insert(l, t, NULL, &idx) != 0) {
		noise_remote_clear_handshake(r);
		return TUNNEL_ERR_NOSPACE;
	}
	nerr = noise_create_response(r, (struct wire_response *)(void *)rx->reply,
	    idx, cipher, &nk);
	if (nerr != NOISE_OK ||
	    keypair_add(t, index_find(l, idx), &nk, now) == NULL) {
		noise_keypair_wipe(&nk);
		index_remove(l, idx);
		return TUNNEL_ERR_HANDSHAKE;
	}
	cookie_maker_macs(&t->cookie, rx->reply, WIRE_RESPONSE_LEN, now);
	rx->reply_len = WIRE_RESPONSE_LEN;

	t->last_handshake_sent = now;
	t->have_handshake_sent = 1;
	ev_any_received(t, now);
	ev_any_sent(t, now);
	ev_session_derived(t, now);
	return TUNNEL_OK;
}

static enum tunnel_err
rx_response(struct tunnel_local *l, const struct wire_msg *m, uint64_t now,
    struct tunnel_rx *rx)
{
	struct index_entry	*e;
	struct noise_keypair	 nk;
	struct tunnel		*t;
	enum noise_err		 nerr;

	if ((e = index_find(l, m->receiver)) == NULL)
		return TUNNEL_ERR_UNKNOWN_INDEX;
	t = e->peer;
	if (e->kp != NULL || !t->hs_index_live || t->hs_index != m->receiver)
		return TUNNEL_ERR_UNEXPECTED;
	nerr = noise_consume_response(&l->noise, &t->remote, m->u.resp, &nk);
	if (nerr != NOISE_OK)
		return noise_to_tunnel_err(nerr);
	/* the handshake's index now names the keypair */
	if (keypair_add(t, e, &nk, now) == NULL)
		return TUNNEL_ERR_HANDSHAKE;
	t->hs_index_live = 0;

	rx->peer = t;
	rx->authentic = 1;
	rx->actions |= TUNNEL_ACT_SESSION_READY | TUNNEL_ACT_SEND_KEEPALIVE;
	ev_handshake_complete(t, now);
	ev_session_derived(t, now);
	ev_any_received(t, now);
	return TUNNEL_OK;
}

static enum tunnel_err
rx_cookie(struct tunnel_local *l, const struct wire_msg *m, uint64_t now,
    struct tunnel_rx *rx)
{
	struct index_entry	*e;

	if ((e = index_find(l, m->receiver)) == NULL)
		return TUNNEL_ERR_UNKNOWN_INDEX;
	if (cookie_maker_consume(&e->peer->cookie, m->u.cookie, now) != 0)
		return TUNNEL_ERR_UNEXPECTED;
	/* not authentic: the next retransmission carries mac2 */
	rx->peer = e->peer;
	return TUNNEL_OK;
}

enum tunnel_err
tunnel_receive(struct tunnel_local *l, uint8_t *buf, size_t len,
    const void *src, size_t srclen, int under_load, uint64_t now,
    struct tunnel_rx *rx)
{
	struct wire_msg	m;
	enum tunnel_err	err;

	rx->type = 0;
	rx->peer = NULL;
	rx->authentic = 0;
	rx->actions = 0;
	rx->data = NULL;
	rx->data_len = 0;
	rx->cipher = 0;
	rx->reply_len = 0;
	if (wire_decode(buf, len, &m) != WIRE_OK) {
		err = TUNNEL_ERR_MALFORMED;
		goto out;
	}
	rx->type = m.type;
	switch (m.type) {
	case WIRE_INITIATION:
		err = check_macs(l, buf, len, m.sender, src, srclen,
		    under_load, now, rx);
		if (err == TUNNEL_OK)
			err = rx_initiation(l, &m, now, rx);
		break;
	case WIRE_RESPONSE:
		err = check_macs(l, buf, len, m.sender, src, srclen,
		    under_load, now, rx);
		if (err == TUNNEL_OK)
			err = rx_response(l, &m, now, rx);
		break;
	case WIRE_COOKIE_REPLY:
		err = rx_cookie(l, &m, now, rx);
		break;
	case WIRE_DATA:
		err = rx_data(l, buf, &m, now, rx);
		break;
	default:
		err = TUNNEL_ERR_MALFORMED;
		break;
	}
out:
	if (err != TUNNEL_OK) {
		l->drops[err]++;
		if (err != TUNNEL_ERR_COOKIE_REQUIRED)
			rx->reply_len = 0;
		rx->data = NULL;
		rx->data_len = 0;
	}
	return err;
}

const char *
tunnel_strerror(enum tunnel_err e)
{
	switch (e) {
	case TUNNEL_OK:
		return "ok";
	case TUNNEL_ERR_MALFORMED:
		return "malformed tunnel message";
	case TUNNEL_ERR_MAC1:
		return "bad mac1";
	case TUNNEL_ERR_COOKIE_REQUIRED:
		return "under load: cookie required";
	case TUNNEL_ERR_HANDSHAKE:
		return "handshake message does not authenticate";
	case TUNNEL_ERR_UNKNOWN_PEER:
		return "handshake from an unknown key";
	case TUNNEL_ERR_REPLAYED_INITIATION:
		return "replayed initiation (old timestamp)";
	case TUNNEL_ERR_FLOOD:
		return "initiations too frequent";
	case TUNNEL_ERR_UNKNOWN_INDEX:
		return "unknown receiver index";
	case TUNNEL_ERR_UNEXPECTED:
		return "unexpected message";
	case TUNNEL_ERR_EXPIRED:
		return "session expired";
	case TUNNEL_ERR_DECRYPT:
		return "data does not authenticate";
	case TUNNEL_ERR_REPLAY:
		return "replayed or too old data counter";
	case TUNNEL_ERR_NO_SESSION:
		return "no session";
	case TUNNEL_ERR_NOSPACE:
		return "buffer too small";
	case TUNNEL_ERR_TOO_BIG:
		return "packet too big";
	case TUNNEL_ERR_RATELIMITED:
		return "under load: source over its handshake rate";
	case TUNNEL_ERR_COUNT:
		break;
	}
	return "unknown error";
}
