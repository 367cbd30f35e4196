/* Keys and MACs for the NAT traversal messages: see natkey.h. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "nat/natkey.h"

#define NATKEY_LABEL	"mesh nat v1"
#define NATKEY_MACLEN	16

int
natkey_pair(uint8_t key[NATKEY_LEN], const uint8_t sk[32],
    const uint8_t pk[32], const uint8_t peer_pk[32])
{
	crypto_generichash_blake2b_state	h;
	uint8_t					shared[32];
	const uint8_t				*lo = pk, *hi = peer_pk;

	if (crypto_scalarmult(shared, sk, peer_pk) != 0) {
		sodium_memzero(shared, sizeof(shared));
		return -1;
	}
	if (memcmp(pk, peer_pk, 32) > 0) {
		lo = peer_pk;
		hi = pk;
	}
	crypto_generichash_blake2b_init(&h, shared, sizeof(shared),
	    NATKEY_LEN);
	crypto_generichash_blake2b_update(&h,
	    (const uint8_t *)NATKEY_LABEL, sizeof(NATKEY_LABEL) - 1);
	crypto_generichash_blake2b_update(&h, lo, 32);
	crypto_generichash_blake2b_update(&h, hi, 32);
	crypto_generichash_blake2b_final(&h, key, NATKEY_LEN);
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(&h, sizeof(h));
	return 0;
}

void
natkey_seal(uint8_t *msg, size_t len, const uint8_t key[NATKEY_LEN])
{
	crypto_generichash_blake2b(msg + len - NATKEY_MACLEN, NATKEY_MACLEN,
	    msg, len - NATKEY_MACLEN, key, NATKEY_LEN);
}

int
natkey_verify(const uint8_t *covered, size_t n, const uint8_t mac[16],
    const uint8_t key[NATKEY_LEN])
{
	uint8_t	want[NATKEY_MACLEN];
	int	r;

	crypto_generichash_blake2b(want, sizeof(want), covered, n, key,
	    NATKEY_LEN);
	r = sodium_memcmp(want, mac, NATKEY_MACLEN) == 0 ? 0 : -1;
	sodium_memzero(want, sizeof(want));
	return r;
}

void
natkey_netid(uint8_t id[8], const char *ns, const char *name)
{
	crypto_generichash_blake2b_state	h;
	static const uint8_t			zero = 0;

	crypto_generichash_blake2b_init(&h, NULL, 0, 8);
	crypto_generichash_blake2b_update(&h,
	    (const uint8_t *)"mesh beacon v1", 14);
	crypto_generichash_blake2b_update(&h, (const uint8_t *)ns,
	    strlen(ns));
	crypto_generichash_blake2b_update(&h, &zero, 1);
	crypto_generichash_blake2b_update(&h, (const uint8_t *)name,
	    strlen(name));
	crypto_generichash_blake2b_final(&h, id, 8);
}

void
natkey_wipe(uint8_t key[NATKEY_LEN])
{
	sodium_memzero(key, NATKEY_LEN);
}
