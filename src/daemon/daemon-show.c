/* mesh show's records from the daemon's state: the interface, each
 * member, the DHT (control_ops.show, control.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/util.h"
#include "control/ctlproto.h"
#include "daemon/daemon-int.h"
#include "datapath/datapath.h"
#include "datapath/members.h"
#include "datapath/peer.h"
#include "datapath/udp.h"
#include "nat/disc.h"
#include "netconf/addr.h"
#include "netconf/keys.h"
#include "tunnel/tunnel.h"

static const char *const tunnel_drop_names[] = TUNNEL_ERR_NAMES;
_Static_assert(sizeof(tunnel_drop_names) / sizeof(tunnel_drop_names[0]) ==
    TUNNEL_ERR_COUNT, "TUNNEL_ERR_NAMES names every enum tunnel_err");
/* Room for every reason in the records (names two layers share, such as
 * malformed, are added up into one counter, so this is an upper bound). */
_Static_assert(DP_DROP_COUNT + DISC_DROP_REASONS + TUNNEL_ERR_COUNT - 1 <=
    CTL_MAX_COUNTERS, "the interface record has room for every drop reason");
_Static_assert(PEER_DROP_COUNT <= CTL_MAX_COUNTERS,
    "the peer record has room for every enum peer_drop");

/* "addr/prefixlen" into a control record's address field. */
static void
addr_field(char *out, size_t outlen, const char *a, unsigned prefixlen)
{
	char	buf[ADDR_IP6_STRLEN + 8];

	snprintf(buf, sizeof(buf), "%s/%u", a, prefixlen);
	util_strlcpy(out, buf, outlen);
}

/* Monotonic ms to Unix seconds (0 stays 0: never), the same way as the
 * discovery layer's part of the reply (clock_mono_to_unix_ms). */
static uint64_t
to_unix(const struct daemon *d, uint64_t ms)
{
	(void)d;
	return clock_mono_to_unix_ms(ms, clock_mono_ms(), clock_unix_ms()) /
	    1000;
}

static void
fill_iface(struct daemon *d, struct ctl_iface *ci, time_t now)
{
	const struct dp_counters	*c;
	char				 a[ADDR_IP6_STRLEN];
	size_t				 i;

	memset(ci, 0, sizeof(*ci));
	util_strlcpy(ci->ifname, d->ifname, sizeof(ci->ifname));
	util_strlcpy(ci->network, d->nc.name, sizeof(ci->network));
	util_strlcpy(ci->ns, d->nc.ns, sizeof(ci->ns));
	util_strlcpy(ci->netconfig, d->netconfig, sizeof(ci->netconfig));
	key_to_text(ci->key, d->pk);
	ci->workbit = d->nc.workbit;
	if (d->self >= 0) {
		const struct nc_member	*m = &d->nc.members[d->self];

		addr_ip4_format(a, m->ip4);
		addr_field(ci->addr4, sizeof(ci->addr4), a, d->nc.prefixlen);
		addr_ip6_format(a, m->ip6);
		addr_field(ci->addr6, sizeof(ci->addr6), a, IP6_PREFIXLEN);
	}
	ci->listen_port = d->port;
	util_strlcpy(ci->nat, "unknown", sizeof(ci->nat));
	util_strlcpy(ci->portmap, "off", sizeof(ci->portmap));
	ci->pid = (uint64_t)getpid();
	ci->uid = (uint64_t)geteuid();
	ci->started = (uint64_t)d->started;
	ci->now = (uint64_t)now;
	c = datapath_counters(d->dp);
	ci->rx_bytes = c->rx_bytes;
	ci->tx_bytes = c->tx_bytes;
	if (d->last_reload.when != 0) {
		ci->reload_time = (uint64_t)d->last_reload.when;
		util_strlcpy(ci->reload_via, d->last_reload.via,
		    sizeof(ci->reload_via));
		util_strlcpy(ci->reload_result, d->last_reload.ok ? "ok" :
		    "refused", sizeof(ci->reload_result));
		ci->reload_added = d->last_reload.added;
		ci->reload_removed = d->last_reload.removed;
		ci->reload_changed = d->last_reload.changed;
		util_strlcpy(ci->reload_error, d->last_reload.error,
		    sizeof(ci->reload_error));
	}
	for (i = 0; i < DP_DROP_COUNT; i++)
		if (c->drops[i] != 0)
			(void)ctl_counter_add(ci->drops, &ci->ndrops,
			    dp_drop_name((enum dp_drop)i), c->drops[i]);
	if (d->disc != NULL)
		disc_fill_iface(d->disc, ci);
	if (d->tcp != NULL)
		daemon_tcp_fill(d, ci);
	if (d->local != NULL)
		for (i = 1; i < TUNNEL_ERR_COUNT; i++)
			if (tunnel_drop_names[i] != NULL &&
			    tunnel_local_drops(d->local, (enum tunnel_err)i))
				(void)ctl_counter_add(ci->drops, &ci->ndrops,
				    tunnel_drop_names[i], tunnel_local_drops(
				    d->local, (enum tunnel_err)i));
}

static void
fill_peer(struct daemon *d, struct peer *p, struct ctl_peer *cp)
{
	struct tunnel_stats	st;
	char			a[ADDR_IP6_STRLEN];
	size_t			i;

	memset(cp, 0, sizeof(*cp));
	key_to_text(cp->key, p->key);
	util_strlcpy(cp->name, p->hostname, sizeof(cp->name));
	addr_ip4_format(a, p->ip4);
	addr_field(cp->addr4, sizeof(cp->addr4), a, 32);
	addr_ip6_format(a, p->ip6);
	addr_field(cp->addr6, sizeof(cp->addr6), a, 128);
	switch (p->path.source) {
	case PATH_NONE:
		util_strlcpy(cp->path, "unreachable", sizeof(cp->path));
		util_strlcpy(cp->why, "no endpoint known; waiting to be "
		    "contacted", sizeof(cp->why));
		break;
	case PATH_CONFIGURED:
		util_strlcpy(cp->path, "direct", sizeof(cp->path));
		util_strlcpy(cp->why, "endpoint from the netconfig",
		    sizeof(cp->why));
		break;
	case PATH_LEARNED:
		util_strlcpy(cp->path, "direct", sizeof(cp->path));
		util_strlcpy(cp->why, "source of its last authenticated "
		    "packet", sizeof(cp->why));
		break;
	}
	if (path_usable(&p->path))
		udp_addr_fmt(&p->path.endpoint, cp->endpoint,
		    sizeof(cp->endpoint));
	/* whether it is still heard: discovery adds what its path expects
	 * (silent_since, lost, trying) and its own answers (ACKs) */
	cp->last_seen = to_unix(d, p->path.last_rx);
	if (d->disc != NULL)
		disc_fill_peer(d->disc, p, cp);
	tunnel_get_stats(p->tunnel, &st);
	cp->last_handshake = to_unix(d, st.last_handshake);
	cp->rx_bytes = st.rx_bytes;
	cp->tx_bytes = st.tx_bytes;
	cp->rx_packets = st.rx_packets;
	cp->tx_packets = st.tx_packets;
	datapath_peer_mtu(p, &cp->mtu, &cp->mtu_inner, cp->mtu_source,
	    sizeof(cp->mtu_source));
	for (i = 0; i < PEER_DROP_COUNT; i++)
		if (p->drops[i] != 0)
			(void)ctl_counter_add(cp->drops, &cp->ndrops,
			    peer_drop_name((enum peer_drop)i), p->drops[i]);
}

int
daemon_show(void *arg, const char *what, struct ctl_writer *w, char *err,
    size_t errlen)
{
	struct daemon	*d = arg;
	struct ctl_iface ci;
	struct ctl_peer	 cp;
	struct ctl_dht	*dht;
	time_t		 now = time(NULL);
	size_t		 i;

	fill_iface(d, &ci, now);
	ctl_put_iface(w, &ci);
	if (strcmp(what, "dht") != 0) {
		for (i = 0; i < d->mb->n; i++) {
			if (d->mb->peer[i] == NULL)
				continue;
			fill_peer(d, d->mb->peer[i], &cp);
			ctl_put_peer(w, &cp);
		}
	}
	if (d->disc != NULL && (strcmp(what, "dht") == 0 ||
	    strcmp(what, "all") == 0) &&
	    (dht = calloc(1, sizeof(*dht))) != NULL) {
		disc_fill_dht(d->disc, dht);
		ctl_put_dht(w, dht);
		free(dht);
	}
	return 0;
}
