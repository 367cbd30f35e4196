/* Tests of the privilege drop (src/os/privdrop.c). The drop itself needs root
 * and happens in forked children; without root only the lookups run. */
#include "config.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/privdrop.h"
#include "t.h"

T_TEST(lookup)
{
	struct privdrop_user	u;
	char			err[256];

	T_EQ_INT(privdrop_lookup("nobody", &u, err, sizeof(err)), 0);
	T_EQ_STR(u.name, "nobody");
	T_ASSERT(u.uid != 0);
	T_EQ_INT(privdrop_lookup(NULL, &u, err, sizeof(err)), 0);
	T_ASSERT(strcmp(u.name, "mesh") == 0 || strcmp(u.name, "nobody") == 0);
	T_EQ_INT(privdrop_lookup("no-such-user-here", &u, err, sizeof(err)),
	    -1);
	T_ASSERT(strstr(err, "no such user") != NULL);
	T_EQ_INT(privdrop_lookup("root", &u, err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "refusing") != NULL);
}

/* The daemon needs nothing of /proc/self but these stay readable to a
 * non-dumpable process (its /proc/PID files then belong to root). */
static int
proc_self_readable(void)
{
	DIR	*dir;
	int	 fd;

	if ((fd = open("/proc/self/status", O_RDONLY)) == -1)
		return 0;
	close(fd);
	if ((fd = open("/proc/self/maps", O_RDONLY)) == -1)
		return 0;
	close(fd);
	if ((dir = opendir("/proc/self/fd")) == NULL)
		return 0;
	closedir(dir);
	return 1;
}

/* In a child: drop, then try every way back. */
static int
child_drop(void)
{
	struct privdrop_user	u;
	char			err[256];
	int			fd;

	if (privdrop_lookup("nobody", &u, err, sizeof(err)) == -1)
		return 10;
	if (privdrop_drop(&u, err, sizeof(err)) == -1) {
		fprintf(stderr, "drop: %s\n", err);
		return 11;
	}
	if (getuid() != u.uid || geteuid() != u.uid || getgid() != u.gid ||
	    getegid() != u.gid)
		return 1;
	if (getgroups(0, NULL) > 1)
		return 2;
	if (setuid(0) != -1 || setresuid(0, 0, 0) != -1 ||
	    setresgid(0, 0, 0) != -1)
		return 3;
	if (!privdrop_is_dropped())
		return 4;
	/* Root-only files are out of reach. */
	if ((fd = open("/etc/shadow", O_RDONLY)) != -1 || errno != EACCES)
		return 5;
	/* Not dumpable, however fs.suid_dumpable is set. */
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    !proc_self_readable())
		return 7;
	/* Dropping again as the user is a no-op, not an error. */
	if (privdrop_drop(&u, err, sizeof(err)) != 0)
		return 6;
	return 0;
}

/* In a child: become nobody but keep CAP_NET_ADMIN, as a non-root daemon
 * started with file or ambient capabilities would be; the drop must take
 * the capability away too. */
static int
child_caps_not_root(void)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[2];
	struct privdrop_user		u;
	char				err[256];

	if (privdrop_lookup("nobody", &u, err, sizeof(err)) == -1)
		return 10;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setgroups(1, &u.gid) == -1 ||
	    setresgid(u.gid, u.gid, u.gid) == -1 ||
	    setresuid(u.uid, u.uid, u.uid) == -1)
		return 11;
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	if (syscall(SYS_capset, &hdr, data) == -1)
		return 12;
	if (privdrop_is_dropped())
		return 1;	/* the set-up did not keep the capability */
	if (privdrop_drop(&u, err, sizeof(err)) != 0) {
		fprintf(stderr, "drop: %s\n", err);
		return 2;
	}
	if (!privdrop_is_dropped())
		return 3;
	if (getuid() != u.uid || geteuid() != u.uid)
		return 4;
	return 0;
}

/* In a child: a process that is not root (and dumpable, as after an
 * exec) drops: it must end up with no_new_privs and not dumpable. */
static int
child_not_root_nodump(void)
{
	struct privdrop_user	u;
	char			err[256];

	if (geteuid() == 0) {
		if (privdrop_lookup("nobody", &u, err, sizeof(err)) == -1)
			return 10;
		if (setgroups(1, &u.gid) == -1 ||
		    setresgid(u.gid, u.gid, u.gid) == -1 ||
		    setresuid(u.uid, u.uid, u.uid) == -1)
			return 11;
	}
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
		return 12;
	memset(&u, 0, sizeof(u));	/* not looked up when not root */
	if (privdrop_drop(&u, err, sizeof(err)) != 0) {
		fprintf(stderr, "drop: %s\n", err);
		return 1;
	}
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 2;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 3;
	if (!proc_self_readable())
		return 4;
	return 0;
}

static int
run(int (*fn)(void))
{
	int	status;
	pid_t	pid;

	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(fn());
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

T_TEST(not_root_nodump)
{
	T_EQ_INT(run(child_not_root_nodump), 0);
}

T_TEST(drop)
{
	struct privdrop_user	u;
	char			err[256];

	if (geteuid() != 0) {
		printf("# skipped: needs root\n");
		return;
	}
	T_EQ_INT(privdrop_is_dropped(), 0);
	T_EQ_INT(run(child_drop), 0);
	T_EQ_INT(run(child_caps_not_root), 0);
	/* A uid 0 target is refused before anything changes. */
	memset(&u, 0, sizeof(u));
	T_EQ_INT(privdrop_drop(&u, err, sizeof(err)), -1);
	T_EQ_INT(geteuid(), 0);
}

int
main(void)
{
	T_RUN(lookup);
	T_RUN(not_root_nodump);
	T_RUN(drop);
	return t_done();
}
