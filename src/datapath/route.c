/* Cryptokey routing table (pure; see route.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "datapath/route.h"

#define IP4_HDR		20
#define IP6_HDR		40

static uint32_t
hash4(uint32_t ip)
{
	ip ^= ip >> 16;
	ip *= 0x7feb352dU;
	ip ^= ip >> 15;
	return ip;
}

static uint32_t
hash6(const uint8_t ip[16])
{
	uint64_t	h = 0;
	int		i;

	/* The interface identifier (low 64 bits) is derived from a key hash
	 * in members' addresses, but mix all bytes: lookups see any address. */
	for (i = 0; i < 16; i++)
		h = (h ^ ip[i]) * 0x100000001b3ULL;
	return (uint32_t)(h ^ (h >> 32));
}

int
route_init(struct route *r, size_t n, uint32_t subnet, unsigned prefixlen,
    const uint8_t ula_prefix[8])
{
	size_t	cap = 8, i;

	memset(r, 0, sizeof(*r));
	if (n > (1U << 28)) {
		errno = ENOMEM;
		return -1;
	}
	while (cap < 2 * n)	/* load factor at most 1/2 */
		cap *= 2;
	r->v4 = calloc(cap, sizeof(*r->v4));
	r->v6 = calloc(cap, sizeof(*r->v6));
	if (r->v4 == NULL || r->v6 == NULL) {
		route_free(r);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < cap; i++) {
		r->v4[i].idx = -1;
		r->v6[i].idx = -1;
	}
	r->mask = (uint32_t)cap - 1;
	r->netmask = prefixlen == 0 ? 0 : 0xffffffffU << (32 - prefixlen);
	r->subnet = subnet & r->netmask;
	memcpy(r->ula, ula_prefix, sizeof(r->ula));
	return 0;
}

void
route_free(struct route *r)
{
	free(r->v4);
	free(r->v6);
	r->v4 = NULL;
	r->v6 = NULL;
}

int
route_add4(struct route *r, uint32_t ip, int idx)
{
	uint32_t	i, n;

	for (i = hash4(ip) & r->mask, n = 0; n <= r->mask;
	    i = (i + 1) & r->mask, n++) {
		if (r->v4[i].idx == -1) {
			r->v4[i].ip = ip;
			r->v4[i].idx = idx;
			return 0;
		}
		if (r->v4[i].ip == ip)
			return -1;
	}
	return -1;
}

int
route_add6(struct route *r, const uint8_t ip[16], int idx)
{
	uint32_t	i, n;

	for (i = hash6(ip) & r->mask, n = 0; n <= r->mask;
	    i = (i + 1) & r->mask, n++) {
		if (r->v6[i].idx == -1) {
			memcpy(r->v6[i].ip, ip, 16);
			r->v6[i].idx = idx;
			return 0;
		}
		if (memcmp(r->v6[i].ip, ip, 16) == 0)
			return -1;
	}
	return -1;
}

int
route_lookup4(const struct route *r, uint32_t ip)
{
	uint32_t	i, n;

	for (i = hash4(ip) & r->mask, n = 0; n <= r->mask;
	    i = (i + 1) & r->mask, n++) {
		if (r->v4[i].idx == -1)
			break;
		if (r->v4[i].ip == ip)
			return r->v4[i].idx;
	}
	return ROUTE_UNKNOWN;
}

int
route_lookup6(const struct route *r, const uint8_t ip[16])
{
	uint32_t	i, n;

	for (i = hash6(ip) & r->mask, n = 0; n <= r->mask;
	    i = (i + 1) & r->mask, n++) {
		if (r->v6[i].idx == -1)
			break;
		if (memcmp(r->v6[i].ip, ip, 16) == 0)
			return r->v6[i].idx;
	}
	return ROUTE_UNKNOWN;
}

/* The length the IP header claims, if the packet is well formed. */
static int
ip_len(const uint8_t *pkt, size_t len)
{
	size_t	n;

	if (len < 1)
		return ROUTE_MALFORMED;
	switch (pkt[0] >> 4) {
	case 4:
		if (len < IP4_HDR || (pkt[0] & 0x0f) < 5)
			return ROUTE_MALFORMED;
		n = (size_t)pkt[2] << 8 | pkt[3];
		if (n < (size_t)(pkt[0] & 0x0f) * 4 || n > len)
			return ROUTE_MALFORMED;
		return (int)n;
	case 6:
		if (len < IP6_HDR)
			return ROUTE_MALFORMED;
		n = IP6_HDR + ((size_t)pkt[4] << 8 | pkt[5]);
		/* A zero payload length means a jumbogram: never here. */
		if (n > len)
			return ROUTE_MALFORMED;
		return (int)n;
	default:
		return ROUTE_MALFORMED;
	}
}

int
route_dst(const struct route *r, const uint8_t *pkt, size_t len)
{
	uint32_t	dst;
	int		idx;

	if (len < 1)
		return ROUTE_MALFORMED;
	switch (pkt[0] >> 4) {
	case 4:
		if (len < IP4_HDR)
			return ROUTE_MALFORMED;
		dst = be32_get(pkt + 16);
		idx = route_lookup4(r, dst);
		if (idx >= 0)
			return idx;
		if ((dst & 0xf0000000U) == 0xe0000000U ||
		    dst == 0xffffffffU ||
		    ((dst & r->netmask) == r->subnet && r->netmask <
		    0xfffffffeU && (dst | r->netmask) == 0xffffffffU))
			return ROUTE_MCAST;
		return ROUTE_UNKNOWN;
	case 6:
		if (len < IP6_HDR)
			return ROUTE_MALFORMED;
		if (pkt[24] == 0xff)
			return ROUTE_MCAST;
		return route_lookup6(r, pkt + 24);
	default:
		return ROUTE_MALFORMED;
	}
}

int
route_src(const struct route *r, const uint8_t *pkt, size_t len, int idx)
{
	int	n, owner;

	if ((n = ip_len(pkt, len)) < 0)
		return n;
	if (pkt[0] >> 4 == 4)
		owner = route_lookup4(r, be32_get(pkt + 12));
	else
		owner = route_lookup6(r, pkt + 8);
	return owner == idx ? n : ROUTE_SPOOFED;
}
