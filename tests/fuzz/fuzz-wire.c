/* Fuzz target for tunnel messages: wire_decode, then the decoded message
 * fed to a responder and to live sessions, so the handshake, cookie and
 * transport parsing paths all see hostile input. Aborts on a broken
 * invariant:
 * - wire_decode accepts exactly the lengths wire.h documents;
 * - tunnel_receive never reports data outside the input buffer, a reply
 *   larger than its buffer, or data together with an error;
 * - a genuine session still works after the hostile packet: the input
 *   itself, encrypted by one side, decrypts on the other to the same bytes
 *   followed only by zero padding.
 * The two identities are fixed (private keys 0x41.. and 0x42..), so corpus
 * samples made for them (see gen-corpus-wire.py) carry a valid mac1 and
 * reach the Noise code. Receiver indices are random per run: the harness
 * patches them to live ones for responses, cookie replies and data, and
 * also feeds handshake messages with mac1 recomputed, so that mutations
 * get past mac1 into the Noise code.
 *
 * Speed: the two identities, their handshake and the rekey in flight are
 * set up once (about ten X25519 operations); every input then starts from
 * a copy of that state, restored by memcpy into the same heap objects (the
 * tunnel module's structures are fixed-size and hold no pointers except to
 * each other, see tunnel-int.h), so inputs stay independent of each other
 * at a fraction of the cost of a fresh setup (about 20 times faster). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/cookie.h"
#include "tunnel/tunnel-int.h"
#include "tunnel/tunnel.h"
#include "tunnel/wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz-wire: invariant failed: %s "	\
		    "(line %d)\n", #c, __LINE__);			\
		abort();						\
	}								\
} while (0)

#define BUFSZ	(TUNNEL_HEADROOM + WIRE_DATA_MAX_PAYLOAD + TUNNEL_TAILROOM)
#define WALL0	1700000000000000000ULL

static uint8_t	buf[BUFSZ], pkt[BUFSZ];
static const uint8_t src[6] = { 198, 51, 100, 7, 0x18, 0xe6 };

struct world {
	struct tunnel_local	*la, *lb;
	struct tunnel		*ab, *ba;
	uint32_t		 a_hs_index;	/* A's initiation in flight */
	uint32_t		 b_index;	/* B's session, for A's data */
	uint32_t		 a_index;	/* A's session, for B's data */
	uint64_t		 now;
};

static void
expect_rx(struct world *w, struct tunnel_local *l, uint8_t *b, size_t len,
    int load, struct tunnel_rx *rx, enum tunnel_err *e)
{
	*e = tunnel_receive(l, b, len, src, sizeof(src), load, w->now, rx);
	CHECK(rx->reply_len <= sizeof(rx->reply));
	if (*e != TUNNEL_OK) {
		CHECK(rx->data_len == 0);
		CHECK(*e != TUNNEL_ERR_COOKIE_REQUIRED ||
		    rx->reply_len == WIRE_COOKIE_REPLY_LEN);
		CHECK(*e == TUNNEL_ERR_COOKIE_REQUIRED || rx->reply_len == 0);
	}
	if (rx->data_len > 0)
		CHECK(rx->data == b + WIRE_DATA_HEADER_LEN &&
		    rx->data_len + WIRE_DATA_OVERHEAD == len);
	CHECK(rx->peer == NULL || rx->peer == w->ab || rx->peer == w->ba);
}

static int
world_init(struct world *w)
{
	uint8_t		 ska[TUNNEL_KEY_LEN], skb[TUNNEL_KEY_LEN];
	struct tunnel_rx rx;
	enum tunnel_err	 e;
	size_t		 len;
	unsigned	 act = 0;

	memset(w, 0, sizeof(*w));
	memset(ska, 0x41, sizeof(ska));
	memset(skb, 0x42, sizeof(skb));
	w->now = 5000;
	w->la = tunnel_local_new(ska, NULL, 2);
	w->lb = tunnel_local_new(skb, NULL, 2);
	if (w->la == NULL || w->lb == NULL)
		return -1;
	w->ab = tunnel_new(w->la, tunnel_local_pub(w->lb), NULL);
	w->ba = tunnel_new(w->lb, tunnel_local_pub(w->la), NULL);
	if (w->ab == NULL || w->ba == NULL)
		return -1;
	/* A initiates, B responds, A confirms with a keepalive */
	CHECK(tunnel_initiation(w->ab, w->now, WALL0, pkt) == TUNNEL_OK);
	expect_rx(w, w->lb, pkt, WIRE_INITIATION_LEN, 0, &rx, &e);
	CHECK(e == TUNNEL_OK && rx.reply_len == WIRE_RESPONSE_LEN);
	memcpy(pkt, rx.reply, rx.reply_len);
	expect_rx(w, w->la, pkt, WIRE_RESPONSE_LEN, 0, &rx, &e);
	CHECK(e == TUNNEL_OK);
	CHECK(tunnel_keepalive(w->ab, pkt, sizeof(pkt), w->now, &len) ==
	    TUNNEL_OK);
	w->b_index = wire_get32(pkt + 4);
	expect_rx(w, w->lb, pkt, len, 0, &rx, &e);
	CHECK(e == TUNNEL_OK);
	CHECK(tunnel_encrypt(w->ba, pkt, sizeof(pkt), 0, w->now, &len,
	    &act) == TUNNEL_OK);
	w->a_index = wire_get32(pkt + 4);
	expect_rx(w, w->la, pkt, len, 0, &rx, &e);
	CHECK(e == TUNNEL_OK);
	/* and a rekey in flight, for responses and cookie replies */
	w->now += 6000;
	CHECK(tunnel_initiation(w->ab, w->now, WALL0 + 6000000000ULL, pkt) ==
	    TUNNEL_OK);
	w->a_hs_index = wire_get32(pkt + 4);
	w->now += 100;
	return 0;
}

static void
world_free(struct world *w)
{
	tunnel_local_free(w->la);
	tunnel_local_free(w->lb);
}

/* A copy of everything an input can change: the two locals with their
 * index tables, and the two peers. The peers arrays only change when a
 * peer is added or removed, which no input does. */
struct snapshot {
	struct tunnel_local	la, lb;
	struct index_entry	*ia, *ib;
	size_t			 icap;
	struct tunnel		ab, ba;
	struct world		w;
};

static void
snapshot_take(struct snapshot *s, const struct world *w)
{
	s->w = *w;
	s->la = *w->la;
	s->lb = *w->lb;
	s->icap = w->la->index_mask + 1;
	CHECK(w->lb->index_mask == w->la->index_mask);
	s->ia = calloc(s->icap, sizeof(*s->ia));
	s->ib = calloc(s->icap, sizeof(*s->ib));
	CHECK(s->ia != NULL && s->ib != NULL);
	memcpy(s->ia, w->la->index, s->icap * sizeof(*s->ia));
	memcpy(s->ib, w->lb->index, s->icap * sizeof(*s->ib));
	s->ab = *w->ab;
	s->ba = *w->ba;
}

static void
snapshot_restore(const struct snapshot *s, struct world *w)
{
	*w = s->w;
	*w->la = s->la;
	*w->lb = s->lb;
	memcpy(w->la->index, s->ia, s->icap * sizeof(*s->ia));
	memcpy(w->lb->index, s->ib, s->icap * sizeof(*s->ib));
	*w->ab = s->ab;
	*w->ba = s->ba;
}

/* Encrypt data (as an inner packet) on t, decrypt on l: same bytes. */
static void
roundtrip(struct world *w, struct tunnel *t, struct tunnel_local *l,
    const uint8_t *data, size_t size)
{
	struct tunnel_rx rx;
	enum tunnel_err	 e;
	size_t		 len, i, n = size > 1500 ? 1500 : size;
	unsigned	 act = 0;

	memcpy(buf + TUNNEL_HEADROOM, data, n);
	CHECK(tunnel_encrypt(t, buf, TUNNEL_HEADROOM + n + TUNNEL_TAILROOM, n,
	    w->now, &len, &act) == TUNNEL_OK);
	expect_rx(w, l, buf, len, 0, &rx, &e);
	CHECK(e == TUNNEL_OK);
	CHECK(rx.data_len >= n && rx.data_len < n + WIRE_PAD_MULTIPLE);
	CHECK(memcmp(rx.data, data, n) == 0);
	for (i = n; i < rx.data_len; i++)
		CHECK(rx.data[i] == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world	 w;
	static struct snapshot	 snap;
	static int		 ready;
	struct wire_msg		 m;
	struct tunnel_rx	 rx;
	enum wire_err		 we;
	enum tunnel_err		 e;
	int			 load;

	if (size > BUFSZ)
		return 0;
	we = wire_decode(data, size, &m);
	if (we == WIRE_OK) {
		switch (m.type) {
		case WIRE_INITIATION:
			CHECK(size == WIRE_INITIATION_LEN);
			break;
		case WIRE_RESPONSE:
			CHECK(size == WIRE_RESPONSE_LEN);
			break;
		case WIRE_COOKIE_REPLY:
			CHECK(size == WIRE_COOKIE_REPLY_LEN);
			break;
		case WIRE_DATA:
			CHECK(size >= WIRE_DATA_MIN_LEN &&
			    size <= WIRE_DATA_MAX_LEN);
			CHECK(m.payload_len == size - WIRE_DATA_OVERHEAD);
			break;
		default:
			CHECK(!"unknown type decoded");
		}
		CHECK(data[1] == 0 && data[2] == 0 && data[3] == 0);
	} else
		CHECK(size == 0 || data[0] < 1 || data[0] > 4 ||
		    we != WIRE_ERR_TYPE);

	/* libFuzzer does not count the coverage of its first call, so the
	 * first two set the world up in full: cov/ft include the setup */
	if (ready < 2) {
		if (ready == 1)
			world_free(&w);
		CHECK(world_init(&w) == 0);
		if (++ready == 2)
			snapshot_take(&snap, &w);
	} else
		snapshot_restore(&snap, &w);
	/* as sent, to the responder, with and without load */
	for (load = 0; load < 2; load++) {
		memcpy(buf, data, size);
		expect_rx(&w, w.lb, buf, size, load, &rx, &e);
		CHECK((we == WIRE_OK) == (e != TUNNEL_ERR_MALFORMED));
	}
	/* aimed at live indices, with a valid mac1 */
	if (we == WIRE_OK) {
		struct cookie_maker	cm;

		memcpy(buf, data, size);
		if (m.type == WIRE_INITIATION) {
			cookie_maker_init(&cm, tunnel_local_pub(w.lb));
			cookie_maker_macs(&cm, buf, size, w.now);
			expect_rx(&w, w.lb, buf, size, 0, &rx, &e);
			CHECK(e != TUNNEL_ERR_MAC1);
		} else if (m.type == WIRE_DATA) {
			wire_put32(buf + 4, w.b_index);
			expect_rx(&w, w.lb, buf, size, 0, &rx, &e);
			memcpy(buf, data, size);
			wire_put32(buf + 4, w.a_index);
			expect_rx(&w, w.la, buf, size, 0, &rx, &e);
		} else if (m.type == WIRE_RESPONSE) {
			wire_put32(buf + 8, w.a_hs_index);
			cookie_maker_init(&cm, tunnel_local_pub(w.la));
			cookie_maker_macs(&cm, buf, size, w.now);
			expect_rx(&w, w.la, buf, size, 0, &rx, &e);
			CHECK(e != TUNNEL_ERR_MAC1 &&
			    e != TUNNEL_ERR_UNKNOWN_INDEX);
		} else {
			wire_put32(buf + 4, w.a_hs_index);
			expect_rx(&w, w.la, buf, size, 0, &rx, &e);
			CHECK(e != TUNNEL_ERR_UNKNOWN_INDEX);
		}
	}
	/* the sessions survive: the input as an inner packet, both ways */
	roundtrip(&w, w.ab, w.lb, data, size);
	roundtrip(&w, w.ba, w.la, data, size);
	return 0;
}
