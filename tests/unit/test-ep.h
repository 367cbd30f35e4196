/* Endpoints for the NAT and path unit tests: ep(IP(203, 0, 113, 1), 6374)
 * is 203.0.113.1:6374 as the daemon stores it (IPv4-mapped IPv6). */
#ifndef MESH_TEST_EP_H
#define MESH_TEST_EP_H

#include "nat/natep.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static inline struct sockaddr_in6
ep(uint32_t ip, uint16_t port)
{
	struct sockaddr_in6	e;

	natep_v4(&e, ip, port);
	return e;
}

#endif
