/* The dummy TUN backend and the UDP socket over loopback. */
#include "config.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "os/tun.h"
#include "datapath/udp.h"
#include "t.h"

T_TEST(tun_dummy_round_trip)
{
	struct tun_config	cfg;
	struct tun		t;
	struct tun_pktinfo	pi;
	char			err[128];
	uint8_t			buf[2000], pkt[1500];
	size_t			i;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.ifname, "mesh-test");
	cfg.mtu = 1420;
	cfg.ip4 = 0x0a2a0001U;
	cfg.prefixlen4 = 24;
	T_EQ_INT(tun_open(&t, &tun_dummy_ops, &cfg, err, sizeof(err)), 0);
	T_EQ_STR(t.ifname, "mesh-test");
	T_EQ_INT(t.cfg.mtu, 1420);
	T_EQ_INT(tun_read(&t, buf, sizeof(buf), &pi), 0);	/* nothing waits */
	for (i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
	/* "Outgoing" packets keep their boundaries. */
	T_EQ_INT(write(t.peer_fd, pkt, 100), 100);
	T_EQ_INT(write(t.peer_fd, pkt, 1500), 1500);
	T_EQ_INT(tun_read(&t, buf, sizeof(buf), &pi), 100);
	T_EQ_MEM(buf, pkt, 100);
	T_EQ_INT(tun_read(&t, buf, sizeof(buf), &pi), 1500);
	T_EQ_MEM(buf, pkt, 1500);
	T_EQ_INT(pi.gso_type, 0);
	T_EQ_INT(tun_read(&t, buf, sizeof(buf), &pi), 0);
	/* A packet larger than the buffer is an error, not a short read. */
	T_EQ_INT(write(t.peer_fd, pkt, 1500), 1500);
	T_EQ_INT(tun_read(&t, buf, 1000, &pi), -1);
	/* Delivered packets. */
	T_EQ_INT(tun_write(&t, pkt, 60, NULL), 0);
	T_EQ_INT(read(t.peer_fd, buf, sizeof(buf)), 60);
	T_EQ_MEM(buf, pkt, 60);
	tun_close(&t);
	T_EQ_INT(t.fd, -1);
}

static int	got_len, got_type;

static void
handler(void *arg, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	got_len = (int)len;
	got_type = pkt[0];
	*(int *)arg += 1;
}

static void
loopback(struct sockaddr_in6 *to, uint16_t port)
{
	memset(to, 0, sizeof(*to));
	to->sin6_family = AF_INET6;
	to->sin6_port = htons(port);
	to->sin6_addr.s6_addr[10] = 0xff;
	to->sin6_addr.s6_addr[11] = 0xff;
	to->sin6_addr.s6_addr[12] = 127;
	to->sin6_addr.s6_addr[15] = 1;
}

static int
wait_readable(int fd)
{
	struct pollfd	p = { fd, POLLIN, 0 };

	return poll(&p, 1, 2000);
}

T_TEST(udp_batches)
{
	static struct udp	a, b;
	struct udp_msg		m[8], r[UDP_BATCH];
	static uint8_t		bufs[8][100], rbufs[UDP_BATCH][64];
	char			err[128], s[UDP_ADDRSTRLEN], want[32];
	int			i, n, got = 0;

	T_EQ_INT(udp_open(&a, 0, err, sizeof(err)), 0);
	T_EQ_INT(udp_open(&b, 0, err, sizeof(err)), 0);
	T_ASSERT(a.port != 0 && b.port != 0 && a.port != b.port);
	for (i = 0; i < 8; i++) {
		memset(bufs[i], i, sizeof(bufs[i]));
		m[i].buf = bufs[i];
		m[i].cap = sizeof(bufs[i]);
		m[i].len = 10 + (size_t)i;
		loopback(&m[i].addr, b.port);
	}
	m[7].len = 100;			/* longer than the receive buffers */
	T_EQ_INT(udp_send_batch(&a, m, 8), 0);
	for (i = 0; i < UDP_BATCH; i++) {
		r[i].buf = rbufs[i];
		r[i].cap = sizeof(rbufs[i]);
	}
	while (got < 8 && wait_readable(b.fd) > 0) {
		n = udp_recv_batch(&b, r + got, (unsigned)(UDP_BATCH - got));
		T_ASSERT(n > 0);
		if (n <= 0)
			break;
		got += n;
	}
	T_EQ_INT(got, 8);
	for (i = 0; i < 7; i++) {
		T_EQ_INT(r[i].len, 10 + i);
		T_EQ_INT(r[i].buf[0], i);
	}
	T_ASSERT(r[7].len > r[7].cap);	/* truncated: the caller drops it */
	snprintf(want, sizeof(want), "127.0.0.1:%u", a.port);
	T_EQ_STR(udp_addr_fmt(&r[0].addr, s, sizeof(s)), want);
	udp_close(&a);
	udp_close(&b);
}

/* A "port unreachable" for one datagram (a node that went away) must not
 * cost the next datagram to someone else, nor a receive: with IP_RECVERR
 * the kernel reports it on whatever call comes next. */
T_TEST(udp_icmp_error_costs_nothing)
{
	static struct udp	a, b, gone;
	struct udp_msg		m, r;
	static uint8_t		buf[32], rbuf[64];
	char			err[128];
	uint16_t		dead;

	T_EQ_INT(udp_open(&a, 0, err, sizeof(err)), 0);
	T_EQ_INT(udp_open(&b, 0, err, sizeof(err)), 0);
	T_EQ_INT(udp_open(&gone, 0, err, sizeof(err)), 0);
	dead = gone.port;
	udp_close(&gone);		/* nobody listens there any more */
	memset(buf, 7, sizeof(buf));
	m.buf = buf;
	m.cap = sizeof(buf);
	m.len = sizeof(buf);
	m.segsize = 0;
	loopback(&m.addr, dead);
	(void)udp_send_batch(&a, &m, 1);
	usleep(50000);			/* the ICMP error comes back */
	loopback(&m.addr, b.port);
	T_EQ_INT(udp_send_batch(&a, &m, 1), 0);
	T_ASSERT(wait_readable(b.fd) > 0);
	r.buf = rbuf;
	r.cap = sizeof(rbuf);
	T_EQ_INT(udp_recv_batch(&b, &r, 1), 1);
	T_EQ_INT(r.len, sizeof(buf));
	/* and a receive after another such error: nothing, not a failure */
	loopback(&m.addr, dead);
	(void)udp_send_batch(&a, &m, 1);
	usleep(50000);
	T_EQ_INT(udp_recv_batch(&a, &r, 1), 0);
	T_EQ_INT(udp_send(&a, buf, sizeof(buf), &r.addr), 0);
	udp_close(&a);
	udp_close(&b);
}

T_TEST(udp_dispatch_ranges)
{
	static struct udp	u;
	struct sockaddr_in6	from;
	uint8_t			pkt[4] = { 0x15, 1, 2, 3 };
	int			calls = 0, other = 0;

	memset(&u, 0, sizeof(u));
	loopback(&from, 9);
	T_EQ_INT(udp_register(&u, 0x10, 0x1f, handler, &calls), 0);
	T_EQ_INT(udp_register(&u, 0x1f, 0x20, handler, &other), -1);
	T_EQ_INT(udp_register(&u, 0x20, 0x2f, handler, &other), 0);
	T_EQ_INT(udp_dispatch(&u, pkt, 4, &from, 0), 0);
	T_EQ_INT(calls, 1);
	T_EQ_INT(got_len, 4);
	T_EQ_INT(got_type, 0x15);
	pkt[0] = 0x2f;
	T_EQ_INT(udp_dispatch(&u, pkt, 4, &from, 0), 0);
	T_EQ_INT(other, 1);
	pkt[0] = 0x30;
	T_EQ_INT(udp_dispatch(&u, pkt, 4, &from, 0), -1);
	T_EQ_INT(udp_dispatch(&u, pkt, 0, &from, 0), -1);
	T_EQ_INT(udp_register(&u, 0x10, 0x1f, NULL, NULL), 0);
	pkt[0] = 0x10;
	T_EQ_INT(udp_dispatch(&u, pkt, 4, &from, 0), -1);
	T_EQ_INT(calls, 1);
}

T_TEST(udp_addr_helpers)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	a, b;
	char			s[UDP_ADDRSTRLEN];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(6374);
	sin.sin_addr.s_addr = htonl(0xc0000201U);
	T_EQ_INT(udp_addr_from(&a, (struct sockaddr *)&sin, sizeof(sin)), 0);
	T_EQ_STR(udp_addr_fmt(&a, s, sizeof(s)), "192.0.2.1:6374");
	memset(&b, 0, sizeof(b));
	b.sin6_family = AF_INET6;
	b.sin6_port = htons(1);
	b.sin6_addr.s6_addr[0] = 0x20;
	b.sin6_addr.s6_addr[1] = 0x01;
	b.sin6_addr.s6_addr[2] = 0x0d;
	b.sin6_addr.s6_addr[3] = 0xb8;
	b.sin6_addr.s6_addr[15] = 1;
	T_EQ_STR(udp_addr_fmt(&b, s, sizeof(s)), "[2001:db8::1]:1");
	T_ASSERT(!udp_addr_equal(&a, &b));
	T_ASSERT(udp_addr_equal(&a, &a));
}

int
main(void)
{
	T_RUN(tun_dummy_round_trip);
	T_RUN(udp_batches);
	T_RUN(udp_icmp_error_costs_nothing);
	T_RUN(udp_dispatch_ranges);
	T_RUN(udp_addr_helpers);
	return t_done();
}
