/* The daemon's one UDP socket (IPv4 and IPv6), shared by the tunnel, the
 * DHT and NAT traversal; the first byte of a datagram says whose it is
 * (see ARCHITECTURE.md: 0x01-0x04 tunnel, 0x10-0x1f DHT, 0x20-0x2f NAT).
 *
 * The socket is AF_INET6 with IPV6_V6ONLY off, so every address, IPv4 ones
 * included, is a struct sockaddr_in6 (IPv4 as ::ffff:a.b.c.d). On a host
 * without IPv6 it falls back to AF_INET; addresses are still handed out
 * and taken as sockaddr_in6 (mapped).
 *
 * Receiving and sending go in batches (recvmmsg/sendmmsg) over buffers the
 * caller owns; nothing allocates per packet. Where the kernel has them, UDP
 * GSO (one send, many equal datagrams) and GRO (one receive, many datagrams
 * of a flow) cut the per-datagram cost further. Sends block when the socket
 * buffer is full: that is the data path's back-pressure.
 *
 * Thread safety: the calls keep no state in struct udp between or during
 * calls (beyond gso, which only goes from 1 to 0), so several threads may
 * use one socket, each with its own udp_msg arrays and buffers; handlers
 * must be registered before they start. */
#ifndef MESH_UDP_H
#define MESH_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define UDP_BATCH	64		/* most datagrams per system call */
#define UDP_ADDRSTRLEN	(INET6_ADDRSTRLEN + 8)	/* "[addr]:port" */

/* One datagram of a batch: buf and cap are the caller's; len and addr are
 * filled by udp_recv_batch() and read by udp_send_batch(). */
struct udp_msg {
	uint8_t			*buf;
	size_t			 cap;
	size_t			 len;
	struct sockaddr_in6	 addr;
	/* Several datagrams of segsize bytes back to back (the last may be
	 * shorter): UDP GSO when sending (udp.gso), GRO when receiving
	 * (udp.gro). 0: buf holds one datagram. */
	size_t			 segsize;
};

/* A handler for a range of first bytes (udp_register). pkt is valid only
 * during the call, in the receiver's buffer, which the handler may modify
 * (a relayed tunnel message is decrypted where it lies); from is the
 * sender; now is a monotonic time in ms. */
typedef void udp_handler_fn(void *arg, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now);

struct udp_handler {
	udp_handler_fn	*fn;
	void		*arg;
};

/* A second transport (src/transport/tcp-glue.c) reaches some addresses by
 * TCP. Every send first asks its hook: 0, not one of its addresses (the
 * datagram goes over UDP); 1, it took the datagram; -1, it is one of its
 * addresses but the datagram was dropped (errno set). The tap sees every
 * datagram received over UDP (not those the other transport hands to
 * udp_dispatch). Both run on the loop thread only; NULL when unused. */
typedef int udp_tx_hook_fn(void *arg, const void *buf, size_t len,
    const struct sockaddr_in6 *to);
typedef void udp_rx_tap_fn(void *arg, const uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from);

struct udp {
	int			 fd;
	int			 family;	/* AF_INET6, or AF_INET */
	uint16_t		 port;		/* bound port */
	struct udp_handler	 handlers[256];
	/* No per-call scratch here: the system-call headers of a batch live
	 * on the caller's stack (struct udp_scratch in udp.c, ~7 KB), so
	 * threads may send and receive on one struct udp at once. */
	int			 gso;		/* sends may carry segsize; only
						 * ever cleared (a thread may
						 * clear it under another's
						 * feet, harmlessly) */
	int			 gro;		/* receives may carry segsize */
	udp_tx_hook_fn		*tx_hook;	/* udp_set_hooks */
	void			*tx_arg;
	udp_rx_tap_fn		*rx_tap;
	void			*rx_arg;
};

/* Bind to port (0: any) on all addresses; 0, or -1 with err filled. */
int	udp_open(struct udp *, uint16_t port, char *err, size_t errlen);
void	udp_close(struct udp *);

/* Receive up to n (at most UDP_BATCH) datagrams without waiting; returns
 * how many (0: none waiting), or -1 on a socket error (errno). Datagrams
 * longer than a buffer's cap are truncated: len is then > cap, and the
 * caller drops them. */
int	udp_recv_batch(struct udp *, struct udp_msg *msgs, unsigned n);

/* Send msgs[0..n-1]; returns how many datagrams could not be sent (one the
 * kernel refuses is skipped, the rest still go). A message with segsize is
 * one GSO send; should the kernel refuse GSO, udp.gso is cleared and its
 * datagrams go one by one. */
unsigned udp_send_batch(struct udp *, struct udp_msg *msgs, unsigned n);

/* One datagram, for the DHT and NAT modules; 0 or -1 (errno). */
int	udp_send(struct udp *, const void *buf, size_t len,
	    const struct sockaddr_in6 *to);

/* Path MTU: every datagram leaves with DF set, the kernel's path MTU cache
 * ignored (IP_PMTUDISC_PROBE: the path's MTU is the data path's to learn,
 * and probes above what ICMP claimed must still leave); only a datagram
 * over the outgoing interface's MTU is refused, with EMSGSIZE. ICMP "too
 * big" and local EMSGSIZE errors are queued on the socket (IP_RECVERR):
 * udp_read_errors() takes up to n of them, without waiting, and returns
 * how many. A queued error makes the socket readable (POLLERR) and may
 * make a receive or send fail once: read them then. */
enum udp_err_kind {
	UDP_ERR_OTHER = 0,	/* unreachable, refused, ...: ignored */
	UDP_ERR_TOO_BIG,	/* ICMP frag needed / ICMPv6 packet too big */
	UDP_ERR_LOCAL_TOO_BIG,	/* EMSGSIZE from this host */
};
struct udp_err {
	struct sockaddr_in6	to;	/* the refused datagram's destination */
	enum udp_err_kind	kind;
	unsigned		mtu;	/* reported MTU (0: none given) */
};
int	udp_read_errors(struct udp *, struct udp_err *out, unsigned n);
/* The second transport's hooks (see udp_tx_hook_fn); NULL removes them. */
void	udp_set_hooks(struct udp *, udp_tx_hook_fn *tx, void *tx_arg,
	    udp_rx_tap_fn *tap, void *tap_arg);

/* Give datagrams whose first byte is in [lo, hi] to fn; -1 if a byte of
 * the range already has a handler. fn NULL removes the range. */
int	udp_register(struct udp *, uint8_t lo, uint8_t hi, udp_handler_fn *fn,
	    void *arg);
/* Hand pkt to its registered handler; 0, or -1 if nobody wants it. */
int	udp_dispatch(struct udp *, uint8_t *pkt, size_t len,
	    const struct sockaddr_in6 *from, uint64_t now);

/* Addresses. Any sockaddr (IPv4 or IPv6) as a sockaddr_in6; -1 for other
 * families. */
int	udp_addr_from(struct sockaddr_in6 *out, const struct sockaddr *sa,
	    socklen_t len);
/* "a.b.c.d:port" or "[v6]:port" into buf (UDP_ADDRSTRLEN bytes). */
const char *udp_addr_fmt(const struct sockaddr_in6 *a, char *buf,
	    size_t len);
int	udp_addr_equal(const struct sockaddr_in6 *, const struct sockaddr_in6 *);

#endif
