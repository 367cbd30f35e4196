/* Reload: apply a new netconfig without dropping working tunnels
 * (daemon.h): a file re-read (reload-file.c) or a version fetched from a
 * member (ncsync-glue.c). */
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
