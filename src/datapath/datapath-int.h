/* Internals of the data path shared by its files (not for the glue): the
 * datapath structure and the helpers the parts call. datapath.c: setup,
 * timers, the tunnel's actions, the incoming path (UDP -> tunnel -> TUN);
 * datapath-out.c: the outgoing path (TUN -> tunnel -> UDP, TSO into GSO
 * runs); datapath-stage.c: packets waiting for a session. */
#ifndef MESH_DATAPATH_INT_H
#define MESH_DATAPATH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "common/ratelimit.h"
#include "datapath/datapath.h"
#include "datapath/icmp.h"
#include "datapath/offload.h"
#include "datapath/pmtu.h"
#include "datapath/udp.h"
#include "tunnel/tunnel.h"

/* Datagrams are received into buffers for the largest one (or a GRO batch
 * of them). TUN reads go into buffers that also hold a TSO packet split in
 * place into OFFLOAD_MAX_SEGS datagrams (see dp->rbufsz). */
#define DP_RXBUFSZ	((WIRE_DATA_MAX_LEN + 63) & ~(size_t)63)
#define DP_SRCLEN	18	/* cookie source: IPv6 address and port */
/* Most bytes in one UDP GSO send (the IP length field is 16 bits). */
#define DP_GSO_MAX	65000
#define DP_SENDM	(UDP_BATCH + OFFLOAD_MAX_SEGS)
/* datapath_path_ready: no new initiation sooner after the last one (the
 * responder's flood limit is 20 ms) */
#define DP_REINIT_MS	100

/* Room kept in front of every buffer a datagram is sent from, for the
 * relay envelope (DP_RELAY_HDR; 16 keeps the buffers 16-byte aligned). TUN
 * read buffers keep a cache line. */
#define DP_ROOM		16
#define DP_RBUF_ROOM	64
_Static_assert(DP_ROOM >= DP_RELAY_HDR && DP_RBUF_ROOM >= DP_RELAY_HDR,
    "no room for the relay envelope");
#define DP_SCRATCH_LEN	ICMP_MAX

/* A packet waiting in a peer's staging queue: DP_ROOM bytes of room, then
 * the datagram's buffer (dp_pkt_buf) with the inner packet at
 * TUNNEL_HEADROOM, so that it is encrypted and wrapped where it lies. */
struct dp_pkt {
	struct dp_pkt	*next;
	size_t		 len;
	uint8_t		 mem[];
};

static inline uint8_t *
dp_pkt_buf(struct dp_pkt *k)
{
	return k->mem + DP_ROOM;
}

/* What one thread of the data path uses during a call: its batches and
 * buffers, its tunnel_rx, its receive-side merging, the peers it touched
 * and its counters. There is one (datapath.w) while the data path has one
 * thread; a threaded one has one per worker (see ARCHITECTURE.md, the
 * multi-core plan). */
struct dp_worker {
	struct dp_counters	 c;

	/* Batches. A TUN read lands in rbuf[i] + TUNNEL_HEADROOM, is
	 * encrypted there (a TSO packet is split first) and becomes one or
	 * more of the messages in sendm. Each rbuf[i] has DP_RBUF_ROOM bytes
	 * in front and datapath.rbufsz after. */
	uint8_t			*rbuf[UDP_BATCH];
	struct udp_msg		 sendm[DP_SENDM];
	unsigned		 nsendm;
	uint64_t		 nsendd;	/* datagrams in sendm */
	struct udp_msg		 rxm[UDP_BATCH];
	struct udp_msg		 flushm[DP_STAGE_PER_PEER];
	uint8_t			*bufs;
	/* initiations, keepalives, ICMP errors, handshake replies going
	 * back through a relay: DP_SCRATCH_LEN bytes after DP_ROOM */
	uint8_t			 scratch_mem[DP_ROOM + DP_SCRATCH_LEN];
	uint8_t			*scratch;
	/* path MTU probes and packets in pieces: up to the TUN's MTU,
	 * DP_ROOM in front */
	uint8_t			*probe_mem, *probe;
	/* the socket's error queue is to be read (errq_at: last read) */
	int			 errq_due;
	uint64_t		 errq_at;
	uint64_t		 now;		/* of the call being handled */
	struct tunnel_rx	 rx;

	/* Receive-side merging into the TUN (offload only). */
	struct gro		 gro;
	uint8_t			*grobufs;

	/* Peers handled during the current batch, whose timers may need an
	 * earlier deadline. */
	struct peer		*touched[2 * UDP_BATCH + DP_STAGE_PER_PEER];
	size_t			 ntouched;
	uint32_t		 gen;
};

struct datapath {
	/* Shared, read-only while packets flow (reload swaps route and
	 * peers with datapath_set_peers). */
	struct tun		*tun;
	struct udp		*udp;
	struct tunnel_local	*local;
	const struct route	*route;
	struct peer		**peers;
	size_t			 npeers;
	unsigned		 mtu;
	int			 pmtu_off;	/* datapath_set_pmtu */
	size_t			 rbufsz;	/* see dp_worker.rbuf */
	struct dp_hooks		 hooks;
	void			*arg;

	/* Shared and written: the staging pool. */
	uint8_t			*pool;
	size_t			 pktsz;
	struct dp_pkt		*free;

	/* Shared and written: the handshake rate, for tunnel_receive's
	 * under_load, and the limit per source that applies then (see
	 * incoming()). */
	uint64_t		 hs_window;
	unsigned		 hs_count;
	struct ratelimit	*hs_limit;

	struct dp_worker	 w;
};

/* datapath.c */
void	dp_touch(struct datapath *, struct peer *);
/* A datagram for p went out (path_sent); tells the NAT layer when p's path
 * went from quiet to active (dp_hooks.active). */
static inline void
dp_sent(struct datapath *dp, struct peer *p, uint64_t now)
{
	if (path_sent(&p->path, now) && dp->hooks.active != NULL)
		dp->hooks.active(dp->arg, p, now);
}
void	dp_rearm(struct datapath *);
void	dp_actions(struct datapath *, struct peer *, unsigned, int, uint64_t);
void	dp_tun_put(struct datapath *, const uint8_t *pkt, size_t len);

/* datapath-send.c */
void	dp_relay_out(struct datapath *, struct peer *,
	    const struct sockaddr_in6 *via, uint8_t *buf, size_t len,
	    size_t segsize, unsigned ndgrams);

/* datapath-pmtu.c */
void	dp_pmtu_path(struct datapath *, struct peer *, uint64_t now);
void	dp_pmtu_run(struct datapath *, struct peer *, uint64_t now);
void	dp_pmtu_control(struct datapath *, struct peer *, const uint8_t *pt,
	    size_t len, const struct sockaddr_in6 *from,
	    const struct sockaddr_in6 *via, uint64_t now);
void	dp_pmtu_errors(struct datapath *, uint64_t now);
unsigned dp_outer_size(const struct peer *, size_t n);

/* datapath-frag.c: send pkt (len bytes, over inner) to p in pieces;
 * returns the tunnel's actions. A FRAG message from p: the packet when
 * it completes one (*pkt, valid until p's next FRAG), else 0. */
unsigned dp_frag_out(struct datapath *, struct peer *, const uint8_t *pkt,
	    size_t len, unsigned inner, uint64_t now);
size_t	dp_frag_in(struct datapath *, struct peer *, const uint8_t *msg,
	    size_t len, uint8_t **pkt);
/* Read the error queue at least this often while datagrams come in. */
#define DP_ERRQ_MS	50

/* The largest inner packet p's path carries now. */
static inline unsigned
dp_inner(const struct datapath *dp, const struct peer *p)
{
	return p->inner_mtu != 0 && p->inner_mtu < dp->mtu ? p->inner_mtu :
	    dp->mtu;
}

/* Data datagrams of n bytes (count of them) went to p. */
static inline void
dp_pmtu_sent(struct datapath *dp, struct peer *p, size_t n, unsigned count,
    uint64_t now)
{
	dp_pmtu_path(dp, p, now);
	if (p->pmtu_on)
		pmtu_sent(&p->pmtu, dp_outer_size(p, n), count, now);
}

/* datapath-stage.c: the queues (the flush that sends them is in
 * datapath.c, beside the tunnel actions it runs) */
void	dp_stage(struct datapath *, struct peer *, const uint8_t *pkt,
	    size_t len);

#endif
