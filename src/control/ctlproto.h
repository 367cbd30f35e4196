/* The control protocol spoken over /run/mesh/<ifname>.sock between the
 * daemon and the CLI (mesh show/reload/down). Pure: no I/O, no globals, no
 * libevent; control.c moves the bytes, this file encodes and decodes them.
 *
 * Wire format (as WireGuard's UAPI): text lines "key=value\n"; a message
 * ends with an empty line. Keys are [a-z0-9_-]{1,31}; values are printable
 * ASCII (0x20-0x7e), at most CTL_MAX_LINE bytes per line. The first line of
 * every message is the version, "mesh-ctl=1".
 *
 * Request (CLI -> daemon), at most CTL_MAX_REQUEST bytes:
 *
 *	mesh-ctl=1
 *	cmd=show		show | reload | down | lookup
 *	arg=all			optional: for show, peers | dht | all;
 *				for lookup, the key (43 characters)
 *	<empty line>
 *
 * Reply (daemon -> CLI), at most CTL_MAX_REPLY bytes: records, each started
 * by its own first key, then the envelope's last two lines:
 *
 *	mesh-ctl=1
 *	interface=mesh-office	starts the interface record (struct ctl_iface)
 *	network=office
 *	...
 *	peer=<key>		starts one peer record (struct ctl_peer)
 *	name=bob
 *	drop_replay=3		counters: drop_<reason>=N, any reason token
 *	...
 *	dht=<node id>		starts the DHT summary (struct ctl_dht)
 *	bucket=<depth>		one routing-table bucket (after dht=)
 *	search=<target key>	one pending search (after dht=)
 *	reload=done		what a reload changed (struct ctl_reload)
 *	lookup=<key>		what a DHT lookup found (struct ctl_lookup)
 *	lookup_endpoint=<ep>	one endpoint of the key's owner (after
 *				lookup=)
 *	rendezvous=<key>	one rendezvous serving it (after lookup=)
 *	error=<text>		optional, human-readable, only when errno != 0
 *	errno=0			0, or a positive errno value (EPERM, EINVAL...)
 *	<empty line>
 *
 * Compatibility: within version 1, new keys may be added to a record; a
 * decoder ignores keys it does not know (after checking their syntax) so an
 * older CLI can talk to a newer daemon. A new record kind, or a change of
 * meaning or syntax, bumps CTL_VERSION. (A new record kind that only
 * answers a new command is no change for an older CLI: it never sends that
 * command; the lookup records came that way.)
 *
 * Conventions of the model: an empty string is "absent"; times are Unix
 * seconds by the daemon's clock (0 = never/none) and the interface record
 * carries the daemon's "now" so that ages are computed against it (which also
 * makes show's output reproducible in tests); counters are uint64_t. */
#ifndef MESH_CTLPROTO_H
#define MESH_CTLPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "netconf/keys.h"

#define CTL_VERSION		1
#define CTL_MAX_REQUEST		1024
#define CTL_MAX_REPLY		(16 * 1024 * 1024)
#define CTL_MAX_LINE		2048	/* one "key=value\n", newline included */
#define CTL_KEYNAME_MAX		31	/* length of a key */
#define CTL_MAX_PEERS		4096	/* NETCONF_MAX_MEMBERS */
#define CTL_MAX_COUNTERS	48	/* drop_* counters per record: every
					 * reason of the interface record's
					 * three layers (asserted where
					 * daemon-show.c fills it) */
#define CTL_MAX_BUCKETS		257	/* one per prefix length of a 256-bit id */
#define CTL_MAX_SEARCHES	64
#define CTL_MAX_LOOKUP_EPS	16	/* endpoints in a lookup record */
#define CTL_MAX_LOOKUP_RVS	16	/* rendezvous in a lookup record */

/* Sizes of the string fields, NUL included. */
#define CTL_TOKEN_SIZE		32	/* one word, printable, no blanks */
#define CTL_TEXT_SIZE		256	/* free text: reasons, error messages */
#define CTL_IFNAME_SIZE		16	/* IFNAMSIZ */
#define CTL_NAME_SIZE		64	/* member hostname, network name */
#define CTL_ADDR_SIZE		48	/* address with optional /prefix */
#define CTL_ENDPOINT_SIZE	264	/* host:port or [v6]:port */
#define CTL_PATH_SIZE		1024	/* a file name */
#define CTL_KEYTEXT_SIZE	(KEY_TEXT_LEN + 1)
#define CTL_ARG_SIZE		64	/* a request's arg: a word or a key */

enum ctl_cmd {
	CTL_CMD_NONE = 0,
	CTL_CMD_SHOW = 1,
	CTL_CMD_RELOAD = 2,
	CTL_CMD_DOWN = 3,
	CTL_CMD_LOOKUP = 4,
};

struct ctl_request {
	enum ctl_cmd	cmd;
	char		arg[CTL_ARG_SIZE];	/* "" when absent */
};

/* A named counter, as in drop_<name>=<value>. */
struct ctl_counter {
	char		name[CTL_TOKEN_SIZE];	/* [a-z0-9_], no "drop_" */
	uint64_t	value;
};

/* The interface record: one per daemon. Key text fields hold the 43-char
 * text form of keys.h; the decoder accepts only that canonical form. */
struct ctl_iface {
	char		ifname[CTL_IFNAME_SIZE];	/* interface= */
	char		network[CTL_NAME_SIZE];		/* netconfig name */
	char		ns[CTL_NAME_SIZE];		/* DHT/PoW namespace */
	char		netconfig[CTL_PATH_SIZE];	/* file it was read from */
	char		key[CTL_KEYTEXT_SIZE];		/* own public key */
	uint64_t	workbit;
	char		addr4[CTL_ADDR_SIZE];		/* "10.42.0.1/24" */
	char		addr6[CTL_ADDR_SIZE];		/* "fd..::1/64" */
	uint64_t	listen_port;
	char		reflexive[CTL_ENDPOINT_SIZE];	/* as others see us */
	char		nat[CTL_TOKEN_SIZE];		/* NAT kind, e.g.
		"unknown", "none", "endpoint-independent", "address-restricted",
		"port-restricted", "symmetric" */
	char		portmap[CTL_TOKEN_SIZE];	/* "off", "searching",
		"upnp", "natpmp", "failed" */
	char		portmap_external[CTL_ENDPOINT_SIZE];
	uint64_t	portmap_expires;		/* lease end, 0 = none */
	uint64_t	pid;
	uint64_t	uid;				/* effective uid */
	uint64_t	started;			/* daemon start time */
	uint64_t	now;				/* daemon's clock */
	uint64_t	rx_bytes, tx_bytes;		/* whole UDP socket */
	uint64_t	relayed_in, relayed_out;	/* our datagrams
					 * through relays (client) */
	uint64_t	relay_forwarded, relay_forwarded_bytes; /* the relay
					 * service, for others */
	struct ctl_counter drops[CTL_MAX_COUNTERS];	/* not a member's */
	size_t		ndrops;
	/* The last reload (SIGHUP or mesh reload), so that a refused one is
	 * seen without the log. reload_time 0: none since start-up. */
	uint64_t	reload_time;
	char		reload_via[CTL_TOKEN_SIZE];	/* "signal", "command" */
	char		reload_result[CTL_TOKEN_SIZE];	/* "ok", "refused" */
	uint64_t	reload_added, reload_removed, reload_changed;
	char		reload_error[CTL_TEXT_SIZE];	/* why refused */
	/* The transport (src/transport/): "udp", "tcp" (UDP got no answer:
	 * datagrams to the boot nodes go over TCP) or "pending" (no answer
	 * yet); "" from a daemon without one. Why, since when, and the TCP
	 * connections open (ours to boot nodes, others' to us). */
	char		transport[CTL_TOKEN_SIZE];
	char		transport_why[CTL_TEXT_SIZE];
	uint64_t	transport_since;
	uint64_t	tcp_out, tcp_in;
	/* The running netconfig (signed networks: ncsync-glue.c): its
	 * version, hash (32 hex digits, "" when unsigned), where it came
	 * from ("file", "state", or the member it was fetched from), since
	 * when, and the versions refused, "VERDICT=N,..." (sign.h names). */
	uint64_t	nc_version;
	char		nc_hash[CTL_NAME_SIZE];
	char		nc_source[CTL_NAME_SIZE];
	uint64_t	nc_since;
	char		nc_refused[CTL_TEXT_SIZE];
};

/* One member of the network (never the daemon itself). */
struct ctl_peer {
	char		key[CTL_KEYTEXT_SIZE];		/* peer= */
	char		name[CTL_NAME_SIZE];		/* hostname, "" if none */
	char		addr4[CTL_ADDR_SIZE];
	char		addr6[CTL_ADDR_SIZE];
	char		path[CTL_TOKEN_SIZE];		/* "direct", "mapped",
		"punched", "relayed", "lan", "unreachable" */
	char		via[CTL_KEYTEXT_SIZE];		/* relay's key */
	char		why[CTL_TEXT_SIZE];		/* why this path */
	char		endpoint[CTL_ENDPOINT_SIZE];	/* current one */
	uint64_t	last_handshake;			/* 0 = never */
	uint64_t	rtt_us;				/* 0 = not measured */
	uint64_t	rx_bytes, tx_bytes;
	struct ctl_counter drops[CTL_MAX_COUNTERS];
	size_t		ndrops;
	uint64_t	rx_packets, tx_packets;	/* authenticated */
	uint64_t	connect_ms;	/* first use to first route (NAT
					 * traversal), 0 = none yet */
	/* Whether the member is still heard: the last authenticated packet
	 * from it (0 = never); when its path went silent beyond what the
	 * path expects (keepalives missed; 0 = not silent); whether the
	 * path was given up as lost (1) since then; and what is being done
	 * about it ("probing", "looking it up in the DHT", ...). */
	uint64_t	last_seen;
	uint64_t	silent_since;
	uint64_t	lost;
	char		trying[CTL_TEXT_SIZE];
	uint64_t	mtu;		/* path MTU (outer IP datagram),
					 * 0 = not measured */
	uint64_t	mtu_inner;	/* inner packets it carries */
	char		mtu_source[CTL_TOKEN_SIZE];	/* how it was learnt:
		"default", "probe", "icmp", "local", "blackhole" */
	/* Hard-NAT traversal (portpredict.h), the latest attempt at this
	 * member: how ("predicted", "birthday", "birthday-sockets"; ""
	 * none), probes sent, the attempt's budget (probes) and rate
	 * (probes a second), its result ("running", "direct", "gave-up")
	 * and the ms from its start to the answer (or so far). */
	char		tried[CTL_TOKEN_SIZE];
	uint64_t	tried_probes, tried_budget, tried_pps, tried_ms;
	char		tried_result[CTL_TOKEN_SIZE];
	/* The last recovery of its path: what broke it ("path lost",
	 * "member moved", "our address changed", "endpoint changed by
	 * reload"; "" = none yet), when (Unix s: the last moment it
	 * worked), how long until traffic had a route again, and that route
	 * ("direct", "punched", "relay", ...). */
	char		recovery[CTL_TEXT_SIZE];
	char		recovery_via[CTL_TOKEN_SIZE];
	uint64_t	recovery_lost;
	uint64_t	recovery_gap_ms;
};

/* One bucket of the DHT routing table. */
struct ctl_bucket {
	uint64_t	depth;				/* bucket= (prefix len) */
	uint64_t	nodes, good, replacements;
	uint64_t	last_active;
};

/* One search (lookup) in progress. */
struct ctl_search {
	char		target[CTL_KEYTEXT_SIZE];	/* search= */
	char		kind[CTL_TOKEN_SIZE];		/* "member", "refresh",
		"bootstrap", "announce" */
	char		state[CTL_TOKEN_SIZE];
	uint64_t	started;
	uint64_t	inflight, responded, found;
};

/* The DHT summary. */
struct ctl_dht {
	int		present;
	char		id[CTL_KEYTEXT_SIZE];		/* dht= own node id */
	uint64_t	nodes, good, replacements;
	uint64_t	rx_packets, tx_packets;
	struct ctl_counter drops[CTL_MAX_COUNTERS];
	size_t		ndrops;
	struct ctl_bucket buckets[CTL_MAX_BUCKETS];
	size_t		nbuckets;
	struct ctl_search searches[CTL_MAX_SEARCHES];
	size_t		nsearches;
};

/* What a reload did. */
struct ctl_reload {
	int		present;			/* reload=done */
	uint64_t	added, removed, changed, unchanged;
};

/* One endpoint a lookup found for the key's owner. */
struct ctl_lookup_ep {
	char		endpoint[CTL_ENDPOINT_SIZE];	/* lookup_endpoint= */
	uint64_t	reachable;	/* 1: the owner answered there itself;
					 * 0: a rendezvous reported it (the
					 * owner is behind NAT) */
};

/* One rendezvous node serving the (NAT-ed) owner. */
struct ctl_lookup_rv {
	char		key[CTL_KEYTEXT_SIZE];		/* rendezvous= */
	char		endpoint[CTL_ENDPOINT_SIZE];	/* the node's */
	char		observed[CTL_ENDPOINT_SIZE];	/* the owner, as the
							 * node sees it */
};

/* The outcome of one DHT lookup (mesh lookup). */
struct ctl_lookup {
	int		present;
	char		key[CTL_KEYTEXT_SIZE];		/* lookup= */
	uint64_t	found;				/* 1 if any endpoint */
	uint64_t	rounds;				/* hop depth */
	uint64_t	messages;			/* requests sent */
	uint64_t	elapsed_ms;
	struct ctl_lookup_ep eps[CTL_MAX_LOOKUP_EPS];
	size_t		neps;
	struct ctl_lookup_rv rvs[CTL_MAX_LOOKUP_RVS];
	size_t		nrvs;
};

/* A whole decoded reply. */
struct ctl_reply {
	int		 has_iface;
	struct ctl_iface iface;
	struct ctl_peer	*peers;		/* npeers of them, malloc'ed */
	size_t		 npeers;
	struct ctl_dht	 dht;
	struct ctl_reload reload;
	struct ctl_lookup lookup;
	int		 errnum;	/* errno=, 0 on success */
	char		 error[CTL_TEXT_SIZE];
};

/*
 * Messages are complete when they end with an empty line. Returns the
 * length of the first complete message in buf (up to and including the
 * empty line), or 0 if buf does not hold one yet.
 */
size_t	ctl_message_len(const char *buf, size_t len);

/*
 * Requests. ctl_request_encode writes the request into buf (size bufsz) and
 * returns its length, or 0 if it does not fit or arg is not a token.
 * ctl_request_decode parses exactly one request (len bytes, NUL not needed);
 * 0 on success, -1 with a reason in err on malformed input.
 */
size_t	ctl_request_encode(const struct ctl_request *, char *buf, size_t bufsz);
int	ctl_request_decode(const char *buf, size_t len, struct ctl_request *,
	    char *err, size_t errlen);
const char *ctl_cmd_name(enum ctl_cmd);

/*
 * Replies: the encoder. The daemon fills the model structs and puts them
 * into a writer, which builds the reply in memory (capped at max bytes):
 *
 *	struct ctl_writer w;
 *	ctl_writer_init(&w, CTL_MAX_REPLY);
 *	ctl_put_iface(&w, &iface);
 *	for (...) ctl_put_peer(&w, &peer);
 *	if (ctl_writer_finish(&w, 0, NULL) == -1) ... (too big or no memory)
 *	send w.buf, w.len; ctl_writer_free(&w);
 *
 * Strings are written as they are, except that bytes outside printable
 * ASCII become '?' (and blanks in tokens become '_'); empty strings and the
 * fields of absent records are left out. After a failure (w.failed != 0)
 * further puts do nothing; ctl_writer_finish returns -1. A writer that
 * failed can be reset with ctl_writer_reset and reused, e.g. to send an
 * error reply instead.
 */
struct ctl_writer {
	char	*buf;		/* len bytes, NUL-terminated */
	size_t	 len, cap, max;
	int	 failed;	/* an errno value: ENOMEM, EMSGSIZE */
	int	 finished;
};

void	ctl_writer_init(struct ctl_writer *, size_t max);
void	ctl_writer_reset(struct ctl_writer *);
void	ctl_writer_free(struct ctl_writer *);
void	ctl_put_iface(struct ctl_writer *, const struct ctl_iface *);
void	ctl_put_peer(struct ctl_writer *, const struct ctl_peer *);
void	ctl_put_dht(struct ctl_writer *, const struct ctl_dht *);	/* with
	    its buckets and searches; nothing if !present */
void	ctl_put_reload(struct ctl_writer *, const struct ctl_reload *);
void	ctl_put_lookup(struct ctl_writer *, const struct ctl_lookup *);	/*
	    with its endpoints and rendezvous; nothing if !present */
/* Every record of a decoded reply (not its envelope). */
void	ctl_put_reply(struct ctl_writer *, const struct ctl_reply *);
/* Ends the message: "error=" (only if errnum != 0 and error is set),
 * "errno=", the empty line. 0, or -1 with w->failed set. */
int	ctl_writer_finish(struct ctl_writer *, int errnum, const char *error);

/* Add or bump a counter in an array of CTL_MAX_COUNTERS (name must be a
 * [a-z0-9_] token); -1 if the array is full or the name invalid. */
int	ctl_counter_add(struct ctl_counter *, size_t *n, const char *name,
	    uint64_t value);

/*
 * Replies: the decoder. Parses exactly one reply of len bytes into *r
 * (zeroed first; free with ctl_reply_free even after failure). Returns 0,
 * or -1 with "line N: what was wrong" in err: wrong version, bad syntax,
 * a bad value for a known key, a duplicate key in one record, records out
 * of order, too many peers/counters/buckets/searches/lookup endpoints or
 * rendezvous, missing errno,
 * trailing data.
 */
int	ctl_reply_decode(const char *buf, size_t len, struct ctl_reply *r,
	    char *err, size_t errlen);
void	ctl_reply_free(struct ctl_reply *);

#endif
