/* Discovery without root: three nodes' discovery layers (disc.c and all of
 * its glue, the real DHT, tunnel and data path) in one process on one
 * libevent loop, over UDP sockets on 127.0.0.1, on a fake clock. P is a
 * public node (the netconfig's boot node, headless); A and B are members
 * that know only P. Dummy TUNs stand in for the kernel.
 *
 * The clock is fake (clock_fake_*; timers wait on it, evtimer_fake_*): the
 * test moves it from one timer to the next and runs the loop until every
 * datagram on loopback is handled (a datagram takes no time). A NAT stands
 * in front of each member's socket (recvmmsg/sendmmsg/sendto wrapped at
 * link time, nat.am): open, restricted (only from an address:port it sent
 * to: a port-restricted cone) or closed (only from P).
 *
 *	lookup_and_direct	A sends to B: A looks B up in the DHT (B is
 *				registered at P), probes it and takes the
 *				direct path; the packet arrives at B's TUN
 *	punch			B is behind a restricted NAT: A's probes are
 *				filtered until A's PUNCH through P makes B
 *				probe A; then the path is direct
 *	relay_fallback		the same with MESH_TEST_RELAY_ONLY: no direct
 *				path, so A binds at P and the packet goes
 *				through P's relay service
 *	upgrade			B's NAT lets nothing in but P: relayed; then it
 *				opens, and A's background probing moves the
 *				path to direct, with no packet of a steady
 *				stream lost on the way
 *	reload			A reloads its netconfig as the daemon does (a
 *				new member table, swapped into the data path
 *				and discovery by pointer): B's peer and its
 *				discovery state survive, the path with them;
 *				then B leaves (its state goes with its peer)
 *				and comes back (looked up afresh)
 *	roaming			after a direct path, B moves to another port
 *				(a new socket) and sends: A's path follows the
 *				authenticated packet at once, and A's packets
 *				reach B there
 *	roam_behind_symmetric	A port-restricted, B direct with it, both
 *				sending every 50 ms; B moves behind a
 *				symmetric NAT (nothing direct gets through):
 *				within 1.5 s both ways go through P's relay
 *
 * No port mapping, no LAN beacon, no interface addresses
 * (disc_config.lan_off): nothing is sent beyond loopback. */
#include "config.h"

#include "disc-loop.h"

T_TEST(lookup_and_direct)
{
	struct peer	*b;

	unsetenv("MESH_TEST_RELAY_ONLY");
	setup();
	/* let A and B join the DHT at P and register */
	join();
	T_ASSERT(a_reaches_b(20000));
	b = nodes[1].peers[1];
	T_ASSERT(path_usable(&b->path));
	T_ASSERT(!b->path.relayed);
	T_EQ_INT(ntohs(b->path.endpoint.sin6_port), nodes[2].udp.port);
	teardown();
}

T_TEST(punch)
{
	struct peer	*b;

	unsetenv("MESH_TEST_RELAY_ONLY");
	setup();
	nodes[2].nat = NAT_RESTRICTED;
	join();
	T_EQ_INT((int)nodes[2].filtered, 0);	/* P is let in: B wrote first */
	T_ASSERT(a_reaches_b(20000));
	b = nodes[1].peers[1];
	T_ASSERT(path_usable(&b->path));
	T_ASSERT(!b->path.relayed);
	T_EQ_INT(ntohs(b->path.endpoint.sin6_port), nodes[2].udp.port);
	/* A's first probes were kept out: only the punch opened the way */
	T_ASSERT(nodes[2].filtered > 0);
	teardown();
}

T_TEST(relay_fallback)
{
	struct peer	*b;

	setenv("MESH_TEST_RELAY_ONLY", "1", 1);
	setup();
	join();
	T_ASSERT(a_reaches_b(20000));
	b = nodes[1].peers[1];
	T_ASSERT(path_usable(&b->path));
	T_ASSERT(b->path.relayed);
	T_EQ_INT(ntohs(b->path.endpoint.sin6_port), nodes[0].udp.port);
	teardown();
	unsetenv("MESH_TEST_RELAY_ONLY");
}

/* A steady stream from A to B while the path moves from the relay to
 * direct: every packet arrives. */
T_TEST(upgrade)
{
	struct peer	*b;
	unsigned	 marks[256];
	uint8_t		 p[200];
	int		 i, sent = 0, got = 0, t;

	unsetenv("MESH_TEST_RELAY_ONLY");
	setup();
	nodes[2].nat = NAT_CLOSED;
	join();
	T_ASSERT(a_reaches_b(20000));
	b = nodes[1].peers[1];
	T_ASSERT(path_usable(&b->path));
	T_ASSERT(b->path.relayed);
	T_EQ_INT(ntohs(b->path.endpoint.sin6_port), nodes[0].udp.port);
	(void)delivered(2, sizeof(p), NULL);
	/* B's NAT opens; A probes again within NATPATH_RETRY_MS */
	nodes[2].nat = NAT_OPEN;
	memset(marks, 0, sizeof(marks));
	for (t = 0; t < 2 * NATPATH_RETRY_MS && (b->path.relayed ||
	    sent < 100); t += 100) {
		pkt4(p, sizeof(p), NET + 1, NET + 2, (uint8_t)sent);
		T_EQ_INT(write(nodes[1].tun.peer_fd, p, sizeof(p)),
		    (ssize_t)sizeof(p));
		sent++;
		run_for(100);
		got += delivered(2, sizeof(p), marks);
		if (sent == 250)
			break;
	}
	T_ASSERT(!b->path.relayed);
	T_EQ_INT(ntohs(b->path.endpoint.sin6_port), nodes[2].udp.port);
	/* none lost, none twice (marks wrap at 256; fewer were sent) */
	T_EQ_INT(got, sent);
	for (i = 0; i < sent; i++)
		T_EQ_INT((int)marks[i], 1);
	teardown();
}

/* A reloads nc with its first nmembers members (daemon_reload's steps). */
static void
reload_a(size_t nmembers)
{
	struct node	*n = &nodes[1];
	struct netconf	 nc2 = nc;
	struct members	*mb, *old = n->mb;
	int		 j;

	nc2.nmembers = nmembers;
	T_ASSERT((mb = members_build(&nc2, n->idx, old, &mb_ops, n,
	    NULL)) != NULL);
	n->mb = mb;
	datapath_set_peers(n->dp, mb);
	disc_set_peers(n->disc, &nc2, mb);
	members_free(old, mb, &mb_ops, n);
	for (j = 0; j < 2; j++)
		n->peers[j] = members_peer(mb, (size_t)j);
}

T_TEST(reload)
{
	struct peer	*b;

	unsetenv("MESH_TEST_RELAY_ONLY");
	setup();
	join();
	T_ASSERT(a_reaches_b(20000));
	b = nodes[1].peers[1];
	T_ASSERT(path_usable(&b->path) && !b->path.relayed);
	/* the same members: B's peer, its discovery state, its path stay */
	reload_a(2);
	T_ASSERT(nodes[1].peers[1] == b);
	T_ASSERT(b->path.nat != NULL);
	T_ASSERT(path_usable(&b->path) && !b->path.relayed);
	T_EQ_INT(reaches(1, 2, 200), 0);	/* at once */
	/* B leaves A's netconfig, and comes back */
	reload_a(1);
	T_ASSERT(nodes[1].peers[1] == NULL);
	T_EQ_INT(reaches(1, 2, 1000), -1);
	reload_a(2);
	b = nodes[1].peers[1];
	T_ASSERT(b != NULL && b->path.nat != NULL);
	T_ASSERT(a_reaches_b(20000));
	T_ASSERT(path_usable(&b->path) && !b->path.relayed);
	teardown();
}

/* B moves: its datagrams leave from another port (its NAT mapping
 * changed). A new socket takes the old one's descriptor, so that
 * everything holding B's struct udp (its handlers: the DHT, the NAT
 * messages) goes on as the daemon's would. */
static void
move_b(void)
{
	struct node	*nb = &nodes[2];
	struct udp	 fresh;
	char		 err[160];

	memset(&fresh, 0, sizeof(fresh));
	fresh.fd = -1;
	event_free(nb->ev_udp);
	T_EQ_INT(udp_open(&fresh, 0, err, sizeof(err)), 0);
	T_ASSERT(fresh.port != nb->udp.port);
	T_ASSERT(dup2(fresh.fd, nb->udp.fd) == nb->udp.fd);
	nb->udp.port = fresh.port;
	udp_close(&fresh);
	nb->ev_udp = event_new(base, nb->udp.fd, EV_READ | EV_PERSIST,
	    udp_cb, nb);
	T_ASSERT(nb->ev_udp != NULL && event_add(nb->ev_udp, NULL) == 0);
}

T_TEST(roaming)
{
	struct node	*nb = &nodes[2];
	struct peer	*b;

	unsetenv("MESH_TEST_RELAY_ONLY");
	setup();
	join();
	T_ASSERT(a_reaches_b(20000));
	b = nodes[1].peers[1];
	T_ASSERT(!b->path.relayed);
	move_b();
	/* B's packet to A comes from there: A follows it */
	T_ASSERT(reaches(2, 1, 10000) >= 0);
	T_EQ_INT(ntohs(b->path.endpoint.sin6_port), nb->udp.port);
	T_ASSERT(!b->path.relayed);
	T_ASSERT(a_reaches_b(10000));
	teardown();
}

/* A and B send to each other every 50 ms for ms: the longest time
 * (virtual) that either kernel went without a packet, counted from when
 * the function started. */
static uint64_t
pingpong(uint64_t ms)
{
	uint8_t		p[200];
	uint64_t	start = util_mono_ms(), now, last[2], gap = 0;
	int		i, k;

	last[0] = last[1] = start;
	for (now = start; now - start < ms;) {
		for (i = 1; i <= 2; i++) {
			pkt4(p, sizeof(p), NET + (uint32_t)i,
			    NET + (uint32_t)(3 - i), 0x55);
			T_EQ_INT(write(nodes[i].tun.peer_fd, p, sizeof(p)),
			    (ssize_t)sizeof(p));
		}
		run_for(50);
		now = util_mono_ms();
		for (k = 0; k < 2; k++) {
			if (delivered(k + 1, sizeof(p), NULL) == 0)
				continue;
			if (now - last[k] > gap)
				gap = now - last[k];
			last[k] = now;
		}
	}
	for (k = 0; k < 2; k++)
		if (now - last[k] > gap)
			gap = now - last[k];
	return gap;
}

/* Issue 11's hardest roam (mesh-roam.sh's last round, here on a fake
 * clock): A is behind a port-restricted NAT, B on a direct path with it;
 * B moves behind a symmetric NAT mid-stream, so that nothing direct gets
 * through either way any more. Traffic resumes through P's relay within
 * 1.5 s, both ways. */
T_TEST(roam_behind_symmetric)
{
	struct peer	*a, *b;
	uint64_t	 gap;

	unsetenv("MESH_TEST_RELAY_ONLY");
	setup();
	nodes[1].nat = NAT_RESTRICTED;
	join();
	T_ASSERT(a_reaches_b(20000));
	b = nodes[1].peers[1];
	a = nodes[2].peers[0];
	T_ASSERT(!b->path.relayed);
	T_ASSERT(pingpong(3000) <= 100);	/* steady, direct */
	T_ASSERT(!b->path.relayed && !a->path.relayed);
	move_b();
	nodes[2].nat = NAT_SYMMETRIC;
	gap = pingpong(8000);
	printf("# roam behind a symmetric NAT: longest gap %llu ms\n",
	    (unsigned long long)gap);
	T_ASSERT(gap <= 1500);
	T_ASSERT(b->path.relayed);
	T_ASSERT(a->path.relayed);
	teardown();
}

int
main(void)
{
	setenv("MESH_PORTMAP", "off", 1);
	T_RUN(lookup_and_direct);
	T_RUN(punch);
	T_RUN(relay_fallback);
	T_RUN(upgrade);
	T_RUN(reload);
	T_RUN(roaming);
	T_RUN(roam_behind_symmetric);
	return t_done();
}
