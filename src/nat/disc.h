/* Discovery and NAT traversal in the daemon: the DHT on the daemon's UDP
 * socket (dht-glue.c), each member's path (natpath-glue.c: natpath.c's
 * state machine, probes, hole punching through the member's rendezvous, a
 * relay as the last resort through relayclient.c), the relay service
 * every reachable node offers (relay-glue.c), port mapping (portmap-glue.c),
 * own-address and NAT discovery (disc-self.c, natkind.c) and the LAN
 * beacon (beacon.c); discint.h maps the files. This file's functions are
 * what the daemon (daemon.c) calls; all of it is glue on the daemon's
 * libevent loop.
 *
 * How a member is reached: its key is looked up in the DHT at start-up,
 * again while it is missing and when its path breaks. The answer gives its
 * public endpoint (a reachable member answers itself) or its rendezvous
 * nodes and the endpoint they see it at (a NAT-ed member). When traffic
 * for it appears (a handshake is due), natpath probes the candidates,
 * punches through the rendezvous (both sides probe each other's observed
 * endpoints at once) and falls back to a relay (one of the member's
 * rendezvous nodes, bound beforehand) after a second; direct is retried in
 * the background while relayed, and taken as soon as it answers. The data
 * path sends where struct path says (peer.h); the path manager there
 * (path_route) takes natpath's route, with path.relayed when it is the
 * relay, and offers natpath a direct source it sees while relayed.
 *
 * Environment:
 *	MESH_PORTMAP		"off": no port mapping; "natpmp" or "upnp":
 *				only that method (default: both)
 *	MESH_RELAY_RATE		relay service: per-source limit in kB/s
 *	MESH_RELAY_CAP		relay service: limit for all sources, kB/s
 *				(both: relay-glue.c)
 *	MESH_TEST_RELAY_ONLY	test knob (scripts/natbench): never take a
 *				direct path (no probes sent or answered), so
 *				that relayed and direct throughput can be
 *				compared between the same two hosts */
#ifndef MESH_DISC_H
#define MESH_DISC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

struct event_base;
struct udp;
struct datapath;
struct netconf;
struct peer;
struct members;
struct ctl_iface;
struct ctl_peer;
struct ctl_dht;

/* How many drop reasons discovery adds to the interface record (enum
 * disc_drop in discint.h; the daemon sizes the record by it). */
#define DISC_DROP_REASONS	13

struct disc_config {
	struct event_base	*base;
	struct udp		*udp;
	struct datapath		*dp;
	const uint8_t		*sk, *pk;	/* our key pair */
	const struct netconf	*nc;
	ssize_t			 self;		/* member index; -1 headless */
	const struct members	*members;	/* the member table (members.h) */
	const char		*netconfig;	/* file name, for messages */
	int			 lan_off;	/* tests on loopback: no port
						 * mapping, no LAN beacon, no
						 * interface addresses */
};

struct disc;

/* Start everything (after daemonizing; the UDP socket is open). NULL with
 * err filled on failure (out of memory, a handler range taken). */
struct disc *disc_new(const struct disc_config *, char *err, size_t errlen);
/* After a reload: the new netconfig and member table (the disc keeps no
 * pointer to the old ones after this: the old table is freed next). */
void	disc_set_peers(struct disc *, const struct netconf *,
	    const struct members *);
/* Shutting down: delete the port mapping, then call done(arg) from the
 * loop (at once when there is none). */
void	disc_stop(struct disc *, void (*done)(void *), void *arg);
void	disc_free(struct disc *);

/* Data path hooks (see struct dp_hooks). */
void	disc_handshake(struct disc *, struct peer *, uint64_t now);
int	disc_relay_send(struct disc *, struct peer *,
	    const struct sockaddr_in6 *via, uint8_t *buf, size_t len,
	    size_t segsize);
void	disc_relayed(struct disc *, struct peer *,
	    const struct sockaddr_in6 *via, uint64_t now);
/* p's path followed an authenticated packet, or offered its source
 * (path_authentic). */
void	disc_roamed(struct disc *, struct peer *);
void	disc_rx_done(struct disc *);
/* Another transport came up (src/transport/): boot nodes and missing
 * members now (dht-glue.c). */
void	disc_boot_now(struct disc *);

/* mesh show. */
void	disc_fill_iface(struct disc *, struct ctl_iface *);
void	disc_fill_peer(struct disc *, struct peer *, struct ctl_peer *);
void	disc_fill_dht(struct disc *, struct ctl_dht *);

#endif
