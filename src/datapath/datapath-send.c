/* The lowest step of the data path's sending (see datapath-int.h): below
 * the parts that send (datapath.c, datapath-out.c, datapath-stage.c,
 * datapath-pmtu.c), calling none of them. */
#include "config.h"

#include <string.h>

#include "datapath/datapath-int.h"
#include "datapath/peer.h"
#include "datapath/udp.h"
#include "tunnel/tunnel.h"

/* Datagrams for a peer whose path runs through a relay (or an answer
 * going back through the relay at via): the path manager wraps and sends
 * them. */
void
dp_relay_out(struct datapath *dp, struct peer *p,
    const struct sockaddr_in6 *via, uint8_t *buf, size_t len, size_t segsize,
    unsigned ndgrams)
{
	if (dp->hooks.relay_send == NULL ||
	    dp->hooks.relay_send(dp->arg, p, via, buf, len, segsize) == -1) {
		dp->w.c.drops[DP_DROP_SEND] += ndgrams;
		return;
	}
	dp->w.c.tx_packets += ndgrams;
	dp->w.c.tx_bytes += len;
}

int
datapath_send_control(struct datapath *dp, struct peer *p,
    const uint8_t *msg, size_t len, uint64_t now)
{
	uint8_t	*buf = dp->w.scratch;
	size_t	 out;

	if (len == 0 || TUNNEL_HEADROOM + len + TUNNEL_TAILROOM >
	    DP_SCRATCH_LEN || p->tunnel == NULL || !path_usable(&p->path))
		return -1;
	memcpy(buf + TUNNEL_HEADROOM, msg, len);
	if (tunnel_control(p->tunnel, buf, DP_SCRATCH_LEN, len, now,
	    &out) != TUNNEL_OK)
		return -1;
	if (p->path.relayed) {
		dp_relay_out(dp, p, &p->path.endpoint, buf, out, 0, 1);
		return 0;
	}
	if (udp_send(dp->udp, buf, out, &p->path.endpoint) == -1) {
		dp->w.c.drops[DP_DROP_SEND]++;
		return -1;
	}
	dp->w.c.tx_packets++;
	dp->w.c.tx_bytes += out;
	p->path.last_tx = now;
	return 0;
}
