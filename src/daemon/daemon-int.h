/* Inside the daemon: its state, shared by the event loop and start-up
 * (daemon.c), mesh show's records (daemon-show.c) and reload (reload.c).
 * Not for other modules: they use daemon.h. */
#ifndef MESH_DAEMON_INT_H
#define MESH_DAEMON_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "datapath/route.h"
#include "os/tun.h"

#define ERRLEN		512
#define IP6_PREFIXLEN	64

struct event;
struct event_base;
struct udp;
struct tunnel_local;
struct peer;
struct datapath;
struct control;
struct disc;
struct ctl_writer;

/* A peer's timer: the event and what it needs to call back. */
struct ptimer {
	struct event	*ev;
	struct daemon	*d;
	struct peer	*p;
};

struct daemon {
	struct event_base	*base;
	char			 netconfig[PATH_MAX];	/* absolute */
	struct netconf		 nc;
	uint8_t			 sk[KEY_LEN], pk[KEY_LEN];
	ssize_t			 self;		/* member index, -1 headless */
	char			 ifname[NETCONF_IFNAME_MAX + 1];
	uint16_t		 port;
	int			 foreground;

	struct tun		 tun;
	int			 have_tun;
	struct udp		*udp;
	struct tunnel_local	*local;
	struct route		 route;
	struct peer		**peers;	/* nc.nmembers, NULL for self */
	size_t			 npeers;
	struct datapath		*dp;

	struct event		*ev_tun, *ev_udp;
	struct event		*ev_sig[4];
	struct control		*ctl;
	struct disc		*disc;		/* DHT, NAT traversal */
	time_t			 started;
	int64_t			 unix_offset_ms;	/* realtime - monotonic */
};

/* daemon.c */
/* Resolve member m's endpoint into p's path (a failure is a warning). */
void	daemon_configure_path(struct daemon *, struct peer *,
	    const struct nc_member *m);
/* A peer for member m at index idx, with its timer; NULL on failure. */
struct peer *daemon_peer_create(struct daemon *, const struct nc_member *m,
	    size_t idx);
/* Forget p in the data path, free its timer and the peer (NULL: nothing). */
void	daemon_peer_destroy(struct daemon *, struct peer *p);
/* The routing table for nc's members; 0 or -1 (out of memory). */
int	daemon_build_route(const struct netconf *nc, struct route *r);

/* daemon-show.c: control_ops.show (control.h). */
int	daemon_show(void *arg, const char *what, struct ctl_writer *w,
	    char *err, size_t errlen);

/* reload.c */
/* Re-read the netconfig file and apply it (daemon_reload); 0 or errno. */
int	daemon_reload_file(struct daemon *, size_t *added, size_t *removed,
	    size_t *changed, char *err, size_t errlen);
/* control_ops.reload (control.h). */
int	daemon_ctl_reload(void *arg, struct ctl_writer *w, char *err,
	    size_t errlen);

#endif
