/* The data path: TUN <-> tunnel crypto <-> UDP, in batches.
 *
 * Outgoing: read the TUN until it is empty (up to DP_ROUNDS batches per
 * wake-up), pick the member by destination (route.c), encrypt in place
 * (tunnel_encrypt writes its header into the headroom in front of the
 * packet) and send the batch with one sendmmsg. Packets for a member without
 * a session wait in a bounded staging queue while the handshake runs.
 * Incoming: recvmmsg a batch; tunnel messages (0x01-0x04) go to the tunnel,
 * data is decrypted in place, checked against the sender's inside address
 * (cryptokey routing) and written to the TUN; other first bytes go to the
 * handlers registered on the UDP socket (DHT, NAT traversal).
 *
 * All buffers are allocated by datapath_new; nothing allocates or logs
 * (above debug) per packet. Drops are counted per reason.
 *
 * No libevent here: the glue (daemon.c) calls datapath_tun_readable and
 * datapath_udp_readable when the fds are readable, datapath_peer_timer
 * when a peer's timer fires, and arms timers when asked through
 * dp_hooks.arm. Tests drive it directly with the dummy TUN. */
#ifndef MESH_DATAPATH_H
#define MESH_DATAPATH_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "datapath/peer.h"

#define DP_ROUNDS		8	/* batches per wake-up before yielding */
#define DP_STAGE_PER_PEER	64	/* packets waiting for a handshake */
#define DP_STAGE_POOL		1024	/* ... for all peers together */
/* Initiations and responses per second beyond which the node is under
 * load: the tunnel demands cookies, and each source may then have at most
 * DP_HS_RATE_PER_SOURCE a second (a burst of DP_HS_BURST_PER_SOURCE) go on
 * to the Diffie-Hellman, as in WireGuard (see datapath.c, incoming()). */
#define DP_HANDSHAKES_PER_SEC	500
#define DP_HS_RATE_PER_SOURCE	20
#define DP_HS_BURST_PER_SOURCE	5
/* The envelope of a relayed datagram (the NAT layer's TORELAY header:
 * type and member id, NATMSG_RELAY_HDR, which checks it is this): every
 * buffer the data path sends from has this much room in front so that
 * relay_send wraps without copying. */
#define DP_RELAY_HDR		9

enum dp_drop {
	DP_DROP_TRUNCATED,	/* datagram larger than the receive buffer */
	DP_DROP_UNKNOWN_TYPE,	/* first byte nobody handles */
	DP_DROP_HEADLESS,	/* tunnel message to a node without a TUN */
	DP_DROP_TUNNEL,		/* refused by the tunnel (reasons there) */
	DP_DROP_NO_ROUTE,	/* no member owns the destination */
	DP_DROP_MCAST,		/* multicast/broadcast read from the TUN */
	DP_DROP_MALFORMED,	/* not IPv4/IPv6, read from the TUN */
	DP_DROP_LOOP,		/* destination is this node itself */
	DP_DROP_TOO_BIG,	/* larger than the MTU */
	DP_DROP_TUN_WRITE,	/* the TUN refused a packet */
	DP_DROP_SEND,		/* the UDP socket refused a datagram */
	DP_DROP_TUN_READ,	/* reading the TUN failed */
	DP_DROP_COUNT
};

/* The names of these reasons (drop_<name> in show), beside them; the table
 * made of this is checked against DP_DROP_COUNT by a static assert. */
#define DP_DROP_NAMES { \
	[DP_DROP_TRUNCATED] = "truncated", \
	[DP_DROP_UNKNOWN_TYPE] = "unknown_type", \
	[DP_DROP_HEADLESS] = "headless", \
	[DP_DROP_TUNNEL] = "tunnel", \
	[DP_DROP_NO_ROUTE] = "no_route", \
	[DP_DROP_MCAST] = "multicast", \
	[DP_DROP_MALFORMED] = "malformed", \
	[DP_DROP_LOOP] = "loop", \
	[DP_DROP_TOO_BIG] = "too_big", \
	[DP_DROP_TUN_WRITE] = "tun_write", \
	[DP_DROP_SEND] = "send", \
	[DP_DROP_TUN_READ] = "tun_read", \
}

struct dp_counters {
	uint64_t	rx_packets, rx_bytes;	/* UDP datagrams received */
	uint64_t	tx_packets, tx_bytes;	/* UDP datagrams sent */
	uint64_t	icmp_sent;		/* errors written to the TUN */
	uint64_t	drops[DP_DROP_COUNT];
};

struct dp_hooks {
	/* Arm p's timer for deadline (ms); replaces an armed one. */
	void	(*arm)(void *arg, struct peer *p, uint64_t deadline);
	/* An authenticated packet changed p's path (path_authentic: the
	 * endpoint followed it, or, relayed, it was offered to the NAT
	 * layer in path.offered). May be NULL. */
	void	(*roamed)(void *arg, struct peer *p);

	/* NAT traversal (disc.c); each may be NULL. */
	/* A handshake initiation is due for p (sent only if its path is
	 * usable): p is in use, the path manager may go and find it. */
	void	(*handshake)(void *arg, struct peer *p, uint64_t now);
	/* Send datagrams for p through the relay at via (p->path.relayed,
	 * or the relay a handshake came through), each in the relay's
	 * envelope, written in place: DP_RELAY_HDR bytes in front of every
	 * datagram are the hook's to write. segsize 0: one datagram of len
	 * bytes at buf (room at buf - DP_RELAY_HDR). Else a run of datagrams
	 * of segsize bytes (the last may be shorter), len bytes in all, the
	 * k-th at buf + k * (segsize + DP_RELAY_HDR): with their envelopes
	 * they lie back to back from buf - DP_RELAY_HDR, ready for one GSO
	 * send. 0, or -1 when nothing was sent. */
	int	(*relay_send)(void *arg, struct peer *p,
		    const struct sockaddr_in6 *via, uint8_t *buf,
		    size_t len, size_t segsize);
	/* An authenticated tunnel packet from p came through the relay at
	 * via (datapath_relayed_input). */
	void	(*relayed)(void *arg, struct peer *p,
		    const struct sockaddr_in6 *via, uint64_t now);
	/* A batch of received datagrams has been handed out (a relay sends
	 * what it gathered from it as one). */
	void	(*rx_done)(void *arg);

	/* Membership (the daemon's ncsync-glue.c); each may be NULL. */
	/* p's session is ready: a handshake completed, at either end. */
	void	(*ready)(void *arg, struct peer *p, uint64_t now);
	/* A tunnel control message from p of a type the data path does not
	 * handle itself (wire.h: 0x03-0x0f), len bytes at pt. Called while
	 * a batch is being handled: it may send (datapath_send_control)
	 * but must not change the member table. */
	void	(*control)(void *arg, struct peer *p, const uint8_t *pt,
		    size_t len, uint64_t now);
	/* p's path went from quiet to sending (path_sent: nothing had gone
	 * out for PATH_ACTIVE_MS): p is in use again, the NAT layer watches
	 * for its answers. At most once per PATH_ACTIVE_MS per peer. */
	void	(*active)(void *arg, struct peer *p, uint64_t now);
};

struct tun;
struct udp;
struct members;
struct tunnel_local;
struct datapath;

/* tun and local may be NULL (a headless node: only the UDP handlers run).
 * mb is the member table (members.h): mb->peer[i] is member i's peer (NULL
 * for this node itself), mb->route maps addresses to those indices. mtu
 * bounds what is sent: larger packets from the TUN get ICMP "too big". All
 * pointers must outlive the datapath (the table until datapath_set_peers
 * replaces it). Installs local's admit hook (the per-source handshake limit
 * under load; removed by datapath_free). NULL if out of memory. */
struct datapath *datapath_new(struct tun *, struct udp *,
	    struct tunnel_local *, const struct members *mb, unsigned mtu,
	    const struct dp_hooks *, void *arg);
/* Returns staged packets to the pool; the peers themselves stay. */
void	datapath_free(struct datapath *);

/* Switch to a new member table (reload), in one step; the old one may be
 * freed after this. Staged packets of peers that are not in the new table
 * must be dropped with datapath_forget_peer before those peers are freed. */
void	datapath_set_peers(struct datapath *, const struct members *mb);
void	datapath_forget_peer(struct datapath *, struct peer *);

/* Event handlers; now is a monotonic time in ms. */
void	datapath_tun_readable(struct datapath *, uint64_t now);
void	datapath_udp_readable(struct datapath *, uint64_t now);
void	datapath_peer_timer(struct datapath *, struct peer *, uint64_t now);

/* NAT traversal (disc.c). A tunnel datagram (first byte 0x01..0x04) that
 * a relay at via passed on, at buf (inside the received envelope, which is
 * the UDP handler's to modify: it is decrypted in place): it goes through
 * the tunnel like any other, except that its source says nothing about
 * where the peer is (no roaming) and answers go back through the relay. */
/* Datagrams that came by another transport (src/transport/: a TCP
 * stream's frames), as if received over UDP from `from`; after a run of
 * them, datapath_input_done sends what they caused (GRO, relay batches). */
void	datapath_input(struct datapath *, uint8_t *buf, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);
void	datapath_input_done(struct datapath *);
void	datapath_relayed_input(struct datapath *, uint8_t *buf, size_t len,
	    const struct sockaddr_in6 *via, uint64_t now);
/* p's path became usable, moved or was confirmed: a handshake that was
 * waiting for an endpoint (or went to one that did not work) is sent now
 * rather than at its next retransmission. */
void	datapath_path_ready(struct datapath *, struct peer *, uint64_t now);

/* Path MTU discovery per member (datapath-pmtu.c): on by default, off
 * with the environment variable MESH_TEST_NO_PMTU set (a test knob: every
 * path then carries the TUN's MTU, as before it existed). */
void	datapath_set_pmtu(struct datapath *, int on);
/* p's path MTU (outer), the inner MTU it carries and how it was learnt,
 * for show; 0, 0 and "" while it is not being measured. */
void	datapath_peer_mtu(const struct peer *, uint64_t *mtu,
	    uint64_t *inner, char *src, size_t srclen);

/* A tunnel control message (msg[0] in 0x01-0x0f, at most
 * DP_CONTROL_MAX bytes) to p on its path; 0, or -1 when it could not be
 * sent (no session, no path). */
#define DP_CONTROL_MAX	1200
int	datapath_send_control(struct datapath *, struct peer *,
	    const uint8_t *msg, size_t len, uint64_t now);

/* Make a session with p if there is none (a handshake, finding its path
 * first if need be), as a first packet to it would; dp_hooks.ready says
 * when it is there. */
void	datapath_connect(struct datapath *, struct peer *, uint64_t now);

const struct dp_counters *datapath_counters(const struct datapath *);
const char *dp_drop_name(enum dp_drop);

#endif
