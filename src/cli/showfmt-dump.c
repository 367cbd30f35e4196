/* mesh show --dump: one tab-separated line per object, from a decoded
 * control reply (the other formats are in showfmt.c). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "control/ctlproto.h"
#include "cli/showfmt.h"

/* --- dump: one tab-separated line per object, first field its kind,
 * second the interface; "-" for an absent value. --- */

static void
d_str(FILE *f, const char *s)
{
	fprintf(f, "\t%s", s[0] != '\0' ? s : "-");
}

static void
d_num(FILE *f, uint64_t v)
{
	fprintf(f, "\t%" PRIu64, v);
}

static void
d_drops(FILE *f, const struct ctl_counter *c, size_t n)
{
	size_t	i;

	fputc('\t', f);
	if (n == 0)
		fputc('-', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s=%" PRIu64, i > 0 ? "," : "", c[i].name,
		    c[i].value);
}

void
showfmt_dump(struct showfmt *sf, const struct ctl_reply *r)
{
	const struct ctl_iface *ifc = &r->iface;
	FILE	*f = sf->f;
	size_t	 i;

	fprintf(f, "interface\t%s", ifc->ifname);
	d_str(f, ifc->network);
	d_str(f, ifc->ns);
	d_str(f, ifc->key);
	d_num(f, ifc->workbit);
	d_str(f, ifc->addr4);
	d_str(f, ifc->addr6);
	d_num(f, ifc->listen_port);
	d_str(f, ifc->reflexive);
	d_str(f, ifc->nat);
	d_str(f, ifc->portmap);
	d_str(f, ifc->portmap_external);
	d_num(f, ifc->portmap_expires);
	d_num(f, ifc->pid);
	d_num(f, ifc->uid);
	d_num(f, ifc->started);
	d_num(f, ifc->now);
	d_num(f, ifc->rx_bytes);
	d_num(f, ifc->tx_bytes);
	d_drops(f, ifc->drops, ifc->ndrops);
	d_str(f, ifc->netconfig);
	d_num(f, ifc->reload_time);
	d_str(f, ifc->reload_result);
	d_str(f, ifc->reload_error);
	d_str(f, ifc->transport);
	d_str(f, ifc->transport_why);
	d_num(f, ifc->transport_since);
	d_num(f, ifc->tcp_out);
	d_num(f, ifc->tcp_in);
	d_num(f, ifc->nc_version);
	d_str(f, ifc->nc_hash);
	d_str(f, ifc->nc_source);
	d_str(f, ifc->nc_refused);
	fputc('\n', f);
	for (i = 0; (sf->what & SHOWFMT_PEERS) && i < r->npeers; i++) {
		const struct ctl_peer *p = &r->peers[i];

		fprintf(f, "peer\t%s", ifc->ifname);
		d_str(f, p->key);
		d_str(f, p->name);
		d_str(f, p->addr4);
		d_str(f, p->addr6);
		d_str(f, p->path);
		d_str(f, p->via);
		d_str(f, p->endpoint);
		d_num(f, p->last_handshake);
		d_num(f, p->rtt_us);
		d_num(f, p->rx_bytes);
		d_num(f, p->tx_bytes);
		d_drops(f, p->drops, p->ndrops);
		d_str(f, p->why);
		d_num(f, p->last_seen);
		d_num(f, p->silent_since);
		d_num(f, p->lost);
		d_str(f, p->trying);
		d_str(f, p->tried);
		d_num(f, p->tried_probes);
		d_num(f, p->tried_budget);
		d_num(f, p->tried_pps);
		d_str(f, p->tried_result);
		d_num(f, p->tried_ms);
		d_str(f, p->recovery);
		d_str(f, p->recovery_via);
		d_num(f, p->recovery_lost);
		d_num(f, p->recovery_gap_ms);
		fputc('\n', f);
	}
	if (!(sf->what & SHOWFMT_DHT) || !r->dht.present)
		return;
	fprintf(f, "dht\t%s", ifc->ifname);
	d_str(f, r->dht.id);
	d_num(f, r->dht.nodes);
	d_num(f, r->dht.good);
	d_num(f, r->dht.replacements);
	d_num(f, r->dht.rx_packets);
	d_num(f, r->dht.tx_packets);
	d_drops(f, r->dht.drops, r->dht.ndrops);
	fputc('\n', f);
	for (i = 0; i < r->dht.nbuckets; i++) {
		const struct ctl_bucket *b = &r->dht.buckets[i];

		fprintf(f, "bucket\t%s", ifc->ifname);
		d_num(f, b->depth);
		d_num(f, b->nodes);
		d_num(f, b->good);
		d_num(f, b->replacements);
		d_num(f, b->last_active);
		fputc('\n', f);
	}
	for (i = 0; i < r->dht.nsearches; i++) {
		const struct ctl_search *s = &r->dht.searches[i];

		fprintf(f, "search\t%s", ifc->ifname);
		d_str(f, s->target);
		d_str(f, s->kind);
		d_str(f, s->state);
		d_num(f, s->started);
		d_num(f, s->inflight);
		d_num(f, s->responded);
		d_num(f, s->found);
		fputc('\n', f);
	}
}
