/* The data path harness test-datapath.c and test-dp-pmtu.c share: two
 * nodes in one process, each with a dummy TUN (socket pair), a real UDP
 * socket on loopback and a real tunnel; the test plays the kernel on both
 * TUN ends and calls the event handlers the daemon would call. Included
 * once by each test program. */
#ifndef MESH_TEST_DP_HARNESS_H
#define MESH_TEST_DP_HARNESS_H

#define NET	0x0a2a0000U

static const uint8_t ula[8] = { 0xfd, 0, 0, 0, 0, 0, 0, 1 };

struct node {
	uint8_t			 sk[KEY_LEN];
	struct nc_member	 m;
	struct tun		 tun;
	struct udp		 udp;
	struct tunnel_local	*local;
	struct route		 route;
	struct peer		*peers[3];
	struct members		 mb;		/* peers and route as a table */
	struct datapath		*dp;
	uint64_t		 armed;
};

static struct node	nodes[3];	/* 0: a, 1: b, 2: c (not a member) */

static void
arm(void *arg, struct peer *p, uint64_t deadline)
{
	((struct node *)arg)->armed = deadline;
}

static const struct dp_hooks hooks = { .arm = arm };
static const struct dp_hooks *use_hooks = &hooks;

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

/* Nodes 0 and 1 are members 0 and 1 and know each other's endpoint. With
 * offload, the dummy TUNs carry a struct tun_pktinfo before each packet. */
static void
setup_with(int offload)
{
	struct tun_config	cfg;
	struct sockaddr_in6	ep;
	char			err[128];
	int			i, j;

	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < 2; i++) {
		struct node	*n = &nodes[i];

		key_generate(n->sk);
		key_public(n->m.key, n->sk);
		n->m.ip4 = NET + 1 + (uint32_t)i;
		memcpy(n->m.ip6, ula, 8);
		n->m.ip6[15] = (uint8_t)(i + 1);
		memset(&cfg, 0, sizeof(cfg));
		cfg.mtu = 1420;
		cfg.offload = offload;
		T_EQ_INT(tun_open(&n->tun, &tun_dummy_ops, &cfg, err,
		    sizeof(err)), 0);
		T_EQ_INT(udp_open(&n->udp, 0, err, sizeof(err)), 0);
		T_ASSERT((n->local = tunnel_local_new(n->sk, NULL, 4)) != NULL);
		T_EQ_INT(route_init(&n->route, 2, NET, 24, ula), 0);
	}
	for (i = 0; i < 2; i++) {
		struct node	*n = &nodes[i];

		for (j = 0; j < 2; j++) {
			route_add4(&n->route, nodes[j].m.ip4, j);
			route_add6(&n->route, nodes[j].m.ip6, j);
			if (j == i)
				continue;
			n->peers[j] = peer_new(n->local, &nodes[j].m,
			    (size_t)j);
			T_ASSERT(n->peers[j] != NULL);
			loopback(&ep, nodes[j].udp.port);
			path_configure(&n->peers[j]->path, &ep);
		}
		n->mb.peer = n->peers;
		n->mb.n = 2;
		n->mb.self = i;
		n->mb.route = n->route;
		n->dp = datapath_new(&n->tun, &n->udp, n->local, &n->mb,
		    1420, use_hooks, n);
		T_ASSERT(n->dp != NULL);
	}
}

static void
setup(void)
{
	setup_with(0);
}

static void
teardown(void)
{
	int	i, j;

	for (i = 0; i < 2; i++) {
		struct node	*n = &nodes[i];

		datapath_free(n->dp);
		for (j = 0; j < 2; j++)
			peer_free(n->peers[j]);
		route_free(&n->route);
		tunnel_local_free(n->local);
		tun_close(&n->tun);
		udp_close(&n->udp);
	}
}

/* An IPv4/UDP packet of len bytes from src to dst (host byte order). */
static void
pkt4(uint8_t *p, size_t len, uint32_t src, uint32_t dst, uint8_t mark)
{
	uint32_t	s = htonl(src), d = htonl(dst);

	memset(p, mark, len);
	p[0] = 0x45;
	p[1] = 0;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[6] = 0x40;
	p[7] = 0;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
}

static int
readable(int fd, int ms)
{
	struct pollfd	p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) > 0;
}

/* Let UDP traffic settle: run both nodes' receive handlers until quiet. */
static void
pump(void)
{
	int	i, busy = 1, rounds = 0;

	while (busy && rounds++ < 50) {
		busy = 0;
		for (i = 0; i < 2; i++) {
			if (readable(nodes[i].udp.fd, 20)) {
				datapath_udp_readable(nodes[i].dp,
				    util_mono_ms());
				busy = 1;
			}
		}
	}
}

/* What node n's kernel receives from its TUN: length, or 0 if nothing. */
static ssize_t
delivered(int n, uint8_t *buf, size_t len)
{
	if (!readable(nodes[n].tun.peer_fd, 50))
		return 0;
	return read(nodes[n].tun.peer_fd, buf, len);
}

#endif
