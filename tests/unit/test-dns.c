/* dns-glue.c: the evdns server on 127.0.0.1 (and ::1 when the host has
 * it), an ephemeral port, real DNS queries over UDP built by hand here and
 * their replies parsed here (A, AAAA, PTR, NXDOMAIN with the SOA, NODATA,
 * REFUSED, FORMERR, the AA, RD and RA bits, the TTL), a table swap, and
 * libevent's own resolver (evdns client) asking the server. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/dns.h>

#include "dns/dns-glue.h"
#include "dns/names.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "common/util.h"
#include "t.h"

static const char office[] =
    "name office\n"
    "subnet 10.42.0.0/24\n"
    "trust gw 10.42.0.1 EE1HZvkVL37eBN5lzAG3UCLG-f7vw-ZIakWRV74Ua04\n"
    "trust Alice 5NCm7b_2uShkajfroJOlRYeNNOvqVbOmlKtpxdOQhXA\n"
    "trust bob TaRvr-q2ewxw_fGxgFXnyfbO8k3tZUpVitnPW3_qLSo\n";

#define F_QR	0x8000
#define F_AA	0x0400
#define F_TC	0x0200
#define F_RD	0x0100
#define F_RA	0x0080

struct rr {
	char		name[256];
	uint16_t	type, class;
	uint32_t	ttl;
	uint16_t	rdlen;
	uint8_t		rdata[512];
	char		target[256];	/* PTR: the name in rdata */
};

struct reply {
	uint16_t	id, flags;
	int		qd, an, ns, ar;
	struct rr	answer[4], authority[4];
};

struct server {
	struct event_base	*base;
	struct dns_server	*dns;
	struct netconf		 nc;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 client;
};

static uint16_t	next_id = 0x1234;

/* A name at buf[*off] (compression pointers followed) into out. */
static int
get_name(const uint8_t *buf, size_t len, size_t *off, char out[256])
{
	size_t	o = *off, n = 0, hops = 0;
	int	jumped = 0;

	for (;;) {
		uint8_t	l;

		if (o >= len)
			return -1;
		l = buf[o];
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++hops > 16)
				return -1;
			if (!jumped)
				*off = o + 2;
			jumped = 1;
			o = (size_t)(l & 0x3f) << 8 | buf[o + 1];
			continue;
		}
		o++;
		if (l == 0)
			break;
		if (o + l > len || n + l + 2 > 256)
			return -1;
		if (n > 0)
			out[n++] = '.';
		memcpy(out + n, buf + o, l);
		n += l;
		o += l;
	}
	out[n] = '\0';
	if (!jumped)
		*off = o;
	return 0;
}

static int
get16(const uint8_t *buf, size_t len, size_t *off, uint16_t *v)
{
	if (*off + 2 > len)
		return -1;
	*v = (uint16_t)(buf[*off] << 8 | buf[*off + 1]);
	*off += 2;
	return 0;
}

static int
get_rr(const uint8_t *buf, size_t len, size_t *off, struct rr *rr)
{
	uint16_t	hi, lo;
	size_t		o;

	memset(rr, 0, sizeof(*rr));
	if (get_name(buf, len, off, rr->name) == -1 ||
	    get16(buf, len, off, &rr->type) == -1 ||
	    get16(buf, len, off, &rr->class) == -1 ||
	    get16(buf, len, off, &hi) == -1 ||
	    get16(buf, len, off, &lo) == -1 ||
	    get16(buf, len, off, &rr->rdlen) == -1 ||
	    *off + rr->rdlen > len || rr->rdlen > sizeof(rr->rdata))
		return -1;
	rr->ttl = (uint32_t)hi << 16 | lo;
	memcpy(rr->rdata, buf + *off, rr->rdlen);
	if (rr->type == 12) {
		o = *off;
		if (get_name(buf, len, &o, rr->target) == -1)
			return -1;
	}
	*off += rr->rdlen;
	return 0;
}

static int
parse_reply(const uint8_t *buf, size_t len, struct reply *r)
{
	uint16_t	v[6], type, class;
	size_t		off = 0;
	char		name[256];
	int		i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 6; i++)
		if (get16(buf, len, &off, &v[i]) == -1)
			return -1;
	r->id = v[0];
	r->flags = v[1];
	r->qd = v[2];
	r->an = v[3];
	r->ns = v[4];
	r->ar = v[5];
	for (i = 0; i < r->qd; i++)
		if (get_name(buf, len, &off, name) == -1 ||
		    get16(buf, len, &off, &type) == -1 ||
		    get16(buf, len, &off, &class) == -1)
			return -1;
	if (r->an > 4 || r->ns > 4)
		return -1;
	for (i = 0; i < r->an; i++)
		if (get_rr(buf, len, &off, &r->answer[i]) == -1)
			return -1;
	for (i = 0; i < r->ns; i++)
		if (get_rr(buf, len, &off, &r->authority[i]) == -1)
			return -1;
	return 0;
}

static size_t
put_question(uint8_t *buf, size_t off, const char *name, uint16_t type,
    uint16_t class)
{
	const char	*b = name, *dot;
	size_t		 l;

	while (*b != '\0') {
		dot = strchr(b, '.');
		l = dot != NULL ? (size_t)(dot - b) : strlen(b);
		buf[off++] = (uint8_t)l;
		memcpy(buf + off, b, l);
		off += l;
		b += l;
		if (*b == '.')
			b++;
	}
	buf[off++] = 0;
	buf[off++] = (uint8_t)(type >> 8);
	buf[off++] = (uint8_t)type;
	buf[off++] = (uint8_t)(class >> 8);
	buf[off++] = (uint8_t)class;
	return off;
}

/* Send a query of nq copies of one question, let the loop answer it, read
 * and parse the reply. */
static int
ask_n(struct server *s, const char *name, uint16_t type, uint16_t class,
    uint16_t flags, int nq, struct reply *r)
{
	uint8_t	q[600], buf[1500];
	size_t	off = 12;
	ssize_t	n;
	int	i;

	memset(q, 0, 12);
	q[0] = (uint8_t)(next_id >> 8);
	q[1] = (uint8_t)next_id;
	q[2] = (uint8_t)(flags >> 8);
	q[3] = (uint8_t)flags;
	q[5] = (uint8_t)nq;
	for (i = 0; i < nq; i++)
		off = put_question(q, off, name, type, class);
	if (send(s->client, q, off, 0) != (ssize_t)off) {
		perror("send");
		return -1;
	}
	/* the query is in the server's socket already (loopback) */
	event_base_loop(s->base, EVLOOP_ONCE);
	if ((n = recv(s->client, buf, sizeof(buf), 0)) == -1) {
		perror("recv");
		return -1;
	}
	if (parse_reply(buf, (size_t)n, r) == -1) {
		fprintf(stderr, "%s: unparsable reply\n", name);
		return -1;
	}
	if (r->id != next_id++) {
		fprintf(stderr, "%s: reply id %u\n", name, r->id);
		return -1;
	}
	return 0;
}

static int
ask(struct server *s, const char *name, uint16_t type, struct reply *r)
{
	return ask_n(s, name, type, 1, F_RD, 1, r);
}

static int
start(struct server *s, const char *text, const char *addr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&s->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&s->ss;
	struct timeval		 tv = { 2, 0 };
	char			 err[256];
	int			 line, fd;

	memset(s, 0, sizeof(*s));
	s->client = -1;
	if (netconf_parse(text, strlen(text), &s->nc, &line, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "netconf: %d: %s\n", line, err);
		return -1;
	}
	if ((s->base = event_base_new()) == NULL ||
	    (s->dns = dns_server_new(s->base, names_new(&s->nc))) == NULL)
		return -1;
	if (strchr(addr, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		s->sslen = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
		s->sslen = sizeof(*sin);
	}
	if ((fd = dns_socket((struct sockaddr *)&s->ss, s->sslen, err,
	    sizeof(err))) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&s->ss, &s->sslen) == -1 ||
	    dns_server_add_socket(s->dns, fd, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if ((s->client = socket(s->ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    setsockopt(s->client, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1 ||
	    connect(s->client, (struct sockaddr *)&s->ss, s->sslen) == -1) {
		perror("client");
		return -1;
	}
	return 0;
}

static void
stop(struct server *s)
{
	if (s->client != -1)
		close(s->client);
	dns_server_free(s->dns);
	if (s->base != NULL)
		event_base_free(s->base);
	netconf_free(&s->nc);
}

static void
check_soa(const struct rr *rr, const char *zone)
{
	T_EQ_INT(rr->type, 6);
	T_EQ_INT(rr->class, 1);
	T_EQ_STR(rr->name, zone);
	T_EQ_INT(rr->ttl, NAMES_TTL);
	T_ASSERT(rr->rdlen > 20);
}

T_TEST(answers)
{
	struct server		s;
	struct reply		r;
	static const uint8_t	alice[4] = { 10, 42, 0, 2 };

	if (start(&s, office, "127.0.0.1") == -1) {
		T_FAIL("cannot start the server");
		stop(&s);
		return;
	}
	T_ASSERT(ask(&s, "alice.office.internal", 1, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(!!(r.flags & F_QR), 1);
	T_EQ_INT(!!(r.flags & F_AA), 1);
	T_EQ_INT(!!(r.flags & F_RD), 1);		/* echoed */
	T_EQ_INT(!!(r.flags & F_RA), 0);		/* no recursion */
	T_EQ_INT(!!(r.flags & F_TC), 0);
	T_EQ_INT(r.qd, 1);
	T_EQ_INT(r.an, 1);
	T_EQ_INT(r.ns, 0);
	T_EQ_STR(r.answer[0].name, "alice.office.internal");
	T_EQ_INT(r.answer[0].type, 1);
	T_EQ_INT(r.answer[0].class, 1);
	T_EQ_INT(r.answer[0].ttl, 60);
	T_EQ_INT(r.answer[0].rdlen, 4);
	T_EQ_MEM(r.answer[0].rdata, alice, 4);

	/* the name as asked, case and all */
	T_ASSERT(ask(&s, "BOB.Office.Internal", 28, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(r.an, 1);
	T_EQ_STR(r.answer[0].name, "BOB.Office.Internal");
	T_EQ_INT(r.answer[0].type, 28);
	T_EQ_INT(r.answer[0].rdlen, 16);
	T_EQ_MEM(r.answer[0].rdata, s.nc.members[2].ip6, 16);

	T_ASSERT(ask(&s, "2.0.42.10.in-addr.arpa", 12, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(!!(r.flags & F_AA), 1);
	T_EQ_INT(r.an, 1);
	T_EQ_INT(r.answer[0].type, 12);
	T_EQ_STR(r.answer[0].target, "Alice.office.internal");

	/* no RD asked, none echoed */
	T_ASSERT(ask_n(&s, "gw.office.internal", 1, 1, 0, 1, &r) == 0);
	T_EQ_INT(r.an, 1);
	T_EQ_INT(!!(r.flags & F_RD), 0);
	T_EQ_INT(!!(r.flags & F_AA), 1);
	stop(&s);
}

T_TEST(reverse_ipv6)
{
	struct server	s;
	struct reply	r;
	char		name[80];
	size_t		o = 0;
	int		i, v;

	if (start(&s, office, "127.0.0.1") == -1) {
		T_FAIL("cannot start the server");
		stop(&s);
		return;
	}
	for (i = 31; i >= 0; i--) {
		v = i % 2 == 0 ? s.nc.members[0].ip6[i / 2] >> 4 :
		    s.nc.members[0].ip6[i / 2] & 0xf;
		name[o++] = "0123456789abcdef"[v];
		name[o++] = '.';
	}
	memcpy(name + o, "ip6.arpa", 9);
	T_ASSERT(ask(&s, name, 12, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(r.an, 1);
	T_EQ_STR(r.answer[0].target, "gw.office.internal");
	stop(&s);
}

T_TEST(negative)
{
	struct server	s;
	struct reply	r;
	struct dns_stats st;

	if (start(&s, office, "127.0.0.1") == -1) {
		T_FAIL("cannot start the server");
		stop(&s);
		return;
	}
	/* NXDOMAIN, authoritative, with the SOA for negative caching */
	T_ASSERT(ask(&s, "zed.office.internal", 1, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 3);
	T_EQ_INT(!!(r.flags & F_AA), 1);
	T_EQ_INT(r.an, 0);
	T_EQ_INT(r.ns, 1);
	check_soa(&r.authority[0], "office.internal");

	/* NODATA: the name exists, no MX */
	T_ASSERT(ask(&s, "alice.office.internal", 15, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(!!(r.flags & F_AA), 1);
	T_EQ_INT(r.an, 0);
	T_EQ_INT(r.ns, 1);
	check_soa(&r.authority[0], "office.internal");

	/* the SOA itself */
	T_ASSERT(ask(&s, "office.internal", 6, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(r.an, 1);
	check_soa(&r.answer[0], "office.internal");

	/* no recursion: outside names are refused, not authoritatively */
	T_ASSERT(ask(&s, "www.example.com", 1, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 5);
	T_EQ_INT(!!(r.flags & F_AA), 0);
	T_EQ_INT(!!(r.flags & F_RA), 0);
	T_EQ_INT(r.an + r.ns, 0);
	T_ASSERT(ask(&s, "1.1.168.192.in-addr.arpa", 12, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 5);
	T_ASSERT(ask_n(&s, "alice.office.internal", 1, 3 /* CH */, F_RD, 1,
	    &r) == 0);
	T_EQ_INT(r.flags & 0xf, 5);

	/* two questions */
	T_ASSERT(ask_n(&s, "alice.office.internal", 1, 1, F_RD, 2, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 1);
	T_EQ_INT(r.an, 0);

	dns_server_stats(s.dns, &st);
	T_EQ_INT(st.queries, 7);
	T_EQ_INT(st.answers, 1);
	T_EQ_INT(st.nodata, 1);
	T_EQ_INT(st.nxdomain, 1);
	T_EQ_INT(st.refused, 3);
	T_EQ_INT(st.formerr, 1);
	T_EQ_INT(st.send_errors, 0);
	T_EQ_INT(st.outsiders, 0);
	stop(&s);
}

/* A reload: the new table answers at once, the old one is gone. */
T_TEST(swap)
{
	struct server	s;
	struct reply	r;
	struct netconf	nc2;
	char		err[256];
	int		line;
	static const char text2[] =
	    "name office\ndomain corp.example\nsubnet 10.42.0.0/24\n"
	    "trust dave 5NCm7b_2uShkajfroJOlRYeNNOvqVbOmlKtpxdOQhXA\n";

	if (start(&s, office, "127.0.0.1") == -1) {
		T_FAIL("cannot start the server");
		stop(&s);
		return;
	}
	T_ASSERT(netconf_parse(text2, strlen(text2), &nc2, &line, err,
	    sizeof(err)) == 0);
	dns_server_set_names(s.dns, names_new(&nc2));
	netconf_free(&nc2);	/* the table keeps its own copy */
	T_ASSERT(ask(&s, "alice.office.internal", 1, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 5);
	T_ASSERT(ask(&s, "dave.corp.example", 1, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(r.an, 1);
	T_EQ_INT(r.answer[0].rdata[3], 1);
	/* no table: everything refused */
	dns_server_set_names(s.dns, NULL);
	T_ASSERT(ask(&s, "dave.corp.example", 1, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 5);
	stop(&s);
}

/* A query from outside the mesh (a LAN neighbour routing the subnet
 * through us) gets no reply. Sending from an address the host does not
 * have takes IP_TRANSPARENT (root); skipped without it. */
T_TEST(outsider)
{
	struct server		s;
	struct sockaddr_in	src;
	struct dns_stats	st;
	struct timeval		tv = { 0, 200000 };
	uint8_t			q[64], buf[512];
	size_t			off;
	int			fd, one = 1;

	if (start(&s, office, "127.0.0.1") == -1) {
		T_FAIL("cannot start the server");
		stop(&s);
		return;
	}
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0xc0000205);	/* 192.0.2.5 */
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    setsockopt(fd, IPPROTO_IP, IP_TRANSPARENT, &one,
	    sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&s.ss, s.sslen) == -1) {
		printf("# cannot send from 192.0.2.5 (%s): skipped\n",
		    strerror(errno));
		if (fd != -1)
			close(fd);
		stop(&s);
		return;
	}
	memset(q, 0, 12);
	q[1] = 7;
	q[5] = 1;
	off = put_question(q, 12, "alice.office.internal", 1, 1);
	T_ASSERT(send(fd, q, off, 0) == (ssize_t)off);
	event_base_loop(s.base, EVLOOP_ONCE);
	T_ASSERT(recv(fd, buf, sizeof(buf), 0) == -1);
	dns_server_stats(s.dns, &st);
	T_EQ_INT(st.outsiders, 1);
	T_EQ_INT(st.queries, 0);
	close(fd);
	stop(&s);
}

T_TEST(ipv6_socket)
{
	struct server	s;
	struct reply	r;
	int		fd;

	/* a host without IPv6 (some containers): nothing to test */
	if ((fd = socket(AF_INET6, SOCK_DGRAM, 0)) == -1) {
		printf("# no IPv6 sockets: skipped\n");
		return;
	}
	close(fd);
	if (start(&s, office, "::1") == -1) {
		printf("# cannot serve on ::1: skipped\n");
		stop(&s);
		return;
	}
	T_ASSERT(ask(&s, "alice.office.internal", 28, &r) == 0);
	T_EQ_INT(r.flags & 0xf, 0);
	T_EQ_INT(r.an, 1);
	T_EQ_MEM(r.answer[0].rdata, s.nc.members[1].ip6, 16);
	stop(&s);
}

T_TEST(bind_error)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	char			err[256], want[128];
	int			fd, fd2;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = dns_socket((struct sockaddr *)&sin, sizeof(sin), err,
	    sizeof(err));
	T_ASSERT(fd != -1);
	if (fd == -1)
		return;
	T_ASSERT(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	fd2 = dns_socket((struct sockaddr *)&sin, sizeof(sin), err,
	    sizeof(err));
	T_EQ_INT(fd2, -1);
	snprintf(want, sizeof(want), "bind 127.0.0.1 port %u: %s",
	    ntohs(sin.sin_port), strerror(EADDRINUSE));
	T_EQ_STR(err, want);
	/* an address the host does not have: IP_FREEBIND binds anyway */
	sin.sin_addr.s_addr = htonl(0xc0000201);	/* 192.0.2.1 */
	sin.sin_port = 0;
	fd2 = dns_socket((struct sockaddr *)&sin, sizeof(sin), err,
	    sizeof(err));
	T_ASSERT(fd2 != -1);
	if (fd2 != -1)
		close(fd2);
	close(fd);
}

/* libevent's own resolver against the server: another implementation's
 * view of the replies. */
struct resolved {
	struct event_base	*base;
	int			 result;
	char			 type;
	int			 count;
	uint8_t			 addr[16];
	char			 name[256];
};

static void
on_resolved(int result, char type, int count, int ttl, void *addrs,
    void *arg)
{
	struct resolved	*res = arg;

	res->result = result;
	res->type = type;
	res->count = count;
	if (result == DNS_ERR_NONE && count > 0) {
		if (type == DNS_IPv4_A)
			memcpy(res->addr, addrs, 4);
		else if (type == DNS_IPv6_AAAA)
			memcpy(res->addr, addrs, 16);
		else if (type == DNS_PTR)
			util_strlcpy(res->name, *(char **)addrs,
			    sizeof(res->name));
	}
	event_base_loopexit(res->base, NULL);
}

T_TEST(evdns_client)
{
	struct server		s;
	struct evdns_base	*eb;
	struct resolved		res;
	struct in_addr		in;
	static const uint8_t	gw[4] = { 10, 42, 0, 1 };

	if (start(&s, office, "127.0.0.1") == -1) {
		T_FAIL("cannot start the server");
		stop(&s);
		return;
	}
	eb = evdns_base_new(s.base, 0);
	T_ASSERT(eb != NULL);
	if (eb == NULL) {
		stop(&s);
		return;
	}
	T_ASSERT(evdns_base_nameserver_sockaddr_add(eb,
	    (struct sockaddr *)&s.ss, s.sslen, 0) == 0);

	memset(&res, 0, sizeof(res));
	res.base = s.base;
	res.result = -1;
	T_ASSERT(evdns_base_resolve_ipv4(eb, "gw.office.internal",
	    DNS_QUERY_NO_SEARCH, on_resolved, &res) != NULL);
	event_base_dispatch(s.base);
	T_EQ_INT(res.result, DNS_ERR_NONE);
	T_EQ_INT(res.count, 1);
	T_EQ_MEM(res.addr, gw, 4);

	memset(&res, 0, sizeof(res));
	res.base = s.base;
	res.result = -1;
	T_ASSERT(evdns_base_resolve_ipv6(eb, "alice.office.internal",
	    DNS_QUERY_NO_SEARCH, on_resolved, &res) != NULL);
	event_base_dispatch(s.base);
	T_EQ_INT(res.result, DNS_ERR_NONE);
	T_EQ_MEM(res.addr, s.nc.members[1].ip6, 16);

	memset(&res, 0, sizeof(res));
	res.base = s.base;
	res.result = -1;
	in.s_addr = htonl(0x0a2a0003);
	T_ASSERT(evdns_base_resolve_reverse(eb, &in, DNS_QUERY_NO_SEARCH,
	    on_resolved, &res) != NULL);
	event_base_dispatch(s.base);
	T_EQ_INT(res.result, DNS_ERR_NONE);
	T_EQ_STR(res.name, "bob.office.internal");

	memset(&res, 0, sizeof(res));
	res.base = s.base;
	res.result = -1;
	T_ASSERT(evdns_base_resolve_ipv4(eb, "nobody.office.internal",
	    DNS_QUERY_NO_SEARCH, on_resolved, &res) != NULL);
	event_base_dispatch(s.base);
	T_EQ_INT(res.result, DNS_ERR_NOTEXIST);

	evdns_base_free(eb, 0);
	stop(&s);
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	T_RUN(answers);
	T_RUN(reverse_ipv6);
	T_RUN(negative);
	T_RUN(swap);
	T_RUN(outsider);
	T_RUN(ipv6_socket);
	T_RUN(bind_error);
	T_RUN(evdns_client);
	return t_done();
}
