/* The DHT's cryptography, in the one dht/ file (besides pow.c) that talks
 * to libsodium: node IDs, pair keys, sealing bodies, address tokens. */
#ifndef DHT_DHTCRYPTO_H
#define DHT_DHTCRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "dht.h"
#include "dhtmsg.h"

#define DHTCRYPTO_PAIR_LEN	32
#define DHTCRYPTO_SECRET_LEN	16	/* token secret */

/* Initialise libsodium (idempotent, thread-safe); 0 or -1. Without it
 * libsodium runs its portable code instead of the CPU's fast paths. */
int	dhtcrypto_init(void);

/* The node ID of key in namespace ns (see dhtcrypto.c for why a hash). */
void	dhtcrypto_node_id(uint8_t id[DHT_ID_LEN], const char *ns, size_t nslen,
	    const uint8_t key[DHT_KEY_LEN]);

/* Our public key. */
void	dhtcrypto_public(uint8_t pk[DHT_KEY_LEN], const uint8_t sk[DHT_KEY_LEN]);
/* Raw X25519; 0, or -1 for an all-zero (low-order) result. */
int	dhtcrypto_x25519(uint8_t out[32], const uint8_t sk[DHT_KEY_LEN],
	    const uint8_t pk[DHT_KEY_LEN]);
/* The pair key: BLAKE2b-256 keyed by the raw shared secret over a label,
 * the namespace and both public keys in sorted order, so both ends derive
 * the same key and another namespace derives another one. */
void	dhtcrypto_pair_key(uint8_t out[DHTCRYPTO_PAIR_LEN],
	    const uint8_t shared[32], const char *ns, size_t nslen,
	    const uint8_t a[DHT_KEY_LEN], const uint8_t b[DHT_KEY_LEN]);

/* Seal body into out (body_len + DHTMSG_TAG_LEN bytes) with XChaCha20-
 * Poly1305; ad is the packet header (type and sender key). */
void	dhtcrypto_seal(uint8_t *out, const uint8_t *body, size_t body_len,
	    const uint8_t *ad, size_t ad_len,
	    const uint8_t nonce[DHTMSG_NONCE_LEN],
	    const uint8_t key[DHTCRYPTO_PAIR_LEN]);
/* Open sealed (sealed_len bytes) into out; the body length, or -1. */
long	dhtcrypto_open(uint8_t *out, const uint8_t *sealed, size_t sealed_len,
	    const uint8_t *ad, size_t ad_len,
	    const uint8_t nonce[DHTMSG_NONCE_LEN],
	    const uint8_t key[DHTCRYPTO_PAIR_LEN]);

/* An address token: a MAC over the requester's address and key under a
 * rotating secret. */
void	dhtcrypto_token(uint8_t out[DHTMSG_TOKEN_LEN],
	    const uint8_t secret[DHTCRYPTO_SECRET_LEN], const struct dht_addr *a,
	    const uint8_t key[DHT_KEY_LEN]);

/* Constant-time comparison (0 when equal) and wiping. */
int	dhtcrypto_memcmp(const void *a, const void *b, size_t len);
void	dhtcrypto_wipe(void *p, size_t len);

/* A generic hash for tests and the simulator's labelled fast mode. */
void	dhtcrypto_hash(uint8_t *out, size_t outlen, const uint8_t *in,
	    size_t inlen);

#endif
