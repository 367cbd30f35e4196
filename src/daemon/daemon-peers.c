/* The daemon's peers: what the member table (members.h) calls to make a
 * peer (with its timer and its configured endpoint), to update one a
 * reload keeps, and to free one. Used by start-up (daemon.c) and reload
 * (reload.c); calls neither. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/daemon-int.h"
#include "datapath/datapath.h"
#include "datapath/members.h"
#include "datapath/peer.h"
#include "datapath/udp.h"
#include "netconf/netconf.h"

/* Resolve host:port (getaddrinfo: names or literals) into a sockaddr_in6
 * (IPv4 mapped); only IPv4 when the socket is IPv4-only. */
static int
resolve(const struct nc_endpoint *ep, int v4only, struct sockaddr_in6 *out,
    char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	char		 port[8];
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v4only ? AF_INET : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", (unsigned)ep->port);
	if ((rc = getaddrinfo(ep->host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", ep->host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (udp_addr_from(out, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
	freeaddrinfo(res);
	if (ai == NULL) {
		snprintf(err, errlen, "%s: no usable address", ep->host);
		return -1;
	}
	return 0;
}

/* Resolve member m's endpoint into p's path; a failure is a warning (the
 * member can still reach us, and NAT traversal may find it). */
static void
configure_path(struct daemon *d, struct peer *p,
    const struct nc_member *m)
{
	struct sockaddr_in6	sa;
	char			err[ERRLEN];

	if (!m->has_endpoint)
		return;
	if (resolve(&m->ep, d->udp != NULL && d->udp->family == AF_INET, &sa,
	    err, sizeof(err)) == -1) {
		log_warnx("%s:%d: %s; waiting to be contacted", d->netconfig,
		    m->line, err);
		return;
	}
	path_configure(&p->path, &sa);
}

static void
ptimer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ptimer	*t = arg;

	datapath_peer_timer(t->d->dp, t->p, util_mono_ms());
}

/* Does a reused member differ only in its endpoint? The member table
 * counts a new address or hostname as a change (members.h); a new
 * endpoint is one as well, which only the netconfigs tell. */
static int
endpoint_only_changed(const struct nc_member *o, const struct nc_member *m)
{
	if (o->ip4 != m->ip4 || memcmp(o->ip6, m->ip6, sizeof(o->ip6)) != 0 ||
	    strcmp(o->hostname, m->hostname) != 0)
		return 0;		/* counted by members_build */
	if (o->has_endpoint != m->has_endpoint)
		return 1;
	return o->has_endpoint && (o->ep.port != m->ep.port ||
	    strcmp(o->ep.host, m->ep.host) != 0);
}

/* members_ops.update: a member whose key remains, with its entry in the
 * new netconfig (d->nc is still the old one). A changed endpoint replaces
 * the old configured one, not one learned from the peer itself. */
static void
peer_update(void *arg, struct peer *p, const struct nc_member *m)
{
	struct daemon		*d = arg;
	const struct nc_member	*o;

	if ((o = netconf_member_by_key(&d->nc, m->key)) != NULL &&
	    endpoint_only_changed(o, m))
		d->reload_ep_changed++;
	path_unconfigure(&p->path);
	configure_path(d, p, m);
}

/* members_ops (members.h): make, update (reload.c), free a peer. */
static struct peer *
peer_create(void *arg, const struct nc_member *m, size_t idx)
{
	struct daemon	*d = arg;
	struct ptimer	*t;
	struct peer	*p;

	if ((p = peer_new(d->local, m, idx)) == NULL)
		goto fail;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->ev = evtimer_new(d->base, ptimer_cb, t)) == NULL) {
		free(t);
		peer_free(p);
		goto fail;
	}
	t->d = d;
	t->p = p;
	p->timer = t;
	configure_path(d, p, m);
	return p;
fail:
	/* d->mb is NULL while start-up builds the first table. */
	log_warnx("%s:%d: cannot add this member (%sunusable key)",
	    d->netconfig, m->line, d->mb != NULL ? "out of memory or " : "");
	return NULL;
}

static void
peer_destroy(void *arg, struct peer *p)
{
	struct daemon	*d = arg;
	struct ptimer	*t;

	if (d->dp != NULL)
		datapath_forget_peer(d->dp, p);
	if ((t = p->timer) != NULL) {
		event_free(t->ev);
		free(t);
	}
	peer_free(p);
}

const struct members_ops daemon_members_ops = {
	.create = peer_create,
	.update = peer_update,
	.destroy = peer_destroy,
};

