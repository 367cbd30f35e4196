/* Internals shared by the files of the DHT instance: dht.c (packets in and
 * out), dhtapi.c (create, API), dhtkeys.c (pair-key cache), dhtreplay.c
 * (replay filter), dhttoken.c (address tokens), dhtpending.c (our
 * requests), dhtupkeep.c (table upkeep, timers), dhtsearch.c (iterative
 * lookups), dhtrv.c (rendezvous and relay) and dhtproved.c (unproved
 * contacts). Not for use outside dht/. */
#ifndef DHT_DHTINT_H
#define DHT_DHTINT_H

#include <stddef.h>
#include <stdint.h>

#include "common/keycache.h"
#include "common/ratelimit.h"

#include "dht.h"
#include "dhtcrypto.h"
#include "dhtmsg.h"
#include "dhttable.h"

/* Defaults (see struct dht_config) and fixed protocol constants. */
#define DHT_DEF_PENDING		128
#define DHT_DEF_SEARCHES	32
#define DHT_DEF_CLIENTS		64
#define DHT_DEF_KEYCACHE	256
#define DHT_DEF_REPLAY		1024
#define DHT_DEF_REPLY_RATE	400
#define DHT_DEF_DH_RATE		500
#define DHT_DEF_REFRESH		600000
#define DHT_DEF_KEEPALIVE	25000
#define DHT_DEF_TS_WINDOW	30000

#define DHT_MAX_BOOTS		16
#define DHT_TOKEN_ROTATE	300000	/* token secrets rotate (ms) */
#define DHT_TOKEN_FRESH		240000	/* use a token we got this recently */
#define DHT_FIND_PAD		1024	/* FIND size without a token */
/* Contacts nobody proved (dhtproved.c): a FIND to one is sent once, padded
 * to room for 4 IPv4 contacts in the answer (to the key a lookup is for:
 * up to DHT_ATTEMPTS_TARGET times, retransmissions padded to room for one
 * and a rendezvous report); at most DHT_UNPROVED_BUDGET unanswered bytes
 * go to one host per window; a node whose contacts keep failing is
 * ignored. */
#define DHT_FIND_PAD_UNPROVED	256
#define DHT_FIND_PAD_RETRY	176
#define DHT_UNPROVED_BUDGET	900	/* wire bytes, under 1 KiB */
#define DHT_UNPROVED_RETRY	50	/* a deferred lookup step (ms) */
#define DHT_UNPROVED_WINDOW	3600000
#define DHT_OWED_MAX		128	/* hosts remembered */
#define DHT_PROVED_TIME		3600000	/* an answer proves an address */
#define DHT_LIARS_MAX		64
#define DHT_LIAR_STRIKES	4	/* net failed contacts named */
#define DHT_LIAR_TIME		3600000
/* The largest PONG body (an IPv6 observed address), to which a PING
 * without a token is padded; and so the largest PING we send. */
#define DHT_PING_BODY_PAD	(8 + 1 + 19 + DHTMSG_TOKEN_LEN)
#define DHT_VERIFY_MAX		(DHTMSG_MIN_PACKET + DHT_PING_BODY_PAD)
#define DHT_RTO_MIN		150
#define DHT_RTO_MAX		2000
#define DHT_RTO_INIT		1000
#define DHT_ATTEMPTS		2	/* transmissions per request */
#define DHT_ATTEMPTS_TARGET	4	/* ... to the key a lookup is for */
#define DHT_STALE		900000	/* a node unheard this long is questioned */
#define DHT_BOOT_RETRY		15000	/* bootstrap retry while the table is thin */
#define DHT_SEARCH_TIMEOUT	20000	/* a lookup gives up */
#define DHT_RV_LIFETIME		75	/* seconds a registration lasts */
#define DHT_RELAY_RATE		10	/* relays per second per client */
#define DHT_RELAY_BURST		(2 * DHT_RELAY_RATE)
#define DHT_BAD_MAX		128	/* recently failed contacts remembered */
#define DHT_BAD_TIME		600000
#define DHT_INTERNAL_SEARCHES	2	/* slots kept for our own lookups */
#define DHT_SELF_FIRST		30000	/* first self-lookup gap, doubling */
#define DHT_RECENT		16	/* finished request ids remembered */

/* What a pending request is for. */
enum dht_purpose {
	DHT_P_SEARCH,		/* a lookup step */
	DHT_P_VERIFY,		/* ping a node before it may enter the table */
	DHT_P_CHECK,		/* ping a table node that went quiet */
	DHT_P_REFRESH,		/* one FIND to refresh a bucket */
	DHT_P_REGISTER,		/* registration/keepalive with a rendezvous */
	DHT_P_RELAY,		/* dht_relay() */
};

/* A peer's pair key, cached (common/keycache.c: DHT_KC_WAYS per set). */
#define DHT_KC_WAYS		4
struct dht_peer {
	uint8_t		key[DHT_KEY_LEN];
	uint8_t		id[DHT_ID_LEN];			/* its node ID */
	uint8_t		pair[DHTCRYPTO_PAIR_LEN];
	uint8_t		token[DHTMSG_TOKEN_LEN];	/* issued to us */
	uint64_t	token_at;			/* 0: none */
	struct dht_addr	seen;		/* it answered a request of ours here */
	uint64_t	seen_at;	/* 0: never */
};

struct dht_pending {
	uint64_t	txid;
	uint8_t		key[DHT_KEY_LEN];
	struct dht_addr	addr;
	uint8_t		type;		/* request type */
	uint8_t		purpose;
	uint8_t		attempts, max_attempts;
	int		search;
	uint8_t		target[DHT_KEY_LEN];	/* FIND id / RELAY target */
	uint64_t	sent, deadline;
	uint64_t	slow_at;	/* single-attempt lookup step: when it
					 * stops holding up the lookup */
	/* RELAY: a copy of the payload (dht_alloc), to ask once more with
	 * the token a TOKEN answer carried (token_retry set then) */
	uint8_t		*payload;
	uint16_t	 plen;
	uint8_t		 token_retry;
	uint16_t	 charged;	/* bytes sent unproved (dhtproved.c) */
};

/* Recently seen request nonces (set-associative, DHT_RP_WAYS per set). */
#define DHT_RP_WAYS		8
struct dht_replay {
	uint64_t	fp;
	uint64_t	ts;		/* 0: empty */
};

struct dht_boot {
	uint8_t		key[DHT_KEY_LEN];
	struct dht_addr	addr;
};

/* A node serving us (we are NAT-ed). */
struct dht_rvnode {
	uint8_t		key[DHT_KEY_LEN];
	uint8_t		id[DHT_ID_LEN];
	struct dht_addr	addr;
	uint8_t		used, active, inflight, token_retry;
	uint64_t	next_ka;
};

/* A rendezvous we moved away from, whose relays we still accept. */
#define DHT_RV_OLD		4
struct dht_rvold {
	uint8_t		key[DHT_KEY_LEN];
	uint64_t	until;
};

/* A NAT-ed node we serve. */
struct dht_client {
	uint8_t		key[DHT_KEY_LEN];
	uint8_t		id[DHT_ID_LEN];
	struct dht_addr	addr;		/* as we see it */
	uint64_t	expires;	/* 0: free slot */
	uint64_t	last_ts;	/* its newest REGISTER timestamp */
	struct ratelimit_bucket relay;	/* DHT_RELAY_RATE */
};

struct dht_bad {
	uint8_t		key[8];
	uint64_t	until;
};

/* Unanswered bytes sent to one host's unproved addresses (dhtproved.c). */
struct dht_owed {
	uint8_t		family;		/* 0: free */
	uint8_t		net[8];		/* IPv4 address or IPv6 /64 */
	uint16_t	inflight;	/* sent, not yet answered */
	uint16_t	failed;		/* sent, never answered */
	uint64_t	since;		/* start of the window */
};

/* A node whose named contacts failed (dhtproved.c). */
struct dht_liar {
	uint8_t		key[8];
	int		score;		/* failed minus answered, >= 0 */
	uint64_t	last, until;	/* distrusted until */
};

struct dhtsearch;

struct dht {
	struct dht_callbacks	 cb;
	uint8_t			 sk[DHT_KEY_LEN], pk[DHT_KEY_LEN];
	uint8_t			 id[DHT_ID_LEN];
	char			 ns[DHT_MAX_NS + 1];
	size_t			 nslen;
	unsigned		 workbit;
	int			 reachable;
	int			 budget_wait;	/* last request waits (budget) */

	unsigned		 max_pending, max_searches, max_clients;
	uint32_t		 refresh_ms, keepalive_ms, ts_window_ms;

	struct dhttable		 table;

	/* the pair-key cache: which keys (common/keycache.c), and what
	 * we keep for each, by slot; the slot of the peer whose packet
	 * dht_input handles is pinned */
	struct keycache		 kc;
	struct dht_peer		*peers;
	uint64_t		 kc_salt;

	struct dht_pending	*pending;
	unsigned		 npending;

	struct dht_replay	*replay;
	unsigned		 nreplaysets;
	uint64_t		*replay_horizon;	/* per set */
	uint64_t		 recent[DHT_RECENT];
	unsigned		 nrecent;

	/* token buckets (common/ratelimit.h): replies, new pair keys */
	struct ratelimit_bucket	 reply_rl, dh_rl;
	uint32_t		 reply_rate, reply_burst, dh_rate, dh_burst;

	uint8_t			 secret[2][DHTCRYPTO_SECRET_LEN];
	uint64_t		 secret_at;

	struct dht_boot		 boots[DHT_MAX_BOOTS];
	unsigned		 nboots;
	uint64_t		 next_boot;
	uint64_t		 next_self;
	uint32_t		 self_gap;

	struct dhtsearch	*searches;
	unsigned		 nsearches;
	int			 next_search_id;

	struct dht_rvnode	 rv[DHT_RV_MAX];
	struct dht_rvold	 rv_old[DHT_RV_OLD];
	struct dht_client	*clients;		/* grows to max_clients */
	unsigned		 nclients, nclients_cap;

	struct dht_bad		 bad[DHT_BAD_MAX];
	unsigned		 nbad;

	struct dht_owed		 owed[DHT_OWED_MAX];
	struct dht_liar		 liars[DHT_LIARS_MAX];

	struct dht_reflexive	 refl[DHT_REFLEXIVE_MAX];
	unsigned		 nrefl;

	uint32_t		 srtt, rttvar;		/* ms; 0: no sample */
	uint64_t		 wake;
	size_t			 mem;			/* besides the table */
	struct dht_stats	 st;
};

/* dhtapi.c */
void	dht_wake_at(struct dht *d, uint64_t t);
uint64_t dht_rand64(struct dht *d);
void	*dht_alloc(struct dht *d, size_t n);
void	dht_free(struct dht *d, void *p, size_t n);

/* dht.c */
void	dht_drop_count(struct dht *d, enum dht_drop why);
/* Encode, seal and send a message to key at addr; 0 or -1. */
int	dht_send_msg(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *addr, const struct dhtmsg *m, uint64_t now);
/* Seal an encoded body for peer p and send it to `to`; 0 or -1. */
int	dht_seal_send(struct dht *d, struct dht_peer *p,
	    const struct dht_addr *to, uint8_t type, const uint8_t *body,
	    size_t blen);

/* dhtkeys.c */
struct dht_peer *dhtkeys_lookup(struct dht *d,
	    const uint8_t key[DHT_KEY_LEN]);
/* Derive the pair key for key (one X25519; incoming: a key heard from the
 * network, rate-limited): 0, or -1 with *why set. */
int	dhtkeys_derive(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint8_t pair[DHTCRYPTO_PAIR_LEN], uint64_t now, int incoming,
	    enum dht_drop *why);
struct dht_peer *dhtkeys_insert(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const uint8_t pair[DHTCRYPTO_PAIR_LEN], uint64_t now);
/* The cached (or newly derived) pair key of a key we are sending to. */
struct dht_peer *dhtkeys_get(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint64_t now, enum dht_drop *why);
/* p was used now; p is in use until dht_input returns (NULL: no more). */
void	dhtkeys_touch(struct dht *d, struct dht_peer *p, uint64_t now);
void	dhtkeys_pin(struct dht *d, struct dht_peer *p);
/* Check a contact learned from someone else: its key meets the workbit and
 * is not ours; fills id. 0 or -1. */
int	dht_contact_ok(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint8_t id[DHT_ID_LEN]);

/* dhtreplay.c: 0 the first time a request nonce is seen in the window, -1
 * for a replay (or one that might be: see the comment there). */
int	dhtreplay_check(struct dht *d, const uint8_t *nonce,
	    const uint8_t *key, uint64_t ts, uint64_t wall);

/* dhttoken.c */
void	dhttoken_rotate(struct dht *d, uint64_t now);
void	dhttoken_make(struct dht *d, uint8_t token[DHTMSG_TOKEN_LEN],
	    const struct dht_addr *a, const uint8_t key[DHT_KEY_LEN]);
int	dhttoken_valid(struct dht *d, const struct dht_addr *a,
	    const uint8_t key[DHT_KEY_LEN],
	    const uint8_t token[DHTMSG_TOKEN_LEN]);

/* dhtpending.c */
uint32_t dht_rto(const struct dht *d);
void	dht_rtt_sample(struct dht *d, uint64_t sample);
/* Send a request; returns the pending entry's txid, or 0 on failure. */
uint64_t dht_request(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *addr, uint8_t type, enum dht_purpose purpose,
	    int search, const uint8_t *target, const uint8_t *payload,
	    size_t plen, uint64_t now);
int	dht_pending_to(const struct dht *d, const uint8_t key[DHT_KEY_LEN]);
struct dht_pending *dht_pending_find(struct dht *d, uint64_t txid);
/* Take entry i out of the table (its id is remembered as recently done);
 * the caller then dht_pending_release()s its copy. */
void	dht_pending_remove(struct dht *d, unsigned i);
void	dht_pending_release(struct dht *d, struct dht_pending *pd);
int	dht_pending_recent(const struct dht *d, uint64_t txid);
void	dht_pending_periodic(struct dht *d, uint64_t now);

/* dhtupkeep.c */
/* Contacts that recently failed or refused us are not retried soon. */
int	dht_is_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now);
void	dht_mark_bad(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint64_t now);
/* Ping a node before it may enter the table (opportunistic). Never on
 * behalf of a request from an address that has not proved it receives:
 * see handle_request. */
void	dht_verify_node(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *addr, uint64_t now);
/* A node answered / did not answer a request of ours (table upkeep). */
void	dht_node_answered(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr,
	    uint64_t now);
void	dht_node_failed(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const uint8_t id[DHT_ID_LEN], uint64_t now);
/* A third party told us about a node: ping it if the table wants it. */
void	dht_node_learned(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr,
	    uint64_t now);
/* A peer told us where it saw us. */
void	dht_reflexive_note(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *from, const struct dht_addr *observed,
	    uint64_t now);

/* dhtproved.c: may we send freely to key at a (it answered us there, it
 * is in the table, or a boot contact)? */
int	dht_addr_proved(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *a, uint64_t now);
void	dht_addr_answered(struct dht *d, struct dht_peer *p,
	    const struct dht_addr *a, uint64_t now);
/* Count a datagram of len bytes towards an unproved address: 0 (send it),
 * 1 (not now: our requests in flight there fill the budget) or -1 (its
 * unanswered bytes fill the budget: nothing more this window); *cost is
 * what it counts (wire bytes). */
int	dhtbudget_charge(struct dht *d, const struct dht_addr *a, size_t len,
	    uint64_t now, size_t *cost);
/* A request that was charged `charged` wire bytes failed, or was answered
 * with a response of len bytes (which pays off unanswered bytes). */
void	dhtbudget_failed(struct dht *d, const struct dht_addr *a,
	    size_t charged, uint64_t now);
void	dhtbudget_answered(struct dht *d, const struct dht_addr *a,
	    size_t charged, size_t len, uint64_t now);
/* Anything in flight to a's host? (Verification pings, which are
 * opportunistic, go one at a time to a host nobody proved.) */
int	dhtbudget_busy(struct dht *d, const struct dht_addr *a, uint64_t now);
/* A contact key named did (not) answer; is key distrusted? */
void	dht_liar_strike(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint64_t now);
void	dht_liar_credit(struct dht *d, const uint8_t key[DHT_KEY_LEN]);
int	dht_is_liar(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint64_t now);

/* dhtsearch.c */
#define DHTSEARCH_KEY		1	/* the host looks up a key */
#define DHTSEARCH_SELF		2	/* our own ID: table upkeep, rendezvous */
int	dhtsearch_start(struct dht *d, int kind, const uint8_t target[DHT_ID_LEN],
	    const uint8_t *key, dht_search_cb *cb, void *arg, uint64_t now);
struct dhtsearch *dhtsearch_find(struct dht *d, int id);
int	dhtsearch_active(const struct dht *d, int kind);
void	dhtsearch_response(struct dht *d, int id, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *from, const struct dhtmsg *m, uint64_t now);
void	dhtsearch_timeout(struct dht *d, int id, const uint8_t key[DHT_KEY_LEN],
	    int final, uint64_t now);
/* A request not resent is overdue: the lookup stops waiting for it. */
void	dhtsearch_slow(struct dht *d, int id, const uint8_t key[DHT_KEY_LEN],
	    uint64_t now);
void	dhtsearch_periodic(struct dht *d, uint64_t now);
uint64_t dhtsearch_wake(const struct dht *d, uint64_t w, uint64_t now);
int	dhtsearch_cancel(struct dht *d, int id);
void	dhtsearch_free_all(struct dht *d);

/* dhtrv.c */
void	dhtrv_periodic(struct dht *d, uint64_t now);
void	dhtrv_self_done(struct dht *d, const struct dhtmsg_contact *closest,
	    size_t n, uint64_t now);
void	dhtrv_registered(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dhtmsg *m, uint64_t now);
void	dhtrv_register_failed(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint64_t now);
void	dhtrv_forget(struct dht *d, const uint8_t key[DHT_KEY_LEN]);
/* A node entered the table: closer to us than a rendezvous? */
void	dhtrv_consider(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const uint8_t id[DHT_ID_LEN], const struct dht_addr *addr,
	    uint64_t now);
struct dht_rvnode *dhtrv_find(struct dht *d, const uint8_t key[DHT_KEY_LEN]);
/* May key pass us relayed payloads (a rendezvous, or a recent one)? */
int	dhtrv_accepts_relay(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    uint64_t now);
/* Handle a REGISTER / RELAY: fill the answer r; 1 to send it, 0 to drop
 * the request (counted). */
int	dhtrv_handle_register(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *from, const struct dhtmsg *m, int token_ok,
	    uint64_t now, struct dhtmsg *r);
int	dhtrv_handle_relay(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *from, const struct dhtmsg *m, int token_ok,
	    uint64_t now, struct dhtmsg *r);
void	dhtrv_handle_relayed(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *from, const struct dhtmsg *m, uint64_t now);
const struct dht_client *dhtrv_client_by_id(struct dht *d,
	    const uint8_t id[DHT_ID_LEN], uint64_t now);

#endif
