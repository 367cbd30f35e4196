/* Discovery and NAT traversal, the hub (see disc.h): members and their
 * timers, the deferred work queue, own addresses and NAT kind, port
 * mapping, and what `mesh show` gets. The DHT, path, relay and beacon
 * glue live in dhtglue.c, pathglue.c, relayglue.c and beacon.c. */
#include "config.h"

#include <sys/types.h>
#include <sys/random.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "control/ctlproto.h"
#include "datapath/datapath.h"
#include "datapath/members.h"
#include "nat/disc-lookup.h"
#include "nat/discint.h"
#include "netconf/keys.h"
#include "common/log.h"
#include "nat/natep.h"
#include "nat/natkey.h"
#include "datapath/peer.h"
#include "datapath/udp.h"
#include "common/clock.h"
#include "common/util.h"

static void	member_timer_cb(evutil_socket_t, short, void *);

/* The daemon's clocks (common/clock.h), as the data path's. */
uint64_t
disc_now(void)
{
	return clock_mono_ms();
}

uint64_t
disc_now_us(void)
{
	return clock_mono_us();
}

uint64_t
disc_wallclock(void)
{
	return clock_unix_ms();
}

void
disc_random(void *buf, size_t len)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		if ((n = getrandom(p, len, 0)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}

const char *
disc_addr(const struct sockaddr_in6 *a, char *buf, size_t len)
{
	return udp_addr_fmt(a, buf, len);
}

void
disc_sa_from_dht(struct sockaddr_in6 *out, const struct dht_addr *a)
{
	struct sockaddr_storage	ss;
	size_t			len;

	len = dht_addr_to_sockaddr(a, (struct sockaddr *)&ss);
	if (udp_addr_from(out, (struct sockaddr *)&ss, (socklen_t)len) == -1)
		memset(out, 0, sizeof(*out));
}

void
disc_dht_from_sa(struct dht_addr *out, const struct sockaddr_in6 *a)
{
	if (dht_addr_from_sockaddr(out, (const struct sockaddr *)a) == -1)
		memset(out, 0, sizeof(*out));
}

/* --- members ----------------------------------------------------------- */

static uint64_t
id_hash(const struct disc *d, const uint8_t *id)
{
	uint64_t	h;

	memcpy(&h, id, sizeof(h));
	h ^= d->seed;
	h *= 0x9e3779b97f4a7c15ULL;
	return h >> 17;
}

static void
byid_build(struct disc *d)
{
	size_t	size = 16, i, j;

	while (size < 2 * d->nm)
		size *= 2;
	free(d->byid);
	if ((d->byid = calloc(size, sizeof(*d->byid))) == NULL) {
		d->byid_mask = 0;
		return;
	}
	d->byid_mask = size - 1;
	for (i = 0; i < d->nm; i++) {
		if (d->m[i] == NULL)
			continue;
		j = id_hash(d, d->m[i]->key) & d->byid_mask;
		while (d->byid[j] != NULL)
			j = (j + 1) & d->byid_mask;
		d->byid[j] = d->m[i];
	}
}

struct dmember *
disc_member_by_id(struct disc *d, const uint8_t *id8)
{
	size_t	j;

	if (d->byid == NULL)
		return NULL;
	for (j = id_hash(d, id8) & d->byid_mask; d->byid[j] != NULL;
	    j = (j + 1) & d->byid_mask)
		if (memcmp(d->byid[j]->key, id8, NATMSG_ID_LEN) == 0)
			return d->byid[j];
	return NULL;
}

struct dmember *
disc_member_by_key(struct disc *d, const uint8_t *key)
{
	struct dmember	*m = disc_member_by_id(d, key);

	if (m != NULL && memcmp(m->key, key, DHT_KEY_LEN) == 0)
		return m;
	return NULL;
}

int
disc_member_pair(struct dmember *m)
{
	if (m->pair_state == 0)
		m->pair_state = natkey_pair(m->pair, m->d->sk, m->d->pk,
		    m->key) == 0 ? 1 : -1;
	return m->pair_state == 1 ? 0 : -1;
}

void
disc_kick(struct dmember *m)
{
	struct disc	*d = m->d;
	struct dmember	**nd;

	if (m->dirty)
		return;
	if (d->ndirty % 64 == 0) {
		if ((nd = reallocarray(d->dirty, d->ndirty + 64,
		    sizeof(*nd))) == NULL)
			return;		/* its timer will do it */
		d->dirty = nd;
	}
	d->dirty[d->ndirty++] = m;
	m->dirty = 1;
	event_active(d->work_ev, EV_TIMEOUT, 0);
}

static void
member_arm(struct dmember *m, uint64_t next, uint64_t now)
{
	struct timeval	tv;
	uint64_t	delta;

	if (next == m->timer_at)
		return;
	m->timer_at = next;
	if (next == UINT64_MAX) {
		evtimer_del(m->timer);
		return;
	}
	delta = next > now ? next - now : 0;
	tv.tv_sec = (time_t)(delta / 1000);
	tv.tv_usec = (suseconds_t)(delta % 1000) * 1000;
	evtimer_add(m->timer, &tv);
}

/* Feed what the data path saw since last time, run natpath's timers, carry
 * out its actions, re-arm. */
static void
member_run(struct dmember *m, uint64_t now)
{
	struct path	*path = &m->peer->path;
	uint64_t	 next;

	if (path->last_tx > m->synced_tx) {
		m->synced_tx = path->last_tx;
		natpath_use(&m->np, path->last_tx);
	}
	if (path->last_rx > m->synced_rx) {
		m->synced_rx = path->last_rx;
		if (!path->relayed && path_usable(path))
			natpath_rx(&m->np, &path->endpoint, path->last_rx);
	}
	pathglue_tick(m, now);
	next = natpath_periodic(&m->np, now);
	pathglue_process(m, now);
	if (m->bind_next != 0 && m->bind_next < next)
		next = m->bind_next;
	/* relayed data flowing: watch the relay (pathglue_tick) */
	if (path->relayed && now - path->last_tx < NATPATH_ACTIVE_MS &&
	    now + 1000 < next)
		next = now + 1000;
	if (m->bind_at != 0 && m->bind_at + DISC_BIND_RETRY_MS < next)
		next = m->bind_at + DISC_BIND_RETRY_MS;
	if (m->mismatch_since != 0 &&
	    m->mismatch_since + DISC_MISMATCH_MS < next)
		next = m->mismatch_since + DISC_MISMATCH_MS;
	member_arm(m, next, now);
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
	size_t		 i;

	(void)fd;
	(void)ev;
	/* members kicked while this runs are appended and handled too */
	for (i = 0; i < d->ndirty; i++) {
		m = d->dirty[i];
		m->dirty = 0;
		member_run(m, now);
	}
	d->ndirty = 0;
}

static struct dmember *
member_new(struct disc *d, struct peer *p, uint64_t now)
{
	struct dmember	*m;
	uint64_t	 seed;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->timer = evtimer_new(d->base, member_timer_cb, m)) == NULL) {
		free(m);
		return NULL;
	}
	m->d = d;
	m->peer = p;
	memcpy(m->key, p->key, DHT_KEY_LEN);
	disc_random(&seed, sizeof(seed));
	natpath_init(&m->np, seed, now);
	ratelimit_bucket_init(&m->ack_bucket, DISC_ACK_BURST, now);
	m->timer_at = UINT64_MAX;
	m->relay = -1;
	m->bind_relay = -1;
	m->next_search = now;
	m->search_gap = DISC_SEARCH_MIN_MS;
	p->path.nat = m;
	if (p->path.has_configured)
		natpath_add_candidate(&m->np, &p->path.configured,
		    NATPATH_SRC_CONFIG, now);
	return m;
}

static void
member_free(struct disc *d, struct dmember *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < d->ndirty; i++)
		if (d->dirty[i] == m)
			d->dirty[i] = d->dirty[--d->ndirty];
	if (m->search != 0 && d->dht != NULL) {
		dht_search_cancel(d->dht, m->search);
		d->nsearching--;
	}
	event_free(m->timer);
	natkey_wipe(m->pair);
	free(m);
}

void
disc_set_peers(struct disc *d, const struct netconf *nc,
    const struct members *mb)
{
	struct peer	**peers = mb->peer;
	size_t		  npeers = mb->n;
	struct dmember	**nm, *m;
	uint64_t	  now = disc_now();
	size_t		  i;

	if ((nm = calloc(npeers ? npeers : 1, sizeof(*nm))) == NULL) {
		log_warnx("discovery: out of memory on reload");
		return;
	}
	for (i = 0; i < npeers; i++) {
		if (peers[i] == NULL)
			continue;
		if ((m = peers[i]->path.nat) != NULL) {
			/* kept (same key, same peer) */
			nm[i] = m;
			continue;
		}
		if ((nm[i] = member_new(d, peers[i], now)) == NULL)
			log_warnx("discovery: out of memory for a member");
	}
	/* members whose peers are gone */
	for (i = 0; i < d->nm; i++) {
		size_t	k;

		if ((m = d->m[i]) == NULL)
			continue;
		for (k = 0; k < npeers; k++)
			if (nm[k] == m)
				break;
		if (k == npeers)
			member_free(d, m);
	}
	free(d->m);
	d->m = nm;
	d->nm = npeers;
	byid_build(d);
	if (d->dht != NULL)
		dhtglue_boots(d, nc);
	for (i = 0; i < d->nm; i++)
		if (d->m[i] != NULL && d->m[i]->peer->path.has_configured)
			natpath_add_candidate(&d->m[i]->np,
			    &d->m[i]->peer->path.configured,
			    NATPATH_SRC_CONFIG, now);
}

/* --- own addresses and NAT kind --------------------------------------- */

/* Interface addresses with our port (IPv4 only: the lab and most NATs;
 * IPv6 endpoints are global and reached directly). */
static void
local_refresh(struct disc *d, uint64_t now)
{
	struct ifaddrs		*ifa, *i;
	struct sockaddr_in6	 l[DISC_MAX_LOCAL];
	uint32_t		 mask[DISC_MAX_LOCAL];
	struct sockaddr_in	 sin;
	size_t			 n = 0;
	int			 changed, had;

	if (getifaddrs(&ifa) == -1) {
		d->local_at = now;
		return;
	}
	for (i = ifa; i != NULL && n < DISC_MAX_LOCAL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
		    (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
			continue;
		memcpy(&sin, i->ifa_addr, sizeof(sin));
		/* the mesh's own addresses do not carry the mesh */
		if ((ntohl(sin.sin_addr.s_addr) & d->subnet_mask) ==
		    d->subnet)
			continue;
		natep_v4(&l[n], ntohl(sin.sin_addr.s_addr), d->udp->port);
		mask[n] = 0;
		if (i->ifa_netmask != NULL) {
			memcpy(&sin, i->ifa_netmask, sizeof(sin));
			mask[n] = ntohl(sin.sin_addr.s_addr);
		}
		n++;
	}
	freeifaddrs(ifa);
	d->local_at = now;
	changed = n != d->nlocal ||
	    memcmp(l, d->local, n * sizeof(l[0])) != 0;
	memcpy(d->local, l, n * sizeof(l[0]));
	memcpy(d->local_mask, mask, n * sizeof(mask[0]));
	if (!changed)
		return;
	had = d->nlocal != 0;
	d->nlocal = n;
	natkind_set_local(&d->nk, d->local, n);
	if (had)
		disc_moved(d, now, "local addresses changed");
}

/* We moved (new local address, new public endpoint): what peers saw of
 * us says nothing now, and every path in use is searched again; at most
 * once per DISC_MOVED_MS (the search itself brings news of our address). */
void
disc_moved(struct disc *d, uint64_t now, const char *why)
{
	if (d->moved_at != 0 && now - d->moved_at < DISC_MOVED_MS)
		return;
	d->moved_at = now;
	log_info("discovery: %s; looking for paths again", why);
	natkind_reset(&d->nk);
	pathglue_repunch(d, now);
}

int
disc_is_local(const struct disc *d, const struct sockaddr_in6 *a)
{
	size_t	i;

	for (i = 0; i < d->nlocal; i++)
		if (natep_same_ip(&d->local[i], a))
			return 1;
	return 0;
}

static uint32_t
v4(const struct sockaddr_in6 *a)
{
	const uint8_t	*b = a->sin6_addr.s6_addr;

	return (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
	    (uint32_t)b[14] << 8 | b[15];
}

int
disc_on_lan(const struct disc *d, const struct sockaddr_in6 *a)
{
	size_t	i;

	if (!IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
		return 0;
	for (i = 0; i < d->nlocal; i++)
		if (d->local_mask[i] != 0 && (v4(a) & d->local_mask[i]) ==
		    (v4(&d->local[i]) & d->local_mask[i]))
			return 1;
	return 0;
}

size_t
disc_our_endpoints(struct disc *d, struct sockaddr_in6 *eps, size_t max)
{
	struct dht_reflexive	r[DHT_REFLEXIVE_MAX];
	struct sockaddr_in6	a;
	size_t			n = 0, nr, i, k;

#define ADD(ep) do {							\
	for (k = 0; k < n; k++)						\
		if (natep_eq(&eps[k], (ep)))				\
			break;						\
	if (k == n && n < max && natep_is_set(ep))			\
		eps[n++] = *(ep);					\
} while (0)
	if (d->mapped)
		ADD(&d->mapped_ep);
	if (natep_is_set(&d->nkr.reflexive))
		ADD(&d->nkr.reflexive);
	nr = d->dht != NULL ? dht_reflexive(d->dht, r, DHT_REFLEXIVE_MAX) : 0;
	for (i = 0; i < nr && n + 2 < max; i++) {
		disc_sa_from_dht(&a, &r[i].observed);
		ADD(&a);
	}
	for (i = 0; i < d->nlocal; i++)
		ADD(&d->local[i]);
#undef ADD
	return n;
}

/* Someone (a DHT peer, a member's ACK) saw us at reflexive. */
void
disc_observed(struct disc *d, const struct sockaddr_in6 *observer,
    const struct sockaddr_in6 *reflexive, uint64_t now)
{
	/* one on our own LAN sees our LAN address: natkind tells those
	 * apart (they count only when nobody else saw a NAT's) */
	natkind_observe(&d->nk, observer, reflexive, now);
}

/* A port mapping is advertised only when the world sees us at its
 * external address (behind a second NAT, a mapping on the inner router
 * opens nothing to the outside). Until someone reported our address, it is
 * taken on trust. */
static void
mapping_verify(struct disc *d)
{
	char	a[UDP_ADDRSTRLEN], b[UDP_ADDRSTRLEN];
	int	ok;

	ok = d->pm_held && (!natep_is_set(&d->nkr.reflexive) ||
	    natep_same_ip(&d->nkr.reflexive, &d->mapped_ep));
	if (ok == d->mapped)
		return;
	if (!ok && d->pm_held)
		log_info("discovery: port mapping %s is not how others see "
		    "us (%s): not advertised", disc_addr(&d->mapped_ep, a,
		    sizeof(a)), disc_addr(&d->nkr.reflexive, b, sizeof(b)));
	d->mapped = ok;
}

/* Reachable from outside: no NAT, or a verified port mapping. */
static void
reachability(struct disc *d, uint64_t now)
{
	struct natkind_result	r;
	char			a[UDP_ADDRSTRLEN];
	int			reach;

	natkind_classify(&d->nk, now, &r);
	if (r.kind != d->nkr.kind || !natep_eq(&r.reflexive,
	    &d->nkr.reflexive)) {
		if (natep_is_set(&r.reflexive))
			log_info("discovery: seen from outside at %s; NAT: %s",
			    disc_addr(&r.reflexive, a, sizeof(a)),
			    natkind_name(r.kind));
		/* our public endpoint moved: what was punched is gone */
		if (natep_is_set(&d->nkr.reflexive) &&
		    natep_is_set(&r.reflexive) &&
		    !natep_eq(&r.reflexive, &d->nkr.reflexive))
			disc_moved(d, now, "seen elsewhere from outside");
	}
	d->nkr = r;
	mapping_verify(d);
	if (r.kind == NATKIND_NONE)
		reach = 1;
	else if (r.kind == NATKIND_UNKNOWN)
		reach = d->headless || d->mapped;
	else
		reach = d->mapped;
	if (reach != d->reachable) {
		d->reachable = reach;
		log_info("discovery: %s", reach ? "reachable from outside: "
		    "serving the DHT and relaying" : "behind NAT: keeping "
		    "rendezvous nodes");
		if (d->dht != NULL)
			dht_set_reachable(d->dht, reach, now);
		dhtglue_arm(d);
	}
}

/* --- port mapping ------------------------------------------------------ */

static void
portmap_changed(void *arg, struct portmap *pm)
{
	struct disc	*d = arg;
	char		 s[160];

	portmap_status(pm, &d->pms);
	portmap_status_format(&d->pms, s, sizeof(s));
	if (d->pms.mapped) {
		natep_v4(&d->mapped_ep, d->pms.ext_ip, d->pms.ext_port);
		if (!d->pm_held)
			log_info("discovery: port mapping: %s", s);
		d->pm_held = 1;
	} else {
		if (d->pm_held)
			log_info("discovery: port mapping lost: %s", s);
		d->pm_held = 0;
	}
	reachability(d, disc_now());
}

static void
portmap_start(struct disc *d)
{
	struct portmap_config	cfg;
	const char		*s = getenv("MESH_PORTMAP");

	if (s != NULL && strcmp(s, "off") == 0)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.port = d->udp->port;
	if (s != NULL && strcmp(s, "natpmp") == 0)
		cfg.methods = PORTMAP_M_NATPMP;
	else if (s != NULL && strcmp(s, "upnp") == 0)
		cfg.methods = PORTMAP_M_UPNP;
	if ((d->pm = portmap_new(d->base, &cfg, portmap_changed, d)) == NULL)
		log_warnx("discovery: port mapping unavailable (out of "
		    "memory)");
}

/* --- housekeeping ------------------------------------------------------ */

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disc	*d = arg;
	struct timeval	 tv = { DISC_TICK_MS / 1000, 0 };
	uint64_t	 now = disc_now();

	(void)fd;
	(void)ev;
	if (now - d->local_at >= DISC_LOCAL_MS)
		local_refresh(d, now);
	reachability(d, now);
	dhtglue_tick(d, now);
	relayglue_tick(d, now);
	pathglue_watch(d, now);
	evtimer_add(d->tick_ev, &tv);
}

/* --- life cycle -------------------------------------------------------- */

struct disc *
disc_new(const struct disc_config *cfg, char *err, size_t errlen)
{
	struct disc	*d;
	struct timeval	 tv = { 0, 0 };
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
	d->subnet_mask = cfg->nc->prefixlen == 0 ? 0 :
	    0xffffffffU << (32 - cfg->nc->prefixlen);
	d->subnet = cfg->nc->subnet & d->subnet_mask;
	natkey_netid(d->netid, d->ns, d->name);
	disc_random(&d->seed, sizeof(d->seed));
	natkind_init(&d->nk);
	d->reachable = d->headless;
	if (getenv("MESH_TEST_RELAY_ONLY") != NULL) {
		d->relay_only = 1;
		log_info("test knob: relayed paths only");
	}
	if ((d->work_ev = event_new(d->base, -1, 0, work_cb, d)) == NULL ||
	    (d->tick_ev = evtimer_new(d->base, tick_cb, d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	local_refresh(d, now);
	disc_set_peers(d, cfg->nc, cfg->members);
	if (udp_register(d->udp, NATMSG_TYPE_MIN, NATMSG_TYPE_MAX,
	    pathglue_input, d) == -1) {
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
	if (!d->headless && cfg->nc->nboots > 0) {
		portmap_start(d);
		if (beacon_start(d) == -1)
			log_warnx("discovery: no LAN beacon");
	}
	evtimer_add(d->tick_ev, &tv);
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
	struct timeval	tv = { 0, 0 };

	if (d->stopping)
		return;
	d->stopping = 1;
	d->stop_done = done;
	d->stop_arg = arg;
	if (d->pm != NULL) {
		portmap_stop(d->pm, portmap_stopped, d);
		return;
	}
	if ((d->stop_ev = evtimer_new(d->base, stop_cb, d)) == NULL) {
		done(arg);
		return;
	}
	evtimer_add(d->stop_ev, &tv);
}

void
disc_free(struct disc *d)
{
	size_t	i;

	if (d == NULL)
		return;
	disc_lookup_cancel_all(d);	/* mesh lookup: before the DHT goes */
	beacon_stop(d);
	if (d->pm != NULL)
		portmap_free(d->pm);
	for (i = 0; i < d->nm; i++) {
		if (d->m[i] != NULL)
			d->m[i]->peer->path.nat = NULL;
		member_free(d, d->m[i]);
	}
	free(d->m);
	free(d->byid);
	free(d->dirty);
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
	for (i = 0; i < d->nrelays; i++)
		natkey_wipe(d->relays[i].pair);
	key_wipe(d->kc, sizeof(d->kc));
	key_wipe(d->sk, sizeof(d->sk));
	free(d);
}

/* --- data path hooks --------------------------------------------------- */

void
disc_handshake(struct disc *d, struct peer *p, uint64_t now)
{
	struct dmember	*m = p->path.nat;

	if (m == NULL)
		return;
	natpath_use(&m->np, now);
	/* wanted but never found: look now rather than at the next round */
	if (m->found_at == 0 && m->search == 0 && !path_usable(&p->path)) {
		m->next_search = now;
		dhtglue_lookup(d, m, now);
	}
	disc_kick(m);
}

void
disc_relayed(struct disc *d, struct peer *p, const struct sockaddr_in6 *via,
    uint64_t now)
{
	struct dmember	*m = p->path.nat;
	int		 ri;

	if (m == NULL)
		return;
	d->relayed_in++;
	/* the member reached us through this relay: answer the same way
	 * until something better answers. That relay knows where we are
	 * (it found us); ours may be gone (nothing came through it for a
	 * while). When both ends use different relays that work, both move
	 * to the one with the lower key: they agree without swapping. */
	if (m->np.have_relay && natep_eq(&m->np.relay, via)) {
		m->relay_rx = now;
	} else if (!m->np.have_relay ||
	    now - m->relay_rx >= NATPATH_ACTIVE_DEAD_MS ||
	    ((ri = pathglue_relay_at(d, via, now)) >= 0 && m->relay >= 0 &&
	    memcmp(d->relays[ri].key, d->relays[m->relay].key,
	    DHT_KEY_LEN) < 0)) {
		natpath_set_relay(&m->np, via, now);
		m->relay = pathglue_relay_at(d, via, now);
		m->relay_ok = m->relay >= 0;
		m->bind_at = 0;
		m->relay_rx = now;
		if (m->relay_ok)
			m->bind_next = now;	/* bind there soon */
	}
	natpath_rx(&m->np, NULL, now);
	disc_kick(m);
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
	m->synced_rx = p->path.last_rx;
	natpath_rx(&m->np, &p->path.endpoint, p->path.last_rx);
	disc_kick(m);
}

/* --- show -------------------------------------------------------------- */

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
	uint64_t	now = disc_now();
	size_t		i;

	if (natep_is_set(&d->nkr.reflexive))
		disc_addr(&d->nkr.reflexive, ci->reflexive,
		    sizeof(ci->reflexive));
	switch (d->nkr.kind) {
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
	if (d->pm != NULL) {
		portmap_status(d->pm, &d->pms);
		if (d->pms.mapped) {
			util_strlcpy(ci->portmap, d->pms.method ==
			    PORTMAP_UPNP ? "upnp" : "natpmp",
			    sizeof(ci->portmap));
			disc_addr(&d->mapped_ep, ci->portmap_external,
			    sizeof(ci->portmap_external));
			if (d->pms.expires_in != 0)
				ci->portmap_expires = unix_s(now +
				    d->pms.expires_in, now);
		} else if (d->pms.nfailed > 0 && d->pms.phase ==
		    PORTMAP_WAITING) {
			util_strlcpy(ci->portmap, "failed",
			    sizeof(ci->portmap));
		} else
			util_strlcpy(ci->portmap, "searching",
			    sizeof(ci->portmap));
	}
	for (i = 0; i < DISC_DROP_COUNT; i++)
		if (d->drops[i] != 0)
			(void)ctl_counter_add(ci->drops, &ci->ndrops,
			    drop_names[i], d->drops[i]);
}

void
disc_fill_peer(struct disc *d, struct peer *p, struct ctl_peer *cp)
{
	struct dmember		*m = p->path.nat;
	const struct natpath	*np;
	struct sockaddr_in6	 ep;
	int			 relayed;
	const char		*kind;

	(void)d;
	if (m == NULL)
		return;
	np = &m->np;
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
	if (relayed && m->relay >= 0 && (size_t)m->relay < d->nrelays)
		key_to_text(cp->via, d->relays[m->relay].key);
	if (np->state == NATPATH_IDLE && path_usable(&p->path) &&
	    !np->have_ep)
		util_strlcpy(cp->why, p->path.source == PATH_CONFIGURED ?
		    "endpoint from the netconfig; not in use" :
		    "not in use", sizeof(cp->why));
	else if (np->state == NATPATH_IDLE && m->found_at == 0 &&
	    !path_usable(&p->path))
		util_strlcpy(cp->why, m->search != 0 ? "looking it up in "
		    "the DHT" : "not found in the DHT yet", sizeof(cp->why));
	else
		util_strlcpy(cp->why, np->reason, sizeof(cp->why));
	if (path_usable(&p->path))
		disc_addr(&p->path.endpoint, cp->endpoint,
		    sizeof(cp->endpoint));
	cp->connect_ms = np->connect_ms;
	if (!relayed && np->state == NATPATH_DIRECT)
		cp->rtt_us = m->rtt_us;
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
	if (d->dht == NULL)
		return;
	cd->present = 1;
	dht_node_id(d->dht, id, d->pk);
	key_to_text(cd->id, id);
	dht_get_stats(d->dht, &st);
	dht_foreach_node(d->dht, node_cb, cd);
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
	for (i = 0; i < d->nm && cd->nsearches < CTL_MAX_SEARCHES; i++) {
		struct dmember		*m = d->m[i];
		struct ctl_search	*s;

		if (m == NULL || m->search == 0)
			continue;
		s = &cd->searches[cd->nsearches++];
		key_to_text(s->target, m->key);
		util_strlcpy(s->kind, "member", sizeof(s->kind));
		util_strlcpy(s->state, "running", sizeof(s->state));
		s->started = unix_s(m->search_started, now);
		s->found = m->nrv + (m->public_ep ? 1 : 0);
	}
}
