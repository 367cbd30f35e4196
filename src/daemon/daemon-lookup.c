/* mesh lookup on the daemon's side (control_ops.lookup, control.h): a DHT
 * lookup through discovery (disc_lookup), answered when it is done. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "control/control.h"
#include "control/ctlproto.h"
#include "daemon/daemon-int.h"
#include "nat/disc-lookup.h"
#include "netconf/keys.h"

static void
lookup_done(void *arg, const struct disc_lookup_result *r)
{
	struct ctl_pending	*p = arg;
	struct ctl_writer	 w;
	struct ctl_lookup	 l;
	size_t			 i;

	ctl_writer_init(&w, CTL_MAX_REPLY);
	if (r->error != 0) {
		control_answer(p, &w, r->error, r->error == ECANCELED ?
		    "lookup: the daemon is shutting down" : NULL);
		ctl_writer_free(&w);
		return;
	}
	memset(&l, 0, sizeof(l));
	l.present = 1;
	key_to_text(l.key, r->key);
	l.found = r->found;
	l.rounds = r->rounds;
	l.messages = r->messages;
	l.elapsed_ms = r->elapsed_ms;
	for (i = 0; i < r->neps && l.neps < CTL_MAX_LOOKUP_EPS; i++) {
		util_strlcpy(l.eps[l.neps].endpoint, r->eps[i].addr,
		    sizeof(l.eps[l.neps].endpoint));
		l.eps[l.neps++].reachable = r->eps[i].reachable;
	}
	for (i = 0; i < r->nrvs && l.nrvs < CTL_MAX_LOOKUP_RVS; i++) {
		key_to_text(l.rvs[l.nrvs].key, r->rvs[i].key);
		util_strlcpy(l.rvs[l.nrvs].endpoint, r->rvs[i].addr,
		    sizeof(l.rvs[l.nrvs].endpoint));
		util_strlcpy(l.rvs[l.nrvs].observed, r->rvs[i].observed,
		    sizeof(l.rvs[l.nrvs].observed));
		l.nrvs++;
	}
	ctl_put_lookup(&w, &l);
	control_answer(p, &w, w.failed, w.failed ? "lookup: reply could "
	    "not be built" : NULL);
	ctl_writer_free(&w);
}

int
daemon_ctl_lookup(void *arg, const uint8_t key[KEY_LEN],
    struct ctl_pending *p, char *err, size_t errlen)
{
	struct daemon	*d = arg;
	int		 rc;

	if (d->disc == NULL) {
		snprintf(err, errlen, "lookup: no discovery running");
		return ENOTCONN;
	}
	rc = disc_lookup(d->disc, key, lookup_done, p);
	switch (rc) {
	case 0:
		break;
	case ENOTCONN:
		snprintf(err, errlen, "lookup: this daemon has no DHT");
		break;
	case EINVAL:
		snprintf(err, errlen, "lookup: that is this daemon's own key");
		break;
	case EBUSY:
		snprintf(err, errlen, "lookup: too many lookups at once; try "
		    "again in a few seconds");
		break;
	default:
		snprintf(err, errlen, "lookup: %s", strerror(rc));
		break;
	}
	return rc;
}
