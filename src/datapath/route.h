/* Cryptokey routing (pure): which member owns an inside address.
 *
 * Outgoing, the destination address of a packet read from the TUN picks the
 * member whose session encrypts it. Incoming, a packet decrypted by member
 * i's session is delivered only if its source address belongs to member i,
 * so no member can speak with another member's inside address.
 *
 * Each member owns its IPv4 address from the subnet and its IPv6 ULA. The
 * table is an open-addressing hash per family, built once (at start-up or on
 * reload: build a new table and swap it in) and read per packet without
 * allocating. */
#ifndef MESH_ROUTE_H
#define MESH_ROUTE_H

#include <stddef.h>
#include <stdint.h>

/* Negative results of route_dst() and route_src(); callers count them. */
#define ROUTE_MALFORMED	(-1)	/* not a well-formed IPv4/IPv6 packet */
#define ROUTE_UNKNOWN	(-2)	/* unicast, but no member owns the address */
#define ROUTE_MCAST	(-3)	/* multicast or broadcast destination */
#define ROUTE_SPOOFED	(-4)	/* source owned by another member or none */

struct route_slot4 {
	uint32_t	ip;	/* host byte order */
	int32_t		idx;	/* member index; -1 = empty slot */
};

struct route_slot6 {
	uint8_t		ip[16];
	int32_t		idx;
};

struct route {
	struct route_slot4	*v4;
	struct route_slot6	*v6;
	uint32_t		 mask;		/* capacity - 1 (both tables) */
	uint32_t		 subnet;	/* host byte order, masked */
	uint32_t		 netmask;	/* host byte order */
	uint8_t			 ula[8];	/* the members' /64 */
};

/* Allocate a table for up to n members of subnet/prefixlen whose IPv6
 * addresses are in ula_prefix::/64; 0 or -1 (ENOMEM). */
int	route_init(struct route *, size_t n, uint32_t subnet,
	    unsigned prefixlen, const uint8_t ula_prefix[8]);
void	route_free(struct route *);

/* Record that member idx owns an address; -1 if the address is already
 * owned or the table is full. */
int	route_add4(struct route *, uint32_t ip4, int idx);
int	route_add6(struct route *, const uint8_t ip6[16], int idx);

/* The member owning an address, or ROUTE_UNKNOWN. */
int	route_lookup4(const struct route *, uint32_t ip4);
int	route_lookup6(const struct route *, const uint8_t ip6[16]);

/* Outgoing: the member to send the inside packet pkt (len bytes, as read
 * from the TUN) to, or a negative ROUTE_* reason. */
int	route_dst(const struct route *, const uint8_t *pkt, size_t len);

/* Incoming: pkt (len bytes) was decrypted by member idx's session. Returns
 * the packet's length per its IP header (the rest is padding), or a
 * negative ROUTE_* reason when it must be dropped. */
int	route_src(const struct route *, const uint8_t *pkt, size_t len,
	    int idx);

#endif
