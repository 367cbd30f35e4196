/* The daemon behind `mesh up`: validation in the foreground, then
 * (unless -f) a background process that reports its start-up through a
 * pipe; one libevent loop with the TUN, the UDP socket, a timer per peer,
 * signals and the control socket.
 *
 * Test-only knobs (environment; never needed in normal use):
 *	MESH_TEST_REKEY_AFTER_MS	rekey sessions after this many ms
 *					instead of 120 s (rekey tests)
 *	MESH_TEST_NO_OFFLOAD		set: no TUN offloads (TSO, merged
 *					writes), for comparison
 *	MESH_TEST_DNS_PORT		serve names on this port instead
 *					of 53 (and do not register with
 *					systemd-resolved)
 *	MESH_RUNDIR			control socket directory (control.h) */
#ifndef MESH_DAEMON_H
#define MESH_DAEMON_H

#include <stddef.h>

#include "netconf/netconf.h"

struct daemon;

/* Run `mesh up` with its parsed arguments (headless: the word headless
 * was given, a key that is no member is meant as a public node); returns
 * the exit status. */
int	daemon_main(const struct up_args *, int headless);

/* Apply a new netconfig (consumed on success: the daemon keeps it) without
 * dropping working tunnels: members added, removed or changed (address,
 * endpoint) are applied; a change of network name, namespace, subnet or of
 * this node's own address needs a restart (EBUSY). 0, or an errno value
 * with err filled. Called on SIGHUP and by the control socket's reload. */
int	daemon_reload(struct daemon *, struct netconf *, size_t *added,
	    size_t *removed, size_t *changed, char *err, size_t errlen);

/* Leave the event loop and tear everything down (signals, `mesh down`). */
void	daemon_stop(struct daemon *);

#endif
