/* NAT-PMP (RFC 6886) port mapping with libnatpmp, non-blocking: the glue
 * watches the socket and the retransmission timer and calls step. One
 * request is two exchanges: the public address, then the mapping. */
#include "config.h"

#include <sys/time.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the library has strnatpmperr(); its header declares it only on request */
#define ENABLE_STRNATPMPERR 1
#include <natpmp.h>

#include "nat/portmap-backend.h"

enum natpmp_phase { NP_IDLE, NP_ADDRESS, NP_MAPPING };

struct portmap_natpmp {
	natpmp_t		np;
	enum natpmp_phase	phase;
	uint16_t		port, ext_port;
	uint32_t		lifetime;
	uint32_t		ext_ip;		/* host byte order */
};

struct portmap_natpmp *
portmap_natpmp_new(void)
{
	return calloc(1, sizeof(struct portmap_natpmp));
}

void
portmap_natpmp_free(struct portmap_natpmp *p)
{
	if (p == NULL)
		return;
	portmap_natpmp_end(p);
	free(p);
}

static void
gwtext(const struct portmap_natpmp *p, char *buf, size_t len)
{
	struct in_addr	ia;

	ia.s_addr = p->np.gateway;
	if (inet_ntop(AF_INET, &ia, buf, len) == NULL)
		snprintf(buf, len, "?");
}

static int
fail(struct portmap_natpmp *p, const char *what, int r, char *err,
    size_t errlen)
{
	char	gw[INET_ADDRSTRLEN];

	gwtext(p, gw, sizeof(gw));
	snprintf(err, errlen, "NAT-PMP: %s (gateway %s): %s", what, gw,
	    r == NATPMP_ERR_RECVFROM || r == NATPMP_ERR_NOGATEWAYSUPPORT ?
	    "no NAT-PMP service" : strnatpmperr(r));
	portmap_natpmp_end(p);
	return -1;
}

int
portmap_natpmp_begin(struct portmap_natpmp *p, uint16_t port,
    uint16_t ext_port, uint32_t lifetime, char *err, size_t errlen)
{
	int	r;

	portmap_natpmp_end(p);
	memset(&p->np, 0, sizeof(p->np));
	if ((r = initnatpmp(&p->np, 0, 0)) < 0) {
		snprintf(err, errlen, "NAT-PMP: %s", strnatpmperr(r));
		p->np.s = -1;
		return -1;
	}
	p->port = port;
	p->ext_port = ext_port ? ext_port : port;
	p->lifetime = lifetime;
	p->ext_ip = 0;
	if (lifetime == 0) {
		/* a delete needs no public address */
		r = sendnewportmappingrequest(&p->np, NATPMP_PROTOCOL_UDP,
		    port, p->ext_port, 0);
		p->phase = NP_MAPPING;
	} else {
		r = sendpublicaddressrequest(&p->np);
		p->phase = NP_ADDRESS;
	}
	if (r < 0)
		return fail(p, "send", r, err, errlen);
	return p->np.s;
}

int
portmap_natpmp_timeout(struct portmap_natpmp *p)
{
	struct timeval	tv;
	long		ms;

	if (p->phase == NP_IDLE || getnatpmprequesttimeout(&p->np, &tv) < 0)
		return 0;
	ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
	if (ms < 0)
		ms = 0;
	return (int)(ms > 60000 ? 60000 : ms + 1);
}

int
portmap_natpmp_step(struct portmap_natpmp *p, struct portmap_lease *out,
    char *err, size_t errlen)
{
	natpmpresp_t	resp;
	int		r;

	if (p->phase == NP_IDLE) {
		snprintf(err, errlen, "NAT-PMP: no request");
		return -1;
	}
	r = readnatpmpresponseorretry(&p->np, &resp);
	if (r == NATPMP_TRYAGAIN)
		return 0;
	if (r < 0)
		return fail(p, p->phase == NP_ADDRESS ? "public address" :
		    "mapping", r, err, errlen);
	if (p->phase == NP_ADDRESS) {
		if (resp.type != NATPMP_RESPTYPE_PUBLICADDRESS)
			return 0;
		p->ext_ip = ntohl(resp.pnu.publicaddress.addr.s_addr);
		r = sendnewportmappingrequest(&p->np, NATPMP_PROTOCOL_UDP,
		    p->port, p->ext_port, p->lifetime);
		if (r < 0)
			return fail(p, "send", r, err, errlen);
		p->phase = NP_MAPPING;
		return 0;
	}
	if (resp.type != NATPMP_RESPTYPE_UDPPORTMAPPING ||
	    resp.pnu.newportmapping.privateport != p->port)
		return 0;
	if (p->lifetime != 0 && (resp.pnu.newportmapping.mappedpublicport == 0
	    || p->ext_ip == 0)) {
		snprintf(err, errlen, "NAT-PMP: gateway returned an empty "
		    "mapping");
		portmap_natpmp_end(p);
		return -1;
	}
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->method = PORTMAP_NATPMP;
		out->ext_ip = p->ext_ip;
		out->ext_port = resp.pnu.newportmapping.mappedpublicport;
		out->int_port = p->port;
		out->lifetime = resp.pnu.newportmapping.lifetime;
	}
	portmap_natpmp_end(p);
	return 1;
}

void
portmap_natpmp_end(struct portmap_natpmp *p)
{
	if (p->phase != NP_IDLE)
		closenatpmp(&p->np);
	p->phase = NP_IDLE;
}
