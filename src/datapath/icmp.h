/* ICMP and ICMPv6 errors the daemon writes back into the TUN (pure).
 *
 * Built for an inside packet read from the TUN that cannot be sent: its
 * destination has no member (destination/address unreachable), or it is
 * larger than the tunnel's MTU (fragmentation needed / packet too big).
 * The error's source address is the packet's destination, which routes
 * through the TUN and is not local, so the kernel accepts it as input.
 *
 * No error is built (RFC 1122 3.2.2, RFC 4443 2.4) for ICMP errors, for
 * multicast or broadcast destinations, for non-first IPv4 fragments, or for
 * an unspecified or multicast source. */
#ifndef MESH_ICMP_H
#define MESH_ICMP_H

#include <stddef.h>
#include <stdint.h>

/* Largest error built: 576 bytes for IPv4 (RFC 1812 4.3.2.3), the IPv6
 * minimum MTU for IPv6. A buffer of ICMP_MAX bytes always suffices. */
#define ICMP_MAX	1280

/* An unreachable for pkt (len bytes) into out (outlen bytes); returns its
 * length, or 0 when none must be sent. */
size_t	icmp_unreach(uint8_t *out, size_t outlen, const uint8_t *pkt,
	    size_t len);

/* "Packet too big" with next-hop MTU mtu; for IPv4 only when the packet has
 * DF set (else 0: the caller drops it). */
size_t	icmp_too_big(uint8_t *out, size_t outlen, const uint8_t *pkt,
	    size_t len, unsigned mtu);

/* The Internet checksum of buf, folded, starting from partial sum sum. */
uint16_t icmp_cksum(const uint8_t *buf, size_t len, uint32_t sum);

#endif
