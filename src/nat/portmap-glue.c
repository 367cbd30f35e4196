/* Port mapping glue: libevent, the UPnP worker thread, the NAT-PMP socket.
 * The decisions are portmap-state.c's; this file only carries them out. */
#include "config.h"

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/evtimer.h"
#include "common/log.h"
#include "nat/portmap-backend.h"
#include "nat/portmap-glue.h"
#include "common/util.h"

enum job_op { JOB_MAP, JOB_UNMAP };

/* One UPnP call handed to the worker thread. Written by the loop before
 * pthread_create, by the worker until it signals, read after the join. */
struct upnp_job {
	enum job_op		op;
	uint16_t		port, ext_port;
	uint32_t		lifetime;
	int			discover_ms;
	int			rc;
	struct portmap_lease	lease;
	char			err[PORTMAP_ERR_MAX];
};

struct portmap {
	struct event_base	*base;
	struct portmap_config	 cfg;
	struct portmap_state	 st;
	portmap_cb		 changed;
	void			*arg;

	struct event		*tick;		/* state machine timer */

	/* UPnP: worker thread and its completion pipe */
	struct portmap_upnp	*upnp;
	struct upnp_job		 job;
	pthread_t		 thread;
	int			 thread_running;
	int			 pipefd[2];
	struct event		*pipe_ev;

	/* NAT-PMP: the request on the loop */
	struct portmap_natpmp	*natpmp;
	enum job_op		 np_op;
	struct event		*np_read, *np_timer;
	uint64_t		 np_deadline;

	/* shutdown */
	void			(*done)(void *);
	void			*done_arg;
	struct event		*stop_timer;
	int			 stopping;

	/* the last failure logged, per method (they alternate) */
	char			 logged_error[3][PORTMAP_ERR_MAX];
};

static void	run(struct portmap *);

static void
finish_stop(struct portmap *pm)
{
	void	(*done)(void *) = pm->done;

	if (!pm->stopping || done == NULL)
		return;
	pm->done = NULL;
	event_del(pm->stop_timer);
	done(pm->done_arg);
}

/* Tell the owner, and log what changed (once per distinct failure). */
static void
report(struct portmap *pm, uint64_t gen_before)
{
	struct portmap_status	s;
	char			buf[192];

	portmap_status(pm, &s);
	if (s.generation != gen_before) {
		portmap_status_format(&s, buf, sizeof(buf));
		log_info("port mapping: %s", buf);
	}
	if (s.error[0] != '\0' && (unsigned)s.error_method < 3 &&
	    strcmp(s.error, pm->logged_error[s.error_method]) != 0) {
		log_info("port mapping failed: %s", s.error);
		memcpy(pm->logged_error[s.error_method], s.error,
		    sizeof(pm->logged_error[0]));
	}
	if (pm->changed != NULL)
		pm->changed(pm->arg, pm);
}

static void
result(struct portmap *pm, enum job_op op, int ok,
    const struct portmap_lease *l, const char *err)
{
	uint64_t	now = util_mono_ms(), gen = pm->st.generation;

	if (op == JOB_UNMAP) {
		if (!ok)
			log_info("port mapping: delete failed: %s", err);
		portmap_state_unmapped(&pm->st, now);
	} else if (ok) {
		portmap_state_mapped(&pm->st, now, l);
		memset(pm->logged_error, 0, sizeof(pm->logged_error));
	} else
		portmap_state_failed(&pm->st, now, err);
	report(pm, gen);
	run(pm);
}

/* --- UPnP in a worker thread --- */

static void *
upnp_worker(void *arg)
{
	struct portmap	*pm = arg;
	struct upnp_job	*j = &pm->job;
	char		 c = 0;

	if (j->op == JOB_MAP)
		j->rc = portmap_upnp_map(pm->upnp, j->port, j->lifetime,
		    j->discover_ms, &j->lease, j->err, sizeof(j->err));
	else
		j->rc = portmap_upnp_unmap(pm->upnp, j->ext_port, j->err,
		    sizeof(j->err));
	while (write(pm->pipefd[1], &c, 1) == -1 && errno == EINTR)
		;
	return NULL;
}

static int
upnp_start(struct portmap *pm, enum job_op op)
{
	sigset_t	all, old;
	int		r;

	memset(&pm->job, 0, sizeof(pm->job));
	pm->job.op = op;
	pm->job.port = pm->cfg.port;
	pm->job.ext_port = pm->st.lease.ext_port;
	pm->job.lifetime = pm->st.want_lifetime;
	pm->job.discover_ms = pm->cfg.discover_ms;
	/* the worker takes no signals: they belong to the loop */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&pm->thread, NULL, upnp_worker, pm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		snprintf(pm->job.err, sizeof(pm->job.err),
		    "UPnP: cannot start a thread: %s", strerror(r));
		return -1;
	}
	pm->thread_running = 1;
	return 0;
}

static void
upnp_join(struct portmap *pm)
{
	char	buf[16];

	if (!pm->thread_running)
		return;
	pthread_join(pm->thread, NULL);
	pm->thread_running = 0;
	while (read(pm->pipefd[0], buf, sizeof(buf)) > 0)
		;
}

static void
upnp_done(evutil_socket_t fd, short what, void *arg)
{
	struct portmap	*pm = arg;

	(void)fd;
	(void)what;
	if (!pm->thread_running)
		return;
	upnp_join(pm);
	result(pm, pm->job.op, pm->job.rc == 0, &pm->job.lease, pm->job.err);
}

/* --- NAT-PMP on the loop --- */

static void
natpmp_event(evutil_socket_t fd, short what, void *arg)
{
	struct portmap		*pm = arg;
	struct portmap_lease	 l;
	char			 err[PORTMAP_ERR_MAX];
	uint64_t		 now = util_mono_ms(), wait;
	int			 r;

	(void)fd;
	(void)what;
	r = portmap_natpmp_step(pm->natpmp, &l, err, sizeof(err));
	if (r == 0 && now >= pm->np_deadline) {
		snprintf(err, sizeof(err), "NAT-PMP: no answer from the "
		    "gateway within %d ms", pm->cfg.natpmp_ms);
		portmap_natpmp_end(pm->natpmp);
		r = -1;
	}
	if (r == 0) {
		wait = (uint64_t)portmap_natpmp_timeout(pm->natpmp);
		if (now + wait > pm->np_deadline)
			wait = pm->np_deadline - now;
		evtimer_arm_in(pm->np_timer, wait);
		return;
	}
	event_del(pm->np_read);
	event_del(pm->np_timer);
	result(pm, pm->np_op, r == 1, &l, err);
}

static int
natpmp_start(struct portmap *pm, enum job_op op, char *err, size_t errlen)
{
	int	fd;

	if (op == JOB_MAP)
		fd = portmap_natpmp_begin(pm->natpmp, pm->cfg.port,
		    pm->st.mapped ? pm->st.lease.ext_port : 0,
		    pm->st.want_lifetime, err, errlen);
	else
		fd = portmap_natpmp_begin(pm->natpmp, pm->cfg.port,
		    pm->st.lease.ext_port, 0, err, errlen);
	if (fd == -1)
		return -1;
	pm->np_op = op;
	if (pm->np_read != NULL)
		event_free(pm->np_read);
	pm->np_read = event_new(pm->base, fd, EV_READ | EV_PERSIST,
	    natpmp_event, pm);
	if (pm->np_read == NULL) {
		portmap_natpmp_end(pm->natpmp);
		snprintf(err, errlen, "NAT-PMP: out of memory");
		return -1;
	}
	event_add(pm->np_read, NULL);
	pm->np_deadline = util_mono_ms() + (uint64_t)pm->cfg.natpmp_ms;
	evtimer_arm_in(pm->np_timer,
	    (uint64_t)portmap_natpmp_timeout(pm->natpmp));
	return 0;
}

/* --- the state machine's actions --- */

static void
run(struct portmap *pm)
{
	enum portmap_action	act;
	enum portmap_method	m;
	enum job_op		op;
	char			err[PORTMAP_ERR_MAX];
	uint64_t		now, next;
	int			r;

	for (;;) {
		now = util_mono_ms();
		act = portmap_state_periodic(&pm->st, now, &m, &next);
		if (act == PORTMAP_ACT_NONE)
			break;
		op = act == PORTMAP_ACT_MAP ? JOB_MAP : JOB_UNMAP;
		if (m == PORTMAP_UPNP) {
			if ((r = upnp_start(pm, op)) == -1)
				snprintf(err, sizeof(err), "%s", pm->job.err);
		} else
			r = natpmp_start(pm, op, err, sizeof(err));
		if (r == 0)
			return;		/* the result calls run() again */
		/* could not even start: a result like any other */
		if (op == JOB_UNMAP)
			portmap_state_unmapped(&pm->st, now);
		else
			portmap_state_failed(&pm->st, now, err);
		report(pm, pm->st.generation);
	}
	if (pm->st.phase == PORTMAP_STOPPED) {
		finish_stop(pm);
		return;
	}
	if (next != UINT64_MAX)
		evtimer_arm_at(pm->tick, next, now);
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	run(arg);
}

static void
stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct portmap	*pm = arg;

	(void)fd;
	(void)what;
	if (pm->st.phase != PORTMAP_STOPPED)
		log_info("port mapping: gave up deleting the mapping after "
		    "%d ms", pm->cfg.stop_ms);
	finish_stop(pm);
}

struct portmap *
portmap_new(struct event_base *base, const struct portmap_config *cfg,
    portmap_cb changed, void *arg)
{
	struct portmap	*pm;

	if ((pm = calloc(1, sizeof(*pm))) == NULL)
		return NULL;
	pm->pipefd[0] = pm->pipefd[1] = -1;
	pm->base = base;
	pm->cfg = *cfg;
	if (pm->cfg.methods == 0)
		pm->cfg.methods = PORTMAP_M_ALL;
	if (pm->cfg.discover_ms <= 0)
		pm->cfg.discover_ms = 2000;
	if (pm->cfg.natpmp_ms <= 0)
		pm->cfg.natpmp_ms = 4000;
	if (pm->cfg.stop_ms <= 0)
		pm->cfg.stop_ms = 5000;
	pm->changed = changed;
	pm->arg = arg;
	if (pipe2(pm->pipefd, O_CLOEXEC | O_NONBLOCK) == -1)
		goto fail;
	pm->upnp = portmap_upnp_new();
	pm->natpmp = portmap_natpmp_new();
	pm->tick = evtimer_new(base, tick, pm);
	pm->np_timer = evtimer_new(base, natpmp_event, pm);
	pm->stop_timer = evtimer_new(base, stop_timeout, pm);
	pm->pipe_ev = event_new(base, pm->pipefd[0], EV_READ | EV_PERSIST,
	    upnp_done, pm);
	if (pm->upnp == NULL || pm->natpmp == NULL || pm->tick == NULL ||
	    pm->np_timer == NULL || pm->stop_timer == NULL ||
	    pm->pipe_ev == NULL)
		goto fail;
	event_add(pm->pipe_ev, NULL);
	portmap_state_init(&pm->st, pm->cfg.methods, pm->cfg.port,
	    pm->cfg.lifetime, util_mono_ms());
	evtimer_arm_in(pm->tick, 0);
	return pm;
fail:
	portmap_free(pm);
	return NULL;
}

void
portmap_status(const struct portmap *pm, struct portmap_status *s)
{
	const struct portmap_state	*st = &pm->st;
	uint64_t			 now = util_mono_ms();

	memset(s, 0, sizeof(*s));
	s->phase = st->phase;
	s->mapped = portmap_state_valid(st, now);
	if (s->mapped) {
		s->method = st->lease.method;
		s->ext_ip = st->lease.ext_ip;
		s->ext_port = st->lease.ext_port;
		s->lifetime = st->lease.lifetime;
		s->expires_in = st->expiry ? st->expiry - now : 0;
	}
	s->generation = st->generation;
	memcpy(s->error, st->error, sizeof(s->error));
	s->error_method = st->error_method;
	s->error_age = st->error[0] ? now - st->error_at : 0;
	s->nmapped = st->nmapped;
	s->nrenewed = st->nrenewed;
	s->nfailed = st->nfailed;
	s->nlost = st->nlost;
}

void
portmap_stop(struct portmap *pm, void (*done)(void *), void *arg)
{
	pm->done = done;
	pm->done_arg = arg;
	pm->stopping = 1;
	portmap_state_stop(&pm->st, util_mono_ms());
	evtimer_arm_in(pm->stop_timer, (uint64_t)pm->cfg.stop_ms);
	if (pm->st.phase == PORTMAP_STOPPED) {
		/* nothing to delete: still report from the loop */
		evtimer_arm_in(pm->stop_timer, 0);
		return;
	}
	run(pm);
}

void
portmap_free(struct portmap *pm)
{
	if (pm == NULL)
		return;
	upnp_join(pm);
	if (pm->natpmp != NULL)
		portmap_natpmp_free(pm->natpmp);
	portmap_upnp_free(pm->upnp);
	if (pm->np_read != NULL)
		event_free(pm->np_read);
	if (pm->np_timer != NULL)
		event_free(pm->np_timer);
	if (pm->tick != NULL)
		event_free(pm->tick);
	if (pm->stop_timer != NULL)
		event_free(pm->stop_timer);
	if (pm->pipe_ev != NULL)
		event_free(pm->pipe_ev);
	if (pm->pipefd[0] != -1)
		close(pm->pipefd[0]);
	if (pm->pipefd[1] != -1)
		close(pm->pipefd[1]);
	free(pm);
}

void
portmap_status_format(const struct portmap_status *s, char *buf, size_t len)
{
	struct in_addr	ia;
	char		ip[INET_ADDRSTRLEN];

	if (!s->mapped) {
		snprintf(buf, len, "none (%s)", portmap_phase_name(s->phase));
		return;
	}
	ia.s_addr = htonl(s->ext_ip);
	inet_ntop(AF_INET, &ia, ip, sizeof(ip));
	if (s->lifetime == 0)
		snprintf(buf, len, "%s %s:%u permanent",
		    portmap_method_name(s->method), ip, s->ext_port);
	else
		snprintf(buf, len, "%s %s:%u expires in %llu s",
		    portmap_method_name(s->method), ip, s->ext_port,
		    (unsigned long long)(s->expires_in / 1000));
}
