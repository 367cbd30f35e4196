/* Reload of the netconfig file, on SIGHUP or the control socket's reload:
 * read it, prefer a later version kept in the state directory
 * (ncsync-glue.c), judge it, apply it (reload.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "control/ctlproto.h"
#include "daemon/daemon.h"
#include "daemon/daemon-int.h"
#include "datapath/members.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"

int
daemon_reload_file(struct daemon *d, size_t *added, size_t *removed,
    size_t *changed, char *err, size_t errlen)
{
	struct netconf	 nc, snc;
	enum nc_verdict	 v;
	char		*buf, *sbuf, why[256];
	const char	*source = "file";
	size_t		 len, slen;
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
	/* A later version of it that came from the network and is kept in
	 * the state directory wins over the file (an admin's newer file
	 * wins over the state: it is no successor of the file). */
	if (ncglue_successor(d, &nc, &snc, &sbuf, &slen) == 0) {
		netconf_free(&nc);
		free(buf);
		nc = snc;
		buf = sbuf;
		len = slen;
		source = "state";
	}
	/* A signed file (or a signed running netconfig) must pass the rule
	 * a member applies to a version from the network: no rollback to an
	 * older file left on disk. What it refuses as a change is left to
	 * daemon_reload, which says so alike for unsigned files. */
	v = netconf_accept(&d->nc, &nc, buf, len, d->pk, NETCONF_ACCEPT_LOCAL,
	    why, sizeof(why));
	if (v != NCV_OK && v != NCV_SAME && v != NCV_CHANGE && v != NCV_SELF) {
		snprintf(err, errlen, "%s: refused (%s): %s", d->netconfig,
		    netconf_verdict_name(v), why);
		ncglue_refused_local(d, v);
		netconf_free(&nc);
		free(buf);
		return EPERM;
	}
	if ((rc = daemon_reload(d, &nc, added, removed, changed, err,
	    errlen)) != 0) {
		if (rc == EBUSY && d->nc.nadmins > 0)
			ncglue_refused_local(d, v == NCV_SELF ? NCV_SELF :
			    NCV_CHANGE);
		netconf_free(&nc);
	} else
		ncglue_running(d, buf, len, source, 1);
	free(buf);
	return rc;
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
