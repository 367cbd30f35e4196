/* Per-member state: tunnel session plus path (see peer.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "datapath/peer.h"
#include "tunnel/tunnel.h"

struct peer *
peer_new(struct tunnel_local *local, const struct nc_member *m, size_t idx)
{
	struct peer	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->idx = idx;
	memcpy(p->key, m->key, KEY_LEN);
	memcpy(p->hostname, m->hostname, sizeof(p->hostname));
	p->ip4 = m->ip4;
	memcpy(p->ip6, m->ip6, sizeof(p->ip6));
	p->timer_at = UINT64_MAX;
	p->pmtu_at = UINT64_MAX;
	if ((p->tunnel = tunnel_new(local, m->key, p)) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	tunnel_free(p->tunnel);
	free(p);
}

void
path_configure(struct path *path, const struct sockaddr_in6 *ep)
{
	path->configured = *ep;
	path->has_configured = 1;
	if (path->source == PATH_NONE) {
		path->endpoint = *ep;
		path->source = PATH_CONFIGURED;
	}
}

int
path_learn(struct path *path, const struct sockaddr_in6 *from, uint64_t now)
{
	path->last_rx = now;
	if (path->source != PATH_NONE &&
	    path->endpoint.sin6_port == from->sin6_port &&
	    memcmp(&path->endpoint.sin6_addr, &from->sin6_addr,
	    sizeof(from->sin6_addr)) == 0)
		return 0;
	path->endpoint = *from;
	path->source = PATH_LEARNED;
	path->relayed = 0;
	path->changes++;
	return 1;
}

const char *
peer_drop_name(enum peer_drop d)
{
	static const char *const names[PEER_DROP_COUNT] = {
		"spoofed", "malformed", "no_endpoint", "staged",
	};

	return (unsigned)d < PEER_DROP_COUNT ? names[d] : "unknown";
}
