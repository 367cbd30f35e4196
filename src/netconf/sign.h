/* Signed netconfigs: signing, verifying, and the rule by which a member
 * accepts a new version (pure: no I/O, no globals; libsodium's Ed25519).
 *
 * A signed netconfig is one text file whose last line is
 *	signature ADMINKEY SIGNATURE
 * SIGNATURE (86 characters of base64url) is ADMINKEY's Ed25519 signature
 * of NETCONF_SIGN_CONTEXT followed by every byte of the file before that
 * line (the context keeps an admin key's signature of a netconfig from
 * being taken for a signature of anything else it may sign later). */
#ifndef MESH_SIGN_H
#define MESH_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "netconf/adminkey.h"
#include "netconf/netconf.h"

#define NETCONF_SIGN_CONTEXT	"mesh netconfig signature v1\n"

/* A signed copy of buf (len bytes, parsed as nc) by the admin key sk, in
 * *out (*outlen bytes, malloc'd): buf without its signature line if it had
 * one, a newline if it did not end with one, and the new signature line.
 * Refused (-1, err set) unless the file has a version and the signer is one
 * of its admins; or, with prev (the version the members run now), unless
 * the signer is an admin of prev, the version is higher than prev's and
 * nothing changes that a reload refuses. */
int	netconf_sign(const char *buf, size_t len, const struct netconf *nc,
	    const uint8_t sk[ADMIN_SK_LEN], const struct netconf *prev,
	    char **out, size_t *outlen, char *err, size_t errlen);

/* Check the signature of buf, parsed as nc (nc->sig_line != 0): 0, or -1
 * with err set. Says nothing of who may sign: see netconf_accept. */
int	netconf_verify(const char *buf, size_t len, const struct netconf *nc,
	    char *err, size_t errlen);

/* What netconf_accept says of a candidate, as counted in mesh show. */
enum nc_verdict {
	NCV_OK,			/* apply it */
	NCV_SAME,		/* the very version running now: nothing to do */
	NCV_UNSIGNED,		/* not signed, where a signature is needed */
	NCV_NO_ADMIN,		/* the running netconfig names no admin */
	NCV_NOT_ADMIN,		/* signed by a key not admin of the running one */
	NCV_BAD_SIGNATURE,	/* forged, or changed after signing */
	NCV_NO_VERSION,		/* signed but without a version */
	NCV_ROLLBACK,		/* an older version */
	NCV_SAME_VERSION,	/* the running version, other contents */
	NCV_CHANGE,		/* name, namespace, subnet, workbit, domain */
	NCV_SELF,		/* this member removed or renumbered */
	/* Never from netconf_accept: what fetching a version from a member
	 * (ncsync.h) refuses before it gets there. */
	NCV_TOO_BIG,		/* announced more than NETCONF_MAX_SIZE */
	NCV_BAD_HASH,		/* not the file its hash announced */
	NCV_MALFORMED,		/* chunks that do not add up, or no netconfig */
	NCV_FORK,		/* our version with other contents */
	NCV_COUNT
};
/* A short name ("rollback", "bad-signature"...) for logs and counters. */
const char *netconf_verdict_name(enum nc_verdict);

/* The hash members announce a netconfig by (ncsync.h): BLAKE2b-128 of
 * every byte of the file. */
#define NETCONF_HASH_LEN	16
void	netconf_hash(const char *buf, size_t len,
	    uint8_t out[NETCONF_HASH_LEN]);

/* NETCONF_ACCEPT_LOCAL: the candidate comes from this machine's own file
 * (mesh up or mesh reload by root), not from the network. Then, as today,
 * an unsigned candidate replaces an unsigned running netconfig (or none),
 * and a signed one with a valid signature and a version replaces a running
 * netconfig that names no admin, whoever signed it (how a network starts
 * signing; root trusts its own file). From the network, only the strict
 * rule applies, and with nothing running the signer must be an admin of
 * the candidate itself (a joining member also checks it against the
 * admins of its join string). */
#define NETCONF_ACCEPT_LOCAL	0x1

/* May cand (parsed from buf, len bytes) replace cur (NULL: nothing runs
 * yet)? self is this member's public key
 * (NULL: not checked). The strict rule: cand is signed, by an admin of cur
 * (not of cand: else anyone could list themselves), the signature is
 * valid, its version is higher than cur's, and it changes nothing that a
 * reload refuses (netconf_reload_check). A refusal's reason goes to why,
 * one line, ready to log. */
enum nc_verdict netconf_accept(const struct netconf *cur,
	    const struct netconf *cand, const char *buf, size_t len,
	    const uint8_t self[KEY_LEN], unsigned flags, char *why,
	    size_t whylen);

#endif
