/* Path MTU of one path to a member (a direct endpoint, or a relay): a pure
 * state machine. No sockets, no clock: the caller feeds it what happened
 * (probe acknowledged, ICMP "too big", EMSGSIZE, data sent and received)
 * with the time in milliseconds, and drains the actions it queues (send a
 * probe of this size with this id; the usable size changed).
 *
 * Unit: every size here is an outer IP datagram (IP header + UDP header +
 * UDP payload), the unit of interface MTUs, ICMP "too big" reports and the
 * kernel's IP_MTU. What this path carries of a member's traffic is
 * pmtu_inner(): the size minus pmtu_overhead() (IPv4 20 / IPv6 40, UDP 8,
 * the tunnel data header and tag 32, the relay envelope 9 when relayed).
 *
 * How it searches: in rounds. A round is a set of sizes probed in parallel
 * (biggest first), each up to PMTU_TRIES times PMTU_PROBE_MS apart; a size
 * is failed when none of its probes is acknowledged within a wait after the
 * last one (twice the measured RTT, at least PMTU_PROBE_MS). An ACK of size
 * s proves every size up to s. Each round holds a control size known (or
 * assumed) to pass: if nothing at all is acknowledged the path is down or
 * lossy, not too narrow, and nothing is lowered. So loss of single probes
 * never lowers the MTU, and a black hole is found within one round
 * (~PMTU_TRIES * PMTU_PROBE_MS + the wait: under a second on a LAN).
 *
 *	start ---> search (a ladder of common sizes between the floor and
 *	  |        the ceiling) --> refine (up to 7 sizes between the best
 *	  |        that passed and the smallest that failed, until the gap is
 *	  |        at most PMTU_GRAIN) --> settled
 *	settled: re-probe upwards (ceiling) every PMTU_REPROBE_MS, sooner
 *	  (PMTU_REPROBE_FAST_MS, doubling) after a drop; a check round of
 *	  the current size every PMTU_CHECK_MS while big data is sent; a
 *	  downward search at once when a check fails, on ICMP without a size,
 *	  or when the black-hole detector fires (big packets sent, nothing
 *	  authenticated back for a while; backing off on false alarms).
 *
 * The size starts at the ceiling (optimistic: a clean path never pays for
 * discovery); ICMP and EMSGSIZE lower it at once (then a check round
 * confirms it), probes raise or lower it. It never goes below the floor,
 * PMTU_FLOOR (the IPv6 minimum link MTU) or the ceiling when smaller: a
 * path that cannot carry the interface MTU still carries traffic, inner
 * packets being made smaller by "too big" errors into the TUN. A path
 * narrower than the floor (IPv4 only; IPv6 forbids it) is not detected: the
 * caller may let the kernel fragment at the floor (see PMTU-PLAN.md).
 *
 * A member that never answers probes (an older version) while its traffic
 * comes in is given up on after PMTU_GIVE_UP_ROUNDS rounds: the size stays
 * at the ceiling, lowered only by ICMP/EMSGSIZE, and goes back up after
 * PMTU_REPROBE_MS (as the kernel's own PMTU cache expires). */
#ifndef MESH_PMTU_H
#define MESH_PMTU_H

#include <stddef.h>
#include <stdint.h>

#define PMTU_FLOOR		1280	/* IPv6 minimum link MTU */
#define PMTU_MAX		65535
#define PMTU_TRIES		3	/* probes per size and round */
#define PMTU_PROBE_MS		200	/* between probes of a size */
#define PMTU_WAIT_MAX_MS	2000	/* longest wait for a last probe */
#define PMTU_ACK_MAX_MS		5000	/* later ACKs are ignored */
#define PMTU_GRAIN		8	/* refine until the gap is this */
#define PMTU_MAX_SIZES		16	/* sizes per round */
#define PMTU_ROUND_BUDGET	(PMTU_MAX_SIZES * PMTU_TRIES)
#define PMTU_REPROBE_MS		600000	/* upward re-probe when settled */
#define PMTU_REPROBE_FAST_MS	30000	/* first one after a drop */
#define PMTU_RETRY_MS		5000	/* after a round nothing answered, */
#define PMTU_RETRY_MAX_MS	60000	/* doubling up to this */
#define PMTU_GIVE_UP_ROUNDS	3	/* unanswered, member alive: stop */
#define PMTU_CHECK_MS		2000	/* check round while sending big */
#define PMTU_BH_SENDS		3	/* black hole: big sends unanswered */
#define PMTU_BH_MIN_MS		400	/* ... for at least this (or 3 RTT) */
#define PMTU_BH_HOLDOFF_MS	2000	/* between detector-started searches, */
#define PMTU_BH_MAX_MS		60000	/* doubling on false alarms to this */
#define PMTU_MAX_ACTIONS	(2 * PMTU_MAX_SIZES + 4)
#define PMTU_SENT_RING		64	/* probes remembered for their ACKs */
#define PMTU_REASON_MAX		80

/* Bytes added around an inner packet. */
#define PMTU_IP4_HDR		20
#define PMTU_IP6_HDR		40
#define PMTU_UDP_HDR		8
#define PMTU_TUNNEL_HDR		32	/* WIRE_DATA_OVERHEAD: header + tag */
#define PMTU_RELAY_HDR		9	/* NATMSG_RELAY_HDR: type + id */

enum pmtu_state {
	PMTU_IDLE = 0,		/* not started */
	PMTU_SEARCHING,		/* a round is running */
	PMTU_SETTLED,		/* nothing running; timers armed */
};

/* How the current size was learnt. */
enum pmtu_src {
	PMTU_SRC_DEFAULT = 0,	/* the ceiling, not (yet) confirmed */
	PMTU_SRC_PROBE,		/* the largest size a probe got through */
	PMTU_SRC_ICMP,		/* an ICMP "too big" from the path */
	PMTU_SRC_LOCAL,		/* EMSGSIZE: the local kernel's limit */
	PMTU_SRC_BLACKHOLE,	/* probes after big packets were lost */
};

/* What a round is for (it names the result's source and what follows). */
enum pmtu_round {
	PMTU_ROUND_NONE = 0,
	PMTU_ROUND_SEARCH,	/* ladder between the floor and the ceiling */
	PMTU_ROUND_UP,		/* ladder above the current size */
	PMTU_ROUND_DOWN,	/* ladder up to the current size: suspicion */
	PMTU_ROUND_REFINE,	/* between the best passed and least failed */
	PMTU_ROUND_CHECK,	/* the current size alone */
};

enum pmtu_act {
	PMTU_ACT_PROBE = 1,	/* send a probe of `size` bytes carrying id */
	PMTU_ACT_CHANGED,	/* the usable size went from `old` to `size` */
};

struct pmtu_action {
	enum pmtu_act	type;
	unsigned	size;
	unsigned	old;		/* CHANGED */
	uint64_t	id;		/* PROBE; never 0 */
};

struct pmtu_try {
	unsigned	size;
	unsigned	tries;
	uint64_t	last_sent;
	int		state;		/* 0 pending, 1 passed, -1 failed */
};

struct pmtu_sent {
	uint64_t	id;
	uint64_t	at;
	unsigned	size;
};

struct pmtu {
	enum pmtu_state		state;
	int			ipv6, relayed;
	unsigned		ceiling;	/* largest size worth having */
	unsigned		floor;		/* never below */
	unsigned		cur;		/* usable now */
	enum pmtu_src		src;
	uint64_t		changed_at;	/* ms: cur last changed */
	unsigned		confirmed;	/* last acked >= cur; 0: none */
	uint64_t		confirmed_at;
	unsigned		failed;		/* least size failed; 0: none */

	/* the running round */
	enum pmtu_round		round;
	enum pmtu_src		round_src;	/* what a drop is blamed on */
	struct pmtu_try		sizes[PMTU_MAX_SIZES];
	size_t			nsizes;
	unsigned		control;	/* size assumed to pass */
	unsigned		round_best;	/* largest acked in the round */
	uint64_t		round_start, next_send;
	unsigned		round_probes;

	uint64_t		next_reprobe;	/* UINT64_MAX: none */
	uint64_t		reprobe_gap;
	int			retry_down;	/* next reprobe looks below */
	unsigned		silent_alive;	/* rounds unanswered while the
						 * member's traffic came in */
	int			gave_up;	/* it does not answer probes */
	uint64_t		retry_gap;	/* after silent rounds */
	uint64_t		next_check;	/* UINT64_MAX: none */

	/* black-hole detector */
	uint64_t		last_rx;	/* authenticated, this path */
	uint64_t		big_since;	/* first unanswered big send */
	unsigned		big_sends;	/* big sends since last_rx */
	uint64_t		last_big;	/* last big send */
	uint64_t		bh_after;	/* no detector search before */
	uint64_t		bh_gap;		/* holdoff: false alarms */

	uint64_t		rtt;		/* smoothed probe RTT, ms */
	uint64_t		id_ctr;
	struct pmtu_sent	sent[PMTU_SENT_RING];
	size_t			sent_next;

	char			reason[PMTU_REASON_MAX];
	unsigned		nprobe, nack, nrounds, nchanges;
	unsigned		nicmp, nicmp_bogus, nblackhole;

	struct pmtu_action	out[PMTU_MAX_ACTIONS];
	size_t			nout, outhead;
	unsigned		dropped_actions;
};

/* ipv6: the path's outer family; relayed: data goes in TORELAY envelopes.
 * id_seed: random, so that ids do not repeat across restarts and do not
 * meet the NAT module's probe nonces. */
void	pmtu_init(struct pmtu *, int ipv6, int relayed, uint64_t id_seed,
	    uint64_t now);
/* Begin (or begin again, for a new endpoint) with this ceiling: the
 * outgoing interface's MTU, or less when the TUN's MTU plus the overheads
 * needs less (pmtu_outer()). Starts a search round. */
void	pmtu_start(struct pmtu *, unsigned ceiling, uint64_t now);
/* An RTT estimate from elsewhere (the handshake), before probes give one. */
void	pmtu_set_rtt(struct pmtu *, uint64_t rtt_ms);

/* Whether an authenticated ACK carries the id of one of our probes (then it
 * is ours, not the NAT module's). */
int	pmtu_ack_matches(const struct pmtu *, uint64_t id);
/* An authenticated ACK of probe id. */
void	pmtu_ack(struct pmtu *, uint64_t id, uint64_t now);
/* ICMP "fragmentation needed" / ICMPv6 "packet too big" for this path, with
 * the next-hop MTU it reports (0: none given); EMSGSIZE from the local
 * kernel with its MTU (IP_RECVERR's ee_info). Sizes at or above the current
 * size or below the floor are ignored. */
void	pmtu_icmp(struct pmtu *, unsigned mtu, uint64_t now);
void	pmtu_emsgsize(struct pmtu *, unsigned mtu, uint64_t now);
/* A data datagram of `size` outer bytes (count of them) was sent. */
void	pmtu_sent(struct pmtu *, unsigned size, unsigned count, uint64_t now);
/* An authenticated packet from the member came in on this path. */
void	pmtu_rx(struct pmtu *, uint64_t now);

/* Timed work; returns the absolute time of the next call (UINT64_MAX when
 * there is none). Any other call may move it: call this again after it. */
uint64_t pmtu_periodic(struct pmtu *, uint64_t now);
/* Drain queued actions: 1 and *a filled, or 0 when none is left. */
int	pmtu_next_action(struct pmtu *, struct pmtu_action *a);

/* The usable outer size, how it was learnt, when it last changed. */
unsigned pmtu_mtu(const struct pmtu *);
enum pmtu_src pmtu_source(const struct pmtu *);
uint64_t pmtu_changed_at(const struct pmtu *);
/* The inner MTU this path carries now (what a TUN packet may have). */
unsigned pmtu_inner_mtu(const struct pmtu *);

/* Overheads and conversions. */
unsigned pmtu_overhead(int ipv6, int relayed);
/* Inner MTU for an outer size (0 when it carries nothing). */
unsigned pmtu_inner(unsigned outer, int ipv6, int relayed);
/* Outer size needed to carry an inner MTU. */
unsigned pmtu_outer(unsigned inner, int ipv6, int relayed);
/* UDP payload of a datagram of `outer` bytes (what a probe must fill). */
unsigned pmtu_udp_payload(unsigned outer, int ipv6);

const char *pmtu_src_name(enum pmtu_src);
const char *pmtu_state_name(enum pmtu_state);
/* What the running round does ("probing upwards", ...), for show. */
const char *pmtu_round_name(enum pmtu_round);

#endif
