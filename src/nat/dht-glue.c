/* The DHT in the daemon: a dht instance on the shared UDP socket (first
 * bytes 0x10-0x1f), its timer, the netconfig's boot nodes, and the member
 * lookups (at start, while a member is missing, when its path breaks, and
 * now and then to follow its rendezvous). Reflexive addresses the DHT's
 * peers report go to the NAT classification; relayed payloads (PUNCH
 * requests) to the path glue. */
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
	for (i = 0; i < m->nrv; i++)
		if (memcmp(m->rv[i].key, rv_key, DHT_KEY_LEN) == 0)
			m->rv[i].no_punch = 1;
	log_debugc(LOG_C_NAT, "punch request for a member not delivered "
	    "(%s): looking it up again", delivered == 0 ? "refused" :
	    "no answer");
	m->next_search = disc_now();
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
	d->dht_at = UINT64_MAX;
	(void)dht_periodic(d->dht, disc_now());
	dhtglue_arm(d);
}

/* For mesh lookup (disc-lookup.c). */
struct dht *
disc_dht(struct disc *d)
{
	return d->dht;
}

/* Arm the timer for the DHT's next wake-up (after any call into it). */
void
dhtglue_arm(struct disc *d)
{
	struct timeval	tv;
	uint64_t	next, now, delta;

	if (d->dht == NULL)
		return;
	next = dht_next_wakeup(d->dht);
	if (next >= d->dht_at)
		return;
	now = disc_now();
	d->dht_at = next;
	delta = next > now ? next - now : 0;
	tv.tv_sec = (time_t)(delta / 1000);
	tv.tv_usec = (suseconds_t)(delta % 1000) * 1000;
	evtimer_add(d->dht_ev, &tv);
}

static void
dht_input_cb(void *arg, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct disc	*d = arg;
	struct dht_addr	 a;

	disc_dht_from_sa(&a, from);
	(void)dht_input(d->dht, pkt, len, &a, now);
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

	for (i = 0; i < d->nboots; i++) {
		const struct nc_boot	*b = &d->boots[i];

		if (d->boot_ok[i])
			continue;
		if (memcmp(b->key, d->pk, KEY_LEN) == 0) {
			d->boot_ok[i] = 1;	/* that is us */
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
		if (dht_add_boot(d->dht, b->key, &a, now) == 0)
			d->boot_ok[i] = 1;
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
	free(d->boots);
	free(d->boot_ok);
	d->boots = b;
	d->boot_ok = ok;
	d->nboots = nc->nboots;
	if (d->dht != NULL) {
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
	cfg.reachable = d->reachable;
	memset(&cb, 0, sizeof(cb));
	cb.arg = d;
	cb.send = cb_send;
	cb.random = cb_random;
	cb.wallclock = cb_wallclock;
	cb.on_relayed = cb_relayed;
	cb.on_relay_result = cb_relay_result;
	cb.on_reflexive = cb_reflexive;
	if ((d->dht = dht_create(&cfg, &cb, now, &why)) == NULL) {
		snprintf(err, errlen, "DHT: %s", why);
		return -1;
	}
	if ((d->dht_ev = evtimer_new(d->base, dht_timer_cb, d)) == NULL) {
		snprintf(err, errlen, "DHT: out of memory");
		return -1;
	}
	d->dht_at = UINT64_MAX;
	if (udp_register(d->udp, DHT_TYPE_MIN, DHT_TYPE_MAX, dht_input_cb,
	    d) == -1) {
		snprintf(err, errlen, "DHT: UDP handler range taken");
		return -1;
	}
	dhtglue_boots(d, nc);
	d->boots_at = now;
	dhtglue_arm(d);
	return 0;
}

void
dhtglue_stop(struct disc *d)
{
	if (d->dht_ev != NULL)
		event_free(d->dht_ev);
	d->dht_ev = NULL;
	free(d->boots);
	free(d->boot_ok);
	d->boots = NULL;
	d->boot_ok = NULL;
	d->nboots = 0;
	if (d->dht != NULL) {
		(void)udp_register(d->udp, DHT_TYPE_MIN, DHT_TYPE_MAX, NULL,
		    NULL);
		dht_destroy(d->dht);
	}
	d->dht = NULL;
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

	if (m == NULL || m->search != ev->search)
		return;		/* a member removed by a reload */
	switch (ev->kind) {
	case DHT_EV_ENDPOINT:
		disc_sa_from_dht(&sa, &ev->addr);
		if (!natep_is_set(&sa))
			break;
		if (ev->reachable)
			m->public_ep = 1;
		log_debugc(LOG_C_DHT, "lookup: member %s at %s%s",
		    m->peer->hostname, disc_addr(&sa, s, sizeof(s)),
		    ev->reachable ? "" : " (behind NAT)");
		natpath_add_candidate(&m->np, &sa, NATPATH_SRC_DHT, now);
		disc_kick(m);
		break;
	case DHT_EV_RENDEZVOUS:
		disc_sa_from_dht(&obs, &ev->addr_observed);
		for (i = 0; i < m->nrv; i++)
			if (memcmp(m->rv[i].key, ev->rv_key, DHT_KEY_LEN) == 0)
				break;
		if (i == m->nrv) {
			if (m->nrv == DISC_MAX_RV) {
				/* the newest answer replaces the oldest */
				memmove(&m->rv[0], &m->rv[1],
				    (DISC_MAX_RV - 1) * sizeof(m->rv[0]));
				i = --m->nrv;
			}
			m->nrv++;
		}
		memcpy(m->rv[i].key, ev->rv_key, DHT_KEY_LEN);
		m->rv[i].addr = ev->addr;
		m->rv[i].observed = obs;
		m->rv[i].no_relay = 0;
		m->rv[i].no_punch = 0;
		key_to_text(k, ev->rv_key);
		log_debugc(LOG_C_DHT, "lookup: member %s served by %s",
		    m->peer->hostname, k);
		natpath_set_rendezvous(&m->np, 1, now);
		if (natep_is_set(&obs))
			natpath_add_candidate(&m->np, &obs, NATPATH_SRC_DHT,
			    now);
		pathglue_rendezvous(m, now);
		disc_kick(m);
		break;
	case DHT_EV_DONE:
		m->search = 0;
		d->nsearching--;
		if (ev->found) {
			m->found_at = now;
			m->next_search = now + DISC_SEARCH_FOUND_MS;
			m->search_gap = DISC_SEARCH_MIN_MS;
		} else {
			m->next_search = now + m->search_gap;
			m->search_gap = m->search_gap * 2 > DISC_SEARCH_MAX_MS ?
			    DISC_SEARCH_MAX_MS : m->search_gap * 2;
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

	if (d->dht == NULL || m->search != 0 || d->nsearching >= DISC_SEARCHES)
		return;
	if ((id = dht_search(d->dht, m->key, search_cb, d, now)) <= 0) {
		m->next_search = now + DISC_SEARCH_MIN_MS;
		return;
	}
	m->search = id;
	m->search_started = now;
	m->nsearches++;
	d->nsearching++;
	dhtglue_arm(d);
}

void
dhtglue_forget(struct disc *d, struct dmember *m)
{
	if (m->search != 0 && d->dht != NULL) {
		dht_search_cancel(d->dht, m->search);
		d->nsearching--;
		m->search = 0;
	}
}

void
dhtglue_tick(struct disc *d, uint64_t now)
{
	size_t	i, start;

	if (d->dht == NULL)
		return;
	if (now - d->boots_at >= 30000) {
		d->boots_at = now;
		add_boots(d, now);
	}
	/* lookups that are due, starting where the last tick stopped so
	 * that a large network gets round-robin service */
	start = (size_t)(now / DISC_TICK_MS);
	for (i = 0; i < d->nm && d->nsearching < DISC_SEARCHES; i++) {
		struct dmember	*m = d->m[(start + i) % d->nm];

		if (m != NULL && m->search == 0 && now >= m->next_search)
			dhtglue_lookup(d, m, now);
	}
	dhtglue_arm(d);
}
