/* Hard-NAT traversal: how our own NAT allocates ports, and the budgeted
 * probe sprays that reach a member behind an endpoint-dependent
 * ("symmetric") NAT. Pure: ports and times in, ports to probe out.
 *
 * Learning. A symmetric NAT gives every new destination a new external
 * port; the DHT nodes that echo our reflexive address each saw one. If the
 * distinct ports they report lie close together (sorted, no gap above
 * PP_MAX_GAP), the NAT allocates in sequence: the next mapping will be a
 * little above the highest one seen (`last`), in steps of `delta` (the
 * smallest gap). Otherwise (at least PP_MIN_PORTS ports, spread) it
 * allocates at random.
 *
 * The member behind such a NAT (the hard side) tells the other (the easy
 * side, endpoint-independent mapping) its pattern through the rendezvous
 * (natmsg PREDICT). Then:
 *
 *	sequential	the easy side probes the window last+delta ..
 *			last+PP_SEQ_WINDOW*delta at the hard side's public
 *			address; the hard side's own probe to the easy side
 *			has opened one of those ports by then.
 *	random		birthday probing: the hard side opens PP_BDAY_SOCKS
 *			extra sockets and sends one probe from each to the easy
 *			side's endpoint (that opens as many random mappings
 *			on its NAT); the easy side probes random ports of the
 *			hard side's address. Each probe hits one of the open
 *			mappings with probability socks/64512: 256 sockets and
 *			174 probes give 50%, 500 probes 86%.
 *
 * Every spray is to the member's own public address only (as seen by its
 * rendezvous, never an address a message merely claims), at no more than
 * pps probes a second, no more than budget probes, and for no longer than
 * the give-up time; a probe's nonce carries the port it went to, so an
 * answer is taken only from the very port it was sent to. */
#ifndef MESH_PORTPREDICT_H
#define MESH_PORTPREDICT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define PP_MIN_PORTS	2	/* distinct mappings to tell a pattern (two
				 * random ports fall within PP_MAX_GAP of
				 * each other 0.2% of the time) */
#define PP_MAX_GAP	64	/* sorted ports this close: sequential */

/* sequential: the predicted window */
#define PP_SEQ_WINDOW	32	/* ports above the last one seen */
#define PP_SEQ_PPS	100	/* probes a second */
#define PP_SEQ_BUDGET	400	/* probes per attempt */
#define PP_SEQ_MS	4000	/* give up after */
/* random: birthday probing */
#define PP_BDAY_SOCKS	256	/* hard side: extra sockets, one probe each
				 * (and again half-way) */
#define PP_BDAY_SOCK_PPS 200	/* hard side: probes a second */
#define PP_BDAY_PPS	100	/* easy side: probes a second */
#define PP_BDAY_BUDGET	1200	/* easy side: probes per attempt */
#define PP_BDAY_MS	12000	/* give up after (both sides) */
#define PP_BDAY_LOW	1024	/* random ports are drawn from here to 65535 */
#define PP_RETRY_MS	60000	/* a new attempt at most this often */

enum pp_pattern {
	PP_UNKNOWN = 0,		/* too few mappings seen, or not symmetric */
	PP_SEQUENTIAL,		/* new mappings: last + delta, + 2 delta.. */
	PP_RANDOM,		/* new mappings anywhere */
};

struct pp_result {
	enum pp_pattern	pattern;
	uint16_t	last;		/* the highest port seen */
	uint16_t	delta;		/* sequential: the step */
	unsigned	nports;		/* distinct ports it is made from */
};

/* Classify the distinct external ports our NAT gave us (any order,
 * duplicates allowed). */
void	portpredict_learn(const uint16_t *ports, size_t n, struct pp_result *);
const char *portpredict_pattern_name(enum pp_pattern);

enum pp_try {
	PP_TRY_NONE = 0,
	PP_TRY_PREDICTED,	/* easy side: the sequential window */
	PP_TRY_BIRTHDAY,	/* easy side: random ports */
	PP_TRY_SOCKETS,		/* hard side: probes from extra sockets */
};

enum pp_outcome {
	PP_RES_NONE = 0,
	PP_RES_RUNNING,
	PP_RES_DIRECT,		/* a probe was answered: direct */
	PP_RES_GAVE_UP,		/* budget or time spent */
};

/* One attempt (a spray) at one member. */
struct pp_spray {
	enum pp_try	 kind;
	enum pp_outcome	 result;
	struct sockaddr_in6 target;	/* the member's public address; the
					 * port: PP_TRY_SOCKETS' endpoint */
	uint16_t	 base, delta;	/* predicted: last seen, step */
	uint64_t	 rng;		/* birthday: xorshift state */
	uint64_t	 nonce_hi;	/* nonces: nonce_hi << 16 | port */
	uint64_t	 start, until, next;
	unsigned	 sent, budget, pps;
	uint64_t	 took;		/* ms to the answer */
	unsigned	 attempts;	/* started so far (this member) */
	uint64_t	 last_start;
};

/* Start (or restart) an attempt of kind at target: last/delta for
 * PP_TRY_PREDICTED, seed for the random ports of PP_TRY_BIRTHDAY, the
 * socket count (budget) for PP_TRY_SOCKETS; nonce_hi (48 bits) tags this
 * attempt's probes. Returns 0, or -1 when an attempt ran less than
 * PP_RETRY_MS ago (unless it succeeded since: then the path broke). */
int	pp_spray_start(struct pp_spray *, enum pp_try kind,
	    const struct sockaddr_in6 *target, uint16_t last, uint16_t delta,
	    uint64_t seed, uint64_t nonce_hi, uint64_t now);
/* The probes due at now, within the rate and the budget: up to max
 * endpoints into eps with their nonces (for PP_TRY_SOCKETS the endpoint
 * is always the target and nonce's low 16 bits the socket index). Ends
 * the attempt (PP_RES_GAVE_UP) when budget or time are spent. */
size_t	pp_spray_due(struct pp_spray *, uint64_t now,
	    struct sockaddr_in6 *eps, uint64_t *nonces, size_t max);
/* When pp_spray_due has work again; UINT64_MAX when not running. */
uint64_t pp_spray_next(const struct pp_spray *);
/* Whether an answer from `from` carrying nonce answers one of this
 * attempt's probes (the nonce names the port it was sent to). */
int	pp_spray_matches(const struct pp_spray *,
	    const struct sockaddr_in6 *from, uint64_t nonce);
/* The attempt ended: answered (direct) or stopped. */
void	pp_spray_end(struct pp_spray *, int direct, uint64_t now);
int	pp_spray_running(const struct pp_spray *);

const char *pp_try_name(enum pp_try);
const char *pp_outcome_name(enum pp_outcome);

#endif
