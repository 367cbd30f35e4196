/* Inside the TCP transport: the state tcp-glue.c (listeners, the member's
 * choice of transport, the UDP socket's hooks, the tick) and tcpconn-glue.c
 * (one connection: reading frames, queueing datagrams, closing) share.
 * Both are written on the loop thread only; tcp-glue.c calls into
 * tcpconn-glue.c, never the other way (the connection reaches the rest
 * through tcp_config.kick and the data path). */
#ifndef MESH_TCP_INT_H
#define MESH_TCP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "transport/tcp-glue.h"
#include "transport/tcpframe.h"
#include "common/ratelimit.h"

struct bufferevent;
struct event;
struct evconnlistener;

#define TCP_BUCKETS	64
/* what one read takes in: an unfinished frame kept from the last read,
 * then up to TCP_INBUF_CAP bytes from the socket */
#define TCP_CARRY	(TCPFRAME_HDR + TCP_FRAME_MAX)
#define TCP_RBUF	(TCP_CARRY + TCP_INBUF_CAP)

struct tconn {
	struct tcp		*t;
	struct bufferevent	*bev;	/* output (and connect, errors) */
	struct event		*rev;	/* input: read by tcpconn-glue.c */
	struct sockaddr_in6	 addr;	/* accepted: the remote address;
					 * outgoing: the boot node's UDP
					 * address (same port number) */
	int			 outgoing;
	int			 up;		/* connected */
	int			 heard;		/* a frame received */
	int			 boot;		/* outgoing: index in boots */
	uint64_t		 last_rx, last_tx, partial_since;
	struct tconn		*hnext;		/* hash chain */
	struct tconn		*next, *prev;	/* all connections */
	size_t			 ncarry;
	uint8_t			 carry[TCP_CARRY];	/* a frame begun */
};

struct tboot {
	struct sockaddr_in6	 addr;
	struct tconn		*c;
	uint64_t		 next_try;
	uint64_t		 backoff;
};

struct tcp {
	struct tcp_config	 cfg;
	struct evconnlistener	*ls[2];
	struct event		*tick;
	struct tconn		*hash[TCP_BUCKETS];
	struct tconn		*all;
	unsigned		 nin, nout;
	struct tboot		*boots;
	size_t			 nboots;
	uint64_t		 started, mode_at, udp_retry_at;
	uint64_t		 udp_heard;	/* last datagram over UDP */
	int			 udp_seen;	/* one since the last tick */
	uint64_t		 silent_ms;	/* TCP_UDP_SILENT_MS */
	int			 in_stream;	/* handing a frame in */
	int			 bypass;	/* our own UDP sends */
	uint8_t			 nonce[TCPECHO_NONCE];	/* last ECHO's */
	struct ratelimit_bucket	 echo_rl;
	struct tcp_show		 st;
	uint8_t			*rbuf;		/* TCP_RBUF: every read's */
};

/* tcpconn-glue.c */
struct tconn	*tconn_lookup(const struct tcp *, const struct sockaddr_in6 *);
/* A connection on bev (accepted: connected; outgoing: connecting, read
 * once connected); NULL on no memory (bev is then the caller's). */
struct tconn	*tconn_new(struct tcp *, struct bufferevent *,
		    const struct sockaddr_in6 *, int outgoing, uint64_t now);
void		 tconn_free(struct tconn *);
/* Queue one datagram on c (len 0: a keepalive); 1, or -1 if it was
 * dropped (errno set). */
int		 tconn_send(struct tconn *, const void *, size_t, uint64_t now);
void		 tconn_sockopts(int fd);

#endif
