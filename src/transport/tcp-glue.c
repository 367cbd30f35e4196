/* The TCP transport on the event loop (see tcp-glue.h): listeners,
 * accepting and connecting (one connection's I/O is tcpconn-glue.c's),
 * the UDP socket's send hook and receive tap, and the member's choice
 * between UDP and TCP. The framing is tcpframe.c's. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "transport/tcp-int.h"
#include "datapath/datapath.h"
#include "datapath/udp.h"
#include "common/clock.h"
#include "common/evtimer.h"
#include "common/log.h"
#include "common/ratelimit.h"
#include "common/util.h"

#define TCP_TICK_MS	500
#define TCP_DHT_LO	0x10	/* the DHT's first bytes (ARCHITECTURE.md) */
#define TCP_BEACON	0x25	/* a LAN beacon (ours too, looped back):
				 * says nothing about UDP beyond the LAN */
#define TCP_DHT_HI	0x1f

static const char *const drop_names[TCP_DROP_MAX] = {
	[TCP_DROP_OUTBUF] = "tcp_outbuf_full",
	[TCP_DROP_FRAME] = "tcp_bad_frame",
	[TCP_DROP_CONN_CAP] = "tcp_conn_cap",
	[TCP_DROP_SOURCE_CAP] = "tcp_source_cap",
	[TCP_DROP_IDLE] = "tcp_idle",
};

const char *
tcp_drop_name(enum tcp_drop r)
{
	return (unsigned)r < TCP_DROP_MAX ? drop_names[r] : "?";
}

const char *
tcp_mode_name(enum tcp_mode m)
{
	switch (m) {
	case TCP_MODE_UDP:
		return "udp";
	case TCP_MODE_TCP:
		return "tcp";
	default:
		return "pending";
	}
}

static void	tap_set(struct tcp *);

static void
set_mode(struct tcp *t, enum tcp_mode m, const char *reason, uint64_t now)
{
	if (t->st.mode == m)
		return;
	t->st.mode = m;
	t->mode_at = now;
	t->st.since_unix_ms = clock_unix_ms();
	util_strlcpy(t->st.reason, reason, sizeof(t->st.reason));
	log_info("transport: %s (%s)", tcp_mode_name(m), reason);
	tap_set(t);
}

/* The UDP socket's send hook: datagrams to an address we reach by TCP. */
static int
tx_hook(void *arg, const void *buf, size_t len, const struct sockaddr_in6 *to)
{
	struct tcp	*t = arg;
	struct tconn	*c;
	if (t->all == NULL || t->bypass || (c = tconn_lookup(t, to)) == NULL)
		return 0;
	if (c->outgoing && t->st.mode != TCP_MODE_TCP)
		return 0;	/* UDP is back: the stream only drains */
	return tconn_send(c, buf, len, clock_mono_ms());
}

/* First bytes 0x30-0x31 (tcpframe.h): answer an ECHO over UDP; an
 * ECHO_REPLY to our last ECHO, while on TCP, means UDP works again. */
static void
echo_cb(void *arg, uint8_t *pkt, size_t len, const struct sockaddr_in6 *from,
    uint64_t now)
{
	struct tcp	*t = arg;

	if (t->in_stream)
		return;		/* over TCP: says nothing about UDP */
	if (pkt[0] == TCPECHO_REQ) {
		/* not to an address we reach by TCP (a spoofed source);
		 * at most TCP_ECHO_RATE answers a second in all */
		if (tconn_lookup(t, from) != NULL || !ratelimit_bucket_take(
		    &t->echo_rl, TCP_ECHO_RATE, TCP_ECHO_RATE, 1, now) ||
		    tcpecho_answer(pkt, len) == -1)
			return;
		(void)udp_send(t->cfg.udp, pkt, len, from);
		return;
	}
	if (t->st.mode != TCP_MODE_UDP && tcpecho_is_reply(pkt, len,
	    t->nonce)) {
		set_mode(t, TCP_MODE_UDP, "UDP answers again", now);
		if (t->cfg.kick != NULL)
			t->cfg.kick(t->cfg.arg);
	}
}

/* On TCP: ask the boot nodes over UDP whether it works again. */
static void
echo_send(struct tcp *t)
{
	uint8_t	buf[TCPECHO_LEN];
	size_t	i;

	if (getrandom(t->nonce, sizeof(t->nonce), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->nonce))
		return;
	tcpecho_request(buf, t->nonce);
	t->bypass = 1;
	for (i = 0; i < t->nboots; i++)
		(void)udp_send(t->cfg.udp, buf, sizeof(buf), &t->boots[i].addr);
	t->bypass = 0;
}

/* The UDP socket's receive tap. On UDP it notes that UDP still carries
 * something (tick_cb falls back when it stops); otherwise a DHT datagram
 * over UDP means UDP works (again). */
static void
rx_tap(void *arg, const uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from)
{
	struct tcp	*t = arg;

	(void)from;
	if (t->st.mode == TCP_MODE_UDP) {
		/* per datagram: a flag only (tick_cb reads the clock) */
		if (len > 0 && buf[0] != TCP_BEACON)
			t->udp_seen = 1;
		return;
	}
	if (len == 0 || buf[0] < TCP_DHT_LO || buf[0] > TCP_DHT_HI)
		return;
	t->udp_heard = clock_mono_ms();
	set_mode(t, TCP_MODE_UDP, t->st.mode == TCP_MODE_TCP ?
	    "UDP answers again" : "a DHT node answered over UDP",
	    t->udp_heard);
	if (t->cfg.kick != NULL)
		t->cfg.kick(t->cfg.arg);
}

static void
tap_set(struct tcp *t)
{
	udp_set_hooks(t->cfg.udp, tx_hook, t, t->nboots > 0 ? rx_tap : NULL,
	    t);
}

/* Full: make room by closing the accepted connection that has been
 * quiet longest (a slow sender cannot hold every slot). */
static int
evict(struct tcp *t)
{
	struct tconn	*c, *old = NULL;

	for (c = t->all; c != NULL; c = c->next)
		if (!c->outgoing && (old == NULL || c->last_rx < old->last_rx))
			old = c;
	if (old == NULL)
		return -1;
	t->st.drops[TCP_DROP_CONN_CAP]++;
	tconn_free(old);
	return 0;
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct tcp		*t = arg;
	struct sockaddr_in6	 a;
	struct bufferevent	*bev;
	struct tconn		*c;
	unsigned		 same = 0;

	(void)l;
	if (udp_addr_from(&a, sa, (socklen_t)salen) == -1) {
		evutil_closesocket(fd);
		return;
	}
	a.sin6_flowinfo = 0;
	a.sin6_scope_id = 0;
	for (c = t->all; c != NULL; c = c->next)
		if (!c->outgoing && memcmp(&c->addr.sin6_addr, &a.sin6_addr,
		    sizeof(a.sin6_addr)) == 0)
			same++;
	if (same >= TCP_MAX_PER_SOURCE || tconn_lookup(t, &a) != NULL) {
		t->st.drops[TCP_DROP_SOURCE_CAP]++;
		evutil_closesocket(fd);
		return;
	}
	if (t->nin >= TCP_MAX_CONNS && evict(t) == -1) {
		evutil_closesocket(fd);
		return;
	}
	tconn_sockopts(fd);
	if ((bev = bufferevent_socket_new(t->cfg.base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	if ((c = tconn_new(t, bev, &a, 0, clock_mono_ms())) == NULL) {
		bufferevent_free(bev);
		return;
	}
	c->up = 1;
	t->st.accepts++;
}

static void
connect_boot(struct tcp *t, size_t i, uint64_t now)
{
	struct tboot		*b = &t->boots[i];
	struct bufferevent	*bev;
	struct sockaddr_in	 sin;
	struct sockaddr		*sa;
	socklen_t		 salen;

	b->backoff = b->backoff == 0 ? TCP_BACKOFF_MIN_MS :
	    b->backoff * 2 > TCP_BACKOFF_MAX_MS ? TCP_BACKOFF_MAX_MS :
	    b->backoff * 2;
	b->next_try = now + b->backoff;
	if (tconn_lookup(t, &b->addr) != NULL)
		return;
	if ((bev = bufferevent_socket_new(t->cfg.base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return;
	if ((b->c = tconn_new(t, bev, &b->addr, 1, now)) == NULL) {
		bufferevent_free(bev);
		return;
	}
	b->c->boot = (int)i;
	t->st.connects++;
	if (IN6_IS_ADDR_V4MAPPED(&b->addr.sin6_addr)) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = b->addr.sin6_port;
		memcpy(&sin.sin_addr, &b->addr.sin6_addr.s6_addr[12], 4);
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	} else {
		sa = (struct sockaddr *)&b->addr;
		salen = sizeof(b->addr);
	}
	/* a failure is reported through event_cb, which frees it */
	(void)bufferevent_socket_connect(bev, sa, (int)salen);
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tcp	*t = arg;
	struct tconn	*c, *next;
	uint64_t	 now = clock_mono_ms();
	unsigned	 up = 0, want;
	size_t		 i;
	char		 why[TCP_REASON_MAX];

	(void)fd;
	(void)ev;
	if (t->udp_seen) {
		t->udp_seen = 0;
		t->udp_heard = now;
	}
	if (t->st.mode == TCP_MODE_UDP && t->nboots > 0 &&
	    now - t->udp_heard >= t->silent_ms &&
	    now - t->mode_at >= t->silent_ms) {
		/* Nothing over UDP for a while (a member always hears its
		 * rendezvous nodes' keepalives): a network that started to
		 * drop UDP, or only a quiet one. Ask the boot nodes; no
		 * answer within TCP_FALLBACK_MS and it is TCP again. */
		set_mode(t, TCP_MODE_PENDING, "nothing over UDP for a while",
		    now);
		t->started = now;
		echo_send(t);
	}
	if (t->st.mode == TCP_MODE_PENDING && t->nboots > 0 &&
	    now - t->started >= TCP_FALLBACK_MS) {
		snprintf(why, sizeof(why), "no UDP answer from %zu boot "
		    "node%s in %u s", t->nboots, t->nboots == 1 ? "" : "s",
		    TCP_FALLBACK_MS / 1000);
		set_mode(t, TCP_MODE_TCP, why, now);
		t->udp_retry_at = now + TCP_UDP_RETRY_MS;
	}
	if (t->st.mode == TCP_MODE_TCP) {
		/* up to TCP_MAX_BOOTS at once, the first boot nodes first;
		 * one that fails waits its backoff while the next is tried */
		for (i = 0, want = 0; i < t->nboots; i++)
			want += t->boots[i].c != NULL;
		for (i = 0; i < t->nboots && want < TCP_MAX_BOOTS; i++)
			if (t->boots[i].c == NULL &&
			    now >= t->boots[i].next_try) {
				connect_boot(t, i, now);
				want++;
			}
		if (now >= t->udp_retry_at) {
			t->udp_retry_at = now + TCP_UDP_RETRY_MS;
			echo_send(t);
		}
	}
	for (c = t->all; c != NULL; c = next) {
		next = c->next;
		if (c->outgoing) {
			if (c->boot < 0 || (t->st.mode != TCP_MODE_TCP &&
			    now - t->mode_at >= TCP_DRAIN_MS)) {
				/* back on UDP: answers in flight are in */
				tconn_free(c);
				continue;
			}
			if (c->up)
				up++;
			if (c->up && now - c->last_tx >= TCP_KEEPALIVE_MS)
				(void)tconn_send(c, NULL, 0, now);
			continue;
		}
		if (now - c->last_rx >= TCP_IDLE_MS || (c->partial_since != 0 &&
		    now - c->partial_since >= TCP_PARTIAL_MS)) {
			/* slowloris or gone: its slot is worth more */
			t->st.drops[TCP_DROP_IDLE]++;
			tconn_free(c);
		}
	}
	t->st.boots_up = up;
	evtimer_arm_in(t->tick, TCP_TICK_MS);
}

static struct evconnlistener *
listen_on(struct tcp *t, uint16_t port)
{
	struct sockaddr_in6	 sin6;
	struct sockaddr_in	 sin;
	struct evconnlistener	*l;
	unsigned		 flags = LEV_OPT_CLOSE_ON_FREE |
				    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_any;
	sin6.sin6_port = htons(port);
	/* dual stack, as the UDP socket (v6only off by default) */
	l = evconnlistener_new_bind(t->cfg.base, accept_cb, t, flags, 64,
	    (struct sockaddr *)&sin6, sizeof(sin6));
	if (l != NULL)
		return l;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	sin.sin_port = htons(port);
	return evconnlistener_new_bind(t->cfg.base, accept_cb, t, flags, 64,
	    (struct sockaddr *)&sin, sizeof(sin));
}

struct tcp *
tcp_new(const struct tcp_config *cfg, char *err, size_t errlen)
{
	struct tcp	*t;
	const char	*v;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->rbuf = malloc(TCP_RBUF)) == NULL ||
	    (t->tick = evtimer_new(cfg->base, tick_cb, t)) == NULL) {
		if (t != NULL)
			free(t->rbuf);
		free(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cfg = *cfg;
	t->started = clock_mono_ms();
	t->silent_ms = TCP_UDP_SILENT_MS;
	if ((v = getenv("MESH_TEST_UDP_SILENT_MS")) != NULL && atoi(v) > 0)
		t->silent_ms = (uint64_t)atoi(v);	/* test knob */
	t->st.mode = TCP_MODE_PENDING;
	util_strlcpy(t->st.reason, "waiting for a UDP answer",
	    sizeof(t->st.reason));
	if (cfg->port != 0) {
		if ((t->ls[0] = listen_on(t, cfg->port)) == NULL)
			log_warnx("transport: cannot listen on TCP port %u: "
			    "%s; UDP only", cfg->port, strerror(errno));
		else
			t->st.listen_port = cfg->port;
	}
	if (cfg->port2 != 0 && cfg->port2 != cfg->port) {
		if ((t->ls[1] = listen_on(t, cfg->port2)) == NULL)
			log_warnx("transport: cannot listen on TCP port %u: "
			    "%s", cfg->port2, strerror(errno));
		else
			t->st.listen_port2 = cfg->port2;
	}
	ratelimit_bucket_init(&t->echo_rl, TCP_ECHO_RATE, t->started);
	if (udp_register(cfg->udp, TCPECHO_REQ, TCPECHO_REPLY, echo_cb,
	    t) == -1) {
		snprintf(err, errlen, "transport: UDP handler range taken");
		event_free(t->tick);
		free(t->rbuf);
		free(t);
		return NULL;
	}
	tap_set(t);
	/* the first tick is the fall-back decision, on time */
	evtimer_arm_in(t->tick, TCP_FALLBACK_MS);
	return t;
}

void
tcp_free(struct tcp *t)
{
	size_t	i;

	if (t == NULL)
		return;
	udp_set_hooks(t->cfg.udp, NULL, NULL, NULL, NULL);
	(void)udp_register(t->cfg.udp, TCPECHO_REQ, TCPECHO_REPLY, NULL,
	    NULL);
	while (t->all != NULL)
		tconn_free(t->all);
	for (i = 0; i < 2; i++)
		if (t->ls[i] != NULL)
			evconnlistener_free(t->ls[i]);
	event_free(t->tick);
	free(t->boots);
	free(t->rbuf);
	free(t);
}

void
tcp_set_boots(struct tcp *t, const struct sockaddr_in6 *addrs, size_t n)
{
	struct tboot	*b = NULL;
	struct tconn	*c;
	size_t		 i;

	if (n > 0 && (b = calloc(n, sizeof(*b))) == NULL) {
		log_warnx("transport: out of memory for the boot nodes");
		return;
	}
	for (i = 0; i < n; i++)
		b[i].addr = addrs[i];
	if (n == 0 && t->st.mode == TCP_MODE_PENDING)
		set_mode(t, TCP_MODE_UDP, "no boot nodes to fall back to",
		    clock_mono_ms());
	/* connections to boot nodes no longer listed go */
	for (c = t->all; c != NULL; c = c->next)
		if (c->outgoing)
			c->boot = -1;
	free(t->boots);
	t->boots = b;
	t->nboots = n;
	for (c = t->all; c != NULL; c = c->next)
		for (i = 0; i < n && c->outgoing; i++)
			if (udp_addr_equal(&c->addr, &b[i].addr)) {
				c->boot = (int)i;
				b[i].c = c;
			}
	tap_set(t);
}

void
tcp_get_show(const struct tcp *t, struct tcp_show *out)
{
	*out = t->st;
	out->conns_in = t->nin;
	out->conns_out = t->nout;
}
