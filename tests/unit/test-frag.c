/* Packets in pieces (frag.c): the split covers the packet exactly, the
 * pieces go back together in any order, and a piece that does not fit
 * its packet, or a lost one, costs only that packet. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "datapath/frag.h"
#include "t.h"

#define TYPE	0x08

struct msgs {
	uint8_t	m[FRAG_MAX_PIECES][2000];
	size_t	len[FRAG_MAX_PIECES];
	unsigned n;
};

static void
split(struct msgs *ms, const uint8_t *pkt, size_t len, size_t room,
    uint32_t id)
{
	size_t		off, plen;
	unsigned	i;

	ms->n = frag_count(len, room);
	T_ASSERT(ms->n > 0);
	for (i = 0; i < ms->n; i++) {
		frag_piece(ms->m[i], TYPE, id, len, i, ms->n, &off, &plen);
		T_ASSERT(FRAG_HDR_LEN + plen <= room);
		memcpy(ms->m[i] + FRAG_HDR_LEN, pkt + off, plen);
		ms->len[i] = FRAG_HDR_LEN + plen;
	}
}

static void
fill(uint8_t *p, size_t n, unsigned seed)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

T_TEST(count)
{
	T_EQ_INT(frag_count(1280, 1200), 2);
	T_EQ_INT(frag_count(1184, 1200), 1);
	T_EQ_INT(frag_count(1185, 1200), 2);
	T_EQ_INT(frag_count(1420, 1160), 2);
	T_EQ_INT(frag_count(9000, 1200), 8);
	T_EQ_INT(frag_count(9000, 1100), 0);	/* more than 8 pieces */
	T_EQ_INT(frag_count(100, FRAG_HDR_LEN), 0);
	T_EQ_INT(frag_count(0, 1200), 0);
	T_EQ_INT(frag_count(70000, 60000), 0);
}

T_TEST(round_trip_any_order)
{
	static const unsigned order[][3] = { { 0, 1, 2 }, { 2, 1, 0 },
	    { 1, 2, 0 }, { 2, 0, 1 } };
	uint8_t		pkt[2500], buf[3000];
	struct msgs	ms;
	struct frag_rx	r;
	size_t		out, len;
	unsigned	k, i;

	memset(&r, 0, sizeof(r));
	for (len = 1201; len < 2500; len += 97) {
		fill(pkt, len, (unsigned)len);
		for (k = 0; k < 4; k++) {
			split(&ms, pkt, len, 1000, (uint32_t)(len * 4 + k));
			if (ms.n != 3)
				continue;
			memset(buf, 0xee, sizeof(buf));
			for (i = 0; i < 2; i++)
				T_EQ_INT(frag_add(&r, buf, sizeof(buf),
				    ms.m[order[k][i]], ms.len[order[k][i]],
				    &out), FRAG_MORE);
			T_EQ_INT(frag_add(&r, buf, sizeof(buf), ms.m[order[k][2]],
			    ms.len[order[k][2]], &out), FRAG_DONE);
			T_EQ_INT(out, len);
			T_EQ_MEM(buf, pkt, len);
		}
	}
}

T_TEST(padding_ignored)
{
	uint8_t		pkt[1300], buf[1500];
	struct msgs	ms;
	struct frag_rx	r;
	size_t		out;

	memset(&r, 0, sizeof(r));
	fill(pkt, sizeof(pkt), 3);
	split(&ms, pkt, sizeof(pkt), 1200, 9);
	T_EQ_INT(ms.n, 2);
	/* the tunnel pads to 16: zeros after the piece */
	memset(ms.m[0] + ms.len[0], 0, 15);
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ms.m[0], ms.len[0] + 15,
	    &out), FRAG_MORE);
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ms.m[1], ms.len[1], &out),
	    FRAG_DONE);
	T_EQ_INT(out, sizeof(pkt));
	T_EQ_MEM(buf, pkt, sizeof(pkt));
}

T_TEST(lost_piece_costs_one_packet)
{
	uint8_t		a[1300], b[1250], buf[1500];
	struct msgs	ma, mb;
	struct frag_rx	r;
	size_t		out;

	memset(&r, 0, sizeof(r));
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	split(&ma, a, sizeof(a), 1200, 1);
	split(&mb, b, sizeof(b), 1200, 2);
	/* a's second piece is lost; b comes whole */
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ma.m[0], ma.len[0], &out),
	    FRAG_MORE);
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), mb.m[0], mb.len[0], &out),
	    FRAG_MORE);
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), mb.m[1], mb.len[1], &out),
	    FRAG_DONE);
	T_EQ_MEM(buf, b, sizeof(b));
	/* a's straggler alone completes nothing */
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ma.m[1], ma.len[1], &out),
	    FRAG_MORE);
	/* a duplicate is not a second piece */
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ma.m[1], ma.len[1], &out),
	    FRAG_MORE);
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ma.m[0], ma.len[0], &out),
	    FRAG_DONE);
	T_EQ_MEM(buf, a, sizeof(a));
}

T_TEST(bad_pieces)
{
	uint8_t		pkt[1300], buf[1500], m[1400];
	struct msgs	ms;
	struct frag_rx	r;
	size_t		out;

	fill(pkt, sizeof(pkt), 5);
	split(&ms, pkt, sizeof(pkt), 1200, 7);
	memset(&r, 0, sizeof(r));
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ms.m[0], 10, &out), FRAG_BAD);
	/* larger than the buffer */
	T_EQ_INT(frag_add(&r, buf, 1000, ms.m[0], ms.len[0], &out), FRAG_BAD);
#define MUTATE(at, v) do {						\
	memcpy(m, ms.m[0], ms.len[0]);					\
	m[at] = (v);							\
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), m, ms.len[0], &out),	\
	    FRAG_BAD);							\
} while (0)
	MUTATE(1, 2);		/* index >= count */
	MUTATE(2, 1);		/* one piece */
	MUTATE(2, 9);		/* too many */
	MUTATE(11, 1);		/* offset off where it belongs */
	MUTATE(13, 0);		/* length off */
	MUTATE(8, 0);		/* total 0..255: pieces do not fit */
#undef MUTATE
	/* the length claims more than the message holds */
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ms.m[0], ms.len[0] - 1, &out),
	    FRAG_BAD);
	/* a piece of the same id that disagrees on the total */
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ms.m[0], ms.len[0], &out),
	    FRAG_MORE);
	memcpy(m, ms.m[1], ms.len[1]);
	m[9] ^= 1;
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), m, ms.len[1], &out), FRAG_BAD);
	/* and the real one still completes it */
	T_EQ_INT(frag_add(&r, buf, sizeof(buf), ms.m[1], ms.len[1], &out),
	    FRAG_DONE);
	T_EQ_MEM(buf, pkt, sizeof(pkt));
}

int
main(void)
{
	T_RUN(count);
	T_RUN(round_trip_any_order);
	T_RUN(padding_ignored);
	T_RUN(lost_piece_costs_one_packet);
	T_RUN(bad_pieces);
	return t_done();
}
