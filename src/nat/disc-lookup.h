/* mesh lookup: one DHT lookup asked for by the operator, its events
 * gathered into one result (disc-lookup.c). Unlike the member lookups of
 * dht-glue.c, it changes nothing: it only reports what the DHT returns. */
#ifndef MESH_DISC_LOOKUP_H
#define MESH_DISC_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

struct disc;
struct dht;

#define DISC_LOOKUP_EPS		16	/* endpoints kept (more are counted) */
#define DISC_LOOKUP_RVS		16	/* rendezvous kept */
#define DISC_ADDRSTRLEN		56	/* "[v6]:port", as DHT_ADDR_STRLEN */

struct disc_lookup_result {
	uint8_t		key[32];	/* what was looked up */
	int		error;		/* 0, or an errno value: ECANCELED
					 * when discovery stopped first */
	int		found;		/* an endpoint was reported */
	unsigned	rounds;		/* hop depth of the answer */
	unsigned	messages;	/* requests sent */
	uint64_t	elapsed_ms;
	struct {
		char	addr[DISC_ADDRSTRLEN];
		int	reachable;	/* 1: the owner answered there itself;
					 * 0: a rendezvous reported it */
	}		eps[DISC_LOOKUP_EPS];
	size_t		neps;
	struct {
		uint8_t	key[32];
		char	addr[DISC_ADDRSTRLEN];	/* the node's */
		char	observed[DISC_ADDRSTRLEN]; /* the owner, as the node
						    * sees it ("" unknown) */
	}		rvs[DISC_LOOKUP_RVS];
	size_t		nrvs;
};

typedef void disc_lookup_done(void *arg, const struct disc_lookup_result *);

/*
 * Look key up in the DHT; done(arg, result) is called exactly once, later
 * (never from inside this call): when the DHT is done, or with error
 * ECANCELED when discovery is freed first. Returns 0, or an errno value
 * when it cannot start (done is then never called): ENOTCONN no DHT,
 * EINVAL our own key, EBUSY too many lookups, ENOMEM.
 */
int	disc_lookup(struct disc *, const uint8_t key[32], disc_lookup_done *,
	    void *arg);
/* The DHT (NULL: none yet, or stopped). Defined in dht-glue.c, which owns
 * it: the one thing of discovery this file reads. */
struct dht *disc_dht(struct disc *);
/* Discovery is being freed: end its lookups (done with ECANCELED). */
void	disc_lookup_cancel_all(struct disc *);

#endif
