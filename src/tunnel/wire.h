/* Tunnel wire formats: every message the tunnel puts on the UDP socket, its
 * size and its limits, in one header (WireGuard's shape, our own constants).
 *
 * The first byte of a datagram tells the message apart (see ARCHITECTURE.md: 0x01-0x04
 * belong to the tunnel). Structs hold only uint8_t arrays, so they have no
 * padding and alignment 1: a struct pointer may point anywhere into a
 * received buffer. Multi-byte integers are little-endian, as in WireGuard.
 *
 *   initiation (0x01), 152 bytes:
 *	type, reserved[3] = 0, sender index, ephemeral public key,
 *	AEAD(initiator static key), AEAD(payload: TAI64N timestamp[12],
 *	cipher offer[1], zero[3]), mac1, mac2
 *   response (0x02), 96 bytes:
 *	type, reserved[3] = 0, sender index, receiver index, ephemeral,
 *	AEAD(payload: chosen cipher[1], zero[3]), mac1, mac2
 *   cookie reply (0x03), 64 bytes:
 *	type, reserved[3] = 0, receiver index, nonce[24], XAEAD(cookie[16])
 *   transport data (0x04), 32 bytes + payload:
 *	type, reserved[3] = 0, receiver index, counter (64-bit),
 *	AEAD(padded inner packet) = payload + 16-byte tag
 *
 * A change to any of these is a protocol change: bump WIRE_VERSION and the
 * Noise prologue in noise.c.
 *
 * Inside a data message the plaintext is an IP packet (first nibble 4 or
 * 6; the receiver trims the padding to the IP length), nothing (a
 * keepalive), or a tunnel control message, first byte 0x01..0x0f (first
 * nibble 0). Probes, acks and the membership messages (0x03-0x05,
 * netconf/ncsync.h) are never padded and not data for the sender's timers
 * (as a keepalive; the receiver's count them as data, and the ack answers
 * a probe); a FRAG carries data and goes as data (padded, timers):
 *   path MTU probe (0x01), 16 bytes and more:
 *	type, reserved[7] = 0, id (64-bit), zeros up to the size probed
 *   path MTU probe ack (0x02), 16 bytes:
 *	type, reserved[7] = 0, id of the probe
 *   a piece of an inner packet (0x08), 16 bytes and more (frag.h):
 *	type, index, count, 0, id (32-bit), total, offset and length of
 *	the piece (16-bit each), 0, 0, the piece; may be padded
 * A probe is answered with its ack on the path it came by (datapath.c);
 * the sizes a path carries are learnt from the acks (pmtu.h). Added
 * without a version bump: the handshake and the framing are unchanged,
 * and a member that predates them drops them as malformed inner packets
 * (its probes go unanswered: pmtu.c gives up on it). Unknown control
 * types are dropped. */
#ifndef MESH_WIRE_H
#define MESH_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION		1

enum wire_type {
	WIRE_INITIATION = 0x01,
	WIRE_RESPONSE = 0x02,
	WIRE_COOKIE_REPLY = 0x03,
	WIRE_DATA = 0x04,
};

#define WIRE_KEY_LEN		32	/* X25519 public key, AEAD key */
#define WIRE_TAG_LEN		16	/* Poly1305 / GCM tag */
#define WIRE_TIMESTAMP_LEN	12	/* TAI64N: 8 bytes seconds, 4 nanoseconds */
#define WIRE_MAC_LEN		16	/* mac1, mac2: keyed BLAKE2b-128 */
#define WIRE_COOKIE_LEN		16
#define WIRE_COOKIE_NONCE_LEN	24	/* XChaCha20-Poly1305 nonce */

/* Handshake payloads (inside the AEAD). */
#define WIRE_INIT_PAYLOAD_LEN	16	/* timestamp, cipher offer, 3 zero */
#define WIRE_RESP_PAYLOAD_LEN	4	/* chosen cipher, 3 zero */

/* Transport ciphers. The initiation offers a set (bit mask); the response
 * names exactly one bit of it. ChaCha20-Poly1305 is mandatory: every offer
 * includes it. */
#define WIRE_CIPHER_CHACHA20POLY1305	0x01
#define WIRE_CIPHER_AES256GCM		0x02
#define WIRE_CIPHER_ALL			0x03

struct wire_initiation {
	uint8_t	type;				/* WIRE_INITIATION */
	uint8_t	reserved[3];			/* zero */
	uint8_t	sender[4];			/* initiator's index */
	uint8_t	ephemeral[WIRE_KEY_LEN];	/* e */
	uint8_t	enc_static[WIRE_KEY_LEN + WIRE_TAG_LEN];	/* s */
	uint8_t	enc_payload[WIRE_INIT_PAYLOAD_LEN + WIRE_TAG_LEN];
	uint8_t	mac1[WIRE_MAC_LEN];
	uint8_t	mac2[WIRE_MAC_LEN];		/* zero unless we hold a cookie */
};

struct wire_response {
	uint8_t	type;				/* WIRE_RESPONSE */
	uint8_t	reserved[3];
	uint8_t	sender[4];			/* responder's index */
	uint8_t	receiver[4];			/* = initiation's sender */
	uint8_t	ephemeral[WIRE_KEY_LEN];	/* e */
	uint8_t	enc_payload[WIRE_RESP_PAYLOAD_LEN + WIRE_TAG_LEN];
	uint8_t	mac1[WIRE_MAC_LEN];
	uint8_t	mac2[WIRE_MAC_LEN];
};

struct wire_cookie_reply {
	uint8_t	type;				/* WIRE_COOKIE_REPLY */
	uint8_t	reserved[3];
	uint8_t	receiver[4];			/* sender index of the message
						 * this answers */
	uint8_t	nonce[WIRE_COOKIE_NONCE_LEN];
	uint8_t	enc_cookie[WIRE_COOKIE_LEN + WIRE_TAG_LEN];
};

struct wire_data {
	uint8_t	type;				/* WIRE_DATA */
	uint8_t	reserved[3];
	uint8_t	receiver[4];			/* receiver's keypair index */
	uint8_t	counter[8];			/* nonce, little-endian */
	/* followed by ciphertext and WIRE_TAG_LEN bytes of tag */
};

#define WIRE_INITIATION_LEN	152
#define WIRE_RESPONSE_LEN	96
#define WIRE_COOKIE_REPLY_LEN	64
#define WIRE_DATA_HEADER_LEN	16
/* Bytes a data message adds to an inner packet, padding not counted. */
#define WIRE_DATA_OVERHEAD	(WIRE_DATA_HEADER_LEN + WIRE_TAG_LEN)	/* 32 */
#define WIRE_DATA_MIN_LEN	WIRE_DATA_OVERHEAD	/* keepalive */
/* Plaintext is padded with zeros to a multiple of WIRE_PAD_MULTIPLE, but
 * never beyond the configured MTU (see tunnel.h). */
#define WIRE_PAD_MULTIPLE	16
/* Largest inner packet (IP total length is 16 bits). */
#define WIRE_DATA_MAX_PAYLOAD	65535
#define WIRE_DATA_MAX_LEN	(WIRE_DATA_OVERHEAD + WIRE_DATA_MAX_PAYLOAD)
/* Largest handshake message, the size of any reply buffer. */
#define WIRE_HANDSHAKE_MAX_LEN	WIRE_INITIATION_LEN
/* Offsets of the MACs: mac1 covers everything before it, mac2 everything
 * before mac2 (mac1 included). */
#define WIRE_INITIATION_MAC1_OFF	(WIRE_INITIATION_LEN - 2 * WIRE_MAC_LEN)
#define WIRE_RESPONSE_MAC1_OFF		(WIRE_RESPONSE_LEN - 2 * WIRE_MAC_LEN)

/* Tunnel control messages (plaintext of a data message, see the top). */
#define WIRE_CTL_PROBE		0x01
#define WIRE_CTL_PROBE_ACK	0x02
#define WIRE_CTL_FRAG		0x08	/* a piece of an inner packet */
/* 0x03-0x05: membership (src/netconf/ncsync.h: NC_HAVE, NC_GET, NC_CHUNK),
 * handed to the daemon by the data path (dp_hooks.control). */
#define WIRE_CTL_LEN		16	/* type, reserved, id */

/* The control type of a plaintext (0: an IP packet or a keepalive). */
static inline unsigned
wire_ctl_type(const uint8_t *pt, size_t len)
{
	return len > 0 && pt[0] >> 4 == 0 ? pt[0] : 0;
}

/* Outer header cost, for MTU arithmetic: the default inner MTU leaves room
 * for IPv6 + UDP + data overhead + maximal padding on a 1500-byte path, as
 * WireGuard's 1420 does: 1500 - 40 - 8 - 32 = 1420. */
#define WIRE_OUTER_IPV4_UDP	28
#define WIRE_OUTER_IPV6_UDP	48
#define WIRE_DEFAULT_MTU	1420

/* The result of wire_decode: which message, and its fixed fields decoded.
 * The pointers point into the decoded buffer (valid while it is). */
struct wire_msg {
	enum wire_type	type;
	union {
		const struct wire_initiation	*init;
		const struct wire_response	*resp;
		const struct wire_cookie_reply	*cookie;
		const struct wire_data		*data;
	} u;
	uint32_t	sender;		/* initiation, response */
	uint32_t	receiver;	/* response, cookie reply, data */
	uint64_t	counter;	/* data */
	size_t		payload_len;	/* data: ciphertext bytes without the
					 * tag (0 for a keepalive) */
};

enum wire_err {
	WIRE_OK = 0,
	WIRE_ERR_EMPTY,		/* zero-length datagram */
	WIRE_ERR_TYPE,		/* first byte is not a tunnel message */
	WIRE_ERR_LENGTH,	/* wrong length for its type */
	WIRE_ERR_RESERVED,	/* reserved bytes not zero */
};

/* Classify and validate one datagram: the type byte, the exact length of
 * handshake messages, the minimum and maximum length of data messages, zero
 * reserved bytes. Pure; touches nothing but *msg (filled only on WIRE_OK).
 * Nothing is authenticated yet: the tunnel does that. */
enum wire_err	wire_decode(const uint8_t *buf, size_t len, struct wire_msg *msg);
const char	*wire_strerror(enum wire_err);

/* Little-endian field helpers. */
static inline uint32_t
wire_get32(const uint8_t p[4])
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
wire_put32(uint8_t p[4], uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t
wire_get64(const uint8_t p[8])
{
	return (uint64_t)wire_get32(p) | (uint64_t)wire_get32(p + 4) << 32;
}

static inline void
wire_put64(uint8_t p[8], uint64_t v)
{
	wire_put32(p, (uint32_t)v);
	wire_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
