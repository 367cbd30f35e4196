/* mac1/mac2 and cookie replies (see cookie.h).
 *
 * MAC is keyed BLAKE2b (crypto_generichash with a key) truncated to 16
 * bytes, not HMAC: BLAKE2's keyed mode is a PRF by design (it has no
 * length-extension weakness, which is what HMAC guards against), and
 * WireGuard uses keyed BLAKE2s the same way for these MACs. Noise's own
 * HKDF, in noise.c, does use HMAC-BLAKE2b as the Noise spec requires. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "tunnel/cookie.h"

#define LABEL_MAC1	"mesh mac1"
#define LABEL_COOKIE	"mesh cookie"

/* key = BLAKE2b-256(label || pub) */
static void
derive_key(uint8_t key[WIRE_KEY_LEN], const char *label,
    const uint8_t pub[WIRE_KEY_LEN])
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, WIRE_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
	crypto_generichash_update(&st, pub, WIRE_KEY_LEN);
	crypto_generichash_final(&st, key, WIRE_KEY_LEN);
}

static void
mac(uint8_t out[WIRE_MAC_LEN], const uint8_t *key, size_t keylen,
    const void *data, size_t len)
{
	crypto_generichash(out, WIRE_MAC_LEN, data, len, key, keylen);
}

static void
checker_rotate(struct cookie_checker *cc, uint64_t now)
{
	if (cc->have_secret && now - cc->secret_birth < COOKIE_SECRET_LIFETIME_MS)
		return;
	/* The old secret stays acceptable for one more lifetime, unless it
	 * is already older than that. */
	if (cc->have_secret &&
	    now - cc->secret_birth < 2 * COOKIE_SECRET_LIFETIME_MS) {
		memcpy(cc->prev_secret, cc->secret, sizeof(cc->prev_secret));
		cc->have_prev = 1;
	} else {
		sodium_memzero(cc->prev_secret, sizeof(cc->prev_secret));
		cc->have_prev = 0;
	}
	randombytes_buf(cc->secret, sizeof(cc->secret));
	cc->secret_birth = now;
	cc->have_secret = 1;
}

void
cookie_checker_init(struct cookie_checker *cc,
    const uint8_t local_pub[WIRE_KEY_LEN])
{
	memset(cc, 0, sizeof(*cc));
	derive_key(cc->mac1_key, LABEL_MAC1, local_pub);
	derive_key(cc->cookie_key, LABEL_COOKIE, local_pub);
}

/* mac2 valid for a cookie made from secret? */
static int
mac2_ok(const uint8_t secret[WIRE_KEY_LEN], const uint8_t *msg, size_t len,
    const void *src, size_t srclen)
{
	uint8_t	cookie[WIRE_COOKIE_LEN], want[WIRE_MAC_LEN];
	int	ok;

	mac(cookie, secret, WIRE_KEY_LEN, src, srclen);
	mac(want, cookie, sizeof(cookie), msg, len - WIRE_MAC_LEN);
	ok = sodium_memcmp(want, msg + len - WIRE_MAC_LEN, WIRE_MAC_LEN) == 0;
	sodium_memzero(cookie, sizeof(cookie));
	return ok;
}

enum cookie_result
cookie_checker_validate(struct cookie_checker *cc, const uint8_t *msg,
    size_t len, const void *src, size_t srclen, int under_load, uint64_t now)
{
	uint8_t	want[WIRE_MAC_LEN];

	if (len < 2 * WIRE_MAC_LEN)
		return COOKIE_BAD_MAC1;
	mac(want, cc->mac1_key, sizeof(cc->mac1_key), msg,
	    len - 2 * WIRE_MAC_LEN);
	if (sodium_memcmp(want, msg + len - 2 * WIRE_MAC_LEN,
	    WIRE_MAC_LEN) != 0)
		return COOKIE_BAD_MAC1;
	if (!under_load)
		return COOKIE_OK;
	checker_rotate(cc, now);
	if (mac2_ok(cc->secret, msg, len, src, srclen))
		return COOKIE_OK;
	if (cc->have_prev && mac2_ok(cc->prev_secret, msg, len, src, srclen))
		return COOKIE_OK;
	return COOKIE_NEED_COOKIE;
}

void
cookie_checker_reply(struct cookie_checker *cc, struct wire_cookie_reply *out,
    const uint8_t *msg, size_t len, uint32_t sender_index, const void *src,
    size_t srclen, uint64_t now)
{
	uint8_t	cookie[WIRE_COOKIE_LEN];

	checker_rotate(cc, now);
	memset(out, 0, sizeof(*out));
	out->type = WIRE_COOKIE_REPLY;
	wire_put32(out->receiver, sender_index);
	randombytes_buf(out->nonce, sizeof(out->nonce));
	mac(cookie, cc->secret, sizeof(cc->secret), src, srclen);
	/* associated data: the mac1 of the message we answer */
	crypto_aead_xchacha20poly1305_ietf_encrypt(out->enc_cookie, NULL,
	    cookie, sizeof(cookie), msg + len - 2 * WIRE_MAC_LEN, WIRE_MAC_LEN,
	    NULL, out->nonce, cc->cookie_key);
	sodium_memzero(cookie, sizeof(cookie));
}

void
cookie_checker_wipe(struct cookie_checker *cc)
{
	sodium_memzero(cc, sizeof(*cc));
}

void
cookie_maker_init(struct cookie_maker *cm,
    const uint8_t remote_pub[WIRE_KEY_LEN])
{
	memset(cm, 0, sizeof(*cm));
	derive_key(cm->mac1_key, LABEL_MAC1, remote_pub);
	derive_key(cm->cookie_key, LABEL_COOKIE, remote_pub);
}

void
cookie_maker_macs(struct cookie_maker *cm, uint8_t *msg, size_t len,
    uint64_t now)
{
	uint8_t	*mac1 = msg + len - 2 * WIRE_MAC_LEN;
	uint8_t	*mac2 = msg + len - WIRE_MAC_LEN;

	mac(mac1, cm->mac1_key, sizeof(cm->mac1_key), msg,
	    len - 2 * WIRE_MAC_LEN);
	memcpy(cm->last_mac1, mac1, WIRE_MAC_LEN);
	cm->have_last_mac1 = 1;
	if (cm->have_cookie && now - cm->cookie_birth <
	    COOKIE_SECRET_LIFETIME_MS - COOKIE_LATENCY_MS)
		mac(mac2, cm->cookie, sizeof(cm->cookie), msg,
		    len - WIRE_MAC_LEN);
	else
		memset(mac2, 0, WIRE_MAC_LEN);
}

int
cookie_maker_consume(struct cookie_maker *cm,
    const struct wire_cookie_reply *in, uint64_t now)
{
	uint8_t	cookie[WIRE_COOKIE_LEN];

	if (!cm->have_last_mac1)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL,
	    in->enc_cookie, sizeof(in->enc_cookie), cm->last_mac1,
	    WIRE_MAC_LEN, in->nonce, cm->cookie_key) != 0)
		return -1;
	memcpy(cm->cookie, cookie, sizeof(cm->cookie));
	cm->cookie_birth = now;
	cm->have_cookie = 1;
	/* one cookie reply per message we sent */
	cm->have_last_mac1 = 0;
	sodium_memzero(cookie, sizeof(cookie));
	return 0;
}

void
cookie_maker_wipe(struct cookie_maker *cm)
{
	sodium_memzero(cm, sizeof(*cm));
}
