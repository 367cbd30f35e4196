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
#include "dns/names.h"
#include "datapath/datapath.h"
#include "datapath/peer.h"
#include "datapath/members.h"
#include "nat/disc.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"

int
daemon_reload_file(struct daemon *d, size_t *added, size_t *removed,
    size_t *changed, char *err, size_t errlen)
{
	struct netconf	 nc;
	enum nc_verdict	 v;
	char		*buf, why[256];
	size_t		 len;
	int		 rc;

	if (netconf_read(d->netconfig, NETCONF_LOAD_SECURE, &buf, &len, err,
	    errlen) == -1)
		return EINVAL;
	if (netconf_parse_named(d->netconfig, buf, len, &nc, err,
	    errlen) == -1) {
		free(buf);
		return EINVAL;
	}
	/* A signed file (or a signed running netconfig) must pass the rule
	 * a member applies to a version from the network: no rollback to an
	 * older file left on disk. What it refuses as a change is left to
	 * daemon_reload, which says so alike for unsigned files. */
	v = netconf_accept(&d->nc, &nc, buf, len, d->pk, NETCONF_ACCEPT_LOCAL,
	    why, sizeof(why));
	free(buf);
	if (v != NCV_OK && v != NCV_SAME && v != NCV_CHANGE && v != NCV_SELF) {
		snprintf(err, errlen, "%s: refused (%s): %s", d->netconfig,
		    netconf_verdict_name(v), why);
		netconf_free(&nc);
		return EPERM;
	}
	if ((rc = daemon_reload(d, &nc, added, removed, changed, err,
	    errlen)) != 0)
		netconf_free(&nc);
	return rc;
}

/* members_ops.update: a member whose key remains, with its entry in the
 * new netconfig. A changed endpoint replaces the old configured one, not
 * one learned from the peer itself. */
void
daemon_reload_path(void *arg, struct peer *p, const struct nc_member *m)
{
	struct daemon	*d = arg;

	p->path.has_configured = 0;
	if (p->path.source == PATH_CONFIGURED)
		p->path.source = PATH_NONE;
	daemon_configure_path(d, p, m);
}

int
daemon_reload(struct daemon *d, struct netconf *nc, size_t *added,
    size_t *removed, size_t *changed, char *err, size_t errlen)
{
	const struct nc_member	*self;
	struct members		*mb, *old;
	struct members_diff	 diff;
	struct names		*names;
	ssize_t			 nself;
	int			 rc;

	*added = *removed = *changed = 0;
	if (netconf_reload_check(&d->nc, nc, d->pk, err, errlen) != 0)
		return EBUSY;
	self = netconf_member_by_key(nc, d->pk);
	nself = self != NULL ? self - nc->members : -1;
	if ((rc = daemon_dns_prepare(d, nc, &names, err, errlen)) != 0)
		return rc;
	/* A new table, reusing the peers (and their sessions) whose keys
	 * remain; empty when headless. The live one is not touched. */
	if ((mb = members_build(nc, nself, d->mb, &daemon_members_ops, d,
	    &diff)) == NULL) {
		names_free(names);
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	*added = diff.added;
	*removed = diff.removed;
	*changed = diff.changed;
	/* Swap it in, layer by layer, by pointer; then free the old table
	 * and the peers that left. */
	old = d->mb;
	d->mb = mb;
	d->self = nself;
	datapath_set_peers(d->dp, mb);
	netconf_free(&d->nc);
	d->nc = *nc;
	if (d->disc != NULL)
		disc_set_peers(d->disc, &d->nc, mb);
	daemon_dns_commit(d, names);
	members_free(old, mb, &daemon_members_ops, d);
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
	r.unchanged = d->mb->n - (d->self >= 0) - a - c;
	ctl_put_reload(w, &r);
	log_info("reloaded %s: %zu added, %zu removed, %zu changed",
	    d->netconfig, a, rm, c);
	return 0;
}
