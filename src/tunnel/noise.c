/* Noise_IK_25519_ChaChaPoly_BLAKE2b, WireGuard-shaped (see noise.h).
 *
 * Symmetric state as in the Noise specification (rev. 34):
 *	HASH	BLAKE2b-512, HASHLEN 64, BLOCKLEN 128
 *	HMAC	HMAC-BLAKE2b (RFC 2104 with a 128-byte block), HKDF on top
 *	DH	X25519 (an all-zero result is refused)
 *	AEAD	ChaCha20-Poly1305 (IETF), nonce = 4 zero bytes || 64-bit LE n
 * Every MixKey installs a fresh key that encrypts exactly once, so every
 * handshake AEAD uses n = 0. There is no pre-shared key (plain IK, so no
 * MixKey of e.pub as WireGuard's IKpsk2 does). The transport keys are the
 * first 32 bytes of each Split output.
 *
 * Each function works on local copies of the state and wipes them, the
 * ephemeral secret and every Diffie-Hellman result on its one exit path. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "tunnel/noise.h"

#define NOISE_PROTOCOL	"Noise_IK_25519_ChaChaPoly_BLAKE2b"
#define NOISE_PROLOGUE	"mesh v1 tunnel"
#define HMAC_BLOCK	128

_Static_assert(sizeof(NOISE_PROTOCOL) - 1 <= NOISE_HASH_LEN,
    "protocol name is padded, not hashed");

/* The symmetric state while a message is processed. */
struct noise_sym {
	uint8_t	h[NOISE_HASH_LEN];
	uint8_t	ck[NOISE_HASH_LEN];
	uint8_t	k[NOISE_SYMKEY_LEN];
};

static void
hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t *key, size_t keylen,
    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	crypto_generichash_state	st;
	uint8_t				pad[HMAC_BLOCK], inner[NOISE_HASH_LEN];
	size_t				i;

	/* keys here are at most HASHLEN, never longer than a block */
	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, keylen);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	crypto_generichash_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_update(&st, pad, sizeof(pad));
	if (alen > 0)
		crypto_generichash_update(&st, a, alen);
	if (blen > 0)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, inner, sizeof(inner));

	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	crypto_generichash_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_update(&st, pad, sizeof(pad));
	crypto_generichash_update(&st, inner, sizeof(inner));
	crypto_generichash_final(&st, out, NOISE_HASH_LEN);

	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
	sodium_memzero(&st, sizeof(st));
}

/* HKDF with two outputs (Noise's HKDF(ck, ikm, 2)). */
static void
hkdf2(uint8_t o1[NOISE_HASH_LEN], uint8_t o2[NOISE_HASH_LEN],
    const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm, size_t ikmlen)
{
	uint8_t	prk[NOISE_HASH_LEN], t1[NOISE_HASH_LEN];
	uint8_t	one = 1, two = 2;

	hmac(prk, ck, NOISE_HASH_LEN, ikm, ikmlen, NULL, 0);
	hmac(t1, prk, sizeof(prk), &one, 1, NULL, 0);
	hmac(o2, prk, sizeof(prk), t1, sizeof(t1), &two, 1);
	memcpy(o1, t1, NOISE_HASH_LEN);
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t1, sizeof(t1));
}

static void
mix_hash(struct noise_sym *s, const uint8_t *data, size_t len)
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_update(&st, s->h, sizeof(s->h));
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, s->h, sizeof(s->h));
}

static void
mix_key(struct noise_sym *s, const uint8_t dh[NOISE_PUBLIC_LEN])
{
	uint8_t	k[NOISE_HASH_LEN];

	hkdf2(s->ck, k, s->ck, dh, NOISE_PUBLIC_LEN);
	memcpy(s->k, k, sizeof(s->k));
	sodium_memzero(k, sizeof(k));
}

/* Mix DH(priv, pub) into the key; -1 if the result is all zero. */
static int
mix_dh(struct noise_sym *s, const uint8_t priv[NOISE_SECRET_LEN],
    const uint8_t pub[NOISE_PUBLIC_LEN])
{
	uint8_t	dh[NOISE_PUBLIC_LEN];
	int	rc = 0;

	if (crypto_scalarmult(dh, priv, pub) != 0)
		rc = -1;
	else
		mix_key(s, dh);
	sodium_memzero(dh, sizeof(dh));
	return rc;
}

/* EncryptAndHash with n = 0: out gets len + 16 bytes. */
static void
encrypt_and_hash(struct noise_sym *s, uint8_t *out, const uint8_t *in,
    size_t len)
{
	static const uint8_t	nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len,
	    s->h, sizeof(s->h), NULL, nonce, s->k);
	mix_hash(s, out, len + WIRE_TAG_LEN);
}

/* DecryptAndHash with n = 0: in has len + 16 bytes; 0 or -1. */
static int
decrypt_and_hash(struct noise_sym *s, uint8_t *out, const uint8_t *in,
    size_t len)
{
	static const uint8_t	nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in,
	    len + WIRE_TAG_LEN, s->h, sizeof(s->h), nonce, s->k) != 0)
		return -1;
	mix_hash(s, in, len + WIRE_TAG_LEN);
	return 0;
}

/* h = protocol name padded, ck = h, MixHash(prologue), MixHash(rs). */
static void
sym_init(struct noise_sym *s, const uint8_t responder_pub[NOISE_PUBLIC_LEN])
{
	memset(s, 0, sizeof(*s));
	memcpy(s->h, NOISE_PROTOCOL, sizeof(NOISE_PROTOCOL) - 1);
	memcpy(s->ck, s->h, sizeof(s->ck));
	mix_hash(s, (const uint8_t *)NOISE_PROLOGUE,
	    sizeof(NOISE_PROLOGUE) - 1);
	/* <- s (pre-message) */
	mix_hash(s, responder_pub, NOISE_PUBLIC_LEN);
}

static void
split(struct noise_keypair *kp, const uint8_t ck[NOISE_HASH_LEN],
    int initiator)
{
	uint8_t	k1[NOISE_HASH_LEN], k2[NOISE_HASH_LEN];

	hkdf2(k1, k2, ck, NULL, 0);
	memcpy(initiator ? kp->send_key : kp->recv_key, k1, NOISE_SYMKEY_LEN);
	memcpy(initiator ? kp->recv_key : kp->send_key, k2, NOISE_SYMKEY_LEN);
	kp->initiator = initiator;
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
}

/* A single cipher bit, one we offered (ChaCha20-Poly1305 is always). */
static int
cipher_ok(uint8_t cipher, uint8_t offer)
{
	if (cipher == 0 || (cipher & (cipher - 1)) != 0)
		return 0;
	return (cipher & (offer | WIRE_CIPHER_CHACHA20POLY1305) &
	    WIRE_CIPHER_ALL) != 0;
}

int
noise_local_init(struct noise_local *l, const uint8_t priv[NOISE_SECRET_LEN])
{
	memcpy(l->priv, priv, NOISE_SECRET_LEN);
	if (crypto_scalarmult_base(l->pub, l->priv) != 0) {
		noise_local_wipe(l);
		return -1;
	}
	return 0;
}

void
noise_local_wipe(struct noise_local *l)
{
	sodium_memzero(l, sizeof(*l));
}

int
noise_remote_init(struct noise_remote *r, const struct noise_local *l,
    const uint8_t pub[NOISE_PUBLIC_LEN])
{
	memset(r, 0, sizeof(*r));
	memcpy(r->pub, pub, NOISE_PUBLIC_LEN);
	if (crypto_scalarmult(r->ss, l->priv, pub) != 0) {
		noise_remote_wipe(r);
		return -1;
	}
	return 0;
}

void
noise_remote_clear_handshake(struct noise_remote *r)
{
	sodium_memzero(&r->hs, sizeof(r->hs));
	r->hs.state = NOISE_STATE_ZEROED;
}

void
noise_remote_wipe(struct noise_remote *r)
{
	sodium_memzero(r, sizeof(*r));
}

void
noise_tai64n(uint8_t out[WIRE_TIMESTAMP_LEN], uint64_t unix_ns)
{
	uint64_t	secs = (1ULL << 62) + unix_ns / 1000000000ULL;
	uint32_t	nsec = (uint32_t)(unix_ns % 1000000000ULL);
	int		i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(secs >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}

/* ts = the big-endian number ts + 1 (used when the clock stepped back). */
static void
timestamp_bump(uint8_t ts[WIRE_TIMESTAMP_LEN])
{
	int	i;

	for (i = WIRE_TIMESTAMP_LEN - 1; i >= 0; i--)
		if (++ts[i] != 0)
			break;
}

enum noise_err
noise_create_initiation(const struct noise_local *l, struct noise_remote *r,
    struct wire_initiation *out, uint32_t local_index, uint64_t unix_ns,
    uint8_t offer)
{
	struct noise_sym	s;
	uint8_t			e_priv[NOISE_SECRET_LEN];
	uint8_t			payload[WIRE_INIT_PAYLOAD_LEN];
	enum noise_err		err = NOISE_OK;

	memset(out, 0, sizeof(*out));
	noise_remote_clear_handshake(r);
	sym_init(&s, r->pub);
	out->type = WIRE_INITIATION;
	wire_put32(out->sender, local_index);

	/* e */
	randombytes_buf(e_priv, sizeof(e_priv));
	crypto_scalarmult_base(out->ephemeral, e_priv);
	mix_hash(&s, out->ephemeral, sizeof(out->ephemeral));

	/* es */
	if (mix_dh(&s, e_priv, r->pub) != 0) {
		err = NOISE_ERR_LOW_ORDER;
		goto out;
	}

	/* s */
	encrypt_and_hash(&s, out->enc_static, l->pub, NOISE_PUBLIC_LEN);

	/* ss */
	mix_key(&s, r->ss);

	/* payload: timestamp, strictly newer than the last one we sent */
	noise_tai64n(payload, unix_ns);
	if (memcmp(payload, r->sent_timestamp, WIRE_TIMESTAMP_LEN) <= 0) {
		memcpy(payload, r->sent_timestamp, WIRE_TIMESTAMP_LEN);
		timestamp_bump(payload);
	}
	memcpy(r->sent_timestamp, payload, WIRE_TIMESTAMP_LEN);
	offer = (offer | WIRE_CIPHER_CHACHA20POLY1305) & WIRE_CIPHER_ALL;
	payload[WIRE_TIMESTAMP_LEN] = offer;
	payload[WIRE_TIMESTAMP_LEN + 1] = 0;
	payload[WIRE_TIMESTAMP_LEN + 2] = 0;
	payload[WIRE_TIMESTAMP_LEN + 3] = 0;
	encrypt_and_hash(&s, out->enc_payload, payload, sizeof(payload));

	r->hs.state = NOISE_STATE_CREATED_INITIATION;
	r->hs.local_index = local_index;
	r->hs.offer = offer;
	memcpy(r->hs.e_priv, e_priv, sizeof(e_priv));
	memcpy(r->hs.hash, s.h, sizeof(s.h));
	memcpy(r->hs.ck, s.ck, sizeof(s.ck));
out:
	if (err != NOISE_OK)
		memset(out, 0, sizeof(*out));
	sodium_memzero(&s, sizeof(s));
	sodium_memzero(e_priv, sizeof(e_priv));
	sodium_memzero(payload, sizeof(payload));
	return err;
}

enum noise_err
noise_consume_initiation(const struct noise_local *l,
    const struct wire_initiation *in,
    struct noise_remote *(*lookup)(void *, const uint8_t[NOISE_PUBLIC_LEN]),
    void *arg, uint64_t now, struct noise_remote **rp)
{
	struct noise_sym	 s;
	struct noise_remote	*r = NULL;
	uint8_t			 spub[NOISE_PUBLIC_LEN];
	uint8_t			 payload[WIRE_INIT_PAYLOAD_LEN];
	enum noise_err		 err = NOISE_OK;

	*rp = NULL;
	sym_init(&s, l->pub);

	/* e */
	mix_hash(&s, in->ephemeral, sizeof(in->ephemeral));

	/* es */
	if (mix_dh(&s, l->priv, in->ephemeral) != 0) {
		err = NOISE_ERR_LOW_ORDER;
		goto out;
	}

	/* s */
	if (decrypt_and_hash(&s, spub, in->enc_static, sizeof(spub)) != 0) {
		err = NOISE_ERR_DECRYPT;
		goto out;
	}
	if ((r = lookup(arg, spub)) == NULL) {
		err = NOISE_ERR_UNKNOWN_PEER;
		goto out;
	}

	/* ss */
	mix_key(&s, r->ss);

	/* payload */
	if (decrypt_and_hash(&s, payload, in->enc_payload,
	    sizeof(payload)) != 0) {
		err = NOISE_ERR_DECRYPT;
		goto out;
	}
	if ((payload[WIRE_TIMESTAMP_LEN] & WIRE_CIPHER_CHACHA20POLY1305) == 0 ||
	    payload[WIRE_TIMESTAMP_LEN + 1] != 0 ||
	    payload[WIRE_TIMESTAMP_LEN + 2] != 0 ||
	    payload[WIRE_TIMESTAMP_LEN + 3] != 0) {
		err = NOISE_ERR_PAYLOAD;
		goto out;
	}
	/* Authenticated. Only a newer timestamp, not too soon after the
	 * last accepted initiation, may replace the handshake state. */
	if (memcmp(payload, r->last_timestamp, WIRE_TIMESTAMP_LEN) <= 0) {
		err = NOISE_ERR_REPLAY;
		goto out;
	}
	if (r->have_initiation && now - r->last_initiation <
	    NOISE_INITIATION_MIN_MS) {
		err = NOISE_ERR_FLOOD;
		goto out;
	}

	noise_remote_clear_handshake(r);
	r->hs.state = NOISE_STATE_CONSUMED_INITIATION;
	r->hs.remote_index = wire_get32(in->sender);
	r->hs.offer = payload[WIRE_TIMESTAMP_LEN] & WIRE_CIPHER_ALL;
	memcpy(r->hs.e_remote, in->ephemeral, NOISE_PUBLIC_LEN);
	memcpy(r->hs.hash, s.h, sizeof(s.h));
	memcpy(r->hs.ck, s.ck, sizeof(s.ck));
	memcpy(r->last_timestamp, payload, WIRE_TIMESTAMP_LEN);
	r->last_initiation = now;
	r->have_initiation = 1;
	*rp = r;
out:
	sodium_memzero(&s, sizeof(s));
	sodium_memzero(payload, sizeof(payload));
	sodium_memzero(spub, sizeof(spub));
	return err;
}

enum noise_err
noise_create_response(struct noise_remote *r, struct wire_response *out,
    uint32_t local_index, uint8_t cipher, struct noise_keypair *kp)
{
	struct noise_sym	s;
	uint8_t			e_priv[NOISE_SECRET_LEN];
	uint8_t			payload[WIRE_RESP_PAYLOAD_LEN];
	enum noise_err		err = NOISE_OK;

	memset(out, 0, sizeof(*out));
	memset(kp, 0, sizeof(*kp));
	memset(&s, 0, sizeof(s));
	memset(e_priv, 0, sizeof(e_priv));
	memset(payload, 0, sizeof(payload));
	if (r->hs.state != NOISE_STATE_CONSUMED_INITIATION) {
		err = NOISE_ERR_STATE;
		goto out;
	}
	if (!cipher_ok(cipher, r->hs.offer)) {
		err = NOISE_ERR_PAYLOAD;
		goto out;
	}
	memcpy(s.h, r->hs.hash, sizeof(s.h));
	memcpy(s.ck, r->hs.ck, sizeof(s.ck));
	out->type = WIRE_RESPONSE;
	wire_put32(out->sender, local_index);
	wire_put32(out->receiver, r->hs.remote_index);

	/* e */
	randombytes_buf(e_priv, sizeof(e_priv));
	crypto_scalarmult_base(out->ephemeral, e_priv);
	mix_hash(&s, out->ephemeral, sizeof(out->ephemeral));

	/* ee */
	if (mix_dh(&s, e_priv, r->hs.e_remote) != 0) {
		err = NOISE_ERR_LOW_ORDER;
		goto out;
	}

	/* se */
	if (mix_dh(&s, e_priv, r->pub) != 0) {
		err = NOISE_ERR_LOW_ORDER;
		goto out;
	}

	/* payload: the chosen cipher */
	payload[0] = cipher;
	encrypt_and_hash(&s, out->enc_payload, payload, sizeof(payload));

	split(kp, s.ck, 0);
	kp->local_index = local_index;
	kp->remote_index = r->hs.remote_index;
	kp->cipher = cipher;
out:
	if (err != NOISE_OK) {
		memset(out, 0, sizeof(*out));
		noise_keypair_wipe(kp);
	}
	/* Whatever happened, this initiation has been answered or refused. */
	if (err != NOISE_ERR_STATE)
		noise_remote_clear_handshake(r);
	sodium_memzero(&s, sizeof(s));
	sodium_memzero(e_priv, sizeof(e_priv));
	sodium_memzero(payload, sizeof(payload));
	return err;
}

enum noise_err
noise_consume_response(const struct noise_local *l, struct noise_remote *r,
    const struct wire_response *in, struct noise_keypair *kp)
{
	struct noise_sym	s;
	uint8_t			payload[WIRE_RESP_PAYLOAD_LEN];
	enum noise_err		err = NOISE_OK;

	memset(kp, 0, sizeof(*kp));
	memset(&s, 0, sizeof(s));
	memset(payload, 0, sizeof(payload));
	if (r->hs.state != NOISE_STATE_CREATED_INITIATION ||
	    wire_get32(in->receiver) != r->hs.local_index) {
		err = NOISE_ERR_STATE;
		goto out;
	}
	memcpy(s.h, r->hs.hash, sizeof(s.h));
	memcpy(s.ck, r->hs.ck, sizeof(s.ck));

	/* e */
	mix_hash(&s, in->ephemeral, sizeof(in->ephemeral));

	/* ee */
	if (mix_dh(&s, r->hs.e_priv, in->ephemeral) != 0) {
		err = NOISE_ERR_LOW_ORDER;
		goto out;
	}

	/* se */
	if (mix_dh(&s, l->priv, in->ephemeral) != 0) {
		err = NOISE_ERR_LOW_ORDER;
		goto out;
	}

	/* payload */
	if (decrypt_and_hash(&s, payload, in->enc_payload,
	    sizeof(payload)) != 0) {
		err = NOISE_ERR_DECRYPT;
		goto out;
	}
	if (!cipher_ok(payload[0], r->hs.offer) || payload[1] != 0 ||
	    payload[2] != 0 || payload[3] != 0) {
		err = NOISE_ERR_PAYLOAD;
		goto out;
	}

	split(kp, s.ck, 1);
	kp->local_index = r->hs.local_index;
	kp->remote_index = wire_get32(in->sender);
	kp->cipher = payload[0];
	noise_remote_clear_handshake(r);
out:
	if (err != NOISE_OK)
		noise_keypair_wipe(kp);
	sodium_memzero(&s, sizeof(s));
	sodium_memzero(payload, sizeof(payload));
	return err;
}

void
noise_keypair_wipe(struct noise_keypair *kp)
{
	sodium_memzero(kp, sizeof(*kp));
}

const char *
noise_strerror(enum noise_err e)
{
	switch (e) {
	case NOISE_OK:
		return "ok";
	case NOISE_ERR_DECRYPT:
		return "handshake message does not authenticate";
	case NOISE_ERR_UNKNOWN_PEER:
		return "initiator is not a known peer";
	case NOISE_ERR_LOW_ORDER:
		return "Diffie-Hellman result is zero (low-order point)";
	case NOISE_ERR_REPLAY:
		return "initiation timestamp is not newer than the last one";
	case NOISE_ERR_FLOOD:
		return "initiations arrive too fast";
	case NOISE_ERR_STATE:
		return "handshake message not expected now";
	case NOISE_ERR_PAYLOAD:
		return "bad handshake payload";
	}
	return "unknown error";
}
