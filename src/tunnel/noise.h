/* The tunnel handshake: Noise IK (Noise_IK_25519_ChaChaPoly_BLAKE2b) in the
 * shape of WireGuard's, pure (no I/O, no clock of its own, randomness from
 * libsodium).
 *
 *   <- s
 *   ...
 *   -> e, es, s, ss	initiation: payload = TAI64N timestamp + cipher offer
 *   <- e, ee, se	response:   payload = chosen cipher
 *
 * One round trip; both sides then hold a keypair (Noise's Split). The
 * prologue is "mesh v1 tunnel" (see noise.c), so a mesh handshake can never
 * be mistaken for a WireGuard one or the other way round. Replay of an
 * initiation is stopped by its timestamp, which must be strictly greater
 * than the last one accepted from that initiator; initiations arriving
 * faster than NOISE_INITIATION_MIN_MS apart are dropped (flood limit).
 * mac1/mac2 are cookie.c's job and are neither set nor checked here.
 *
 * Clock: `now` is a monotonic time in milliseconds (any origin). The
 * timestamp is wall-clock time (see noise_tai64n). */
#ifndef MESH_NOISE_H
#define MESH_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wire.h"

#define NOISE_PUBLIC_LEN	32
#define NOISE_SECRET_LEN	32
#define NOISE_HASH_LEN		64	/* BLAKE2b */
#define NOISE_SYMKEY_LEN	32
/* At most one initiation per peer is processed per this many ms. */
#define NOISE_INITIATION_MIN_MS	20

enum noise_state {
	NOISE_STATE_ZEROED = 0,
	NOISE_STATE_CREATED_INITIATION,		/* initiator, waiting */
	NOISE_STATE_CONSUMED_INITIATION,	/* responder, about to answer */
	NOISE_STATE_CREATED_RESPONSE,		/* responder, keys derived */
	NOISE_STATE_CONSUMED_RESPONSE,		/* initiator, keys derived */
};

/* Our static identity. */
struct noise_local {
	uint8_t		priv[NOISE_SECRET_LEN];
	uint8_t		pub[NOISE_PUBLIC_LEN];
};

/* The handshake in progress with one peer. */
struct noise_handshake {
	enum noise_state state;
	uint32_t	local_index;
	uint32_t	remote_index;
	uint8_t		e_priv[NOISE_SECRET_LEN];	/* our ephemeral */
	uint8_t		e_remote[NOISE_PUBLIC_LEN];	/* theirs */
	uint8_t		hash[NOISE_HASH_LEN];		/* h */
	uint8_t		ck[NOISE_HASH_LEN];		/* chaining key */
	uint8_t		offer;		/* cipher offer of the initiation */
};

/* One remote peer: long-lived identity data and the handshake with it. */
struct noise_remote {
	uint8_t		pub[NOISE_PUBLIC_LEN];
	uint8_t		ss[NOISE_PUBLIC_LEN];	/* DH(our s, their s), cached */
	uint8_t		last_timestamp[WIRE_TIMESTAMP_LEN]; /* newest accepted */
	uint8_t		sent_timestamp[WIRE_TIMESTAMP_LEN]; /* newest we sent */
	uint64_t	last_initiation;	/* ms, of the last accepted */
	int		have_initiation;
	struct noise_handshake hs;
};

/* Session keys from a completed handshake. */
struct noise_keypair {
	uint8_t		send_key[NOISE_SYMKEY_LEN];
	uint8_t		recv_key[NOISE_SYMKEY_LEN];
	uint32_t	local_index;	/* index the peer puts in data to us */
	uint32_t	remote_index;	/* index we put in data to the peer */
	uint8_t		cipher;		/* one WIRE_CIPHER_* bit */
	int		initiator;	/* we sent the initiation */
};

enum noise_err {
	NOISE_OK = 0,
	NOISE_ERR_DECRYPT,	/* AEAD failed: tampered, wrong key, not for us */
	NOISE_ERR_UNKNOWN_PEER,	/* initiator's static key is not a peer */
	NOISE_ERR_LOW_ORDER,	/* a Diffie-Hellman result was all zero */
	NOISE_ERR_REPLAY,	/* timestamp not newer than the last one */
	NOISE_ERR_FLOOD,	/* initiation too soon after the last one */
	NOISE_ERR_STATE,	/* message not expected in this state */
	NOISE_ERR_PAYLOAD,	/* bad payload (reserved bits, cipher) */
};

/* Our identity from our private key (X25519, 32 bytes). 0, or -1 if the key
 * is unusable. */
int	noise_local_init(struct noise_local *, const uint8_t priv[NOISE_SECRET_LEN]);
void	noise_local_wipe(struct noise_local *);

/* Set up a peer: caches DH(local s, remote s). 0, or -1 if the remote key
 * is a low-order point (no shared secret). */
int	noise_remote_init(struct noise_remote *, const struct noise_local *,
	    const uint8_t pub[NOISE_PUBLIC_LEN]);
/* Forget the handshake in progress (keeps identity and timestamps). */
void	noise_remote_clear_handshake(struct noise_remote *);
void	noise_remote_wipe(struct noise_remote *);

/* TAI64N of a Unix time in nanoseconds: 8 bytes big-endian 2^62 + seconds,
 * 4 bytes big-endian nanoseconds. Big-endian, so memcmp orders them. */
void	noise_tai64n(uint8_t out[WIRE_TIMESTAMP_LEN], uint64_t unix_ns);

/* Initiator: build an initiation (all but mac1/mac2) to r, with our index
 * local_index, a timestamp from wall-clock Unix time unix_ns (made strictly
 * greater than the last one we sent to r, should the clock step back), and
 * the cipher offer (WIRE_CIPHER_* mask; ChaCha20-Poly1305 is always added).
 * r->hs becomes CREATED_INITIATION. */
enum noise_err noise_create_initiation(const struct noise_local *,
	    struct noise_remote *r, struct wire_initiation *out,
	    uint32_t local_index, uint64_t unix_ns, uint8_t offer);

/* Responder: authenticate an initiation. lookup maps the initiator's static
 * key to its noise_remote (NULL if it is not a peer). On NOISE_OK *rp is the
 * peer, its handshake is CONSUMED_INITIATION (previous handshake state
 * replaced), its timestamp recorded; on error nothing changes. */
enum noise_err noise_consume_initiation(const struct noise_local *,
	    const struct wire_initiation *in,
	    struct noise_remote *(*lookup)(void *arg,
		const uint8_t pub[NOISE_PUBLIC_LEN]), void *arg,
	    uint64_t now, struct noise_remote **rp);

/* Responder: answer the consumed initiation of r with our index local_index
 * and the chosen cipher (one bit of r->hs.offer), derive the keypair into
 * *kp. r->hs is wiped (ZEROED) afterwards: the keypair is all that is kept. */
enum noise_err noise_create_response(struct noise_remote *r,
	    struct wire_response *out, uint32_t local_index, uint8_t cipher,
	    struct noise_keypair *kp);

/* Initiator: authenticate a response to our initiation to r (the caller
 * matched its receiver index to r->hs.local_index), derive the keypair.
 * On NOISE_OK r->hs is wiped; on error it is unchanged (the initiation may
 * still be answered properly). */
enum noise_err noise_consume_response(const struct noise_local *,
	    struct noise_remote *r, const struct wire_response *in,
	    struct noise_keypair *kp);

void	noise_keypair_wipe(struct noise_keypair *);
const char *noise_strerror(enum noise_err);

#endif
