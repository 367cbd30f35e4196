/* The lowest step of the data path's sending (see datapath-int.h): below
 * the parts that send (datapath.c, datapath-out.c, datapath-stage.c,
 * datapath-pmtu.c), calling none of them. */
#include "config.h"

#include "datapath/datapath-int.h"

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
