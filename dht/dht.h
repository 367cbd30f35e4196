/* The mesh DHT: an authenticated Kademlia in which members find each other by
 * public key. A pure library: no sockets, no global state, no clock of its
 * own. The host (the daemon's glue, the simulator, tests) feeds it received
 * datagrams and ticks, and gives it callbacks to send datagrams and to draw
 * random bytes. Any number of instances can live in one process.
 *
 * Time: every call that may act takes `now`, a monotonic clock in
 * milliseconds (any origin). Request timestamps on the wire need a clock
 * shared between hosts, so the host also supplies wallclock() (milliseconds
 * since the Unix epoch); it is only used to stamp and check requests.
 *
 * A host loop looks like:
 *
 *	d = dht_create(&cfg, &cb, now, &why);
 *	dht_add_boot(d, key, &addr, now);
 *	for (;;) {
 *		wait for a datagram or until `next`;
 *		if (datagram && dht_is_dht_packet(buf, len))
 *			next = dht_input(d, buf, len, &from, now);
 *		if (now >= next)
 *			next = dht_periodic(d, now);
 *		next = MIN(next, dht_next_wakeup(d));	// after dht_search etc.
 *	}
 *
 * Callbacks run from inside dht_input, dht_periodic, dht_search and
 * dht_relay. They may call dht_search, dht_search_cancel, dht_relay and the
 * accessors, but not dht_destroy.
 *
 * Wire format (version 1): every packet is
 *	type (1, 0x10-0x1f) | sender public key (32) | nonce (24) | sealed body
 * The body is sealed with XChaCha20-Poly1305 under a key derived from the
 * pair's static X25519 shared secret and the namespace (computed once per
 * peer and cached); the type and sender key are the associated data. See
 * dhtmsg.h for the body layouts. */
#ifndef DHT_DHT_H
#define DHT_DHT_H

#include <stddef.h>
#include <stdint.h>

struct sockaddr;

#define DHT_KEY_LEN		32	/* X25519 public/private key */
#define DHT_ID_LEN		32	/* node ID, see dht_node_id() */
#define DHT_K			20	/* bucket size, contacts per answer */
#define DHT_ALPHA		3	/* lookup requests in flight */
#define DHT_TYPE_MIN		0x10	/* first byte of every DHT datagram */
#define DHT_TYPE_MAX		0x1f
#define DHT_MAX_PACKET		1232	/* never sent or accepted larger */
#define DHT_MAX_RELAY_PAYLOAD	1024	/* dht_relay() payload limit */
#define DHT_MAX_NS		64	/* namespace length */
#define DHT_RV_MAX		3	/* rendezvous nodes a NAT-ed node keeps */

/* A UDP endpoint, kept small, pure and comparable (memcmp-able once
 * normalised: unused address bytes are zero). */
#define DHT_AF_INET		4
#define DHT_AF_INET6		6
struct dht_addr {
	uint8_t		family;		/* DHT_AF_INET or DHT_AF_INET6 */
	uint8_t		addr[16];	/* IPv4 uses the first 4 bytes */
	uint16_t	port;		/* host byte order */
};

/* Fill a dht_addr from an AF_INET/AF_INET6 sockaddr (an IPv4-mapped IPv6
 * address becomes IPv4); 0, or -1 for another family. */
int	dht_addr_from_sockaddr(struct dht_addr *a, const struct sockaddr *sa);
/* Fill a sockaddr_in/sockaddr_in6 (ss must hold a sockaddr_storage);
 * returns its length. */
size_t	dht_addr_to_sockaddr(const struct dht_addr *a, struct sockaddr *ss);
/* IPv4 a.b.c.d:port to a dht_addr (tests and tools); 0 or -1. */
int	dht_addr_set_v4(struct dht_addr *a, uint32_t ip_hostorder,
	    uint16_t port);
/* 1 when both name the same endpoint. */
int	dht_addr_eq(const struct dht_addr *a, const struct dht_addr *b);
/* "192.0.2.1:6374" or "[2001:db8::1]:6374"; returns out. */
#define DHT_ADDR_STRLEN		56
const char *dht_addr_format(char out[DHT_ADDR_STRLEN],
	    const struct dht_addr *a);

/* 1 if a datagram belongs to the DHT (first byte 0x10-0x1f). The daemon's
 * UDP socket also carries tunnel (0x01-0x04) and NAT traversal (0x20-0x2f)
 * packets and demultiplexes on this. */
int	dht_is_dht_packet(const uint8_t *buf, size_t len);

/* Callbacks supplied by the host; `arg` is passed back to each. */
struct dht_callbacks {
	void	 *arg;
	/* Required: send one datagram. */
	void	(*send)(void *arg, const struct dht_addr *to,
		    const uint8_t *buf, size_t len);
	/* Required: fill buf with len random bytes (nonces, request ids,
	 * token secrets, refresh targets). Use a CSPRNG outside tests. */
	void	(*random)(void *arg, void *buf, size_t len);
	/* Required: milliseconds since the Unix epoch (request timestamps). */
	uint64_t (*wallclock)(void *arg);

	/* Optional: a relayed payload arrived through one of our rendezvous
	 * nodes. from_key sent it (authenticated by the rendezvous, not
	 * end-to-end); from_observed is its address as the rendezvous saw it,
	 * so the host can punch a hole towards it. */
	void	(*on_relayed)(void *arg, const uint8_t from_key[DHT_KEY_LEN],
		    const struct dht_addr *from_observed,
		    const uint8_t *payload, size_t len);
	/* Optional: the answer to dht_relay(): delivered is 1 when the
	 * rendezvous forwarded the payload, 0 when it does not serve target,
	 * -1 when it did not answer. */
	void	(*on_relay_result)(void *arg, const uint8_t rv_key[DHT_KEY_LEN],
		    const uint8_t target[DHT_KEY_LEN], int delivered);
	/* Optional: a peer reported a new reflexive address for us (the
	 * source address it saw our request come from). Called when a peer's
	 * report is new or changed; see also dht_reflexive(). */
	void	(*on_reflexive)(void *arg, const uint8_t peer_key[DHT_KEY_LEN],
		    const struct dht_addr *peer_addr,
		    const struct dht_addr *observed);
	/* Optional: compute the raw X25519 shared secret of our private key
	 * and a peer's public key; 0, or -1 if the result is all-zero. NULL
	 * uses libsodium's crypto_scalarmult. Only the simulator replaces it
	 * (to share work between instances, or for a labelled fast mode). */
	int	(*dh)(void *arg, uint8_t out[32], const uint8_t sk[DHT_KEY_LEN],
		    const uint8_t pk[DHT_KEY_LEN]);
};

/* Configuration; zero fields take the default shown. */
struct dht_config {
	const uint8_t	*secret_key;	/* required: our X25519 private key */
	const char	*ns;		/* namespace; NULL means "public" */
	unsigned	 workbit;	/* ignore keys with fewer workbits */
	int		 reachable;	/* reachable from outside (public/mapped) */

	unsigned	 max_pending;	/* outstanding requests: 128 */
	unsigned	 max_searches;	/* concurrent host lookups: 32 */
	unsigned	 max_clients;	/* NAT-ed nodes we serve: 64 */
	unsigned	 key_cache;	/* cached pair keys (128 B each): 256 */
	unsigned	 replay_cache;	/* remembered request nonces: 1024 */
	unsigned	 reply_rate;	/* replies per second (global): 400 */
	unsigned	 reply_burst;	/* reply bucket depth: 2 * reply_rate */
	unsigned	 dh_rate;	/* new peer keys per second: 500 */
	uint32_t	 refresh_ms;	/* bucket refresh interval: 600000 */
	uint32_t	 keepalive_ms;	/* rendezvous keepalive: 25000 */
	uint32_t	 ts_window_ms;	/* request timestamp window: +-30000 */
};

/* Create an instance. Returns NULL with *why set if the configuration is
 * invalid (no key, namespace too long, missing callback, out of memory). */
struct dht *dht_create(const struct dht_config *cfg,
	    const struct dht_callbacks *cb, uint64_t now, const char **why);
/* Free everything (wipes the private key and pair keys). Pending searches
 * end silently. */
void	dht_destroy(struct dht *d);

/* Our public key, and the node ID of any key in this namespace:
 * BLAKE2b-256("mesh-dht-id" || len(ns) || ns || key). */
const uint8_t *dht_public_key(const struct dht *d);
void	dht_node_id(const struct dht *d, uint8_t id[DHT_ID_LEN],
	    const uint8_t key[DHT_KEY_LEN]);

/* Add a bootstrap contact (a `boot` line of the netconfig). Boot contacts
 * seed the first lookups and are retried while the routing table is
 * nearly empty. 0, or -1 if the list is full (16) or key is ours. */
int	dht_add_boot(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    const struct dht_addr *addr, uint64_t now);

/* Feed one received datagram (first byte 0x10-0x1f). Anything that fails a
 * check is counted in dht_stats.drops and never answered. Returns the next
 * wake-up time (absolute, same clock as now). */
uint64_t dht_input(struct dht *d, const uint8_t *buf, size_t len,
	    const struct dht_addr *from, uint64_t now);

/* Do timed work (timeouts, retries, refresh, keepalives, bootstrap) and
 * return the absolute time at which it wants to be called next. Calling it
 * early is harmless. */
uint64_t dht_periodic(struct dht *d, uint64_t now);
/* The wake-up time the host should arm its timer for, after any call. */
uint64_t dht_next_wakeup(const struct dht *d);

/* Tell the DHT whether we are reachable from outside (public address or a
 * port mapping). A NAT-ed node registers with rendezvous nodes; a reachable
 * one serves others and may appear in routing tables. */
void	dht_set_reachable(struct dht *d, int reachable, uint64_t now);

/* Lookups. The callback receives events until (and including) DONE:
 *	ENDPOINT	an address of the key's owner: `addr`, with `reachable`
 *			1 when the owner answered us there itself, 0 when a
 *			rendezvous reported it (the owner is behind NAT; addr
 *			is its endpoint as the rendezvous sees it: punch it).
 *	RENDEZVOUS	a node serving the NAT-ed owner: `rv_key` at `addr`,
 *			usable with dht_relay(); `addr_observed` is the
 *			owner's endpoint as that rendezvous sees it.
 *	DONE		the lookup ended; `found` tells whether any ENDPOINT
 *			was reported; rounds/messages/elapsed_ms describe it.
 * Events of one kind are not repeated for the same address/key. */
enum dht_event_kind {
	DHT_EV_ENDPOINT = 1,
	DHT_EV_RENDEZVOUS = 2,
	DHT_EV_DONE = 3,
};
struct dht_search_event {
	enum dht_event_kind	 kind;
	int			 search;	/* the id dht_search returned */
	const uint8_t		*key;		/* the key looked up */
	struct dht_addr		 addr;
	int			 reachable;
	const uint8_t		*rv_key;	/* RENDEZVOUS */
	struct dht_addr		 addr_observed;	/* RENDEZVOUS */
	int			 found;		/* DONE */
	unsigned		 rounds;	/* DONE: hop depth of the answer */
	unsigned		 messages;	/* DONE: requests sent */
	uint64_t		 elapsed_ms;	/* DONE */
};
typedef void dht_search_cb(void *arg, const struct dht_search_event *ev);

/* Start a lookup for key; returns a search id (> 0), or -1 when the search
 * table is full or key is our own. */
int	dht_search(struct dht *d, const uint8_t key[DHT_KEY_LEN],
	    dht_search_cb *cb, void *arg, uint64_t now);
/* Stop a lookup; its callback is not called again. 0, or -1 if unknown. */
int	dht_search_cancel(struct dht *d, int search);

/* Ask rendezvous node rv_key at rv_addr to forward payload (at most
 * DHT_MAX_RELAY_PAYLOAD bytes) to target, a NAT-ed node it serves; the
 * target's host gets on_relayed() with our key and the address the
 * rendezvous saw us at. The outcome arrives through on_relay_result().
 * 0 when sent, -1 on bad arguments or when the pending table is full. */
int	dht_relay(struct dht *d, const uint8_t rv_key[DHT_KEY_LEN],
	    const struct dht_addr *rv_addr, const uint8_t target[DHT_KEY_LEN],
	    const uint8_t *payload, size_t len, uint64_t now);

/* Addresses nobody proved. The DHT keeps, per host (an IPv4 address, an
 * IPv6 /64), the bytes it sent to addresses only another node named that
 * were never answered, and sends no more than 900 of them (IP and UDP
 * headers counted) per host per hour; answers pay the count back. The host
 * shares that budget for endpoints it learned only from the DHT (an
 * ENDPOINT event with reachable 0, a RENDEZVOUS event's addr_observed),
 * which may be a victim's address named by a fake node:
 * dht_unproved_spend() before sending len bytes of UDP payload there (0:
 * send; -1: not now, the host has had its share or DHT requests there are
 * in flight), and dht_unproved_proved()
 * when an authenticated packet of len bytes came from a (it pays back as
 * much). */
int	dht_unproved_spend(struct dht *d, const struct dht_addr *a, size_t len,
	    uint64_t now);
void	dht_unproved_proved(struct dht *d, const struct dht_addr *a,
	    size_t len, uint64_t now);

/* Reasons a datagram is dropped. */
enum dht_drop {
	DHT_DROP_SHORT,		/* shorter than a header and tag */
	DHT_DROP_LONG,		/* larger than DHT_MAX_PACKET */
	DHT_DROP_TYPE,		/* unknown message type */
	DHT_DROP_SELF,		/* claims to come from our own key */
	DHT_DROP_WORKBIT,	/* sender key below the workbit */
	DHT_DROP_DHLIMIT,	/* too many new keys per second */
	DHT_DROP_AUTH,		/* does not decrypt/authenticate */
	DHT_DROP_DECODE,	/* authenticated but malformed body */
	DHT_DROP_STALE,		/* request timestamp outside the window */
	DHT_DROP_REPLAY,	/* request seen before */
	DHT_DROP_UNSOLICITED,	/* response matching no request of ours */
	DHT_DROP_LATE,		/* answer to a request already finished */
	DHT_DROP_RATELIMIT,	/* reply rate limit reached */
	DHT_DROP_REFUSED,	/* well-formed but not acceptable here */
	DHT_DROP_MAX
};

/* The names of these reasons (drop_<name> in show), beside them; the table
 * made of this is checked against DHT_DROP_MAX by a static assert. */
#define DHT_DROP_NAMES { \
	[DHT_DROP_SHORT] = "short", \
	[DHT_DROP_LONG] = "long", \
	[DHT_DROP_TYPE] = "type", \
	[DHT_DROP_SELF] = "self", \
	[DHT_DROP_WORKBIT] = "workbit", \
	[DHT_DROP_DHLIMIT] = "dhlimit", \
	[DHT_DROP_AUTH] = "auth", \
	[DHT_DROP_DECODE] = "decode", \
	[DHT_DROP_STALE] = "stale", \
	[DHT_DROP_REPLAY] = "replay", \
	[DHT_DROP_UNSOLICITED] = "unsolicited", \
	[DHT_DROP_LATE] = "late", \
	[DHT_DROP_RATELIMIT] = "ratelimit", \
	[DHT_DROP_REFUSED] = "refused", \
}
const char *dht_drop_name(enum dht_drop r);

struct dht_stats {
	uint64_t	pkts_in, pkts_out, bytes_in, bytes_out;
	uint64_t	requests_in, replies_out;	/* we answered */
	uint64_t	requests_out, responses_in;	/* we asked */
	uint64_t	timeouts;			/* our requests unanswered */
	uint64_t	drops[DHT_DROP_MAX];
	uint64_t	dh_computed;			/* pair keys derived */
	uint64_t	searches_started, searches_found, searches_failed;
	uint64_t	relays_forwarded, relays_delivered;
	/* requests to addresses only another node named (not proved) */
	uint64_t	unproved_bytes, unproved_refused;
	unsigned	table_nodes, table_replacements, table_buckets;
	unsigned	searches_active, pending;
	unsigned	clients;		/* NAT-ed nodes we serve */
	unsigned	rendezvous;		/* nodes serving us (NAT-ed) */
	int		reachable;
	size_t		mem_total;		/* bytes allocated */
	size_t		mem_routing;		/* routing table + clients */
};
void	dht_get_stats(const struct dht *d, struct dht_stats *st);

/* The routing table, for `mesh show`: fn is called for every node (in
 * bucket order, then replacement candidates); a non-zero return stops. */
struct dht_node_info {
	uint8_t		key[DHT_KEY_LEN];
	struct dht_addr	addr;
	unsigned	bucket;		/* common prefix bits with our ID */
	int		replacement;	/* in the replacement cache */
	uint64_t	last_seen;	/* `now` of the last message, 0 never */
	unsigned	fails;		/* consecutive unanswered requests */
};
int	dht_foreach_node(const struct dht *d,
	    int (*fn)(void *arg, const struct dht_node_info *n), void *arg);

/* Our rendezvous nodes (when NAT-ed), and the NAT-ed nodes we serve. */
struct dht_rv_info {
	uint8_t		key[DHT_KEY_LEN];
	struct dht_addr	addr;		/* theirs (rv) / observed (client) */
	int		active;		/* registration acknowledged */
	uint64_t	expires;	/* client: registration expiry */
};
size_t	dht_rendezvous(const struct dht *d, struct dht_rv_info *out,
	    size_t max);
size_t	dht_clients(const struct dht *d, struct dht_rv_info *out, size_t max);

/* Reflexive address reports: which peer (key, address) last saw us at
 * which address, most recent first. The host compares several to classify
 * its NAT (different ports towards different peers: endpoint-dependent). */
struct dht_reflexive {
	uint8_t		peer_key[DHT_KEY_LEN];
	struct dht_addr	peer_addr;
	struct dht_addr	observed;
	uint64_t	when;		/* `now` of the report */
};
#define DHT_REFLEXIVE_MAX	8
size_t	dht_reflexive(const struct dht *d, struct dht_reflexive *out,
	    size_t max);

#endif
