/* dht-node: one DHT instance on a real UDP socket with the real clock, for
 * tests that talk to the library over the network (the daemon's glue will
 * do the same job with libevent). Plain poll(2), IPv4.
 *
 *	dht-node [-a addr] [-p port] [-n namespace] [-w workbit] [-u]
 *	    [-b key@host:port]... [-l key]
 *
 * It makes a key meeting the workbit, binds addr:port (127.0.0.1, port 0 =
 * any), and prints "key=<hex> port=<port>". With -l it looks the key up
 * once the table has nodes and prints the events. On SIGUSR1 it prints its
 * statistics and routing table, ending with "end"; on SIGTERM or SIGINT the
 * same, then it exits. -u: not reachable (NAT-ed). */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/clock.h"
#include "dht/dht.h"
#include "dht/pow.h"

static volatile sig_atomic_t	got_usr1, got_term;
static int			sock = -1;
static uint8_t			lookup_key[DHT_KEY_LEN];
static int			want_lookup, lookup_started;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static uint64_t
cb_wallclock(void *arg)
{
	(void)arg;
	return clock_unix_ms();
}

static void
cb_random(void *arg, void *buf, size_t len)
{
	(void)arg;
	randombytes_buf(buf, len);
}

static void
cb_send(void *arg, const struct dht_addr *to, const uint8_t *buf, size_t len)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;

	(void)arg;
	if (to->family != DHT_AF_INET)
		return;
	sl = (socklen_t)dht_addr_to_sockaddr(to, (struct sockaddr *)&ss);
	(void)sendto(sock, buf, len, 0, (struct sockaddr *)&ss, sl);
}

static void
hex(char *out, const uint8_t *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int
unhex(uint8_t *out, const char *s, size_t n)
{
	size_t		i;
	unsigned	v;

	if (strlen(s) < 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return s[2 * n] == '\0' || s[2 * n] == '@' ? 0 : -1;
}

static void
cb_relayed(void *arg, const uint8_t from[32], const struct dht_addr *fa,
    const uint8_t *payload, size_t len)
{
	char	k[65], a[DHT_ADDR_STRLEN];

	(void)arg;
	hex(k, from, 32);
	printf("relayed from=%s addr=%s len=%zu\n", k, dht_addr_format(a, fa),
	    len);
	fflush(stdout);
}

static void
on_event(void *arg, const struct dht_search_event *ev)
{
	char	a[DHT_ADDR_STRLEN], k[65];

	(void)arg;
	switch (ev->kind) {
	case DHT_EV_ENDPOINT:
		printf("event endpoint addr=%s reachable=%d\n",
		    dht_addr_format(a, &ev->addr), ev->reachable);
		break;
	case DHT_EV_RENDEZVOUS:
		hex(k, ev->rv_key, 32);
		printf("event rendezvous key=%s addr=%s\n", k,
		    dht_addr_format(a, &ev->addr));
		break;
	case DHT_EV_DONE:
		printf("event done found=%d rounds=%u messages=%u ms=%llu\n",
		    ev->found, ev->rounds, ev->messages,
		    (unsigned long long)ev->elapsed_ms);
		break;
	}
	fflush(stdout);
}

static int
print_node(void *arg, const struct dht_node_info *n)
{
	char	k[65], a[DHT_ADDR_STRLEN];

	(void)arg;
	hex(k, n->key, 32);
	printf("node key=%s addr=%s bucket=%u replacement=%d\n", k,
	    dht_addr_format(a, &n->addr), n->bucket, n->replacement);
	return 0;
}

static void
print_stats(struct dht *d)
{
	struct dht_stats	st;
	struct dht_rv_info	rv[64];
	char			k[65], a[DHT_ADDR_STRLEN];
	size_t			n, i;
	int			r;

	dht_get_stats(d, &st);
	printf("stats pkts_in=%llu pkts_out=%llu requests_in=%llu "
	    "replies_out=%llu requests_out=%llu responses_in=%llu "
	    "table=%u replacements=%u clients=%u rendezvous=%u searches=%u "
	    "pending=%u unproved_bytes=%llu unproved_refused=%llu",
	    (unsigned long long)st.pkts_in,
	    (unsigned long long)st.pkts_out,
	    (unsigned long long)st.requests_in,
	    (unsigned long long)st.replies_out,
	    (unsigned long long)st.requests_out,
	    (unsigned long long)st.responses_in, st.table_nodes,
	    st.table_replacements, st.clients, st.rendezvous,
	    st.searches_active, st.pending,
	    (unsigned long long)st.unproved_bytes,
	    (unsigned long long)st.unproved_refused);
	for (r = 0; r < DHT_DROP_MAX; r++)
		printf(" drop_%s=%llu", dht_drop_name((enum dht_drop)r),
		    (unsigned long long)st.drops[r]);
	printf("\n");
	dht_foreach_node(d, print_node, NULL);
	n = dht_clients(d, rv, 64);
	for (i = 0; i < n; i++) {
		hex(k, rv[i].key, 32);
		printf("client key=%s addr=%s\n", k,
		    dht_addr_format(a, &rv[i].addr));
	}
	printf("end\n");
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: dht-node [-a addr] [-p port] [-n namespace] "
	    "[-w workbit] [-u] [-b key@host:port]... [-l key]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct dht_callbacks	cb;
	struct dht_config	cfg;
	struct sockaddr_in	sin;
	struct sockaddr_storage	from;
	struct dht_addr		fa;
	struct pollfd		pfd;
	struct sigaction	sa;
	struct dht		*d;
	socklen_t		sl;
	uint8_t			sk[32], pk[32], buf[65536];
	char			khex[65];
	const char		*bind_addr = "127.0.0.1", *ns = "public", *why;
	char			*boots[16];
	unsigned		nboots = 0, workbit = 0, i;
	uint64_t		now, next;
	long			port = 0;
	ssize_t			n;
	int			c, reachable = 1, timeout;

	while ((c = getopt(argc, argv, "a:p:n:w:ub:l:")) != -1) {
		switch (c) {
		case 'a': bind_addr = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 'n': ns = optarg; break;
		case 'w': workbit = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'u': reachable = 0; break;
		case 'b':
			if (nboots == 16)
				usage();
			boots[nboots++] = optarg;
			break;
		case 'l':
			if (unhex(lookup_key, optarg, 32) != 0)
				usage();
			want_lookup = 1;
			break;
		default: usage();
		}
	}
	if (optind != argc || port < 0 || port > 65535 || workbit > 24)
		usage();
	if (sodium_init() < 0)
		return 99;

	do {
		randombytes_buf(sk, sizeof(sk));
		crypto_scalarmult_base(pk, sk);
	} while (pow_workbits(ns, strlen(ns), pk) < workbit);

	if ((sock = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 99;
	}
	/* The attack test floods this socket on a loaded machine: a deep
	 * buffer (forced when we may) so that the kernel drops nothing the
	 * node should count itself. */
	{
		int	rcvbuf = 8 << 20;

		if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		    sizeof(rcvbuf)) == -1)
			(void)setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			    sizeof(rcvbuf));
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, bind_addr, &sin.sin_addr) != 1)
		usage();
	if (bind(sock, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("bind");
		return 99;
	}
	sl = sizeof(sin);
	getsockname(sock, (struct sockaddr *)&sin, &sl);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	memset(&cb, 0, sizeof(cb));
	cb.send = cb_send;
	cb.random = cb_random;
	cb.wallclock = cb_wallclock;
	cb.on_relayed = cb_relayed;
	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = sk;
	cfg.ns = ns;
	cfg.workbit = workbit;
	cfg.reachable = reachable;
	now = clock_mono_ms();
	if ((d = dht_create(&cfg, &cb, now, &why)) == NULL) {
		fprintf(stderr, "dht-node: %s\n", why);
		return 99;
	}
	sodium_memzero(sk, sizeof(sk));
	for (i = 0; i < nboots; i++) {
		uint8_t		bk[32];
		char		host[64], *at = strchr(boots[i], '@'), *colon;
		struct in_addr	ia;

		if (at == NULL || unhex(bk, boots[i], 32) != 0 ||
		    strlen(at + 1) >= sizeof(host))
			usage();
		strcpy(host, at + 1);
		if ((colon = strrchr(host, ':')) == NULL)
			usage();
		*colon = '\0';
		if (inet_pton(AF_INET, host, &ia) != 1)
			usage();
		dht_addr_set_v4(&fa, ntohl(ia.s_addr),
		    (uint16_t)strtoul(colon + 1, NULL, 10));
		if (dht_add_boot(d, bk, &fa, now) != 0)
			usage();
	}
	hex(khex, pk, 32);
	printf("key=%s port=%u\n", khex, ntohs(sin.sin_port));
	fflush(stdout);

	next = dht_periodic(d, now);
	pfd.fd = sock;
	pfd.events = POLLIN;
	while (!got_term) {
		now = clock_mono_ms();
		timeout = next > now ? (int)(next - now > 1000 ? 1000 :
		    next - now) : 0;
		if (poll(&pfd, 1, timeout) == -1 && errno != EINTR) {
			perror("poll");
			break;
		}
		if (got_usr1) {
			got_usr1 = 0;
			print_stats(d);
		}
		now = clock_mono_ms();
		if (pfd.revents & POLLIN) {
			sl = sizeof(from);
			n = recvfrom(sock, buf, sizeof(buf), 0,
			    (struct sockaddr *)&from, &sl);
			if (n > 0 && dht_addr_from_sockaddr(&fa,
			    (struct sockaddr *)&from) == 0 &&
			    dht_is_dht_packet(buf, (size_t)n))
				dht_input(d, buf, (size_t)n, &fa, now);
		}
		if (want_lookup && !lookup_started) {
			struct dht_stats st;

			dht_get_stats(d, &st);
			if (st.table_nodes > 0) {
				lookup_started = 1;
				dht_search(d, lookup_key, on_event, NULL, now);
			}
		}
		if (dht_next_wakeup(d) <= now)
			dht_periodic(d, now);
		next = dht_next_wakeup(d);
	}
	print_stats(d);
	dht_destroy(d);
	close(sock);
	return 0;
}
