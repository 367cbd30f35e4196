/* Spreading signed netconfigs (netconf/ncsync.h): the glue. It carries
 * NC_HAVE/NC_GET/NC_CHUNK in the tunnels (dp_hooks.ready and .control),
 * runs ncsync's timer, judges a fetched file by the rule a member applies
 * (netconf_accept against the running netconfig), keeps an accepted one
 * in the state directory and applies it as `mesh reload` does.
 *
 * The state directory ($MESH_STATE_DIR, else /var/lib/mesh; systemd's
 * StateDirectory=mesh) is opened before the privilege drop and given to
 * the user the daemon runs as; files are written there with openat, to a
 * temporary name, fsync'd and renamed, so that a crash leaves the old
 * file or the new one. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/evtimer.h"
#include "common/log.h"
#include "common/util.h"
#include "control/ctlproto.h"
#include "daemon/daemon.h"
#include "daemon/daemon-int.h"
#include "datapath/datapath.h"
#include "datapath/members.h"
#include "datapath/peer.h"
#include "netconf/ncsync.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"

#define STATE_DIR_DEFAULT	"/var/lib/mesh"
#define NCGLUE_HELLO_MS		2000	/* after start-up (DHT bootstrap) */
#define NCGLUE_HELLO_PEERS	8

struct ncglue {
	struct ncsync	 s;
	int		 dirfd;			/* -1: nothing stored */
	char		 dir[PATH_MAX];
	char		 name[NETCONF_IFNAME_MAX + 8];	/* IFNAME.net */
	struct event	*ev_timer, *ev_apply, *ev_hello;
	/* the running file, until ncglue_start hands it to ncsync */
	char		*start_buf;
	size_t		 start_len;
	/* a fetched file waiting to be judged (ev_apply) */
	char		*pend_buf;
	size_t		 pend_len;
	uint8_t		 pend_peer[KEY_LEN];
	uint64_t	 pend_version;
	/* for show */
	uint8_t		 hash[NETCONF_HASH_LEN];
	char		 source[80];
	time_t		 since;
	uint64_t	 refused[NCV_COUNT];
};

static const char *
state_dir(void)
{
	const char	*s = getenv("MESH_STATE_DIR");

	return s != NULL && s[0] != '\0' ? s : STATE_DIR_DEFAULT;
}

/* The state file's bytes (regular, not writable by group or others). */
static int
read_state(struct ncglue *g, char **buf, size_t *len)
{
	struct stat	st;
	int		fd, rc;

	if (g->dirfd == -1)
		return -1;
	if ((fd = openat(g->dirfd, g->name, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		return -1;
	}
	rc = util_read_fd(fd, NETCONF_MAX_SIZE, buf, len);
	close(fd);
	return rc;
}

static int
write_state(struct ncglue *g, const char *buf, size_t len)
{
	char	tmp[sizeof(g->name) + 8];
	int	fd;

	if (g->dirfd == -1)
		return -1;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", g->name);
	if ((fd = openat(g->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0600)) == -1)
		return -1;
	if (util_write_all(fd, buf, len) == -1 || fsync(fd) == -1) {
		close(fd);
		(void)unlinkat(g->dirfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(g->dirfd, tmp, g->dirfd, g->name) == -1) {
		(void)unlinkat(g->dirfd, tmp, 0);
		return -1;
	}
	(void)fsync(g->dirfd);
	return 0;
}

int
ncglue_successor(struct daemon *d, const struct netconf *given,
    struct netconf *out, char **buf, size_t *len)
{
	struct ncglue	*g = d->ncg;
	char		 why[256], err[256];

	*buf = NULL;
	if (g == NULL || given->nadmins == 0 || read_state(g, buf,
	    len) == -1)
		return -1;
	if (netconf_parse_named(g->name, *buf, *len, out, err,
	    sizeof(err)) == 0) {
		if (netconf_accept(given, out, *buf, *len, d->pk, 0, why,
		    sizeof(why)) == NCV_OK)
			return 0;
		netconf_free(out);
	}
	free(*buf);
	*buf = NULL;
	return -1;
}

int
ncglue_prefer_state(struct daemon *d, char *err, size_t errlen)
{
	struct ncglue	*g;
	struct netconf	 nc;
	char		*buf, *sbuf;
	size_t		 len, slen;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->ncg = g;
	g->dirfd = -1;
	ncsync_init(&g->s, NETCONF_MAX_SIZE);
	snprintf(g->name, sizeof(g->name), "%s.net", d->ifname);
	util_strlcpy(g->dir, state_dir(), sizeof(g->dir));
	/* the bytes of the file given (loaded and checked already) */
	if (netconf_read(d->netconfig, NETCONF_LOAD_SECURE, &buf, &len, err,
	    errlen) == -1)
		return -1;
	g->since = time(NULL);
	snprintf(g->source, sizeof(g->source), "file");
	if (d->nc.nadmins > 0) {
		if (mkdir(g->dir, 0700) == -1 && errno != EEXIST)
			log_warnx("state directory %s: %s: versions from "
			    "other members are applied but not kept", g->dir,
			    strerror(errno));
		else if ((g->dirfd = open(g->dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			log_warnx("state directory %s: %s", g->dir,
			    strerror(errno));
	}
	if (!d->join && ncglue_successor(d, &d->nc, &nc, &sbuf,
	    &slen) == 0) {
		log_info("%s/%s: version %llu, a valid successor of %s "
		    "(version %llu): running it", g->dir, g->name,
		    (unsigned long long)nc.version, d->netconfig,
		    (unsigned long long)d->nc.version);
		netconf_free(&d->nc);
		d->nc = nc;
		free(buf);
		buf = sbuf;
		len = slen;
		snprintf(g->source, sizeof(g->source), "state");
	}
	g->start_buf = buf;
	g->start_len = len;
	return 0;
}

/* ---- sending */

static void
send_have(struct daemon *d, struct peer *p, uint64_t now)
{
	struct ncglue	*g = d->ncg;
	uint8_t		 m[NCSYNC_HAVE_LEN];

	if (g->s.buf == NULL || d->nc.sig_line == 0 || d->self < 0)
		return;
	ncsync_put_have(m, g->s.version, g->s.hash);
	(void)datapath_send_control(d->dp, p, m, sizeof(m), now);
}

static void run(struct daemon *, uint64_t now);

/* Tell members our version: those with a session at once; with connect,
 * the others after a handshake (dp_hooks.ready sends it then). max: at
 * most that many members, counted from the one after us. */
static void
announce(struct daemon *d, int connect, size_t max, uint64_t now)
{
	struct peer	*p;
	size_t		 i, k, n = d->mb != NULL ? d->mb->n : 0;
	uint8_t		 m[NCSYNC_HAVE_LEN];
	int		 say;

	/* (mesh join: nothing to say, only sessions to make) */
	say = d->ncg->s.buf != NULL && d->nc.sig_line != 0;
	if (d->self < 0 || (!say && !d->join))
		return;
	ncsync_put_have(m, d->ncg->s.version, d->ncg->s.hash);
	for (k = 1, i = 0; k < n && i < max; k++) {
		if ((p = members_peer(d->mb, ((size_t)d->self + k) % n)) ==
		    NULL)
			continue;
		i++;
		if ((!say || datapath_send_control(d->dp, p, m, sizeof(m),
		    now) == -1) && connect)
			datapath_connect(d->dp, p, now);
	}
}

/* A while after start-up: a member that was away asks a few others
 * (their HAVE after the handshake says whether it missed a version). */
static void
hello_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct daemon	*d = arg;

	announce(d, 1, NCGLUE_HELLO_PEERS, util_mono_ms());
	if (d->join)		/* until a contact answers */
		evtimer_arm_in(d->ncg->ev_hello, 3 * NCGLUE_HELLO_MS);
}

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	run(arg, util_mono_ms());
}

static const char *
peer_name(struct daemon *d, const uint8_t key[KEY_LEN], char *buf,
    size_t len)
{
	struct peer	*p;
	char		 k[KEY_TEXT_LEN + 1];

	if (d->mb != NULL && (p = members_by_key(d->mb, key)) != NULL &&
	    p->hostname[0] != '\0') {
		snprintf(buf, len, "%s", p->hostname);
		return buf;
	}
	key_to_text(k, key);
	snprintf(buf, len, "%.12s...", k);
	return buf;
}

static void
refused(struct daemon *d, const uint8_t peer[KEY_LEN], uint64_t version,
    enum nc_verdict v, const char *why)
{
	char	n[80];

	d->ncg->refused[v < NCV_COUNT ? v : NCV_MALFORMED]++;
	if (v == NCV_SELF)
		log_warnx("netconfig version %llu from %s removes or "
		    "renumbers this member: staying on version %llu (%s)",
		    (unsigned long long)version, peer_name(d, peer, n,
		    sizeof(n)), (unsigned long long)d->nc.version, why);
	else
		log_warnx("netconfig version %llu from %s refused (%s): %s",
		    (unsigned long long)version, peer_name(d, peer, n,
		    sizeof(n)), netconf_verdict_name(v), why);
}

/* Carry out ncsync's actions, re-arm its timer. */
static void
run(struct daemon *d, uint64_t now)
{
	struct ncglue		*g = d->ncg;
	struct ncsync_action	 a;
	struct peer		*p;
	uint8_t			 m[NCSYNC_GET_LEN];
	uint64_t		 next;

	next = ncsync_periodic(&g->s, now);	/* (timeouts, next fetch) */
	while (ncsync_next_action(&g->s, &a)) {
		switch (a.type) {
		case NCSYNC_ACT_GET:
			if (d->mb == NULL ||
			    (p = members_by_key(d->mb, a.peer)) == NULL)
				break;		/* its timeout moves on */
			ncsync_put_get(m, a.version, a.offset);
			(void)datapath_send_control(d->dp, p, m, sizeof(m),
			    now);
			break;
		case NCSYNC_ACT_FETCHED:
			/* judged outside the data path's batch */
			free(g->pend_buf);
			g->pend_buf = a.buf;
			g->pend_len = a.len;
			memcpy(g->pend_peer, a.peer, KEY_LEN);
			g->pend_version = a.version;
			evtimer_arm_in(g->ev_apply, 0);
			break;
		case NCSYNC_ACT_REFUSED:
			refused(d, a.peer, a.version, a.verdict,
			    a.verdict == NCV_FORK ? "the running version "
			    "with other contents: two files were signed with "
			    "one version number" : "the file it sent");
			break;
		}
	}
	if (next != UINT64_MAX)
		evtimer_arm_at(g->ev_timer, next, now);
}

/* mesh join: the provisional netconfig (the join string's admins, boot
 * nodes, contacts, version - 1) is no predecessor: the file must be
 * signed by one of its admins, at least the string's version, of the same
 * network, and list this member. Kept in the state directory, then the
 * daemon exits; mesh join takes it from there. */
static void
join_done(struct daemon *d, struct netconf *nc, const char *buf, size_t len)
{
	struct ncglue	*g = d->ncg;
	enum nc_verdict	 v;
	char		 why[ERRLEN], n[80];
	uint64_t	 now = util_mono_ms();

	v = netconf_accept(&d->nc, nc, buf, len, NULL, 0, why, sizeof(why));
	if (v == NCV_CHANGE && (strcmp(nc->name, d->nc.name) != 0 ||
	    strcmp(nc->ns, d->nc.ns) != 0))
		snprintf(why, sizeof(why), "network %s/%s, not %s/%s",
		    nc->name, nc->ns, d->nc.name, d->nc.ns);
	else if (v == NCV_CHANGE || v == NCV_OK) {
		if (netconf_member_by_key(nc, d->pk) == NULL) {
			v = NCV_SELF;
			snprintf(why, sizeof(why), "this key is no member of "
			    "it (was mesh add run with it?)");
		} else
			v = NCV_OK;
	}
	if (v != NCV_OK) {
		if (ncsync_result(&g->s, g->pend_peer, g->pend_version, v,
		    now))
			refused(d, g->pend_peer, g->pend_version, v, why);
		run(d, now);
		return;
	}
	(void)ncsync_result(&g->s, g->pend_peer, g->pend_version, v, now);
	if (write_state(g, buf, len) == -1) {
		log_warnx("%s/%s: cannot store it: %s", g->dir, g->name,
		    strerror(errno));
		return;
	}
	log_info("joined: netconfig version %llu of %s from %s kept in %s/%s",
	    (unsigned long long)nc->version, nc->name, peer_name(d,
	    g->pend_peer, n, sizeof(n)), g->dir, g->name);
	/* (not daemon_stop: a port mapping of the provisional run may stay
	 * until its lease ends; mesh join starts the real one at once) */
	event_base_loopexit(d->base, NULL);
}

/* A fetched file: the rule, then the state directory and a reload. */
static void
apply_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct daemon	*d = arg;
	struct ncglue	*g = d->ncg;
	struct netconf	 nc;
	enum nc_verdict	 v;
	char		 why[ERRLEN], n[80], *buf = g->pend_buf;
	size_t		 len = g->pend_len, a, r, c;
	uint64_t	 now = util_mono_ms();
	int		 first, rc;

	if (buf == NULL)
		return;
	g->pend_buf = NULL;
	if (netconf_parse_named("fetched", buf, len, &nc, why,
	    sizeof(why)) == -1)
		v = NCV_MALFORMED;
	else if (d->join) {
		join_done(d, &nc, buf, len);
		netconf_free(&nc);
		free(buf);
		return;
	} else if ((v = netconf_accept(&d->nc, &nc, buf, len, d->pk, 0, why,
	    sizeof(why))) == NCV_OK && (rc = daemon_reload(d, &nc, &a, &r,
	    &c, why, sizeof(why))) != 0)
		v = NCV_CHANGE;
	if (v != NCV_OK) {
		if (v != NCV_MALFORMED)
			netconf_free(&nc);
		first = ncsync_result(&g->s, g->pend_peer, g->pend_version, v,
		    now);
		if (first)
			refused(d, g->pend_peer, g->pend_version, v, why);
		free(buf);
		run(d, now);
		return;
	}
	(void)ncsync_result(&g->s, g->pend_peer, g->pend_version, v, now);
	daemon_reload_note(d, "network", 0, a, r, c, "");
	if (write_state(g, buf, len) == -1)
		log_warnx("%s/%s: cannot store version %llu: %s", g->dir,
		    g->name, (unsigned long long)nc.version, strerror(errno));
	peer_name(d, g->pend_peer, n, sizeof(n));
	log_info("netconfig version %llu from %s applied: %zu added, %zu "
	    "removed, %zu changed", (unsigned long long)d->nc.version, n, a,
	    r, c);
	ncglue_running(d, buf, len, n, 0);
	free(buf);
}

/* ---- life cycle, hooks */

/* A test knob for the NAT lab's forged and replayed files from a member:
 * MESH_TEST_NCSYNC_SERVE=FILE announces and serves FILE instead of the
 * running netconfig, as version MESH_TEST_NCSYNC_VERSION if set, else
 * FILE's own (the rest of the daemon runs its netconfig). */
static void
test_serve(struct daemon *d)
{
	struct ncglue	*g = d->ncg;
	struct netconf	 nc;
	const char	*path = getenv("MESH_TEST_NCSYNC_SERVE"), *v;
	char		*buf, err[256];
	size_t		 len;
	uint64_t	 version;

	if (path == NULL || netconf_read(path, 0, &buf, &len, err,
	    sizeof(err)) == -1)
		return;
	memset(&nc, 0, sizeof(nc));
	(void)netconf_parse_named(path, buf, len, &nc, err, sizeof(err));
	version = nc.version;
	netconf_free(&nc);
	if ((v = getenv("MESH_TEST_NCSYNC_VERSION")) != NULL)
		version = strtoull(v, NULL, 10);
	(void)ncsync_set_local(&g->s, version, buf, len);
	log_warnx("test: announcing and serving %s as version %llu", path,
	    (unsigned long long)version);
	free(buf);
}

int
ncglue_start(struct daemon *d, int chown_it, uid_t uid, gid_t gid)
{
	struct ncglue	*g = d->ncg;

	if (g == NULL)
		return 0;
	if ((g->ev_timer = evtimer_new(d->base, timer_cb, d)) == NULL ||
	    (g->ev_apply = evtimer_new(d->base, apply_cb, d)) == NULL ||
	    (g->ev_hello = evtimer_new(d->base, hello_cb, d)) == NULL)
		return -1;
	if ((d->nc.sig_line != 0 || d->join) && d->self >= 0)
		evtimer_arm_in(g->ev_hello, NCGLUE_HELLO_MS);
	if (g->dirfd != -1 && chown_it && fchown(g->dirfd, uid, gid) == -1)
		log_warnx("%s: chown: %s", g->dir, strerror(errno));
	if (g->dirfd != -1)
		(void)fchmod(g->dirfd, 0700);
	if (g->start_buf != NULL) {
		(void)ncsync_set_local(&g->s, d->nc.version, g->start_buf,
		    g->start_len);
		memcpy(g->hash, g->s.hash, sizeof(g->hash));
		free(g->start_buf);
		g->start_buf = NULL;
	}
	test_serve(d);
	return 0;
}

void
ncglue_stop(struct daemon *d)
{
	struct ncglue	*g = d->ncg;

	if (g == NULL)
		return;
	if (g->ev_timer != NULL)
		event_free(g->ev_timer);
	if (g->ev_apply != NULL)
		event_free(g->ev_apply);
	if (g->ev_hello != NULL)
		event_free(g->ev_hello);
	if (g->dirfd != -1)
		close(g->dirfd);
	ncsync_free(&g->s);
	free(g->start_buf);
	free(g->pend_buf);
	free(g);
	d->ncg = NULL;
}

void
ncglue_running(struct daemon *d, const char *buf, size_t len,
    const char *source, int connect)
{
	struct ncglue	*g = d->ncg;
	uint64_t	 now = util_mono_ms();

	if (g == NULL)
		return;
	(void)ncsync_set_local(&g->s, d->nc.version, buf, len);
	if (memcmp(g->hash, g->s.hash, sizeof(g->hash)) == 0)
		return;		/* the same file again */
	memcpy(g->hash, g->s.hash, sizeof(g->hash));
	util_strlcpy(g->source, source, sizeof(g->source));
	g->since = time(NULL);
	announce(d, connect, SIZE_MAX, now);
	run(d, now);
}

void
ncglue_ready(void *arg, struct peer *p, uint64_t now)
{
	struct daemon	*d = arg;

	if (d->ncg != NULL)
		send_have(d, p, now);
}

void
ncglue_control(void *arg, struct peer *p, const uint8_t *pt, size_t len,
    uint64_t now)
{
	struct daemon		*d = arg;
	struct ncglue		*g = d->ncg;
	struct ncsync_msg	 m;
	uint8_t			 out[NCSYNC_MSG_MAX];
	size_t			 n;

	if (g == NULL || d->self < 0 || ncsync_decode(pt, len, &m) == -1)
		return;
	switch (m.type) {
	case NCSYNC_T_HAVE:
		/* an unsigned network spreads nothing */
		if (d->nc.nadmins == 0)
			return;
		ncsync_have(&g->s, p->key, m.version, m.hash, now);
		break;
	case NCSYNC_T_GET:
		if (d->nc.sig_line != 0 && (n = ncsync_serve(&g->s, &m,
		    out)) > 0)
			(void)datapath_send_control(d->dp, p, out, n, now);
		return;
	case NCSYNC_T_CHUNK:
		ncsync_chunk(&g->s, p->key, &m, now);
		break;
	}
	run(d, now);
}

void
ncglue_refused_local(struct daemon *d, enum nc_verdict v)
{
	if (d->ncg != NULL && (unsigned)v < NCV_COUNT)
		d->ncg->refused[v]++;
}

void
ncglue_show(struct daemon *d, struct ctl_iface *ci)
{
	struct ncglue	*g = d->ncg;
	size_t		 i, n = 0;
	int		 k;

	if (g == NULL)
		return;
	ci->nc_refused[0] = '\0';
	if (d->nc.sig_line != 0) {	/* (an unsigned one spreads not) */
		ci->nc_version = d->nc.version;
		for (i = 0; i < NETCONF_HASH_LEN; i++)
			snprintf(ci->nc_hash + 2 * i, sizeof(ci->nc_hash) -
			    2 * i, "%02x", g->hash[i]);
		util_strlcpy(ci->nc_source, g->source,
		    sizeof(ci->nc_source));
		ci->nc_since = (uint64_t)g->since;
	}
	for (i = 0; i < NCV_COUNT; i++) {
		if (g->refused[i] == 0)
			continue;
		k = snprintf(ci->nc_refused + n, sizeof(ci->nc_refused) - n,
		    "%s%s=%llu", n > 0 ? "," : "",
		    netconf_verdict_name((enum nc_verdict)i),
		    (unsigned long long)g->refused[i]);
		if (k < 0 || (size_t)k >= sizeof(ci->nc_refused) - n)
			break;
		n += (size_t)k;
	}
}
