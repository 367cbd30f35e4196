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

/* Become that user for good, with no_new_privs set and not dumpable (see
 * privdrop_nodump). When not running as root, stays who it is but lets go
 * of any capability the process holds (file or ambient capabilities) and
 * sets no_new_privs and non-dumpable all the same. Refuses a user with
 * uid 0. 0, or -1 with err filled (the caller must then exit: the process
 * may be half-dropped). */
int	privdrop_drop(const struct privdrop_user *, char *err, size_t errlen);

/* Make the process non-dumpable (prctl PR_SET_DUMPABLE 0): no core dump,
 * and no ptrace or reading of its memory through /proc by processes of the
 * same user, so the private key stays in the process. Its /proc/PID files
 * then belong to root; the process itself still reads /proc/self. The
 * kernel resets this on every uid or gid change (to fs.suid_dumpable),
 * which is why privdrop_drop sets it again at its end. 0, or -1 with err
 * filled. */
int	privdrop_nodump(char *err, size_t errlen);

/* 1 if the process holds no root uid and no capability (what
 * privdrop_drop checks at its end), else 0. */
int	privdrop_is_dropped(void);

#endif
