/* Prometheus text exposition of a `mesh show` reply (see metrics.h). */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/metrics.h"

struct out {
	char	*buf;
	size_t	 len, cap;
	int	 failed;
};

static void
put(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 need;
	int	 n;
	char	*nb;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		need = o->len + (size_t)n + 1;
		if (need < o->cap * 2)
			need = o->cap * 2;
		if ((nb = realloc(o->buf, need)) == NULL) {
			o->failed = 1;
			return;
		}
		o->buf = nb;
		o->cap = need;
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void
put_label(struct out *o, const char *name, const char *v)
{
	put(o, "%s=\"", name);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			put(o, "\\%c", *v);
		else if (*v == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *v);
	}
	put(o, "\"");
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{peer labels}: the member's key and hostname. */
static void
peer_labels(struct out *o, const struct ctl_peer *p)
{
	put_label(o, "key", p->key);
	put(o, ",");
	put_label(o, "name", p->name);
}

static void
counters(struct out *o, const char *name, const char *help,
    const struct ctl_counter *c, size_t n, const struct ctl_peer *p)
{
	size_t	i;

	if (n == 0)
		return;
	family(o, name, "counter", help);
	for (i = 0; i < n; i++) {
		put(o, "%s{", name);
		if (p != NULL) {
			peer_labels(o, p);
			put(o, ",");
		}
		put_label(o, "reason", c[i].name);
		put(o, "} %" PRIu64 "\n", c[i].value);
	}
}

static const char *const path_kinds[] = {
	"direct", "mapped", "punched", "relayed", "lan", "unreachable",
};

static void
peers(struct out *o, const struct ctl_reply *r)
{
	static const struct {
		const char	*name, *type, *help;
		size_t		 off;	/* of a uint64_t in struct ctl_peer */
		double		 scale;
	} u[] = {
		{ "mesh_peer_rx_bytes_total", "counter",
		    "Bytes received from the member through the tunnel.",
		    offsetof(struct ctl_peer, rx_bytes), 1 },
		{ "mesh_peer_tx_bytes_total", "counter",
		    "Bytes sent to the member through the tunnel.",
		    offsetof(struct ctl_peer, tx_bytes), 1 },
		{ "mesh_peer_rx_packets_total", "counter",
		    "Authenticated packets received from the member.",
		    offsetof(struct ctl_peer, rx_packets), 1 },
		{ "mesh_peer_tx_packets_total", "counter",
		    "Packets sent to the member through the tunnel.",
		    offsetof(struct ctl_peer, tx_packets), 1 },
		{ "mesh_peer_rtt_seconds", "gauge",
		    "Round-trip time of the path in use (0: not measured).",
		    offsetof(struct ctl_peer, rtt_us), 1e-6 },
		{ "mesh_peer_last_handshake_seconds", "gauge",
		    "Unix time of the last completed handshake (0: never).",
		    offsetof(struct ctl_peer, last_handshake), 1 },
		{ "mesh_peer_connect_seconds", "gauge",
		    "From first use to the first path (0: not yet).",
		    offsetof(struct ctl_peer, connect_ms), 1e-3 },
	};
	const struct ctl_peer	*p;
	size_t			 i, j, k;
	uint64_t		 v;

	if (r->npeers == 0)
		return;
	for (k = 0; k < sizeof(u) / sizeof(u[0]); k++) {
		family(o, u[k].name, u[k].type, u[k].help);
		for (i = 0; i < r->npeers; i++) {
			p = &r->peers[i];
			memcpy(&v, (const char *)p + u[k].off, sizeof(v));
			put(o, "%s{", u[k].name);
			peer_labels(o, p);
			if (u[k].scale == 1)
				put(o, "} %" PRIu64 "\n", v);
			else
				put(o, "} %.6f\n", (double)v * u[k].scale);
		}
	}
	family(o, "mesh_peer_path", "gauge",
	    "1 for the kind of path the member's packets take now.");
	for (i = 0; i < r->npeers; i++) {
		p = &r->peers[i];
		for (j = 0; j < sizeof(path_kinds) / sizeof(path_kinds[0]);
		    j++) {
			put(o, "mesh_peer_path{");
			peer_labels(o, p);
			put(o, ",");
			put_label(o, "path", path_kinds[j]);
			put(o, "} %d\n", strcmp(p->path, path_kinds[j]) == 0);
		}
	}
	for (i = 0; i < r->npeers; i++)
		if (r->peers[i].ndrops > 0)
			break;
	if (i == r->npeers)
		return;
	family(o, "mesh_peer_drops_total", "counter",
	    "Packets from or to the member dropped, by reason.");
	for (i = 0; i < r->npeers; i++) {
		p = &r->peers[i];
		for (j = 0; j < p->ndrops; j++) {
			put(o, "mesh_peer_drops_total{");
			peer_labels(o, p);
			put(o, ",");
			put_label(o, "reason", p->drops[j].name);
			put(o, "} %" PRIu64 "\n", p->drops[j].value);
		}
	}
}

static void
dht(struct out *o, const struct ctl_dht *d)
{
	if (!d->present)
		return;
	family(o, "mesh_dht_nodes", "gauge", "Nodes in the routing table.");
	put(o, "mesh_dht_nodes %" PRIu64 "\n", d->nodes);
	family(o, "mesh_dht_good_nodes", "gauge",
	    "Nodes of the routing table heard from recently.");
	put(o, "mesh_dht_good_nodes %" PRIu64 "\n", d->good);
	family(o, "mesh_dht_replacement_nodes", "gauge",
	    "Nodes waiting for a place in the routing table.");
	put(o, "mesh_dht_replacement_nodes %" PRIu64 "\n", d->replacements);
	family(o, "mesh_dht_rx_packets_total", "counter",
	    "DHT datagrams received.");
	put(o, "mesh_dht_rx_packets_total %" PRIu64 "\n", d->rx_packets);
	family(o, "mesh_dht_tx_packets_total", "counter",
	    "DHT datagrams sent.");
	put(o, "mesh_dht_tx_packets_total %" PRIu64 "\n", d->tx_packets);
	family(o, "mesh_dht_searches", "gauge", "Lookups in progress.");
	put(o, "mesh_dht_searches %zu\n", d->nsearches);
	counters(o, "mesh_dht_drops_total", "DHT datagrams dropped, by reason.",
	    d->drops, d->ndrops, NULL);
}

char *
metrics_format(const struct ctl_reply *r, size_t *len)
{
	struct out		 o;
	const struct ctl_iface	*ci = &r->iface;

	memset(&o, 0, sizeof(o));
	if ((o.buf = malloc(o.cap = 4096)) == NULL)
		return NULL;
	o.buf[0] = '\0';
	if (r->has_iface) {
		family(&o, "mesh_info", "gauge",
		    "The interface, its network and its own public key.");
		put(&o, "mesh_info{");
		put_label(&o, "interface", ci->ifname);
		put(&o, ",");
		put_label(&o, "network", ci->network);
		put(&o, ",");
		put_label(&o, "key", ci->key);
		put(&o, ",");
		put_label(&o, "nat", ci->nat);
		put(&o, ",");
		put_label(&o, "portmap", ci->portmap);
		put(&o, "} 1\n");
		family(&o, "mesh_start_time_seconds", "gauge",
		    "Unix time the daemon started.");
		put(&o, "mesh_start_time_seconds %" PRIu64 "\n", ci->started);
		family(&o, "mesh_udp_rx_bytes_total", "counter",
		    "Bytes received on the UDP socket.");
		put(&o, "mesh_udp_rx_bytes_total %" PRIu64 "\n", ci->rx_bytes);
		family(&o, "mesh_udp_tx_bytes_total", "counter",
		    "Bytes sent on the UDP socket.");
		put(&o, "mesh_udp_tx_bytes_total %" PRIu64 "\n", ci->tx_bytes);
		family(&o, "mesh_relayed_rx_datagrams_total", "counter",
		    "Our datagrams received through relays.");
		put(&o, "mesh_relayed_rx_datagrams_total %" PRIu64 "\n",
		    ci->relayed_in);
		family(&o, "mesh_relayed_tx_datagrams_total", "counter",
		    "Our datagrams sent through relays.");
		put(&o, "mesh_relayed_tx_datagrams_total %" PRIu64 "\n",
		    ci->relayed_out);
		family(&o, "mesh_relay_forwarded_datagrams_total", "counter",
		    "Datagrams this node relayed for others.");
		put(&o, "mesh_relay_forwarded_datagrams_total %" PRIu64 "\n",
		    ci->relay_forwarded);
		family(&o, "mesh_relay_forwarded_bytes_total", "counter",
		    "Bytes this node relayed for others.");
		put(&o, "mesh_relay_forwarded_bytes_total %" PRIu64 "\n",
		    ci->relay_forwarded_bytes);
		family(&o, "mesh_members", "gauge",
		    "Members of the network other than this node.");
		put(&o, "mesh_members %zu\n", r->npeers);
		counters(&o, "mesh_drops_total", "Datagrams and packets "
		    "dropped by the interface (not a member's), by reason.",
		    ci->drops, ci->ndrops, NULL);
	}
	peers(&o, r);
	dht(&o, &r->dht);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	*len = o.len;
	return o.buf;
}
