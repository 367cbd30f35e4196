/* Reload: apply a new netconfig without dropping working tunnels
 * (daemon.h), on SIGHUP or the control socket's reload. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "control/ctlproto.h"
#include "daemon/daemon.h"
#include "daemon/daemon-int.h"
#include "datapath/datapath.h"
#include "datapath/peer.h"
#include "datapath/route.h"
#include "nat/disc.h"
#include "netconf/netconf.h"
#include "tunnel/tunnel.h"

int
daemon_reload_file(struct daemon *d, size_t *added, size_t *removed,
    size_t *changed, char *err, size_t errlen)
{
	struct netconf	nc;
	int		rc;

	if (netconf_load(d->netconfig, NETCONF_LOAD_SECURE, &nc, err,
	    errlen) == -1)
		return EINVAL;
	if ((rc = daemon_reload(d, &nc, added, removed, changed, err,
	    errlen)) != 0)
		netconf_free(&nc);
	return rc;
}

int
daemon_reload(struct daemon *d, struct netconf *nc, size_t *added,
    size_t *removed, size_t *changed, char *err, size_t errlen)
{
	const struct nc_member	*self, *m;
	struct peer		**peers, *p;
	struct route		 route;
	struct tunnel		*t;
	size_t			 i;
	ssize_t			 nself;

	*added = *removed = *changed = 0;
	if (strcmp(nc->name, d->nc.name) != 0 || strcmp(nc->ns, d->nc.ns) ||
	    nc->subnet != d->nc.subnet || nc->prefixlen != d->nc.prefixlen) {
		snprintf(err, errlen, "network name, namespace or subnet "
		    "changed: restart the daemon");
		return EBUSY;
	}
	if (nc->workbit != d->nc.workbit) {
		snprintf(err, errlen, "workbit changed from %u to %u: "
		    "restart the daemon", d->nc.workbit, nc->workbit);
		return EBUSY;
	}
	self = netconf_member_by_key(nc, d->pk);
	nself = self != NULL ? self - nc->members : -1;
	if ((nself == -1) != (d->self == -1) || (self != NULL &&
	    self->ip4 != d->nc.members[d->self].ip4)) {
		snprintf(err, errlen, "this node's own membership or address "
		    "changed: restart the daemon");
		return EBUSY;
	}
	if (d->self == -1) {		/* headless: no peers to update */
		netconf_free(&d->nc);
		d->nc = *nc;
		if (d->disc != NULL)
			disc_set_peers(d->disc, &d->nc, NULL, 0);
		return 0;
	}
	if ((peers = calloc(nc->nmembers, sizeof(*peers))) == NULL ||
	    daemon_build_route(nc, &route) == -1) {
		free(peers);
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	/* Keep the peers (and their sessions) whose keys remain. */
	for (i = 0; i < nc->nmembers; i++) {
		m = &nc->members[i];
		if ((ssize_t)i == nself)
			continue;
		if ((t = tunnel_find(d->local, m->key)) != NULL) {
			p = tunnel_user(t);
			if (p->ip4 != m->ip4 || memcmp(p->ip6, m->ip6, 16) ||
			    strcmp(p->hostname, m->hostname) != 0)
				(*changed)++;
			p->idx = i;
			p->ip4 = m->ip4;
			memcpy(p->ip6, m->ip6, sizeof(p->ip6));
			memcpy(p->hostname, m->hostname, sizeof(p->hostname));
			/* A changed endpoint replaces the old configured
			 * one, not one learned from the peer itself. */
			p->path.has_configured = 0;
			if (p->path.source == PATH_CONFIGURED)
				p->path.source = PATH_NONE;
			daemon_configure_path(d, p, m);
			peers[i] = p;
			continue;
		}
		(*added)++;
		if ((peers[i] = daemon_peer_create(d, m, i)) == NULL)
			log_warnx("%s:%d: cannot add this member (out of "
			    "memory or unusable key)", d->netconfig, m->line);
	}
	for (i = 0; i < d->npeers; i++) {
		if ((p = d->peers[i]) == NULL ||
		    (p->idx < nc->nmembers && peers[p->idx] == p))
			continue;
		(*removed)++;
		daemon_peer_destroy(d, p);
	}
	route_free(&d->route);
	d->route = route;
	datapath_set_peers(d->dp, &d->route, peers, nc->nmembers);
	free(d->peers);
	d->peers = peers;
	d->npeers = nc->nmembers;
	d->self = nself;
	netconf_free(&d->nc);
	d->nc = *nc;
	if (d->disc != NULL)
		disc_set_peers(d->disc, &d->nc, d->peers, d->npeers);
	return 0;
}

int
daemon_ctl_reload(void *arg, struct ctl_writer *w, char *err, size_t errlen)
{
	struct daemon		*d = arg;
	struct ctl_reload	 r;
	size_t			 a, rm, c;
	int			 rc;

	if ((rc = daemon_reload_file(d, &a, &rm, &c, err, errlen)) != 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.present = 1;
	r.added = a;
	r.removed = rm;
	r.changed = c;
	r.unchanged = d->npeers - (d->self >= 0) - a - c;
	ctl_put_reload(w, &r);
	log_info("reloaded %s: %zu added, %zu removed, %zu changed",
	    d->netconfig, a, rm, c);
	return 0;
}
