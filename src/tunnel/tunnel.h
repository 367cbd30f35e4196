/* Tunnel sessions: the per-peer state machine on top of noise.c (handshake),
 * cookie.c (DoS cookies) and replay.c (anti-replay), plus the transport
 * (type 0x04 data messages). Pure: no I/O, no globals, no logging; the clock
 * is injected and randomness comes from libsodium.
 *
 * Clock: every `now` is a monotonic time in MILLISECONDS (any origin, e.g.
 * CLOCK_MONOTONIC; must not go backwards). Only tunnel_initiation also takes
 * the wall clock (Unix time in nanoseconds) for the anti-replay timestamp.
 *
 * Objects:
 *   struct tunnel_local	our identity, the cookie checker, the table of
 *				receiver indices, the peers, drop counters
 *   struct tunnel		one peer: handshake, keypairs (previous, current,
 *				next), timers, its cookie maker
 * Neither is thread-safe: one thread at a time per tunnel_local.
 *
 * Driving it (the glue's whole job):
 *   inner packet from the TUN for peer t (cryptokey routing picked t):
 *	put it at buf + TUNNEL_HEADROOM, call tunnel_encrypt(); on TUNNEL_OK
 *	send buf[0..outlen) to t's endpoint; on TUNNEL_ERR_NO_SESSION queue the
 *	packet (bounded queue) until TUNNEL_ACT_SESSION_READY. Handle actions.
 *   datagram from the UDP socket whose first byte is 0x01..0x04:
 *	tunnel_receive(). Whatever it returns, send rx.reply[0..reply_len) back
 *	to the source address if reply_len > 0. On TUNNEL_OK: if rx.authentic,
 *	rx.peer sent it and the source address is its endpoint now (roaming);
 *	if rx.data_len > 0, rx.data is an inner packet from rx.peer (check its
 *	source address belongs to rx.peer, trim padding to the IP length,
 *	write it to the TUN). Handle rx.actions for rx.peer. On an error, count
 *	it (tunnel_local_drops() counts too) and log at most at debug level.
 *   timer of peer t fires: tunnel_periodic(t, now, &next); handle actions;
 *	re-arm for next. After any other call on t, tunnel_next_deadline(t)
 *	may be earlier than the armed timer: re-arm if so (firing early is
 *	harmless, periodic just reports the new deadline).
 *   actions (TUNNEL_ACT_* bits), in this order:
 *	GIVE_UP		drop the packets queued for t
 *	SEND_INITIATION	tunnel_initiation(t, ...) and send it to t's endpoint
 *	SESSION_READY	send the packets queued for t (tunnel_encrypt each)
 *	SEND_KEEPALIVE	tunnel_keepalive(t, ...) and send it; skip it if a
 *			data packet went to t while handling these actions
 *			(after a completed handshake the initiator gets both:
 *			its first packet confirms the session to the peer)
 *
 * Data overhead: WIRE_DATA_OVERHEAD = 32 bytes (16 header + 16 tag) plus
 * padding to a multiple of 16 bounded by config.mtu, or by the path's inner
 * MTU when smaller (tunnel_set_pad_mtu) (0..15 bytes). With the
 * outer headers: 60 + padding over IPv4, 80 + padding over IPv6; an inner MTU
 * of 1420 fits a 1500-byte path in both cases.
 *
 * Timers follow WireGuard (all configurable in struct tunnel_config): the
 * initiator of a session rekeys when sending on a session older than
 * rekey_after_ms or past rekey_after_messages, and when receiving on one
 * older than reject_after - keepalive - rekey_timeout; no session is used
 * past reject_after_ms; a handshake is retransmitted every rekey_timeout_ms
 * (+ random jitter) until rekey_attempt_ms, then given up (unlike
 * WireGuard, the first retransmissions come sooner, rekey_fast_ms twice,
 * then doubling:
 * a handshake lost while a path is being found costs ~1 s, not 5; the
 * responder's flood limit is 20 ms); a keepalive is
 * sent keepalive_ms after data was received if nothing went back; a new
 * handshake starts if data was sent and nothing came back within
 * keepalive_ms + rekey_timeout_ms; keys are wiped 3 * reject_after_ms after
 * the last handshake. On rekey the responder keeps sending with the old
 * session until the initiator's first packet on the new one arrives
 * (confirmation), and both sides still accept the previous session, so no
 * packet is lost in the switch. */
#ifndef MESH_TUNNEL_H
#define MESH_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wire.h"

#define TUNNEL_KEY_LEN		32
/* Bytes the glue reserves before an inner packet for tunnel_encrypt. */
#define TUNNEL_HEADROOM		WIRE_DATA_HEADER_LEN		/* 16 */
/* Bytes tunnel_encrypt may write after the inner packet (padding + tag). */
#define TUNNEL_TAILROOM		(WIRE_PAD_MULTIPLE - 1 + WIRE_TAG_LEN)	/* 31 */

/* Defaults (WireGuard's values). */
#define TUNNEL_REKEY_AFTER_MS		120000ULL
#define TUNNEL_REJECT_AFTER_MS		180000ULL
#define TUNNEL_REKEY_AFTER_MESSAGES	(1ULL << 60)
#define TUNNEL_REJECT_AFTER_MESSAGES	(UINT64_MAX - (1ULL << 13))
#define TUNNEL_REKEY_TIMEOUT_MS		5000ULL
/* The first retransmissions of an attempt come sooner: 1, 2, 4 s, then
 * every rekey_timeout (see tunnel_config.rekey_fast_ms). */
#define TUNNEL_REKEY_FAST_MS		1000ULL
#define TUNNEL_REKEY_JITTER_MS		333ULL
#define TUNNEL_REKEY_ATTEMPT_MS		90000ULL
#define TUNNEL_KEEPALIVE_MS		10000ULL

/* Keep reject_after_ms - keepalive_ms - rekey_timeout_ms above
 * rekey_after_ms (as the defaults do: 165 s > 120 s), or the initiator's
 * receive-side rekey comes first and sessions turn over faster than
 * rekey_after_ms. Shortening only rekey_after_ms (a test knob) is fine. */
struct tunnel_config {
	uint64_t	rekey_after_ms;
	uint64_t	reject_after_ms;
	uint64_t	rekey_after_messages;
	uint64_t	reject_after_messages;
	uint64_t	rekey_timeout_ms;	/* handshake retransmit interval */
	uint64_t	rekey_fast_ms;		/* first retransmission after
						 * this, doubling up to
						 * rekey_timeout_ms (jitter
						 * scaled down alike); 0:
						 * always rekey_timeout_ms */
	uint64_t	rekey_jitter_ms;	/* random extra, 0..this */
	uint64_t	rekey_attempt_ms;	/* give up a handshake after */
	uint64_t	keepalive_ms;		/* passive keepalive */
	size_t		mtu;		/* inner MTU: bound for padding;
					 * 0 disables padding */
	uint8_t		ciphers;	/* WIRE_CIPHER_* we accept/offer;
					 * ChaCha20-Poly1305 always on. AES-
					 * 256-GCM only where the CPU has it. */
};

/* Per-packet outcomes; tunnel_local_drops() counts each error. */
enum tunnel_err {
	TUNNEL_OK = 0,
	TUNNEL_ERR_MALFORMED,		/* wire_decode refused it */
	TUNNEL_ERR_MAC1,		/* bad mac1: junk or not for us */
	TUNNEL_ERR_COOKIE_REQUIRED,	/* under load without valid mac2: not
					 * processed, rx.reply = cookie reply */
	TUNNEL_ERR_HANDSHAKE,		/* handshake message did not
					 * authenticate */
	TUNNEL_ERR_UNKNOWN_PEER,	/* valid initiation from a key that is
					 * not a peer */
	TUNNEL_ERR_REPLAYED_INITIATION,	/* timestamp not newer */
	TUNNEL_ERR_FLOOD,		/* initiations from one peer too fast */
	TUNNEL_ERR_UNKNOWN_INDEX,	/* no session/handshake has it */
	TUNNEL_ERR_UNEXPECTED,		/* e.g. response with no initiation
					 * outstanding, bad cookie reply */
	TUNNEL_ERR_EXPIRED,		/* session too old or used up */
	TUNNEL_ERR_DECRYPT,		/* data did not authenticate */
	TUNNEL_ERR_REPLAY,		/* counter seen or behind the window */
	TUNNEL_ERR_NO_SESSION,		/* encrypt: no usable session yet */
	TUNNEL_ERR_NOSPACE,		/* buffer too small */
	TUNNEL_ERR_TOO_BIG,		/* inner packet over the limit */
	TUNNEL_ERR_RATELIMITED,		/* under load, valid mac2, but the
					 * glue's admit hook refused the
					 * source (before any DH) */
	TUNNEL_ERR_COUNT
};

/* The names of these reasons (drop_<name> in show), beside them; the table
 * made of this is checked against TUNNEL_ERR_COUNT by a static assert. */
#define TUNNEL_ERR_NAMES { \
	[TUNNEL_OK] = "ok", \
	[TUNNEL_ERR_MALFORMED] = "malformed", \
	[TUNNEL_ERR_MAC1] = "mac1", \
	[TUNNEL_ERR_COOKIE_REQUIRED] = "cookie_required", \
	[TUNNEL_ERR_HANDSHAKE] = "handshake", \
	[TUNNEL_ERR_UNKNOWN_PEER] = "unknown_peer", \
	[TUNNEL_ERR_REPLAYED_INITIATION] = "replayed_initiation", \
	[TUNNEL_ERR_FLOOD] = "flood", \
	[TUNNEL_ERR_UNKNOWN_INDEX] = "unknown_index", \
	[TUNNEL_ERR_UNEXPECTED] = "unexpected", \
	[TUNNEL_ERR_EXPIRED] = "expired", \
	[TUNNEL_ERR_DECRYPT] = "decrypt", \
	[TUNNEL_ERR_REPLAY] = "replay", \
	[TUNNEL_ERR_NO_SESSION] = "no_session", \
	[TUNNEL_ERR_NOSPACE] = "nospace", \
	[TUNNEL_ERR_TOO_BIG] = "too_big", \
	[TUNNEL_ERR_RATELIMITED] = "ratelimited", \
}

/* Actions for the glue (bit mask), see the top of this file. */
#define TUNNEL_ACT_SEND_INITIATION	0x01u
#define TUNNEL_ACT_SEND_KEEPALIVE	0x02u
#define TUNNEL_ACT_SESSION_READY	0x04u
#define TUNNEL_ACT_GIVE_UP		0x08u

struct tunnel_local;
struct tunnel;

/* What tunnel_receive found. */
struct tunnel_rx {
	enum wire_type	 type;		/* of the message (if it decoded) */
	struct tunnel	*peer;		/* the peer it concerns, or NULL */
	int		 authentic;	/* cryptographically from peer: its
					 * source is the peer's endpoint */
	unsigned	 actions;	/* TUNNEL_ACT_* for peer */
	uint8_t		*data;		/* data: inner packet inside the
					 * caller's buffer (may end in up to
					 * 15 zero padding bytes) */
	size_t		 data_len;	/* 0: keepalive or not data */
	uint8_t		 cipher;	/* data: WIRE_CIPHER_* of the session */
	size_t		 reply_len;	/* > 0: send reply to the source */
	uint8_t		 reply[WIRE_HANDSHAKE_MAX_LEN];
};

struct tunnel_stats {
	/* inner packets with their padding, so that what one end sent is
	 * what the other received */
	uint64_t	rx_packets, rx_bytes;	/* authenticated */
	uint64_t	tx_packets, tx_bytes;
	uint64_t	last_handshake;	/* ms (now clock), 0: never */
	uint64_t	handshakes;	/* completed */
	uint32_t	attempts;	/* initiations sent for the current
					 * handshake attempt */
	int		has_session;	/* a current session exists (it may
					 * have aged out since: this call has
					 * no clock; see last_handshake) */
	uint8_t		cipher;		/* of the current session, or 0 */
};

/* Fill c with the defaults above, mtu = WIRE_DEFAULT_MTU, all ciphers. */
void	tunnel_config_default(struct tunnel_config *c);

/* Our side: identity from the private key, configuration (copied; NULL for
 * defaults), room for max_peers peers. NULL if out of memory, the key is
 * unusable or the config is inconsistent (reject_after_ms must exceed
 * rekey_after_ms, and so on). */
struct tunnel_local *tunnel_local_new(const uint8_t priv[TUNNEL_KEY_LEN],
	    const struct tunnel_config *c, size_t max_peers);
/* Frees the peers too; wipes every secret. */
void	tunnel_local_free(struct tunnel_local *);
const uint8_t *tunnel_local_pub(const struct tunnel_local *);
const struct tunnel_config *tunnel_local_config(const struct tunnel_local *);
/* How many packets were dropped for reason e. */
uint64_t tunnel_local_drops(const struct tunnel_local *, enum tunnel_err e);

/* Under load, an initiation or response with a valid mac2 (its source
 * address proven by a cookie round trip) is processed only if
 * admit(arg, src, srclen, now) returns 1, with src as passed to
 * tunnel_receive; else it is dropped before any Diffie-Hellman, with no
 * reply, as TUNNEL_ERR_RATELIMITED. This is where WireGuard checks its
 * per-source rate limit: after the cookie, so that a spoofed source cannot
 * use up the limit of the address it pretends to be. NULL (the default):
 * everything is admitted. */
typedef int	tunnel_admit_fn(void *arg, const void *src, size_t srclen,
		    uint64_t now);
void	tunnel_local_set_admit(struct tunnel_local *, tunnel_admit_fn *,
	    void *arg);

/* Add a peer with its static public key; user is the glue's pointer for it.
 * NULL if max_peers are in use, the key is a duplicate or our own, or it is
 * a low-order point. */
struct tunnel *tunnel_new(struct tunnel_local *, const uint8_t pub[TUNNEL_KEY_LEN],
	    void *user);
/* Remove a peer: its indices stop matching, its secrets are wiped. */
void	tunnel_free(struct tunnel *);
struct tunnel *tunnel_find(const struct tunnel_local *,
	    const uint8_t pub[TUNNEL_KEY_LEN]);
void	*tunnel_user(const struct tunnel *);
const uint8_t *tunnel_pub(const struct tunnel *);
/* Persistent keepalive every ms milliseconds while the peer is in use, for
 * NAT mappings (0: off, the default). */
void	tunnel_set_persistent_keepalive(struct tunnel *, uint64_t ms);
/* Forget sessions and the handshake in progress (keys wiped). */
void	tunnel_clear(struct tunnel *);
void	tunnel_get_stats(const struct tunnel *, struct tunnel_stats *);

/* Encrypt the inner packet buf[TUNNEL_HEADROOM .. TUNNEL_HEADROOM + len) in
 * place into a data message buf[0 .. *outlen) for the peer; cap is the
 * size of buf (TUNNEL_HEADROOM + len + TUNNEL_TAILROOM always suffices).
 * Also reports actions (rekey due, or a handshake needed because there is
 * no session). Errors: TUNNEL_ERR_NO_SESSION (queue the packet, see
 * actions), TUNNEL_ERR_NOSPACE, TUNNEL_ERR_TOO_BIG (len >
 * WIRE_DATA_MAX_PAYLOAD). No allocation. */
enum tunnel_err tunnel_encrypt(struct tunnel *, uint8_t *buf, size_t cap,
	    size_t len, uint64_t now, size_t *outlen, unsigned *actions);

/* The two steps of tunnel_encrypt and of tunnel_receive's data branch,
 * apart, for a data path that encrypts and decrypts on several threads
 * (WireGuard's kernel module does the same): the steps marked serial
 * change the peer and must run one at a time per tunnel_local (in the
 * order packets are to be numbered, resp. accepted); the steps marked
 * parallel only read the session and write the caller's buffer. A slot
 * names the session's keypair; if the keypair is dropped in between (a
 * rekey went through), the second step fails. Neither step counts drops
 * (tunnel_receive does). */
struct tunnel_keypair;
struct tunnel_txslot {
	struct tunnel_keypair	*kp;
	uint32_t		 local_index;	/* kp's, to see it is still kp */
	uint64_t		 counter;	/* this message's nonce */
	size_t			 len, plen;	/* inner length, padded */
};
struct tunnel_rxslot {
	struct tunnel_keypair	*kp;
	uint32_t		 local_index;
	uint64_t		 counter;
	uint8_t			*data;		/* the plaintext, in place */
	size_t			 data_len;
};

/* Serial: check the session, take the next counter for an inner packet of
 * len bytes to be sealed in a buffer of cap bytes, run the send timers and
 * statistics, report actions. Errors as tunnel_encrypt. */
enum tunnel_err tunnel_tx_reserve(struct tunnel *, size_t cap, size_t len,
	    uint64_t now, struct tunnel_txslot *, unsigned *actions);
/* Parallel: the data message for slot s into buf (the inner packet at
 * buf + TUNNEL_HEADROOM, cap as reserved), in place; TUNNEL_ERR_EXPIRED if
 * the keypair is gone. Slots of one peer may be sealed in any order. */
enum tunnel_err tunnel_tx_seal(const struct tunnel_txslot *, uint8_t *buf,
	    size_t *outlen);
/* Parallel: decode the data message buf[0..len), find its session, check
 * its age, filter replays, decrypt and authenticate it in place. Changes
 * nothing. Errors as tunnel_receive (MALFORMED for a non-data message). */
enum tunnel_err tunnel_rx_open(struct tunnel_local *, uint8_t *buf,
	    size_t len, uint64_t now, struct tunnel_rxslot *);
/* Serial: record the counter in the replay window (TUNNEL_ERR_REPLAY if
 * it was seen: a duplicate opened twice is accepted once), confirm a new
 * session, run the receive timers and statistics; fills rx as
 * tunnel_receive would (rx cleared by the caller). */
enum tunnel_err tunnel_rx_commit(struct tunnel_local *,
	    const struct tunnel_rxslot *, uint64_t now, struct tunnel_rx *);

/* The path to the peer carries inner packets of at most mtu bytes (0: as
 * configured): padding stops there too, so that a packet that fits the
 * path still fits once padded. */
void	tunnel_set_pad_mtu(struct tunnel *, size_t mtu);

/* A control message (wire.h: first byte 0x01..0x0f) of len bytes at
 * buf + TUNNEL_HEADROOM, encrypted in place without padding; like a
 * keepalive, it is not data for the timers and reports no actions.
 * TUNNEL_ERR_NO_SESSION without a session (no handshake is started),
 * TUNNEL_ERR_MALFORMED if it is not a control message. */
enum tunnel_err tunnel_control(struct tunnel *, uint8_t *buf, size_t cap,
	    size_t len, uint64_t now, size_t *outlen);

/* A keepalive (empty data message) into buf (cap >= WIRE_DATA_MIN_LEN). */
enum tunnel_err tunnel_keepalive(struct tunnel *, uint8_t *buf, size_t cap,
	    uint64_t now, size_t *outlen);

/* A handshake initiation to the peer into out. unix_ns: wall-clock time
 * (CLOCK_REALTIME in ns) for the timestamp, which must grow across restarts
 * of this daemon. Starts the retransmit timer. */
enum tunnel_err tunnel_initiation(struct tunnel *, uint64_t now,
	    uint64_t unix_ns, uint8_t out[WIRE_INITIATION_LEN]);

/* Process one datagram from src (srclen bytes: the glue's fixed encoding of
 * source address and port, used for cookies). Data messages are decrypted
 * in place in buf. under_load: the glue's judgement that handshakes are
 * arriving faster than it wants to do Diffie-Hellman; then initiations and
 * responses are processed only with a valid cookie (mac2). rx is always
 * filled (peer NULL, lengths 0 if nothing). */
enum tunnel_err tunnel_receive(struct tunnel_local *, uint8_t *buf, size_t len,
	    const void *src, size_t srclen, int under_load, uint64_t now,
	    struct tunnel_rx *rx);

/* Timers of t: returns actions due at now and sets *next to the time (ms)
 * of the next call wanted (UINT64_MAX: none). */
unsigned tunnel_periodic(struct tunnel *, uint64_t now, uint64_t *next);
/* When tunnel_periodic wants to run next (UINT64_MAX: nothing pending). */
uint64_t tunnel_next_deadline(const struct tunnel *);

const char *tunnel_strerror(enum tunnel_err);

#endif
