/* The two port-mapping backends, each the only code that includes its
 * library's headers. portmap.c (the libevent glue) drives them.
 *
 * UPnP IGD (miniupnpc) is blocking: its functions are meant to run in a
 * worker thread, one call at a time on a given struct portmap_upnp.
 * NAT-PMP (libnatpmp) is non-blocking: begin a request, watch the fd and
 * the timeout, call step until it is done. */
#ifndef MESH_PORTMAP_BACKEND_H
#define MESH_PORTMAP_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "nat/portmap.h"

#define PORTMAP_DESC	"mesh"

/* --- UPnP IGD (portmap-upnp.c) --- */
struct portmap_upnp;

struct portmap_upnp *portmap_upnp_new(void);
void	portmap_upnp_free(struct portmap_upnp *);
/* Discover an IGD (unless one is known) and map UDP `port` on it, asking
 * for the same external port and `lifetime` seconds (falling back to a
 * permanent lease or another external port when the IGD insists). Blocks
 * for up to about discover_ms plus the SOAP round trips. 0 with *out
 * filled, or -1 with err set. */
int	portmap_upnp_map(struct portmap_upnp *, uint16_t port,
	    uint32_t lifetime, int discover_ms, struct portmap_lease *out,
	    char *err, size_t errlen);
/* Delete the mapping of external UDP port ext_port; 0 or -1 with err. */
int	portmap_upnp_unmap(struct portmap_upnp *, uint16_t ext_port,
	    char *err, size_t errlen);

/* --- NAT-PMP (portmap-natpmp.c) --- */
struct portmap_natpmp;

struct portmap_natpmp *portmap_natpmp_new(void);
void	portmap_natpmp_free(struct portmap_natpmp *);
/* Start a request to the default gateway: map UDP `port` to ext_port (0:
 * same as port) for lifetime seconds, or delete it when lifetime is 0.
 * Returns the socket to watch for reading, or -1 with err set. */
int	portmap_natpmp_begin(struct portmap_natpmp *, uint16_t port,
	    uint16_t ext_port, uint32_t lifetime, char *err, size_t errlen);
/* Milliseconds until step must be called even without input (the
 * library's retransmission timer). */
int	portmap_natpmp_timeout(struct portmap_natpmp *);
/* Read an answer or retransmit: 1 when done (*out filled for a mapping),
 * 0 to wait again, -1 with err set on failure. */
int	portmap_natpmp_step(struct portmap_natpmp *, struct portmap_lease *out,
	    char *err, size_t errlen);
/* Close the socket (after done, failure or a give-up). */
void	portmap_natpmp_end(struct portmap_natpmp *);

#endif
