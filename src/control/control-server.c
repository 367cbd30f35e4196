/* The control socket's daemon end, on the libevent loop (control.h): one
 * request per connection, answered through the daemon's control_ops. */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "control/control.h"
#include "control/control-int.h"
#include "control/ctlproto.h"
#include "common/log.h"
#include "netconf/keys.h"
#include "common/util.h"

#define ACCEPT_BACKOFF	1	/* seconds not accepting when out of fds */

enum conn_state {
	CONN_READING,
	CONN_WRITING,		/* reply queued; close when sent */
	CONN_DOWN,		/* "down" answered; open until control_close */
	CONN_WAITING,		/* a deferred answer (lookup) to come */
};

/* A deferred request: owned by the control socket until answered (conn is
 * NULL once its client is gone; ctl is NULL once the socket closed). */
struct ctl_pending {
	TAILQ_ENTRY(ctl_pending) entry;
	struct control		*ctl;
	struct ctl_conn		*conn;
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct control		*ctl;
	struct bufferevent	*bev;
	struct event		*ev_timeout;	/* whole request, whole reply */
	uid_t			 uid;
	pid_t			 pid;
	enum conn_state		 state;
	struct ctl_pending	*pending;	/* while CONN_WAITING */
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
	TAILQ_HEAD(, ctl_pending)	 pendings;
	int				 down_requested;
	pid_t				 remover;	/* or -1 */
	int				 remover_fd;	/* or -1 */
};

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
	if (c->state == CONN_READING || c->state == CONN_WAITING)
		c->state = CONN_WRITING;
	conn_deadline(c, CLIENT_TIMEOUT);
}

/* Start a lookup (rq.arg: a key); 0 when the answer is deferred, or an
 * errno value with err set. */
static int
conn_lookup(struct ctl_conn *c, const char *arg, char *err, size_t errlen)
{
	struct control		*ctl = c->ctl;
	struct ctl_pending	*p;
	uint8_t			 key[KEY_LEN];
	int			 rc;

	if (ctl->ops->lookup == NULL) {
		util_errf(err, errlen, "lookup is not supported");
		return EOPNOTSUPP;
	}
	if (key_from_text(key, arg, strlen(arg)) == -1) {
		util_errf(err, errlen, "lookup: '%s' is not a key (%d "
		    "characters of base64url)", arg, KEY_TEXT_LEN);
		return EINVAL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		util_errf(err, errlen, "out of memory");
		return ENOMEM;
	}
	p->ctl = ctl;
	p->conn = c;
	if ((rc = ctl->ops->lookup(ctl->arg, key, p, err, errlen)) != 0) {
		free(p);
		return rc;
	}
	TAILQ_INSERT_TAIL(&ctl->pendings, p, entry);
	c->pending = p;
	c->state = CONN_WAITING;
	bufferevent_disable(c->bev, EV_READ);
	conn_deadline(c, CONTROL_LOOKUP_TIMEOUT);
	return 0;
}

void
control_answer(struct ctl_pending *p, struct ctl_writer *w, int errnum,
    const char *err)
{
	struct ctl_conn	*c = p->conn;

	if (p->ctl != NULL)
		TAILQ_REMOVE(&p->ctl->pendings, p, entry);
	if (c != NULL) {
		c->pending = NULL;
		if (errnum != 0) {
			/* Nothing of a failed command's records. */
			ctl_writer_reset(w);
			if (err == NULL || err[0] == '\0')
				err = strerror(errnum);
		}
		conn_reply(c, w, errnum, err);
	}
	free(p);
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
	if (rq.cmd != CTL_CMD_SHOW && rq.cmd != CTL_CMD_LOOKUP &&
	    c->uid != 0 && c->uid != ctl->owner) {
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
			util_errf(err, sizeof(err),
			    "show: unknown argument '%s': "
			    "expected peers, dht or all", rq.arg);
			break;
		}
		rc = ctl->ops->show(ctl->arg, rq.arg, &w, err, sizeof(err));
		if (rc == 0 && w.failed) {
			rc = w.failed;
			util_errf(err, sizeof(err), "show: reply too large");
		}
		break;
	case CTL_CMD_RELOAD:
		if (ctl->ops->reload == NULL) {
			rc = EOPNOTSUPP;
			util_errf(err, sizeof(err), "reload is not supported");
			break;
		}
		log_info("reload requested by uid %lu", (unsigned long)c->uid);
		rc = ctl->ops->reload(ctl->arg, &w, err, sizeof(err));
		if (rc != 0)
			log_warnx("reload refused: %s", err);
		break;
	case CTL_CMD_LOOKUP:
		if ((rc = conn_lookup(c, rq.arg, err, sizeof(err))) == 0) {
			ctl_writer_free(&w);
			return;		/* answered by control_answer */
		}
		break;
	case CTL_CMD_DOWN:
		log_info("shutdown requested by uid %lu",
		    (unsigned long)c->uid);
		c->state = CONN_DOWN;
		ctl->down_requested = 1;
		break;
	default:
		rc = EINVAL;
		util_errf(err, sizeof(err), "unknown command");
		break;
	}
	if (rc != 0) {
		/* Nothing of a failed command's partial output is sent. */
		ctl_writer_reset(&w);
		if (err[0] == '\0')
			util_errf(err, sizeof(err), "%s", strerror(rc));
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
	if (c->pending != NULL)
		c->pending->conn = NULL;	/* its answer is dropped */
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
		util_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		util_errf(err, errlen,
		    "%s exists and is not a socket; remove it",
		    path);
		return -1;
	}
	if ((fd = control_sock_connect(path)) != -1) {
		close(fd);
		/* Network namespaces share the directory: the usual way
		 * two default names (mesh-NETWORK) meet. */
		util_errf(err, errlen, "a daemon for %s is already running "
		    "(socket %s), maybe in another network namespace: name "
		    "this one with interface NAME, or give each namespace "
		    "its own socket directory with MESH_RUNDIR", ifname,
		    path);
		return 1;
	}
	if (errno != ECONNREFUSED) {
		util_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	log_info("removing stale control socket %s", path);
	if (unlink(path) == -1 && errno != ENOENT) {
		util_errf(err, errlen,
		    "cannot remove stale socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Unlink the socket if it is still ours (a new daemon may have replaced
 * it). 0, or -1 with errno. */
static int
remove_socket(const struct control *ctl)
{
	struct stat	st;

	if (lstat(ctl->path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (st.st_dev != ctl->dev || st.st_ino != ctl->ino)
		return 0;
	return unlink(ctl->path) == -1 && errno != ENOENT ? -1 : 0;
}

/* Close every descriptor but keep. */
static void
close_all_but(int keep)
{
	long	max, fd;

	if ((keep <= 3 || syscall(SYS_close_range, 3, keep - 1, 0) == 0) &&
	    syscall(SYS_close_range, keep + 1, ~0U, 0) == 0)
		return;
	/* No close_range (old kernel, or a seccomp filter). */
	if ((max = sysconf(_SC_OPEN_MAX)) < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			(void)close((int)fd);
}

int
control_keep_remover(struct control *ctl, void (*init)(void *), void *arg,
    char *err, size_t errlen)
{
	char	c;
	int	p[2], fd;

	if (pipe2(p, O_CLOEXEC) == -1 || (ctl->remover = fork()) == -1) {
		util_errf(err, errlen, "socket remover: %s",
		    strerror(errno));
		return -1;
	}
	if (ctl->remover == 0) {
		/* The remover: nothing of the daemon's but this path. It
		 * outlives signals meant for the daemon (a terminal's ^C, a
		 * service manager's SIGTERM to the whole group) and ends
		 * with it, however it ends. */
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		if (init != NULL)
			init(arg);
		close(p[1]);
		close_all_but(p[0]);
		/* Nor the caller's terminal or pipe (mesh up's stdout in a
		 * $(...) would otherwise stay open as long as we live). */
		if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
			(void)dup2(fd, STDIN_FILENO);
			(void)dup2(fd, STDOUT_FILENO);
			(void)dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		while (read(p[0], &c, 1) != 0 && (errno == EINTR ||
		    errno == EAGAIN))
			;
		(void)remove_socket(ctl);
		_exit(0);
	}
	close(p[0]);
	ctl->remover_fd = p[1];
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

	if (!control_valid_ifname(ifname)) {
		util_errf(err, errlen, "bad interface name '%s'", ifname);
		return NULL;
	}
	if (control_sockdir(dir, sizeof(dir), 1) == -1) {
		util_errf(err, errlen, "no directory for the control socket "
		    "(tried %s, $XDG_RUNTIME_DIR/mesh, /tmp/mesh-%lu): %s",
		    CONTROL_DIR_RUN, (unsigned long)geteuid(),
		    strerror(errno));
		return NULL;
	}
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		util_errf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->fd = -1;
	ctl->remover = -1;
	ctl->remover_fd = -1;
	ctl->base = base;
	ctl->ops = ops;
	ctl->arg = arg;
	ctl->owner = geteuid();
	TAILQ_INIT(&ctl->conns);
	TAILQ_INIT(&ctl->pendings);
	if (control_sock_path(ctl->path, sizeof(ctl->path), dir, ifname) == -1) {
		util_errf(err, errlen, "%s/%s%s: path too long", dir, ifname,
		    SOCK_SUFFIX);
		goto fail;
	}

	/* Two daemons starting at once must not both decide the socket is
	 * stale: hold a lock on the directory from the check to listen(). */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(dfd, LOCK_EX) == -1) {
		util_errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((rc = control_check_existing(ctl->path, ifname, err, errlen)) != 0)
		goto fail;

	if ((ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		util_errf(err, errlen, "socket: %s", strerror(errno));
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
		util_errf(err, errlen, "bind %s: %s", ctl->path, strerror(e));
		goto fail;
	}
	if (chmod(ctl->path, 0600) == -1 || lstat(ctl->path, &st) == -1 ||
	    listen(ctl->fd, CONTROL_MAX_CLIENTS) == -1) {
		util_errf(err, errlen, "%s: %s", ctl->path, strerror(errno));
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
		util_errf(err, errlen,
		    "cannot add control socket to event loop");
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
	struct ctl_conn		*c;
	struct ctl_pending	*p;

	if (ctl == NULL)
		return;
	event_free(ctl->ev_listen);
	event_free(ctl->ev_down);
	event_free(ctl->ev_accept);
	/* Only our own socket: a new daemon may have replaced it. */
	if (remove_socket(ctl) == -1 && ctl->remover == -1)
		log_warnx("cannot remove %s (%s); mesh down or the next "
		    "start removes it", ctl->path, strerror(errno));
	close(ctl->fd);
	/* The remover takes its end of the pipe closing as the signal;
	 * wait for it so that the socket is gone once we have exited. */
	if (ctl->remover_fd != -1)
		close(ctl->remover_fd);
	if (ctl->remover != -1)
		while (waitpid(ctl->remover, NULL, 0) == -1 && errno == EINTR)
			;
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		conn_free(c);
	/* Answers still to come are dropped when they come. */
	while ((p = TAILQ_FIRST(&ctl->pendings)) != NULL) {
		TAILQ_REMOVE(&ctl->pendings, p, entry);
		p->ctl = NULL;
	}
	free(ctl);
}

const char *
control_path(const struct control *ctl)
{
	return ctl->path;
}
