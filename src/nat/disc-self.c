/* Our own addresses and NAT: the interface addresses (re-read every
 * DISC_LOCAL_MS), what others report seeing us at (natkind.c classifies
 * it), whether we are reachable from outside (no NAT, or a port mapping
 * that the world confirms), and the port mapping itself (portmap-glue.c).
 * Telling the rest is done through the hub's callbacks (we moved, we are
 * reachable or not): this file calls nothing above it. */
#include "config.h"

#include <sys/types.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "datapath/udp.h"
#include "nat/discint.h"
#include "nat/natep.h"

void
self_init(struct disc *d)
{
	natkind_init(&d->self.nk);
	d->self.reachable = d->headless;
}

void
self_free(struct disc *d)
{
	if (d->self.pm != NULL)
		portmap_free(d->self.pm);
	d->self.pm = NULL;
}

/* Interface addresses with our port (IPv4 only: the lab and most NATs;
 * IPv6 endpoints are global and reached directly). */
void
self_local(struct disc *d, uint64_t now)
{
	struct ifaddrs		*ifa, *i;
	struct sockaddr_in6	 l[DISC_MAX_LOCAL];
	uint32_t		 mask[DISC_MAX_LOCAL];
	struct sockaddr_in	 sin;
	size_t			 n = 0;
	int			 changed, had;

	if (getifaddrs(&ifa) == -1) {
		d->self.local_at = now;
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
	d->self.local_at = now;
	if (n == 0) {
		/* no address at all: an interface being replaced (a move to
		 * another network). Nothing can be sent now, a search started
		 * now would be lost (lookups failing, rendezvous forgotten):
		 * look again at the next tick, and count it as a move once an
		 * address is back. */
		if (d->self.nlocal != 0)
			d->self.local_gone = 1;
		d->self.nlocal = 0;
		d->self.local_at = now - DISC_LOCAL_MS;
		return;
	}
	changed = n != d->self.nlocal ||
	    memcmp(l, d->self.local, n * sizeof(l[0])) != 0;
	memcpy(d->self.local, l, n * sizeof(l[0]));
	memcpy(d->self.local_mask, mask, n * sizeof(mask[0]));
	if (!changed)
		return;
	had = d->self.nlocal != 0 || d->self.local_gone;
	d->self.local_gone = 0;
	d->self.nlocal = n;
	natkind_set_local(&d->self.nk, d->self.local, n);
	if (had)
		disc_moved(d, now, "local addresses changed");
}

/* We moved (new local address, new public endpoint): what peers saw of
 * us says nothing now, and every path in use is searched again; at most
 * once per DISC_MOVED_MS (the search itself brings news of our address). */
void
disc_moved(struct disc *d, uint64_t now, const char *why)
{
	if (d->self.moved_at != 0 && now - d->self.moved_at < DISC_MOVED_MS)
		return;
	d->self.moved_at = now;
	log_info("discovery: %s; looking for paths again", why);
	natkind_reset(&d->self.nk);
	if (d->self.moved != NULL)
		d->self.moved(d, now);
}

int
disc_is_local(const struct disc *d, const struct sockaddr_in6 *a)
{
	size_t	i;

	for (i = 0; i < d->self.nlocal; i++)
		if (natep_same_ip(&d->self.local[i], a))
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
	for (i = 0; i < d->self.nlocal; i++)
		if (d->self.local_mask[i] != 0 && (v4(a) & d->self.local_mask[i]) ==
		    (v4(&d->self.local[i]) & d->self.local_mask[i]))
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
	if (d->self.mapped)
		ADD(&d->self.mapped_ep);
	if (natep_is_set(&d->self.nkr.reflexive))
		ADD(&d->self.nkr.reflexive);
	nr = d->dg.dht != NULL ? dht_reflexive(d->dg.dht, r, DHT_REFLEXIVE_MAX) :
	    0;
	for (i = 0; i < nr && n + 2 < max; i++) {
		disc_sa_from_dht(&a, &r[i].observed);
		ADD(&a);
	}
	for (i = 0; i < d->self.nlocal; i++)
		ADD(&d->self.local[i]);
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
	natkind_observe(&d->self.nk, observer, reflexive, now);
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

	ok = d->self.pm_held && (!natep_is_set(&d->self.nkr.reflexive) ||
	    natep_same_ip(&d->self.nkr.reflexive, &d->self.mapped_ep));
	if (ok == d->self.mapped)
		return;
	if (!ok && d->self.pm_held)
		log_info("discovery: port mapping %s is not how others see "
		    "us (%s): not advertised", disc_addr(&d->self.mapped_ep, a,
		    sizeof(a)), disc_addr(&d->self.nkr.reflexive, b, sizeof(b)));
	d->self.mapped = ok;
}

/* Reachable from outside: no NAT, or a verified port mapping. */
static void
reachability(struct disc *d, uint64_t now)
{
	struct natkind_result	r;
	char			a[UDP_ADDRSTRLEN];
	int			reach;

	natkind_classify(&d->self.nk, now, &r);
	if (r.kind != d->self.nkr.kind || !natep_eq(&r.reflexive,
	    &d->self.nkr.reflexive)) {
		if (natep_is_set(&r.reflexive))
			log_info("discovery: seen from outside at %s; NAT: %s",
			    disc_addr(&r.reflexive, a, sizeof(a)),
			    natkind_name(r.kind));
		/* our public endpoint moved: what was punched is gone */
		if (natep_is_set(&d->self.nkr.reflexive) &&
		    natep_is_set(&r.reflexive) &&
		    !natep_eq(&r.reflexive, &d->self.nkr.reflexive))
			disc_moved(d, now, "seen elsewhere from outside");
	}
	d->self.nkr = r;
	mapping_verify(d);
	if (r.kind == NATKIND_NONE)
		reach = 1;
	else if (r.kind == NATKIND_UNKNOWN)
		reach = d->headless || d->self.mapped;
	else
		reach = d->self.mapped;
	if (reach != d->self.reachable) {
		d->self.reachable = reach;
		log_info("discovery: %s", reach ? "reachable from outside: "
		    "serving the DHT and relaying" : "behind NAT: keeping "
		    "rendezvous nodes");
		if (d->self.reach != NULL)
			d->self.reach(d, reach, now);
	}
}

/* --- port mapping ------------------------------------------------------ */

static void
portmap_changed(void *arg, struct portmap *pm)
{
	struct disc	*d = arg;
	char		 s[160];

	portmap_status(pm, &d->self.pms);
	portmap_status_format(&d->self.pms, s, sizeof(s));
	if (d->self.pms.mapped) {
		natep_v4(&d->self.mapped_ep, d->self.pms.ext_ip, d->self.pms.ext_port);
		if (!d->self.pm_held)
			log_info("discovery: port mapping: %s", s);
		d->self.pm_held = 1;
	} else {
		if (d->self.pm_held)
			log_info("discovery: port mapping lost: %s", s);
		d->self.pm_held = 0;
	}
	reachability(d, disc_now());
}

void
self_portmap_start(struct disc *d)
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
	if ((d->self.pm = portmap_new(d->base, &cfg, portmap_changed, d)) == NULL)
		log_warnx("discovery: port mapping unavailable (out of "
		    "memory)");
}


/* From the housekeeping tick. */
void
self_refresh(struct disc *d, uint64_t now)
{
	if (now - d->self.local_at >= DISC_LOCAL_MS && !d->lan_off)
		self_local(d, now);
	reachability(d, now);
}
