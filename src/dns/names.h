/* The members' names (pure: no I/O, no globals): a table built from a
 * netconfig that answers DNS questions about the members, as the DNS
 * server (dns-glue.c) asks them, and finds a member by name for the CLI.
 *
 * Forward names are HOSTNAME.DOMAIN (nc->domain) of each member that has a
 * hostname; members without one have no name (their reverse names get
 * NXDOMAIN). Reverse names are the in-addr.arpa names of the subnet and the
 * ip6.arpa names of the ULA /64. The table answers nothing else: no
 * recursion, REFUSED for names outside DOMAIN and outside those two reverse
 * spaces. Names compare without regard to ASCII case; one trailing dot is
 * allowed. */
#ifndef MESH_NAMES_H
#define MESH_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "netconf/netconf.h"

#define NAMES_NAME_MAX	253	/* a DNS name in text, without the final dot */
#define NAMES_TTL	60	/* seconds: a reload shows within a minute */

/* DNS types and classes the table knows (RFC 1035, RFC 3596). */
#define NAMES_T_A	1
#define NAMES_T_NS	2
#define NAMES_T_SOA	6
#define NAMES_T_PTR	12
#define NAMES_T_AAAA	28
#define NAMES_T_ANY	255
#define NAMES_C_IN	1
#define NAMES_C_ANY	255

/* DNS response codes. */
#define NAMES_NOERROR	0
#define NAMES_FORMERR	1
#define NAMES_NXDOMAIN	3
#define NAMES_REFUSED	5

/* Where the SOA record of DOMAIN goes in the reply. */
#define NAMES_SOA_NONE		0
#define NAMES_SOA_ANSWER	1	/* a question for the SOA itself */
#define NAMES_SOA_AUTHORITY	2	/* NXDOMAIN or NODATA under DOMAIN
					 * (RFC 2308 negative caching) */

struct names_answer {
	int	rcode;		/* NAMES_NOERROR with no record is NODATA */
	int	authoritative;	/* set the AA bit: the name is ours */
	int	has_a;
	uint8_t	a[4];		/* network byte order */
	int	has_aaaa;
	uint8_t	aaaa[16];
	int	has_ptr;
	char	ptr[NAMES_NAME_MAX + 1];	/* HOSTNAME.DOMAIN */
	int	soa;		/* NAMES_SOA_* */
	long	member;		/* index in nc->members, -1 if none */
};

struct names;

/* A table of nc's members; the table copies what it needs, nc may be
 * freed afterwards. NULL when out of memory. With no domain
 * (nc->domain == "") it refuses every question. */
struct names	*names_new(const struct netconf *nc);
void		 names_free(struct names *);

/* The domain the table answers for ("" if none). */
const char	*names_domain(const struct names *);

/* Answer one question. A single-label qname that is a member's hostname
 * is answered as HOSTNAME.DOMAIN (for `dig @ADDR bob`); other single
 * labels are refused. */
void	names_lookup(const struct names *, const char *qname, int qtype,
	    int qclass, struct names_answer *);

/* Should a query from this source get an answer? Only from members (the
 * subnet, the ULA /64) and this host (loopback): with Linux's weak host
 * model a LAN neighbour that routes the subnet through us reaches our
 * inside addresses too, and the members' names are none of its business.
 * ip4 in host byte order. */
int	names_source_ok4(const struct names *, uint32_t ip4);
int	names_source_ok6(const struct names *, const uint8_t ip6[16]);

/* The reverse zones the table answers for, as per-link routing domains
 * for systemd-resolved: the in-addr.arpa names at an octet boundary that
 * together cover the subnet exactly (1 to 128 of them; below a /24, one a
 * host address), and the ip6.arpa zone of the ULA /64. */
size_t	names_rev4_count(const struct names *);
void	names_rev4_zone(const struct names *, size_t i,
	    char out[NAMES_NAME_MAX + 1]);
void	names_rev6_zone(const struct names *, char out[NAMES_NAME_MAX + 1]);

/* The SOA record's data (RFC 1035 3.3.13, names uncompressed) into buf;
 * returns its length, 0 when there is no domain or buf is too small.
 * Its owner is names_domain(), its TTL NAMES_TTL. */
size_t	names_soa_rdata(const struct names *, uint8_t *buf, size_t len);

/* The member called name: its hostname or HOSTNAME.DOMAIN, any case, a
 * trailing dot allowed. Returns its index in the netconfig's members, or
 * -1. For the CLI, where every argument that takes a member takes its
 * hostname. */
long	names_find_member(const struct names *, const char *name);

#endif
