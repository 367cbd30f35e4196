/* The control socket's client end, blocking, used by the CLI (control.h):
 * find a daemon's socket, check who runs it, send one request, read the
 * whole reply. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/control.h"
#include "control/control-int.h"
#include "control/ctlproto.h"
#include "common/util.h"

/* Find and connect to ifname's daemon. fd, or -1 with err and errno. */
static int
client_connect(const char *ifname, int remove_stale, char *path,
    size_t pathlen, char *err, size_t errlen)
{
	char		dirs[NDIRS][PATH_MAX];
	struct stat	st;
	struct ucred	cred;
	socklen_t	credlen = sizeof(cred);
	char		denied_path[PATH_MAX];
	int		n, i, fd, stale = 0, denied = 0;

	if (!control_valid_ifname(ifname)) {
		util_errf(err, errlen, "bad interface name '%s'", ifname);
		errno = EINVAL;
		return -1;
	}
	n = control_sockdirs(dirs);
	for (i = 0; i < n; i++) {
		if (control_sock_path(path, pathlen, dirs[i], ifname) == -1)
			continue;
		if (lstat(path, &st) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		/* Only sockets of root or our own. */
		if (st.st_uid != 0 && st.st_uid != geteuid())
			continue;
		if ((fd = control_sock_connect(path)) == -1) {
			if (errno == ECONNREFUSED) {
				stale = 1;
				/* Left by a daemon that was killed. */
				if (remove_stale && unlink(path) == 0)
					stale = 2;
			}
			else if ((errno == EACCES || errno == EPERM) &&
			    !denied) {
				denied = 1;
				util_strlcpy(denied_path, path,
				    sizeof(denied_path));
			}
			continue;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred,
		    &credlen) == -1 ||
		    (cred.uid != 0 && cred.uid != geteuid())) {
			close(fd);
			continue;
		}
		return fd;
	}
	if (denied) {
		/* Not ours to connect to: whether anyone listens there,
		 * only the kernel's list of sockets can tell. */
		switch (control_sock_listening(denied_path)) {
		case 0:
			util_errf(err, errlen, "%s: no daemon listens on %s "
			    "in this network namespace: probably a stale "
			    "socket left by a daemon that was killed (or one "
			    "in another namespace); it is mode 0600, so only "
			    "root (mesh down %s) can tell and remove it",
			    ifname, denied_path, ifname);
			break;
		case 1:
			util_errf(err, errlen, "%s: permission denied: its "
			    "daemon was started by another user (socket %s, "
			    "mode 0600): run this as root or as that user",
			    ifname, denied_path);
			break;
		default:
			util_errf(err, errlen, "%s: permission denied (the "
			    "control socket %s is mode 0600: run as root)",
			    ifname, denied_path);
		}
		errno = EACCES;
	} else {
		util_errf(err, errlen, "%s: no daemon is running for this "
		    "interface%s", ifname, stale == 2 ? " (removed its stale "
		    "socket)" : stale ? " (stale socket)" : "");
		errno = ENOENT;
	}
	return -1;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Wait until fd is readable, up to deadline (CLOCK_MONOTONIC seconds). */
static int
wait_readable(int fd, time_t deadline)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	struct timespec	now;
	int		rc;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline)
			return errno = ETIMEDOUT, -1;
		rc = poll(&pfd, 1, (int)(deadline - now.tv_sec) * 1000);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == 0)
			return errno = ETIMEDOUT, -1;
		return rc > 0 ? 0 : -1;
	}
}

static time_t
deadline_in(int secs)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec + secs;
}

int
control_request(const char *ifname, const struct ctl_request *rq,
    char **replyp, size_t *replylenp, char *err, size_t errlen)
{
	char		 path[PATH_MAX], req[CTL_MAX_REQUEST], drain[512];
	char		*buf = NULL, *nb;
	size_t		 len = 0, cap = 0, reqlen, mlen = 0;
	ssize_t		 n;
	time_t		 deadline;
	int		 fd, e;

	*replyp = NULL;
	*replylenp = 0;
	if ((reqlen = ctl_request_encode(rq, req, sizeof(req))) == 0) {
		util_errf(err, errlen, "bad request");
		errno = EINVAL;
		return -1;
	}
	if ((fd = client_connect(ifname, rq->cmd == CTL_CMD_DOWN, path,
	    sizeof(path), err, errlen)) == -1)
		return -1;
	if (write_all(fd, req, reqlen) == -1) {
		e = errno;
		util_errf(err, errlen, "%s: sending request: %s", path,
		    strerror(e));
		goto fail;
	}
	/* A lookup is answered when the DHT is done (or the daemon gives
	 * up on it, within CONTROL_LOOKUP_TIMEOUT). */
	deadline = deadline_in(rq->cmd == CTL_CMD_LOOKUP ?
	    CONTROL_LOOKUP_TIMEOUT + CLIENT_TIMEOUT : CLIENT_TIMEOUT);
	while (mlen == 0) {
		if (len == cap) {
			size_t	ncap = cap ? cap * 2 : 8192;

			if (ncap > CTL_MAX_REPLY + 1)
				ncap = CTL_MAX_REPLY + 1;
			if (ncap == cap) {
				e = EMSGSIZE;
				util_errf(err, errlen,
				    "%s: reply longer than %d "
				    "bytes", path, CTL_MAX_REPLY);
				goto fail;
			}
			if ((nb = realloc(buf, ncap + 1)) == NULL) {
				e = ENOMEM;
				util_errf(err, errlen, "out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		if (wait_readable(fd, deadline) == -1) {
			e = errno;
			util_errf(err, errlen, "%s: no reply: %s", path,
			    strerror(e));
			goto fail;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n == 0 ? ECONNRESET : errno;
			util_errf(err, errlen, "%s: %s", path, n == 0 ?
			    "daemon closed the connection before replying" :
			    strerror(e));
			goto fail;
		}
		len += (size_t)n;
		mlen = ctl_message_len(buf, len);
	}
	buf[mlen] = '\0';

	if (rq->cmd == CTL_CMD_DOWN && strstr(buf, "\nerrno=0\n") != NULL) {
		/* The daemon closes the connection when it is gone. */
		deadline = deadline_in(CONTROL_DOWN_TIMEOUT);
		for (;;) {
			if (wait_readable(fd, deadline) == -1) {
				e = errno;
				util_errf(err, errlen,
				    "%s: daemon did not exit "
				    "within %d seconds", ifname,
				    CONTROL_DOWN_TIMEOUT);
				goto fail;
			}
			n = recv(fd, drain, sizeof(drain), 0);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
		}
		/* An unprivileged daemon may not have been able to remove
		 * its socket; if nobody listens there any more, we do. */
		if ((e = control_sock_connect(path)) != -1)
			close(e);
		else if (errno == ECONNREFUSED)
			unlink(path);
	}
	close(fd);
	*replyp = buf;
	*replylenp = mlen;
	return 0;

fail:
	close(fd);
	free(buf);
	errno = e;
	return -1;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
control_list(char ***namesp, size_t *np)
{
	char		 dirs[NDIRS][PATH_MAX], path[PATH_MAX];
	char		 name[CTL_IFNAME_SIZE];
	char		**names = NULL, **nn;
	size_t		 n = 0, i, len;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 nd, k, fd, dup;

	nd = control_sockdirs(dirs);
	for (k = 0; k < nd; k++) {
		if ((d = opendir(dirs[k])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (len <= strlen(SOCK_SUFFIX) ||
			    strcmp(de->d_name + len - strlen(SOCK_SUFFIX),
			    SOCK_SUFFIX) != 0 ||
			    len - strlen(SOCK_SUFFIX) >= sizeof(name))
				continue;
			memcpy(name, de->d_name, len - strlen(SOCK_SUFFIX));
			name[len - strlen(SOCK_SUFFIX)] = '\0';
			if (!control_valid_ifname(name) || control_sock_path(path,
			    sizeof(path), dirs[k], name) == -1)
				continue;
			if (lstat(path, &st) == -1 || !S_ISSOCK(st.st_mode) ||
			    (st.st_uid != 0 && st.st_uid != geteuid()))
				continue;
			for (dup = 0, i = 0; i < n; i++)
				if (strcmp(names[i], name) == 0)
					dup = 1;
			if (dup)
				continue;
			if ((fd = control_sock_connect(path)) == -1 &&
			    errno != EACCES)
				continue;	/* stale */
			if (fd != -1)
				close(fd);
			nn = reallocarray(names, n + 1, sizeof(*names));
			if (nn == NULL || (nn[n] = strdup(name)) == NULL) {
				if (nn != NULL)
					names = nn;
				closedir(d);
				control_list_free(names, n);
				return errno = ENOMEM, -1;
			}
			names = nn;
			n++;
		}
		closedir(d);
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmpstr);
	*namesp = names;
	*np = n;
	return 0;
}

void
control_list_free(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
control_each_iface(int (*fn)(const struct ctl_iface *, void *), void *arg)
{
	struct ctl_request	 rq;
	struct ctl_reply	*r;
	char			**names, *buf, err[CTL_TEXT_SIZE];
	size_t			 n, i, len;
	int			 rc = 0;

	if (control_list(&names, &n) == -1)
		return 0;
	if ((r = malloc(sizeof(*r))) == NULL) {
		control_list_free(names, n);
		return 0;
	}
	memset(&rq, 0, sizeof(rq));
	rq.cmd = CTL_CMD_SHOW;
	snprintf(rq.arg, sizeof(rq.arg), "peers");
	for (i = 0; i < n && rc == 0; i++) {
		if (control_request(names[i], &rq, &buf, &len, err,
		    sizeof(err)) == -1)
			continue;
		if (ctl_reply_decode(buf, len, r, err, sizeof(err)) == 0 &&
		    r->errnum == 0 && r->has_iface)
			rc = fn(&r->iface, arg);
		ctl_reply_free(r);
		free(buf);
	}
	free(r);
	control_list_free(names, n);
	return rc;
}
