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

