/* One connection of the TCP transport (see tcp-int.h): datagrams queued
 * on its bufferevent's output, frames read from its socket and handed to
 * the data path, its events, closing.
 *
 * Input does not go through the bufferevent: libevent 2.1 reads at most
 * 4 KB per call into an evbuffer, and a public node relaying a member's
 * stream then paid two system calls and a relay flush (a GSO send of ~3
 * datagrams) per 4 KB. Here a read takes up to TCP_INBUF_CAP bytes into
 * one shared buffer, behind the unfinished frame the last read left
 * (kept per connection, at most one frame); every whole frame is handed
 * in where it lies, and the read's frames leave as one batch
 * (datapath_input_done: the relay's sendmmsg, GSO runs). */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "transport/tcp-int.h"
#include "datapath/datapath.h"
#include "datapath/udp.h"
#include "common/clock.h"
#include "common/log.h"

#define TCP_READS	4	/* reads per wake-up, at most (fairness) */
#define TCP_CHAIN	(64 * 1024)	/* output queued in chains this big */

static unsigned
bucket(const struct sockaddr_in6 *a)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < sizeof(a->sin6_addr); i++)
		h = (h ^ a->sin6_addr.s6_addr[i]) * 16777619u;
	h = (h ^ (a->sin6_port & 0xff)) * 16777619u;
	h = (h ^ (a->sin6_port >> 8)) * 16777619u;
	return h % TCP_BUCKETS;
}

struct tconn *
tconn_lookup(const struct tcp *t, const struct sockaddr_in6 *a)
{
	struct tconn	*c;

	for (c = t->hash[bucket(a)]; c != NULL; c = c->hnext)
		if (udp_addr_equal(&c->addr, a))
			return c;
	return NULL;
}

void
tconn_free(struct tconn *c)
{
	struct tcp	*t = c->t;
	struct tconn	**pp;

	for (pp = &t->hash[bucket(&c->addr)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		t->all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->outgoing) {
		t->nout--;
		if ((size_t)c->boot < t->nboots && t->boots[c->boot].c == c)
			t->boots[c->boot].c = NULL;
	} else
		t->nin--;
	if (c->rev != NULL)
		event_free(c->rev);
	bufferevent_free(c->bev);
	free(c);
}

int
tconn_send(struct tconn *c, const void *buf, size_t len, uint64_t now)
{
	struct tcp	*t = c->t;
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec v;
	uint8_t		 hdr[TCPFRAME_HDR];

	if (len > TCP_FRAME_MAX || tcpframe_header(hdr, len) == -1) {
		errno = EMSGSIZE;
		return -1;
	}
	if (evbuffer_get_length(out) + sizeof(hdr) + len >
	    (c->outgoing ? TCP_OUTBUF_OWN : TCP_OUTBUF_CAP)) {
		/* like a full socket buffer on a lossy path: the peers'
		 * congestion control sees a loss */
		t->st.drops[TCP_DROP_OUTBUF]++;
		errno = ENOBUFS;
		return -1;
	}
	/* the frame written in place at the end of the queue, in chains
	 * of TCP_CHAIN bytes (evbuffer_add's grow to 4 KB only: a malloc
	 * every 2 frames, and as many iovecs in the writev) */
	if (evbuffer_reserve_space(out, 1, &v, 1) != 1 ||
	    v.iov_len < sizeof(hdr) + len) {
		if (evbuffer_expand(out, TCP_CHAIN) == -1 ||
		    evbuffer_reserve_space(out, sizeof(hdr) + len, &v,
		    1) != 1 || v.iov_len < sizeof(hdr) + len) {
			errno = ENOBUFS;
			return -1;
		}
	}
	memcpy(v.iov_base, hdr, sizeof(hdr));
	if (len > 0)
		memcpy((uint8_t *)v.iov_base + sizeof(hdr), buf, len);
	v.iov_len = sizeof(hdr) + len;
	if (evbuffer_commit_space(out, &v, 1) == -1) {
		errno = ENOBUFS;
		return -1;
	}
	c->last_tx = now;
	if (len > 0) {
		t->st.frames_out++;
		t->st.bytes_out += len;
	}
	return 1;
}

/* A datagram stream wants no Nagle, and little unsent data in the
 * kernel: what waits there delays every datagram behind it (the tunnel's
 * own TCP flows see it as a longer round trip, not as a loss); our queue
 * in front of it has a cap and drops. */
void
tconn_sockopts(int fd)
{
	int	one = 1, lowat = TCP_NOTSENT;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#ifdef TCP_NOTSENT_LOWAT
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
	    sizeof(lowat));
#else
	(void)lowat;
#endif
}

static void
closed(struct tconn *c, const char *how)
{
	char	a[UDP_ADDRSTRLEN];

	if (c->outgoing)
		log_info("transport: TCP connection to %s %s",
		    udp_addr_fmt(&c->addr, a, sizeof(a)), how);
	tconn_free(c);
}

/* The frames of one read, buf[0 .. have): each whole one handed in; the
 * offset of what is left (an unfinished frame), or -1 if a frame is too
 * long (c is then closed). *n counts the datagrams handed in. */
static ssize_t
frames(struct tconn *c, uint8_t *buf, size_t have, uint64_t now,
    unsigned *n)
{
	struct tcp		*t = c->t;
	enum tcpframe_rc	 rc;
	size_t			 off, plen, used;

	for (off = 0; off < have; off += used) {
		rc = tcpframe_next(buf + off, have - off, TCP_FRAME_MAX,
		    &plen, &used);
		if (rc == TCPFRAME_BAD) {
			t->st.drops[TCP_DROP_FRAME]++;
			log_debug("transport: tcp: frame too long; closing");
			return -1;
		}
		if (rc != TCPFRAME_OK)
			break;
		c->last_rx = now;
		if (plen == 0)
			continue;
		t->st.frames_in++;
		t->st.bytes_in += plen;
		t->in_stream = 1;
		datapath_input(t->cfg.dp, buf + off + TCPFRAME_HDR, plen,
		    &c->addr, now);
		t->in_stream = 0;
		(*n)++;
	}
	return (ssize_t)off;
}

static void
read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tconn	*c = arg;
	struct tcp	*t = c->t;
	uint8_t		*buf = t->rbuf;
	uint64_t	 now = clock_mono_ms();
	unsigned	 reads, n = 0, total = 0;
	ssize_t		 r, off;
	size_t		 have;

	(void)ev;
	for (reads = 0; reads < TCP_READS; reads++) {
		memcpy(buf, c->carry, c->ncarry);
		r = recv(fd, buf + c->ncarry, TCP_INBUF_CAP, 0);
		if (r == 0 || (r == -1 && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR)) {
			closed(c, "closed");
			return;
		}
		if (r == -1)
			break;
		have = c->ncarry + (size_t)r;
		n = 0;
		if ((off = frames(c, buf, have, now, &n)) == -1) {
			if (n > 0)
				datapath_input_done(t->cfg.dp);
			tconn_free(c);
			return;
		}
		/* (at most one unfinished frame: fits) */
		c->ncarry = have - (size_t)off;
		memcpy(c->carry, buf + off, c->ncarry);
		if (n > 0) {
			/* one read, one batch */
			datapath_input_done(t->cfg.dp);
			total += n;
		}
		if ((size_t)r < TCP_INBUF_CAP)
			break;		/* drained */
	}
	c->partial_since = c->ncarry == 0 ? 0 :
	    c->partial_since != 0 ? c->partial_since : now;
	if (total > 0 && c->outgoing && t->boots != NULL &&
	    (size_t)c->boot < t->nboots)
		t->boots[c->boot].backoff = 0;
	if (total > 0 && c->outgoing && !c->heard) {
		/* the boot node answers: the DHT has a node now, and the
		 * lookups that waited for UDP answers may start over */
		c->heard = 1;
		if (t->cfg.kick != NULL)
			t->cfg.kick(t->cfg.arg);
	}
}

static int
start_reading(struct tconn *c)
{
	c->rev = event_new(bufferevent_get_base(c->bev),
	    bufferevent_getfd(c->bev), EV_READ | EV_PERSIST, read_cb, c);
	return c->rev == NULL ? -1 : event_add(c->rev, NULL);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tconn	*c = arg;
	struct tcp	*t = c->t;
	char		 a[UDP_ADDRSTRLEN];

	if (what & BEV_EVENT_CONNECTED) {
		c->up = 1;
		c->last_rx = clock_mono_ms();
		tconn_sockopts(bufferevent_getfd(bev));
		if (start_reading(c) == -1) {
			closed(c, "failed (no memory)");
			return;
		}
		log_info("transport: connected to %s over TCP",
		    udp_addr_fmt(&c->addr, a, sizeof(a)));
		if (t->cfg.kick != NULL)
			t->cfg.kick(t->cfg.arg);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		closed(c, c->up ? "closed" : "failed");
}

struct tconn *
tconn_new(struct tcp *t, struct bufferevent *bev,
    const struct sockaddr_in6 *addr, int outgoing, uint64_t now)
{
	struct tconn	*c;
	unsigned	 b;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->t = t;
	c->bev = bev;
	c->addr = *addr;
	c->outgoing = outgoing;
	c->last_rx = c->last_tx = now;
	if (!outgoing && start_reading(c) == -1) {
		if (c->rev != NULL)
			event_free(c->rev);
		free(c);
		return NULL;
	}
	b = bucket(addr);
	c->hnext = t->hash[b];
	t->hash[b] = c;
	c->next = t->all;
	if (t->all != NULL)
		t->all->prev = c;
	t->all = c;
	if (outgoing)
		t->nout++;
	else
		t->nin++;
	bufferevent_setcb(bev, NULL, NULL, event_cb, c);
	(void)bufferevent_set_max_single_write(bev, TCP_NOTSENT);
	/* the bufferevent writes; read_cb reads */
	(void)bufferevent_disable(bev, EV_READ);
	(void)bufferevent_enable(bev, EV_WRITE);
	return c;
}
