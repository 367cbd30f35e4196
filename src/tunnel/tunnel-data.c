/* The tunnel transport: data messages (type 0x04) encrypted and decrypted
 * in place (see tunnel.h).
 *
 * Each direction is two steps, as in WireGuard's kernel module, so that a
 * threaded data path can do the expensive one on many cores:
 *	send	tunnel_tx_reserve	serial: session check, next counter,
 *					timers and statistics
 *		tunnel_tx_seal		parallel: header, padding, AEAD
 *	receive	tunnel_rx_open		parallel: index lookup, age, AEAD
 *		tunnel_rx_commit	serial: replay window, key
 *					confirmation, timers and statistics
 * tunnel_encrypt and the data branch of tunnel_receive run both steps back
 * to back. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/tunnel-int.h"

static void
make_nonce(uint8_t n[12], uint64_t counter)
{
	memset(n, 0, 4);
	wire_put64(n + 4, counter);
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

/* Is the keypair a slot names still the one it was taken from? (It is
 * wiped when dropped, and its slot may hold a newer one since.) */
static int
slot_live(const struct tunnel_keypair *kp, uint32_t local_index)
{
	return kp != NULL && kp->in_use && kp->k.local_index == local_index;
}

/* ---- send */

/* The padding bound: the configured MTU, or the path's when smaller
 * (tunnel_set_pad_mtu). */
static size_t
pad_bound(const struct tunnel *t)
{
	size_t	mtu = t->local->cfg.mtu;

	if (mtu != 0 && t->pad_mtu != 0 && t->pad_mtu < mtu)
		mtu = t->pad_mtu;
	return mtu;
}

void
tunnel_set_pad_mtu(struct tunnel *t, size_t mtu)
{
	t->pad_mtu = mtu;
}

/* ctl: a control message (wire.h): exactly len bytes, no padding, and not
 * data for the timers (as a keepalive); no handshake is asked for. */
static enum tunnel_err
reserve(struct tunnel *t, size_t cap, size_t len, int ctl, uint64_t now,
    struct tunnel_txslot *s, unsigned *actions)
{
	const struct tunnel_config	*c = &t->local->cfg;
	struct tunnel_keypair		*kp = t->cur;
	size_t				 plen;

	memset(s, 0, sizeof(*s));
	if (len > WIRE_DATA_MAX_PAYLOAD)
		return TUNNEL_ERR_TOO_BIG;
	if (!keypair_usable(c, kp, now)) {
		if (!ctl)
			*actions |= want_handshake(t, now);
		return TUNNEL_ERR_NO_SESSION;
	}
	plen = ctl ? len : padded_len(len, pad_bound(t));
	if (cap < WIRE_DATA_OVERHEAD || cap - WIRE_DATA_OVERHEAD < plen)
		return TUNNEL_ERR_NOSPACE;

	s->kp = kp;
	s->local_index = kp->k.local_index;
	s->counter = kp->send_counter++;
	s->len = len;
	s->plen = plen;

	t->tx_packets++;
	t->tx_bytes += plen;	/* as the receiver counts them: padded */
	ev_any_sent(t, now);
	if (len > 0 && !ctl)
		ev_data_sent(t, now);
	*actions |= keep_fresh(t, now);
	return TUNNEL_OK;
}

enum tunnel_err
tunnel_tx_reserve(struct tunnel *t, size_t cap, size_t len, uint64_t now,
    struct tunnel_txslot *s, unsigned *actions)
{
	return reserve(t, cap, len, 0, now, s, actions);
}

enum tunnel_err
tunnel_tx_seal(const struct tunnel_txslot *s, uint8_t *buf, size_t *outlen)
{
	const struct tunnel_keypair	*kp = s->kp;
	uint8_t				 nonce[12];
	uint8_t				*pt = buf + WIRE_DATA_HEADER_LEN;

	*outlen = 0;
	if (!slot_live(kp, s->local_index))
		return TUNNEL_ERR_EXPIRED;	/* dropped since reserved */
	memset(pt + s->len, 0, s->plen - s->len);
	buf[0] = WIRE_DATA;
	buf[1] = buf[2] = buf[3] = 0;
	wire_put32(buf + 4, kp->k.remote_index);
	wire_put64(buf + 8, s->counter);
	make_nonce(nonce, s->counter);
	if (kp->k.cipher == WIRE_CIPHER_AES256GCM)
		crypto_aead_aes256gcm_encrypt_detached_afternm(pt,
		    pt + s->plen, NULL, pt, s->plen, NULL, 0, NULL, nonce,
		    &kp->aes_send);
	else
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(pt,
		    pt + s->plen, NULL, pt, s->plen, NULL, 0, NULL, nonce,
		    kp->k.send_key);
	*outlen = WIRE_DATA_OVERHEAD + s->plen;
	return TUNNEL_OK;
}

enum tunnel_err
tunnel_encrypt(struct tunnel *t, uint8_t *buf, size_t cap, size_t len,
    uint64_t now, size_t *outlen, unsigned *actions)
{
	struct tunnel_txslot	s;
	enum tunnel_err		e;

	*outlen = 0;
	if ((e = tunnel_tx_reserve(t, cap, len, now, &s, actions)) !=
	    TUNNEL_OK)
		return e;
	return tunnel_tx_seal(&s, buf, outlen);
}

enum tunnel_err
tunnel_keepalive(struct tunnel *t, uint8_t *buf, size_t cap, uint64_t now,
    size_t *outlen)
{
	unsigned	actions = 0;

	/* A keepalive reports no actions: tunnel_periodic asks for the rekey
	 * along with the keepalive (see there). */
	return tunnel_encrypt(t, buf, cap, 0, now, outlen, &actions);
}

enum tunnel_err
tunnel_control(struct tunnel *t, uint8_t *buf, size_t cap, size_t len,
    uint64_t now, size_t *outlen)
{
	struct tunnel_txslot	s;
	enum tunnel_err		e;
	unsigned		actions = 0;

	*outlen = 0;
	if (len < 1 || wire_ctl_type(buf + TUNNEL_HEADROOM, len) == 0)
		return TUNNEL_ERR_MALFORMED;
	/* like a keepalive: no actions (periodic asks for any rekey) */
	if ((e = reserve(t, cap, len, 1, now, &s, &actions)) != TUNNEL_OK)
		return e;
	return tunnel_tx_seal(&s, buf, outlen);
}

/* ---- receive */

enum tunnel_err
rx_open(struct tunnel_local *l, uint8_t *buf, const struct wire_msg *m,
    uint64_t now, struct tunnel_rxslot *s)
{
	const struct tunnel_config	*c = &l->cfg;
	struct index_entry		*e;
	struct tunnel_keypair		*kp;
	uint8_t				 nonce[12];
	uint8_t				*ct = buf + WIRE_DATA_HEADER_LEN;
	size_t				 n = m->payload_len;
	int				 rc;

	memset(s, 0, sizeof(*s));
	if ((e = index_find(l, m->receiver)) == NULL || e->kp == NULL)
		return TUNNEL_ERR_UNKNOWN_INDEX;
	kp = e->kp;
	if (now - kp->birth >= c->reject_after_ms)
		return TUNNEL_ERR_EXPIRED;
	/* Only a filter, so that replays cost no AEAD: the window may move
	 * before tunnel_rx_commit, which decides. */
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
	s->kp = kp;
	s->local_index = kp->k.local_index;
	s->counter = m->counter;
	s->data = ct;
	s->data_len = n;
	return TUNNEL_OK;
}

enum tunnel_err
tunnel_rx_open(struct tunnel_local *l, uint8_t *buf, size_t len,
    uint64_t now, struct tunnel_rxslot *s)
{
	struct wire_msg	m;

	memset(s, 0, sizeof(*s));
	if (wire_decode(buf, len, &m) != WIRE_OK || m.type != WIRE_DATA)
		return TUNNEL_ERR_MALFORMED;
	return rx_open(l, buf, &m, now, s);
}

enum tunnel_err
tunnel_rx_commit(struct tunnel_local *l, const struct tunnel_rxslot *s,
    uint64_t now, struct tunnel_rx *rx)
{
	const struct tunnel_config	*c = &l->cfg;
	struct tunnel_keypair		*kp = s->kp;
	struct tunnel			*t;
	size_t				 n = s->data_len;

	if (!slot_live(kp, s->local_index))
		return TUNNEL_ERR_UNKNOWN_INDEX;	/* dropped since */
	if (!replay_update(&kp->replay, s->counter, c->reject_after_messages))
		return TUNNEL_ERR_REPLAY;
	t = kp->peer;

	rx->peer = t;
	rx->authentic = 1;
	rx->data = s->data;
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
	/* (a control message counts as data here: the tunnel does not look
	 * into plaintext; the ack a probe gets, or a keepalive, answers it) */
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
rx_data(struct tunnel_local *l, uint8_t *buf, const struct wire_msg *m,
    uint64_t now, struct tunnel_rx *rx)
{
	struct tunnel_rxslot	s;
	enum tunnel_err		e;

	if ((e = rx_open(l, buf, m, now, &s)) != TUNNEL_OK)
		return e;
	return tunnel_rx_commit(l, &s, now, rx);
}
