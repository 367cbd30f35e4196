/* The members' DNS server: the names table (names.h) served over UDP with
 * libevent's evdns server, on the member's addresses inside the mesh.
 *
 * Answers are authoritative (AA) for the domain and the mesh's reverse
 * names, with a TTL of NAMES_TTL; there is no recursion (RA is never set)
 * and anything else is REFUSED. A query with other than one question gets
 * FORMERR. Queries from outside the mesh and this host get no reply at all
 * (names_source_ok4/6). No TCP: every answer fits in 512 bytes. Queries
 * are logged at trace level only. */
#ifndef MESH_DNS_GLUE_H
#define MESH_DNS_GLUE_H

#include <stdint.h>
#include <sys/socket.h>

#include "dns/names.h"

#define DNS_PORT	53
#define DNS_MAX_SOCKETS	4	/* inside IPv4 and IPv6, and spares */

struct event_base;
struct dns_server;

struct dns_stats {
	uint64_t	queries;
	uint64_t	answers;	/* NOERROR with records */
	uint64_t	nodata;		/* NOERROR without */
	uint64_t	nxdomain;
	uint64_t	refused;
	uint64_t	formerr;
	uint64_t	send_errors;	/* replies that could not be sent */
	uint64_t	outsiders;	/* dropped: from outside the mesh */
};

/* A UDP socket bound to sa (port included), non-blocking and close-on-
 * exec, ready for dns_server_add_socket. It is bound with IP_FREEBIND, so
 * that it can be made before the address is on the interface (and so
 * before the privilege drop, as port 53 needs). IPv6 sockets are
 * IPv6-only. Returns the descriptor, or -1 with err set ("bind
 * 10.42.0.1 port 53: Address already in use"). */
int	dns_socket(const struct sockaddr *sa, socklen_t salen, char *err,
	    size_t errlen);

/* A server answering from t, which it owns from now on (t may be NULL:
 * everything is refused until dns_server_set_names). NULL when out of
 * memory. */
struct dns_server *dns_server_new(struct event_base *, struct names *t);

/* Serve queries arriving on fd (from dns_socket); the server owns fd from
 * now on, even on failure. 0, or -1 with err set. */
int	dns_server_add_socket(struct dns_server *, int fd, char *err,
	    size_t errlen);

/* Answer from t from now on (a reload); frees the previous table. Safe at
 * any time on the loop's thread: every query is answered within the
 * callback that received it, so no answer refers to the old table. */
void	dns_server_set_names(struct dns_server *, struct names *t);

void	dns_server_stats(const struct dns_server *, struct dns_stats *);

/* Close the sockets and free the server and its table. */
void	dns_server_free(struct dns_server *);

#endif
