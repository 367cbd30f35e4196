/* The DHT's cryptography (libsodium). */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "dhtcrypto.h"

int
dhtcrypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/*
 * Node IDs are BLAKE2b-256("mesh-dht-id" || len(ns) || ns || key), not the
 * proof-of-work hash BLAKE2b(ns || key): that hash has `workbit` leading zero
 * bits by construction (and more for keys that exceed the workbit), so IDs
 * taken from it would crowd into a thin slice of the ID space and skew the
 * buckets. The raw key is no better: an X25519 public key is a field element
 * below 2^255 (its top bit is always clear). A separate, labelled hash is
 * uniform and also gives each namespace its own ID space.
 */
void
dhtcrypto_node_id(uint8_t id[DHT_ID_LEN], const char *ns, size_t nslen,
    const uint8_t key[DHT_KEY_LEN])
{
	static const char		label[] = "mesh-dht-id";
	crypto_generichash_state	st;
	uint8_t				l = (uint8_t)nslen;

	crypto_generichash_init(&st, NULL, 0, DHT_ID_LEN);
	crypto_generichash_update(&st, (const uint8_t *)label,
	    sizeof(label) - 1);
	crypto_generichash_update(&st, &l, 1);
	crypto_generichash_update(&st, (const uint8_t *)ns, nslen);
	crypto_generichash_update(&st, key, DHT_KEY_LEN);
	crypto_generichash_final(&st, id, DHT_ID_LEN);
}

void
dhtcrypto_public(uint8_t pk[DHT_KEY_LEN], const uint8_t sk[DHT_KEY_LEN])
{
	crypto_scalarmult_base(pk, sk);
}

int
dhtcrypto_x25519(uint8_t out[32], const uint8_t sk[DHT_KEY_LEN],
    const uint8_t pk[DHT_KEY_LEN])
{
	/* libsodium refuses an all-zero result (a low-order point) */
	return crypto_scalarmult(out, sk, pk) == 0 ? 0 : -1;
}

void
dhtcrypto_pair_key(uint8_t out[DHTCRYPTO_PAIR_LEN], const uint8_t shared[32],
    const char *ns, size_t nslen, const uint8_t a[DHT_KEY_LEN],
    const uint8_t b[DHT_KEY_LEN])
{
	static const char		label[] = "mesh-dht-v1 pair";
	crypto_generichash_state	st;
	uint8_t				l = (uint8_t)nslen;
	const uint8_t			*lo = a, *hi = b;

	if (memcmp(a, b, DHT_KEY_LEN) > 0) {
		lo = b;
		hi = a;
	}
	crypto_generichash_init(&st, shared, 32, DHTCRYPTO_PAIR_LEN);
	crypto_generichash_update(&st, (const uint8_t *)label,
	    sizeof(label) - 1);
	crypto_generichash_update(&st, &l, 1);
	crypto_generichash_update(&st, (const uint8_t *)ns, nslen);
	crypto_generichash_update(&st, lo, DHT_KEY_LEN);
	crypto_generichash_update(&st, hi, DHT_KEY_LEN);
	crypto_generichash_final(&st, out, DHTCRYPTO_PAIR_LEN);
	sodium_memzero(&st, sizeof(st));
}

void
dhtcrypto_seal(uint8_t *out, const uint8_t *body, size_t body_len,
    const uint8_t *ad, size_t ad_len, const uint8_t nonce[DHTMSG_NONCE_LEN],
    const uint8_t key[DHTCRYPTO_PAIR_LEN])
{
	unsigned long long	clen;

	crypto_aead_xchacha20poly1305_ietf_encrypt(out, &clen, body, body_len,
	    ad, ad_len, NULL, nonce, key);
}

long
dhtcrypto_open(uint8_t *out, const uint8_t *sealed, size_t sealed_len,
    const uint8_t *ad, size_t ad_len, const uint8_t nonce[DHTMSG_NONCE_LEN],
    const uint8_t key[DHTCRYPTO_PAIR_LEN])
{
	unsigned long long	mlen;

	if (sealed_len < DHTMSG_TAG_LEN)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL,
	    sealed, sealed_len, ad, ad_len, nonce, key) != 0)
		return -1;
	return (long)mlen;
}

void
dhtcrypto_token(uint8_t out[DHTMSG_TOKEN_LEN],
    const uint8_t secret[DHTCRYPTO_SECRET_LEN], const struct dht_addr *a,
    const uint8_t key[DHT_KEY_LEN])
{
	crypto_generichash_state	st;
	uint8_t				buf[1 + 16 + 2], mac[16];

	buf[0] = a->family;
	memcpy(buf + 1, a->addr, 16);
	buf[17] = (uint8_t)(a->port >> 8);
	buf[18] = (uint8_t)a->port;
	/* BLAKE2b's shortest output is 16 bytes; keep the first 8 */
	crypto_generichash_init(&st, secret, DHTCRYPTO_SECRET_LEN,
	    sizeof(mac));
	crypto_generichash_update(&st, buf, sizeof(buf));
	crypto_generichash_update(&st, key, DHT_KEY_LEN);
	crypto_generichash_final(&st, mac, sizeof(mac));
	memcpy(out, mac, DHTMSG_TOKEN_LEN);
}

int
dhtcrypto_memcmp(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len);
}

void
dhtcrypto_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

void
dhtcrypto_hash(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen)
{
	crypto_generichash(out, outlen, in, inlen, NULL, 0);
}
