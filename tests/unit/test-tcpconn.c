/* One TCP-transport connection's reads and queue (tcpconn-glue.c), over a
 * socketpair on a libevent loop, with the data path stubbed at link time
 * (datapath_input records each datagram, datapath_input_done each batch):
 *
 *	frames		a stream written in odd pieces, more than one read's
 *			worth, gives back every datagram whole and in order
 *			(the unfinished frame carried between reads),
 *			keepalives give none, and a read's frames come as
 *			one batch
 *	bad_frame	a prefix over TCP_FRAME_MAX closes the connection
 *			(drop_tcp_bad_frame), the frames before it handed in
 *	eof		the peer's close closes the connection
 *	queue_cap	an accepted connection queues at most TCP_OUTBUF_CAP,
 *			then drops (drop_tcp_outbuf_full) */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "datapath/datapath.h"
#include "transport/tcp-int.h"
#include "t.h"

#define NDG	200

static size_t	got_len[NDG * 2];
static unsigned	got, batches;
static int	got_bad;

/* the stubs: a datagram of i's is i+1 bytes long... (see dg) */
void
datapath_input(struct datapath *dp, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	size_t	k;

	(void)dp;
	(void)from;
	(void)now;
	if (got < NDG * 2)
		got_len[got] = len;
	for (k = 0; k < len; k++)
		if (buf[k] != (uint8_t)(got + k))
			got_bad = 1;
	got++;
}

void
datapath_input_done(struct datapath *dp)
{
	(void)dp;
	batches++;
}

/* datagram i: its length and bytes */
static size_t
dg_len(unsigned i)
{
	return i % 3 == 0 ? TCP_FRAME_MAX : 1 + (i * 97) % 1500;
}

static size_t
stream(uint8_t *out, unsigned n)
{
	size_t		off = 0, len, k;
	unsigned	i;

	for (i = 0; i < n; i++) {
		len = dg_len(i);
		(void)tcpframe_header(out + off, len);
		off += TCPFRAME_HDR;
		for (k = 0; k < len; k++)
			out[off + k] = (uint8_t)(i + k);
		off += len;
		if (i % 50 == 7) {	/* a keepalive now and then */
			(void)tcpframe_header(out + off, 0);
			off += TCPFRAME_HDR;
		}
	}
	return off;
}

struct lab {
	struct event_base	*base;
	struct tcp		 t;
	struct tconn		*c;
	int			 peer;
};

static int
lab_open(struct lab *l)
{
	struct bufferevent	*bev;
	struct sockaddr_in6	 a;
	int			 sv[2];

	memset(l, 0, sizeof(*l));
	got = batches = 0;
	got_bad = 0;
	if ((l->base = event_base_new()) == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1 ||
	    (l->t.rbuf = malloc(TCP_RBUF)) == NULL)
		return -1;
	l->t.cfg.base = l->base;
	l->peer = sv[1];
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(6374);
	if ((bev = bufferevent_socket_new(l->base, sv[0],
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (l->c = tconn_new(&l->t, bev, &a, 0, 1)) == NULL)
		return -1;
	return 0;
}

static void
lab_close(struct lab *l)
{
	while (l->t.all != NULL)
		tconn_free(l->t.all);
	close(l->peer);
	free(l->t.rbuf);
	event_base_free(l->base);
}

/* write buf in pieces of odd sizes, running the loop between them */
static void
feed(struct lab *l, const uint8_t *buf, size_t len)
{
	size_t	off = 0, piece;
	ssize_t	r;
	int	k = 0;

	while (off < len) {
		piece = (size_t[]){ 1, 3, 70001, 9000, 2, 130000 }[k++ % 6];
		if (piece > len - off)
			piece = len - off;
		r = write(l->peer, buf + off, piece);
		if (r > 0)
			off += (size_t)r;
		else if (r == -1 && errno != EAGAIN)
			break;
		(void)event_base_loop(l->base, EVLOOP_NONBLOCK);
	}
	(void)event_base_loop(l->base, EVLOOP_NONBLOCK);
}

T_TEST(frames)
{
	struct lab	 l;
	uint8_t		*buf = malloc(NDG * (TCP_CARRY + 2));
	size_t		 len;
	unsigned	 i;

	T_ASSERT(buf != NULL && lab_open(&l) == 0);
	if (t_cur_failed)
		return;
	len = stream(buf, NDG);
	T_ASSERT(len > 4 * TCP_INBUF_CAP);
	feed(&l, buf, len);
	T_EQ_INT(got, NDG);
	T_EQ_INT(got_bad, 0);
	for (i = 0; i < NDG && i < got; i++)
		if (got_len[i] != dg_len(i)) {
			T_FAIL("datagram %u: %zu bytes, not %zu", i,
			    got_len[i], dg_len(i));
			break;
		}
	/* batched: far fewer batches than datagrams */
	T_ASSERT(batches > 0 && batches < got / 2);
	T_EQ_INT(l.t.st.frames_in, NDG);
	T_EQ_INT(l.c->ncarry, 0);
	T_EQ_INT(l.c->partial_since, 0);
	T_ASSERT(l.t.all == l.c);
	lab_close(&l);
	free(buf);
}

T_TEST(bad_frame)
{
	struct lab	l;
	uint8_t		buf[64];

	T_ASSERT(lab_open(&l) == 0);
	if (t_cur_failed)
		return;
	(void)tcpframe_header(buf, 3);
	buf[2] = 0;
	buf[3] = 1;
	buf[4] = 2;
	buf[5] = (uint8_t)((TCP_FRAME_MAX + 1) >> 8);
	buf[6] = (uint8_t)(TCP_FRAME_MAX + 1);
	feed(&l, buf, 7);
	T_EQ_INT(got, 1);
	T_EQ_INT(batches, 1);
	T_EQ_INT(l.t.st.drops[TCP_DROP_FRAME], 1);
	T_ASSERT(l.t.all == NULL);
	lab_close(&l);
}

T_TEST(eof)
{
	struct lab	l;
	uint8_t		buf[4] = { 0, 5, 0, 1 };

	T_ASSERT(lab_open(&l) == 0);
	if (t_cur_failed)
		return;
	feed(&l, buf, sizeof(buf));	/* an unfinished frame */
	T_EQ_INT(got, 0);
	T_EQ_INT(l.c->ncarry, 4);
	T_ASSERT(l.c->partial_since != 0);
	(void)shutdown(l.peer, SHUT_WR);
	(void)event_base_loop(l.base, EVLOOP_NONBLOCK);
	T_ASSERT(l.t.all == NULL);
	lab_close(&l);
}

T_TEST(queue_cap)
{
	struct lab	 l;
	static uint8_t	 dg[1400];
	unsigned	 i, ok = 0;

	T_ASSERT(lab_open(&l) == 0);
	if (t_cur_failed)
		return;
	/* the loop is not run: nothing leaves the queue */
	for (i = 0; i < 2 * TCP_OUTBUF_CAP / sizeof(dg); i++)
		if (tconn_send(l.c, dg, sizeof(dg), 1) == 1)
			ok++;
	T_EQ_INT(ok, TCP_OUTBUF_CAP / (sizeof(dg) + TCPFRAME_HDR));
	T_EQ_INT(l.t.st.drops[TCP_DROP_OUTBUF], i - ok);
	T_EQ_INT(tconn_send(l.c, dg, TCP_FRAME_MAX + 1, 1), -1);
	lab_close(&l);
}

int
main(void)
{
	T_RUN(frames);
	T_RUN(bad_frame);
	T_RUN(eof);
	T_RUN(queue_cap);
	return t_done();
}
