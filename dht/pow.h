/* Proof of work on public keys: a key's workbits are the leading zero bits
 * of BLAKE2b-256(namespace || public key). A DHT ignores keys with fewer
 * workbits than configured, which makes Sybil identities cost CPU time. */
#ifndef DHT_POW_H
#define DHT_POW_H

#include <stddef.h>
#include <stdint.h>

#define POW_KEY_LEN	32
#define POW_MAX_BITS	256

unsigned	pow_workbits(const char *ns, size_t nslen, const uint8_t pk[POW_KEY_LEN]);

/* Leading zero bits of a byte string (exposed for tests). */
unsigned	pow_leading_zeros(const uint8_t *h, size_t len);

#endif
