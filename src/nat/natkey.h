/* The NAT traversal module's bit of cryptography (libsodium): the pair key
 * that authenticates probes, acks, punch requests and relay envelopes, the
 * MAC itself, and the LAN beacon's network id. */
#ifndef MESH_NATKEY_H
#define MESH_NATKEY_H

#include <stddef.h>
#include <stdint.h>

#define NATKEY_LEN	32

/* The key two members (or a member and a relay) share:
 * BLAKE2b-256 keyed with X25519(sk, peer_pk) over a label and both public
 * keys in sorted order, so that both ends derive the same key and it is
 * bound to the pair. 0, or -1 if the DH result is all-zero (a bad key). */
int	natkey_pair(uint8_t key[NATKEY_LEN], const uint8_t sk[32],
	    const uint8_t pk[32], const uint8_t peer_pk[32]);
/* Write the 16-byte MAC over msg[0, len - 16) into its last 16 bytes (the
 * slot natmsg_encode left). len must be at least 16. */
void	natkey_seal(uint8_t *msg, size_t len, const uint8_t key[NATKEY_LEN]);
/* 0 if mac is the MAC of covered[0, n) under key (constant time), -1
 * otherwise. */
int	natkey_verify(const uint8_t *covered, size_t n, const uint8_t mac[16],
	    const uint8_t key[NATKEY_LEN]);
/* The 8-byte network id LAN beacons carry: BLAKE2b of a label and the
 * network's namespace and name. */
void	natkey_netid(uint8_t id[8], const char *ns, const char *name);
void	natkey_wipe(uint8_t key[NATKEY_LEN]);

#endif
