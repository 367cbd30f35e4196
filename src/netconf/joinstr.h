/* The join string an admin hands a newcomer (pure: no I/O, no globals):
 * what a machine needs to find a network and trust what it fetches from
 * it, in one line to paste:
 *
 *	mesh1:BASE64URL
 *
 * BASE64URL (no padding) encodes, in order: a format byte (1); the
 * network name and the namespace, each a length byte and its bytes (an
 * empty namespace means "public"); the version the admin saw, as an
 * unsigned LEB128 varint (the newcomer accepts nothing older); the number
 * of admin keys (1 to JOIN_MAX_ADMINS) and their 32 bytes each; the number
 * of boot nodes (0 to JOIN_MAX_BOOTS), each its 32-byte key, a length byte
 * and the host, and the port (2 bytes, big-endian); the number of contacts
 * (0 to JOIN_MAX_CONTACTS), members' 32-byte keys that the newcomer looks
 * up in the DHT to fetch the netconfig from; then a CRC-32 of all that (4
 * bytes, big-endian). The CRC catches a string cut or mistyped in
 * the copying; it is no protection against forgery, nor need it be: the
 * string is the newcomer's root of trust and comes from the admin by a
 * channel the newcomer already trusts, as a public key would. */
#ifndef MESH_JOINSTR_H
#define MESH_JOINSTR_H

#include <stddef.h>
#include <stdint.h>

#include "netconf/netconf.h"

#define JOINSTR_PREFIX		"mesh1:"
#define JOIN_MAX_ADMINS		4
#define JOIN_MAX_BOOTS		8
#define JOIN_MAX_CONTACTS	4
#define JOINSTR_MAX_BYTES	(1 + 2 * (1 + NETCONF_NAME_MAX) + 10 + \
	1 + JOIN_MAX_ADMINS * KEY_LEN + \
	1 + JOIN_MAX_BOOTS * (KEY_LEN + 1 + NETCONF_HOST_MAX + 2) + \
	1 + JOIN_MAX_CONTACTS * KEY_LEN + 4)
/* The longest string, with the prefix and the NUL. */
#define JOINSTR_MAX_LEN		(sizeof(JOINSTR_PREFIX) + \
	(JOINSTR_MAX_BYTES * 4 + 2) / 3)

struct joinstr {
	char			name[NETCONF_NAME_MAX + 1];
	char			ns[NETCONF_NAME_MAX + 1];
	uint64_t		version;
	uint8_t			admins[JOIN_MAX_ADMINS][KEY_LEN];
	size_t			nadmins;
	struct {
		uint8_t			key[KEY_LEN];
		struct nc_endpoint	ep;
	}			boots[JOIN_MAX_BOOTS];
	size_t			nboots;
	uint8_t			contacts[JOIN_MAX_CONTACTS][KEY_LEN];
	size_t			ncontacts;
};

/* The join string of a netconfig: its name, namespace, version, its first
 * JOIN_MAX_ADMINS admins and JOIN_MAX_BOOTS boot nodes, and as contacts
 * its first JOIN_MAX_CONTACTS members, those with an endpoint first (the
 * caller may put its own key first instead: mesh add on a member). */
void	joinstr_from_netconf(struct joinstr *, const struct netconf *);

/* Encode js into out (outlen bytes, JOINSTR_MAX_LEN is always enough);
 * returns the length, or -1 if js is not valid (no admin, too many, a name
 * or host too long...) or out is too small. */
int	joinstr_encode(const struct joinstr *js, char *out, size_t outlen);

/* Decode s (a NUL-terminated string); 0, or -1 with err set to what is
 * wrong with it (a wrong prefix, a bad checksum, an invalid field). */
int	joinstr_decode(struct joinstr *js, const char *s, char *err,
	    size_t errlen);

#endif
