/* Privilege drop: setgroups, setresgid, setresuid, then verify. */
#include "config.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/privdrop.h"
#include "common/util.h"

static int
lookup(const char *name, struct privdrop_user *u)
{
	struct passwd	 pw, *res = NULL;
	char		*buf;
	long		 sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	int		 rc;

	if (sz < 1024)
		sz = 16384;
	if ((buf = malloc((size_t)sz)) == NULL)
		return -1;
	rc = getpwnam_r(name, &pw, buf, (size_t)sz, &res);
	if (rc == 0 && res != NULL) {
		util_strlcpy(u->name, pw.pw_name, sizeof(u->name));
		u->uid = pw.pw_uid;
		u->gid = pw.pw_gid;
	}
	free(buf);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	if (res == NULL) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int
privdrop_lookup(const char *name, struct privdrop_user *u, char *err,
    size_t errlen)
{
	memset(u, 0, sizeof(*u));
	if (name != NULL && name[0] != '\0') {
		if (lookup(name, u) == -1) {
			util_errf(err, errlen,
			    "user %s: %s", name, errno == ENOENT ?
			    "no such user" : strerror(errno));
			return -1;
		}
	} else if (lookup(PRIVDROP_DEFAULT_USER, u) == -1 &&
	    lookup(PRIVDROP_FALLBACK_USER, u) == -1) {
		util_errf(err, errlen,
		    "neither user %s nor user %s exists; name "
		    "one to run as", PRIVDROP_DEFAULT_USER,
		    PRIVDROP_FALLBACK_USER);
		return -1;
	}
	if (u->uid == 0 || u->gid == 0) {
		util_errf(err, errlen,
		    "user %s has uid or gid 0; refusing to run "
		    "the daemon as root", u->name);
		return -1;
	}
	return 0;
}

/* capget or capset (op) of this process's sets, 64 bits each. */
static int
caps(long op, struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct	hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	return (int)syscall(op, &hdr, data);
}

/* Any capability left in the effective, permitted or inheritable sets? */
static int
has_caps(void)
{
	struct __user_cap_data_struct	data[2];
	int				i;

	memset(data, 0, sizeof(data));
	if (caps(SYS_capget, data) == -1)
		return 1;
	for (i = 0; i < 2; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 ||
		    data[i].inheritable != 0)
			return 1;
	/* (ambient capabilities are a subset of permitted ones) */
	return 0;
}

int
privdrop_is_dropped(void)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		return 0;
	if (ru == 0 || eu == 0 || su == 0 || rg == 0 || eg == 0 || sg == 0)
		return 0;
	return !has_caps();
}

/* Nothing gained through exec any more (setuid binaries, file caps). */
static int
no_new_privs(char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		util_errf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
privdrop_nodump(char *err, size_t errlen)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) {
		util_errf(err, errlen, "prctl(PR_SET_DUMPABLE): %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Not root: no user to become, but let go of any capability (file
 * capabilities on the binary, or ambient ones from a service manager), and
 * set no_new_privs and non-dumpable as a dropped root daemon does.
 * Emptying the permitted set empties the effective, inheritable and
 * ambient ones too. */
static int
drop_not_root(char *err, size_t errlen)
{
	struct __user_cap_data_struct	data[2];

	if (has_caps()) {
		memset(data, 0, sizeof(data));
		if (caps(SYS_capset, data) == -1) {
			util_errf(err, errlen, "capset: %s", strerror(errno));
			return -1;
		}
		if (has_caps()) {
			util_errf(err, errlen,
			    "capabilities left after dropping "
			    "them");
			return -1;
		}
	}
	if (no_new_privs(err, errlen) == -1)
		return -1;
	return privdrop_nodump(err, errlen);
}

int
privdrop_drop(const struct privdrop_user *u, char *err, size_t errlen)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg;

	if (geteuid() != 0)
		return drop_not_root(err, errlen);
	if (u->uid == 0 || u->gid == 0) {
		util_errf(err, errlen, "refusing to drop to uid/gid 0");
		return -1;
	}
	if (setgroups(1, &u->gid) == -1) {
		util_errf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(u->gid, u->gid, u->gid) == -1) {
		util_errf(err, errlen,
		    "setresgid %lu: %s", (unsigned long)u->gid,
		    strerror(errno));
		return -1;
	}
	/* Capabilities must not survive the uid change. */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1) {
		util_errf(err, errlen, "prctl(PR_SET_KEEPCAPS): %s",
		    strerror(errno));
		return -1;
	}
	if (setresuid(u->uid, u->uid, u->uid) == -1) {
		util_errf(err, errlen,
		    "setresuid %lu: %s", (unsigned long)u->uid,
		    strerror(errno));
		return -1;
	}
	/* No way back, and nothing gained through exec either. */
	if (no_new_privs(err, errlen) == -1)
		return -1;
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) ==
	    -1 || ru != u->uid || eu != u->uid || su != u->uid ||
	    rg != u->gid || eg != u->gid || sg != u->gid) {
		util_errf(err, errlen, "privilege drop to %s did not take",
		    u->name);
		return -1;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 ||
	    setegid(0) != -1) {
		util_errf(err, errlen,
		    "root could be regained after dropping to "
		    "%s", u->name);
		return -1;
	}
	if (has_caps()) {
		util_errf(err, errlen, "capabilities left after dropping to %s",
		    u->name);
		return -1;
	}
	/* Last: the uid change reset "dumpable" to fs.suid_dumpable. */
	return privdrop_nodump(err, errlen);
}
