/* Inside the control socket module: what its daemon end (control-server.c)
 * and client end (control-client.c) share with control.c, where sockets
 * live. Not for other modules: they use control.h. */
#ifndef MESH_CONTROL_INT_H
#define MESH_CONTROL_INT_H

#include <limits.h>
#include <stddef.h>

#define SOCK_SUFFIX	".sock"
#define CLIENT_TIMEOUT	10	/* seconds for a client to get its reply */
#define NDIRS		3	/* candidate socket directories */

/* The candidate socket directories, in order (control.h); how many. */
int	control_sockdirs(char dirs[NDIRS][PATH_MAX]);
/* 1 if ifname is usable in a socket's file name. */
int	control_valid_ifname(const char *ifname);
/* <dir>/<ifname>.sock into buf; 0, or -1 with errno ENAMETOOLONG. */
int	control_sock_path(char *buf, size_t len, const char *dir,
	    const char *ifname);
/* Does a process of this network namespace listen on the UNIX socket at
 * path (/proc/net/unix)? 1 yes, 0 no, -1 cannot tell. For sockets we may
 * not connect to. */
int	control_sock_listening(const char *path);
/* Connect to a UNIX socket path; the fd, or -1 with errno. */
int	control_sock_connect(const char *path);

#endif
