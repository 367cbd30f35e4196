/* The data path end to end in one process: two nodes, each with a dummy
 * TUN (socket pair), a real UDP socket on loopback and a real tunnel; the
 * test plays the kernel on both TUN ends and calls the event handlers the
 * daemon would call. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/datapath.h"
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

T_TEST(handshake_then_data)
{
	uint8_t		p[1500], got[2000];
	int		i;

	setup();
	/* Three packets before any session: staged, then sent. */
	for (i = 0; i < 3; i++) {
		pkt4(p, 100 + (size_t)i, NET + 1, NET + 2, (uint8_t)i);
		T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100 + (size_t)i),
		    100 + i);
	}
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_EQ_INT(nodes[0].peers[1]->nstaged, 3);
	T_ASSERT(nodes[0].armed != 0);		/* retransmit timer */
	pump();
	T_EQ_INT(nodes[0].peers[1]->nstaged, 0);
	for (i = 0; i < 3; i++) {
		T_EQ_INT(delivered(1, got, sizeof(got)), 100 + i);
		T_EQ_INT(got[50], i);
	}
	/* Now a session: a full-size packet both ways. */
	pkt4(p, 1420, NET + 1, NET + 2, 7);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 1420), 1420);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 1420);
	T_EQ_MEM(got, p, 1420);
	pkt4(p, 60, NET + 2, NET + 1, 8);
	T_EQ_INT(write(nodes[1].tun.peer_fd, p, 60), 60);
	datapath_tun_readable(nodes[1].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(0, got, sizeof(got)), 60);
	T_EQ_MEM(got, p, 60);
	T_EQ_INT(datapath_counters(nodes[1].dp)->drops[DP_DROP_TUNNEL], 0);
	teardown();
}

T_TEST(spoofed_source_dropped)
{
	uint8_t		p[200], got[2000];

	setup();
	pkt4(p, 100, NET + 1, NET + 2, 1);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100), 100);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 100);
	/* Member 0 sends as member 1 (to itself) and as an outsider. */
	pkt4(p, 100, NET + 2, NET + 2, 2);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100), 100);
	pkt4(p, 100, NET + 77, NET + 2, 3);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100), 100);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 0);
	T_EQ_INT(nodes[1].peers[0]->drops[PEER_DROP_SPOOFED], 2);
	teardown();
}

T_TEST(unknown_destination_and_too_big)
{
	uint8_t		p[3000], got[3000];
	ssize_t		n;

	setup();
	/* 10.42.0.9 has no member: an ICMP host unreachable comes back. */
	pkt4(p, 100, NET + 1, NET + 9, 1);
	p[9] = 1;		/* ICMP echo request */
	p[20] = 8;
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100), 100);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	n = delivered(0, got, sizeof(got));
	T_EQ_INT(n, 20 + 8 + 100);
	T_EQ_INT(got[20], 3);
	T_EQ_INT(got[21], 1);
	T_EQ_INT(datapath_counters(nodes[0].dp)->drops[DP_DROP_NO_ROUTE], 1);
	/* Over the MTU with DF: fragmentation needed, MTU 1420. */
	pkt4(p, 2000, NET + 1, NET + 2, 1);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 2000), 2000);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	n = delivered(0, got, sizeof(got));
	T_EQ_INT(n, 576);
	T_EQ_INT(got[21], 4);
	T_EQ_INT(got[26] << 8 | got[27], 1420);
	/* Multicast and garbage: dropped silently. */
	pkt4(p, 100, NET + 1, 0xe0000001U, 1);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100), 100);
	T_EQ_INT(write(nodes[0].tun.peer_fd, "\x00\x01", 2), 2);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_EQ_INT(delivered(0, got, sizeof(got)), 0);
	T_EQ_INT(datapath_counters(nodes[0].dp)->drops[DP_DROP_MCAST], 1);
	T_EQ_INT(datapath_counters(nodes[0].dp)->drops[DP_DROP_MALFORMED], 1);
	teardown();
}

T_TEST(roaming_and_junk)
{
	struct sockaddr_in6	from;
	struct udp		other;
	uint8_t			p[200], got[2000], junk[64];
	char			err[128];
	int			i;

	setup();
	pkt4(p, 100, NET + 1, NET + 2, 1);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 100), 100);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 100);
	/* Node 1 moves to another socket (a new address and port). */
	T_EQ_INT(udp_open(&other, 0, err, sizeof(err)), 0);
	udp_close(&nodes[1].udp);
	nodes[1].udp.fd = other.fd;
	nodes[1].udp.port = other.port;
	/* Junk from the new place first: no roaming on unauthenticated
	 * packets, nothing delivered, nothing crashes. */
	loopback(&from, nodes[0].udp.port);
	for (i = 0; i < 256; i++) {
		memset(junk, i, sizeof(junk));
		junk[0] = (uint8_t)i;
		(void)udp_send(&nodes[1].udp, junk, (size_t)(i % 64) + 1,
		    &from);
	}
	pump();
	T_EQ_INT(nodes[0].peers[1]->path.changes, 0);
	/* Authenticated data from the new place: replies go there. */
	pkt4(p, 80, NET + 2, NET + 1, 2);
	T_EQ_INT(write(nodes[1].tun.peer_fd, p, 80), 80);
	datapath_tun_readable(nodes[1].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(0, got, sizeof(got)), 80);
	T_EQ_INT(nodes[0].peers[1]->path.changes, 1);
	T_EQ_INT(ntohs(nodes[0].peers[1]->path.endpoint.sin6_port),
	    other.port);
	pkt4(p, 90, NET + 1, NET + 2, 3);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, 90), 90);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	T_EQ_INT(delivered(1, got, sizeof(got)), 90);
	T_ASSERT(datapath_counters(nodes[0].dp)->drops[DP_DROP_UNKNOWN_TYPE] >
	    0);
	teardown();
}

/* An IPv4 TCP packet 10.42.0.1:5000 -> 10.42.0.2:80 with plen payload
 * bytes (byte i = seq + i), ACK|PSH. */
static size_t
tcp4(uint8_t *p, size_t plen, uint32_t seq)
{
	size_t	i;

	pkt4(p, 40 + plen, NET + 1, NET + 2, 0);
	p[9] = 6;
	p[20] = 0x13; p[21] = 0x88;
	p[22] = 0; p[23] = 80;
	p[24] = (uint8_t)(seq >> 24); p[25] = (uint8_t)(seq >> 16);
	p[26] = (uint8_t)(seq >> 8); p[27] = (uint8_t)seq;
	p[32] = 5 << 4;
	p[33] = 0x18;
	p[34] = 1;
	for (i = 0; i < plen; i++)
		p[40 + i] = (uint8_t)(seq + i);
	return 40 + plen;
}

T_TEST(tso_split_and_merged)
{
	static uint8_t		p[70000], got[70000];
	struct tun_pktinfo	pi, gpi;
	uint64_t		ps;
	size_t			len;
	ssize_t			n;
	int			i;

	setup_with(1);
	/* A first packet brings the session up. */
	memset(&pi, 0, sizeof(pi));
	memcpy(p, &pi, sizeof(pi));
	len = tcp4(p + sizeof(pi), 100, 1);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, sizeof(pi) + len),
	    (ssize_t)(sizeof(pi) + len));
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	pump();
	n = delivered(1, got, sizeof(got));
	T_EQ_INT(n, (ssize_t)(sizeof(pi) + len));
	/* A 60000-byte TSO packet, as the kernel hands it over. */
	len = tcp4(p + sizeof(pi), 60000, 101);
	ps = offload_sum(p + sizeof(pi) + 12, 8, 0) + (len - 20) + 6;
	p[sizeof(pi) + 36] = (uint8_t)(offload_fold(ps) >> 8);
	p[sizeof(pi) + 37] = (uint8_t)offload_fold(ps);
	pi.flags = OFFLOAD_NEEDS_CSUM;
	pi.gso_type = OFFLOAD_GSO_TCPV4;
	pi.hdr_len = 40;
	pi.gso_size = 1380;
	pi.csum_start = 20;
	pi.csum_offset = 16;
	memcpy(p, &pi, sizeof(pi));
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, sizeof(pi) + len),
	    (ssize_t)(sizeof(pi) + len));
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	/* 44 segments went out (as GSO runs where the kernel has it). */
	T_EQ_INT(datapath_counters(nodes[0].dp)->tx_packets, 1 + 1 + 44);
	pump();
	/* They come out of node 1's TUN merged again, all 60000 bytes in
	 * order, in packets with partial checksums. */
	len = 0;
	for (i = 0; i < 44 && len < 60000; i++) {
		n = delivered(1, got, sizeof(got));
		T_ASSERT(n > (ssize_t)(sizeof(gpi) + 40));
		if (n <= (ssize_t)(sizeof(gpi) + 40))
			break;
		memcpy(&gpi, got, sizeof(gpi));
		T_EQ_INT(got[sizeof(gpi) + 24] << 24 | got[sizeof(gpi) + 25] <<
		    16 | got[sizeof(gpi) + 26] << 8 | got[sizeof(gpi) + 27],
		    101 + len);
		T_EQ_INT(got[sizeof(gpi) + 40], (uint8_t)(101 + len));
		T_EQ_INT(got[n - 1], (uint8_t)(101 + len + (size_t)n -
		    sizeof(gpi) - 41));
		if (gpi.gso_type != OFFLOAD_GSO_NONE)
			T_EQ_INT(gpi.gso_size, 1380);
		len += (size_t)n - sizeof(gpi) - 40;
	}
	T_EQ_INT(len, 60000);
	T_ASSERT(i < 44);		/* some were merged */
	teardown();
}

/* A plain UDP socket on ip (a loopback address), port chosen by the
 * kernel: a source other than the nodes. */
static int
src_socket(const char *ip)
{
	struct sockaddr_in	sa;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Node 0 handles what has arrived, with the clock at now. */
static void
pump0(uint64_t now)
{
	while (readable(nodes[0].udp.fd, 50))
		datapath_udp_readable(nodes[0].dp, now);
}

/* n copies of msg from fd to node 0, handled at now (in small groups: the
 * socket buffer is finite). */
static void
send0(int fd, const uint8_t *msg, size_t len, int n, uint64_t now)
{
	struct sockaddr_in	to;
	int			i;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(nodes[0].udp.port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++) {
		T_EQ_INT(sendto(fd, msg, len, 0, (struct sockaddr *)&to,
		    sizeof(to)), (long)len);
		if (i % 128 == 127)
			pump0(now);
	}
	pump0(now);
}

static uint64_t
drops0(enum tunnel_err e)
{
	return tunnel_local_drops(nodes[0].local, e);
}

/* From fd: an initiation of t without a valid cookie, which node 0 under
 * load answers with a cookie reply; t takes the cookie and makes msg, an
 * initiation with a valid mac2 for that source. */
static void
get_cookie(int fd, struct tunnel_local *l, struct tunnel *t, uint64_t now,
    uint64_t *unix_ns, uint8_t msg[WIRE_INITIATION_LEN])
{
	struct tunnel_rx	rx;
	uint8_t			reply[256];
	uint64_t		before = drops0(TUNNEL_ERR_COOKIE_REQUIRED);
	ssize_t			n;

	T_EQ_INT(tunnel_initiation(t, now, (*unix_ns)++, msg), TUNNEL_OK);
	send0(fd, msg, WIRE_INITIATION_LEN, 1, now);
	T_EQ_INT(drops0(TUNNEL_ERR_COOKIE_REQUIRED), before + 1);
	T_ASSERT(readable(fd, 1000));
	n = recv(fd, reply, sizeof(reply), MSG_DONTWAIT);
	T_EQ_INT(n, WIRE_COOKIE_REPLY_LEN);
	T_EQ_INT(tunnel_receive(l, reply, (size_t)n, "x", 1, 0, now, &rx),
	    TUNNEL_OK);
	T_EQ_INT(tunnel_initiation(t, now, (*unix_ns)++, msg), TUNNEL_OK);
}

/* Under load (more than DP_HANDSHAKES_PER_SEC initiations and responses in
 * a second; cookie replies do not count), a source with a valid cookie
 * gets DP_HS_BURST_PER_SOURCE handshake messages through to the
 * Diffie-Hellman, the rest are dropped before it; another source still
 * gets through. The clock stands still: no refill. */
T_TEST(handshake_limit_under_load)
{
	struct tunnel_local	*al;
	struct tunnel		*at;
	uint8_t			 ask[KEY_LEN], msg[WIRE_INITIATION_LEN];
	uint8_t			 junk[WIRE_INITIATION_LEN];
	uint64_t		 now = util_mono_ms(), unix_ns = 1;
	int			 a, b, j, i;

	setup();
	key_generate(ask);
	T_ASSERT((al = tunnel_local_new(ask, NULL, 1)) != NULL);
	T_ASSERT((at = tunnel_new(al, nodes[0].m.key, NULL)) != NULL);
	a = src_socket("127.0.0.2");
	b = src_socket("127.0.0.3");
	j = src_socket("127.0.0.4");
	T_ASSERT(a != -1 && b != -1 && j != -1);
	if (al == NULL || at == NULL || a == -1 || b == -1 || j == -1)
		return;

	/* A flood of cookie replies is no load: an initiation without a
	 * cookie is still processed (and found to be from a stranger). */
	for (i = 0; i < (int)sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7);
	junk[1] = junk[2] = junk[3] = 0;	/* reserved */
	junk[0] = WIRE_COOKIE_REPLY;
	send0(j, junk, WIRE_COOKIE_REPLY_LEN, DP_HANDSHAKES_PER_SEC + 100,
	    now);
	T_EQ_INT(tunnel_initiation(at, now, unix_ns++, msg), TUNNEL_OK);
	send0(a, msg, sizeof(msg), 1, now);
	T_EQ_INT(drops0(TUNNEL_ERR_COOKIE_REQUIRED), 0);
	T_EQ_INT(drops0(TUNNEL_ERR_UNKNOWN_PEER), 1);

	/* Initiations (bad mac1, cheap to drop) do count: under load. */
	junk[0] = WIRE_INITIATION;
	send0(j, junk, sizeof(junk), DP_HANDSHAKES_PER_SEC + 100, now);
	T_EQ_INT(drops0(TUNNEL_ERR_MAC1), DP_HANDSHAKES_PER_SEC + 100);

	/* a gets a cookie, then floods with it: only a burst gets through */
	get_cookie(a, al, at, now, &unix_ns, msg);
	send0(a, msg, sizeof(msg), 50, now);
	T_EQ_INT(drops0(TUNNEL_ERR_UNKNOWN_PEER), 1 + DP_HS_BURST_PER_SOURCE);
	T_EQ_INT(drops0(TUNNEL_ERR_RATELIMITED), 50 - DP_HS_BURST_PER_SOURCE);

	/* b is another source: not held back by a's limit */
	get_cookie(b, al, at, now, &unix_ns, msg);
	send0(b, msg, sizeof(msg), 1, now);
	T_EQ_INT(drops0(TUNNEL_ERR_UNKNOWN_PEER), 2 + DP_HS_BURST_PER_SOURCE);
	T_EQ_INT(drops0(TUNNEL_ERR_RATELIMITED), 50 - DP_HS_BURST_PER_SOURCE);
	close(a);
	close(b);
	close(j);
	tunnel_local_free(al);
	teardown();
}

/* The relayed path. The test is the relay: relay_send writes each
 * envelope in the room the data path left in front of the datagram (and
 * between the datagrams of a GSO run), checks the datagrams after all
 * envelopes are written (so none overlaps one), and queues them for the
 * other node, which takes each in place with datapath_relayed_input. */
#define RQ_MAX	256
struct relayed {
	int	to;
	size_t	len;
	uint8_t	buf[WIRE_DATA_MAX_LEN];
};
static struct relayed	*rq;
static size_t		 nrq;
static unsigned		 relay_calls, relay_runs;

static int
relay_send(void *arg, struct peer *p, const struct sockaddr_in6 *via,
    uint8_t *buf, size_t len, size_t segsize)
{
	struct node	*n = arg;
	size_t		 seg = segsize != 0 ? segsize : len, off, k, dl;
	uint8_t		*env;

	relay_calls++;
	if (segsize != 0 && len > segsize)
		relay_runs++;
	for (off = 0, k = 0; off < len; off += seg, k++) {
		env = buf + k * (seg + DP_RELAY_HDR) - DP_RELAY_HDR;
		env[0] = 0x26;
		memcpy(env + 1, p->key, DP_RELAY_HDR - 1);
	}
	for (off = 0, k = 0; off < len; off += seg, k++) {
		env = buf + k * (seg + DP_RELAY_HDR) - DP_RELAY_HDR;
		dl = len - off < seg ? len - off : seg;
		T_EQ_INT(env[0], 0x26);
		T_ASSERT(env[DP_RELAY_HDR] >= WIRE_INITIATION &&
		    env[DP_RELAY_HDR] <= WIRE_DATA);
		if (nrq == RQ_MAX || dl > sizeof(rq[0].buf)) {
			T_FAIL("relay queue");
			return -1;
		}
		rq[nrq].to = n == &nodes[0] ? 1 : 0;
		rq[nrq].len = dl;
		memcpy(rq[nrq].buf, env + DP_RELAY_HDR, dl);
		nrq++;
	}
	return 0;
}

/* Deliver what the relay holds (what that brings waits for the next
 * call). In the daemon, relayed datagrams arrive inside a UDP batch, at
 * whose end the receive-side merging flushes: a junk datagram to each
 * node makes one. */
static void
relay_pump(void)
{
	struct sockaddr_in6	via, to;
	size_t			i, n = nrq;
	int			k;

	loopback(&via, 9);
	for (i = 0; i < n; i++)
		datapath_relayed_input(nodes[rq[i].to].dp, rq[i].buf,
		    rq[i].len, &via, util_mono_ms());
	memmove(rq, rq + n, (nrq - n) * sizeof(*rq));
	nrq -= n;
	for (k = 0; k < 2; k++) {
		loopback(&to, nodes[k].udp.port);
		T_EQ_INT(udp_send(&nodes[!k].udp, "\xff", 1, &to), 0);
	}
	pump();
}

static const struct dp_hooks relay_hooks = { .arm = arm,
	.relay_send = relay_send };

T_TEST(relay_envelope_in_place)
{
	static uint8_t		p[70000], got[70000];
	struct tun_pktinfo	pi;
	size_t			len, total;
	ssize_t			n;
	int			i, round;

	T_ASSERT((rq = calloc(RQ_MAX, sizeof(*rq))) != NULL);
	if (rq == NULL)
		return;
	use_hooks = &relay_hooks;
	setup_with(1);
	nodes[0].peers[1]->path.relayed = 1;
	nodes[1].peers[0]->path.relayed = 1;
	/* staged, then sent through the relay after a relayed handshake
	 * (its response goes back through the relay too) */
	memset(&pi, 0, sizeof(pi));
	memcpy(p, &pi, sizeof(pi));
	pkt4(p + sizeof(pi), 300, NET + 1, NET + 2, 3);
	T_EQ_INT(write(nodes[0].tun.peer_fd, p, sizeof(pi) + 300),
	    (ssize_t)sizeof(pi) + 300);
	datapath_tun_readable(nodes[0].dp, util_mono_ms());
	T_EQ_INT(nrq, 1);			/* the initiation */
	relay_pump();				/* the response */
	relay_pump();				/* the staged packet */
	relay_pump();
	n = delivered(1, got, sizeof(got));
	T_EQ_INT(n, (ssize_t)sizeof(pi) + 300);
	T_EQ_MEM(got + sizeof(pi), p + sizeof(pi), 300);

	/* TSO packets: as GSO runs with envelopes between the datagrams,
	 * then (no GSO) one by one */
	for (round = 0; round < 2; round++) {
		nodes[0].udp.gso = round == 0;
		relay_runs = 0;
		len = tcp4(p + sizeof(pi), 20000, 1000);
		memset(&pi, 0, sizeof(pi));
		pi.gso_type = OFFLOAD_GSO_TCPV4;
		pi.hdr_len = 40;
		pi.gso_size = 1380;
		memcpy(p, &pi, sizeof(pi));
		T_EQ_INT(write(nodes[0].tun.peer_fd, p, sizeof(pi) + len),
		    (ssize_t)(sizeof(pi) + len));
		datapath_tun_readable(nodes[0].dp, util_mono_ms());
		T_EQ_INT(nrq, 15);		/* 20000 / 1380 */
		if (round == 0)
			T_ASSERT(relay_runs > 0);
		else
			T_EQ_INT(relay_runs, 0);
		relay_pump();
		for (total = 0, i = 0; i < 15 && total < 20000; i++) {
			n = delivered(1, got, sizeof(got));
			if (n <= (ssize_t)(sizeof(pi) + 40))
				break;
			T_EQ_INT(got[sizeof(pi) + 40], (uint8_t)(1000 + total));
			total += (size_t)n - sizeof(pi) - 40;
		}
		T_EQ_INT(total, 20000);
	}
	T_EQ_INT(datapath_counters(nodes[1].dp)->drops[DP_DROP_TUNNEL], 0);
	T_EQ_INT(datapath_counters(nodes[0].dp)->drops[DP_DROP_SEND], 0);
	teardown();
	use_hooks = &hooks;
	free(rq);
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	/* these count datagrams exactly: no path MTU probes among them
	 * (test-dp-pmtu has those) */
	setenv("MESH_TEST_NO_PMTU", "1", 1);
	T_RUN(handshake_then_data);
	T_RUN(spoofed_source_dropped);
	T_RUN(unknown_destination_and_too_big);
	T_RUN(roaming_and_junk);
	T_RUN(tso_split_and_merged);
	T_RUN(handshake_limit_under_load);
	T_RUN(relay_envelope_in_place);
	return t_done();
}
