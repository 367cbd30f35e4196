/* NAT traversal messages on the daemon's one UDP socket (first byte
 * 0x20-0x2f). A pure codec: encode into / decode from a buffer; the MAC is
 * computed and checked by natkey.c (libsodium) over the bytes this codec
 * marks as covered.
 *
 * All multi-byte integers are big-endian. EP is 18 bytes: a 16-byte IPv6
 * address (IPv4 as ::ffff:a.b.c.d) and a 2-byte port. KEY is a 32-byte
 * X25519 public key. MAC is 16 bytes of keyed BLAKE2b over everything
 * before it, keyed with the pair key natkey_pair() derives from the static
 * DH of the two members (so a probe or its answer cannot be forged or
 * bent to another endpoint by anyone outside the pair).
 *
 *  0x20 PROBE   KEY sender | nonce[8] | zero[20] | MAC
 *               "are you there?": sent to a candidate endpoint. Padded
 *               (77 bytes) so that the ACK it asks for (76) is never
 *               larger: a PROBE replayed from a spoofed source address
 *               cannot make us an amplifier.
 *  0x21 ACK     KEY sender | nonce[8] (the probe's) | EP observed | flags |
 *               MAC
 *               answers a PROBE, telling the prober where its probe came
 *               from (its reflexive endpoint as seen by us). An endpoint is
 *               confirmed only by an ACK carrying the nonce we sent there.
 *               flags bit 0 (MAPPED): the prober reached us through a port
 *               mapping we hold (UPnP/NAT-PMP).
 *  0x22 PUNCH   KEY sender | nonce[8] | flags | count | EP * count | MAC
 *               passed through the member's rendezvous node (dht_relay):
 *               "probe me now at these endpoints"; flags bit 0: a reply.
 *  0x23 BIND    KEY sender | KEY target | nonce[8] | [cookie[16]] | MAC
 *               to a relay node, MAC keyed with the sender<->relay key:
 *               "I am at this source address; pass me what target sends
 *               me, and let me send to target". nonce is a counter that
 *               grows (milliseconds of the wall clock), so an old BIND
 *               replayed from elsewhere cannot move the binding. Without
 *               a cookie (89 bytes) or with one the relay no longer takes,
 *               the relay answers only with a COOKIE, smaller than the
 *               BIND, and changes nothing: the source address has not
 *               shown that it receives (it may be spoofed). With the
 *               cookie of that COOKIE (105 bytes) it binds and answers
 *               BOUND.
 *  0x24 BOUND   KEY relay | KEY target | nonce[8] (the BIND's) | status |
 *               EP observed | MAC
 *               the relay's answer, MAC with the relay<->sender key;
 *               status NATMSG_BOUND_OK when target is reachable through
 *               it, _UNKNOWN when it does not know where target is, _FULL
 *               when it cannot take the binding; observed: where the BIND
 *               came from (so a member notices its NAT mapping moved).
 *  0x28 COOKIE  KEY relay | nonce[8] (the BIND's) | cookie[16] | MAC
 *               the relay's answer to a BIND from an address not yet
 *               proven (73 bytes, less than the BIND), MAC with the
 *               relay<->sender key. cookie is the relay's keyed MAC of the
 *               source address and the sender's key under a secret it
 *               replaces every minute: the sender repeats its BIND (same
 *               nonce) with it, which proves it receives at that address.
 *  0x29 PREDICT KEY sender | nonce[8] | kind | pattern | delta[2] | EP |
 *               MAC
 *               passed through the member's rendezvous right after a
 *               PUNCH (a type of its own, so that members without it drop
 *               it and still take the PUNCH): how the sender's NAT maps
 *               (kind: NATMSG_KIND_*, natkind.h's order) and, for an
 *               endpoint-dependent one, how it picks ports (pattern:
 *               NATMSG_PAT_*, portpredict.h; delta: the step of a
 *               sequential one). EP: the last mapping the sender saw of
 *               its NAT (endpoint-independent: its reflexive endpoint).
 *               Only the port is taken from it: probes go to the address
 *               the rendezvous saw the member at (SECURITY.md).
 *  0x25 BEACON  KEY sender | netid[8] | port
 *               LAN broadcast: "a member is at this source address and
 *               port". Unauthenticated on purpose (it is broadcast): it
 *               only makes the receiver send an authenticated PROBE.
 *  0x26 TORELAY   target id[8] | payload
 *  0x27 FROMRELAY source id[8] | payload
 *               relayed tunnel messages, member -> relay -> member. The id
 *               is the first 8 bytes of the member's key. No MAC: the
 *               payload is a tunnel message, authenticated end to end; the
 *               relay forwards only from source addresses bound by BIND
 *               (or registered with its DHT), rate-limited per source, and
 *               a receiver takes the payload as relayed (its source address
 *               is never taken for the member's).
 */
#ifndef MESH_NATMSG_H
#define MESH_NATMSG_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define NATMSG_TYPE_MIN		0x20
#define NATMSG_TYPE_MAX		0x2f
#define NATMSG_PROBE		0x20
#define NATMSG_ACK		0x21
#define NATMSG_PUNCH		0x22
#define NATMSG_BIND		0x23
#define NATMSG_BOUND		0x24
#define NATMSG_BEACON		0x25
#define NATMSG_TORELAY		0x26
#define NATMSG_FROMRELAY	0x27
#define NATMSG_COOKIE		0x28
#define NATMSG_PREDICT		0x29

#define NATMSG_KEY_LEN		32
#define NATMSG_NONCE_LEN	8
#define NATMSG_MAC_LEN		16
#define NATMSG_EP_LEN		18
#define NATMSG_COOKIE_LEN	16	/* BIND, COOKIE */
#define NATMSG_PROBE_PAD	20	/* zero bytes in a PROBE */
#define NATMSG_NETID_LEN	8
#define NATMSG_ID_LEN		8	/* TORELAY/FROMRELAY member id */
#define NATMSG_RELAY_HDR	(1 + NATMSG_ID_LEN)
#define NATMSG_MAX_EPS		8	/* endpoints in one PUNCH */
#define NATMSG_MAX_PAYLOAD	9000	/* relayed tunnel message */
#define NATMSG_MAX_LEN		(NATMSG_RELAY_HDR + NATMSG_MAX_PAYLOAD)

#define NATMSG_PUNCH_REPLY	0x01
#define NATMSG_ACK_MAPPED	0x01

/* PREDICT: the sender's NAT (natkind.h, portpredict.h) */
#define NATMSG_KIND_UNKNOWN	0
#define NATMSG_KIND_NONE	1
#define NATMSG_KIND_EIM		2
#define NATMSG_KIND_EDM		3
#define NATMSG_PAT_UNKNOWN	0
#define NATMSG_PAT_SEQUENTIAL	1
#define NATMSG_PAT_RANDOM	2

#define NATMSG_BOUND_OK		0
#define NATMSG_BOUND_UNKNOWN	1
#define NATMSG_BOUND_FULL	2

struct natmsg {
	uint8_t			 type;
	uint8_t			 key[NATMSG_KEY_LEN];	/* sender / relay */
	uint8_t			 key2[NATMSG_KEY_LEN];	/* BIND(ED) target */
	uint8_t			 nonce[NATMSG_NONCE_LEN];
	uint8_t			 cookie[NATMSG_COOKIE_LEN]; /* COOKIE, BIND */
	int			 has_cookie;		/* BIND */
	uint8_t			 id[NATMSG_ID_LEN];	/* (TO|FROM)RELAY */
	struct sockaddr_in6	 observed;		/* ACK, BOUND;
							 * PREDICT: last */
	uint8_t			 flags;			/* ACK, PUNCH */
	uint8_t			 status;		/* BOUND */
	unsigned		 neps;			/* PUNCH */
	struct sockaddr_in6	 eps[NATMSG_MAX_EPS];	/* PUNCH */
	uint8_t			 netid[NATMSG_NETID_LEN]; /* BEACON */
	uint16_t		 port;			/* BEACON */
	uint8_t			 kind, pattern;		/* PREDICT */
	uint16_t		 delta;			/* PREDICT */
	const uint8_t		*payload;		/* (TO|FROM)RELAY: */
	size_t			 payload_len;		/*   into the buffer */
	/* decode only: the MAC and the bytes it covers (none for BEACON,
	 * TORELAY and FROMRELAY) */
	const uint8_t		*mac;
	size_t			 maclen_covered;
};

enum natmsg_error {
	NATMSG_OK = 0,
	NATMSG_E_TYPE,		/* not a NAT traversal type we know */
	NATMSG_E_SHORT,		/* shorter than its type needs */
	NATMSG_E_LONG,		/* trailing bytes / over the limits */
	NATMSG_E_ADDR,		/* an endpoint with port 0 */
	NATMSG_E_COUNT,		/* PUNCH: more endpoints than allowed */
	NATMSG_E_FLAGS,		/* reserved flag bits set, unknown status */
};

/* 1 if the datagram is for this module (first byte 0x20-0x2f). */
int	natmsg_is_natmsg(const uint8_t *buf, size_t len);
/* Encode m (type and its fields) into buf; the MAC bytes are left zero
 * for natkey_seal(). Returns the length, or 0 if it does not fit or m is
 * invalid. */
size_t	natmsg_encode(const struct natmsg *m, uint8_t *buf, size_t cap);
/* Decode buf; payload and mac point into buf. NATMSG_OK or why not. */
enum natmsg_error natmsg_decode(const uint8_t *buf, size_t len,
	    struct natmsg *m);
const char *natmsg_strerror(enum natmsg_error);

#endif
