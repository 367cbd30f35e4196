/* Shared by natpath.c, natpath-cand.c and natpath-queue.c only (the glue
 * uses natpath.h). */
#ifndef MESH_NATPATH_INT_H
#define MESH_NATPATH_INT_H

#include <stdint.h>

#include "nat/natpath.h"

/* Queue an action for the glue (dropped, and counted, when full). */
void	natpath_push(struct natpath *, const struct natpath_action *);

/* The candidate table (natpath-cand.c). Lower rank is better. */
int	natpath_rank(enum natpath_src);
struct natpath_cand *natpath_find(struct natpath *,
	    const struct sockaddr_in6 *);
/* Add or refresh; returns the candidate (NULL for an unset endpoint) and
 * whether it is new. */
struct natpath_cand *natpath_cand_add(struct natpath *,
	    const struct sockaddr_in6 *, enum natpath_src, uint64_t now,
	    int *isnew);
/* Another endpoint of the member that answered a probe since our sends
 * began to wait (the best one), or NULL. */
struct natpath_cand *natpath_answered_elsewhere(struct natpath *);

#endif
