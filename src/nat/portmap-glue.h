/* Port mapping for the daemon's UDP port: NAT-PMP (libnatpmp) first, then
 * UPnP IGD (miniupnpc), lease renewal before expiry, removal on shutdown.
 * This is the libevent glue: UPnP's blocking calls run in a short-lived
 * worker thread that reports back through a pipe, NAT-PMP runs on the
 * loop. The lease logic is portmap-state.c (pure, unit-tested). Failure is
 * reported in the status (and logged once), never fatal.
 *
 *	pm = portmap_new(base, &cfg, changed_cb, arg);	after daemonizing
 *	...  changed_cb(arg, pm) on every result: portmap_status(pm, &st)
 *	portmap_stop(pm, done_cb, arg);		on `mesh down`; done_cb runs
 *						once the mapping is deleted
 *	portmap_free(pm);			(or the stop timed out)
 */
#ifndef MESH_PORTMAP_H
#define MESH_PORTMAP_H

#include <stdint.h>

#include "nat/portmap.h"

struct event_base;
struct portmap;

struct portmap_config {
	uint16_t	port;		/* the local UDP port to map */
	unsigned	methods;	/* PORTMAP_M_*; 0 means PORTMAP_M_ALL */
	uint32_t	lifetime;	/* s asked for; 0: PORTMAP_LIFETIME */
	int		discover_ms;	/* UPnP SSDP wait; 0: 2000 */
	int		natpmp_ms;	/* NAT-PMP give-up; 0: 4000 */
	int		stop_ms;	/* portmap_stop give-up; 0: 5000 */
};

struct portmap_status {
	enum portmap_phase	phase;
	int			mapped;		/* a lease is held */
	enum portmap_method	method;		/* of the lease */
	uint32_t		ext_ip;		/* host byte order */
	uint16_t		ext_port;
	uint32_t		lifetime;	/* s granted; 0: permanent */
	uint64_t		expires_in;	/* ms from now; 0: permanent */
	uint64_t		generation;	/* changes with the endpoint */
	char			error[PORTMAP_ERR_MAX];	/* last failure, "" */
	enum portmap_method	error_method;
	uint64_t		error_age;	/* ms since the failure */
	unsigned		nmapped, nrenewed, nfailed, nlost;
};

typedef void (*portmap_cb)(void *arg, struct portmap *pm);

/* Starts at once (the first request is made from the loop). NULL if out
 * of memory or a pipe could not be made. */
struct portmap *portmap_new(struct event_base *, const struct portmap_config *,
	    portmap_cb changed, void *arg);
void	portmap_status(const struct portmap *, struct portmap_status *);
/* Delete the mapping (if any) and stop; done(arg) runs from the loop when
 * that finished or after stop_ms. */
void	portmap_stop(struct portmap *, void (*done)(void *), void *arg);
/* Waits for a running worker thread (bounded by its own timeouts). */
void	portmap_free(struct portmap *);

/* "upnp 203.0.113.5:6374 expires in 1790 s" and the like, for logs and
 * show. */
void	portmap_status_format(const struct portmap_status *, char *buf,
	    size_t len);

#endif
