/* The members' DNS server on the event loop: libevent's evdns server
 * parses the queries and writes the replies; names.c decides what they
 * say. See dns-glue.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/dns.h>
#include <event2/dns_struct.h>

#include "dns/dns-glue.h"
#include "common/log.h"

struct dns_server {
	struct event_base		*base;
	struct names			*names;
	struct evdns_server_port	*ports[DNS_MAX_SOCKETS];
	size_t				 nports;
	struct dns_stats		 stats;
	int				 queued; /* replies evdns kept */
	int				 dead;	 /* freed, see dns_server_free */
};

static const char *
rcode_name(int rcode)
{
	switch (rcode) {
	case NAMES_NOERROR:	return "NOERROR";
	case NAMES_FORMERR:	return "FORMERR";
	case NAMES_NXDOMAIN:	return "NXDOMAIN";
	case NAMES_REFUSED:	return "REFUSED";
	default:		return "?";
	}
}

static void
count(struct dns_server *s, const struct names_answer *a)
{
	switch (a->rcode) {
	case NAMES_NOERROR:
		if (a->has_a || a->has_aaaa || a->has_ptr ||
		    a->soa == NAMES_SOA_ANSWER)
			s->stats.answers++;
		else
			s->stats.nodata++;
		break;
	case NAMES_NXDOMAIN:
		s->stats.nxdomain++;
		break;
	case NAMES_FORMERR:
		s->stats.formerr++;
		break;
	default:
		s->stats.refused++;
		break;
	}
}

/* Add the records of a to req; -1 when evdns could not take one. */
static int
add_records(struct dns_server *s, struct evdns_server_request *req,
    const char *qname, const struct names_answer *a)
{
	uint8_t	soa[2 * (NAMES_NAME_MAX + 2) + 20 + 16];
	size_t	soalen;

	if (a->has_a && evdns_server_request_add_a_reply(req, qname, 1, a->a,
	    NAMES_TTL) == -1)
		return -1;
	if (a->has_aaaa && evdns_server_request_add_aaaa_reply(req, qname, 1,
	    a->aaaa, NAMES_TTL) == -1)
		return -1;
	if (a->has_ptr && evdns_server_request_add_ptr_reply(req, NULL,
	    qname, a->ptr, NAMES_TTL) == -1)
		return -1;
	if (a->soa != NAMES_SOA_NONE && s->names != NULL &&
	    (soalen = names_soa_rdata(s->names, soa, sizeof(soa))) > 0 &&
	    evdns_server_request_add_reply(req, a->soa == NAMES_SOA_ANSWER ?
	    EVDNS_ANSWER_SECTION : EVDNS_AUTHORITY_SECTION,
	    names_domain(s->names), EVDNS_TYPE_SOA, EVDNS_CLASS_INET,
	    NAMES_TTL, (int)soalen, 0, (const char *)soa) == -1)
		return -1;
	return 0;
}

/* Is the query from a member or from this host? (No table: no members
 * known; this host only.) */
static int
from_inside(struct dns_server *s, struct evdns_server_request *req)
{
	struct sockaddr_storage	 ss;
	const struct sockaddr_in *sin = (const void *)&ss;
	const struct sockaddr_in6 *sin6 = (const void *)&ss;
	static const uint8_t	 loopback[16] = { [15] = 1 };

	memset(&ss, 0, sizeof(ss));
	if (evdns_server_request_get_requesting_addr(req,
	    (struct sockaddr *)&ss, sizeof(ss)) == -1)
		return 0;
	if (ss.ss_family == AF_INET) {
		uint32_t	ip = ntohl(sin->sin_addr.s_addr);

		return s->names != NULL ? names_source_ok4(s->names, ip) :
		    ip >> 24 == 127;
	}
	if (ss.ss_family == AF_INET6)
		return s->names != NULL ?
		    names_source_ok6(s->names, sin6->sin6_addr.s6_addr) :
		    memcmp(sin6->sin6_addr.s6_addr, loopback, 16) == 0;
	return 0;
}

static void
on_request(struct evdns_server_request *req, void *arg)
{
	struct dns_server		*s = arg;
	struct evdns_server_question	*q = NULL;
	struct names_answer		 a;
	int				 flags, r;

	if (s->dead) {
		evdns_server_request_drop(req);
		return;
	}
	if (!from_inside(s, req)) {
		s->stats.outsiders++;
		evdns_server_request_drop(req);
		return;
	}
	s->stats.queries++;
	memset(&a, 0, sizeof(a));
	a.member = -1;
	if (req->nquestions != 1)
		a.rcode = NAMES_FORMERR;
	else {
		q = req->questions[0];
		if (s->names != NULL)
			names_lookup(s->names, q->name, q->type,
			    q->dns_question_class, &a);
		else
			a.rcode = NAMES_REFUSED;
	}
	if (q != NULL && add_records(s, req, q->name, &a) == -1) {
		/* out of memory: say so rather than answer half */
		memset(&a, 0, sizeof(a));
		a.rcode = 2;	/* SERVFAIL */
	}
	count(s, &a);
	if (log_enabled(LOG_C_MAIN, LOG_LVL_TRACE))
		log_tracec(LOG_C_MAIN, "dns: %s type %d: %s%s",
		    q != NULL ? q->name : "(no question)",
		    q != NULL ? q->type : 0, rcode_name(a.rcode),
		    a.rcode == NAMES_NOERROR && !a.has_a && !a.has_aaaa &&
		    !a.has_ptr && a.soa != NAMES_SOA_ANSWER ? " (no data)" :
		    "");
	/* RD is echoed, as RFC 1035 asks; RA stays clear: no recursion */
	flags = req->flags & EVDNS_FLAGS_RD;
	if (a.authoritative)
		flags |= EVDNS_FLAGS_AA;
	evdns_server_request_set_flags(req, flags);
	/* -1: the reply could not be formatted, or sendto failed in a way
	 * evdns does not queue (EAGAIN); the request is still ours */
	if ((r = evdns_server_request_respond(req, a.rcode)) == -1) {
		s->stats.send_errors++;
		evdns_server_request_drop(req);
	} else if (r == 1)	/* kept to retry; see dns_server_free */
		s->queued = 1;
}

/* evdns's own messages (a reply it could not send, a read error) may come
 * once a query: debug, never above. */
static void
evdns_log(int is_warning, const char *msg)
{
	log_debugc(LOG_C_MAIN, "dns: evdns%s: %s", is_warning ? " warning" :
	    "", msg);
}

int
dns_socket(const struct sockaddr *sa, socklen_t salen, char *err,
    size_t errlen)
{
	char	host[INET6_ADDRSTRLEN];
	int	fd, one = 1, e;
	unsigned port;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	} else {
		snprintf(err, errlen, "DNS socket: address family %d",
		    sa->sa_family);
		return -1;
	}
	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		snprintf(err, errlen, "DNS socket for %s: %s", host,
		    strerror(errno));
		return -1;
	}
	/* the TUN may not have its address yet, or may lose it for a moment
	 * on reconfiguration: bind anyway */
	if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) == -1 ||
	    (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, sa, salen) == -1) {
		e = errno;
		snprintf(err, errlen, "bind %s%s%s port %u: %s",
		    sa->sa_family == AF_INET6 ? "[" : "", host,
		    sa->sa_family == AF_INET6 ? "]" : "", port, strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

struct dns_server *
dns_server_new(struct event_base *base, struct names *t)
{
	struct dns_server	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		names_free(t);
		return NULL;
	}
	s->base = base;
	s->names = t;
	evdns_set_log_fn(evdns_log);	/* the only user of evdns */
	return s;
}

int
dns_server_add_socket(struct dns_server *s, int fd, char *err,
    size_t errlen)
{
	struct evdns_server_port	*p;

	if (s->nports == DNS_MAX_SOCKETS) {
		snprintf(err, errlen, "DNS: more than %d sockets",
		    DNS_MAX_SOCKETS);
		close(fd);
		return -1;
	}
	p = evdns_add_server_port_with_base(s->base, fd, 0, on_request, s);
	if (p == NULL) {
		snprintf(err, errlen, "DNS: cannot serve on the socket "
		    "(out of memory?)");
		close(fd);
		return -1;
	}
	s->ports[s->nports++] = p;
	return 0;
}

void
dns_server_set_names(struct dns_server *s, struct names *t)
{
	names_free(s->names);
	s->names = t;
}

void
dns_server_stats(const struct dns_server *s, struct dns_stats *st)
{
	*st = s->stats;
}

void
dns_server_free(struct dns_server *s)
{
	size_t	i;

	if (s == NULL)
		return;
	/* closes the socket too, but only once no reply is pending on it */
	for (i = 0; i < s->nports; i++)
		evdns_close_server_port(s->ports[i]);
	names_free(s->names);
	s->names = NULL;
	/* A port that kept a reply to retry stays open, reading, with s as
	 * its callback's argument, until it has sent or dropped the reply;
	 * evdns does not say when. Then s stays too (a few bytes, only after
	 * a failed send), dead: it drops what arrives meanwhile. */
	if (s->queued) {
		s->dead = 1;
		return;
	}
	free(s);
}
