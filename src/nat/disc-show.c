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
#include "nat/relay.h"
#include "netconf/keys.h"

static uint64_t
unix_s(uint64_t mono_ms, uint64_t now)
{
	return clock_mono_to_unix_ms(mono_ms, now, clock_unix_ms()) / 1000;
}

_Static_assert(DHT_DROP_MAX <= CTL_MAX_COUNTERS,
    "the DHT record has room for every enum dht_drop");

void
disc_fill_iface(struct disc *d, struct ctl_iface *ci)
{
	static const char *const drop_names[] = DISC_DROP_NAMES;
	_Static_assert(sizeof(drop_names) / sizeof(drop_names[0]) ==
	    DISC_DROP_COUNT, "DISC_DROP_NAMES names every enum disc_drop");
	struct portmap_status	pms;
	struct relay_stats	rs;
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
	ci->relayed_in = d->pg.relayed_in;
	ci->relayed_out = d->pg.relayed_out;
	if (d->rt != NULL) {
		relay_get_stats(d->rt, &rs);
		ci->relay_forwarded = rs.forwarded;
		ci->relay_forwarded_bytes = rs.forwarded_bytes;
	}
	/* each owner counts its own */
	for (i = 0; i < DISC_DROP_COUNT; i++) {
		drops[i] = d->hub_drops[i] + d->pg.drops[i] + d->drops[i] +
		    d->bc.drops[i];
		if (drops[i] != 0 && drop_names[i] != NULL)
			(void)ctl_counter_add(ci->drops, &ci->ndrops,
			    drop_names[i], drops[i]);
	}
}

/* Why the path is what it is, without repeating the path's kind: natpath
 * says "direct: answered a probe (was probing)" where the path line
 * already says direct; shown as "answered a probe, was probing". */
static void
fill_why(struct ctl_peer *cp, const char *reason)
{
	char	*w = cp->why, *was;
	size_t	 n = strlen(cp->path), len;

	util_strlcpy(w, reason, sizeof(cp->why));
	if (n > 0 && strncmp(w, cp->path, n) == 0 && w[n] == ':' &&
	    w[n + 1] == ' ')
		memmove(w, w + n + 2, strlen(w + n + 2) + 1);
	len = strlen(w);
	if (len > 0 && w[len - 1] == ')' &&
	    (was = strstr(w, " (was ")) != NULL &&
	    strchr(was + 2, '(') == NULL) {
		w[len - 1] = '\0';
		was[0] = ',';		/* " (was X)" -> ", was X" */
		was[1] = ' ';
	}
}

/* Whether the member is still heard. Its path, in use, expects answers
 * (keepalive ACKs every NATPATH_KEEPALIVE_MS, or the member's own traffic
 * while we send): on a direct path, nothing for NATPATH_STALE_MS
 * (NATPATH_ACTIVE_STALE_MS while sending) is silence and NATPATH_DEAD_MS
 * (NATPATH_ACTIVE_DEAD_MS) a lost path, whatever the path's kind still
 * says; a member heard before whose path natpath is searching again is
 * silent, and lost once natpath gave its endpoint up (or found nothing). A
 * relayed path gets no keepalives through the relay: silent only after
 * NATPATH_DEAD_MS, and never lost (the relay still is the route). */
static void
fill_heard(const struct dmember *m, const struct peer *p,
    struct ctl_peer *cp, uint64_t now)
{
	const struct natpath	*np = &m->pa.np;
	uint64_t		 heard, quiet;
	int			 active;

	heard = p->path.last_rx > np->last_rx ? p->path.last_rx :
	    np->last_rx;
	if (heard == 0)
		return;			/* never heard: nothing to lose */
	cp->last_seen = unix_s(heard, now);
	quiet = now > heard ? now - heard : 0;
	active = now - np->last_tx < NATPATH_ACTIVE_MS;
	switch (np->state) {
	case NATPATH_IDLE:
		return;			/* not in use: nothing expected */
	case NATPATH_DIRECT:
		/* while sending: how long our first unanswered send waits */
		if (active)
			quiet = np->waiting && now > np->waiting_since ?
			    now - np->waiting_since : 0;
		if (quiet < (active ? NATPATH_ACTIVE_STALE_MS :
		    NATPATH_STALE_MS))
			return;
		cp->lost = quiet >= (active ? NATPATH_ACTIVE_DEAD_MS :
		    NATPATH_DEAD_MS);
		break;
	case NATPATH_RELAYED:
		if (quiet < NATPATH_DEAD_MS)
			return;
		break;
	default:			/* searching again */
		cp->lost = !np->have_ep || np->state == NATPATH_UNREACHABLE;
		break;
	}
	cp->silent_since = cp->last_seen;
	if (m->lk.search != 0)
		util_strlcpy(cp->trying, "looking it up in the DHT",
		    sizeof(cp->trying));
	else switch (np->state) {
	case NATPATH_PROBING:
		util_strlcpy(cp->trying, np->have_rendezvous ? "probing, "
		    "hole punching through the rendezvous" : "probing",
		    sizeof(cp->trying));
		break;
	case NATPATH_PUNCHING:
		util_strlcpy(cp->trying, "hole punching through the "
		    "rendezvous", sizeof(cp->trying));
		break;
	case NATPATH_UNREACHABLE:
		util_strlcpy(cp->trying, "nothing answers; trying again "
		    "every 30 seconds", sizeof(cp->trying));
		break;
	case NATPATH_RELAYED:
		util_strlcpy(cp->trying, "relayed; trying direct again every "
		    "30 seconds", sizeof(cp->trying));
		break;
	default:			/* direct, stale */
		util_strlcpy(cp->trying, "probing", sizeof(cp->trying));
		break;
	}
}

/* The latest hard-NAT attempt at m: ours at its ports (natpath's spray),
 * or, the hard side, our birthday sockets'. */
static void
fill_tried(const struct dmember *m, struct ctl_peer *cp, uint64_t now)
{
	const struct pp_spray	*s = &m->pa.np.spray;

	if (m->pa.bspray.attempts > 0 && (s->attempts == 0 ||
	    m->pa.bspray.last_start > s->last_start))
		s = &m->pa.bspray;
	if (s->attempts == 0 || s->kind == PP_TRY_NONE)
		return;
	util_strlcpy(cp->tried, pp_try_name(s->kind), sizeof(cp->tried));
	util_strlcpy(cp->tried_result, pp_outcome_name(s->result),
	    sizeof(cp->tried_result));
	cp->tried_probes = s->sent;
	cp->tried_budget = s->budget;
	cp->tried_pps = s->pps;
	cp->tried_ms = s->result == PP_RES_RUNNING ? now - s->start :
	    s->result == PP_RES_DIRECT ? s->took : s->until - s->start;
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
		fill_why(cp, np->reason);
	if (path_usable(&p->path))
		disc_addr(&p->path.endpoint, cp->endpoint,
		    sizeof(cp->endpoint));
	cp->connect_ms = np->connect_ms;
	fill_tried(m, cp, disc_now());
	if (np->rec.at != 0) {
		util_strlcpy(cp->recovery, np->rec.what, sizeof(cp->recovery));
		util_strlcpy(cp->recovery_via, np->rec.how,
		    sizeof(cp->recovery_via));
		cp->recovery_lost = unix_s(np->rec.at - np->rec.gap,
		    disc_now());
		cp->recovery_gap_ms = np->rec.gap;
	}
	if (!relayed && np->state == NATPATH_DIRECT)
		cp->rtt_us = m->rtt.rtt_us;
	fill_heard(m, p, cp, disc_now());
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
	for (i = 0; i < dmembers_count(d) && cd->nsearches < CTL_MAX_SEARCHES;
	    i++) {
		struct dmember		*m = dmembers_at(d, i);
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
