/* The member set as one table: member i of the netconfig is peer[i], and
 * the routing table maps inside addresses to those indices. The daemon
 * builds a table whole from a netconfig; the data path and discovery read
 * it (by index, or through the one struct peer per member that each layer
 * extends: the tunnel session, the path, path.nat for discovery).
 *
 * A table is never edited once in use. A reload builds a new table from the
 * new netconfig and the old table (the peers of members whose keys remain
 * are reused, so their sessions survive), hands the new pointer to each
 * layer (datapath_set_peers, disc_set_peers), then frees the old table,
 * which destroys the peers the new one no longer holds.
 *
 * Pure: the peers are made and unmade through the caller's members_ops
 * (the daemon adds a timer and resolves endpoints there). */
#ifndef MESH_MEMBERS_H
#define MESH_MEMBERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "datapath/route.h"
#include "netconf/netconf.h"

struct peer;

struct members {
	struct peer	**peer;		/* n; NULL for this node itself and
					 * for a member whose peer could
					 * not be made */
	size_t		  n;		/* netconfig members; 0 headless */
	ssize_t		  self;		/* this node's index; -1 headless */
	struct route	  route;	/* inside address -> index (zeroed
					 * and unused when headless) */
	uint32_t	 *bykey;	/* open addressing: index + 1, 0 */
	size_t		  bykey_mask;
};

/* How peers are made and unmade. */
struct members_ops {
	/* A new peer for member m at index idx; NULL when it cannot be made
	 * (the member is left out: peer[idx] stays NULL). */
	struct peer	*(*create)(void *arg, const struct nc_member *m,
			    size_t idx);
	/* p (reused from the old table) is now member m: p's index,
	 * addresses and hostname are already updated; the caller's part
	 * (its configured endpoint). May be NULL. */
	void		 (*update)(void *arg, struct peer *p,
			    const struct nc_member *m);
	/* p leaves the member set: free it and whatever the caller hung on
	 * it. */
	void		 (*destroy)(void *arg, struct peer *p);
};

/* What a build changed against the old table (peers, self excluded). */
struct members_diff {
	size_t	added;		/* new keys (counted even if create failed) */
	size_t	removed;	/* old peers the new table does not hold */
	size_t	changed;	/* same key, new address or hostname */
	size_t	unchanged;
};

/*
 * A table for nc with this node at index self (-1: headless, an empty
 * table). Each other member's peer is old's peer with the same key (its
 * idx, ip4, ip6 and hostname set from nc, then ops->update), or a new one
 * from ops->create. old may be NULL (start-up); it is not changed, but the
 * peers it shares with the new table are. diff may be NULL. NULL if out of
 * memory, before any peer was made or changed.
 */
struct members *members_build(const struct netconf *nc, ssize_t self,
	    const struct members *old, const struct members_ops *ops,
	    void *arg, struct members_diff *diff);

/* Free a table no layer uses any more, destroying (ops->destroy) each of
 * its peers that keep does not hold; keep NULL destroys them all. */
void	members_free(struct members *, const struct members *keep,
	    const struct members_ops *ops, void *arg);

/* Member idx's peer, or NULL (out of range, self, not made). */
static inline struct peer *
members_peer(const struct members *mb, size_t idx)
{
	return idx < mb->n ? mb->peer[idx] : NULL;
}

/* The peer whose static public key is key, or NULL. */
struct peer *members_by_key(const struct members *,
	    const uint8_t key[KEY_LEN]);
/* The first peer whose key starts with the len bytes of prefix (len at
 * least MEMBERS_PREFIX_MIN: the index hashes that many), or NULL. The NAT
 * layer's relay envelope names a member by the first 8 bytes of its key. */
#define MEMBERS_PREFIX_MIN	4
struct peer *members_by_prefix(const struct members *, const uint8_t *prefix,
	    size_t len);

#endif
