/* What the commands taking [IFACE] MEMBER share (mesh ping, mesh lookup):
 * the interface (the only one running when none is named) and the member,
 * found in the daemon's own list (show peers) by hostname, key, unique key
 * prefix or inside address. */
#ifndef MESH_CLI_MEMBER_H
#define MESH_CLI_MEMBER_H

#include <stddef.h>
#include <sys/types.h>

#include "control/ctlproto.h"

/* One more of the [IFACE] MEMBER words into words (at most two). 0, or
 * -1 when arg cannot be one (an option, or a third word): the caller
 * prints its usage. Keys may start with '-', short options may not. */
int	member_word(const char *arg, const char *words[2], int *nwords);
/* After the words (one or two): the interface (the first of two, else
 * the only one running) into ifname, its daemon's show peers reply into
 * *r (ctl_reply_free it) and the MEMBER word into *arg. 0, or -1 after
 * printing why ("mesh CMD: ..."). */
int	member_open(const char *cmd, const char *const words[2], int nwords,
	    char *ifname, size_t iflen, struct ctl_reply *r, const char **arg);
/* ifname's daemon's show peers reply into *r (ctl_reply_free it). 0, or -1
 * with err filled. */
int	member_show(const char *ifname, struct ctl_reply *r, char *err,
	    size_t errlen);
/* The member arg names in r: its index, or -1 with err filled (no such
 * member, or a prefix matching several). Tried in order: hostname (any
 * case), whole key, inside address, key prefix (4 characters or more). */
ssize_t	member_find(const struct ctl_reply *r, const char *arg, char *err,
	    size_t errlen);
/* The member of r whose key is key (text), or -1. */
ssize_t	member_by_key(const struct ctl_reply *r, const char *key);

#endif
