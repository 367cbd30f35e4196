/* UPnP IGD port mapping with miniupnpc. Every function here blocks (SSDP
 * discovery, HTTP/SOAP): portmap.c calls them from a worker thread.
 *
 * miniupnpc reports socket errors itself, with perror() and fprintf() to
 * stderr ("sendto: Network is unreachable" on a host without IPv4), which
 * under -f (systemd) is the log: raw lines among the daemon's. So each
 * call runs with this thread's own descriptor table (unshare CLONE_FILES:
 * the other threads keep the real stderr) whose stderr is a pipe, and what
 * it caught is added to the call's error message, which the loop logs. */
#include "config.h"		/* _GNU_SOURCE: unshare */

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include "nat/portmap-backend.h"

/* UPnP error codes AddPortMapping may answer with */
#define UPNP_ERR_CONFLICT	718	/* ConflictInMappingEntry */
#define UPNP_ERR_PERMANENT_ONLY	725	/* OnlyPermanentLeasesSupported */

struct portmap_upnp {
	int		have_igd;
	struct UPNPUrls	urls;
	struct IGDdatas	data;
	char		lanaddr[64];
};

/* stderr caught for one call: the pipe's read end and the real stderr. */
struct quiet {
	int	rfd, saved;
};

static void
quiet_begin(struct quiet *q)
{
	int	p[2];

	q->rfd = q->saved = -1;
	if (unshare(CLONE_FILES) == -1)
		return;		/* (a seccomp filter): left as it is */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return;
	if ((q->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    dup2(p[1], STDERR_FILENO) == -1) {
		if (q->saved != -1)
			close(q->saved);
		q->saved = -1;
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	q->rfd = p[0];
}

/* Put stderr back; on failure (rc != 0), add what miniupnpc said to err,
 * one line: "(miniupnpc: sendto: Network is unreachable; ...)". */
static void
quiet_end(struct quiet *q, int rc, char *err, size_t errlen)
{
	char	buf[512], out[512], *line, *next, *last = NULL;
	ssize_t	n;
	size_t	len, olen = 0;

	if (q->rfd == -1)
		return;
	(void)dup2(q->saved, STDERR_FILENO);
	close(q->saved);
	n = read(q->rfd, buf, sizeof(buf) - 1);
	close(q->rfd);
	if (rc == 0 || n <= 0)
		return;
	buf[n] = '\0';
	/* One line per complaint, each said once ("sendto" comes once per
	 * discovery packet). */
	out[0] = '\0';
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0' || (last != NULL && strcmp(line, last) == 0))
			continue;
		last = line;
		olen += (size_t)snprintf(out + olen, olen < sizeof(out) ?
		    sizeof(out) - olen : 0, "%s%s", olen > 0 ? "; " : "",
		    line);
		if (olen >= sizeof(out))
			break;
	}
	len = strlen(err);
	if (out[0] != '\0' && len < errlen)
		snprintf(err + len, errlen - len, " (miniupnpc: %s)", out);
}

struct portmap_upnp *
portmap_upnp_new(void)
{
	return calloc(1, sizeof(struct portmap_upnp));
}

static void
forget_igd(struct portmap_upnp *u)
{
	if (u->have_igd)
		FreeUPNPUrls(&u->urls);
	u->have_igd = 0;
}

void
portmap_upnp_free(struct portmap_upnp *u)
{
	if (u == NULL)
		return;
	forget_igd(u);
	free(u);
}

static int
discover(struct portmap_upnp *u, int discover_ms, char *err, size_t errlen)
{
	struct UPNPDev	*devs;
	int		 error = 0, r;
#if MINIUPNPC_API_VERSION >= 18
	char		 wanaddr[64];
#endif

	if (u->have_igd)
		return 0;
	devs = upnpDiscover(discover_ms, NULL, NULL, UPNP_LOCAL_PORT_ANY, 0,
	    2, &error);
	if (devs == NULL) {
		snprintf(err, errlen, "UPnP: no device answered discovery%s",
		    error ? " (socket error)" : "");
		return -1;
	}
	memset(&u->urls, 0, sizeof(u->urls));
	memset(&u->data, 0, sizeof(u->data));
#if MINIUPNPC_API_VERSION >= 18
	r = UPNP_GetValidIGD(devs, &u->urls, &u->data, u->lanaddr,
	    sizeof(u->lanaddr), wanaddr, sizeof(wanaddr));
#else
	r = UPNP_GetValidIGD(devs, &u->urls, &u->data, u->lanaddr,
	    sizeof(u->lanaddr));
#endif
	freeUPNPDevlist(devs);
	/* 1: a connected IGD. 2: with API 17 "not connected", which
	 * miniupnpd reports when its external address is a reserved one
	 * (as behind a carrier-grade NAT, or in the test lab); API 18 says
	 * "reserved address" outright. Either may still map ports: try, and
	 * let the reflexive address tell whether the result is reachable. */
	if (r != 1 && r != 2) {
		if (r != 0)
			FreeUPNPUrls(&u->urls);
		snprintf(err, errlen, "UPnP: %s",
		    r == 0 ? "no Internet Gateway Device found" :
		    "the UPnP device found is not a usable IGD");
		return -1;
	}
	u->have_igd = 1;
	return 0;
}

/* got_eport: 8 bytes */
static int
add(struct portmap_upnp *u, uint16_t port, uint16_t eport, uint32_t lifetime,
    char *got_eport)
{
	char	ext[8], in[8], lease[16];
	int	r;

	snprintf(ext, sizeof(ext), "%u", eport);
	snprintf(in, sizeof(in), "%u", port);
	snprintf(lease, sizeof(lease), "%lu", (unsigned long)lifetime);
	r = UPNP_AddPortMapping(u->urls.controlURL, u->data.first.servicetype,
	    ext, in, u->lanaddr, PORTMAP_DESC, "UDP", NULL, lease);
	if (r == UPNP_ERR_CONFLICT) {
		/* someone else holds that external port: let an IGDv2 pick */
		r = UPNP_AddAnyPortMapping(u->urls.controlURL,
		    u->data.first.servicetype, ext, in, u->lanaddr,
		    PORTMAP_DESC, "UDP", NULL, lease, got_eport);
		return r;
	}
	if (r == UPNPCOMMAND_SUCCESS)
		memcpy(got_eport, ext, sizeof(ext));
	return r;
}

static int
map(struct portmap_upnp *u, uint16_t port, uint32_t lifetime,
    int discover_ms, struct portmap_lease *out, char *err, size_t errlen)
{
	char		extip[40], eport[8] = "";
	struct in_addr	ia;
	unsigned long	ep;
	char		*end;
	int		r;

	if (discover(u, discover_ms, err, errlen) == -1)
		return -1;
	r = UPNP_GetExternalIPAddress(u->urls.controlURL,
	    u->data.first.servicetype, extip);
	if (r != UPNPCOMMAND_SUCCESS || inet_pton(AF_INET, extip, &ia) != 1 ||
	    ia.s_addr == 0) {
		snprintf(err, errlen, "UPnP: IGD at %s gave no external "
		    "address (%s)", u->urls.controlURL,
		    r != UPNPCOMMAND_SUCCESS ? strupnperror(r) : extip);
		forget_igd(u);
		return -1;
	}
	r = add(u, port, port, lifetime, eport);
	if (r == UPNP_ERR_PERMANENT_ONLY) {
		lifetime = 0;
		r = add(u, port, port, 0, eport);
	}
	if (r != UPNPCOMMAND_SUCCESS) {
		snprintf(err, errlen, "UPnP: AddPortMapping UDP %u -> %s:%u "
		    "refused: %d %s", port, u->lanaddr, port, r,
		    strupnperror(r) ? strupnperror(r) : "");
		if (r < 0)	/* no answer: rediscover next time */
			forget_igd(u);
		return -1;
	}
	ep = strtoul(eport, &end, 10);
	if (*eport == '\0' || *end != '\0' || ep == 0 || ep > 65535) {
		snprintf(err, errlen, "UPnP: IGD reported a bad external "
		    "port '%s'", eport);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->method = PORTMAP_UPNP;
	out->ext_ip = ntohl(ia.s_addr);
	out->ext_port = (uint16_t)ep;
	out->int_port = port;
	out->lifetime = lifetime;
	return 0;
}

static int
unmap(struct portmap_upnp *u, uint16_t ext_port, char *err, size_t errlen)
{
	char	ext[8];
	int	r;

	if (!u->have_igd) {
		snprintf(err, errlen, "UPnP: no IGD known");
		return -1;
	}
	snprintf(ext, sizeof(ext), "%u", ext_port);
	r = UPNP_DeletePortMapping(u->urls.controlURL,
	    u->data.first.servicetype, ext, "UDP", NULL);
	if (r != UPNPCOMMAND_SUCCESS) {
		snprintf(err, errlen, "UPnP: DeletePortMapping UDP %u: %d %s",
		    ext_port, r, strupnperror(r) ? strupnperror(r) : "");
		return -1;
	}
	return 0;
}

int
portmap_upnp_map(struct portmap_upnp *u, uint16_t port, uint32_t lifetime,
    int discover_ms, struct portmap_lease *out, char *err, size_t errlen)
{
	struct quiet	q;
	int		rc;

	quiet_begin(&q);
	rc = map(u, port, lifetime, discover_ms, out, err, errlen);
	quiet_end(&q, rc, err, errlen);
	return rc;
}

int
portmap_upnp_unmap(struct portmap_upnp *u, uint16_t ext_port, char *err,
    size_t errlen)
{
	struct quiet	q;
	int		rc;

	quiet_begin(&q);
	rc = unmap(u, ext_port, err, errlen);
	quiet_end(&q, rc, err, errlen);
	return rc;
}
