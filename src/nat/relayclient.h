/* The relay client: which relays we use to reach NAT-ed members, as a pure
 * state machine (no sockets, no clock, no logging). A relay is one of the
 * member's rendezvous nodes (or one of ours, where the member may be known
 * too); we BIND there for the member (a BIND names the target and carries a
 * nonce that grows with the wall clock), and its BOUND answers whether it
 * can reach the member. From then on tunnel datagrams for the member go to
 * that relay, wrapped (natpath-glue.c does the wrapping).
 *
 *	no relay --rendezvous known--> BIND sent --BOUND OK--> relay ready
 *	   ^                              |  \                  (renewed every
 *	   |    BOUND refused / no answer |   `--> next rendezvous  RC_BIND_MS
 *	   |    in RC_BIND_RETRY_MS:      v        (ours when the    while in use)
 *	   `-- relay marked bad for RC_BAD_RELAY_MS  member's are
 *	                                             exhausted)
 *
 * A relay in use that passes nothing back for NATPATH_ACTIVE_DEAD_MS while
 * we send through it is lost: marked bad, the next one is bound and the
 * member looked up again. The address watch asks one of our relays every
 * RC_WATCH_MS (while any path is in use) where it sees us; a BOUND saying
 * otherwise than the last means we moved.
 *
 * The glue feeds events (checked: the BOUND's MAC verified with the relay's
 * pair key), the time in ms, and drains actions (send this BIND, tell
 * natpath about this relay, look the member up, we moved). Pair keys, the
 * wall clock for BIND nonces and our own rendezvous nodes come from
 * callbacks (rc_config) so that tests can fake them. */
#ifndef MESH_RELAYCLIENT_H
#define MESH_RELAYCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define RC_KEY_LEN		32
#define RC_MAX_RELAYS		16	/* relays we are a client of */
#define RC_MAX_RV		4	/* rendezvous kept per member */
#define RC_MAX_OWN		8	/* own rendezvous asked (DHT_RV_MAX) */
#define RC_MAX_ACTIONS		64
#define RC_BIND_MS		25000	/* BIND renewal while a relay is used */
#define RC_BIND_RETRY_MS	1000	/* unanswered BIND: next rendezvous */
#define RC_BAD_RELAY_MS		30000	/* a relay that failed a member */
#define RC_WATCH_MS		5000	/* while paths are in use: ask a relay
					 * where it sees us */

/* A relay we use (a client of). */
struct rc_relay {
	uint8_t			key[RC_KEY_LEN];
	struct sockaddr_in6	addr;
	uint8_t			pair[32];	/* pair key with it */
	int			pair_ok;
	uint64_t		used;		/* ms, for replacement */
};

/* A rendezvous node: a member's (from a lookup) or ours (the DHT's). */
struct rc_rv {
	uint8_t			key[RC_KEY_LEN];
	struct sockaddr_in6	addr;
	int			active;		/* ours: registered there */
	int			no_relay;	/* refused or ignored BIND */
};

/* Per-member relay-client state (embedded in the hub's member). */
struct rc_member {
	uint8_t			 key[RC_KEY_LEN];
	void			*owner;		/* the glue's, in actions */
	struct rc_member	*next, *prev;	/* the client's members */
	struct rc_rv		 rv[RC_MAX_RV];	/* its rendezvous */
	size_t			 nrv;
	/* relays[relay] once BOUND answered OK */
	int			 relay;		/* -1: none */
	int			 relay_ok;
	int			 bind_relay;	/* BIND outstanding to this */
	uint64_t		 bind_nonce;
	uint64_t		 bind_at;	/* ms, 0: none outstanding */
	uint64_t		 bind_next;	/* renewal */
	unsigned		 rv_next;	/* next rendezvous to try */
	struct {				/* relays that failed it */
		uint8_t		 id[8];
		uint64_t	 until;
	}			 bad_relay[RC_MAX_RV];
	/* natpath's relay, as we told it (all of its relay comes from us) */
	int			 have_np_relay;
	struct sockaddr_in6	 np_relay;
	uint64_t		 relay_rx;	/* ms: last packet through it */
	uint64_t		 relayed_since;	/* ms: data went relayed, 0 not */
};

enum rc_act {
	RC_ACT_NONE = 0,	/* (for a member removed meanwhile) */
	RC_ACT_BIND,	/* send a BIND for `target` with `nonce` to
				 * relays[relay] (sealed with its pair key) */
	RC_ACT_READY,		/* relay `addr` answered BOUND OK for m,
				 * newly (the glue logs it) */
	RC_ACT_SET_RELAY,	/* natpath's relay for m is now `addr` */
	RC_ACT_NO_RELAY,	/* m has no relay any more */
	RC_ACT_KICK,		/* m's natpath has news: run it */
	RC_ACT_LOST,		/* m's relay `addr` went quiet (we look for
				 * another): look m up again */
	RC_ACT_OBSERVED,	/* relay `addr` sees us at `seen` */
	RC_ACT_MOVED,		/* relay `addr` sees us at `seen`, not at
				 * `was` any more: we moved */
};

struct rc_action {
	enum rc_act		 type;
	struct rc_member	*m;		/* NULL for BIND/OBSERVED/MOVED */
	int			 relay;		/* BIND */
	uint8_t			 target[RC_KEY_LEN];	/* BIND */
	uint64_t		 nonce;		/* BIND */
	struct sockaddr_in6	 addr, seen, was;
};

struct rc_config {
	void		*arg;
	/* the pair key with a relay's public key: 0, or -1 (unusable) */
	int		(*pair)(void *arg, const uint8_t key[RC_KEY_LEN],
			    uint8_t out[32]);
	/* ms since the epoch: BIND nonces grow with it (a relay checks them
	 * against its own clock) */
	uint64_t	(*wallclock)(void *arg);
	/* our rendezvous nodes (the DHT's): up to max into out */
	size_t		(*own_rv)(void *arg, struct rc_rv *out, size_t max);
};

enum rc_bound_status {
	RC_BOUND_OK = 0,	/* the relay reaches the member */
	RC_BOUND_REFUSED,	/* it does not (unknown, full) */
};

struct relayclient {
	struct rc_config	 cfg;
	struct rc_relay		 relays[RC_MAX_RELAYS];
	size_t			 nrelays;
	struct rc_member	*members;	/* list */
	uint64_t		 bind_nonce;	/* the last BIND's */
	uint64_t		 watch_at;	/* address watch: last BIND */
	struct sockaddr_in6	 watch_seen;	/* us, as the last BOUND said */
	unsigned		 watch_next;	/* relay to ask next */
	uint64_t		 stray;		/* BOUNDs to BINDs not sent */

	struct rc_action	 out[RC_MAX_ACTIONS];
	size_t			 nout, outhead;
	unsigned		 dropped_actions;
};

void	relayclient_init(struct relayclient *, const struct rc_config *);
/* Wipes the pair keys. */
void	relayclient_wipe(struct relayclient *);

void	relayclient_member_add(struct relayclient *, struct rc_member *,
	    const uint8_t key[RC_KEY_LEN], void *owner);
void	relayclient_member_remove(struct relayclient *, struct rc_member *);

/* A lookup found a rendezvous of m: remember it (the newest replaces the
 * oldest), and have a relay ready before it is needed (a BIND costs one
 * round trip). */
void	relayclient_rendezvous(struct relayclient *, struct rc_member *,
	    const uint8_t key[RC_KEY_LEN], const struct sockaddr_in6 *addr,
	    uint64_t now);

/* A BOUND from `from` signed by relay key `key`: the relay it is from
 * (its pair key verifies the MAC), or -1 (a stray). */
int	relayclient_bound_relay(struct relayclient *,
	    const uint8_t key[RC_KEY_LEN], const struct sockaddr_in6 *from);
/* That BOUND, its MAC verified, for member m (NULL: not a member; the
 * address watch still counts). observed: where the relay saw the BIND (may
 * be unset); eim: our NAT maps endpoint-independently (or there is none),
 * so a new port means we moved too. */
void	relayclient_bound(struct relayclient *, struct rc_member *, int relay,
	    uint64_t nonce, enum rc_bound_status,
	    const struct sockaddr_in6 *observed, int eim, uint64_t now);

/* The member's packets came through the relay at via. */
void	relayclient_relayed(struct relayclient *, struct rc_member *,
	    const struct sockaddr_in6 *via, uint64_t now);
/* The data path's route for m was set: through the relay or not. */
void	relayclient_routed(struct relayclient *, struct rc_member *,
	    int relayed, uint64_t now);

/* Our address may have changed: tell m's relay and our own rendezvous
 * nodes (relays m may use to reach us) where we are now. */
void	relayclient_rebind(struct relayclient *, struct rc_member *,
	    uint64_t now);
/* Address watch (from the housekeeping tick): target is a member whose
 * path is in use (NULL: none is, nothing to watch). */
void	relayclient_watch(struct relayclient *, const struct rc_member *target,
	    uint64_t now);

/* How m is used, for its upkeep. */
struct rc_use {
	int	in_use;		/* natpath not idle */
	int	was_in_use;	/* ... when m was last run */
	int	np_relayed;	/* natpath's state is relayed */
	int	relayed_sending; /* the data path is on the relay and sending
				 * (within NATPATH_ACTIVE_MS) */
};
/* m's timer: an unanswered BIND tries the next rendezvous; a relay in use
 * is bound again before it lapses, and given up when nothing comes back
 * through it while we send. */
void	relayclient_tick(struct relayclient *, struct rc_member *,
	    const struct rc_use *, uint64_t now);
/* When m's upkeep is due next (UINT64_MAX: nothing due). */
uint64_t relayclient_next(const struct rc_member *, const struct rc_use *,
	    uint64_t now);

/* Drain queued actions: 1 and *a filled, or 0 when none is left. */
int	relayclient_next_action(struct relayclient *, struct rc_action *);

/* The key of the relay m's data goes through (NULL: none). */
const uint8_t *relayclient_relay_key(const struct relayclient *,
	    const struct rc_member *);

#endif
