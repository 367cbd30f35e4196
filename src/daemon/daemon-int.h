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
#include "os/tun.h"

#define ERRLEN		512
#define IP6_PREFIXLEN	64

struct event;
struct event_base;
struct udp;
struct tunnel_local;
struct peer;
struct members;
struct members_ops;
struct datapath;
struct control;
struct disc;
struct tcp;
struct ctl_iface;
struct ctl_writer;
struct dns_server;
struct evhttp;
struct names;

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
	char			 user[64];	/* dropped to; "" if we
						 * stayed who we were */

	struct tun		 tun;
	int			 have_tun;
	struct udp		*udp;
	struct tunnel_local	*local;
	struct members		*mb;		/* the member table: built
						 * whole, swapped on reload */
	struct datapath		*dp;

	struct event		*ev_tun, *ev_udp;
	struct event		*ev_sig[4];
	struct control		*ctl;
	struct disc		*disc;		/* DHT, NAT traversal */
	struct tcp		*tcp;		/* TCP transport; NULL: none */
	uint16_t		 tcp_port;	/* `tcp-port`: a second one */
	struct dns_server	*dns;		/* names; NULL: none */
	char			 dns_state[200];	/* for show */
	struct evhttp		*http;		/* metrics; NULL: off */
	char			 metrics_addr[46];
	uint16_t		 metrics_port;
	time_t			 started;
	struct {				/* the last reload, for show */
		time_t		 when;		/* 0: none */
		const char	*via;		/* "signal", "command" */
		int		 ok;
		size_t		 added, removed, changed;
		char		 error[256];
	}			 last_reload;
	size_t			 reload_ep_changed;	/* during a reload:
						 * members whose only change
						 * is their endpoint */
};

/* daemon-peers.c */
/* How the member table (members.h) makes a peer (with its timer and
 * configured endpoint), updates a reused one (its configured endpoint,
 * counting an endpoint-only change) and frees one; arg is the daemon. */
extern const struct members_ops daemon_members_ops;

/* upcheck.c: checks of mesh up before going to the background; each 0,
 * or -1 with err saying what is wrong and what to do. */
struct privdrop_user;
/* No daemon we can ask runs this key in this namespace already. */
int	upcheck_duplicate(const struct netconf *, const uint8_t pk[KEY_LEN],
	    char *err, size_t errlen);
/* The key read from keyfile (sk, its public key pk) makes a member, or a
 * public node (a boot line's key, a netconfig without trust lines, or
 * headless asked for); not a public key given as the private one. */
int	upcheck_key(const struct netconf *, const char *keyfile,
	    const uint8_t sk[KEY_LEN], const uint8_t pk[KEY_LEN],
	    int headless, char *err, size_t errlen);
/* User u can read path (and search the directories above it); a
 * failure is a warning for mesh up. */
int	upcheck_readable(const char *path, const struct privdrop_user *u,
	    char *err, size_t errlen);

/* daemon-show.c: control_ops.show (control.h). */
int	daemon_show(void *arg, const char *what, struct ctl_writer *w,
	    char *err, size_t errlen);

/* daemon-lookup.c: control_ops.lookup (control.h). */
struct ctl_pending;
int	daemon_ctl_lookup(void *arg, const uint8_t key[KEY_LEN],
	    struct ctl_pending *p, char *err, size_t errlen);

/* daemon-dns.c */
/* Serve the members' names on our inside addresses and register them with
 * systemd-resolved (before the privilege drop); a failure is a warning. */
void	daemon_dns_start(struct daemon *);
/* Reload, before anything changes: build the new names table (*t; NULL
 * without a server); 0 or errno. */
int	daemon_dns_prepare(struct daemon *, const struct netconf *,
	    struct names **t, char *err, size_t errlen);
/* ... after the member table was swapped: answer from t (consumed). */
void	daemon_dns_commit(struct daemon *, struct names *t);
void	daemon_dns_stop(struct daemon *);

/* daemon-metrics.c */
/* Serve Prometheus metrics on addr:port (nothing when addr is ""). 0, or
 * -1 with err set (the address cannot be bound). */
int	daemon_metrics_start(struct daemon *, const char *addr, uint16_t port,
	    char *err, size_t errlen);
void	daemon_metrics_stop(struct daemon *);

/* daemon-transport.c: the TCP transport. */
int	daemon_tcp_start(struct daemon *, char *err, size_t errlen);
void	daemon_tcp_boots(struct daemon *);	/* after a reload */
void	daemon_tcp_stop(struct daemon *);
void	daemon_tcp_fill(struct daemon *, struct ctl_iface *);

/* reload.c */
/* Re-read the netconfig file and apply it (daemon_reload); 0 or errno. */
int	daemon_reload_file(struct daemon *, size_t *added, size_t *removed,
	    size_t *changed, char *err, size_t errlen);
/* Remember a reload's outcome for mesh show (rc 0 or the errno value). */
void	daemon_reload_note(struct daemon *, const char *via, int rc,
	    size_t added, size_t removed, size_t changed, const char *err);
/* control_ops.reload (control.h). */
int	daemon_ctl_reload(void *arg, struct ctl_writer *w, char *err,
	    size_t errlen);

#endif
