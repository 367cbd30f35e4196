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
	free(p->frag_buf);
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

void
path_unconfigure(struct path *path)
{
	path->has_configured = 0;
	if (path->source == PATH_CONFIGURED)
		path->source = PATH_NONE;
}

static int
same_ep(const struct sockaddr_in6 *a, const struct sockaddr_in6 *b)
{
	return a->sin6_port == b->sin6_port && memcmp(&a->sin6_addr,
	    &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

enum path_rx
path_authentic(struct path *path, const struct sockaddr_in6 *from,
    uint64_t now)
{
	path->last_rx = now;
	path->waiting = 0;
	if (path->source != PATH_NONE && same_ep(&path->endpoint, from))
		return PATH_RX_SAME;
	if (path->relayed) {
		/* the NAT layer's route: it probes there and decides (told
		 * again now and then, not for every packet) */
		if (path->offered_at != 0 && same_ep(&path->offered, from) &&
		    now - path->offered_at < PATH_OFFER_MS)
			return PATH_RX_SAME;
		path->offered = *from;
		path->offered_at = now;
		return PATH_RX_OFFERED;
	}
	path->endpoint = *from;
	path->source = PATH_LEARNED;
	path->changes++;
	return PATH_RX_MOVED;
}

int
path_route(struct path *path, const struct sockaddr_in6 *ep, int relayed)
{
	if (path->source != PATH_NONE && same_ep(&path->endpoint, ep) &&
	    path->relayed == relayed)
		return 0;
	path->endpoint = *ep;
	path->relayed = relayed;
	path->source = !relayed && path->has_configured &&
	    same_ep(&path->configured, ep) ? PATH_CONFIGURED : PATH_LEARNED;
	return 1;
}

const char *
peer_drop_name(enum peer_drop d)
{
	static const char *const names[] = PEER_DROP_NAMES;

	_Static_assert(sizeof(names) / sizeof(names[0]) == PEER_DROP_COUNT,
	    "PEER_DROP_NAMES names every enum peer_drop");
	return (unsigned)d < PEER_DROP_COUNT && names[d] != NULL ? names[d] :
	    "unknown";
}
