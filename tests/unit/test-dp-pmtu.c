/* Path MTU in the data path (datapath-pmtu.c), end to end in one process
 * as test-datapath.c (the same harness): probes and their acks through
 * the tunnel, a narrower path (as ICMP reports it) bounding what goes out
 * (too big into the TUN, padding, the TSO split, the MSS clamp), packets
 * that must get through anyway. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/datapath.h"
#include "datapath/pmtu.h"
#include "netconf/keys.h"
#include "datapath/offload.h"
#include "datapath/peer.h"
#include "datapath/members.h"
#include "datapath/route.h"
#include "os/tun.h"
#include "tunnel/tunnel.h"
#include "datapath/udp.h"
#include "common/util.h"
#include "tunnel/wire.h"
#include "t.h"

#include "dp-harness.h"

/* An IPv4 TCP SYN with an MSS option of mss, DF set. */
static size_t
syn4(uint8_t *p, unsigned mss)
{
	uint32_t	sum = 0;
	size_t		i;

	pkt4(p, 44, NET + 1, NET + 2, 0);
	p[9] = 6;
	memset(p + 20, 0, 24);
	p[20] = 0x13; p[21] = 0x88;	/* ports */
	p[23] = 80;
	p[32] = 6 << 4;			/* data offset: 24 bytes */
	p[33] = 0x02;			/* SYN */
	p[34] = 0xff; p[35] = 0xff;	/* window */
	p[40] = 2; p[41] = 4;		/* MSS option */
	p[42] = (uint8_t)(mss >> 8); p[43] = (uint8_t)mss;
	/* IP header checksum, then TCP's over the pseudo-header */
	p[10] = p[11] = 0;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8); p[11] = (uint8_t)~sum;
	sum = 6 + 24;
	for (i = 12; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	for (i = 20; i < 44; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[36] = (uint8_t)(~sum >> 8); p[37] = (uint8_t)~sum;
	return 44;
}

/* Bring the session up with one small packet from 0 to 1; then the
 * probes of the first search have gone out and been answered. */
static void
session(void)
{
	uint8_t		p[200], got[2000];

	pkt4(p, 100, NET + 1, NET + 2, 1);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100), 100);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 100);
	/* the probes went with the first packet on the session */
	datapath_peer_timer(nodes[0].dp, nodes[0].peers[1], util_mono_ms());
	pump();
}

T_TEST(probes_answered)
{
	struct peer	*p;
	uint8_t		 got[2000];
	uint64_t	 mtu, inner;
	char		 src[32];

	setup();
	session();
	p = nodes[0].peers[1];
	T_ASSERT(p->pmtu_on);
	/* loopback carries everything: the ceiling (1420 inner over IPv4)
	 * confirmed by a probe */
	T_ASSERT(p->pmtu.nprobe > 0);
	T_ASSERT(p->pmtu.nack > 0);
	datapath_peer_mtu(p, &mtu, &inner, src, sizeof(src));
	T_EQ_INT(mtu, 1480);
	T_EQ_INT(inner, 1420);
	T_EQ_STR(src, "probe");
	/* probes and acks never reach the TUNs; none was dropped */
	T_EQ_INT(delivered(1, got, sizeof(got)), 0);
	T_EQ_INT(delivered(0, got, sizeof(got)), 0);
	T_EQ_INT(nodes[1].peers[0]->drops[PEER_DROP_MALFORMED], 0);
	T_EQ_INT(nodes[0].peers[1]->drops[PEER_DROP_MALFORMED], 0);
	teardown();
}

T_TEST(narrow_path)
{
	uint8_t		 p[3000], got[3000];
	struct peer	*pe;
	uint64_t	 now, tx;
	size_t		 n;

	setup();
	session();
	pe = nodes[0].peers[1];
	/* a router says 1400: inner 1400 - 60 = 1340 */
	now = util_mono_ms();
	pmtu_icmp(&pe->pmtu, 1400, now);
	datapath_peer_timer(nodes[0].dp, pe, now);
	T_EQ_INT(pe->inner_mtu, 1340);
	/* a full-size packet with DF: "too big" with the path's size */
	pkt4(p, 1420, NET + 1, NET + 2, 7);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 1420), 1420);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_EQ_INT(delivered(0, got, sizeof(got)), 576);	/* RFC 1812 */
	T_EQ_INT(got[20], 3);		/* destination unreachable */
	T_EQ_INT(got[21], 4);		/* fragmentation needed */
	T_EQ_INT(got[26] << 8 | got[27], 1340);
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 0);
	/* what fits goes through (padding stops at the path's size) */
	pkt4(p, 1340, NET + 1, NET + 2, 8);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 1340), 1340);
	pkt4(p, 1337, NET + 1, NET + 2, 9);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 1337), 1337);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 1340);
	T_EQ_INT(delivered(1, got, sizeof(got)), 1337);
	/* without DF: no "too big" is possible, it goes in two pieces */
	pkt4(p, 1420, NET + 1, NET + 2, 10);
	p[6] = 0;
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 1420), 1420);
	tx = datapath_counters(nodes[0].dp)->tx_packets;
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_EQ_INT(datapath_counters(nodes[0].dp)->tx_packets - tx, 2);
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 1420);
	T_EQ_MEM(got, p, 1420);
	/* a SYN's MSS is clamped to what the path carries, both ways */
	n = syn4(p, 1380);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, n), (ssize_t)n);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), (ssize_t)n);
	T_EQ_INT(got[42] << 8 | got[43], 1300);
	teardown();
}

/* An IPv6/UDP packet of len bytes from member 0 to member 1. */
static void
pkt6(uint8_t *p, size_t len, uint8_t mark)
{
	memset(p, mark, len);
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 17;
	p[7] = 64;
	memcpy(p + 8, ula, 8);
	p[23] = 1;
	memcpy(p + 24, ula, 8);
	p[39] = 2;
}

/* IPv6 guarantees 1280 bytes end to end: a path narrower than that (1280
 * outer over IPv4 carries 1220 inner) still carries them, in pieces, and
 * bigger ones get a "too big" of 1280. */
T_TEST(ipv6_minimum_in_pieces)
{
	uint8_t		 p[3000], got[3000];
	struct peer	*pe;
	uint64_t	 now, tx;
	size_t		 len;

	setup();
	session();
	pe = nodes[0].peers[1];
	now = util_mono_ms();
	pmtu_icmp(&pe->pmtu, 1280, now);
	datapath_peer_timer(nodes[0].dp, pe, now);
	T_EQ_INT(pe->inner_mtu, 1220);
	for (len = 1221; len <= 1280; len += 59) {
		pkt6(p, len, (uint8_t)len);
		T_EQ_INT(write(nodes[0].tun.peer_fd, p, len), (ssize_t)len);
		tx = datapath_counters(nodes[0].dp)->tx_packets;
		datapath_tun_readable(nodes[0].dp, util_mono_ms());
		T_EQ_INT(datapath_counters(nodes[0].dp)->tx_packets - tx, 2);
		T_EQ_INT(delivered(0, got, sizeof(got)), 0);	/* no error */
		pump();
		T_EQ_INT(delivered(1, got, sizeof(got)), (ssize_t)len);
		T_EQ_MEM(got, p, len);
	}
	/* what fits goes whole */
	pkt6(p, 1220, 3);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 1220), 1220);
	tx = datapath_counters(nodes[0].dp)->tx_packets;
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_EQ_INT(datapath_counters(nodes[0].dp)->tx_packets - tx, 1);
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 1220);
	/* over 1280: "too big" with 1280, IPv6's least */
	pkt6(p, 1400, 4);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 1400), 1400);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_EQ_INT(delivered(0, got, sizeof(got)), 1280);
	T_EQ_INT(got[40], 2);		/* ICMPv6 packet too big */
	T_EQ_INT(got[44] << 24 | got[45] << 16 | got[46] << 8 | got[47],
	    1280);
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 0);
	/* a forged piece of a member's (it cannot forge the tunnel) would
	 * be malformed: the receiver counts, it does not crash; checked in
	 * test-frag.c */
	teardown();
}

T_TEST(narrow_path_tso)
{
	static uint8_t		p[70000], got[70000];
	struct tun_pktinfo	pi;
	struct peer		*pe;
	uint64_t		tx, now, ps;
	size_t			len, total = 0;
	ssize_t			n;

	setup_with(1);
	memset(&pi, 0, sizeof(pi));
	memcpy(p, &pi, sizeof(pi));
	pkt4(p + sizeof(pi), 100, NET + 1, NET + 2, 1);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, sizeof(pi) + 100),
	    (ssize_t)sizeof(pi) + 100);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_ASSERT(delivered(1, got, sizeof(got)) > 0);
	pe = nodes[0].peers[1];
	now = util_mono_ms();
	pmtu_icmp(&pe->pmtu, 1400, now);
	datapath_peer_timer(nodes[0].dp, pe, now);
	T_EQ_INT(pe->inner_mtu, 1340);
	/* 26000 bytes in 1380-byte segments: split at 1300 instead (20
	 * datagrams), and the sender told */
	len = 40 + 26000;
	pkt4(p + sizeof(pi), len, NET + 1, NET + 2, 0);
	p[sizeof(pi) + 9] = 6;
	p[sizeof(pi) + 32] = 5 << 4;
	p[sizeof(pi) + 33] = 0x10;
	ps = 0;
	(void)ps;
	pi.gso_type = OFFLOAD_GSO_TCPV4;
	pi.hdr_len = 40;
	pi.gso_size = 1380;
	memcpy(p, &pi, sizeof(pi));
	tx = datapath_counters(nodes[0].dp)->tx_packets;
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, sizeof(pi) + len),
	    (ssize_t)(sizeof(pi) + len));
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_ASSERT(datapath_counters(nodes[0].dp)->tx_packets - tx >= 20);
	n = delivered(0, got, sizeof(got));	/* the "too big" */
	T_ASSERT(n > (ssize_t)sizeof(pi) + 20);
	T_EQ_INT(got[sizeof(pi) + 20], 3);
	pump();
	while ((n = delivered(1, got, sizeof(got))) > 0)
		total += (size_t)n - sizeof(pi) - 40;
	T_EQ_INT(total, 26000);
	teardown();
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	unsetenv("MESH_TEST_NO_PMTU");
	T_RUN(probes_answered);
	T_RUN(narrow_path);
	T_RUN(ipv6_minimum_in_pieces);
	T_RUN(narrow_path_tso);
	return t_done();
}
