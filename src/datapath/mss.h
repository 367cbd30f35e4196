/* TCP MSS clamp (pure): the belt to path MTU discovery's braces. A TCP SYN
 * or SYN-ACK crossing the tunnel whose MSS option promises more than the
 * path carries gets the option lowered, so that both ends send segments
 * that fit from the first one, before any "too big" error could be seen.
 *
 * The limit for an inner MTU m is m - 40 over IPv4 (20 IP + 20 TCP) and
 * m - 60 over IPv6 (40 + 20). Only the MSS value and the TCP checksum
 * change (RFC 1624 incremental update); anything the parser does not fully
 * understand (fragments, truncated or malformed headers or options, an
 * IPv6 jumbogram or a fragment header) is left untouched. The parser never
 * reads outside [pkt, pkt + len). */
#ifndef MESH_MSS_H
#define MESH_MSS_H

#include <stddef.h>
#include <stdint.h>

#define MSS_IP4_OVERHEAD	40
#define MSS_IP6_OVERHEAD	60
#define MSS_MIN			536	/* never clamp below (RFC 879) */

/* The largest MSS an inner MTU carries (never below MSS_MIN). */
unsigned mss_limit(unsigned inner_mtu, int ipv6);

/* Clamp the MSS option(s) of pkt (an IPv4 or IPv6 packet of len bytes) if
 * it is a TCP segment with SYN set. csum_partial: the TCP checksum field
 * holds only the pseudo-header sum, to be completed later (a TUN packet
 * with NEEDS_CSUM): then it is left alone. Returns 1 when the packet was
 * changed, 0 when not (also when inner_mtu is 0: unknown). */
int	mss_clamp(uint8_t *pkt, size_t len, unsigned inner_mtu,
	    int csum_partial);

#endif
