/* Inner packets in pieces (frag.h): a packet that may not be refused with
 * a "too big" and that the member's path cannot carry whole goes as FRAG
 * control messages, each within the path's size; the member puts the
 * pieces back together and delivers the packet as any other. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/datapath-int.h"
#include "datapath/frag.h"
#include "tunnel/wire.h"

unsigned
dp_frag_out(struct datapath *dp, struct peer *p, const uint8_t *pkt,
    size_t len, unsigned inner, uint64_t now)
{
	uint8_t		*buf = dp->w.probe, *pt = buf + TUNNEL_HEADROOM;
	unsigned	 n, i, act = 0;
	size_t		 off, plen, out;
	enum tunnel_err	 e;

	if ((n = frag_count(len, inner)) == 0) {
		dp->w.c.drops[DP_DROP_TOO_BIG]++;
		return 0;
	}
	p->frag_id++;
	for (i = 0; i < n; i++) {
		frag_piece(pt, WIRE_CTL_FRAG, p->frag_id, len, i, n, &off,
		    &plen);
		memcpy(pt + FRAG_HDR_LEN, pkt + off, plen);
		e = tunnel_encrypt(p->tunnel, buf, TUNNEL_HEADROOM + dp->mtu +
		    TUNNEL_TAILROOM, FRAG_HDR_LEN + plen, now, &out, &act);
		if (e == TUNNEL_ERR_NO_SESSION && i == 0) {
			dp_stage(dp, p, pkt, len);
			return act;
		}
		if (e != TUNNEL_OK) {
			dp->w.c.drops[DP_DROP_TUNNEL]++;
			return act;
		}
		if (p->path.relayed)
			dp_relay_out(dp, p, &p->path.endpoint, buf, out, 0, 1);
		else if (udp_send(dp->udp, buf, out, &p->path.endpoint) ==
		    -1) {
			dp->w.c.drops[DP_DROP_SEND]++;
			if (errno == EMSGSIZE)
				dp->w.errq_due = 1;
		} else {
			dp->w.c.tx_packets++;
			dp->w.c.tx_bytes += out;
		}
		dp_pmtu_sent(dp, p, out, 1, now);
	}
	dp_sent(dp, p, now);
	return act;
}

size_t
dp_frag_in(struct datapath *dp, struct peer *p, const uint8_t *msg,
    size_t len, uint8_t **pkt)
{
	size_t	out;

	*pkt = NULL;
	if (p->frag_buf == NULL &&
	    (p->frag_buf = malloc(dp->mtu)) == NULL) {
		p->drops[PEER_DROP_MALFORMED]++;
		return 0;
	}
	switch (frag_add(&p->frag_rx, p->frag_buf, dp->mtu, msg, len, &out)) {
	case FRAG_DONE:
		*pkt = p->frag_buf;
		return out;
	case FRAG_MORE:
		return 0;
	default:
		p->drops[PEER_DROP_MALFORMED]++;
		return 0;
	}
}
