/* The TCP transport: datagrams over TCP streams (framing: tcpframe.h), for
 * members on networks that drop UDP.
 *
 * Every daemon listens for TCP on its UDP port number (and on a second port
 * if asked, e.g. 443). A frame that arrives is handed to the data path as if
 * it were a UDP datagram from the connection's remote address
 * (datapath_input), so the DHT, NAT traversal, relay and tunnel run
 * unchanged, with their per-source rate limits keyed by that address; the
 * 3-way handshake already proved the address receives. Any send to that
 * address goes back over the connection (the UDP socket's send hook), which
 * is also how the relay bridges TCP and UDP: it forwards to an address, and
 * the address decides the transport.
 *
 * A member (one with boot nodes) that receives no DHT datagram over UDP
 * within TCP_FALLBACK_MS of starting connects to its boot nodes over TCP
 * (their UDP port number) and, from then on, its datagrams to them go over
 * those connections; the DHT is asked to contact them at once. It keeps
 * asking them over UDP whether UDP works (an ECHO, tcpframe.h, every
 * TCP_UDP_RETRY_MS), and moves back to UDP on the first ECHO_REPLY or DHT
 * datagram that arrives over UDP. */
#ifndef MESH_TCP_GLUE_H
#define MESH_TCP_GLUE_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct event_base;
struct udp;
struct datapath;

#define TCP_FALLBACK_MS		3000	/* no UDP answer this long: TCP */
#define TCP_UDP_RETRY_MS	5000	/* on TCP: an ECHO to the boot nodes
					 * over UDP this often */
#define TCP_UDP_SILENT_MS	60000	/* on UDP: nothing heard this long,
					 * ask again (mesh-tcp.sh shortens it
					 * with MESH_TEST_UDP_SILENT_MS) */
#define TCP_ECHO_RATE		50	/* ECHOs answered a second, in all */
#define TCP_MAX_BOOTS		2	/* boot nodes connected at once */
#define TCP_MAX_CONNS		256	/* accepted connections */
#define TCP_MAX_PER_SOURCE	4	/* accepted connections per address */
#define TCP_OUTBUF_CAP		(1024 * 1024) /* queued for one accepted
					 * connection */
#define TCP_OUTBUF_OWN		(4 * 1024 * 1024) /* ... for one of our own
					 * to a boot node (our tunnel's
					 * traffic: queued, not dropped) */
#define TCP_NOTSENT		(128 * 1024)	/* unsent in the kernel */
#define TCP_INBUF_CAP		(64 * 1024)	/* read at once, at most */
#define TCP_FRAME_MAX		9216	/* largest datagram carried */
#define TCP_IDLE_MS		120000	/* accepted: nothing received */
#define TCP_PARTIAL_MS		15000	/* a frame begun, not finished */
#define TCP_KEEPALIVE_MS	25000	/* ours: an empty frame when idle */
#define TCP_DRAIN_MS		5000	/* back on UDP: streams kept this long */
#define TCP_BACKOFF_MIN_MS	1000	/* reconnect: first wait, doubling */
#define TCP_BACKOFF_MAX_MS	30000	/* ... up to this */
#define TCP_REASON_MAX		96

struct tcp_config {
	struct event_base	*base;
	struct udp		*udp;	/* its send hook and receive tap */
	struct datapath		*dp;	/* frames go in here */
	uint16_t		 port;	/* listen here (the UDP port) */
	uint16_t		 port2;	/* and here, if not 0 */
	/* Ask the DHT to contact its boot nodes now and start waiting
	 * lookups over (TCP or UDP just came up); may be NULL. */
	void			(*kick)(void *arg);
	void			*arg;
};

enum tcp_mode {
	TCP_MODE_PENDING = 0,	/* no UDP answer yet (or no boot nodes) */
	TCP_MODE_UDP,		/* UDP answered: TCP not used for our sends */
	TCP_MODE_TCP,		/* on TCP to the boot nodes */
};

enum tcp_drop {
	TCP_DROP_OUTBUF = 0,	/* a connection's queue was full */
	TCP_DROP_FRAME,		/* a frame over TCP_FRAME_MAX: closed */
	TCP_DROP_CONN_CAP,	/* refused: too many connections */
	TCP_DROP_SOURCE_CAP,	/* refused: too many from one address */
	TCP_DROP_IDLE,		/* closed: idle or a frame left unfinished */
	TCP_DROP_MAX
};
const char *tcp_drop_name(enum tcp_drop);

struct tcp_show {
	enum tcp_mode	mode;
	char		reason[TCP_REASON_MAX];	/* why this mode */
	uint64_t	since_unix_ms;		/* mode entered (0: never) */
	unsigned	listen_port, listen_port2;	/* 0: not listening */
	unsigned	conns_in, conns_out;		/* open now */
	unsigned	boots_up;		/* boot connections established */
	uint64_t	frames_in, frames_out, bytes_in, bytes_out;
	uint64_t	connects, accepts;
	uint64_t	drops[TCP_DROP_MAX];
};

struct tcp;

/* Listen and hook into the UDP socket; NULL with err filled. A port that
 * cannot be bound is a warning, not an error (UDP works without it). */
struct tcp *tcp_new(const struct tcp_config *, char *err, size_t errlen);
void	tcp_free(struct tcp *);
/* The boot nodes' addresses, as the DHT has them (at start, on reload);
 * with none, the transport never falls back. */
void	tcp_set_boots(struct tcp *, const struct sockaddr_in6 *, size_t n);
void	tcp_get_show(const struct tcp *, struct tcp_show *);
const char *tcp_mode_name(enum tcp_mode);

#endif
