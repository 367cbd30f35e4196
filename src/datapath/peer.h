/* One member of the network as the daemon sees it: the tunnel to it (its
 * session, tunnel.c) and where it is (its path). The two are kept apart:
 * the tunnel does not care where packets come from, the path does not care
 * what is in them. NAT traversal and the DHT extend struct path (candidate
 * endpoints, punching, relays) without touching the tunnel.
 *
 * peer.c is pure apart from the tunnel session it owns: no I/O, no clock. */
#ifndef MESH_PEER_H
#define MESH_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "datapath/frag.h"
#include "datapath/pmtu.h"
#include "netconf/netconf.h"

struct tunnel;
struct tunnel_local;
struct dp_pkt;

/* Where the current endpoint came from. */
enum path_source {
	PATH_NONE = 0,		/* nowhere to send: wait to be contacted */
	PATH_CONFIGURED,	/* the trust line's host:port, resolved */
	PATH_LEARNED,		/* source of an authenticated packet */
};

struct path {
	struct sockaddr_in6	endpoint;	/* where packets go now */
	enum path_source	source;
	struct sockaddr_in6	configured;	/* from the netconfig */
	int			has_configured;
	uint64_t		last_rx;	/* ms: last authenticated packet */
	uint64_t		changes;	/* endpoint changes (roaming) */

	/* NAT traversal (the NAT layer drives these through path_route;
	 * the data path reads them). */
	int			relayed;	/* endpoint is a relay: datagrams
						 * go out through
						 * dp_hooks.relay_send */
	struct sockaddr_in6	offered;	/* relayed: where the last direct
						 * authenticated packet came
						 * from (path_authentic) */
	uint64_t		offered_at;	/* ms, 0: never */
	uint64_t		last_tx;	/* ms: last datagram sent */
	int			waiting;	/* sent since the last
						 * authenticated packet came */
	uint64_t		wait_tx;	/* ms: the first such send */
	uint64_t		init_tx;	/* ms: last initiation sent */
	void			*nat;		/* the path manager's state */
};

/* Per-peer drops (the datapath's struct dp_counters has the global ones). */
enum peer_drop {
	PEER_DROP_SPOOFED,	/* inside source not the peer's address */
	PEER_DROP_MALFORMED,	/* decrypted, but not an IP packet */
	PEER_DROP_NO_ENDPOINT,	/* outgoing, but nowhere to send */
	PEER_DROP_STAGED,	/* waiting for a session, queue overflowed or
				 * the handshake was given up */
	PEER_DROP_COUNT
};

/* The names of these reasons (drop_<name> in show), beside them; the table
 * made of this is checked against PEER_DROP_COUNT by a static assert. */
#define PEER_DROP_NAMES { \
	[PEER_DROP_SPOOFED] = "spoofed", \
	[PEER_DROP_MALFORMED] = "malformed", \
	[PEER_DROP_NO_ENDPOINT] = "no_endpoint", \
	[PEER_DROP_STAGED] = "staged", \
}

struct peer {
	size_t			 idx;		/* member index (route value) */
	uint8_t			 key[KEY_LEN];
	char			 hostname[NETCONF_HOSTNAME_MAX + 1];
	uint32_t		 ip4;		/* host byte order */
	uint8_t			 ip6[16];
	struct tunnel		*tunnel;	/* the session */
	struct path		 path;

	/* Inner packets waiting for a session (datapath.c). */
	struct dp_pkt		*stage_head, *stage_tail;
	unsigned		 nstaged;

	/* The glue's timer for tunnel_periodic. */
	void			*timer;
	uint64_t		 timer_at;	/* armed for; UINT64_MAX: not */
	uint32_t		 touched;	/* datapath batch generation */

	uint64_t		 drops[PEER_DROP_COUNT];

	/* Path MTU of the current path (datapath-pmtu.c): started on the
	 * first packet sent with a session, again when the path moves to
	 * another endpoint or relay. inner_mtu is what the path carries of
	 * inner packets (0: not known, the TUN's MTU). */
	struct pmtu		 pmtu;
	int			 pmtu_on;
	struct sockaddr_in6	 pmtu_ep;	/* the path pmtu is for */
	int			 pmtu_relayed;
	uint64_t		 pmtu_at;	/* its deadline; UINT64_MAX */
	unsigned		 inner_mtu;

	/* Packets in pieces (datapath-frag.c): the id of the last one
	 * sent, and the one being put back together (frag_buf: the TUN's
	 * MTU, allocated with the first piece). */
	uint32_t		 frag_id;
	struct frag_rx		 frag_rx;
	uint8_t			*frag_buf;
};

/* A peer for member m (index idx) with a tunnel in local; NULL if the
 * tunnel refuses the key or memory is short. */
struct peer *peer_new(struct tunnel_local *, const struct nc_member *m,
	    size_t idx);
/* Frees the tunnel too (its secrets are wiped). Staged packets must have
 * been returned to the datapath first. */
void	peer_free(struct peer *);

/* The path manager: these functions are the only writers of where a
 * peer's packets go (path.endpoint, .source, .relayed, .configured); every
 * other file reads struct path. Its inputs:
 *
 *	the netconfig		path_configure, path_unconfigure (start,
 *				reload)
 *	the data path		path_authentic (an authenticated packet
 *				straight from the peer)
 *	the NAT layer		path_route (natpath chose a route: direct
 *				or through a relay)
 *
 * Roaming: a direct path follows the source of authenticated packets at
 * once, as without any NAT layer (static endpoints, headless nodes). A
 * relayed path is the NAT layer's choice: a packet straight from the peer
 * does not undo it; it is offered (path.offered) for the NAT layer to
 * probe, which then switches with path_route once that endpoint answers. */

/* The configured endpoint is known (resolved): use it until the peer is
 * heard from elsewhere. */
void	path_configure(struct path *, const struct sockaddr_in6 *);
/* Reload: the configured endpoint changed or went; one learned from the
 * peer itself stays. */
void	path_unconfigure(struct path *);

#define PATH_OFFER_MS	1000	/* the same offer again at most this often */

enum path_rx {
	PATH_RX_SAME = 0,	/* from where packets go already */
	PATH_RX_MOVED,		/* the endpoint followed it (roaming) */
	PATH_RX_OFFERED,	/* relayed: from offered to the NAT layer (at
				 * most once per PATH_OFFER_MS for one
				 * source) */
};
/* An authenticated packet came straight from `from` at now. */
enum path_rx path_authentic(struct path *, const struct sockaddr_in6 *from,
	    uint64_t now);
/* The NAT layer's route: ep directly, or the relay at ep. Returns 1 when
 * the path changed, 0 when it was there already. */
int	path_route(struct path *, const struct sockaddr_in6 *ep, int relayed);
static inline int
path_usable(const struct path *p)
{
	return p->source != PATH_NONE;
}

/* Silence on our side for this long, then a send: the path became active
 * again (the NAT layer's NATPATH_ACTIVE_MS). */
#define PATH_ACTIVE_MS	2000
/* A datagram for the peer went out at now. Returns 1 when nothing had gone
 * out for PATH_ACTIVE_MS before (dp_hooks.active: the NAT layer watches for
 * answers from then on, so that a path that broke while quiet is noticed
 * within a second or two of traffic, not at its next timer). */
static inline int
path_sent(struct path *p, uint64_t now)
{
	int	woke = p->last_tx == 0 || now - p->last_tx >= PATH_ACTIVE_MS;

	p->last_tx = now;
	if (!p->waiting) {
		p->waiting = 1;
		p->wait_tx = now;
	}
	return woke;
}

const char *peer_drop_name(enum peer_drop);

#endif
