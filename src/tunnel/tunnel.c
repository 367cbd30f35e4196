/* Per-peer tunnel sessions and the transport (see tunnel.h). The state
 * machine follows WireGuard's timers (send.c, receive.c, timers.c of the
 * Linux module), rewritten for a single-threaded, clock-injected library:
 * every timer is an absolute deadline in the peer, tunnel_periodic fires
 * the due ones, and the data path only moves deadlines.
 *
 * Keypairs: a peer has up to three, as WireGuard:
 *	next	the responder's newest, not yet confirmed: it may not send
 *		with it until the initiator's first data packet on it arrives
 *	cur	the one we send with
 *	prev	the one before cur, still accepted on receive, so packets in
 *		flight during a rekey are not lost
 * They live in four slots (the fourth takes a new keypair before an old
 * one is dropped). Each keypair's local index is in the local index table,
 * as is the index of the handshake in flight. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/cookie.h"
#include "tunnel/noise.h"
#include "tunnel/replay.h"
#include "tunnel/tunnel.h"
#include "tunnel/wire.h"

#define NEVER		UINT64_MAX
#define NSLOTS		4
/* live indices per peer: three keypairs and a handshake */
#define PEER_INDICES	4

struct tunnel_keypair {
	/* first, for their 16-byte alignment */
	crypto_aead_aes256gcm_state	aes_send;
	crypto_aead_aes256gcm_state	aes_recv;
	struct noise_keypair		k;
	struct replay			replay;
	struct tunnel			*peer;
	uint64_t			birth;		/* ms */
	uint64_t			send_counter;	/* next to use */
	int				in_use;
};

struct index_entry {
	uint32_t		 index;
	int			 used;
	struct tunnel		*peer;
	struct tunnel_keypair	*kp;	/* NULL: the peer's handshake */
};

struct tunnel_local {
	struct tunnel_config	 cfg;
	struct noise_local	 noise;
	struct cookie_checker	 cookie;
	uint8_t			 ciphers;	/* allowed and available */
	struct tunnel		**peers;
	size_t			 npeers, max_peers;
	struct index_entry	*index;
	size_t			 index_mask;	/* table size - 1 */
	size_t			 index_used;
	uint64_t		 drops[TUNNEL_ERR_COUNT];
	tunnel_admit_fn		*admit;
	void			*admit_arg;
};

struct tunnel {
	struct tunnel_keypair	 slots[NSLOTS];
	struct tunnel_keypair	*prev, *cur, *next;
	struct tunnel_local	*local;
	void			*user;
	struct noise_remote	 remote;
	struct cookie_maker	 cookie;

	uint32_t		 hs_index;	/* of our initiation in flight */
	int			 hs_index_live;
	int			 hs_active;	/* an attempt is running */
	uint64_t		 hs_started;	/* ms, start of the attempt */
	uint32_t		 attempts;
	uint64_t		 last_handshake_sent;
	int			 have_handshake_sent;
	int			 sent_lastminute;
	int			 need_another_keepalive;
	uint64_t		 persistent_ms;

	/* timers: absolute deadlines in ms, NEVER when off */
	uint64_t		 t_retransmit;
	uint64_t		 t_keepalive;
	uint64_t		 t_new_handshake;
	uint64_t		 t_zero;
	uint64_t		 t_persistent;

	uint64_t		 rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t		 last_handshake, handshakes;
};

#define TUNNEL_OF_REMOTE(r) \
	((struct tunnel *)(void *)((char *)(r) - offsetof(struct tunnel, remote)))

/* ---- index table: open addressing, linear probing, backward-shift
 * deletion; sized for a load factor of at most 1/2. */

static size_t
index_home(const struct tunnel_local *l, uint32_t idx)
{
	return (size_t)(idx * 2654435761u) & l->index_mask;
}

static struct index_entry *
index_find(const struct tunnel_local *l, uint32_t idx)
{
	size_t			 i = index_home(l, idx);
	struct index_entry	*e;

	for (;;) {
		e = &l->index[i];
		if (!e->used)
			return NULL;
		if (e->index == idx)
			return e;
		i = (i + 1) & l->index_mask;
	}
}

/* A fresh random index for peer t (kp as given); 0 on success. */
static int
index_insert(struct tunnel_local *l, struct tunnel *t,
    struct tunnel_keypair *kp, uint32_t *out)
{
	uint32_t	idx;
	size_t		i;

	if (l->index_used >= (l->index_mask + 1) / 2)
		return -1;	/* cannot happen: sized for every peer */
	do
		idx = randombytes_random();
	while (index_find(l, idx) != NULL);
	for (i = index_home(l, idx); l->index[i].used;
	    i = (i + 1) & l->index_mask)
		;
	l->index[i].index = idx;
	l->index[i].used = 1;
	l->index[i].peer = t;
	l->index[i].kp = kp;
	l->index_used++;
	*out = idx;
	return 0;
}

static void
index_remove(struct tunnel_local *l, uint32_t idx)
{
	struct index_entry	*e;
	size_t			 i, j, k;

	if ((e = index_find(l, idx)) == NULL)
		return;
	i = (size_t)(e - l->index);
	l->index[i].used = 0;
	l->index_used--;
	/* Pull later entries of the cluster back over the hole unless they
	 * already sit between their home and the hole. */
	for (j = (i + 1) & l->index_mask; l->index[j].used;
	    j = (j + 1) & l->index_mask) {
		k = index_home(l, l->index[j].index);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		l->index[i] = l->index[j];
		l->index[j].used = 0;
		i = j;
	}
}

/* ---- keypairs */

static void
keypair_drop(struct tunnel *t, struct tunnel_keypair *kp)
{
	if (kp == NULL || !kp->in_use)
		return;
	index_remove(t->local, kp->k.local_index);
	sodium_memzero(kp, sizeof(*kp));
}

static struct tunnel_keypair *
keypair_new(struct tunnel *t, const struct noise_keypair *nk, uint64_t now)
{
	struct tunnel_keypair	*kp = NULL;
	size_t			 i;

	for (i = 0; i < NSLOTS; i++) {
		if (!t->slots[i].in_use) {
			kp = &t->slots[i];
			break;
		}
	}
	if (kp == NULL)
		return NULL;	/* cannot happen: at most 3 in use */
	memset(kp, 0, sizeof(*kp));
	kp->k = *nk;
	if (nk->cipher == WIRE_CIPHER_AES256GCM) {
		crypto_aead_aes256gcm_beforenm(&kp->aes_send, nk->send_key);
		crypto_aead_aes256gcm_beforenm(&kp->aes_recv, nk->recv_key);
	}
	replay_init(&kp->replay);
	kp->peer = t;
	kp->birth = now;
	kp->in_use = 1;
	return kp;
}

/* Put a new keypair in its place (WireGuard's add_new_keypair). */
static void
keypair_install(struct tunnel *t, struct tunnel_keypair *kp)
{
	struct tunnel_keypair	*old_prev = t->prev, *old_cur = t->cur;

	if (kp->k.initiator) {
		if (t->next != NULL) {
			/* the unconfirmed one was never used to send; it
			 * becomes prev, cur goes */
			t->prev = t->next;
			t->next = NULL;
			keypair_drop(t, old_cur);
		} else
			t->prev = old_cur;
		keypair_drop(t, old_prev);
		t->cur = kp;
	} else {
		keypair_drop(t, t->next);
		t->next = kp;
		keypair_drop(t, old_prev);
		t->prev = NULL;
	}
}

/* The keys of a completed handshake become a keypair named by index entry e
 * (the index the handshake used) and take their place among the peer's.
 * nk is wiped. NULL if no slot was free (cannot happen). */
static struct tunnel_keypair *
keypair_add(struct tunnel *t, struct index_entry *e,
    struct noise_keypair *nk, uint64_t now)
{
	struct tunnel_keypair	*kp;

	kp = keypair_new(t, nk, now);
	noise_keypair_wipe(nk);
	if (kp == NULL)
		return NULL;
	/* before keypair_install: dropping the old keypairs may move e
	 * within the index table, and it must move with its keypair */
	e->kp = kp;
	keypair_install(t, kp);
	return kp;
}

static void
keypairs_clear(struct tunnel *t)
{
	keypair_drop(t, t->prev);
	keypair_drop(t, t->cur);
	keypair_drop(t, t->next);
	t->prev = t->cur = t->next = NULL;
}

static void
handshake_clear(struct tunnel *t)
{
	if (t->hs_index_live)
		index_remove(t->local, t->hs_index);
	t->hs_index_live = 0;
	noise_remote_clear_handshake(&t->remote);
}

static int
keypair_usable(const struct tunnel_config *c, const struct tunnel_keypair *kp,
    uint64_t now)
{
	return kp != NULL && now - kp->birth < c->reject_after_ms &&
	    kp->send_counter < c->reject_after_messages;
}

/* ---- timer events (WireGuard's wg_timers_*) */

static uint64_t
jitter(const struct tunnel_config *c)
{
	if (c->rekey_jitter_ms == 0)
		return 0;
	return randombytes_uniform((uint32_t)c->rekey_jitter_ms + 1);
}

static void
ev_any_sent(struct tunnel *t, uint64_t now)
{
	t->t_keepalive = NEVER;
	if (t->persistent_ms != 0)
		t->t_persistent = now + t->persistent_ms;
}

static void
ev_any_received(struct tunnel *t, uint64_t now)
{
	t->t_new_handshake = NEVER;
	if (t->persistent_ms != 0)
		t->t_persistent = now + t->persistent_ms;
}

static void
ev_data_sent(struct tunnel *t, uint64_t now)
{
	const struct tunnel_config *c = &t->local->cfg;

	if (t->t_new_handshake == NEVER)
		t->t_new_handshake = now + c->keepalive_ms +
		    c->rekey_timeout_ms + jitter(c);
}

static void
ev_data_received(struct tunnel *t, uint64_t now)
{
	if (t->t_keepalive == NEVER)
		t->t_keepalive = now + t->local->cfg.keepalive_ms;
	else
		t->need_another_keepalive = 1;
}

static void
ev_session_derived(struct tunnel *t, uint64_t now)
{
	t->t_zero = now + 3 * t->local->cfg.reject_after_ms;
}

static void
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
static unsigned
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

/* ---- transport */

static void
make_nonce(uint8_t n[12], uint64_t counter)
{
	memset(n, 0, 4);
	wire_put64(n + 4, counter);
}

/* Sending on cur: rekey if either side is past the message limit or we
 * initiated it and it is past the age limit. */
static unsigned
keep_fresh(struct tunnel *t, uint64_t now)
{
	const struct tunnel_config	*c = &t->local->cfg;
	const struct tunnel_keypair	*kp = t->cur;

	if (kp != NULL && (kp->send_counter >= c->rekey_after_messages ||
	    (kp->k.initiator && now - kp->birth >= c->rekey_after_ms)))
		return want_handshake(t, now);
	return 0;
}

static size_t
padded_len(size_t len, size_t mtu)
{
	size_t	p;

	if (mtu == 0 || len >= mtu)
		return len;
	p = (len + WIRE_PAD_MULTIPLE - 1) / WIRE_PAD_MULTIPLE *
	    WIRE_PAD_MULTIPLE;
	return p < mtu ? p : mtu;
}

static enum tunnel_err
encrypt_packet(struct tunnel *t, uint8_t *buf, size_t cap, size_t len,
    uint64_t now, size_t *outlen, unsigned *actions)
{
	const struct tunnel_config	*c = &t->local->cfg;
	struct tunnel_keypair		*kp = t->cur;
	uint8_t				 nonce[12];
	uint8_t				*pt = buf + WIRE_DATA_HEADER_LEN;
	size_t				 plen;
	uint64_t			 counter;

	*outlen = 0;
	if (len > WIRE_DATA_MAX_PAYLOAD)
		return TUNNEL_ERR_TOO_BIG;
	if (!keypair_usable(c, kp, now)) {
		*actions |= want_handshake(t, now);
		return TUNNEL_ERR_NO_SESSION;
	}
	plen = padded_len(len, c->mtu);
	if (cap < WIRE_DATA_OVERHEAD || cap - WIRE_DATA_OVERHEAD < plen)
		return TUNNEL_ERR_NOSPACE;
	memset(pt + len, 0, plen - len);

	counter = kp->send_counter++;
	buf[0] = WIRE_DATA;
	buf[1] = buf[2] = buf[3] = 0;
	wire_put32(buf + 4, kp->k.remote_index);
	wire_put64(buf + 8, counter);
	make_nonce(nonce, counter);
	if (kp->k.cipher == WIRE_CIPHER_AES256GCM)
		crypto_aead_aes256gcm_encrypt_detached_afternm(pt, pt + plen,
		    NULL, pt, plen, NULL, 0, NULL, nonce, &kp->aes_send);
	else
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(pt,
		    pt + plen, NULL, pt, plen, NULL, 0, NULL, nonce,
		    kp->k.send_key);
	*outlen = WIRE_DATA_OVERHEAD + plen;

	t->tx_packets++;
	t->tx_bytes += plen;	/* as the receiver counts them: padded */
	ev_any_sent(t, now);
	if (len > 0)
		ev_data_sent(t, now);
	*actions |= keep_fresh(t, now);
	return TUNNEL_OK;
}

enum tunnel_err
tunnel_encrypt(struct tunnel *t, uint8_t *buf, size_t cap, size_t len,
    uint64_t now, size_t *outlen, unsigned *actions)
{
	return encrypt_packet(t, buf, cap, len, now, outlen, actions);
}

enum tunnel_err
tunnel_keepalive(struct tunnel *t, uint8_t *buf, size_t cap, uint64_t now,
    size_t *outlen)
{
	unsigned	actions = 0;

	/* A keepalive reports no actions: tunnel_periodic asks for the rekey
	 * along with the keepalive (see there). */
	return encrypt_packet(t, buf, cap, 0, now, outlen, &actions);
}

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
	t->t_retransmit = now + c->rekey_timeout_ms + jitter(c);
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

static enum tunnel_err
rx_data(struct tunnel_local *l, uint8_t *buf, const struct wire_msg *m,
    uint64_t now, struct tunnel_rx *rx)
{
	const struct tunnel_config	*c = &l->cfg;
	struct index_entry		*e;
	struct tunnel_keypair		*kp;
	struct tunnel			*t;
	uint8_t				 nonce[12];
	uint8_t				*ct = buf + WIRE_DATA_HEADER_LEN;
	size_t				 n = m->payload_len;
	int				 rc;

	if ((e = index_find(l, m->receiver)) == NULL || e->kp == NULL)
		return TUNNEL_ERR_UNKNOWN_INDEX;
	kp = e->kp;
	t = kp->peer;
	if (now - kp->birth >= c->reject_after_ms)
		return TUNNEL_ERR_EXPIRED;
	if (!replay_check(&kp->replay, m->counter, c->reject_after_messages))
		return TUNNEL_ERR_REPLAY;
	make_nonce(nonce, m->counter);
	if (kp->k.cipher == WIRE_CIPHER_AES256GCM)
		rc = crypto_aead_aes256gcm_decrypt_detached_afternm(ct, NULL,
		    ct, n, ct + n, NULL, 0, nonce, &kp->aes_recv);
	else
		rc = crypto_aead_chacha20poly1305_ietf_decrypt_detached(ct,
		    NULL, ct, n, ct + n, NULL, 0, nonce, kp->k.recv_key);
	if (rc != 0)
		return TUNNEL_ERR_DECRYPT;
	if (!replay_update(&kp->replay, m->counter, c->reject_after_messages))
		return TUNNEL_ERR_REPLAY;

	rx->peer = t;
	rx->authentic = 1;
	rx->data = ct;
	rx->data_len = n;
	rx->cipher = kp->k.cipher;
	if (kp == t->next) {
		/* the initiator's first packet with the new keys: confirmed,
		 * we may send with them now */
		keypair_drop(t, t->prev);
		t->prev = t->cur;
		t->cur = t->next;
		t->next = NULL;
		ev_handshake_complete(t, now);
		rx->actions |= TUNNEL_ACT_SESSION_READY;
	}
	t->rx_packets++;
	t->rx_bytes += n;
	ev_any_received(t, now);
	if (n > 0)
		ev_data_received(t, now);
	/* An initiator that only receives must still rekey before the
	 * session dies under the responder's feet. */
	if (t->cur != NULL && t->cur->k.initiator && !t->sent_lastminute &&
	    now - t->cur->birth >= c->reject_after_ms - c->keepalive_ms -
	    c->rekey_timeout_ms) {
		t->sent_lastminute = 1;
		rx->actions |= want_handshake(t, now);
	}
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
