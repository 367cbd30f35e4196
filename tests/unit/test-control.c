/* Tests of the control socket (src/control/control.c): a real UNIX socket in a
 * temporary $MESH_RUNDIR, the daemon end on a libevent loop in this process
 * and clients in forked children. */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "control/control.h"
#include "control/ctlproto.h"
#include "t.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define KA "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"

static char		 rundir[64];
static struct event_base *base;
static struct control	*ctl;
static int		 nshow, nreload, ndown;

static int
t_show(void *arg, const char *what, struct ctl_writer *w, char *err,
    size_t errlen)
{
	struct ctl_iface	ifc;
	struct ctl_peer		p;

	nshow++;
	memset(&ifc, 0, sizeof(ifc));
	strcpy(ifc.ifname, "mesh-t");
	strcpy(ifc.key, KA);
	strcpy(ifc.network, what[0] != '\0' ? what : "none");
	ctl_put_iface(w, &ifc);
	memset(&p, 0, sizeof(p));
	strcpy(p.key, KA);
	ctl_put_peer(w, &p);
	return 0;
}

static int
t_reload(void *arg, struct ctl_writer *w, char *err, size_t errlen)
{
	nreload++;
	snprintf(err, errlen, "subnet changed; restart needed");
	return EBUSY;
}

static void
t_down(void *arg)
{
	ndown++;
	control_close(ctl);
	ctl = NULL;
	event_base_loopexit(base, NULL);
}

/* Lookups are answered later, from a timer, as the daemon does when the
 * DHT is done; the all-zero key is refused at once. */
static struct ctl_pending *pend[CONTROL_MAX_CLIENTS];
static size_t		 npend;
static int		 nlookup;
static struct event	*ev_answer;

static int
t_lookup(void *arg, const uint8_t key[KEY_LEN], struct ctl_pending *p,
    char *err, size_t errlen)
{
	static const uint8_t	zero[KEY_LEN];
	struct timeval		tv = { 0, 300000 };

	nlookup++;
	if (memcmp(key, zero, KEY_LEN) == 0) {
		snprintf(err, errlen, "lookup: that is this daemon's own key");
		return EINVAL;
	}
	if (npend == ARRAY_LEN(pend))
		return EBUSY;
	pend[npend++] = p;
	evtimer_add(ev_answer, &tv);
	return 0;
}

static void
answer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_lookup	l;
	struct ctl_writer	w;
	size_t			i;

	memset(&l, 0, sizeof(l));
	l.present = 1;
	strcpy(l.key, KA);
	l.found = 1;
	l.rounds = 2;
	l.messages = 9;
	strcpy(l.eps[0].endpoint, "192.0.2.7:6374");
	l.eps[0].reachable = 1;
	l.neps = 1;
	for (i = 0; i < npend; i++) {
		ctl_writer_init(&w, CTL_MAX_REPLY);
		ctl_put_lookup(&w, &l);
		control_answer(pend[i], &w, 0, NULL);
		ctl_writer_free(&w);
	}
	npend = 0;
}

static const struct control_ops ops = { t_show, t_reload, t_down, t_lookup };

/* Run fn in a child while the parent serves the loop until the child
 * exits; returns the child's exit status. */
static void
on_child(evutil_socket_t fd, short what, void *arg)
{
	int	*status = arg;

	if (waitpid(-1, status, WNOHANG) > 0)
		event_base_loopexit(base, NULL);
}

static int
in_child(int (*fn)(void))
{
	struct event	*ev;
	int		 status = -1;
	pid_t		 pid;

	ev = evsignal_new(base, SIGCHLD, on_child, &status);
	evsignal_add(ev, NULL);
	if ((pid = fork()) == 0)
		_exit(fn());
	event_base_dispatch(base);
	if (status == -1 && waitpid(pid, &status, 0) == -1)
		status = -1;
	event_free(ev);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static int
req(enum ctl_cmd cmd, const char *arg, struct ctl_reply *r, char *err,
    size_t errlen)
{
	struct ctl_request	 rq;
	char			*buf;
	size_t			 len;
	int			 rc;

	memset(&rq, 0, sizeof(rq));
	rq.cmd = cmd;
	snprintf(rq.arg, sizeof(rq.arg), "%s", arg);
	if (control_request("mesh-t", &rq, &buf, &len, err, errlen) == -1)
		return -1;
	rc = ctl_reply_decode(buf, len, r, err, errlen);
	free(buf);
	return rc;
}

static int
child_show(void)
{
	struct ctl_reply	r;
	char			err[256];

	if (req(CTL_CMD_SHOW, "peers", &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "show: %s\n", err);
		return 1;
	}
	if (r.errnum != 0 || !r.has_iface || r.npeers != 1 ||
	    strcmp(r.iface.network, "peers") != 0)
		return 2;
	ctl_reply_free(&r);
	if (req(CTL_CMD_SHOW, "bogus", &r, err, sizeof(err)) == -1 ||
	    r.errnum != EINVAL || strstr(r.error, "unknown argument") == NULL)
		return 3;
	ctl_reply_free(&r);
	return 0;
}

static int
child_reload(void)
{
	struct ctl_reply	r;
	char			err[256];

	if (req(CTL_CMD_RELOAD, "", &r, err, sizeof(err)) == -1)
		return 1;
	if (r.errnum != EBUSY || strcmp(r.error,
	    "subnet changed; restart needed") != 0 || r.has_iface)
		return 2;
	ctl_reply_free(&r);
	return 0;
}

static int	raw_connect(void);

/* A deferred answer reaches its client; one whose client hung up first is
 * dropped; a bad key or a refused lookup is an error reply. */
static int
child_lookup(void)
{
	static const char req_lookup[] = "mesh-ctl=1\ncmd=lookup\narg=" KA
	    "\n\n";
	struct ctl_reply	r;
	char			err[256];
	int			fd;

	if ((fd = raw_connect()) == -1 || write(fd, req_lookup,
	    sizeof(req_lookup) - 1) != (ssize_t)sizeof(req_lookup) - 1)
		return 1;
	close(fd);			/* gone before the answer */
	if (req(CTL_CMD_LOOKUP, KA, &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "lookup: %s\n", err);
		return 2;
	}
	if (r.errnum != 0 || !r.lookup.present || r.lookup.found != 1 ||
	    r.lookup.rounds != 2 || r.lookup.neps != 1 ||
	    strcmp(r.lookup.eps[0].endpoint, "192.0.2.7:6374") != 0)
		return 3;
	ctl_reply_free(&r);
	if (req(CTL_CMD_LOOKUP, "nokey", &r, err, sizeof(err)) == -1 ||
	    r.errnum != EINVAL || strstr(r.error, "is not a key") == NULL)
		return 4;
	ctl_reply_free(&r);
	if (req(CTL_CMD_LOOKUP, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    &r, err, sizeof(err)) == -1 || r.errnum != EINVAL ||
	    strstr(r.error, "own key") == NULL || r.lookup.present)
		return 5;
	ctl_reply_free(&r);
	return 0;
}

/* A plain connection to the test daemon's socket: fd, or -1. */
static int
raw_connect(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/mesh-t.sock",
	    rundir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Raw bytes: a malformed request gets EINVAL, not a crash or a hang. */
static int
child_garbage(void)
{
	char			buf[512];
	ssize_t			n;
	size_t			len = 0;
	int			fd;

	if ((fd = raw_connect()) == -1)
		return 1;
	if (write(fd, "hello\n\n", 7) != 7)
		return 2;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	if (strstr(buf, "errno=22\n") == NULL)
		return 3;
	return 0;
}

/* A client trickling its request a byte a second (each byte well within
 * any idle timeout) is cut off at CONTROL_TIMEOUT after it connected, so
 * that CONTROL_MAX_CLIENTS such clients cannot lock everyone out. Returns 0
 * if the daemon closed the connection before the client gave up, a good
 * while after the deadline. */
static int
child_trickle(void)
{
	struct pollfd	pfd;
	char		buf[64];
	int		fd, i;

	if ((fd = raw_connect()) == -1)
		return 10;
	for (i = 0; i < 3 * CONTROL_TIMEOUT; i++) {
		if (send(fd, "m", 1, MSG_NOSIGNAL) != 1)
			return 0;		/* closed on us */
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 1000) == 1 && recv(fd, buf, sizeof(buf),
		    0) <= 0)
			return 0;		/* end of file: cut off */
	}
	close(fd);
	return 1;
}

/* Changes need root or the owner; reads do not. */
static int
child_unprivileged(void)
{
	struct ctl_reply	r;
	char			err[256];

	if (setgid(65534) == -1 || setuid(65534) == -1)
		return 10;
	/* The socket is 0600: no connection at all. */
	if (req(CTL_CMD_SHOW, "", &r, err, sizeof(err)) != -1 ||
	    errno != EACCES || strstr(err, "permission denied") == NULL) {
		fprintf(stderr, "unexpected: %s\n", err);
		return 1;
	}
	return 0;
}

static int
child_unprivileged_open(void)
{
	struct ctl_reply	r;
	char			err[256];

	if (setgid(65534) == -1 || setuid(65534) == -1)
		return 10;
	if (req(CTL_CMD_SHOW, "", &r, err, sizeof(err)) == -1 ||
	    r.errnum != 0) {
		fprintf(stderr, "show: %s\n", err);
		return 1;
	}
	ctl_reply_free(&r);
	if (req(CTL_CMD_RELOAD, "", &r, err, sizeof(err)) == -1 ||
	    r.errnum != EPERM) {
		fprintf(stderr, "reload: %s\n", err);
		return 2;
	}
	ctl_reply_free(&r);
	if (req(CTL_CMD_DOWN, "", &r, err, sizeof(err)) == -1 ||
	    r.errnum != EPERM)
		return 3;
	ctl_reply_free(&r);
	return 0;
}

static int
child_down(void)
{
	struct ctl_reply	r;
	char			err[256];
	struct stat		st;
	char			path[128];

	if (req(CTL_CMD_DOWN, "", &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "down: %s\n", err);
		return 1;
	}
	if (r.errnum != 0)
		return 2;
	/* control_request returned only after the daemon closed; the
	 * socket is gone. */
	snprintf(path, sizeof(path), "%s/mesh-t.sock", rundir);
	if (stat(path, &st) == 0)
		return 3;
	return 0;
}

static int
child_absent(void)
{
	struct ctl_reply	r;
	char			err[256];

	if (req(CTL_CMD_SHOW, "", &r, err, sizeof(err)) != -1 ||
	    errno != ENOENT || strstr(err, "no daemon") == NULL)
		return 1;
	return 0;
}

static int
child_down_stale(void)
{
	struct ctl_reply	r;
	char			err[256];

	if (req(CTL_CMD_DOWN, "", &r, err, sizeof(err)) != -1 ||
	    errno != ENOENT || strstr(err, "removed its stale socket") == NULL) {
		fprintf(stderr, "down on a stale socket: %s\n", err);
		return 1;
	}
	return 0;
}

static void
open_ctl(void)
{
	char	err[256];

	ctl = control_open(base, "mesh-t", &ops, NULL, err, sizeof(err));
	if (ctl == NULL)
		T_FAIL("control_open: %s", err);
}

T_TEST(sockdir)
{
	char	buf[128];

	T_EQ_INT(control_sockdir(buf, sizeof(buf), 1), 0);
	T_EQ_STR(buf, rundir);
	T_EQ_INT(control_sockdir(buf, 4, 1), -1);
}

T_TEST(open_twice)
{
	struct control	*c2;
	char		 err[256];
	char		**names;
	size_t		 n;

	open_ctl();
	T_ASSERT(ctl != NULL);
	c2 = control_open(base, "mesh-t", &ops, NULL, err, sizeof(err));
	T_ASSERT(c2 == NULL);
	T_ASSERT(strstr(err, "already running") != NULL);
	T_EQ_INT(control_list(&names, &n), 0);
	T_EQ_INT(n, 1);
	if (n == 1)
		T_EQ_STR(names[0], "mesh-t");
	control_list_free(names, n);
	c2 = control_open(base, "../x", &ops, NULL, err, sizeof(err));
	T_ASSERT(c2 == NULL);
}

T_TEST(requests)
{
	struct stat	st;

	T_ASSERT(stat(control_path(ctl), &st) == 0 &&
	    (st.st_mode & 0777) == 0600);
	T_EQ_INT(in_child(child_show), 0);
	T_EQ_INT(nshow, 1);
	T_EQ_INT(in_child(child_reload), 0);
	T_EQ_INT(nreload, 1);
	T_EQ_INT(in_child(child_garbage), 0);
	T_EQ_INT(in_child(child_lookup), 0);
	T_EQ_INT(nlookup, 3);	/* "nokey" never reaches it */
	T_EQ_INT(npend, 0);
}

/* Out of descriptors, accept fails and the pending connection keeps the
 * listening socket readable: the daemon must back off rather than spin
 * (and log a warning) in a tight loop, and serve again once fds are free. */
T_TEST(out_of_fds)
{
	struct rlimit	 rl, low;
	struct timeval	 tv = { 1, 500000 };
	char		 path[] = "/tmp/mesh-test-control-log.XXXXXX";
	char		 line[512];
	FILE		*f;
	int		 logfd, saved, cfd, fill[64], nfill = 0, nwarn = 0;

	if ((logfd = mkstemp(path)) == -1 || (saved = dup(2)) == -1) {
		T_FAIL("mkstemp/dup");
		return;
	}
	unlink(path);
	cfd = raw_connect();		/* queued, not yet accepted */
	T_ASSERT(cfd != -1);
	getrlimit(RLIMIT_NOFILE, &rl);
	low = rl;
	low.rlim_cur = 64;
	T_EQ_INT(setrlimit(RLIMIT_NOFILE, &low), 0);
	fflush(stderr);
	dup2(logfd, 2);
	while (nfill < (int)ARRAY_LEN(fill) &&
	    (fill[nfill] = open("/dev/null", O_RDONLY)) != -1)
		nfill++;
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	while (nfill > 0)
		close(fill[--nfill]);
	setrlimit(RLIMIT_NOFILE, &rl);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(logfd, 0, SEEK_SET);
	if ((f = fdopen(logfd, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, "accept") != NULL)
				nwarn++;
		fclose(f);
	}
	/* one warning per second of back-off, not one per loop turn */
	T_ASSERT(nwarn >= 1 && nwarn <= 3);
	if (nwarn > 3)
		fprintf(stderr, "# %d accept warnings\n", nwarn);
	close(cfd);
	/* descriptors free again: served as before */
	T_EQ_INT(in_child(child_show), 0);
}

T_TEST(trickle)
{
	T_EQ_INT(in_child(child_trickle), 0);
	/* still serving others afterwards */
	T_EQ_INT(in_child(child_show), 0);
}

T_TEST(credentials)
{
	if (geteuid() != 0) {
		printf("# skipped: needs root\n");
		return;
	}
	chmod(rundir, 0755);
	T_EQ_INT(in_child(child_unprivileged), 0);
	chmod(control_path(ctl), 0666);
	T_EQ_INT(in_child(child_unprivileged_open), 0);
	chmod(rundir, 0700);
	chmod(control_path(ctl), 0600);
	T_EQ_INT(nreload, 1);
	T_EQ_INT(ndown, 0);
}

T_TEST(down)
{
	T_EQ_INT(in_child(child_down), 0);
	T_EQ_INT(ndown, 1);
	T_ASSERT(ctl == NULL);
	T_EQ_INT(in_child(child_absent), 0);
}

T_TEST(stale)
{
	struct sockaddr_un	sun;
	char			**names;
	size_t			n;
	int			fd;

	/* A socket nobody listens on any more, as a killed daemon leaves. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/mesh-t.sock",
	    rundir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	T_EQ_INT(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	T_EQ_INT(control_list(&names, &n), 0);
	T_EQ_INT(n, 0);
	control_list_free(names, n);
	T_EQ_INT(in_child(child_absent), 0);
	T_EQ_INT(access(sun.sun_path, F_OK), 0);	/* show leaves it */
	open_ctl();
	T_ASSERT(ctl != NULL);
	control_close(ctl);
	ctl = NULL;
	T_ASSERT(access(sun.sun_path, F_OK) == -1);

	/* down on a stale socket removes it */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	T_EQ_INT(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	T_EQ_INT(in_child(child_down_stale), 0);
	T_ASSERT(access(sun.sun_path, F_OK) == -1);
}

int
main(void)
{
	snprintf(rundir, sizeof(rundir), "/tmp/mesh-test-control.XXXXXX");
	if (mkdtemp(rundir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	setenv("MESH_RUNDIR", rundir, 1);
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	ev_answer = evtimer_new(base, answer_cb, NULL);
	T_RUN(sockdir);
	T_RUN(open_twice);
	if (ctl != NULL) {
		T_RUN(requests);
		T_RUN(trickle);
		T_RUN(out_of_fds);
		T_RUN(credentials);
		T_RUN(down);
	}
	T_RUN(stale);
	event_free(ev_answer);
	event_base_free(base);
	rmdir(rundir);
	return t_done();
}
