/* A parsed netconfig's members, found by key or inside address. Below the
 * parser and the signing rules, which both look members up. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "netconf/netconf.h"

const struct nc_member *
netconf_member_by_key(const struct netconf *nc, const uint8_t key[KEY_LEN])
{
	size_t	i;

	for (i = 0; i < nc->nmembers; i++)
		if (memcmp(nc->members[i].key, key, KEY_LEN) == 0)
			return &nc->members[i];
	return NULL;
}

const struct nc_member *
netconf_member_by_ip4(const struct netconf *nc, uint32_t ip4)
{
	size_t	i;

	for (i = 0; i < nc->nmembers; i++)
		if (nc->members[i].ip4 == ip4)
			return &nc->members[i];
	return NULL;
}

const struct nc_member *
netconf_member_by_ip6(const struct netconf *nc, const uint8_t ip6[16])
{
	size_t	i;

	for (i = 0; i < nc->nmembers; i++)
		if (memcmp(nc->members[i].ip6, ip6, 16) == 0)
			return &nc->members[i];
	return NULL;
}
