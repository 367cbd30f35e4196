/* Pieces of inner packets in tunnel control messages (frag.h). */
#include "config.h"

#include <string.h>

#include "common/be.h"
#include "datapath/frag.h"

unsigned
frag_count(size_t len, size_t room)
{
	size_t	per, n;

	if (room <= FRAG_HDR_LEN || len == 0 || len > 0xffff)
		return 0;
	per = room - FRAG_HDR_LEN;
	n = (len + per - 1) / per;
	return n <= FRAG_MAX_PIECES ? (unsigned)n : 0;
}

/* Where piece i of n of a packet of len bytes lies: as even as they come,
 * the first len % n pieces one byte longer. */
static void
piece_at(size_t len, unsigned i, unsigned n, size_t *off, size_t *plen)
{
	size_t	base = len / n, extra = len % n;

	*off = i * base + (i < extra ? i : extra);
	*plen = base + (i < extra ? 1 : 0);
}

void
frag_piece(uint8_t hdr[FRAG_HDR_LEN], uint8_t type, uint32_t id, size_t len,
    unsigned i, unsigned n, size_t *off, size_t *plen)
{
	piece_at(len, i, n, off, plen);
	memset(hdr, 0, FRAG_HDR_LEN);
	hdr[0] = type;
	hdr[1] = (uint8_t)i;
	hdr[2] = (uint8_t)n;
	hdr[4] = (uint8_t)(id >> 24);
	hdr[5] = (uint8_t)(id >> 16);
	hdr[6] = (uint8_t)(id >> 8);
	hdr[7] = (uint8_t)id;
	be16_put(hdr + 8, len);
	be16_put(hdr + 10, *off);
	be16_put(hdr + 12, *plen);
}

enum frag_result
frag_add(struct frag_rx *r, uint8_t *buf, size_t cap, const uint8_t *msg,
    size_t len, size_t *outlen)
{
	unsigned	index, count;
	size_t		total, off, plen, want_off, want_len;
	uint32_t	id;

	*outlen = 0;
	if (len < FRAG_HDR_LEN)
		return FRAG_BAD;
	index = msg[1];
	count = msg[2];
	id = (uint32_t)msg[4] << 24 | (uint32_t)msg[5] << 16 |
	    (uint32_t)msg[6] << 8 | msg[7];
	total = be16_get(msg + 8);
	off = be16_get(msg + 10);
	plen = be16_get(msg + 12);
	if (count < 2 || count > FRAG_MAX_PIECES || index >= count ||
	    total < count || total > cap || plen > len - FRAG_HDR_LEN)
		return FRAG_BAD;
	/* each piece exactly where frag_piece puts it: no overlap, no gap */
	piece_at(total, index, count, &want_off, &want_len);
	if (off != want_off || plen != want_len)
		return FRAG_BAD;
	if (!r->active || r->id != id) {
		/* a new packet: whatever was pending is lost */
		r->active = 1;
		r->id = id;
		r->total = (uint16_t)total;
		r->count = (uint8_t)count;
		r->have = 0;
	} else if (r->total != total || r->count != count)
		return FRAG_BAD;
	if (r->have & 1u << index)
		return FRAG_MORE;	/* a duplicate (replay cannot, a
					 * retransmission of ours never) */
	memcpy(buf + off, msg + FRAG_HDR_LEN, plen);
	r->have |= (uint8_t)(1u << index);
	if (r->have != (1u << count) - 1)
		return FRAG_MORE;
	r->active = 0;
	*outlen = total;
	return FRAG_DONE;
}
