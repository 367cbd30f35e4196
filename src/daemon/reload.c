/* Reload: apply a new netconfig without dropping working tunnels
 * (daemon.h), on SIGHUP or the control socket's reload. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

	*added = *removed = *changed = 0;
	if (netconf_read(d->netconfig, NETCONF_LOAD_SECURE, &buf, &len, err,
	    errlen) == -1) {
		/* After the drop, we read it as another user than root. */
		if (d->user[0] != '\0' && access(d->netconfig, R_OK) == -1 &&
		    errno == EACCES) {
			size_t	n = strlen(err);

			snprintf(err + n, errlen - n, " (the daemon runs "
			    "as user %s, who cannot read it or a directory "
			    "above it: make them readable by %s, e.g. chmod "
			    "o+r, or restart with MESH_USER set to a user "
			    "who can)", d->user, d->user);
		}
		return EINVAL;
	}
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
	d->reload_ep_changed = 0;
	if ((mb = members_build(nc, nself, d->mb, &daemon_members_ops, d,
	    &diff)) == NULL) {
		names_free(names);
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	*added = diff.added;
	*removed = diff.removed;
	*changed = diff.changed + d->reload_ep_changed;
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
	daemon_tcp_boots(d);
	daemon_dns_commit(d, names);
	members_free(old, mb, &daemon_members_ops, d);
	return 0;
}

void
daemon_reload_note(struct daemon *d, const char *via, int rc, size_t added,
    size_t removed, size_t changed, const char *err)
{
	d->last_reload.when = time(NULL);
	d->last_reload.via = via;
	d->last_reload.ok = rc == 0;
	d->last_reload.added = added;
	d->last_reload.removed = removed;
	d->last_reload.changed = changed;
	snprintf(d->last_reload.error, sizeof(d->last_reload.error), "%s",
	    rc != 0 ? err : "");
}

int
daemon_ctl_reload(void *arg, struct ctl_writer *w, char *err, size_t errlen)
{
	struct daemon		*d = arg;
	struct ctl_reload	 r;
	size_t			 a, rm, c;
	int			 rc;

	rc = daemon_reload_file(d, &a, &rm, &c, err, errlen);
	daemon_reload_note(d, "command", rc, a, rm, c, err);
	if (rc != 0)
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
