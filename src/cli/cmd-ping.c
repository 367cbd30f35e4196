/* mesh ping: ICMP echo requests to a member's inside address, through the
 * kernel and the tunnel like any traffic, and for each reply the path the
 * daemon has for the member at that moment (its record in show peers):
 * direct or relayed, the endpoint or relay, the daemon's own path RTT. Like
 * `tailscale ping`, but the echo is a plain one, so it also says whether
 * the member's kernel answers. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/member.h"
#include "common/clock.h"
#include "common/util.h"
#include "control/ctlproto.h"

#define PING_COUNT	5	/* requests by default */
#define PING_COUNT_MAX	100000
#define PING_WAIT_MS	2000	/* for each reply */
#define PING_GAP_MS	1000	/* between requests */
#define PING_PAYLOAD	56

static int	ping_main(const struct cmd *, int, char **);

const struct cmd cmd_ping = {
	"ping", "[-6] [count N] [IFACE] MEMBER",
	"ping a member through the mesh; show each reply's path", ping_main
};

static volatile sig_atomic_t	stop;

static void
on_sigint(int sig)
{
	stop = 1;
}

struct pinger {
	int		 fd;
	int		 af;
	int		 raw;		/* SOCK_RAW (root) rather than
					 * SOCK_DGRAM (a "ping socket") */
	uint16_t	 id;
	struct sockaddr_storage to;
	socklen_t	 tolen;
};

static uint16_t
csum(const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* An unprivileged ICMP socket first, then a raw one (root). */
static int
pinger_open(struct pinger *pg, int af, const char *addr)
{
	int	proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6, e;

	memset(&pg->to, 0, sizeof(pg->to));
	pg->af = af;
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&pg->to;

		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			return -1;
		pg->tolen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&pg->to;

		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			return -1;
		pg->tolen = sizeof(*sin6);
	}
	pg->id = (uint16_t)getpid();
	pg->raw = 0;
	if ((pg->fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, proto)) != -1)
		return 0;
	e = errno;
	pg->raw = 1;
	if ((pg->fd = socket(af, SOCK_RAW | SOCK_CLOEXEC, proto)) != -1)
		return 0;
	fprintf(stderr, "mesh ping: cannot open an ICMP socket (%s; raw: "
	    "%s): run it as root, or allow your group unprivileged ping "
	    "sockets (sysctl net.ipv4.ping_group_range)\n", strerror(e),
	    strerror(errno));
	return -1;
}

static int
pinger_send(struct pinger *pg, uint16_t seq)
{
	uint8_t		buf[8 + PING_PAYLOAD];
	size_t		i;

	memset(buf, 0, sizeof(buf));
	buf[0] = pg->af == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	buf[4] = (uint8_t)(pg->id >> 8);
	buf[5] = (uint8_t)pg->id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	for (i = 8; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	/* ICMPv6's checksum (pseudo-header) and a ping socket's are the
	 * kernel's; raw ICMPv4's is ours. */
	if (pg->af == AF_INET && pg->raw) {
		uint16_t	c = csum(buf, sizeof(buf));

		memcpy(buf + 2, &c, 2);
	}
	return sendto(pg->fd, buf, sizeof(buf), 0,
	    (struct sockaddr *)&pg->to, pg->tolen) == -1 ? -1 : 0;
}

/* Wait for the reply to seq until deadline (ms, monotonic): 1 got it, 0
 * not (timeout or interrupted), -1 error. */
static int
pinger_wait(struct pinger *pg, uint16_t seq, uint64_t deadline)
{
	struct pollfd		pfd = { pg->fd, POLLIN, 0 };
	struct sockaddr_storage	from;
	socklen_t		fromlen;
	uint8_t			buf[1500], *icmp;
	ssize_t			n;
	size_t			off;
	uint64_t		now;
	int			rc;

	while (!stop && (now = clock_mono_ms()) < deadline) {
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			return rc;
		fromlen = sizeof(from);
		if ((n = recvfrom(pg->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fromlen)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		off = 0;
		if (pg->af == AF_INET && pg->raw) {	/* the IP header */
			if (n < 20)
				continue;
			off = (size_t)(buf[0] & 0x0f) * 4;
		}
		if ((size_t)n < off + 8)
			continue;
		icmp = buf + off;
		if (icmp[0] != (pg->af == AF_INET ? ICMP_ECHOREPLY :
		    ICMP6_ECHO_REPLY))
			continue;
		/* a ping socket's replies are its own (the kernel picks
		 * the id); a raw socket sees every reply */
		if (pg->raw && (icmp[4] << 8 | icmp[5]) != pg->id)
			continue;
		if ((icmp[6] << 8 | icmp[7]) != seq)
			continue;	/* a late reply */
		if (pg->af == AF_INET ? memcmp(
		    &((struct sockaddr_in *)&from)->sin_addr,
		    &((struct sockaddr_in *)&pg->to)->sin_addr, 4) != 0 :
		    memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr,
		    &((struct sockaddr_in6 *)&pg->to)->sin6_addr, 16) != 0)
			continue;
		return 1;
	}
	return 0;
}

/* ", via ... (kind)" or " (path: ...)": what the daemon says now (now:
 * the daemon's clock, for how long the member has been silent). */
static void
path_text(char *buf, size_t len, const struct ctl_peer *p, uint64_t now,
    int replied)
{
	const char	*kind = p->path[0] != '\0' ? p->path : "unknown";
	char		 rtt[48] = "", state[CTL_TEXT_SIZE + 64] = "";

	if (p->rtt_us != 0)
		snprintf(rtt, sizeof(rtt), ", path rtt %.2f ms",
		    (double)p->rtt_us / 1000.0);
	if (p->silent_since != 0 && now >= p->last_seen)
		snprintf(state, sizeof(state), ", %s for %llu s%s%s",
		    p->lost ? "lost, silent" : "silent",
		    (unsigned long long)(now - p->last_seen),
		    p->trying[0] != '\0' ? ": " : "", p->trying);
	if (!replied)
		snprintf(buf, len, " (path: %s%s%s%s%s%s)", kind,
		    p->endpoint[0] != '\0' ? ", endpoint " : "", p->endpoint,
		    state[0] == '\0' && p->why[0] != '\0' ? ": " : "",
		    state[0] == '\0' ? p->why : "", state);
	else if (p->via[0] != '\0')
		snprintf(buf, len, " via relay %.8s... at %s (%s%s%s)", p->via,
		    p->endpoint[0] != '\0' ? p->endpoint : "?", kind, rtt,
		    state);
	else if (p->endpoint[0] != '\0')
		snprintf(buf, len, " via %s (%s%s%s)", p->endpoint, kind, rtt,
		    state);
	else
		snprintf(buf, len, " (%s%s%s)", kind, rtt, state);
}

static int
ping_main(const struct cmd *self, int argc, char **argv)
{
	struct ctl_reply	 r;
	struct ctl_peer		 peer;
	struct pinger		 pg;
	struct sigaction	 sa;
	const char		*words[2], *member, *err;
	char			 ifname[CTL_IFNAME_SIZE], addr[CTL_ADDR_SIZE];
	char			 msg[512], path[2 * CTL_TEXT_SIZE + 2 * 300];
	uint64_t		 count = PING_COUNT, sent = 0, got = 0;
	uint64_t		 t0, t1, rtt, rmin = UINT64_MAX, rmax = 0;
	uint64_t		 rsum = 0, now;
	ssize_t			 m;
	int			 nwords = 0, af = AF_INET, i, rc;
	const char		*name;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-6") == 0)
			af = AF_INET6;
		else if (strcmp(argv[i], "-4") == 0)
			af = AF_INET;
		else if ((strcmp(argv[i], "count") == 0 ||
		    strcmp(argv[i], "-c") == 0) && i + 1 < argc) {
			count = strtoull(argv[++i], NULL, 10);
			if (count == 0 || count > PING_COUNT_MAX ||
			    strspn(argv[i], "0123456789") != strlen(argv[i])) {
				fprintf(stderr, "mesh ping: count: expected a "
				    "number from 1 to %d\n", PING_COUNT_MAX);
				return EXIT_USAGE;
			}
		} else if (member_word(argv[i], words, &nwords) == -1)
			cmd_usage(self);
	}
	if (nwords == 0)
		cmd_usage(self);
	if (member_open("ping", words, nwords, ifname, sizeof(ifname), &r,
	    &member) == -1)
		return 1;
	if ((m = member_find(&r, member, msg, sizeof(msg))) == -1) {
		fprintf(stderr, "mesh ping: %s\n", msg);
		ctl_reply_free(&r);
		return 1;
	}
	peer = r.peers[m];
	ctl_reply_free(&r);
	name = peer.name[0] != '\0' ? peer.name : member;
	util_strlcpy(addr, af == AF_INET ? peer.addr4 : peer.addr6,
	    sizeof(addr));
	addr[strcspn(addr, "/")] = '\0';
	if (addr[0] == '\0') {
		fprintf(stderr, "mesh ping: %s has no inside IPv%c address\n",
		    name, af == AF_INET ? '4' : '6');
		return 1;
	}
	if (pinger_open(&pg, af, addr) == -1)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;	/* no SA_RESTART: poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("PING %s (%s) on %s, key %.8s...\n", name, addr, ifname,
	    peer.key);
	fflush(stdout);
	for (sent = 0; sent < count && !stop; ) {
		uint16_t	seq = (uint16_t)(sent + 1);

		t0 = clock_mono_us();
		if (pinger_send(&pg, seq) == -1) {
			fprintf(stderr, "mesh ping: sending to %s: %s\n",
			    addr, strerror(errno));
			break;
		}
		sent++;
		rc = pinger_wait(&pg, seq, t0 / 1000 + PING_WAIT_MS);
		t1 = clock_mono_us();
		if (rc == -1) {
			fprintf(stderr, "mesh ping: receiving: %s\n",
			    strerror(errno));
			break;
		}
		if (rc == 0 && stop)
			break;
		/* the path as the daemon sees it now */
		err = NULL;
		now = 0;
		if (member_show(ifname, &r, msg, sizeof(msg)) == -1)
			err = msg;
		else {
			now = r.iface.now;
			if ((m = member_by_key(&r, peer.key)) != -1)
				peer = r.peers[m];
			else
				err = "no longer a member";
			ctl_reply_free(&r);
		}
		if (err != NULL)
			snprintf(path, sizeof(path), " (path unknown: %s)", err);
		else
			path_text(path, sizeof(path), &peer, now, rc == 1);
		if (rc == 1) {
			rtt = t1 - t0;
			got++;
			rsum += rtt;
			if (rtt < rmin)
				rmin = rtt;
			if (rtt > rmax)
				rmax = rtt;
			printf("pong from %s (%s)%s in %.2f ms\n", name, addr,
			    path, (double)rtt / 1000.0);
		} else
			printf("timeout from %s (%s) after %d ms%s\n", name,
			    addr, PING_WAIT_MS, path);
		fflush(stdout);
		if (sent < count && !stop) {
			uint64_t	next = t0 / 1000 + PING_GAP_MS,
					mono = clock_mono_ms();

			if (mono < next)
				(void)poll(NULL, 0, (int)(next - mono));
		}
	}
	close(pg.fd);
	printf("--- %s: %llu sent, %llu received, %llu%% loss", name,
	    (unsigned long long)sent, (unsigned long long)got,
	    sent ? (unsigned long long)((sent - got) * 100 / sent) : 0ULL);
	if (got > 0)
		printf(", rtt min/avg/max %.2f/%.2f/%.2f ms",
		    (double)rmin / 1000.0, (double)rsum / got / 1000.0,
		    (double)rmax / 1000.0);
	printf("\n");
	fflush(stdout);
	return got > 0 ? 0 : 1;
}
