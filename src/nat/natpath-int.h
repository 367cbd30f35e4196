/* Shared by natpath.c and natpath-queue.c only (the glue uses natpath.h). */
#ifndef MESH_NATPATH_INT_H
#define MESH_NATPATH_INT_H

#include <stdint.h>

#include "nat/natpath.h"

/* Queue an action for the glue (dropped, and counted, when full). */
void	natpath_push(struct natpath *, const struct natpath_action *);

#endif
