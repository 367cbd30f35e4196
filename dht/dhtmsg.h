/* DHT wire format: the outer packet header and every message body, as one
 * pure decoder and one encoder (no crypto, no allocation, no state).
 *
 * Packet:	type (1) | sender key (32) | nonce (24) | sealed body + tag (16)
 *
 * Bodies (integers big-endian; addr = family (1: 4 or 6) | 4 or 16 bytes |
 * port (2, non-zero); token = 8 bytes):
 *
 * Requests: txid (8) | ts (8, ms since the epoch) | flags (1) |
 *	[token (8) if flags & DHTMSG_F_TOKEN] | type-specific | zero padding
 *	PING		-
 *	FIND		target id (32)
 *	REGISTER	-
 *	RELAY		target key (32) | len (2) | payload
 *	RELAYED		origin key (32) | origin addr | len (2) | payload
 * Responses: txid (8) | flags (1) | observed addr | token | type-specific
 *	PONG		-
 *	NODES		n (1, <= 20) | n * (key (32) | addr) |
 *			m (1, <= 1) | m * (served key (32) | observed addr)
 *	REGISTERED	status (1) | lifetime seconds (2)
 *	RELAY_ACK	status (1)
 * Requests may be padded with zero bytes (so that an answer never exceeds
 * the request before the sender's address is validated); responses are
 * exact. */
#ifndef DHT_DHTMSG_H
#define DHT_DHTMSG_H

#include <stddef.h>
#include <stdint.h>

#include "dht.h"

enum dhtmsg_type {
	DHTMSG_PING = 0x10,
	DHTMSG_PONG = 0x11,
	DHTMSG_FIND = 0x12,
	DHTMSG_NODES = 0x13,
	DHTMSG_REGISTER = 0x14,
	DHTMSG_REGISTERED = 0x15,
	DHTMSG_RELAY = 0x16,
	DHTMSG_RELAY_ACK = 0x17,
	DHTMSG_RELAYED = 0x18,
};

#define DHTMSG_NONCE_LEN	24
#define DHTMSG_TAG_LEN		16
#define DHTMSG_TOKEN_LEN	8
#define DHTMSG_HDR_LEN		(1 + DHT_KEY_LEN + DHTMSG_NONCE_LEN)
#define DHTMSG_MIN_PACKET	(DHTMSG_HDR_LEN + DHTMSG_TAG_LEN)
#define DHTMSG_MAX_BODY		(DHT_MAX_PACKET - DHTMSG_MIN_PACKET)
#define DHTMSG_MAX_CONTACTS	DHT_K

#define DHTMSG_F_REACHABLE	0x01	/* sender is reachable from outside */
#define DHTMSG_F_TOKEN		0x02	/* request echoes a token */
#define DHTMSG_F_ALL		0x03

/* REGISTERED / RELAY_ACK status */
#define DHTMSG_ST_OK		0	/* registered / forwarded */
#define DHTMSG_ST_TOKEN		1	/* REGISTER needs a valid token */
#define DHTMSG_ST_FULL		2	/* no room for another client */
#define DHTMSG_ST_UNREACHABLE	3	/* we are NAT-ed, cannot serve */
#define DHTMSG_ST_UNKNOWN	4	/* RELAY: target not served here */
#define DHTMSG_ST_MAX		4

struct dhtmsg_hdr {
	uint8_t		 type;
	const uint8_t	*key;		/* sender key, DHT_KEY_LEN bytes */
	const uint8_t	*nonce;		/* DHTMSG_NONCE_LEN bytes */
	const uint8_t	*sealed;	/* body + tag */
	size_t		 sealed_len;
};

struct dhtmsg_contact {
	uint8_t		key[DHT_KEY_LEN];
	struct dht_addr	addr;
};

struct dhtmsg {
	uint8_t		 type;
	uint64_t	 txid;
	uint8_t		 flags;
	uint64_t	 ts;			/* requests */
	uint8_t		 token[DHTMSG_TOKEN_LEN]; /* see the layouts */
	struct dht_addr	 observed;		/* responses */
	uint8_t		 target[DHT_KEY_LEN];	/* FIND id, RELAY/RELAYED key */
	struct dht_addr	 origin;		/* RELAYED */
	const uint8_t	*payload;		/* RELAY, RELAYED (points into */
	size_t		 payload_len;		/* the decoded buffer) */
	unsigned	 ncontacts;
	struct dhtmsg_contact contacts[DHTMSG_MAX_CONTACTS];
	unsigned	 nserved;
	struct dhtmsg_contact served;
	uint8_t		 status;
	uint16_t	 lifetime;
	size_t		 pad;			/* requests: zero bytes after */
};

/* 1 for a type this version knows, and whether it is a request. */
int	dhtmsg_known_type(uint8_t type);
int	dhtmsg_is_request(uint8_t type);
/* The response type a request expects, 0 for none (RELAYED). */
uint8_t	dhtmsg_response_type(uint8_t request);
const char *dhtmsg_type_name(uint8_t type);

/* Split a packet into its header fields. 0, or -1 with *err set to a
 * DHT_DROP_* reason (SHORT, LONG or TYPE). */
int	dhtmsg_header(const uint8_t *pkt, size_t len, struct dhtmsg_hdr *h,
	    enum dht_drop *err);

/* Decode the plaintext body of a message of the given type. Every field is
 * checked (lengths, counts, flags, address families, ports, status values,
 * zero padding); 0, or -1 if anything is wrong. m->payload points into
 * body. */
int	dhtmsg_decode(uint8_t type, const uint8_t *body, size_t len,
	    struct dhtmsg *m);

/* Encode m (m->type selects the layout, m->pad zero bytes appended to a
 * request) into buf; returns the length, or 0 if it does not fit in cap or
 * a field is out of range. */
size_t	dhtmsg_encode(const struct dhtmsg *m, uint8_t *buf, size_t cap);
/* The encoded size of an address (0 for a bad family). */
size_t	dhtmsg_addr_len(const struct dht_addr *a);

#endif
