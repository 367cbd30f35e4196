/* How to reach one member: a pure state machine over candidate endpoints,
 * probes, hole punching through the member's rendezvous and a relay
 * fallback. No sockets and no clock: the glue feeds it authenticated
 * events (natmsg.c/natkey.c checked them) and the time in milliseconds,
 * and drains the actions it queues (send a probe, send a punch request
 * through the rendezvous, the route changed).
 *
 * (Named natpath, not path: peer.h already has the daemon's struct path,
 * the endpoint currently in use, which this module is meant to drive.)
 *
 *	idle ---use---> probing --ack--> direct (via a config/DHT, mapped,
 *	                   |                     LAN, punched or roamed ep)
 *	         no ack in NATPATH_DIRECT_MS
 *	                   v
 *	   punching (punch request via rendezvous, both sides probe) --ack-->
 *	   relayed (relay known: data through it from then on; punching goes
 *	            on, and a new direct/punch round every NATPATH_RETRY_MS;
 *	            the first ack switches back to direct)
 *	   unreachable (no relay: a new round every NATPATH_RETRY_MS)
 *
 * A direct path in doubt while a relay is ready goes relayed at once, the
 * search (probes, a punch round) running behind it and the first ACK
 * moving it back (issue 11: a roaming member resumes within 1.5 s): when it
 * is silent past the dead line, when our own address changed, when the
 * member answers through the relay while our direct sends wait, or asks
 * us to punch while they have waited NATPATH_ACTIVE_STALE_MS. Another
 * endpoint of the member that answers a probe while our sends wait (its
 * NAT was renumbered) takes over a probe interval into the silence.
 *
 * An endpoint is only ever confirmed by an authenticated ACK carrying the
 * nonce of a probe sent to that very endpoint, so a replayed or spoofed
 * packet cannot redirect the path. Keepalives (a probe to the current
 * endpoint) go out only while the path is in use and nothing else was sent
 * for NATPATH_KEEPALIVE_MS, which holds 30 s UDP NAT timeouts. */
#ifndef MESH_NATPATH_H
#define MESH_NATPATH_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "nat/portpredict.h"

#define NATPATH_MAX_CAND	8
#define NATPATH_MAX_ACTIONS	32
#define NATPATH_PROBE_MS	250	/* probe interval while searching */
#define NATPATH_DIRECT_MS	1000	/* direct probing before punch/relay */
#define NATPATH_PUNCH_MS	2500	/* length of a punch round */
#define NATPATH_REPUNCH_MS	1000	/* punch again within a round */
#define NATPATH_RETRY_MS	30000	/* background retry while relayed */
#define NATPATH_KEEPALIVE_MS	25000	/* holds typical 30 s UDP timeouts */
#define NATPATH_STALE_MS	35000	/* no answer: probe fast */
#define NATPATH_DEAD_MS		45000	/* no answer: the path is lost */
/* While data is being sent (last send within NATPATH_ACTIVE_MS), silence
 * from the member is noticed much sooner: its answers (tunnel data or
 * acknowledgements, keepalives, probe ACKs) stopping means the path broke
 * (a NAT lost or changed our mapping, the member moved). */
#define NATPATH_ACTIVE_MS	2000
/* Silence is counted from our first send after the member's last packet
 * (waiting_since): a burst after an idle minute is not a silence of a
 * minute, a one-way flow is checked by probes. Stale: one probe to the endpoint
 * every NATPATH_PROBE_MS, a liveness check answered within a round trip on
 * a live path; no answer by NATPATH_ACTIVE_DEAD_MS (plus three smoothed
 * round trips on a slow path): the path is lost and searched again (probes,
 * a punch through the rendezvous, the relay meanwhile). */
#define NATPATH_ACTIVE_STALE_MS	600
#define NATPATH_ACTIVE_DEAD_MS	1100
#define NATPATH_IDLE_MS		120000	/* unused this long: stop keepalives */
#define NATPATH_REASON_MAX	96

enum natpath_state {
	NATPATH_IDLE = 0,	/* not in use: nothing sent, nothing kept */
	NATPATH_PROBING,	/* probing candidate endpoints directly */
	NATPATH_PUNCHING,	/* punch round through the rendezvous */
	NATPATH_RELAYED,	/* through a relay; direct retried meanwhile */
	NATPATH_UNREACHABLE,	/* nothing answered and no relay */
	NATPATH_DIRECT,		/* established on an endpoint */
};

/* Where a candidate endpoint came from. */
enum natpath_src {
	NATPATH_SRC_CONFIG = 0,	/* the netconfig's trust line */
	NATPATH_SRC_DHT,	/* the member's advertised public endpoint */
	NATPATH_SRC_MAPPED,	/* its UPnP/NAT-PMP mapped endpoint */
	NATPATH_SRC_LAN,	/* a LAN beacon */
	NATPATH_SRC_PUNCHED,	/* seen by its rendezvous / probing us */
	NATPATH_SRC_ROAMED,	/* source of its authenticated packets */
};

enum natpath_act {
	NATPATH_ACT_PROBE = 1,	/* send a PROBE with `nonce` to `ep` */
	NATPATH_ACT_PUNCH,	/* send a PUNCH (our endpoints) through the
				 * member's rendezvous; `reply` for its flag */
	NATPATH_ACT_SWITCH,	/* the route changed: see natpath_route() */
};

struct natpath_action {
	enum natpath_act	type;
	struct sockaddr_in6	ep;
	uint8_t			nonce[8];
	int			reply;
	int			relayed;	/* SWITCH: via the relay */
};

struct natpath_cand {
	struct sockaddr_in6	ep;
	enum natpath_src	src;
	uint64_t		nonce, prev_nonce;	/* last two probes */
	uint64_t		added, acked_at;	/* ms; 0: never */
	uint64_t		probed_at;		/* ms: last probe */
};

struct natpath {
	enum natpath_state	state;
	struct natpath_cand	cand[NATPATH_MAX_CAND];
	size_t			ncand;

	/* the established endpoint (kept, as a hint, when idle) */
	int			have_ep;
	struct sockaddr_in6	ep;
	enum natpath_src	ep_src;

	int			have_relay;
	struct sockaddr_in6	relay;
	int			have_rendezvous;

	uint64_t		phase_start;	/* ms: current search began */
	uint64_t		next_probe;
	uint64_t		punch_until;	/* ms: punch round ends */
	uint64_t		punch_next;	/* ms: punch again (a round) */
	uint64_t		next_retry;	/* relayed/unreachable */
	uint64_t		last_use, last_tx, last_rx, last_keepalive;
	uint64_t		connect_ms;	/* use -> first route, last time */
	uint64_t		last_punch_reply;
	uint64_t		nonce_ctr;

	/* Hard NATs (portpredict.h): our spray of probes at the member's
	 * predicted or random ports, and whether the established endpoint
	 * is reached through an extra socket (birthday probing, the hard
	 * side: ep_sock is its index + 1, 0 for the daemon's socket). */
	struct pp_spray		spray;
	int			ep_sock;
	int			waiting;	/* sent since the member's
						 * last packet */
	uint64_t		waiting_since;	/* ms: since then */
	uint64_t		srtt;		/* ms: probe round trip, 0 */

	/* The configured endpoint (the netconfig's, the latest one): a
	 * reload that names another one wins over the old one in use. */
	int			have_cfg;
	struct sockaddr_in6	cfg;

	/* Recovery: a pending one (lost_at != 0: the path broke, last heard
	 * at lost_at, for lost_why) and the last one completed (show). */
	uint64_t		lost_at;
	char			lost_why[40];
	int			silent;		/* a liveness probe went
						 * unanswered while sending */
	struct natpath_recovery {
		uint64_t	at;		/* ms, 0: none yet */
		uint64_t	gap;		/* ms: last answer before to
						 * the first route after */
		char		what[40];	/* "path lost", ... */
		char		how[16];	/* "direct", "punched",
						 * "relay", ... */
	}			rec;

	char			reason[NATPATH_REASON_MAX];
	unsigned		nswitch, npunch, nprobe;

	struct natpath_action	out[NATPATH_MAX_ACTIONS];
	size_t			nout, outhead;
	unsigned		dropped_actions;
};

/* nonce_seed: random (so nonces do not repeat across restarts). */
void	natpath_init(struct natpath *, uint64_t nonce_seed, uint64_t now);

/* Candidates, relay, rendezvous (from netconfig, DHT, beacons). */
void	natpath_add_candidate(struct natpath *, const struct sockaddr_in6 *,
	    enum natpath_src, uint64_t now);
void	natpath_set_relay(struct natpath *, const struct sockaddr_in6 *relay,
	    uint64_t now);	/* NULL: none */
void	natpath_set_rendezvous(struct natpath *, int have, uint64_t now);

/* Traffic for the member is being sent (data, handshake): the path is in
 * use. Starts the search when idle. */
void	natpath_use(struct natpath *, uint64_t now);
/* What the data path knows: whether tunnel packets sent since `since`
 * wait for an answer from the member (waiting 0: it answered after our
 * last send). Overrides what natpath_use and natpath_rx guessed from
 * times alone (a reply sent in the same millisecond as the request came). */
void	natpath_unanswered(struct natpath *, int waiting, uint64_t since);
/* An authenticated tunnel packet from the member; from is NULL when it
 * came through a relay. Roaming: a direct path follows the new source. */
void	natpath_rx(struct natpath *, const struct sockaddr_in6 *from,
	    uint64_t now);
/* An authenticated PROBE from the member arrived from `from` (the glue
 * answers it with an ACK itself). Taken as a candidate, and probed back,
 * only while we are searching (probing or punching): otherwise the source
 * has not shown that it receives, as a replayed PROBE from a spoofed
 * address would not, and nothing about it changes. */
void	natpath_probe_in(struct natpath *, const struct sockaddr_in6 *from,
	    uint64_t now);
/* Whether an ACK from `from` with this nonce answers a probe we sent
 * there (the current or the previous one); anything else is a replay or a
 * stray and must change nothing. */
int	natpath_ack_matches(const struct natpath *,
	    const struct sockaddr_in6 *from, const uint8_t nonce[8]);
/* An authenticated ACK from `from` with a nonce. */
void	natpath_ack_in(struct natpath *, const struct sockaddr_in6 *from,
	    const uint8_t nonce[8], uint64_t now);
/* An authenticated PUNCH from the member through a rendezvous that saw it
 * at `observed` (NULL if unknown), listing its endpoints. */
void	natpath_punch_in(struct natpath *, const struct sockaddr_in6 *observed,
	    const struct sockaddr_in6 *eps, size_t neps, int reply,
	    uint64_t now);

/* Our own endpoint changed (new local address, a NAT mapping moved):
 * whatever was established may be gone. Unless idle, search again now
 * (probes to every candidate and a punch; a relayed path keeps its relay
 * meanwhile); why becomes the reason. */
void	natpath_restart(struct natpath *, const char *why, uint64_t now);

/* Timed work; returns the absolute time of the next call (UINT64_MAX when
 * idle). */
uint64_t natpath_periodic(struct natpath *, uint64_t now);
/* Drain queued actions: 1 and *a filled, or 0 when none is left. */
int	natpath_next_action(struct natpath *, struct natpath_action *a);

/* Where data goes now: 0 with *ep and *relayed (1: wrap for the relay at
 * *ep), or -1 when there is no route yet (stage the packet). */
int	natpath_route(const struct natpath *, struct sockaddr_in6 *ep,
	    int *relayed);

/* Hard NATs. Start a spray of kind at the member's public address target
 * (the rendezvous saw it there); last/delta: its NAT's last mapping and
 * step (predicted); seed: random ports (birthday). Nothing while direct or
 * idle, or within PP_RETRY_MS of the last attempt. Returns 1 if started. */
int	natpath_spray(struct natpath *, enum pp_try kind,
	    const struct sockaddr_in6 *target, uint16_t last, uint16_t delta,
	    uint64_t seed, uint64_t now);
/* The spray's timed probes (queued as PROBE actions); when next. */
uint64_t natpath_spray_periodic(struct natpath *, uint64_t now);
/* The hard side of birthday probing: extra socket sock (index + 1)
 * exchanged an authenticated PROBE/ACK with the member at ep: establish
 * the path there, through that socket. */
void	natpath_via_socket(struct natpath *, const struct sockaddr_in6 *ep,
	    int sock, uint64_t now);

const char *natpath_state_name(enum natpath_state);
/* "direct", "mapped", "lan", "punched", "roamed": how an endpoint from
 * this source is reported once established. */
const char *natpath_src_name(enum natpath_src);

#endif
