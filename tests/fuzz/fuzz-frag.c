/* Fuzz the reassembly of FRAG pieces (frag.h). Input: a capacity byte (the
 * largest packet accepted is 8 times it), then messages, each a length
 * byte and that many bytes (the last one takes what is left). Every
 * message goes to frag_add in one reassembly state and buffer of exactly
 * the capacity (so that ASan sees a write past it); a packet it calls
 * complete must fit and have come in whole. Then the same input, taken as
 * a packet, is cut with frag_piece at a room the capacity byte gives and
 * its pieces are put back in an order the input gives (with a piece of an
 * unrelated id in between): it must come back byte for byte. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/frag.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Feed the messages of data[0..size) to frag_add. */
static void
feed(const uint8_t *data, size_t size, size_t cap)
{
	struct frag_rx	 r;
	uint8_t		*buf, *msg;
	size_t		 n, out;

	memset(&r, 0, sizeof(r));
	if ((buf = malloc(cap ? cap : 1)) == NULL)
		abort();
	while (size > 0) {
		n = data[0];
		data++;
		size--;
		if (n > size)
			n = size;
		/* exactly n bytes, so that a read past the end is seen */
		if ((msg = malloc(n ? n : 1)) == NULL)
			abort();
		if (n > 0)
			memcpy(msg, data, n);
		switch (frag_add(&r, buf, cap, msg, n, &out)) {
		case FRAG_DONE:
			if (out == 0 || out > cap || n < FRAG_HDR_LEN)
				abort();
			break;
		case FRAG_MORE:
		case FRAG_BAD:
			if (out != 0)
				abort();
			break;
		default:
			abort();
		}
		free(msg);
		data += n;
		size -= n;
	}
	free(buf);
}

/* Cut pkt into pieces at room and put them back in the order that the
 * bytes of ord give. */
static void
roundtrip(const uint8_t *pkt, size_t len, size_t room, const uint8_t *ord,
    size_t nord)
{
	struct frag_rx	 r;
	uint8_t		 msg[FRAG_HDR_LEN + 0xffff], *buf;
	size_t		 off, plen, out, k;
	unsigned	 n, i, order[FRAG_MAX_PIECES], j, t;
	enum frag_result rc = FRAG_MORE;

	if ((n = frag_count(len, room)) == 0)
		return;
	if (n < 2)
		return;		/* one piece is no FRAG: it goes whole */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {	/* Fisher-Yates by the input */
		j = nord > 0 ? ord[i % nord] % (i + 1) : i;
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	memset(&r, 0, sizeof(r));
	if ((buf = malloc(len)) == NULL)
		abort();
	for (k = 0; k < n; k++) {
		frag_piece(msg, 0x08, 7, len, order[k], n, &off, &plen);
		if (off + plen > len || FRAG_HDR_LEN + plen > room)
			abort();
		memcpy(msg + FRAG_HDR_LEN, pkt + off, plen);
		rc = frag_add(&r, buf, len, msg, FRAG_HDR_LEN + plen, &out);
		if (rc == FRAG_DONE)
			break;
		if (rc != FRAG_MORE)
			abort();
		/* a duplicate changes nothing */
		if (frag_add(&r, buf, len, msg, FRAG_HDR_LEN + plen, &out) !=
		    FRAG_MORE)
			abort();
	}
	if (rc != FRAG_DONE || k != n - 1 || out != len ||
	    memcmp(buf, pkt, len) != 0)
		abort();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	cap;

	if (size < 1)
		return 0;
	cap = (size_t)data[0] * 8;
	feed(data + 1, size - 1, cap);
	roundtrip(data + 1, size - 1, FRAG_HDR_LEN + 1 + data[0] * 4,
	    data + 1, size - 1 < 8 ? size - 1 : 8);
	return 0;
}
