/* The control socket: daemon end on the libevent loop, and the blocking
 * client end the CLI uses. The bytes on the wire are ctlproto.c's. */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "control/control.h"
#include "control/ctlproto.h"
#include "common/log.h"
#include "common/util.h"

#define SOCK_SUFFIX	".sock"
#define CLIENT_TIMEOUT	10	/* seconds for a client to get its reply */
#define ACCEPT_BACKOFF	1	/* seconds not accepting when out of fds */
#define NDIRS		3

enum conn_state {
	CONN_READING,
	CONN_WRITING,		/* reply queued; close when sent */
	CONN_DOWN,		/* "down" answered; open until control_close */
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct control		*ctl;
	struct bufferevent	*bev;
	struct event		*ev_timeout;	/* whole request, whole reply */
	uid_t			 uid;
	pid_t			 pid;
	enum conn_state		 state;
};

struct control {
	struct event_base		*base;
	struct event			*ev_listen;
	struct event			*ev_down;
	struct event			*ev_accept;	/* back-off */
	int				 fd;
	char				 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t				 dev;
	ino_t				 ino;
	uid_t				 owner;
	const struct control_ops	*ops;
	void				*arg;
	TAILQ_HEAD(, ctl_conn)		 conns;
	size_t				 nconns;
	int				 down_requested;
};

static void	errf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

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
static int
sockdirs(char dirs[NDIRS][PATH_MAX])
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

	n = sockdirs(dirs);
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

static int
valid_ifname(const char *ifname)
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

static int
sock_path(char *buf, size_t len, const char *dir, const char *ifname)
{
	int	n;

	n = snprintf(buf, len, "%s/%s%s", dir, ifname, SOCK_SUFFIX);
	if (n < 0 || (size_t)n >= len)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

/* Connect to a UNIX socket path; the fd, or -1 with errno. */
static int
sock_connect(const char *path)
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

/* --- daemon end --- */

static void	conn_free(struct ctl_conn *);
static void	conn_eventcb(struct bufferevent *, short, void *);

/* Deadlines are for the whole request (CONTROL_TIMEOUT from accept) and the
 * whole reply (CLIENT_TIMEOUT from when it is queued), not for idle time as
 * bufferevent timeouts would be: a client trickling a byte at a time must
 * not keep one of the CONTROL_MAX_CLIENTS slots for long. */
static void
conn_timeoutcb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn	*c = arg;

	conn_eventcb(c->bev, BEV_EVENT_TIMEOUT, c);
}

static void
conn_deadline(struct ctl_conn *c, int secs)
{
	struct timeval	tv = { secs, 0 };

	evtimer_add(c->ev_timeout, &tv);
}

static void
conn_reply(struct ctl_conn *c, struct ctl_writer *w, int errnum,
    const char *err)
{
	if (ctl_writer_finish(w, errnum, err) == -1) {
		int	e = w->failed;

		log_warnx("control: reply too large or out of memory (%s)",
		    strerror(e));
		ctl_writer_reset(w);
		ctl_writer_finish(w, e, "reply could not be built");
	}
	if (bufferevent_write(c->bev, w->buf, w->len) == -1) {
		conn_free(c);
		return;
	}
	bufferevent_disable(c->bev, EV_READ);
	if (c->state == CONN_READING)
		c->state = CONN_WRITING;
	conn_deadline(c, CLIENT_TIMEOUT);
}

static void
conn_dispatch(struct ctl_conn *c, const char *buf, size_t len)
{
	struct control		*ctl = c->ctl;
	struct ctl_request	 rq;
	struct ctl_writer	 w;
	char			 err[CTL_TEXT_SIZE];
	int			 rc = 0;

	err[0] = '\0';
	ctl_writer_init(&w, CTL_MAX_REPLY);
	if (ctl_request_decode(buf, len, &rq, err, sizeof(err)) == -1) {
		log_debug("control: bad request from uid %lu: %s",
		    (unsigned long)c->uid, err);
		conn_reply(c, &w, EINVAL, err);
		ctl_writer_free(&w);
		return;
	}
	log_debug("control: %s %s from uid %lu pid %ld",
	    ctl_cmd_name(rq.cmd), rq.arg, (unsigned long)c->uid,
	    (long)c->pid);
	if (rq.cmd != CTL_CMD_SHOW && c->uid != 0 && c->uid != ctl->owner) {
		conn_reply(c, &w, EPERM, "permission denied: only root can "
		    "change a running interface");
		ctl_writer_free(&w);
		return;
	}
	switch (rq.cmd) {
	case CTL_CMD_SHOW:
		if (rq.arg[0] != '\0' && strcmp(rq.arg, "peers") != 0 &&
		    strcmp(rq.arg, "dht") != 0 && strcmp(rq.arg, "all") != 0) {
			rc = EINVAL;
			errf(err, sizeof(err), "show: unknown argument '%s': "
			    "expected peers, dht or all", rq.arg);
			break;
		}
		rc = ctl->ops->show(ctl->arg, rq.arg, &w, err, sizeof(err));
		if (rc == 0 && w.failed) {
			rc = w.failed;
			errf(err, sizeof(err), "show: reply too large");
		}
		break;
	case CTL_CMD_RELOAD:
		if (ctl->ops->reload == NULL) {
			rc = EOPNOTSUPP;
			errf(err, sizeof(err), "reload is not supported");
			break;
		}
		log_info("reload requested by uid %lu", (unsigned long)c->uid);
		rc = ctl->ops->reload(ctl->arg, &w, err, sizeof(err));
		if (rc != 0)
			log_warnx("reload refused: %s", err);
		break;
	case CTL_CMD_DOWN:
		log_info("shutdown requested by uid %lu",
		    (unsigned long)c->uid);
		c->state = CONN_DOWN;
		ctl->down_requested = 1;
		break;
	default:
		rc = EINVAL;
		errf(err, sizeof(err), "unknown command");
		break;
	}
	if (rc != 0) {
		/* Nothing of a failed command's partial output is sent. */
		ctl_writer_reset(&w);
		if (err[0] == '\0')
			errf(err, sizeof(err), "%s", strerror(rc));
	}
	conn_reply(c, &w, rc, err);
	ctl_writer_free(&w);
}

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len = evbuffer_get_length(in), mlen;
	const char	*buf;
	struct ctl_writer w;

	if (c->state != CONN_READING)
		return;
	if ((buf = (const char *)evbuffer_pullup(in, -1)) == NULL) {
		conn_free(c);
		return;
	}
	mlen = ctl_message_len(buf, len);
	if (mlen == 0 && len <= CTL_MAX_REQUEST)
		return;		/* wait for the rest */
	if (mlen == 0 || mlen > CTL_MAX_REQUEST) {
		ctl_writer_init(&w, CTL_MAX_REQUEST);
		conn_reply(c, &w, EMSGSIZE, "request too long");
		ctl_writer_free(&w);
		return;
	}
	conn_dispatch(c, buf, mlen);
}

static void
control_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control	*ctl = arg;

	event_add(ctl->ev_listen, NULL);
}

static void
control_down_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control	*ctl = arg;

	ctl->ops->down(ctl->arg);
}

static void
conn_writecb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*c = arg;
	struct control	*ctl = c->ctl;
	struct timeval	 tv = { 0, 0 };

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (c->state == CONN_WRITING) {
		conn_free(c);
		return;
	}
	if (c->state == CONN_DOWN && ctl->down_requested == 1) {
		/* Left open: the client waits for it to close. Shut down
		 * outside of this callback. */
		ctl->down_requested = 2;
		evtimer_del(c->ev_timeout);
		evtimer_add(ctl->ev_down, &tv);
	}
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn	*c = arg;
	struct control	*ctl = c->ctl;
	struct timeval	 tv = { 0, 0 };

	if (what & BEV_EVENT_TIMEOUT)
		log_debug("control: client pid %ld timed out", (long)c->pid);
	/* A client that hung up after asking for down still gets it. */
	if (c->state == CONN_DOWN && ctl->down_requested == 1) {
		ctl->down_requested = 2;
		evtimer_add(ctl->ev_down, &tv);
	}
	conn_free(c);
}

static void
conn_free(struct ctl_conn *c)
{
	struct control	*ctl = c->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	event_free(c->ev_timeout);
	bufferevent_free(c->bev);
	free(c);
}

static void
control_acceptcb(evutil_socket_t lfd, short what, void *arg)
{
	struct control	*ctl = arg;
	struct ctl_conn	*c;
	struct ucred	 cred;
	socklen_t	 credlen = sizeof(cred);
	int		 fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* The connection stays queued and the socket
			 * readable: stop watching it for a while instead of
			 * spinning (and logging) until a descriptor frees. */
			struct timeval	tv = { ACCEPT_BACKOFF, 0 };

			log_warn("control: accept (retrying in %d s)",
			    ACCEPT_BACKOFF);
			event_del(ctl->ev_listen);
			evtimer_add(ctl->ev_accept, &tv);
		} else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) == -1) {
		log_warn("control: SO_PEERCRED");
		close(fd);
		return;
	}
	if (ctl->nconns >= CONTROL_MAX_CLIENTS) {
		log_debug("control: too many clients, dropping pid %ld",
		    (long)cred.pid);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->state = CONN_READING;
	if ((c->ev_timeout = evtimer_new(ctl->base, conn_timeoutcb, c)) ==
	    NULL) {
		close(fd);
		free(c);
		return;
	}
	if ((c->bev = bufferevent_socket_new(ctl->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		event_free(c->ev_timeout);
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, conn_readcb, conn_writecb, conn_eventcb, c);
	bufferevent_enable(c->bev, EV_READ);
	conn_deadline(c, CONTROL_TIMEOUT);
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
}

/* Is a daemon listening at path? 1 yes, 0 no (nothing there, or a stale
 * socket, which is removed), -1 on error (err filled). Called with the
 * directory locked. */
static int
control_check_existing(const char *path, const char *ifname, char *err,
    size_t errlen)
{
	struct stat	st;
	int		fd;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		errf(err, errlen, "%s exists and is not a socket; remove it",
		    path);
		return -1;
	}
	if ((fd = sock_connect(path)) != -1) {
		close(fd);
		errf(err, errlen, "a daemon for %s is already running "
		    "(socket %s)", ifname, path);
		return 1;
	}
	if (errno != ECONNREFUSED) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	log_info("removing stale control socket %s", path);
	if (unlink(path) == -1 && errno != ENOENT) {
		errf(err, errlen, "cannot remove stale socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

struct control *
control_open(struct event_base *base, const char *ifname,
    const struct control_ops *ops, void *arg, char *err, size_t errlen)
{
	struct control		*ctl;
	struct sockaddr_un	 sun;
	struct stat		 st;
	char			 dir[PATH_MAX];
	mode_t			 oldmask;
	int			 dfd = -1, rc, e;

	if (!valid_ifname(ifname)) {
		errf(err, errlen, "bad interface name '%s'", ifname);
		return NULL;
	}
	if (control_sockdir(dir, sizeof(dir), 1) == -1) {
		errf(err, errlen, "no directory for the control socket "
		    "(tried %s, $XDG_RUNTIME_DIR/mesh, /tmp/mesh-%lu): %s",
		    CONTROL_DIR_RUN, (unsigned long)geteuid(),
		    strerror(errno));
		return NULL;
	}
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->fd = -1;
	ctl->base = base;
	ctl->ops = ops;
	ctl->arg = arg;
	ctl->owner = geteuid();
	TAILQ_INIT(&ctl->conns);
	if (sock_path(ctl->path, sizeof(ctl->path), dir, ifname) == -1) {
		errf(err, errlen, "%s/%s%s: path too long", dir, ifname,
		    SOCK_SUFFIX);
		goto fail;
	}

	/* Two daemons starting at once must not both decide the socket is
	 * stale: hold a lock on the directory from the check to listen(). */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(dfd, LOCK_EX) == -1) {
		errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((rc = control_check_existing(ctl->path, ifname, err, errlen)) != 0)
		goto fail;

	if ((ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		errf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	util_strlcpy(sun.sun_path, ctl->path, sizeof(sun.sun_path));
	oldmask = umask(0177);
	rc = bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	umask(oldmask);
	if (rc == -1) {
		errf(err, errlen, "bind %s: %s", ctl->path, strerror(e));
		goto fail;
	}
	if (chmod(ctl->path, 0600) == -1 || lstat(ctl->path, &st) == -1 ||
	    listen(ctl->fd, CONTROL_MAX_CLIENTS) == -1) {
		errf(err, errlen, "%s: %s", ctl->path, strerror(errno));
		unlink(ctl->path);
		goto fail;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	close(dfd);
	dfd = -1;

	ctl->ev_listen = event_new(base, ctl->fd, EV_READ | EV_PERSIST,
	    control_acceptcb, ctl);
	ctl->ev_down = evtimer_new(base, control_down_cb, ctl);
	ctl->ev_accept = evtimer_new(base, control_resume_cb, ctl);
	if (ctl->ev_listen == NULL || ctl->ev_down == NULL ||
	    ctl->ev_accept == NULL || event_add(ctl->ev_listen, NULL) == -1) {
		errf(err, errlen, "cannot add control socket to event loop");
		unlink(ctl->path);
		goto fail;
	}
	log_debug("control socket %s", ctl->path);
	return ctl;

fail:
	if (dfd != -1)
		close(dfd);
	if (ctl->ev_listen != NULL)
		event_free(ctl->ev_listen);
	if (ctl->ev_down != NULL)
		event_free(ctl->ev_down);
	if (ctl->ev_accept != NULL)
		event_free(ctl->ev_accept);
	if (ctl->fd != -1)
		close(ctl->fd);
	free(ctl);
	return NULL;
}

void
control_close(struct control *ctl)
{
	struct ctl_conn	*c;
	struct stat	 st;

	if (ctl == NULL)
		return;
	event_free(ctl->ev_listen);
	event_free(ctl->ev_down);
	event_free(ctl->ev_accept);
	/* Only our own socket: a new daemon may have replaced it. */
	if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino && unlink(ctl->path) == -1)
		log_debug("cannot remove %s (%s); mesh down or the next "
		    "start removes it", ctl->path, strerror(errno));
	close(ctl->fd);
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		conn_free(c);
	free(ctl);
}

const char *
control_path(const struct control *ctl)
{
	return ctl->path;
}

/* --- client end --- */

/* Find and connect to ifname's daemon. fd, or -1 with err and errno. */
static int
client_connect(const char *ifname, int remove_stale, char *path,
    size_t pathlen, char *err, size_t errlen)
{
	char		dirs[NDIRS][PATH_MAX];
	struct stat	st;
	struct ucred	cred;
	socklen_t	credlen = sizeof(cred);
	int		n, i, fd, stale = 0, denied = 0;

	if (!valid_ifname(ifname)) {
		errf(err, errlen, "bad interface name '%s'", ifname);
		errno = EINVAL;
		return -1;
	}
	n = sockdirs(dirs);
	for (i = 0; i < n; i++) {
		if (sock_path(path, pathlen, dirs[i], ifname) == -1)
			continue;
		if (lstat(path, &st) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		/* Only sockets of root or our own. */
		if (st.st_uid != 0 && st.st_uid != geteuid())
			continue;
		if ((fd = sock_connect(path)) == -1) {
			if (errno == ECONNREFUSED) {
				stale = 1;
				/* Left by a daemon that was killed. */
				if (remove_stale && unlink(path) == 0)
					stale = 2;
			}
			else if (errno == EACCES || errno == EPERM)
				denied = 1;
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
		errf(err, errlen, "%s: permission denied (the control socket "
		    "is mode 0600: run as root)", ifname);
		errno = EACCES;
	} else {
		errf(err, errlen, "%s: no daemon is running for this "
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
		errf(err, errlen, "bad request");
		errno = EINVAL;
		return -1;
	}
	if ((fd = client_connect(ifname, rq->cmd == CTL_CMD_DOWN, path,
	    sizeof(path), err, errlen)) == -1)
		return -1;
	if (write_all(fd, req, reqlen) == -1) {
		e = errno;
		errf(err, errlen, "%s: sending request: %s", path,
		    strerror(e));
		goto fail;
	}
	deadline = deadline_in(CLIENT_TIMEOUT);
	while (mlen == 0) {
		if (len == cap) {
			size_t	ncap = cap ? cap * 2 : 8192;

			if (ncap > CTL_MAX_REPLY + 1)
				ncap = CTL_MAX_REPLY + 1;
			if (ncap == cap) {
				e = EMSGSIZE;
				errf(err, errlen, "%s: reply longer than %d "
				    "bytes", path, CTL_MAX_REPLY);
				goto fail;
			}
			if ((nb = realloc(buf, ncap + 1)) == NULL) {
				e = ENOMEM;
				errf(err, errlen, "out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		if (wait_readable(fd, deadline) == -1) {
			e = errno;
			errf(err, errlen, "%s: no reply: %s", path,
			    strerror(e));
			goto fail;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n == 0 ? ECONNRESET : errno;
			errf(err, errlen, "%s: %s", path, n == 0 ?
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
				errf(err, errlen, "%s: daemon did not exit "
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
		if ((e = sock_connect(path)) != -1)
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

	nd = sockdirs(dirs);
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
			if (!valid_ifname(name) || sock_path(path,
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
			if ((fd = sock_connect(path)) == -1 &&
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
