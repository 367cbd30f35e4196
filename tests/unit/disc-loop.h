/* The harness of test-disc-loop.c: three nodes' discovery layers (disc.c
 * and all of its glue, the real DHT, tunnel and data path) in one process
 * on one libevent loop, over UDP sockets on 127.0.0.1, on a fake clock,
 * each member behind a NAT of the test's own (recvmmsg, sendmmsg and sendto
 * wrapped at link time, nat.am). Included by that one file only (it
 * defines the wrappers). */
#ifndef MESH_DISC_LOOP_H
#define MESH_DISC_LOOP_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/evtimer.h"
#include "common/util.h"
#include "datapath/datapath.h"
#include "datapath/members.h"
#include "datapath/peer.h"
#include "datapath/route.h"
#include "datapath/udp.h"
#include "nat/disc.h"
#include "nat/natpath.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "os/tun.h"
#include "tunnel/tunnel.h"
#include "t.h"

#define NET	0x0a2a0000U
#define NNODES	3		/* 0: P (public), 1: A, 2: B */
#define T0	1000000		/* the fake clock's start (ms) */
#define MAXSENT	16

enum nat_mode {
	NAT_OPEN,		/* anything in */
	NAT_RESTRICTED,		/* only from where it sent to */
	NAT_CLOSED,		/* only from P */
	NAT_SYMMETRIC,		/* only from P, and only P gets what it
				 * sends: to anyone else it goes out from
				 * another port (endpoint-dependent), which
				 * a port-restricted member never let in */
};

static const uint8_t ula[8] = { 0xfd, 0, 0, 0, 0, 0, 0, 1 };

struct node {
	int			 idx;		/* member index; -1: P */
	uint8_t			 sk[KEY_LEN], pk[KEY_LEN];
	struct tun		 tun;
	int			 have_tun;
	struct udp		 udp;
	struct tunnel_local	*local;
	struct peer		*peers[2];	/* mb's, for short */
	struct members		*mb;		/* the member table */
	struct datapath		*dp;
	struct disc		*disc;
	struct event		*ev_udp;
	struct event		*ev_tun;
	struct event		*ev_timer[2];
	/* the NAT in front of its socket (the wrappers below) */
	enum nat_mode		 nat;
	uint16_t		 sent_to[MAXSENT];	/* ports, loopback */
	size_t			 nsent_to;
	uint64_t		 filtered;	/* datagrams it kept out */
};

static struct event_base	*base;
static struct node		 nodes[NNODES];
static struct netconf		 nc;
static struct nc_member		 members[2];
static struct nc_boot		 boot;

/* --- the NATs: recvmmsg, sendmmsg and sendto wrapped (ld --wrap) ------ */

int	__real_recvmmsg(int, struct mmsghdr *, unsigned int, int,
	    struct timespec *);
int	__real_sendmmsg(int, struct mmsghdr *, unsigned int, int);
ssize_t	__real_sendto(int, const void *, size_t, int, const struct sockaddr *,
	    socklen_t);
int	__wrap_recvmmsg(int, struct mmsghdr *, unsigned int, int,
	    struct timespec *);
int	__wrap_sendmmsg(int, struct mmsghdr *, unsigned int, int);
ssize_t	__wrap_sendto(int, const void *, size_t, int, const struct sockaddr *,
	    socklen_t);

static struct node *
node_of(int fd)
{
	int	i;

	for (i = 1; i < NNODES; i++)
		if (nodes[i].udp.fd == fd)
			return &nodes[i];
	return NULL;
}

static uint16_t
port_of(const void *sa)
{
	const struct sockaddr	*s = sa;

	if (s == NULL)
		return 0;
	if (s->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	if (s->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return 0;
}

static void
nat_out(struct node *n, const void *to)
{
	uint16_t	port = port_of(to);
	size_t		i;

	for (i = 0; i < n->nsent_to; i++)
		if (n->sent_to[i] == port)
			return;
	if (n->nsent_to < MAXSENT)
		n->sent_to[n->nsent_to++] = port;
}

static int
nat_in(const struct node *n, const void *from)
{
	uint16_t	port = port_of(from);
	size_t		i;

	switch (n->nat) {
	case NAT_OPEN:
		return 1;
	case NAT_CLOSED:
	case NAT_SYMMETRIC:
		return port == nodes[0].udp.port;
	case NAT_RESTRICTED:
		for (i = 0; i < n->nsent_to; i++)
			if (n->sent_to[i] == port)
				return 1;
		return 0;
	}
	return 0;
}

/* One datagram at a time, so that one kept out leaves no hole. */
int
__wrap_recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags,
    struct timespec *timeout)
{
	struct node	*n = node_of(fd);
	unsigned int	 k = 0;
	socklen_t	 namelen;
	size_t		 ctllen;
	int		 r;

	if (n == NULL || n->nat == NAT_OPEN)
		return __real_recvmmsg(fd, v, vlen, flags, timeout);
	while (k < vlen) {
		namelen = v[k].msg_hdr.msg_namelen;
		ctllen = v[k].msg_hdr.msg_controllen;
		if ((r = __real_recvmmsg(fd, v + k, 1, flags, timeout)) <= 0)
			return k > 0 ? (int)k : r;
		if (nat_in(n, v[k].msg_hdr.msg_name)) {
			k++;
			continue;
		}
		n->filtered++;
		v[k].msg_hdr.msg_namelen = namelen;
		v[k].msg_hdr.msg_controllen = ctllen;
	}
	return (int)k;
}

/* Behind NAT_SYMMETRIC, does a datagram to `to` get lost on the way (to
 * anyone but P)? */
static int
lost_out(const struct node *n, const void *to)
{
	return n->nat == NAT_SYMMETRIC && port_of(to) != nodes[0].udp.port;
}

int
__wrap_sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags)
{
	struct node	*n = node_of(fd);
	unsigned int	 i;
	size_t		 j;

	for (i = 0; n != NULL && i < vlen; i++)
		nat_out(n, v[i].msg_hdr.msg_name);
	if (n == NULL || n->nat != NAT_SYMMETRIC)
		return __real_sendmmsg(fd, v, vlen, flags);
	/* one at a time: those to P go out, the others are lost */
	for (i = 0; i < vlen; i++) {
		if (!lost_out(n, v[i].msg_hdr.msg_name)) {
			if (__real_sendmmsg(fd, v + i, 1, flags) != 1)
				return i > 0 ? (int)i : -1;
			continue;
		}
		v[i].msg_len = 0;
		for (j = 0; j < v[i].msg_hdr.msg_iovlen; j++)
			v[i].msg_len += (unsigned int)
			    v[i].msg_hdr.msg_iov[j].iov_len;
	}
	return (int)vlen;
}

ssize_t
__wrap_sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	struct node	*n = node_of(fd);

	if (n != NULL) {
		nat_out(n, to);
		if (lost_out(n, to))
			return (ssize_t)len;
	}
	return __real_sendto(fd, buf, len, flags, to, tolen);
}

/* --- the daemon's glue, in small ----------------------------------------- */

static void
ptimer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer	*p = arg;
	struct node	*n;
	int		 i;

	(void)fd;
	(void)ev;
	for (i = 0; i < NNODES; i++) {
		n = &nodes[i];
		if (n->idx >= 0 && n->peers[1 - n->idx] == p)
			datapath_peer_timer(n->dp, p, util_mono_ms());
	}
}

static void
h_arm(void *arg, struct peer *p, uint64_t deadline)
{
	struct node	*n = arg;

	evtimer_arm_at(n->ev_timer[p->idx], deadline, util_mono_ms());
}

static void
h_roamed(void *arg, struct peer *p)
{
	struct node	*n = arg;

	if (n->disc != NULL)
		disc_roamed(n->disc, p);
}

static void
h_handshake(void *arg, struct peer *p, uint64_t now)
{
	struct node	*n = arg;

	if (n->disc != NULL)
		disc_handshake(n->disc, p, now);
}

static int
h_relay_send(void *arg, struct peer *p, const struct sockaddr_in6 *via,
    uint8_t *buf, size_t len, size_t segsize)
{
	struct node	*n = arg;

	if (n->disc == NULL)
		return -1;
	return disc_relay_send(n->disc, p, via, buf, len, segsize);
}

static void
h_relayed(void *arg, struct peer *p, const struct sockaddr_in6 *via,
    uint64_t now)
{
	struct node	*n = arg;

	if (n->disc != NULL)
		disc_relayed(n->disc, p, via, now);
}

static void
h_rx_done(void *arg)
{
	struct node	*n = arg;

	if (n->disc != NULL)
		disc_rx_done(n->disc);
}

static const struct dp_hooks hooks = {
	.arm = h_arm,
	.roamed = h_roamed,
	.handshake = h_handshake,
	.relay_send = h_relay_send,
	.relayed = h_relayed,
	.rx_done = h_rx_done,
	/* in use again after a quiet spell: as the daemon does */
	.active = h_handshake,
};

static void
udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct node	*n = arg;

	(void)fd;
	(void)ev;
	datapath_udp_readable(n->dp, util_mono_ms());
}

static void
tun_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct node	*n = arg;

	(void)fd;
	(void)ev;
	datapath_tun_readable(n->dp, util_mono_ms());
}

/* --- setting up ---------------------------------------------------------- */

/* The member table's peers, made as the daemon makes them (with a timer). */
static struct peer *
mb_create(void *arg, const struct nc_member *m, size_t idx)
{
	struct node	*n = arg;
	struct peer	*p;

	if ((p = peer_new(n->local, m, idx)) == NULL)
		return NULL;
	if ((n->ev_timer[idx] = evtimer_new(base, ptimer_cb, p)) == NULL) {
		peer_free(p);
		return NULL;
	}
	return p;
}

static void
mb_destroy(void *arg, struct peer *p)
{
	struct node	*n = arg;

	if (n->ev_timer[p->idx] != NULL)
		event_free(n->ev_timer[p->idx]);
	n->ev_timer[p->idx] = NULL;
	peer_free(p);
}

static const struct members_ops mb_ops = {
	.create = mb_create,
	.destroy = mb_destroy,
};

static void
setup(void)
{
	struct tun_config	 tcfg;
	struct disc_config	 dcfg;
	char			 err[160];
	int			 i, j;

	clock_fake_start(T0, 1700000000000ULL);
	memset(nodes, 0, sizeof(nodes));
	memset(&nc, 0, sizeof(nc));
	memset(members, 0, sizeof(members));
	memset(&boot, 0, sizeof(boot));
	T_ASSERT((base = event_base_new()) != NULL);
	for (i = 0; i < NNODES; i++) {
		struct node	*n = &nodes[i];

		n->idx = i - 1;
		n->udp.fd = -1;
		key_generate(n->sk);
		key_public(n->pk, n->sk);
		T_EQ_INT(udp_open(&n->udp, 0, err, sizeof(err)), 0);
	}
	/* the netconfig: A and B without endpoints, P as the boot node */
	util_strlcpy(nc.name, "loop", sizeof(nc.name));
	util_strlcpy(nc.ns, "test.disc", sizeof(nc.ns));
	nc.subnet = NET;
	nc.prefixlen = 24;
	memcpy(nc.ula_prefix, ula, sizeof(ula));
	for (j = 0; j < 2; j++) {
		snprintf(members[j].hostname, sizeof(members[j].hostname),
		    "%c", 'a' + j);
		memcpy(members[j].key, nodes[j + 1].pk, KEY_LEN);
		members[j].ip4 = NET + 1 + (uint32_t)j;
		memcpy(members[j].ip6, ula, 8);
		members[j].ip6[15] = (uint8_t)(j + 1);
		members[j].line = j + 2;
	}
	nc.members = members;
	nc.nmembers = 2;
	memcpy(boot.key, nodes[0].pk, KEY_LEN);
	util_strlcpy(boot.ep.host, "127.0.0.1", sizeof(boot.ep.host));
	boot.ep.port = nodes[0].udp.port;
	boot.line = 1;
	nc.boots = &boot;
	nc.nboots = 1;

	for (i = 0; i < NNODES; i++) {
		struct node	*n = &nodes[i];

		if (n->idx >= 0) {
			memset(&tcfg, 0, sizeof(tcfg));
			tcfg.mtu = 1420;
			T_EQ_INT(tun_open(&n->tun, &tun_dummy_ops, &tcfg, err,
			    sizeof(err)), 0);
			n->have_tun = 1;
			T_ASSERT((n->local = tunnel_local_new(n->sk, NULL,
			    4)) != NULL);
		}
		/* the member table, as the daemon builds it (P: headless,
		 * empty) */
		n->mb = members_build(&nc, n->idx, NULL, &mb_ops, n, NULL);
		T_ASSERT(n->mb != NULL);
		for (j = 0; j < 2; j++)
			n->peers[j] = members_peer(n->mb, (size_t)j);
		n->dp = datapath_new(n->have_tun ? &n->tun : NULL, &n->udp,
		    n->local, n->mb, 1420, &hooks, n);
		T_ASSERT(n->dp != NULL);
		n->ev_udp = event_new(base, n->udp.fd, EV_READ | EV_PERSIST,
		    udp_cb, n);
		T_ASSERT(n->ev_udp != NULL && event_add(n->ev_udp, NULL) == 0);
		if (n->have_tun) {
			n->ev_tun = event_new(base, n->tun.fd, EV_READ |
			    EV_PERSIST, tun_cb, n);
			T_ASSERT(n->ev_tun != NULL &&
			    event_add(n->ev_tun, NULL) == 0);
		}
		memset(&dcfg, 0, sizeof(dcfg));
		dcfg.base = base;
		dcfg.udp = &n->udp;
		dcfg.dp = n->dp;
		dcfg.sk = n->sk;
		dcfg.pk = n->pk;
		dcfg.nc = &nc;
		dcfg.self = n->idx;
		dcfg.members = n->mb;
		dcfg.netconfig = "loop.netconfig";
		dcfg.lan_off = 1;
		n->disc = disc_new(&dcfg, err, sizeof(err));
		if (n->disc == NULL)
			T_FAIL("disc_new: %s", err);
	}
}

static void
teardown(void)
{
	int	i;

	for (i = NNODES - 1; i >= 0; i--) {
		struct node	*n = &nodes[i];

		disc_free(n->disc);
		datapath_free(n->dp);
		if (n->ev_udp != NULL)
			event_free(n->ev_udp);
		if (n->ev_tun != NULL)
			event_free(n->ev_tun);
		members_free(n->mb, NULL, &mb_ops, n);
		if (n->idx >= 0) {
			tunnel_local_free(n->local);
			tun_close(&n->tun);
		}
		udp_close(&n->udp);
	}
	event_base_free(base);
	base = NULL;
	clock_fake_stop();
}

/* --- running ------------------------------------------------------------- */

/* An IPv4/UDP packet of len bytes from src to dst (host byte order). */
static void
pkt4(uint8_t *p, size_t len, uint32_t src, uint32_t dst, uint8_t mark)
{
	uint32_t	s = htonl(src), d = htonl(dst);

	memset(p, mark, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[6] = 0x40;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
}

/* Is anything left to do at this instant: an active event, or a datagram
 * or packet waiting on a socket or TUN the loop reads? */
static int
busy(void)
{
	struct pollfd	pfd[2 * NNODES];
	int		i, n = 0;

	if (event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE) > 0)
		return 1;
	for (i = 0; i < NNODES; i++) {
		pfd[n].fd = nodes[i].udp.fd;
		pfd[n++].events = POLLIN;
		if (nodes[i].have_tun) {
			pfd[n].fd = nodes[i].tun.fd;
			pfd[n++].events = POLLIN;
		}
	}
	return poll(pfd, (nfds_t)n, 0) > 0;
}

/* Run the loop until nothing is left to do at this instant. */
static void
settle(void)
{
	int	i;

	for (i = 0; i < 100000; i++) {
		(void)event_base_loop(base, EVLOOP_NONBLOCK);
		if (!busy())
			return;
	}
	T_FAIL("the loop does not settle");
}

/* Move the fake clock ms forward, running every timer due on the way. */
static void
run_for(uint64_t ms)
{
	uint64_t	end = util_mono_ms() + ms, at;
	int		i;

	for (i = 0; i < 1000000; i++) {
		settle();
		if (evtimer_fake_next(base, &at) == -1 || at > end)
			break;
		clock_fake_set(at);
		(void)evtimer_fake_fire(base);
	}
	clock_fake_set(end);
	settle();
}

/* Packets of len bytes node n's kernel got; the first byte after the
 * IPv4 header of each is added to marks (when not NULL). */
static int
delivered(int n, size_t len, unsigned *marks)
{
	struct pollfd	pfd;
	uint8_t		buf[2048];
	int		got = 0;

	pfd.fd = nodes[n].tun.peer_fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 0) > 0)
		if (read(nodes[n].tun.peer_fd, buf, sizeof(buf)) ==
		    (ssize_t)len) {
			got++;
			if (marks != NULL)
				marks[buf[28]]++;
		}
	return got;
}

/* Node `from` sends a packet to node `to` (members) every 200 ms of
 * virtual time until to's kernel has one; the virtual ms it took, or -1. */
static int
reaches(int from, int to, int ms)
{
	uint8_t	p[200];
	int	t;

	for (t = 0; t < ms; t += 200) {
		pkt4(p, sizeof(p), NET + (uint32_t)from, NET + (uint32_t)to,
		    (uint8_t)t);
		T_EQ_INT(write(nodes[from].tun.peer_fd, p, sizeof(p)),
		    (ssize_t)sizeof(p));
		run_for(200);
		if (delivered(to, sizeof(p), NULL) > 0)
			return t;
	}
	return -1;
}

static int
a_reaches_b(int ms)
{
	return reaches(1, 2, ms) >= 0;
}

/* Let A and B join the DHT at P and register there. */
static void
join(void)
{
	run_for(1500);
}

#endif
