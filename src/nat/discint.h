/* Internals shared by the discovery glue: disc.c (the hub: members,
 * timers, show, NAT discovery, port mapping), dhtglue.c, pathglue.c,
 * relayglue.c and beacon.c. Not for use elsewhere: the daemon uses
 * disc.h. */
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
#define DISC_TICK_MS		1000	/* housekeeping */
#define DISC_LOCAL_MS		5000	/* re-read interface addresses */
#define DISC_NONCE_WINDOW_MS	120000	/* BIND nonce vs the wall clock */
#define DISC_MOVED_MS		2000	/* at most one "we moved" per this */
/* ACKs answered per member: a PROBE is authenticated but can be replayed
 * from spoofed sources; this bounds what such a replay makes us send.
 * Far above what probing and punching use (a few probes a second). */
#define DISC_ACK_RATE		20	/* a second */
#define DISC_ACK_BURST		40
#define DISC_MISMATCH_MS	2000	/* data path off natpath's route */

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
	DISC_DROP_COUNT
};

/* A rendezvous node serving a member (from a lookup). */
struct disc_rv {
	uint8_t			key[DHT_KEY_LEN];
	struct dht_addr		addr;		/* the node's */
	struct sockaddr_in6	observed;	/* the member, as it sees it */
	int			no_punch;	/* did not pass a PUNCH */
};

/* Per-member state (peer->path.nat points here). */
struct dmember {
	struct disc		*d;
	struct peer		*peer;
	uint8_t			 key[DHT_KEY_LEN];
	uint8_t			 pair[32];	/* natkey_pair with it */
	int			 pair_state;	/* 0 not yet, 1 ok, -1 bad */
	struct natpath		 np;
	struct ratelimit_bucket	 ack_bucket;	/* ACKs we may send it */
	struct event		*timer;
	uint64_t		 timer_at;	/* UINT64_MAX: not armed */
	uint64_t		 synced_tx, synced_rx;
	int			 dirty;
	enum natpath_state	 last_state;
	int			 had_path;

	/* DHT lookups */
	int			 search;	/* running search id, 0 none */
	uint64_t		 search_started;
	uint64_t		 next_search;
	uint32_t		 search_gap;
	uint64_t		 found_at;	/* 0: never found */
	unsigned		 nsearches;
	int			 public_ep;	/* answered us itself */
	struct disc_rv		 rv[DISC_MAX_RV];
	size_t			 nrv;

	struct rc_member	 rc;		/* relay client (relayclient.c) */
	int			 mapped;	/* its ACK said MAPPED */
	/* round trip: recent probes' nonces and send times (us) */
	struct {
		uint8_t		 nonce[NATMSG_NONCE_LEN];
		uint64_t	 at;
	}			 sent[4];
	unsigned		 nsent;
	uint64_t		 rtt_us;	/* last, to the path in use */
	uint64_t		 mismatch_since; /* data path not on natpath's
						 * route since (ms), 0: on it */
};

struct disc_kc {			/* relay service: a pair key */
	uint8_t			key[DHT_KEY_LEN];
	uint8_t			pair[32];
	uint64_t		used;
};

struct disc {
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
	uint8_t			 netid[NATMSG_NETID_LEN];
	uint64_t		 seed;

	/* members, parallel to the daemon's peers[] (NULL for self) */
	struct dmember		**m;
	size_t			 nm;
	struct dmember		**byid;		/* open addressing, by key */
	size_t			 byid_mask;
	struct dmember		**dirty;
	size_t			 ndirty;
	struct event		*work_ev;
	struct event		*tick_ev;
	int			 stopping;
	void			(*stop_done)(void *);
	void			*stop_arg;
	struct event		*stop_ev;

	/* DHT (dhtglue.c) */
	struct dht		*dht;
	struct event		*dht_ev;
	uint64_t		 dht_at;
	int			 nsearching;
	struct nc_boot		*boots;		/* the netconfig's */
	uint8_t			*boot_ok;	/* resolved and added */
	size_t			 nboots;
	uint64_t		 boots_at;	/* retry unresolved boots */

	/* own address and NAT (disc.c) */
	struct natkind		 nk;
	struct natkind_result	 nkr;
	struct sockaddr_in6	 local[DISC_MAX_LOCAL];
	uint32_t		 local_mask[DISC_MAX_LOCAL];	/* IPv4 */
	size_t			 nlocal;
	uint64_t		 local_at;
	int			 reachable;
	struct sockaddr_in6	 reflexive;	/* last classified */
	uint64_t		 moved_at;	/* we last found we moved */

	/* port mapping */
	struct portmap		*pm;
	struct portmap_status	 pms;
	int			 pm_held;	/* a lease is held */
	int			 mapped;	/* verified and advertised */
	struct sockaddr_in6	 mapped_ep;

	/* relays we use (natpath-glue.c) */
	struct relayclient	 rc;

	/* the relay service (relayglue.c); what it forwards from one batch
	 * of received datagrams is gathered and sent together: runs of
	 * equal datagrams to one member as one GSO send */
	struct relay		*rt;
	uint8_t			*fwd;
	size_t			 fwd_used;
	struct udp_msg		*fwdm;
	unsigned		 nfwdm;
	int			 fwd_open;	/* the last run may grow */
	struct disc_kc		 kc[DISC_KEYCACHE];
	uint64_t		 dh_level, dh_at;	/* new keys bucket */
	uint64_t		 rt_sync;

	/* LAN beacon (beacon.c) */
	struct event		*beacon_ev;
	uint64_t		 beacon_sent;

	uint64_t		 drops[DISC_DROP_COUNT];
	uint64_t		 relayed_in, relayed_out;

	/* scratch: datagrams wrapped for a relay (a GSO run), and one
	 * unwrapped from a relay (the tunnel decrypts it in place) */
	uint8_t			 buf[65536];
	uint8_t			 rxbuf[NATMSG_MAX_PAYLOAD];
};

/* disc.c */
uint64_t disc_now(void);
uint64_t disc_now_us(void);
uint64_t disc_wallclock(void);
void	 disc_random(void *buf, size_t len);
struct dmember *disc_member_by_key(struct disc *, const uint8_t *key);
struct dmember *disc_member_by_id(struct disc *, const uint8_t *id8);
/* Something happened to m's natpath: handle its actions soon (from the
 * loop, never from inside the caller). */
void	 disc_kick(struct dmember *);
int	 disc_member_pair(struct dmember *);	/* 0, or -1: bad key */
int	 disc_is_local(const struct disc *, const struct sockaddr_in6 *);
int	 disc_on_lan(const struct disc *, const struct sockaddr_in6 *);
/* Our endpoints to hand to a member (PUNCH): LAN, mapped, reflexive. */
size_t	 disc_our_endpoints(struct disc *, struct sockaddr_in6 *, size_t);
void	 disc_observed(struct disc *, const struct sockaddr_in6 *observer,
	    const struct sockaddr_in6 *reflexive, uint64_t now);
void	 disc_moved(struct disc *, uint64_t now, const char *why);
const char *disc_addr(const struct sockaddr_in6 *, char *buf, size_t len);
void	 disc_sa_from_dht(struct sockaddr_in6 *, const struct dht_addr *);
void	 disc_dht_from_sa(struct dht_addr *, const struct sockaddr_in6 *);

/* dhtglue.c */
int	 dhtglue_start(struct disc *, const struct netconf *, char *err,
	    size_t errlen);
void	 dhtglue_stop(struct disc *);
void	 dhtglue_boots(struct disc *, const struct netconf *);
void	 dhtglue_arm(struct disc *);
void	 dhtglue_tick(struct disc *, uint64_t now);
void	 dhtglue_lookup(struct disc *, struct dmember *, uint64_t now);
void	 dhtglue_forget(struct disc *, struct dmember *);

/* pathglue.c */
void	 pathglue_input(void *arg, const uint8_t *pkt, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 pathglue_process(struct dmember *, uint64_t now);
void	 pathglue_punched(struct disc *, const uint8_t *from_key,
	    const struct dht_addr *observed, const uint8_t *payload,
	    size_t len, uint64_t now);
void	 pathglue_init(struct disc *);
void	 pathglue_rendezvous(struct dmember *, const uint8_t *key,
	    const struct sockaddr_in6 *addr, uint64_t now);
void	 pathglue_tick(struct dmember *, uint64_t now);
uint64_t pathglue_next(struct dmember *, uint64_t now);
void	 pathglue_relayed(struct dmember *, const struct sockaddr_in6 *via,
	    uint64_t now);
void	 pathglue_repunch(struct disc *, uint64_t now);
void	 pathglue_rebind(struct dmember *, uint64_t now);
void	 pathglue_watch(struct disc *, uint64_t now);

/* relayglue.c */
int	 relayglue_start(struct disc *);
void	 relayglue_stop(struct disc *);
void	 relayglue_bind(struct disc *, const uint8_t *pkt, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 relayglue_forward(struct disc *, const uint8_t *pkt, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);
void	 relayglue_tick(struct disc *, uint64_t now);
void	 relayglue_flush(struct disc *);

/* beacon.c */
int	 beacon_start(struct disc *);
void	 beacon_stop(struct disc *);
void	 beacon_input(struct disc *, const struct natmsg *,
	    const struct sockaddr_in6 *from, uint64_t now);

#endif
