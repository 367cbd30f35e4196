/* The LAN beacon: members on one LAN find each other without the DHT or a
 * trip through the NAT. Every member broadcasts a BEACON (its key, the
 * network id, its port) on each IPv4 LAN it is on, often after start-up
 * and then now and then; a member hearing one from a trusted key probes
 * "that source address, that port" (authenticated), and once the member
 * ACKs from there, takes it as a LAN candidate, which natpath prefers to
 * anything else.
 *
 * A beacon is not authenticated (it is broadcast, and anyone who knows the
 * network knows its id and the members' keys), so its source address is
 * unproved and it obeys the address-validation rule (SECURITY.md): a
 * source is probed only with what its beacons paid for (a beacon is 43
 * bytes, a PROBE 77: every second beacon buys one probe, at most one a
 * second), and nothing about it reaches natpath until its ACK proves it
 * receives. The sources being proved are a few slots here, the oldest
 * replaced. */
#include "config.h"

#include <sys/socket.h>

#include <string.h>

#include <event2/event.h>

#include "nat/discint.h"
#include "common/evtimer.h"
#include "common/log.h"
#include "nat/natep.h"
#include "nat/natkey.h"
#include "netconf/netconf.h"
#include "datapath/udp.h"

#define BEACON_FAST_MS		2000	/* the first minute */
#define BEACON_FAST_FOR_MS	60000
#define BEACON_SLOW_MS		30000
#define BEACON_LEN		(1 + NATMSG_KEY_LEN + NATMSG_NETID_LEN + 2)
#define BEACON_PROBE_LEN	(1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + \
				    NATMSG_PROBE_PAD + NATMSG_MAC_LEN)
#define BEACON_PROBE_GAP_MS	1000	/* between probes to one source */

static void
beacon_send(struct disc *d)
{
	struct natmsg		msg;
	struct sockaddr_in6	to;
	uint8_t			buf[1 + NATMSG_KEY_LEN + NATMSG_NETID_LEN + 2];
	uint32_t		ip, mask;
	uint16_t		ports[2];
	size_t			n, i, k, np = 1;

	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_BEACON;
	memcpy(msg.key, d->pk, NATMSG_KEY_LEN);
	memcpy(msg.netid, d->netid, NATMSG_NETID_LEN);
	msg.port = d->udp->port;
	if ((n = natmsg_encode(&msg, buf, sizeof(buf))) == 0)
		return;
	/* members listen on the default port unless told otherwise; ours
	 * too, in case the others were told the same */
	ports[0] = NETCONF_DEFAULT_PORT;
	if (d->udp->port != NETCONF_DEFAULT_PORT)
		ports[np++] = d->udp->port;
	for (i = 0; i < d->self.nlocal; i++) {
		if ((mask = d->self.local_mask[i]) == 0 || mask == 0xffffffffU)
			continue;
		ip = (uint32_t)d->self.local[i].sin6_addr.s6_addr[12] << 24 |
		    (uint32_t)d->self.local[i].sin6_addr.s6_addr[13] << 16 |
		    (uint32_t)d->self.local[i].sin6_addr.s6_addr[14] << 8 |
		    d->self.local[i].sin6_addr.s6_addr[15];
		for (k = 0; k < np; k++) {
			natep_v4(&to, ip | ~mask, ports[k]);
			(void)udp_send(d->udp, buf, n, &to);
		}
	}
}

static void
beacon_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct disc	*d = arg;
	uint64_t	 now = disc_now(), gap;

	(void)fd;
	(void)ev;
	if (d->bc.sent == 0)
		d->bc.sent = now;
	beacon_send(d);
	gap = now - d->bc.sent < BEACON_FAST_FOR_MS ? BEACON_FAST_MS :
	    BEACON_SLOW_MS;
	evtimer_arm_in(d->bc.ev, gap);
}

int
beacon_start(struct disc *d)
{
	struct timeval	tv = { 0, 0 };
	int		on = 1;

	if (dmembers_count(d) == 0)
		return 0;
	if (setsockopt(d->udp->fd, SOL_SOCKET, SO_BROADCAST, &on,
	    sizeof(on)) == -1) {
		log_warn("discovery: SO_BROADCAST");
		return -1;
	}
	if ((d->bc.ev = evtimer_new(d->base, beacon_cb, d)) == NULL)
		return -1;
	evtimer_add(d->bc.ev, &tv);
	return 0;
}

void
beacon_stop(struct disc *d)
{
	if (d->bc.ev != NULL)
		event_free(d->bc.ev);
	d->bc.ev = NULL;
}

/* The slot of (key, ep), or a free or the oldest one, reset for it. */
static struct disc_beacon_src *
src_slot(struct disc *d, const uint8_t *key, const struct sockaddr_in6 *ep)
{
	struct disc_beacon_src	*s, *old = &d->bc.src[0];
	size_t			 i;

	for (i = 0; i < DISC_BEACON_SRCS; i++) {
		s = &d->bc.src[i];
		if (s->used && natep_eq(&s->ep, ep) &&
		    memcmp(s->key, key, NATMSG_KEY_LEN) == 0)
			return s;
		if (!s->used || (old->used && s->probed_at < old->probed_at))
			old = s;
	}
	memset(old, 0, sizeof(*old));
	old->used = 1;
	memcpy(old->key, key, NATMSG_KEY_LEN);
	old->ep = *ep;
	return old;
}

/* A PROBE to the beacon's source, paid for by its beacons. */
static void
src_probe(struct disc *d, struct dmember *m, struct disc_beacon_src *s,
    uint64_t now)
{
	struct natmsg	msg;
	uint8_t		buf[BEACON_PROBE_LEN];
	size_t		n;

	if (s->credit < BEACON_PROBE_LEN || (s->probed_at != 0 &&
	    now - s->probed_at < BEACON_PROBE_GAP_MS) ||
	    disc_member_pair(m) == -1 || d->relay_only)
		return;
	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_PROBE;
	memcpy(msg.key, d->pk, NATMSG_KEY_LEN);
	disc_random(s->nonce, sizeof(s->nonce));
	memcpy(msg.nonce, s->nonce, NATMSG_NONCE_LEN);
	if ((n = natmsg_encode(&msg, buf, sizeof(buf))) == 0)
		return;
	natkey_seal(buf, n, m->pair);
	s->credit -= n;
	s->probed_at = now;
	(void)udp_send(d->udp, buf, n, &s->ep);
}

int
beacon_acked(struct disc *d, const uint8_t *key,
    const struct sockaddr_in6 *from, const uint8_t *nonce)
{
	struct disc_beacon_src	*s;
	size_t			 i;

	for (i = 0; i < DISC_BEACON_SRCS; i++) {
		s = &d->bc.src[i];
		if (s->used && s->probed_at != 0 && natep_eq(&s->ep, from) &&
		    memcmp(s->key, key, NATMSG_KEY_LEN) == 0 &&
		    memcmp(s->nonce, nonce, NATMSG_NONCE_LEN) == 0) {
			memset(s, 0, sizeof(*s));
			return 1;
		}
	}
	return 0;
}

void
beacon_input(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember		*m;
	struct disc_beacon_src	*s;
	struct sockaddr_in6	 ep;
	size_t			 i;

	if (memcmp(msg->netid, d->netid, NATMSG_NETID_LEN) != 0) {
		d->bc.drops[DISC_DROP_BEACON]++;
		return;
	}
	if (memcmp(msg->key, d->pk, NATMSG_KEY_LEN) == 0 ||
	    (m = disc_member_by_key(d, msg->key)) == NULL)
		return;		/* our own, or not a member of ours */
	/* only from our own LANs: a beacon routed in from elsewhere is
	 * nobody's LAN address */
	if (!disc_on_lan(d, from))
		return;
	ep = *from;
	ep.sin6_port = htons(msg->port);
	/* already the path in use (proved by its answers; found first
	 * through the address the member published, it is on our LAN all
	 * the same: say so), or a LAN candidate it proved: nothing more to
	 * prove */
	if (m->pa.np.have_ep && natep_eq(&m->pa.np.ep, &ep)) {
		if (m->pa.np.ep_src != NATPATH_SRC_LAN)
			natpath_add_candidate(&m->pa.np, &ep,
			    NATPATH_SRC_LAN, now);
		return;
	}
	for (i = 0; i < m->pa.np.ncand; i++)
		if (m->pa.np.cand[i].src == NATPATH_SRC_LAN &&
		    natep_eq(&m->pa.np.cand[i].ep, &ep))
			return;
	s = src_slot(d, msg->key, &ep);
	/* what a beacon brings; more than two probes' worth is not kept */
	s->credit += BEACON_LEN;
	if (s->credit > 2 * BEACON_PROBE_LEN)
		s->credit = 2 * BEACON_PROBE_LEN;
	src_probe(d, m, s, now);
}
