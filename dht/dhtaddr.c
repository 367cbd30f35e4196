/* struct dht_addr: conversions to and from sockaddrs, comparison,
 * formatting; and the first-byte test of a DHT datagram. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "dhtint.h"

int
dht_addr_from_sockaddr(struct dht_addr *a, const struct sockaddr *sa)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		a->family = DHT_AF_INET;
		memcpy(a->addr, &sin.sin_addr, 4);
		a->port = ntohs(sin.sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		a->port = ntohs(sin6.sin6_port);
		if (memcmp(&sin6.sin6_addr, mapped, sizeof(mapped)) == 0) {
			a->family = DHT_AF_INET;
			memcpy(a->addr, (uint8_t *)&sin6.sin6_addr + 12, 4);
		} else {
			a->family = DHT_AF_INET6;
			memcpy(a->addr, &sin6.sin6_addr, 16);
		}
		return 0;
	}
	return -1;
}

size_t
dht_addr_to_sockaddr(const struct dht_addr *a, struct sockaddr *ss)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	if (a->family == DHT_AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->addr, 4);
		sin.sin_port = htons(a->port);
		memcpy(ss, &sin, sizeof(sin));
		return sizeof(sin);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_addr, a->addr, 16);
	sin6.sin6_port = htons(a->port);
	memcpy(ss, &sin6, sizeof(sin6));
	return sizeof(sin6);
}

int
dht_addr_set_v4(struct dht_addr *a, uint32_t ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = DHT_AF_INET;
	a->addr[0] = (uint8_t)(ip >> 24);
	a->addr[1] = (uint8_t)(ip >> 16);
	a->addr[2] = (uint8_t)(ip >> 8);
	a->addr[3] = (uint8_t)ip;
	a->port = port;
	return port == 0 ? -1 : 0;
}

int
dht_addr_eq(const struct dht_addr *a, const struct dht_addr *b)
{
	size_t	n = a->family == DHT_AF_INET ? 4 : 16;

	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, n) == 0;
}

const char *
dht_addr_format(char out[DHT_ADDR_STRLEN], const struct dht_addr *a)
{
	char	host[INET6_ADDRSTRLEN];

	if (a->family == DHT_AF_INET) {
		inet_ntop(AF_INET, a->addr, host, sizeof(host));
		snprintf(out, DHT_ADDR_STRLEN, "%s:%u", host, a->port);
	} else if (a->family == DHT_AF_INET6) {
		inet_ntop(AF_INET6, a->addr, host, sizeof(host));
		snprintf(out, DHT_ADDR_STRLEN, "[%s]:%u", host, a->port);
	} else
		snprintf(out, DHT_ADDR_STRLEN, "?");
	return out;
}

int
dht_is_dht_packet(const uint8_t *buf, size_t len)
{
	return len > 0 && buf[0] >= DHT_TYPE_MIN && buf[0] <= DHT_TYPE_MAX;
}
