/* The DHT in the daemon: a dht instance on the shared UDP socket (first
 * bytes 0x10-0x1f), its timer, the netconfig's boot nodes, and the member
 * lookups (at start, while a member is missing, when its path breaks, and
 * now and then to follow its rendezvous). Reflexive addresses the DHT's
 * peers report go to the NAT classification (disc-self.c); relayed
 * payloads (PUNCH requests) and what lookups find to the path glue
 * (natpath-glue.c), which asks for lookups and punches back through the
 * hub's callbacks. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "nat/disc-lookup.h"
#include "nat/discint.h"
#include "netconf/keys.h"
#include "common/evtimer.h"
#include "common/log.h"
#include "nat/natep.h"
#include "datapath/peer.h"
#include "datapath/udp.h"
#include "common/util.h"

static void
cb_send(void *arg, const struct dht_addr *to, const uint8_t *buf, size_t len)
{
	struct disc		*d = arg;
	struct sockaddr_in6	 sa;

	disc_sa_from_dht(&sa, to);
	if (!natep_is_set(&sa))
		return;
	(void)udp_send(d->udp, buf, len, &sa);
}

static void
cb_random(void *arg, void *buf, size_t len)
{
	(void)arg;
	disc_random(buf, len);
}

static uint64_t
cb_wallclock(void *arg)
{
	(void)arg;
	return disc_wallclock();
}

static void
cb_relayed(void *arg, const uint8_t from_key[DHT_KEY_LEN],
    const struct dht_addr *from_observed, const uint8_t *payload, size_t len)
{
	pathglue_punched(arg, from_key, from_observed, payload, len,
	    disc_now());
}

static void
cb_relay_result(void *arg, const uint8_t rv_key[DHT_KEY_LEN],
    const uint8_t target[DHT_KEY_LEN], int delivered)
{
	struct disc	*d = arg;
	struct dmember	*m;
	size_t		 i;

	if (delivered == 1 || (m = disc_member_by_key(d, target)) == NULL)
		return;
	/* that rendezvous does not serve the member (any more) */
	for (i = 0; i < m->lk.nrv; i++)
		if (memcmp(m->lk.rv[i].key, rv_key, DHT_KEY_LEN) == 0)
			m->lk.rv[i].no_punch = 1;
	log_debugc(LOG_C_NAT, "punch request for a member not delivered "
	    "(%s): looking it up again", delivered == 0 ? "refused" :
	    "no answer");
	m->lk.next_search = disc_now();
}

static void
cb_reflexive(void *arg, const uint8_t peer_key[DHT_KEY_LEN],
    const struct dht_addr *peer_addr, const struct dht_addr *observed)
{
	struct disc		*d = arg;
	struct sockaddr_in6	 from, refl;

	(void)peer_key;
	disc_sa_from_dht(&from, peer_addr);
	disc_sa_from_dht(&refl, observed);
	if (natep_is_set(&from) && natep_is_set(&refl))
		disc_observed(d, &from, &refl, disc_now());
}

static void
dht_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disc	*d = arg;

	(void)fd;
	(void)ev;
	d->dg.at = UINT64_MAX;
	(void)dht_periodic(d->dg.dht, disc_now());
	dhtglue_arm(d);
}

/* For mesh lookup (disc-lookup.c). */
struct dht *
disc_dht(struct disc *d)
{
	return d->dg.dht;
}

/* Arm the timer for the DHT's next wake-up (after any call into it). */
void
dhtglue_arm(struct disc *d)
{
	uint64_t	next;

	if (d->dg.dht == NULL)
		return;
	next = dht_next_wakeup(d->dg.dht);
	if (next >= d->dg.at)
		return;
	d->dg.at = next;
	evtimer_arm_at(d->dg.ev, next, disc_now());
}

static void
dht_input_cb(void *arg, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct disc	*d = arg;
	struct dht_addr	 a;

	disc_dht_from_sa(&a, from);
	(void)dht_input(d->dg.dht, pkt, len, &a, now);
	dhtglue_arm(d);
}

/* Resolve the boot lines not resolved yet (literal addresses at once,
 * names with the resolver); failures are retried from the tick. */
static void
add_boots(struct disc *d, uint64_t now)
{
	struct addrinfo		 hints, *res, *ai;
	struct sockaddr_in6	 sa;
	struct dht_addr		 a;
	char			 port[8];
	size_t			 i;
	int			 rc;

	for (i = 0; i < d->dg.nboots; i++) {
		const struct nc_boot	*b = &d->dg.boots[i];

		if (d->dg.boot_ok[i])
			continue;
		if (memcmp(b->key, d->pk, KEY_LEN) == 0) {
			d->dg.boot_ok[i] = 1;	/* that is us */
			continue;
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = d->udp->family == AF_INET ? AF_INET :
		    AF_UNSPEC;
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_flags = AI_NUMERICSERV;
		snprintf(port, sizeof(port), "%u", (unsigned)b->ep.port);
		if ((rc = getaddrinfo(b->ep.host, port, &hints, &res)) != 0) {
			log_warnx("%s:%d: boot node %s: %s; will retry",
			    d->netconfig, b->line, b->ep.host,
			    gai_strerror(rc));
			continue;
		}
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if (udp_addr_from(&sa, ai->ai_addr, ai->ai_addrlen) ==
			    0)
				break;
		freeaddrinfo(res);
		if (ai == NULL)
			continue;
		disc_dht_from_sa(&a, &sa);
		if (dht_add_boot(d->dg.dht, b->key, &a, now) == 0)
			d->dg.boot_ok[i] = 1;
	}
}

/* The netconfig's boot lines (at start and after a reload). */
void
dhtglue_boots(struct disc *d, const struct netconf *nc)
{
	struct nc_boot	*b = NULL;
	uint8_t		*ok = NULL;

	if (nc->nboots > 0 && ((b = calloc(nc->nboots, sizeof(*b))) == NULL ||
	    (ok = calloc(nc->nboots, 1)) == NULL)) {
		free(b);
		log_warnx("discovery: out of memory for the boot nodes");
		return;
	}
	if (nc->nboots > 0)
		memcpy(b, nc->boots, nc->nboots * sizeof(*b));
	free(d->dg.boots);
	free(d->dg.boot_ok);
	d->dg.boots = b;
	d->dg.boot_ok = ok;
	d->dg.nboots = nc->nboots;
	if (d->dg.dht != NULL) {
		add_boots(d, disc_now());
		dhtglue_arm(d);
	}
}

int
dhtglue_start(struct disc *d, const struct netconf *nc, char *err,
    size_t errlen)
{
	struct dht_config	cfg;
	struct dht_callbacks	cb;
	const char		*why;
	uint64_t		now = disc_now();

	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = d->sk;
	cfg.ns = d->ns;
	cfg.workbit = d->workbit;
	cfg.reachable = d->self.reachable;
	memset(&cb, 0, sizeof(cb));
	cb.arg = d;
	cb.send = cb_send;
	cb.random = cb_random;
	cb.wallclock = cb_wallclock;
	cb.on_relayed = cb_relayed;
	cb.on_relay_result = cb_relay_result;
	cb.on_reflexive = cb_reflexive;
	if ((d->dg.dht = dht_create(&cfg, &cb, now, &why)) == NULL) {
		snprintf(err, errlen, "DHT: %s", why);
		return -1;
	}
	if ((d->dg.ev = evtimer_new(d->base, dht_timer_cb, d)) == NULL) {
		snprintf(err, errlen, "DHT: out of memory");
		return -1;
	}
	d->dg.at = UINT64_MAX;
	if (udp_register(d->udp, DHT_TYPE_MIN, DHT_TYPE_MAX, dht_input_cb,
	    d) == -1) {
		snprintf(err, errlen, "DHT: UDP handler range taken");
		return -1;
	}
	dhtglue_boots(d, nc);
	d->dg.boots_at = now;
	dhtglue_arm(d);
	return 0;
}

void
dhtglue_stop(struct disc *d)
{
	if (d->dg.ev != NULL)
		event_free(d->dg.ev);
	d->dg.ev = NULL;
	free(d->dg.boots);
	free(d->dg.boot_ok);
	d->dg.boots = NULL;
	d->dg.boot_ok = NULL;
	d->dg.nboots = 0;
	if (d->dg.dht != NULL) {
		(void)udp_register(d->udp, DHT_TYPE_MIN, DHT_TYPE_MAX, NULL,
		    NULL);
		dht_destroy(d->dg.dht);
	}
	d->dg.dht = NULL;
}

/* --- member lookups ---------------------------------------------------- */

static void
search_cb(void *arg, const struct dht_search_event *ev)
{
	struct disc		*d = arg;
	struct dmember		*m = disc_member_by_key(d, ev->key);
	struct sockaddr_in6	 sa, obs;
	uint64_t		 now = disc_now();
	char			 s[UDP_ADDRSTRLEN], k[KEY_TEXT_LEN + 1];
	size_t			 i;

	if (m == NULL || m->lk.search != ev->search)
		return;		/* a member removed by a reload */
	switch (ev->kind) {
	case DHT_EV_ENDPOINT:
		disc_sa_from_dht(&sa, &ev->addr);
		if (!natep_is_set(&sa))
			break;
		if (ev->reachable)
			m->lk.public_ep = 1;
		log_debugc(LOG_C_DHT, "lookup: member %s at %s%s",
		    m->peer->hostname, disc_addr(&sa, s, sizeof(s)),
		    ev->reachable ? "" : " (behind NAT)");
		pathglue_candidate(m, &sa, NATPATH_SRC_DHT, now);
		break;
	case DHT_EV_RENDEZVOUS:
		disc_sa_from_dht(&obs, &ev->addr_observed);
		for (i = 0; i < m->lk.nrv; i++)
			if (memcmp(m->lk.rv[i].key, ev->rv_key, DHT_KEY_LEN) == 0)
				break;
		if (i == m->lk.nrv) {
			if (m->lk.nrv == DISC_MAX_RV) {
				/* the newest answer replaces the oldest */
				memmove(&m->lk.rv[0], &m->lk.rv[1],
				    (DISC_MAX_RV - 1) * sizeof(m->lk.rv[0]));
				i = --m->lk.nrv;
			}
			m->lk.nrv++;
		}
		memcpy(m->lk.rv[i].key, ev->rv_key, DHT_KEY_LEN);
		m->lk.rv[i].addr = ev->addr;
		m->lk.rv[i].observed = obs;
		m->lk.rv[i].no_punch = 0;
		key_to_text(k, ev->rv_key);
		log_debugc(LOG_C_DHT, "lookup: member %s served by %s",
		    m->peer->hostname, k);
		disc_sa_from_dht(&sa, &ev->addr);
		pathglue_rendezvous(m, ev->rv_key, &sa, &obs, now);
		break;
	case DHT_EV_DONE:
		m->lk.search = 0;
		d->dg.nsearching--;
		if (ev->found) {
			m->lk.found_at = now;
			m->lk.next_search = now + DISC_SEARCH_FOUND_MS;
			m->lk.search_gap = DISC_SEARCH_MIN_MS;
		} else {
			m->lk.next_search = now + m->lk.search_gap;
			m->lk.search_gap = m->lk.search_gap * 2 > DISC_SEARCH_MAX_MS ?
			    DISC_SEARCH_MAX_MS : m->lk.search_gap * 2;
		}
		log_debugc(LOG_C_DHT, "lookup: member %s %s (%u messages, "
		    "%llu ms)", m->peer->hostname, ev->found ? "found" :
		    "not found", ev->messages,
		    (unsigned long long)ev->elapsed_ms);
		break;
	}
}

/* Start a lookup for m now if the search table allows. */
void
dhtglue_lookup(struct disc *d, struct dmember *m, uint64_t now)
{
	int	id;

	if (d->dg.dht == NULL || m->lk.search != 0 || d->dg.nsearching >= DISC_SEARCHES)
		return;
	if ((id = dht_search(d->dg.dht, m->key, search_cb, d, now)) <= 0) {
		m->lk.next_search = now + DISC_SEARCH_MIN_MS;
		return;
	}
	m->lk.search = id;
	m->lk.search_started = now;
	m->lk.nsearches++;
	d->dg.nsearching++;
	dhtglue_arm(d);
}

void
dhtglue_member_init(struct dmember *m, uint64_t now)
{
	m->lk.next_search = now;
	m->lk.search_gap = DISC_SEARCH_MIN_MS;
}

void
dhtglue_lookup_now(struct dmember *m, uint64_t now)
{
	m->lk.next_search = now;
	dhtglue_lookup(m->d, m, now);
}

void
dhtglue_wanted(struct dmember *m, uint64_t now)
{
	if (m->lk.found_at == 0 && m->lk.search == 0)
		dhtglue_lookup_now(m, now);
}

/* A sealed PUNCH for m through two of its rendezvous, in case one is
 * gone; the number it went through. */
int
dhtglue_punch(struct dmember *m, const uint8_t *buf, size_t len,
    uint64_t now)
{
	struct disc	*d = m->d;
	size_t		 i;
	int		 sent = 0;

	for (i = 0; i < m->lk.nrv && sent < 2; i++) {
		if (m->lk.rv[i].no_punch)
			continue;
		if (dht_relay(d->dg.dht, m->lk.rv[i].key, &m->lk.rv[i].addr,
		    m->key, buf, len, now) == 0)
			sent++;
	}
	dhtglue_arm(d);
	if (sent == 0) {
		/* nobody to pass it: find the member's rendezvous */
		log_debugc(LOG_C_NAT, "%s: no rendezvous to punch through",
		    disc_mname(m));
		m->lk.next_search = now;
	}
	return sent;
}

/* Reachable from outside or not (disc-self.c found out). */
void
dhtglue_set_reachable(struct disc *d, int reachable, uint64_t now)
{
	if (d->dg.dht != NULL)
		dht_set_reachable(d->dg.dht, reachable, now);
	dhtglue_arm(d);
}

void
dhtglue_forget(struct disc *d, struct dmember *m)
{
	if (m->lk.search != 0 && d->dg.dht != NULL) {
		dht_search_cancel(d->dg.dht, m->lk.search);
		d->dg.nsearching--;
		m->lk.search = 0;
	}
}

void
dhtglue_tick(struct disc *d, uint64_t now)
{
	size_t	i, start, n;

	if (d->dg.dht == NULL)
		return;
	if (now - d->dg.boots_at >= 30000) {
		d->dg.boots_at = now;
		add_boots(d, now);
	}
	/* lookups that are due, starting where the last tick stopped so
	 * that a large network gets round-robin service */
	start = (size_t)(now / DISC_TICK_MS);
	n = dmembers_count(d);
	for (i = 0; i < n && d->dg.nsearching < DISC_SEARCHES; i++) {
		struct dmember	*m = dmembers_at(d, (start + i) % n);

		if (m != NULL && m->lk.search == 0 && now >= m->lk.next_search)
			dhtglue_lookup(d, m, now);
	}
	dhtglue_arm(d);
}

/* Another transport just came up (src/transport/: TCP to the boot nodes,
 * or UDP again): contact the boot nodes now rather than at the next retry,
 * and look up at once the members not found yet (a lookup waiting for
 * answers that went where nothing answers starts over). */
void
disc_boot_now(struct disc *d)
{
	struct dmember	*m;
	uint64_t	 now = disc_now();
	size_t		 i;

	if (d == NULL || d->dg.dht == NULL)
		return;
	for (i = 0; i < d->dg.nboots; i++)
		d->dg.boot_ok[i] = 0;
	add_boots(d, now);
	for (i = 0; i < dmembers_count(d); i++) {
		m = dmembers_at(d, i);
		if (m == NULL || m->lk.found_at != 0)
			continue;
		if (m->lk.search != 0) {
			(void)dht_search_cancel(d->dg.dht, m->lk.search);
			m->lk.search = 0;
			d->dg.nsearching--;
		}
		dhtglue_lookup_now(m, now);
	}
	dhtglue_arm(d);
}
