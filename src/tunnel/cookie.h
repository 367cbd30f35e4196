/* mac1, mac2 and cookie replies: WireGuard's DoS protection for handshake
 * messages, pure (clock injected, randomness from libsodium).
 *
 * Every handshake message ends in mac1 and mac2:
 *	mac1 = MAC(HASH("mesh mac1" || receiver's static public key), msg[..mac1])
 *	mac2 = MAC(cookie, msg[..mac2])  or zero when the sender has no cookie
 * mac1 proves the sender knows whom it talks to (cheap to check, so junk is
 * dropped before any Diffie-Hellman). When the receiver is under load (the
 * caller decides), it processes only messages with a valid mac2, and answers
 * the others with a cookie reply carrying
 *	cookie = MAC(secret, source address)
 * encrypted with XChaCha20-Poly1305 under HASH("mesh cookie" || its public
 * key) and the message's mac1 as associated data. The secret is random and
 * replaced every COOKIE_SECRET_LIFETIME_MS; cookies from the current or the
 * previous secret are accepted, so a cookie works for at least that long.
 * MAC is keyed BLAKE2b with a 16-byte output, HASH is BLAKE2b-256.
 *
 * Clock: `now` is a monotonic time in milliseconds (any origin). */
#ifndef MESH_COOKIE_H
#define MESH_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wire.h"

#define COOKIE_SECRET_LIFETIME_MS	120000
/* A sender stops using a cookie a little before the receiver would stop
 * accepting it (allowing for the cookie reply's travel time). */
#define COOKIE_LATENCY_MS		5000

/* Receiving side: one per local identity. */
struct cookie_checker {
	uint8_t		mac1_key[WIRE_KEY_LEN];
	uint8_t		cookie_key[WIRE_KEY_LEN];
	uint8_t		secret[WIRE_KEY_LEN];
	uint8_t		prev_secret[WIRE_KEY_LEN];
	uint64_t	secret_birth;	/* ms */
	int		have_secret;
	int		have_prev;
};

/* Sending side: one per remote peer. */
struct cookie_maker {
	uint8_t		mac1_key[WIRE_KEY_LEN];
	uint8_t		cookie_key[WIRE_KEY_LEN];
	uint8_t		cookie[WIRE_COOKIE_LEN];
	uint64_t	cookie_birth;	/* ms */
	int		have_cookie;
	uint8_t		last_mac1[WIRE_MAC_LEN];	/* of our last message */
	int		have_last_mac1;
};

enum cookie_result {
	COOKIE_OK = 0,		/* mac1 valid, and mac2 valid if required */
	COOKIE_BAD_MAC1,	/* drop silently */
	COOKIE_NEED_COOKIE,	/* mac1 valid, under load, mac2 missing or
				 * stale: answer with a cookie reply */
};

/* Initialise for our static public key. */
void	cookie_checker_init(struct cookie_checker *,
	    const uint8_t local_pub[WIRE_KEY_LEN]);
/* Check a whole handshake message (initiation or response: mac1 and mac2
 * are its last 2 * WIRE_MAC_LEN bytes). src/srclen: the source address as
 * opaque bytes (the caller's fixed encoding of address and port). */
enum cookie_result cookie_checker_validate(struct cookie_checker *,
	    const uint8_t *msg, size_t len, const void *src, size_t srclen,
	    int under_load, uint64_t now);
/* Build the cookie reply to msg (a handshake message that passed mac1) whose
 * sender index was sender_index. */
void	cookie_checker_reply(struct cookie_checker *,
	    struct wire_cookie_reply *out, const uint8_t *msg, size_t len,
	    uint32_t sender_index, const void *src, size_t srclen,
	    uint64_t now);
void	cookie_checker_wipe(struct cookie_checker *);

/* Initialise for the peer's static public key. */
void	cookie_maker_init(struct cookie_maker *,
	    const uint8_t remote_pub[WIRE_KEY_LEN]);
/* Fill mac1 and mac2 of a handshake message about to be sent (the last
 * 2 * WIRE_MAC_LEN bytes of msg); mac2 is zero without a fresh cookie.
 * Remembers mac1 to authenticate a cookie reply. */
void	cookie_maker_macs(struct cookie_maker *, uint8_t *msg, size_t len,
	    uint64_t now);
/* Take a cookie reply answering our last message: 0, or -1 if it does not
 * decrypt (forged, or not for our last message). */
int	cookie_maker_consume(struct cookie_maker *,
	    const struct wire_cookie_reply *, uint64_t now);
void	cookie_maker_wipe(struct cookie_maker *);

#endif
