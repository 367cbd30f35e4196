/* What `mesh show` gets from the discovery layer: the interface record
 * (our address as others see it, NAT kind, port mapping, drop counters),
 * each member's path, the DHT. Reads every owner's state, writes none. */
#include "config.h"

#include <string.h>

#include "common/clock.h"
#include "common/util.h"
#include "control/ctlproto.h"
#include "datapath/peer.h"
#include "nat/discint.h"
#include "nat/natep.h"
#include "netconf/keys.h"

static uint64_t
unix_s(uint64_t mono_ms, uint64_t now)
{
	return clock_mono_to_unix_ms(mono_ms, now, clock_unix_ms()) / 1000;
}

void
disc_fill_iface(struct disc *d, struct ctl_iface *ci)
{
	static const char *const drop_names[DISC_DROP_COUNT] = {
		"nat_malformed", "nat_not_member", "nat_mac", "nat_stray",
		"relay_bind", "relay_dhlimit", "beacon_other", "relay_unbound",
		"relay_unknown", "relay_rate", "relay_loop", "relay_send",
		"nat_probe_rate",
	};
	struct portmap_status	pms;
	uint64_t		drops[DISC_DROP_COUNT];
	uint64_t		now = disc_now();
	size_t			i;

	if (natep_is_set(&d->self.nkr.reflexive))
		disc_addr(&d->self.nkr.reflexive, ci->reflexive,
		    sizeof(ci->reflexive));
	switch (d->self.nkr.kind) {
	case NATKIND_NONE:
		util_strlcpy(ci->nat, "none", sizeof(ci->nat));
		break;
	case NATKIND_EIM:
		util_strlcpy(ci->nat, "endpoint-independent",
		    sizeof(ci->nat));
		break;
	case NATKIND_EDM:
		util_strlcpy(ci->nat, "endpoint-dependent", sizeof(ci->nat));
		break;
	default:
		util_strlcpy(ci->nat, "unknown", sizeof(ci->nat));
		break;
	}
	if (d->self.pm != NULL) {
		portmap_status(d->self.pm, &pms);
		if (pms.mapped) {
			util_strlcpy(ci->portmap, pms.method ==
			    PORTMAP_UPNP ? "upnp" : "natpmp",
			    sizeof(ci->portmap));
			disc_addr(&d->self.mapped_ep, ci->portmap_external,
			    sizeof(ci->portmap_external));
			if (pms.expires_in != 0)
				ci->portmap_expires = unix_s(now +
				    pms.expires_in, now);
		} else if (pms.nfailed > 0 && pms.phase ==
		    PORTMAP_WAITING) {
			util_strlcpy(ci->portmap, "failed",
			    sizeof(ci->portmap));
		} else
			util_strlcpy(ci->portmap, "searching",
			    sizeof(ci->portmap));
	}
	/* each owner counts its own */
	for (i = 0; i < DISC_DROP_COUNT; i++) {
		drops[i] = d->hub_drops[i] + d->pg.drops[i] + d->drops[i] +
		    d->bc.drops[i];
		if (drops[i] != 0)
			(void)ctl_counter_add(ci->drops, &ci->ndrops,
			    drop_names[i], drops[i]);
	}
}

void
disc_fill_peer(struct disc *d, struct peer *p, struct ctl_peer *cp)
{
	struct dmember		*m = p->path.nat;
	const struct natpath	*np;
	struct sockaddr_in6	 ep;
	int			 relayed;
	const char		*kind;
	const uint8_t		*rkey;

	(void)d;
	if (m == NULL)
		return;
	np = &m->pa.np;
	if (natpath_route(np, &ep, &relayed) == -1)
		kind = path_usable(&p->path) ? "direct" : "unreachable";
	else if (relayed)
		kind = "relayed";
	else if (np->have_ep)
		kind = natpath_src_name(np->ep_src);
	else
		kind = "direct";
	if (strcmp(kind, "roamed") == 0)
		kind = "direct";
	util_strlcpy(cp->path, kind, sizeof(cp->path));
	cp->via[0] = '\0';
	if (relayed && (rkey = relayclient_relay_key(&d->pg.rc, &m->rc)) != NULL)
		key_to_text(cp->via, rkey);
	if (np->state == NATPATH_IDLE && path_usable(&p->path) &&
	    !np->have_ep)
		util_strlcpy(cp->why, p->path.source == PATH_CONFIGURED ?
		    "endpoint from the netconfig; not in use" :
		    "not in use", sizeof(cp->why));
	else if (np->state == NATPATH_IDLE && m->lk.found_at == 0 &&
	    !path_usable(&p->path))
		util_strlcpy(cp->why, m->lk.search != 0 ? "looking it up in "
		    "the DHT" : "not found in the DHT yet", sizeof(cp->why));
	else
		util_strlcpy(cp->why, np->reason, sizeof(cp->why));
	if (path_usable(&p->path))
		disc_addr(&p->path.endpoint, cp->endpoint,
		    sizeof(cp->endpoint));
	cp->connect_ms = np->connect_ms;
	if (!relayed && np->state == NATPATH_DIRECT)
		cp->rtt_us = m->rtt.rtt_us;
}

static int
node_cb(void *arg, const struct dht_node_info *n)
{
	struct ctl_dht	*cd = arg;
	struct ctl_bucket *b = NULL;
	size_t		 i;

	for (i = 0; i < cd->nbuckets; i++)
		if (cd->buckets[i].depth == n->bucket)
			b = &cd->buckets[i];
	if (b == NULL) {
		if (cd->nbuckets >= CTL_MAX_BUCKETS)
			return 0;
		b = &cd->buckets[cd->nbuckets++];
		memset(b, 0, sizeof(*b));
		b->depth = n->bucket;
	}
	if (n->replacement)
		b->replacements++;
	else {
		b->nodes++;
		cd->nodes++;
		if (n->fails == 0) {
			b->good++;
			cd->good++;
		}
	}
	if (n->last_seen > b->last_active)
		b->last_active = n->last_seen;
	return 0;
}

void
disc_fill_dht(struct disc *d, struct ctl_dht *cd)
{
	struct dht_stats	st;
	uint8_t			id[DHT_ID_LEN];
	uint64_t		now = disc_now();
	size_t			i;

	memset(cd, 0, sizeof(*cd));
	if (d->dg.dht == NULL)
		return;
	cd->present = 1;
	dht_node_id(d->dg.dht, id, d->pk);
	key_to_text(cd->id, id);
	dht_get_stats(d->dg.dht, &st);
	dht_foreach_node(d->dg.dht, node_cb, cd);
	cd->replacements = st.table_replacements;
	for (i = 0; i < cd->nbuckets; i++)
		cd->buckets[i].last_active = unix_s(cd->buckets[i].last_active,
		    now);
	cd->rx_packets = st.pkts_in;
	cd->tx_packets = st.pkts_out;
	for (i = 0; i < DHT_DROP_MAX; i++)
		if (st.drops[i] != 0)
			(void)ctl_counter_add(cd->drops, &cd->ndrops,
			    dht_drop_name((enum dht_drop)i), st.drops[i]);
	for (i = 0; i < d->mt.nm && cd->nsearches < CTL_MAX_SEARCHES; i++) {
		struct dmember		*m = d->mt.m[i];
		struct ctl_search	*s;

		if (m == NULL || m->lk.search == 0)
			continue;
		s = &cd->searches[cd->nsearches++];
		key_to_text(s->target, m->key);
		util_strlcpy(s->kind, "member", sizeof(s->kind));
		util_strlcpy(s->state, "running", sizeof(s->state));
		s->started = unix_s(m->lk.search_started, now);
		s->found = m->lk.nrv + (m->lk.public_ep ? 1 : 0);
	}
}
