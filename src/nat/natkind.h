/* Own-mapping discovery: what kind of NAT (if any) stands between our UDP
 * socket and the world, from the reflexive addresses that DHT peers echo
 * (STUN-like). Pure: observations in, a classification out.
 *
 *	none			a peer saw our own address and port
 *	endpoint-independent	peers at two or more addresses saw the same
 *				reflexive endpoint (cone NAT: punchable, the
 *				reflexive endpoint can be advertised)
 *	endpoint-dependent	different peers saw different endpoints
 *				("symmetric" NAT: punching only works towards
 *				endpoint-independent peers; relay otherwise)
 *	unknown			not enough recent observations
 *
 * Only the newest observation per observer counts, and only those younger
 * than NATKIND_WINDOW, so that a changed mapping (router reboot, roaming)
 * is not mistaken for an endpoint-dependent one for long. */
#ifndef MESH_NATKIND_H
#define MESH_NATKIND_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "nat/portpredict.h"

#define NATKIND_MAX_OBS		16
#define NATKIND_WINDOW		(10 * 60 * 1000)	/* ms */

enum natkind_kind {
	NATKIND_UNKNOWN = 0,
	NATKIND_NONE,		/* not behind a NAT */
	NATKIND_EIM,		/* endpoint-independent mapping */
	NATKIND_EDM,		/* endpoint-dependent mapping */
};

struct natkind_obs {
	struct sockaddr_in6	observer;	/* who reported */
	struct sockaddr_in6	reflexive;	/* what it saw */
	uint64_t		at;		/* ms */
};

struct natkind {
	struct natkind_obs	obs[NATKIND_MAX_OBS];
	size_t			n;
	struct sockaddr_in6	local[4];	/* our socket's own addresses */
	size_t			nlocal;
};

struct natkind_result {
	enum natkind_kind	kind;
	struct sockaddr_in6	reflexive;	/* the (most common) reflexive
						 * endpoint; unset if none */
	unsigned		observers;	/* distinct observer addresses */
	unsigned		mappings;	/* distinct reflexive endpoints */
	int			port_preserved;	/* reflexive port == ours */
	/* endpoint-dependent: how the NAT picks ports (portpredict.c),
	 * from the ports of the reflexive endpoints at our public address */
	struct pp_result	pp;
};

void	natkind_init(struct natkind *);
/* Our socket's own endpoints (interface addresses with the bound port),
 * for "none"; up to 4, later calls replace. */
void	natkind_set_local(struct natkind *, const struct sockaddr_in6 *eps,
	    size_t n);
/* A peer at `observer` saw us as `reflexive` at now. Replaces that
 * observer's earlier report; the oldest report makes room when full. */
void	natkind_observe(struct natkind *, const struct sockaddr_in6 *observer,
	    const struct sockaddr_in6 *reflexive, uint64_t now);
/* Forget everything (e.g. our local address changed). */
void	natkind_reset(struct natkind *);
void	natkind_classify(const struct natkind *, uint64_t now,
	    struct natkind_result *);

const char *natkind_name(enum natkind_kind);

#endif
