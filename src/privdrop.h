/* Dropping root after start-up, in OpenSSH's order: supplementary groups,
 * then the group, then the user (real, effective and saved), then a check
 * that none of it can be undone and no capability is left.
 *
 * Which user: the one named (mesh up ... user NAME), else "mesh" when that
 * account exists (packagers create it: a system user with no shell and no
 * home), else "nobody". Nothing the daemon does after start-up needs
 * privileges: a reload never touches the TUN's addresses or routes (a change
 * of subnet or of our own address is refused as needing a restart), closing
 * the TUN removes it, port mappings are plain network requests, and the
 * control socket is left for `mesh down` (root) to remove. So every
 * capability goes; none is kept. The netconfig must stay readable by that
 * user for reloads (the private key is read once, before the drop). */
#ifndef MESH_PRIVDROP_H
#define MESH_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

#define PRIVDROP_DEFAULT_USER	"mesh"
#define PRIVDROP_FALLBACK_USER	"nobody"

struct privdrop_user {
	char	name[64];
	uid_t	uid;
	gid_t	gid;
};

/* Look the user up (NULL or "" for the default described above). 0, or -1
 * with err filled. */
int	privdrop_lookup(const char *name, struct privdrop_user *,
	    char *err, size_t errlen);

/* Become that user for good. When not running as root, only lets go of
 * any capability the process holds (file or ambient capabilities) and
 * stays who it is. Refuses a user with uid 0. 0, or -1 with err filled (the
 * caller must then exit: the process may be half-dropped). */
int	privdrop_drop(const struct privdrop_user *, char *err, size_t errlen);

/* 1 if the process holds no root uid and no capability (what
 * privdrop_drop checks at its end), else 0. */
int	privdrop_is_dropped(void);

#endif
