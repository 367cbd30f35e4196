/* ncsync.c: the fetch state machine with a fake clock, and its codec. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf/ncsync.h"
#include "t.h"

static uint8_t	peer_a[KEY_LEN], peer_b[KEY_LEN];

static void
keys(void)
{
	memset(peer_a, 0xaa, KEY_LEN);
	memset(peer_b, 0xbb, KEY_LEN);
}

/* A "file" of n bytes, its hash. */
static char *
file(size_t n, int seed, uint8_t h[NETCONF_HASH_LEN])
{
	char	*b = malloc(n);
	size_t	 i;

	for (i = 0; i < n; i++)
		b[i] = (char)('a' + (i * 7 + (size_t)seed) % 26);
	netconf_hash(b, n, h);
	return b;
}

/* What a member serving buf (version v) answers to the GET in a. */
static void
answer(struct ncsync *s, const struct ncsync *server,
    const struct ncsync_action *a, uint64_t now)
{
	struct ncsync_msg	get, chunk;
	uint8_t			m[NCSYNC_MSG_MAX], g[NCSYNC_GET_LEN];
	size_t			n;

	ncsync_put_get(g, a->version, a->offset);
	T_ASSERT(ncsync_decode(g, sizeof(g), &get) == 0);
	n = ncsync_serve(server, &get, m);
	T_ASSERT(n > 0);
	T_ASSERT(ncsync_decode(m, n, &chunk) == 0);
	ncsync_chunk(s, a->peer, &chunk, now);
}

static int
count_type(struct ncsync *s, enum ncsync_act_type t, struct ncsync_action *last)
{
	struct ncsync_action	a;
	int			n = 0;

	while (ncsync_next_action(s, &a))
		if (a.type == t) {
			n++;
			if (last != NULL)
				*last = a;
		} else if (a.type == NCSYNC_ACT_FETCHED)
			free(a.buf);
	return n;
}

T_TEST(codec)
{
	struct ncsync_msg	m;
	uint8_t			b[NCSYNC_MSG_MAX], h[NETCONF_HASH_LEN];

	memset(h, 7, sizeof(h));
	T_EQ_INT(ncsync_put_have(b, 0x0102030405060708ull, h), 25);
	T_ASSERT(ncsync_decode(b, 25, &m) == 0);
	T_ASSERT(m.type == NCSYNC_T_HAVE && m.version == 0x0102030405060708ull);
	T_EQ_MEM(m.hash, h, NETCONF_HASH_LEN);
	T_ASSERT(ncsync_decode(b, 24, &m) == -1);
	T_EQ_INT(ncsync_put_get(b, 9, 2048), 13);
	T_ASSERT(ncsync_decode(b, 13, &m) == 0 && m.offset == 2048);
	T_ASSERT(ncsync_decode(b, 12, &m) == -1);
	/* a chunk claiming more bytes than it has */
	memset(b, 0, sizeof(b));
	b[0] = NCSYNC_T_CHUNK;
	b[17] = 0x04;		/* 1024 */
	T_ASSERT(ncsync_decode(b, NCSYNC_CHUNK_HDR + 1023, &m) == -1);
	T_ASSERT(ncsync_decode(b, NCSYNC_CHUNK_HDR + 1024, &m) == 0);
	b[17] = 0x05;		/* 1280 > NCSYNC_CHUNK_MAX */
	T_ASSERT(ncsync_decode(b, sizeof(b), &m) == -1);
	b[0] = 0x06;
	T_ASSERT(ncsync_decode(b, sizeof(b), &m) == -1);
}

/* A 3000-byte version 2 fetched in three chunks, one GET at a time. */
T_TEST(fetch)
{
	struct ncsync		s, srv;
	struct ncsync_action	a;
	uint8_t			h1[NETCONF_HASH_LEN], h2[NETCONF_HASH_LEN];
	char			*f1 = file(100, 1, h1), *f2 = file(3000, 2, h2);
	int			gets = 0, fetched = 0;

	ncsync_init(&s, 1 << 20);
	ncsync_init(&srv, 1 << 20);
	ncsync_set_local(&s, 1, f1, 100);
	ncsync_set_local(&srv, 2, f2, 3000);
	ncsync_have(&s, peer_a, 2, h2, 1000);
	ncsync_have(&s, peer_b, 2, h2, 1000);	/* no second fetch */
	while (ncsync_next_action(&s, &a)) {
		if (a.type == NCSYNC_ACT_GET) {
			gets++;
			T_EQ_MEM(a.peer, peer_a, KEY_LEN);
			T_EQ_INT(a.offset, (gets - 1) * 1024);
			answer(&s, &srv, &a, 1000);
		} else if (a.type == NCSYNC_ACT_FETCHED) {
			fetched++;
			T_EQ_INT(a.len, 3000);
			T_ASSERT(memcmp(a.buf, f2, 3000) == 0);
			free(a.buf);
		}
	}
	T_EQ_INT(gets, 3);
	T_EQ_INT(fetched, 1);
	/* judging: nothing else starts */
	T_EQ_INT(ncsync_periodic(&s, 5000), UINT64_MAX);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, NULL), 0);
	T_EQ_INT(ncsync_result(&s, peer_a, 2, NCV_OK, 1001), 0);
	ncsync_set_local(&s, 2, f2, 3000);
	/* b's offer of 2 is gone with it */
	T_EQ_INT(ncsync_periodic(&s, 1002), UINT64_MAX);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, NULL), 0);
	ncsync_free(&s);
	ncsync_free(&srv);
	free(f1);
	free(f2);
}

/* No chunk within the timeout: the next member that has it. */
T_TEST(timeout_next_peer)
{
	struct ncsync		s;
	struct ncsync_action	a;
	uint8_t			h[NETCONF_HASH_LEN];
	char			*f = file(10, 3, h);

	ncsync_init(&s, 1 << 20);
	ncsync_set_local(&s, 1, f, 10);
	ncsync_have(&s, peer_a, 3, h, 0);
	ncsync_have(&s, peer_b, 3, h, 0);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, &a), 1);
	T_EQ_MEM(a.peer, peer_a, KEY_LEN);
	T_EQ_INT(ncsync_periodic(&s, 1999), 2000);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, NULL), 0);
	ncsync_periodic(&s, 2000);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, &a), 1);
	T_EQ_MEM(a.peer, peer_b, KEY_LEN);
	T_EQ_INT(s.timeouts, 1);
	/* b times out too: a again after its retry time */
	T_EQ_INT(ncsync_periodic(&s, 4000), 2000 + NCSYNC_RETRY_MS);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, NULL), 0);
	ncsync_periodic(&s, 2000 + NCSYNC_RETRY_MS);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, &a), 1);
	T_EQ_MEM(a.peer, peer_a, KEY_LEN);
	/* a late chunk from b is ignored */
	ncsync_free(&s);
	free(f);
}

/* Too big, a wrong hash: refused once per (peer, version). */
T_TEST(size_cap_and_hash)
{
	struct ncsync		s, srv;
	struct ncsync_action	a;
	struct ncsync_msg	m;
	uint8_t			h[NETCONF_HASH_LEN], hx[NETCONF_HASH_LEN];
	char			*f = file(2000, 4, h);

	ncsync_init(&s, 1000);
	ncsync_init(&srv, 1 << 20);
	ncsync_set_local(&srv, 5, f, 2000);
	ncsync_have(&s, peer_a, 5, h, 0);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, &a), 1);
	answer(&s, &srv, &a, 10);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_REFUSED, &a), 1);
	T_EQ_INT(a.verdict, NCV_TOO_BIG);
	/* announced again: not fetched again */
	ncsync_have(&s, peer_a, 5, h, 20);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, NULL), 0);

	/* peer b announces a hash that is not what it serves */
	ncsync_free(&s);
	ncsync_init(&s, 1 << 20);
	memset(hx, 1, sizeof(hx));
	ncsync_have(&s, peer_b, 5, hx, 0);
	while (ncsync_next_action(&s, &a) && a.type == NCSYNC_ACT_GET)
		answer(&s, &srv, &a, 10);
	T_EQ_INT(a.type, NCSYNC_ACT_REFUSED);
	T_EQ_INT(a.verdict, NCV_BAD_HASH);
	/* a chunk out of order is ignored, not refused */
	ncsync_have(&s, peer_a, 5, h, 30);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, NULL), 1);
	memset(&m, 0, sizeof(m));
	m.type = NCSYNC_T_CHUNK;
	m.version = 5;
	m.offset = 1024;
	m.total = 2000;
	m.len = 10;
	m.data = (const uint8_t *)f;
	ncsync_chunk(&s, peer_a, &m, 40);
	T_EQ_INT(s.nact, 0);
	T_ASSERT(s.fetching);
	/* a total that changes mid-way is */
	m.offset = 0;
	ncsync_chunk(&s, peer_a, &m, 40);
	T_ASSERT(s.fetching);
	m.offset = 10;
	m.total = 3000;
	ncsync_chunk(&s, peer_a, &m, 40);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_REFUSED, &a), 1);
	T_EQ_INT(a.verdict, NCV_MALFORMED);
	ncsync_free(&s);
	ncsync_free(&srv);
	free(f);
}

/* The same version with other contents: a fork, reported once. */
T_TEST(fork)
{
	struct ncsync		s;
	uint8_t			h[NETCONF_HASH_LEN], hx[NETCONF_HASH_LEN];
	struct ncsync_action	a;
	char			*f = file(50, 5, h);

	ncsync_init(&s, 1 << 20);
	ncsync_set_local(&s, 7, f, 50);
	memset(hx, 9, sizeof(hx));
	ncsync_have(&s, peer_a, 7, h, 0);	/* the same: nothing */
	T_EQ_INT(s.nact, 0);
	ncsync_have(&s, peer_a, 7, hx, 0);
	ncsync_have(&s, peer_a, 7, hx, 100);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_REFUSED, &a), 1);
	T_EQ_INT(a.verdict, NCV_FORK);
	ncsync_have(&s, peer_b, 7, hx, 0);	/* another peer: reported */
	T_EQ_INT(count_type(&s, NCSYNC_ACT_REFUSED, NULL), 1);
	ncsync_free(&s);
	free(f);
}

/* A refusal by the caller's judgement: once per (peer, version); the
 * next member's offer is then fetched. */
T_TEST(refusal_once)
{
	struct ncsync		s, srv;
	struct ncsync_action	a;
	uint8_t			h[NETCONF_HASH_LEN];
	char			*f = file(500, 6, h);
	int			got = 0;

	ncsync_init(&s, 1 << 20);
	ncsync_init(&srv, 1 << 20);
	ncsync_set_local(&srv, 4, f, 500);
	ncsync_have(&s, peer_a, 4, h, 0);
	ncsync_have(&s, peer_b, 4, h, 0);
	while (ncsync_next_action(&s, &a))
		if (a.type == NCSYNC_ACT_GET)
			answer(&s, &srv, &a, 0);
		else if (a.type == NCSYNC_ACT_FETCHED) {
			free(a.buf);
			got++;
			T_EQ_INT(ncsync_result(&s, a.peer, 4, NCV_NOT_ADMIN,
			    1), 1);
		}
	T_EQ_INT(got, 2);		/* a's, then b's */
	ncsync_have(&s, peer_a, 4, h, 10);
	ncsync_have(&s, peer_b, 4, h, 10);
	T_EQ_INT(s.nact, 0);
	T_ASSERT(!s.fetching);
	/* a higher version from a is fetched */
	ncsync_have(&s, peer_a, 5, h, 20);
	T_EQ_INT(count_type(&s, NCSYNC_ACT_GET, NULL), 1);
	/* ... and forgetting a (removed) abandons it */
	ncsync_forget(&s, peer_a, 30);
	T_ASSERT(!s.fetching);
	ncsync_free(&s);
	ncsync_free(&srv);
	free(f);
}

int
main(void)
{
	keys();
	T_RUN(codec);
	T_RUN(fetch);
	T_RUN(timeout_next_peer);
	T_RUN(size_cap_and_hash);
	T_RUN(fork);
	T_RUN(refusal_once);
	return t_done();
}
