/* Discovery and NAT traversal, the hub (see disc.h and discint.h for the
 * map of the files): the life cycle, the UDP handler of NAT messages
 * (first bytes 0x20-0x2f) dispatched to their owners, member timers and
 * the work queue, the housekeeping tick, and the data path's hooks. The
 * hub calls every other discovery file and wires the callbacks through
 * which they report back; none of them calls it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/evtimer.h"
#include "common/log.h"
#include "common/util.h"
#include "datapath/members.h"
#include "datapath/peer.h"
#include "datapath/udp.h"
#include "nat/disc-lookup.h"
#include "nat/discint.h"
#include "nat/natkey.h"
#include "netconf/keys.h"

static void	member_timer_cb(evutil_socket_t, short, void *);

/* --- members ----------------------------------------------------------- */

static void
member_arm(struct dmember *m, uint64_t next, uint64_t now)
{
	if (next == m->timer_at)
		return;
	m->timer_at = next;
	if (next == UINT64_MAX) {
		evtimer_del(m->timer);
		return;
	}
	evtimer_arm_at(m->timer, next, now);
}

static void
member_run(struct dmember *m, uint64_t now)
{
	member_arm(m, pathglue_run(m, now), now);
}

static void
member_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dmember	*m = arg;

	(void)fd;
	(void)ev;
	m->timer_at = UINT64_MAX;
	member_run(m, disc_now());
}

static void
work_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disc	*d = arg;
	struct dmember	*m;
	uint64_t	 now = disc_now();

	(void)fd;
	(void)ev;
	while ((m = dmembers_next_dirty(d)) != NULL)
		member_run(m, now);
}

static void
wake(struct disc *d)
{
	event_active(d->work_ev, EV_TIMEOUT, 0);
}

static struct dmember *
member_new(struct disc *d, struct peer *p, uint64_t now)
{
	struct dmember	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->timer = evtimer_new(d->base, member_timer_cb, m)) == NULL) {
		free(m);
		return NULL;
	}
	m->d = d;
	m->peer = p;
	memcpy(m->key, p->key, DHT_KEY_LEN);
	m->timer_at = UINT64_MAX;
	pathglue_member_init(m, now);
	dhtglue_member_init(m, now);
	p->path.nat = m;
	return m;
}

static void
member_free(struct disc *d, struct dmember *m)
{
	if (m == NULL)
		return;
	dmembers_forget(d, m);
	dhtglue_forget(d, m);
	pathglue_member_free(m);
	event_free(m->timer);
	free(m);
}

void
disc_set_peers(struct disc *d, const struct netconf *nc,
    const struct members *mb)
{
	const struct members	*old = d->mt.mb;
	struct peer		*p;
	struct dmember		*m;
	uint64_t		 now = disc_now();
	size_t			 i;

	/* Discovery's state rides on the table's peers (path.nat): a kept
	 * peer (same key) keeps it, a peer that left takes its state with
	 * it, a new peer gets fresh state. No table of our own to copy. */
	for (i = 0; old != NULL && i < old->n; i++)
		if ((p = old->peer[i]) != NULL && p->path.nat != NULL &&
		    members_by_key(mb, p->key) != p) {
			member_free(d, p->path.nat);
			p->path.nat = NULL;
		}
	for (i = 0; i < mb->n; i++)
		if ((p = mb->peer[i]) != NULL && p->path.nat == NULL &&
		    member_new(d, p, now) == NULL)
			log_warnx("discovery: out of memory for a member");
	d->mt.mb = mb;
	if (d->dg.dht != NULL)
		dhtglue_boots(d, nc);
	for (i = 0; i < dmembers_count(d); i++)
		if ((m = dmembers_at(d, i)) != NULL &&
		    m->peer->path.has_configured)
			pathglue_candidate(m, &m->peer->path.configured,
			    NATPATH_SRC_CONFIG, now);
}

/* --- the UDP handler --------------------------------------------------- */

static void
nat_input(void *arg, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct disc	*d = arg;
	struct natmsg	 msg;

	/* the data carriers first, without a full decode */
	if (pkt[0] == NATMSG_TORELAY) {
		relayglue_forward(d, pkt, len, from, now);
		return;
	}
	if (pkt[0] == NATMSG_FROMRELAY) {
		pathglue_fromrelay(d, pkt, len, from, now);
		return;
	}
	if (natmsg_decode(pkt, len, &msg) != NATMSG_OK) {
		d->hub_drops[DISC_DROP_NATMSG]++;
		return;
	}
	switch (msg.type) {
	case NATMSG_PROBE:
		pathglue_probe_in(d, &msg, from, now);
		break;
	case NATMSG_ACK:
		pathglue_ack_in(d, &msg, from, now);
		break;
	case NATMSG_BIND:
		relayglue_bind(d, pkt, len, from, now);
		break;
	case NATMSG_BOUND:
		pathglue_bound_in(d, &msg, from, now);
		break;
	case NATMSG_COOKIE:	/* a relay's answer to our BIND */
		relayglue_cookie(d, &msg, from, now);
		break;
	case NATMSG_BEACON:
		beacon_input(d, &msg, from, now);
		break;
	default:	/* PUNCH only ever comes through a rendezvous */
		d->hub_drops[DISC_DROP_STRAY]++;
		break;
	}
}

/* --- callbacks: what the lower files report -------------------------- */

static void
cb_moved(struct disc *d, uint64_t now)
{
	pathglue_repunch(d, now);
}

static void
cb_lookup(struct dmember *m, uint64_t now)
{
	dhtglue_lookup_now(m, now);
}

static int
cb_punch(struct dmember *m, const uint8_t *buf, size_t len, uint64_t now)
{
	return dhtglue_punch(m, buf, len, now);
}

/* --- housekeeping ------------------------------------------------------ */

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disc	*d = arg;
	uint64_t	 now = disc_now();

	(void)fd;
	(void)ev;
	self_refresh(d, now);
	dhtglue_tick(d, now);
	relayglue_tick(d, now);
	pathglue_watch(d, now);
	evtimer_arm_in(d->tick_ev, DISC_TICK_MS);
}

/* --- life cycle -------------------------------------------------------- */

struct disc *
disc_new(const struct disc_config *cfg, char *err, size_t errlen)
{
	struct disc	*d;
	uint64_t	 now = disc_now();

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->base = cfg->base;
	d->udp = cfg->udp;
	d->dp = cfg->dp;
	memcpy(d->sk, cfg->sk, 32);
	memcpy(d->pk, cfg->pk, 32);
	util_strlcpy(d->ns, cfg->nc->ns, sizeof(d->ns));
	util_strlcpy(d->name, cfg->nc->name, sizeof(d->name));
	util_strlcpy(d->netconfig, cfg->netconfig, sizeof(d->netconfig));
	d->workbit = cfg->nc->workbit;
	d->headless = cfg->self < 0;
	d->lan_off = cfg->lan_off;
	d->subnet_mask = cfg->nc->prefixlen == 0 ? 0 :
	    0xffffffffU << (32 - cfg->nc->prefixlen);
	d->subnet = cfg->nc->subnet & d->subnet_mask;
	natkey_netid(d->netid, d->ns, d->name);
	d->mt.wake = wake;
	self_init(d);
	d->self.moved = cb_moved;
	d->self.reach = dhtglue_set_reachable;
	pathglue_init(d);
	d->pg.lookup = cb_lookup;
	d->pg.punch = cb_punch;
	if (getenv("MESH_TEST_RELAY_ONLY") != NULL) {
		d->relay_only = 1;
		log_info("test knob: relayed paths only");
	}
	if ((d->work_ev = event_new(d->base, -1, 0, work_cb, d)) == NULL ||
	    (d->tick_ev = evtimer_new(d->base, tick_cb, d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (!d->lan_off)
		self_local(d, now);
	disc_set_peers(d, cfg->nc, cfg->members);
	if (udp_register(d->udp, NATMSG_TYPE_MIN, NATMSG_TYPE_MAX,
	    nat_input, d) == -1) {
		snprintf(err, errlen, "NAT traversal: UDP handler range "
		    "taken");
		goto fail;
	}
	if (relayglue_start(d) == -1) {
		snprintf(err, errlen, "relay: out of memory");
		goto fail;
	}
	if (dhtglue_start(d, cfg->nc, err, errlen) == -1)
		goto fail;
	/* port mapping and beacons only where the network uses discovery */
	if (!d->headless && cfg->nc->nboots > 0 && !d->lan_off) {
		self_portmap_start(d);
		if (beacon_start(d) == -1)
			log_warnx("discovery: no LAN beacon");
	}
	evtimer_arm_in(d->tick_ev, 0);
	return d;
fail:
	disc_free(d);
	return NULL;
}

static void
stop_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disc	*d = arg;

	(void)fd;
	(void)ev;
	if (d->stop_done != NULL)
		d->stop_done(d->stop_arg);
}

static void
portmap_stopped(void *arg)
{
	struct disc	*d = arg;

	log_info("discovery: port mapping removed");
	if (d->stop_done != NULL)
		d->stop_done(d->stop_arg);
}

void
disc_stop(struct disc *d, void (*done)(void *), void *arg)
{

	if (d->stopping)
		return;
	d->stopping = 1;
	d->stop_done = done;
	d->stop_arg = arg;
	if (d->self.pm != NULL) {
		portmap_stop(d->self.pm, portmap_stopped, d);
		return;
	}
	if ((d->stop_ev = evtimer_new(d->base, stop_cb, d)) == NULL) {
		done(arg);
		return;
	}
	evtimer_arm_in(d->stop_ev, 0);
}

void
disc_free(struct disc *d)
{
	size_t	i;

	if (d == NULL)
		return;
	disc_lookup_cancel_all(d);	/* mesh lookup: before the DHT goes */
	beacon_stop(d);
	self_free(d);
	for (i = 0; i < dmembers_count(d); i++) {
		struct dmember	*m = dmembers_at(d, i);

		if (m != NULL) {
			m->peer->path.nat = NULL;
			member_free(d, m);
		}
	}
	dmembers_free(d);
	dhtglue_stop(d);
	relayglue_stop(d);
	(void)udp_register(d->udp, NATMSG_TYPE_MIN, NATMSG_TYPE_MAX, NULL,
	    NULL);
	if (d->work_ev != NULL)
		event_free(d->work_ev);
	if (d->tick_ev != NULL)
		event_free(d->tick_ev);
	if (d->stop_ev != NULL)
		event_free(d->stop_ev);
	pathglue_free(d);
	key_wipe(d->kc_pair, sizeof(d->kc_pair));
	key_wipe(d->sk, sizeof(d->sk));
	free(d);
}

/* --- data path hooks --------------------------------------------------- */

void
disc_handshake(struct disc *d, struct peer *p, uint64_t now)
{
	struct dmember	*m = p->path.nat;

	(void)d;
	if (m == NULL)
		return;
	pathglue_use(m, now);
	/* wanted but never found: look now rather than at the next round */
	if (!path_usable(&p->path))
		dhtglue_wanted(m, now);
	disc_kick(m);
}

void
disc_relayed(struct disc *d, struct peer *p, const struct sockaddr_in6 *via,
    uint64_t now)
{
	struct dmember	*m = p->path.nat;

	(void)d;
	if (m == NULL)
		return;
	pathglue_relayed(m, via, now);
}

void
disc_rx_done(struct disc *d)
{
	relayglue_flush(d);
}

void
disc_roamed(struct disc *d, struct peer *p)
{
	struct dmember	*m = p->path.nat;

	(void)d;
	if (m == NULL)
		return;
	pathglue_roamed(m);
}
