/* The control socket: where sockets live, shared by the daemon end
 * (control-server.c) and the client end (control-client.c). */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/control.h"
#include "control/control-int.h"
#include "common/util.h"

/* --- where sockets live --- */

/* A private directory we own: exists (or is created 0700), is a real
 * directory, owned by us, not writable by others. */
static int
private_dir(const char *dir, int create)
{
	struct stat	st;

	if (create && mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* The candidate directories, in order; returns how many. */
int
control_sockdirs(char dirs[NDIRS][PATH_MAX])
{
	const char	*xdg = getenv("XDG_RUNTIME_DIR");
	const char	*env = getenv(CONTROL_DIR_ENV);
	int		 n = 0;

	if (env != NULL && env[0] != '\0') {
		snprintf(dirs[n++], PATH_MAX, "%s", env);
		return n;
	}
	snprintf(dirs[n++], PATH_MAX, "%s", CONTROL_DIR_RUN);
	if (xdg != NULL && xdg[0] == '/' &&
	    strlen(xdg) + sizeof("/mesh") < PATH_MAX)
		snprintf(dirs[n++], PATH_MAX, "%s/mesh", xdg);
	snprintf(dirs[n++], PATH_MAX, "/tmp/mesh-%lu",
	    (unsigned long)geteuid());
	return n;
}

int
control_sockdir(char *buf, size_t len, int create)
{
	char		dirs[NDIRS][PATH_MAX];
	struct stat	st;
	int		n, i;

	n = control_sockdirs(dirs);
	if (getenv(CONTROL_DIR_ENV) != NULL &&
	    getenv(CONTROL_DIR_ENV)[0] != '\0') {
		if (private_dir(dirs[0], create) == -1)
			return -1;
		if (util_strlcpy(buf, dirs[0], len) >= len)
			return errno = ENAMETOOLONG, -1;
		return 0;
	}
	/* /run/mesh: shared by all daemons root starts, readable by all
	 * (the sockets themselves are 0600). */
	if (create && access("/run", W_OK) == 0 &&
	    mkdir(dirs[0], 0755) == -1 && errno != EEXIST)
		return -1;
	if (lstat(dirs[0], &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_uid == 0 || st.st_uid == geteuid()) &&
	    (st.st_mode & 022) == 0 && access(dirs[0], W_OK) == 0) {
		if (util_strlcpy(buf, dirs[0], len) >= len)
			return errno = ENAMETOOLONG, -1;
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (private_dir(dirs[i], create) == -1)
			continue;
		if (util_strlcpy(buf, dirs[i], len) >= len)
			return errno = ENAMETOOLONG, -1;
		return 0;
	}
	errno = ENOENT;
	return -1;
}

int
control_valid_ifname(const char *ifname)
{
	size_t	i, len = strlen(ifname);

	if (len == 0 || len >= CTL_IFNAME_SIZE || strcmp(ifname, ".") == 0 ||
	    strcmp(ifname, "..") == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (ifname[i] <= ' ' || ifname[i] > '~' || ifname[i] == '/' ||
		    ifname[i] == ':')
			return 0;
	return 1;
}

int
control_sock_path(char *buf, size_t len, const char *dir, const char *ifname)
{
	int	n;

	n = snprintf(buf, len, "%s/%s%s", dir, ifname, SOCK_SUFFIX);
	if (n < 0 || (size_t)n >= len)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

/* Connect to a UNIX socket path; the fd, or -1 with errno. */
int
control_sock_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		return errno = ENAMETOOLONG, -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int	e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
control_sock_listening(const char *path)
{
	char	 line[PATH_MAX + 128], *p;
	size_t	 len = strlen(path);
	FILE	*f;
	int	 found = 0;

	/* "Num RefCount Protocol Flags Type St Inode Path": a listening
	 * socket has flag __SO_ACCEPTCON (00010000). Only this network
	 * namespace's sockets are listed. */
	if ((f = fopen("/proc/net/unix", "re")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned long	flags;

		line[strcspn(line, "\n")] = '\0';
		if ((p = strchr(line, ':')) == NULL ||
		    sscanf(p + 1, "%*s %*s %lx", &flags) != 1 ||
		    (flags & 0x10000) == 0)
			continue;
		if ((p = strrchr(line, ' ')) != NULL &&
		    strncmp(p + 1, path, len + 1) == 0)
			found = 1;
	}
	fclose(f);
	return found;
}
