/* UDP endpoints as the NAT modules keep them: struct sockaddr_in6, IPv4 as
 * v4-mapped (::ffff:a.b.c.d), the daemon's form. Small inline helpers. */
#ifndef MESH_NATEP_H
#define MESH_NATEP_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

/* An IPv4 endpoint (host byte order) as a v4-mapped sockaddr_in6. */
static inline void
natep_v4(struct sockaddr_in6 *ep, uint32_t ip, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->sin6_family = AF_INET6;
	ep->sin6_addr.s6_addr[10] = 0xff;
	ep->sin6_addr.s6_addr[11] = 0xff;
	ep->sin6_addr.s6_addr[12] = (uint8_t)(ip >> 24);
	ep->sin6_addr.s6_addr[13] = (uint8_t)(ip >> 16);
	ep->sin6_addr.s6_addr[14] = (uint8_t)(ip >> 8);
	ep->sin6_addr.s6_addr[15] = (uint8_t)ip;
	ep->sin6_port = htons(port);
}

static inline int
natep_same_ip(const struct sockaddr_in6 *a, const struct sockaddr_in6 *b)
{
	return memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0;
}

static inline int
natep_eq(const struct sockaddr_in6 *a, const struct sockaddr_in6 *b)
{
	return natep_same_ip(a, b) && a->sin6_port == b->sin6_port;
}

static inline int
natep_is_set(const struct sockaddr_in6 *a)
{
	return a->sin6_family == AF_INET6 && a->sin6_port != 0;
}

#endif
