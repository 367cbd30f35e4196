/* Packets for a member without a session wait in its staging queue, in
 * buffers from a pool allocated once, until the handshake completes (see
 * datapath.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "datapath/datapath-int.h"

void
dp_stage(struct datapath *dp, struct peer *p, const uint8_t *pkt, size_t len)
{
	struct dp_pkt	*k;

	if (p->nstaged >= DP_STAGE_PER_PEER || dp->free == NULL) {
		/* Full: the oldest makes room (newer packets matter more). */
		if ((k = p->stage_head) == NULL) {
			p->drops[PEER_DROP_STAGED]++;
			return;
		}
		p->stage_head = k->next;
		if (p->stage_head == NULL)
			p->stage_tail = NULL;
		p->nstaged--;
		p->drops[PEER_DROP_STAGED]++;
	} else {
		k = dp->free;
		dp->free = k->next;
	}
	memcpy(dp_pkt_buf(k) + TUNNEL_HEADROOM, pkt, len);
	k->len = len;
	k->next = NULL;
	if (p->stage_tail != NULL)
		p->stage_tail->next = k;
	else
		p->stage_head = k;
	p->stage_tail = k;
	p->nstaged++;
}

/* A session is ready: encrypt and send what waited for it. Returns how many
 * went out. */
unsigned
dp_flush_staged(struct datapath *dp, struct peer *p, uint64_t now)
{
	struct dp_pkt	*k, *next;
	unsigned	 n = 0, sent = 0, act = 0, a, failed;
	size_t		 out;

	for (k = p->stage_head; k != NULL; k = next) {
		uint8_t	*buf = dp_pkt_buf(k);

		next = k->next;
		a = 0;
		if (path_usable(&p->path) && tunnel_encrypt(p->tunnel, buf,
		    TUNNEL_HEADROOM + dp->mtu + TUNNEL_TAILROOM, k->len, now,
		    &out, &a) == TUNNEL_OK) {
			if (p->path.relayed) {
				dp_relay_out(dp, p, &p->path.endpoint, buf,
				    out, 0, 1);
				sent++;
			} else {
				dp->w.flushm[n].buf = buf;
				dp->w.flushm[n].len = out;
				dp->w.flushm[n].addr = p->path.endpoint;
				dp->w.c.tx_bytes += out;
				n++;
			}
		} else
			p->drops[PEER_DROP_STAGED]++;
		act |= a;
	}
	if (n > 0) {
		for (a = 0; a < n; a++)
			dp->w.flushm[a].segsize = 0;
		failed = udp_send_batch(dp->udp, dp->w.flushm, n);
		dp->w.c.drops[DP_DROP_SEND] += failed;
		dp->w.c.tx_packets += n - failed;
	}
	datapath_forget_peer(dp, p);
	/* the session is there: learn the path's MTU from now on */
	if (n + sent > 0)
		dp_pmtu_path(dp, p, now);
	/* Whatever encrypting asked for (a rekey cannot be due on a fresh
	 * session, but handle it anyway), minus SESSION_READY itself. */
	act &= ~TUNNEL_ACT_SESSION_READY;
	if (act != 0)
		dp_actions(dp, p, act, n + sent > 0, now);
	return n + sent;
}

void
datapath_forget_peer(struct datapath *dp, struct peer *p)
{
	struct dp_pkt	*k;

	while ((k = p->stage_head) != NULL) {
		p->stage_head = k->next;
		k->next = dp->free;
		dp->free = k;
	}
	p->stage_tail = NULL;
	p->nstaged = 0;
}

