/* Internals shared by the discovery glue. Not for use elsewhere: the
 * daemon uses disc.h.
 *
 * The files form a DAG (tests/callgraph.sh checks there is no cycle);
 * each calls only files below it:
 *
 *	disc.c (hub)
 *	  -> dht-glue.c, beacon.c, disc-show.c
 *	  -> natpath-glue.c -> relayclient.c, natpath.c (pure)
 *	  -> (dht-glue.c, natpath-glue.c) -> disc-unproved.c
 *	  -> relay-glue.c (natpath-glue's BINDs go out through it)
 *	  -> disc-self.c, disc-members.c -> disc-util.c
 *
 *	disc.c		the hub: life cycle, the UDP dispatch of NAT messages
 *			(0x20-0x2f), member timers and work queue, data path
 *			hooks; wires the callbacks below
 *	disc-show.c	what `mesh show` gets (reads everyone's state)
 *	dht-glue.c	the DHT, boot nodes, member lookups, PUNCH through
 *			a member's rendezvous
 *	relay-glue.c	the relay service we offer, and the relay client's
 *			half of address validation (BINDs sent with a
 *			relay's cookie, COOKIEs kept); its state: the
 *			anonymous struct at the end of struct disc
 *	beacon.c	the LAN beacon (its sources proved before use)
 *	disc-unproved.c	endpoints only DHT nodes named: probes budgeted
 *	natpath-glue.c	each member's path: natpath and the relay client
 *			driven, probes/ACKs, the relay envelope
 *	disc-self.c	our own addresses, NAT kind, port mapping
 *	disc-members.c	discovery's view of the daemon's member table (by
 *			index, key, relay id; no array of its own), pair
 *			keys, the work queue
 *	disc-util.c	clocks, random bytes, address conversions
 *
 * Each piece of state has one owner: struct disc holds one struct per
 * file below, defined here and written only by that file (the hub writes
 * the shared configuration and the callback pointers once, in disc_new,
 * and wipes the relay service's key cache when freeing); struct dmember
 * likewise.
 * Calls that would go up (natpath-glue asking for a lookup, disc-self
 * saying we moved) go through function pointers the hub sets. */
#ifndef MESH_DISCINT_H
#define MESH_DISCINT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "dht/dht.h"
#include "nat/disc.h"
#include "nat/natkind.h"
#include "nat/natmsg.h"
#include "nat/natpath.h"
#include "nat/relayclient.h"
#include "netconf/netconf.h"
#include "nat/portmap-glue.h"
#include "nat/portmap.h"
#include "common/keycache.h"
#include "common/ratelimit.h"

struct event;
struct relay;
struct udp_msg;

#define DISC_MAX_RV		4	/* rendezvous kept per member */
#define DISC_MAX_LOCAL		4	/* own interface endpoints */
#define DISC_KEYCACHE		64	/* relay service: pair keys */
#define DISC_SEARCHES		8	/* member lookups at once */
#define DISC_SEARCH_FOUND_MS	300000	/* look a found member up again */
#define DISC_SEARCH_MIN_MS	2000	/* missing: first retry, doubling */
#define DISC_SEARCH_MAX_MS	30000	/* ... up to this */
#define DISC_MAX_RELAYS		RC_MAX_RELAYS	/* cookie jar: relays used */
#define DISC_COOKIE_MS		50000	/* a relay's cookie, kept (it takes
					 * it for at least RELAY_SECRET_MS) */
#define DISC_BIND_SENT		4	/* BINDs a COOKIE may answer */
#define DISC_TICK_MS		1000	/* housekeeping */
#define DISC_LOCAL_MS		5000	/* re-read interface addresses */
#define DISC_NONCE_WINDOW_MS	120000	/* BIND nonce vs the wall clock */
#define DISC_MOVED_MS		2000	/* at most one "we moved" per this */
/* ACKs answered per member: a PROBE is authenticated but can be replayed
 * from spoofed sources; this bounds what such a replay makes us send.
 * Far above what probing and punching use (a few probes a second). */
#define DISC_ACK_RATE		20	/* a second */
#define DISC_UNPROVED_MAX	8	/* DHT-only endpoints kept per member */
#define DISC_BEACON_SRCS	8	/* beacon sources being proved */
#define DISC_ACK_BURST		40

/* Counters for show (interface record, drop_<name>=N). */
enum disc_drop {
	DISC_DROP_NATMSG,	/* malformed NAT traversal message */
	DISC_DROP_NOTMEMBER,	/* from a key that is no member */
	DISC_DROP_MAC,		/* MAC did not verify */
	DISC_DROP_STRAY,	/* an ACK/BOUND nobody asked for */
	DISC_DROP_BIND,		/* BIND refused (replay, window, full) */
	DISC_DROP_DHLIMIT,	/* relay service: too many new keys */
	DISC_DROP_BEACON,	/* beacon of another network */
	DISC_DROP_RELAY_UNBOUND,
	DISC_DROP_RELAY_UNKNOWN,
	DISC_DROP_RELAY_RATE,
	DISC_DROP_RELAY_LOOP,
	DISC_DROP_RELAY_SEND,	/* the socket refused a relayed datagram */
	DISC_DROP_PROBE_RATE,	/* a member's PROBEs past DISC_ACK_RATE */
	DISC_DROP_UNPROVED,	/* our PROBE to a DHT-only address, over budget */
	DISC_DROP_COUNT
};
_Static_assert(DISC_DROP_COUNT == DISC_DROP_REASONS,
    "disc.h's DISC_DROP_REASONS counts enum disc_drop");

/* The names of these reasons (drop_<name> in show), beside them; the table
 * made of this is checked against DISC_DROP_COUNT by a static assert. */
#define DISC_DROP_NAMES { \
	[DISC_DROP_NATMSG] = "nat_malformed", \
	[DISC_DROP_NOTMEMBER] = "nat_not_member", \
	[DISC_DROP_MAC] = "nat_mac", \
	[DISC_DROP_STRAY] = "nat_stray", \
	[DISC_DROP_BIND] = "relay_bind", \
	[DISC_DROP_DHLIMIT] = "relay_dhlimit", \
	[DISC_DROP_BEACON] = "beacon_other", \
	[DISC_DROP_RELAY_UNBOUND] = "relay_unbound", \
	[DISC_DROP_RELAY_UNKNOWN] = "relay_unknown", \
	[DISC_DROP_RELAY_RATE] = "relay_rate", \
	[DISC_DROP_RELAY_LOOP] = "relay_loop", \
	[DISC_DROP_RELAY_SEND] = "relay_send", \
	[DISC_DROP_PROBE_RATE] = "nat_probe_rate", \
	[DISC_DROP_UNPROVED] = "nat_unproved", \
}

/* A rendezvous node serving a member (from a lookup). */
struct disc_rv {
	uint8_t			key[DHT_KEY_LEN];
	struct dht_addr		addr;		/* the node's */
	struct sockaddr_in6	observed;	/* the member, as it sees it */
	int			no_punch;	/* did not pass a PUNCH */
};

/* Address validation, the relay client's half (relay-glue.c): a relay's
 * cookie for our address there, and our last BINDs to it (repeated with
 * the cookie when a COOKIE answers one). */
struct disc_cookie {
	uint8_t			key[DHT_KEY_LEN];	/* the relay's */
	struct sockaddr_in6	addr;
	uint8_t			pair[32];
	uint64_t		used;		/* ms, 0: free */
	uint8_t			cookie[NATMSG_COOKIE_LEN];
	uint64_t		cookie_until;	/* ms, 0: none */
	struct {
		uint64_t	nonce;		/* 0: free */
		uint8_t		target[DHT_KEY_LEN];
	}			sent[DISC_BIND_SENT];
	unsigned		sent_next;
};

/* A member's lookup state (dht-glue.c). */
struct dm_lookup {
	int			 search;	/* running search id, 0 none */
	uint64_t		 search_started;
	uint64_t		 next_search;
	uint32_t		 search_gap;
	uint64_t		 found_at;	/* 0: never found */
	unsigned		 nsearches;
	int			 public_ep;	/* answered us itself */
	struct disc_rv		 rv[DISC_MAX_RV];
	size_t			 nrv;
};

struct hn_bday;

/* A member's path state (natpath-glue.c). */
struct dm_path {
	struct natpath		 np;
	struct ratelimit_bucket	 ack_bucket;	/* ACKs we may send it */
	uint64_t		 synced_tx, synced_rx;
	enum natpath_state	 last_state;
	int			 mapped;	/* its ACK said MAPPED */
	/* hard NATs (hardnat-glue.c): its NAT as its PREDICT said
	 * (NATMSG_KIND_*, NATMSG_PAT_*), and our birthday sockets */
	uint8_t			 their_kind, their_pattern;
	struct pp_spray		 bspray;
	struct hn_bday		*bd;
	int			 bday_pending;	/* 1 easy side, 2 hard */
	struct sockaddr_in6	 bday_obs;	/* its rendezvous saw it */
	uint64_t		 bday_at;
};

/* A member's endpoints only DHT nodes named (a rendezvous report, an
 * unproved ENDPOINT, the rendezvous' view in a PUNCH) or an unanswered
 * PROBE came from, not the member itself in its MAC'd PUNCH: probes there
 * are charged to the DHT's per-host budget until one answers
 * (disc-unproved.c, SECURITY.md). */
struct dm_unproved {
	struct sockaddr_in6	 ep[DISC_UNPROVED_MAX];
	size_t			 n;
};

/* Round trip to a member (natpath-glue.c): recent probes' nonces and send
 * times (us). */
struct dm_rtt {
	struct {
		uint8_t		 nonce[NATMSG_NONCE_LEN];
		uint64_t	 at;
	}			 sent[4];
	unsigned		 nsent;
	uint64_t		 rtt_us;	/* last, to the path in use */
};

/* Per-member state (peer->path.nat points here). */
struct dmember {
	/* set once by the hub (member_new) */
	struct disc		*d;
	struct peer		*peer;
	uint8_t			 key[DHT_KEY_LEN];
	/* the hub's: its timer */
	struct event		*timer;
	uint64_t		 timer_at;	/* UINT64_MAX: not armed */
	/* disc-members.c */
	uint8_t			 pair[32];	/* natkey_pair with it */
	int			 pair_state;	/* 0 not yet, 1 ok, -1 bad */
	int			 dirty;		/* in the work queue */

	struct dm_lookup	 lk;		/* dht-glue.c */
	struct dm_path		 pa;		/* natpath-glue.c */
	struct dm_rtt		 rtt;		/* natpath-glue.c */
	struct dm_unproved	 up;		/* disc-unproved.c */
	struct rc_member	 rc;		/* relayclient.c (natpath-glue) */
};

/* The member table (disc-members.c). */
struct disc_members {
	/* The daemon's member table (datapath/members.h), the one every
	 * layer indexes: member i's discovery state is its peer's
	 * path.nat; there is no array of discovery's own. disc_set_peers
	 * takes each new table as reload swaps it in. */
	const struct members	*mb;
	/* members with news, run from the loop (disc_kick) */
	struct dmember		**dirty;
	size_t			 ndirty, next_dirty;
	void			(*wake)(struct disc *);
};

/* Own addresses, NAT kind, port mapping (disc-self.c). */
struct disc_self {
	struct natkind		 nk;
	struct natkind_result	 nkr;
	struct sockaddr_in6	 local[DISC_MAX_LOCAL];
	uint32_t		 local_mask[DISC_MAX_LOCAL];	/* IPv4 */
	size_t			 nlocal;
	uint64_t		 local_at;
	int			 local_gone;	/* none left: moved once
						 * one comes back */
	int			 reachable;
	uint64_t		 moved_at;	/* we last found we moved */
	struct portmap		*pm;
	struct portmap_status	 pms;
	int			 pm_held;	/* a lease is held */
	int			 mapped;	/* verified and advertised */
	struct sockaddr_in6	 mapped_ep;
	/* set by the hub: we moved (every path in use searched again);
	 * reachable from outside or not */
	void			(*moved)(struct disc *, uint64_t now);
	void			(*reach)(struct disc *, int reachable,
				    uint64_t now);
};

/* The DHT (dht-glue.c). */
struct disc_dht {
	struct dht		*dht;
	struct event		*ev;
	uint64_t		 at;
	int			 nsearching;
	struct nc_boot		*boots;		/* the netconfig's */
	uint8_t			*boot_ok;	/* resolved and added */
	size_t			 nboots;
	uint64_t		 boots_at;	/* retry unresolved boots */
};

/* Member paths (natpath-glue.c). */
struct disc_path {
	struct relayclient	 rc;		/* relays we use */
	uint64_t		 relayed_in, relayed_out;
	uint64_t		 drops[DISC_DROP_COUNT];
	/* set by the hub: look m up now; send a sealed PUNCH through m's
	 * rendezvous (0 if it went through none) */
	void			(*lookup)(struct dmember *, uint64_t now);
	int			(*punch)(struct dmember *, const uint8_t *buf,
				    size_t len, uint64_t now);
	/* (no scratch: the relay envelope is written into the room the
	 * data path leaves in front of a datagram, and taken off in the
	 * receive buffer) */
};

/* The LAN beacon (beacon.c). */
/* A beacon's source, not yet proved (beacon.c): the bytes its beacons
 * brought, and the probe they paid for. */
struct disc_beacon_src {
	uint8_t			 key[DHT_KEY_LEN];	/* the member named */
	struct sockaddr_in6	 ep;
	size_t			 credit;	/* bytes, not yet spent */
	uint64_t		 probed_at;	/* ms; 0: not yet */
	uint8_t			 nonce[NATMSG_NONCE_LEN];
	int			 used;
};

struct disc_beacon {
	struct event		*ev;
	uint64_t		 sent;
	struct disc_beacon_src	 src[DISC_BEACON_SRCS];
	uint64_t		 drops[DISC_DROP_COUNT];
};

struct disc {
	/* configuration: written once, by disc_new */
	struct event_base	*base;
	struct udp		*udp;
	struct datapath		*dp;
	uint8_t			 sk[32], pk[32];
	char			 ns[NETCONF_NAME_MAX + 1];
	char			 name[NETCONF_NAME_MAX + 1];
	char			 netconfig[PATH_MAX];
	unsigned		 workbit;
	uint32_t		 subnet, subnet_mask;	/* the mesh's IPv4 */
	int			 headless;
	int			 relay_only;	/* MESH_TEST_RELAY_ONLY */
	int			 lan_off;	/* disc_config.lan_off */
	uint8_t			 netid[NATMSG_NETID_LEN];

	/* the hub's (disc.c) */
	struct event		*work_ev;
	struct event		*tick_ev;
	int			 stopping;
	void			(*stop_done)(void *);
	void			*stop_arg;
	struct event		*stop_ev;
	uint64_t		 hub_drops[DISC_DROP_COUNT];

	struct disc_members	 mt;		/* disc-members.c */
	struct disc_self	 self;		/* disc-self.c */
	struct disc_dht		 dg;		/* dht-glue.c */
	struct disc_path	 pg;		/* natpath-glue.c */
	struct disc_beacon	 bc;		/* beacon.c */

	/* The relay service (relay-glue.c; an anonymous struct so that its
	 * code names the fields directly). What it forwards from one batch
	 * of received datagrams is gathered and sent together: runs of
	 * equal datagrams to one member as one GSO send. */
	struct {
		struct relay	*rt;
		uint8_t		*fwd;
		size_t		 fwd_used;
		struct udp_msg	*fwdm;
		unsigned	 nfwdm;
		int		 fwd_open;	/* the last run may grow */
		/* the pair keys of members that BIND (common/keycache.c:
		 * one set, least recently used out; the pair key by slot) */
		struct keycache	 kc;
		uint8_t		 kc_pair[DISC_KEYCACHE][32];
		/* the relay client's half of address validation: the
		 * relays' cookies (relayglue_bind_send, relayglue_cookie) */
		struct disc_cookie ck[DISC_MAX_RELAYS];
		struct ratelimit_bucket dh_bucket;	/* new pair keys */
		uint64_t	 rt_sync;
		uint64_t	 drops[DISC_DROP_COUNT];
	};
};

/* disc-util.c */
uint64_t disc_now(void);
uint64_t disc_now_us(void);
uint64_t disc_wallclock(void);
void	 disc_random(void *buf, size_t len);
const char *disc_addr(const struct sockaddr_in6 *, char *buf, size_t len);
void	 disc_sa_from_dht(struct sockaddr_in6 *, const struct dht_addr *);
void	 disc_dht_from_sa(struct dht_addr *, const struct sockaddr_in6 *);
const char *disc_mname(const struct dmember *);

/* disc-members.c */
/* How many members the table has (self and members without a peer
 * included), and member i's state (NULL: self, no peer, none). */
size_t	 dmembers_count(const struct disc *);
struct dmember *dmembers_at(const struct disc *, size_t i);
void	 dmembers_forget(struct disc *, struct dmember *);
void	 dmembers_free(struct disc *);
struct dmember *disc_member_by_key(struct disc *, const uint8_t *key);
struct dmember *disc_member_by_id(struct disc *, const uint8_t *id8);
int	 disc_member_pair(struct dmember *);	/* 0, or -1: bad key */
/* The ACK answering m's authentic PROBE from `from` (no larger than it),
 * within m's ACK rate; 0, or -1 (over the rate: counted, nothing to send). */
int	 disc_member_ack(struct dmember *, const struct natmsg *probe,
	    const struct sockaddr_in6 *from, uint64_t now, struct natmsg *ack);
/* Something happened to m's natpath: handle its actions soon (from the
 * loop, never from inside the caller). */
void	 disc_kick(struct dmember *);
/* The hub's work queue: the next member kicked (NULL: none left). */
struct dmember *dmembers_next_dirty(struct disc *);
/* The first member whose path is in use (NULL: none). */
struct dmember *dmembers_in_use(struct disc *);

/* disc-self.c */
void	 self_init(struct disc *);
void	 self_local(struct disc *, uint64_t now);	/* interfaces */
void	 self_refresh(struct disc *, uint64_t now);	/* from the tick */
void	 self_portmap_start(struct disc *);
void	 self_free(struct disc *);
int	 disc_is_local(const struct disc *, const struct sockaddr_in6 *);
int	 disc_on_lan(const struct disc *, const struct sockaddr_in6 *);
/* Our endpoints to hand to a member (PUNCH): LAN, mapped, reflexive. */
size_t	 disc_our_endpoints(struct disc *, struct sockaddr_in6 *, size_t);
void	 disc_observed(struct disc *, const struct sockaddr_in6 *observer,
	    const struct sockaddr_in6 *reflexive, uint64_t now);
void	 disc_moved(struct disc *, uint64_t now, const char *why);

/* dht-glue.c */
int	 dhtglue_start(struct disc *, const struct netconf *, char *err,
	    size_t errlen);
void	 dhtglue_stop(struct disc *);
void	 dhtglue_boots(struct disc *, const struct netconf *);
void	 dhtglue_arm(struct disc *);
void	 dhtglue_tick(struct disc *, uint64_t now);
void	 dhtglue_member_init(struct dmember *, uint64_t now);
void	 dhtglue_lookup(struct disc *, struct dmember *, uint64_t now);
/* Look m up now (its path broke, its relay was lost). */
void	 dhtglue_lookup_now(struct dmember *, uint64_t now);
/* Wanted but never found: look now rather than at the next round. */
void	 dhtglue_wanted(struct dmember *, uint64_t now);
void	 dhtglue_forget(struct disc *, struct dmember *);
int	 dhtglue_punch(struct dmember *, const uint8_t *buf, size_t len,
	    uint64_t now);
void	 dhtglue_set_reachable(struct disc *, int reachable, uint64_t now);

/* natpath-glue.c */
void	 pathglue_init(struct disc *);
void	 pathglue_free(struct disc *);	/* wipes the relays' keys */
void	 pathglue_member_init(struct dmember *, uint64_t now);
void	 pathglue_member_free(struct dmember *);
/* Run m: feed what the data path saw, natpath's and the relay client's
 * timers and actions; returns when to run it again. */
uint64_t pathglue_run(struct dmember *, uint64_t now);
void	 pathglue_candidate(struct dmember *, const struct sockaddr_in6 *,
	    enum natpath_src, uint64_t now);
void	 pathglue_use(struct dmember *, uint64_t now);
/* disc-unproved.c: endpoints only DHT nodes named, and the budget of
 * probes there. add: ep was named only by DHT nodes; punch: a member's
 * PUNCH listed eps (vouched) and its rendezvous saw it at obs (not);
 * probe_in: a PROBE came from `from`, which is no candidate yet (not);
 * acked: an ACK matching our probe came from ep (proved); may_probe: 0
 * when only DHT nodes named ep and its host's unproved budget is spent. */
void	 disc_unproved_add(struct dmember *, const struct sockaddr_in6 *ep);
void	 disc_unproved_probe_in(struct dmember *,
	    const struct sockaddr_in6 *from);
void	 disc_unproved_punch(struct dmember *, const struct sockaddr_in6 *obs,
	    const struct sockaddr_in6 *eps, size_t neps);
void	 disc_unproved_acked(struct dmember *, const struct sockaddr_in6 *ep,
	    uint64_t now);
int	 disc_unproved_may_probe(struct dmember *,
	    const struct sockaddr_in6 *ep, uint64_t now);
void	 pathglue_roamed(struct dmember *);
void	 pathglue_probe_in(struct disc *, const struct natmsg *,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 pathglue_ack_in(struct disc *, const struct natmsg *,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 pathglue_bound_in(struct disc *, const struct natmsg *,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 pathglue_fromrelay(struct disc *, uint8_t *pkt, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 pathglue_punched(struct disc *, const uint8_t *from_key,
	    const struct dht_addr *observed, const uint8_t *payload,
	    size_t len, uint64_t now);
void	 pathglue_rendezvous(struct dmember *, const uint8_t *key,
	    const struct sockaddr_in6 *addr, const struct sockaddr_in6 *obs,
	    uint64_t now);
void	 pathglue_repunch(struct disc *, uint64_t now);
void	 pathglue_watch(struct disc *, uint64_t now);
void	 pathglue_relayed(struct dmember *, const struct sockaddr_in6 *via,
	    uint64_t now);

/* hardnat-glue.c */
void	 hardnat_predict_out(struct dmember *, uint64_t now);
void	 hardnat_predict_in(struct dmember *, const struct natmsg *,
	    const struct sockaddr_in6 *obs, uint64_t now);
uint64_t hardnat_run(struct dmember *, uint64_t now);
int	 hardnat_probe(struct dmember *, const struct sockaddr_in6 *ep,
	    const uint8_t nonce[8]);
int	 hardnat_kept(const struct dmember *, const struct sockaddr_in6 *via);
int	 hardnat_send(struct dmember *, const uint8_t *buf, size_t len,
	    size_t segsize);
void	 hardnat_free(struct dmember *);

/* relay-glue.c */
int	 relayglue_start(struct disc *);
void	 relayglue_stop(struct disc *);
void	 relayglue_bind(struct disc *, const uint8_t *pkt, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 relayglue_forward(struct disc *, const uint8_t *pkt, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 relayglue_tick(struct disc *, uint64_t now);
/* relay client: a BIND for target to the relay with key at addr (pair:
 * our pair key with it), with its cookie if we have one; and a relay's
 * COOKIE answering one (address validation) */
void	 relayglue_bind_send(struct disc *, const uint8_t *key,
	    const struct sockaddr_in6 *addr, const uint8_t *pair,
	    const uint8_t *target, uint64_t nonce, uint64_t now);
void	 relayglue_cookie(struct disc *, const struct natmsg *,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 relayglue_flush(struct disc *);

/* beacon.c */
int	 beacon_start(struct disc *);
void	 beacon_stop(struct disc *);
void	 beacon_input(struct disc *, const struct natmsg *,
	    const struct sockaddr_in6 *from, uint64_t now);
/* Whether an ACK from the member with key, from `from`, answers the probe
 * a beacon paid for (then the source has proved it receives: the caller
 * takes it as a LAN candidate). */
int	 beacon_acked(struct disc *, const uint8_t *key,
	    const struct sockaddr_in6 *from, const uint8_t *nonce);

#endif
