/* The LAN beacon: members on one LAN find each other without the DHT or a
 * trip through the NAT. Every member broadcasts a BEACON (its key, the
 * network id, its port) on each IPv4 LAN it is on, often after start-up
 * and then now and then; a member hearing one from a trusted key adds
 * "that source address, that port" as a LAN candidate, which natpath
 * probes (authenticated) and prefers to anything else. A beacon is not
 * authenticated (it is broadcast); all it can do is cause a probe. */
#include "config.h"

#include <sys/socket.h>

#include <string.h>

#include <event2/event.h>

#include "nat/discint.h"
#include "common/evtimer.h"
#include "common/log.h"
#include "nat/natep.h"
#include "netconf/netconf.h"
#include "datapath/udp.h"

#define BEACON_FAST_MS		2000	/* the first minute */
#define BEACON_FAST_FOR_MS	60000
#define BEACON_SLOW_MS		30000

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

void
beacon_input(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember		*m;
	struct sockaddr_in6	 ep;

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
	pathglue_candidate(m, &ep, NATPATH_SRC_LAN, now);
}
