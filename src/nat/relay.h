/* The relay's forwarding table: which member key is at which address, and
 * whether a datagram from an address may be passed on to a member id, with
 * a token bucket per source so that one member cannot take the relay's
 * whole bandwidth, and one for all sources together so that a small
 * public node is not made to carry more than it can. Pure: no sockets, no
 * clock, no logging, no crypto; the glue (relay-glue.c) checks BIND
 * messages (MAC, growing nonce, the address cookie) and feeds the results
 * in, and asks relay_forward() for every TORELAY datagram.
 *
 * Address validation (SECURITY.md): relay_bind is called only for a BIND
 * whose source address proved that it receives (it echoed a cookie the
 * glue sent there). The cookie secrets live here, so that their rotation
 * is testable with an injected clock; the glue supplies the random bytes
 * and computes the MACs.
 *
 * Entries come from two places: a member's authenticated BIND (lasts
 * ttl_ms, renewed by the next BIND), and the DHT's registered clients
 * (NAT-ed nodes that keep a registration with this node; they can be
 * reached at their registered address). Memory is fixed at relay_new().
 *
 * Member ids are the first RELAY_ID_LEN bytes of the key. Two keys with
 * the same id cannot be bound at once (the first holds it until it
 * expires): finding such a pair costs about 2^64 work. */
#ifndef MESH_RELAY_H
#define MESH_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define RELAY_ID_LEN		8
#define RELAY_KEY_LEN		32
#define RELAY_DEF_ENTRIES	1024
#define RELAY_DEF_TTL_MS	90000	/* a BIND lasts this long */
/* Defaults a small VPS carries (SECURITY.md, "Public nodes"): a relay is
 * the last resort of pairs no hole can be punched for, so a few MB/s per
 * source (a video call, an interactive session, a slow copy) and tens of
 * MB/s in all (each relayed byte also comes in: twice that on the wire,
 * well inside a 1 Gbit/s port). */
#define RELAY_DEF_RATE		(2048ULL * 1024)	/* bytes/s/source */
#define RELAY_DEF_CAP		(25600ULL * 1024)	/* bytes/s in all */
#define RELAY_SECRET_LEN	32
#define RELAY_SECRET_MS		60000	/* a cookie secret's turn */

struct relay_config {
	unsigned	max_entries;	/* 0: RELAY_DEF_ENTRIES */
	uint64_t	rate;		/* bytes per second and source; 0:
					 * RELAY_DEF_RATE; UINT64_MAX: none */
	uint64_t	burst;		/* bucket depth in bytes; 0: rate / 8,
					 * at least 64 KiB */
	uint64_t	cap;		/* bytes per second, all sources; 0:
					 * RELAY_DEF_CAP; UINT64_MAX: none.
					 * Its bucket: cap / 8, >= burst */
	uint32_t	ttl_ms;		/* 0: RELAY_DEF_TTL_MS */
	uint64_t	seed;		/* random: hash seed */
};

enum relay_verdict {
	RELAY_FORWARD = 0,	/* send to *to, with the source's id */
	RELAY_UNBOUND,		/* the source address is nobody we know */
	RELAY_UNKNOWN,		/* no member with that id here */
	RELAY_RATE,		/* the source is over its rate, or all
				 * sources over the cap */
	RELAY_LOOP,		/* to itself */
	RELAY_VERDICT_COUNT
};

/* The names of these reasons (drop_<name> in show), beside them; the table
 * made of this is checked against RELAY_VERDICT_COUNT by a static assert. */
#define RELAY_VERDICT_NAMES { \
	[RELAY_FORWARD] = "forward", \
	[RELAY_UNBOUND] = "relay_unbound", \
	[RELAY_UNKNOWN] = "relay_unknown", \
	[RELAY_RATE] = "relay_rate", \
	[RELAY_LOOP] = "relay_loop", \
}

/* Results of relay_bind. */
enum relay_bind_result {
	RELAY_BIND_OK = 0,
	RELAY_BIND_REPLAY,	/* nonce not newer than the last one */
	RELAY_BIND_FULL,	/* no free entry */
	RELAY_BIND_CLASH,	/* another key holds this id */
};

struct relay_stats {
	uint64_t	forwarded, forwarded_bytes;
	uint64_t	drops[RELAY_VERDICT_COUNT];
	uint64_t	binds, bind_refused;
	uint64_t	capped;		/* RELAY_RATE drops for the cap (the
					 * source's bucket checked first) */
	unsigned	entries;
};

struct relay;

struct relay *relay_new(const struct relay_config *);	/* NULL: no memory */
void	relay_free(struct relay *);

/* A member proved (BIND, checked by the caller) that it is key at addr,
 * and addr proved that it receives (the cookie round trip); nonce must be
 * larger than any earlier BIND of that key still remembered. Nothing else
 * may move a binding or advance its nonce: an unproven BIND would let
 * anyone who has (or replays) the member's BIND aim the member's traffic
 * at a victim, or lock the member out with a nonce from the future. */
enum relay_bind_result relay_bind(struct relay *, const uint8_t *key,
	    const struct sockaddr_in6 *addr, uint64_t nonce, uint64_t now);
/* A DHT client of ours: key is at addr until expires (ms, same clock).
 * An address set by a BIND still in force is kept: the member's BIND is
 * newer than a registration it has not renewed since it moved. */
enum relay_bind_result relay_client(struct relay *, const uint8_t *key,
	    const struct sockaddr_in6 *addr, uint64_t expires, uint64_t now);
/* 1 if key can be reached through us now. */
int	relay_known(const struct relay *, const uint8_t *key, uint64_t now);

/* May len bytes from `from` go to member id? On RELAY_FORWARD, *to is the
 * member's address and src_id the sender's id. Charges the sender's
 * bucket. */
enum relay_verdict relay_forward(struct relay *,
	    const struct sockaddr_in6 *from, const uint8_t *id, size_t len,
	    uint64_t now, struct sockaddr_in6 *to,
	    uint8_t src_id[RELAY_ID_LEN]);

/* Cookie secrets: 1 when the current one is older than RELAY_SECRET_MS
 * (or there is none): the caller then passes RELAY_SECRET_LEN fresh random
 * bytes to relay_secret_rotate, and the current secret becomes the
 * previous one. relay_secret(r, 0, now) makes new cookies; a cookie made
 * with relay_secret(r, 1, now) is still taken, so a cookie lives between
 * one and two turns. NULL: no such secret (or too old). */
int	relay_secret_due(const struct relay *, uint64_t now);
void	relay_secret_rotate(struct relay *,
	    const uint8_t fresh[RELAY_SECRET_LEN], uint64_t now);
const uint8_t *relay_secret(const struct relay *, int prev, uint64_t now);

/* Drop expired entries; returns when the next one expires (UINT64_MAX:
 * none). */
uint64_t relay_expire(struct relay *, uint64_t now);
void	relay_get_stats(const struct relay *, struct relay_stats *);
const char *relay_verdict_name(enum relay_verdict);

#endif
