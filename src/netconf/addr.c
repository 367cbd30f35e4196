/* Addresses inside the mesh (pure). */
#include "config.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "netconf/addr.h"

int
addr_ip4_parse(const char *s, uint32_t *ip)
{
	uint32_t	v = 0;
	unsigned	part, ndigits;
	int		i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -1;
		part = 0;
		ndigits = 0;
		while (*s >= '0' && *s <= '9') {
			if (ndigits > 0 && part == 0)
				return -1;	/* leading zero */
			part = part * 10 + (unsigned)(*s - '0');
			if (part > 255)
				return -1;
			ndigits++;
			s++;
		}
		if (ndigits == 0)
			return -1;
		v = v << 8 | part;
	}
	if (*s != '\0')
		return -1;
	*ip = v;
	return 0;
}

int
addr_ip4_like(const char *s)
{
	int	dot = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '.')
			dot = 1;
		else if (*s < '0' || *s > '9')
			return 0;
	}
	return dot;
}

void
addr_ip4_format(char out[ADDR_IP4_STRLEN], uint32_t ip)
{
	snprintf(out, ADDR_IP4_STRLEN, "%u.%u.%u.%u", ip >> 24,
	    ip >> 16 & 0xff, ip >> 8 & 0xff, ip & 0xff);
}

int
addr_ip6_parse(const char *s, uint8_t ip6[16])
{
	return inet_pton(AF_INET6, s, ip6) == 1 ? 0 : -1;
}

void
addr_ip6_format(char out[ADDR_IP6_STRLEN], const uint8_t ip6[16])
{
	if (inet_ntop(AF_INET6, ip6, out, ADDR_IP6_STRLEN) == NULL)
		out[0] = '\0';		/* cannot happen: the buffer fits */
}

uint32_t
addr_ip4_mask(unsigned prefixlen)
{
	if (prefixlen == 0)
		return 0;
	if (prefixlen >= 32)
		return 0xffffffffu;
	return ~(0xffffffffu >> prefixlen);
}

int
addr_ip4_in_subnet(uint32_t ip, uint32_t subnet, unsigned prefixlen)
{
	uint32_t	mask = addr_ip4_mask(prefixlen);

	return (ip & mask) == (subnet & mask);
}

int
addr_ip4_is_host(uint32_t ip, uint32_t subnet, unsigned prefixlen)
{
	uint32_t	mask = addr_ip4_mask(prefixlen);

	if (prefixlen >= 31 || !addr_ip4_in_subnet(ip, subnet, prefixlen))
		return 0;
	return (ip & ~mask) != 0 && (ip & ~mask) != ~mask;
}

uint32_t
addr_ip4_nhosts(unsigned prefixlen)
{
	if (prefixlen >= 31)
		return 0;
	if (prefixlen == 0)
		return 0xfffffffeu;
	return (1u << (32 - prefixlen)) - 2;
}

static void
hash2(uint8_t out[32], const void *a, size_t alen, const void *b,
    size_t blen)
{
	crypto_generichash_state	st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, a, alen);
	crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, out, 32);
}

void
addr_ula_prefix(uint8_t prefix[8], const char *ns, size_t nslen)
{
	static const char	tag[] = "mesh-ula";
	uint8_t			h[32];

	hash2(h, tag, sizeof(tag) - 1, ns, nslen);
	prefix[0] = 0xfd;
	memcpy(prefix + 1, h, 7);
}

void
addr_ula_iid(uint8_t iid[8], const char *ns, size_t nslen,
    const uint8_t pk[ADDR_KEY_LEN])
{
	uint8_t	h[32];

	/* The last 8 bytes: the first ones carry the key's proof of work
	 * (leading zero bits of this same hash), so they are not random. */
	hash2(h, ns, nslen, pk, ADDR_KEY_LEN);
	memcpy(iid, h + 24, 8);
}

void
addr_ula(uint8_t ip6[16], const uint8_t prefix[8], const char *ns,
    size_t nslen, const uint8_t pk[ADDR_KEY_LEN])
{
	memcpy(ip6, prefix, 8);
	addr_ula_iid(ip6 + 8, ns, nslen, pk);
}
