/* Path MTU in the data path: one struct pmtu (pmtu.h) per member, for the
 * path its packets take now (a direct endpoint or a relay). This file
 * starts it when the path is first used with a session (and again when the
 * path moves), feeds it (datagrams sent, packets received, probe acks, ICMP
 * and EMSGSIZE from the socket's error queue), runs its timer with the
 * peer's, and carries out what it asks: probes, and a new inner MTU, which
 * bounds the tunnel's padding, the "too big" errors into the TUN, the TSO
 * split and the MSS clamp (datapath-out.c, datapath.c).
 *
 * Probes are tunnel control messages (wire.h): a probe of outer size s is
 * a data message whose plaintext fills the datagram to exactly s bytes;
 * the member answers each with a 16-byte ack on the path it came by. */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "datapath/datapath-int.h"
#include "datapath/pmtu.h"

static int
ep_ipv6(const struct sockaddr_in6 *ep)
{
	return !IN6_IS_ADDR_V4MAPPED(&ep->sin6_addr);
}

/* Outer bytes (IP datagram) of a tunnel datagram of n bytes to p. */
unsigned
dp_outer_size(const struct peer *p, size_t n)
{
	return (unsigned)n + (p->path.relayed ? DP_RELAY_HDR : 0) +
	    (ep_ipv6(&p->path.endpoint) ? PMTU_IP6_HDR : PMTU_IP4_HDR) +
	    PMTU_UDP_HDR;
}

static void
set_inner(struct datapath *dp, struct peer *p, unsigned inner)
{
	if (inner == 0 || inner > dp->mtu)
		inner = dp->mtu;
	p->inner_mtu = inner;
	tunnel_set_pad_mtu(p->tunnel, inner < dp->mtu ? inner : 0);
}

/* Make sure p's pmtu is for the path its packets take now. */
void
dp_pmtu_path(struct datapath *dp, struct peer *p, uint64_t now)
{
	uint64_t	seed;
	int		v6;

	if (!path_usable(&p->path) || dp->pmtu_off)
		return;
	if (p->pmtu_on && p->pmtu_relayed == p->path.relayed &&
	    udp_addr_equal(&p->pmtu_ep, &p->path.endpoint))
		return;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^
		    (uintptr_t)p;
	v6 = ep_ipv6(&p->path.endpoint);
	p->pmtu_ep = p->path.endpoint;
	p->pmtu_relayed = p->path.relayed;
	p->pmtu_on = 1;
	pmtu_init(&p->pmtu, v6, p->path.relayed, seed, now);
	/* nothing bigger than the TUN hands us is worth having (a smaller
	 * outgoing interface refuses with EMSGSIZE, which lowers it) */
	pmtu_start(&p->pmtu, pmtu_outer(dp->mtu, v6, p->path.relayed), now);
	set_inner(dp, p, pmtu_inner_mtu(&p->pmtu));
	/* (the caller touches p: dp_rearm runs the search's timer) */
}

void
datapath_set_pmtu(struct datapath *dp, int on)
{
	size_t	i;

	dp->pmtu_off = !on;
	if (on)
		return;
	for (i = 0; i < dp->npeers; i++)
		if (dp->peers[i] != NULL) {
			dp->peers[i]->pmtu_on = 0;
			set_inner(dp, dp->peers[i], 0);
		}
}

void
datapath_peer_mtu(const struct peer *p, uint64_t *mtu, uint64_t *inner,
    char *src, size_t srclen)
{
	*mtu = *inner = 0;
	if (srclen > 0)
		src[0] = '\0';
	if (!p->pmtu_on)
		return;
	*mtu = pmtu_mtu(&p->pmtu);
	*inner = p->inner_mtu;
	(void)snprintf(src, srclen, "%s", pmtu_src_name(pmtu_source(
	    &p->pmtu)));
}

/* A probe of outer size `size` carrying id, on p's path. */
static void
send_probe(struct datapath *dp, struct peer *p, unsigned size, uint64_t id,
    uint64_t now)
{
	uint8_t		*buf = dp->w.probe, *pt;
	unsigned	 payload;
	size_t		 len, out;

	payload = pmtu_udp_payload(size, ep_ipv6(&p->path.endpoint));
	if (p->path.relayed)
		payload = payload > DP_RELAY_HDR ? payload - DP_RELAY_HDR : 0;
	/* (the ceiling keeps a probe within the TUN's MTU: dp->w.probe) */
	if (payload < WIRE_DATA_OVERHEAD + WIRE_CTL_LEN ||
	    payload - WIRE_DATA_OVERHEAD > dp->mtu)
		return;
	len = payload - WIRE_DATA_OVERHEAD;
	pt = buf + TUNNEL_HEADROOM;
	memset(pt, 0, len);
	pt[0] = WIRE_CTL_PROBE;
	wire_put64(pt + 8, id);
	if (tunnel_control(p->tunnel, buf, TUNNEL_HEADROOM + len +
	    TUNNEL_TAILROOM, len, now, &out) != TUNNEL_OK)
		return;
	if (p->path.relayed) {
		dp_relay_out(dp, p, &p->path.endpoint, buf, out, 0, 1);
		return;
	}
	if (udp_send(dp->udp, buf, out, &p->path.endpoint) == -1) {
		dp->w.c.drops[DP_DROP_SEND]++;
		if (errno == EMSGSIZE)
			dp->w.errq_due = 1;	/* its MTU is queued */
		return;
	}
	dp->w.c.tx_packets++;
	dp->w.c.tx_bytes += out;
}

/* Run p's pmtu timers and carry out what it asks; p->pmtu_at is its next
 * deadline after this. */
void
dp_pmtu_run(struct datapath *dp, struct peer *p, uint64_t now)
{
	struct pmtu_action	a;
	unsigned		guard;

	if (!p->pmtu_on) {
		p->pmtu_at = UINT64_MAX;
		return;
	}
	for (guard = 0; guard < 4; guard++) {
		p->pmtu_at = pmtu_periodic(&p->pmtu, now);
		if (!pmtu_next_action(&p->pmtu, &a))
			break;
		do {
			switch (a.type) {
			case PMTU_ACT_PROBE:
				send_probe(dp, p, a.size, a.id, now);
				break;
			case PMTU_ACT_CHANGED:
				set_inner(dp, p, pmtu_inner_mtu(&p->pmtu));
				if (a.old == 0)		/* the start */
					log_debugc(LOG_C_DATA, "%s: path MTU "
					    "%u assumed, inner %u",
					    p->hostname, a.size,
					    p->inner_mtu);
				else
					log_info("%s: path MTU %u -> %u (%s), "
					    "inner %u", p->hostname, a.old,
					    a.size, pmtu_src_name(pmtu_source(
					    &p->pmtu)), p->inner_mtu);
				break;
			}
		} while (pmtu_next_action(&p->pmtu, &a));
	}
}

/* A tunnel control message from p (wire.h); via: it came through that
 * relay, else from `from`. */
void
dp_pmtu_control(struct datapath *dp, struct peer *p, const uint8_t *pt,
    size_t len, const struct sockaddr_in6 *from,
    const struct sockaddr_in6 *via, uint64_t now)
{
	uint8_t		*buf = dp->w.scratch;
	size_t		 out;
	unsigned	 type = wire_ctl_type(pt, len);

	if (type != WIRE_CTL_PROBE && type != WIRE_CTL_PROBE_ACK) {
		/* the daemon's (membership, 0x03-0x05) */
		if (dp->hooks.control != NULL)
			dp->hooks.control(dp->arg, p, pt, len, now);
		return;
	}
	if (len < WIRE_CTL_LEN)
		return;
	switch (type) {
	case WIRE_CTL_PROBE:
		/* the ack, back the way the probe came */
		memset(buf + TUNNEL_HEADROOM, 0, WIRE_CTL_LEN);
		buf[TUNNEL_HEADROOM] = WIRE_CTL_PROBE_ACK;
		memcpy(buf + TUNNEL_HEADROOM + 8, pt + 8, 8);
		if (tunnel_control(p->tunnel, buf, DP_SCRATCH_LEN,
		    WIRE_CTL_LEN, now, &out) != TUNNEL_OK)
			return;
		if (via != NULL)
			dp_relay_out(dp, p, via, buf, out, 0, 1);
		else if (udp_send(dp->udp, buf, out, from) == -1)
			dp->w.c.drops[DP_DROP_SEND]++;
		else {
			dp->w.c.tx_packets++;
			dp->w.c.tx_bytes += out;
		}
		break;
	case WIRE_CTL_PROBE_ACK:
		if (p->pmtu_on)		/* (the caller touches p) */
			pmtu_ack(&p->pmtu, wire_get64(pt + 8), now);
		break;
	default:
		break;		/* a later version's: ignored */
	}
}

/* Errors queued on the UDP socket: "too big" for a member's path lowers
 * its MTU (every member reached through that endpoint or relay). */
void
dp_pmtu_errors(struct datapath *dp, uint64_t now)
{
	struct udp_err	 e[16];
	struct peer	*p;
	size_t		 i;
	int		 n, k;

	dp->w.errq_due = 0;
	dp->w.errq_at = now;
	if (dp->udp == NULL)
		return;
	n = udp_read_errors(dp->udp, e, sizeof(e) / sizeof(e[0]));
	for (k = 0; k < n; k++) {
		if (e[k].kind == UDP_ERR_OTHER)
			continue;
		for (i = 0; i < dp->npeers; i++) {
			if ((p = dp->peers[i]) == NULL || !p->pmtu_on ||
			    !udp_addr_equal(&p->pmtu_ep, &e[k].to))
				continue;
			if (e[k].kind == UDP_ERR_TOO_BIG)
				pmtu_icmp(&p->pmtu, e[k].mtu, now);
			else
				pmtu_emsgsize(&p->pmtu, e[k].mtu, now);
			log_debugc(LOG_C_DATA, "%s: %s, MTU %u", p->hostname,
			    e[k].kind == UDP_ERR_TOO_BIG ? "ICMP too big" :
			    "EMSGSIZE", e[k].mtu);
			/* at once (probes to confirm it), and its timer */
			dp_pmtu_run(dp, p, now);
			if (p->pmtu_at < p->timer_at) {
				p->timer_at = p->pmtu_at;
				dp->hooks.arm(dp->arg, p, p->pmtu_at);
			}
		}
	}
}
