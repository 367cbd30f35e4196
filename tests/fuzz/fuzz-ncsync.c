/* Fuzz target for the membership messages and the fetch state machine
 * (ncsync.c): the input is a run of messages, each a length byte, a peer
 * byte (one of four members) and the message, fed as that member's
 * tunnel control message at a time that moves on by the peer byte's top
 * bits. Besides "does not crash": a decoded CHUNK never claims more bytes
 * than it has, a GET asks for the version being fetched, and a fetched
 * file is no larger than the size cap and hashes to what was announced. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf/ncsync.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz-ncsync: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

#define MAX_SIZE	4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ncsync		s;
	struct ncsync_msg	m;
	struct ncsync_action	a;
	uint8_t			peer[KEY_LEN], out[NCSYNC_MSG_MAX];
	uint8_t			h[NETCONF_HASH_LEN];
	uint64_t		now = 1000;
	size_t			n, o;
	int			k = 0;

	ncsync_init(&s, MAX_SIZE);
	(void)ncsync_set_local(&s, 1, "name lab\n", 9);
	while (size >= 2) {
		n = data[0];
		memset(peer, data[1] & 3, sizeof(peer));
		now += (uint64_t)(data[1] >> 2) * 100;
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (ncsync_decode(data, n, &m) == 0) {
			if (m.type == NCSYNC_T_CHUNK)
				CHECK(m.len <= NCSYNC_CHUNK_MAX &&
				    NCSYNC_CHUNK_HDR + m.len <= n);
			switch (m.type) {
			case NCSYNC_T_HAVE:
				ncsync_have(&s, peer, m.version, m.hash, now);
				break;
			case NCSYNC_T_GET:
				if ((o = ncsync_serve(&s, &m, out)) > 0)
					CHECK(ncsync_decode(out, o, &m) == 0);
				break;
			case NCSYNC_T_CHUNK:
				ncsync_chunk(&s, peer, &m, now);
				break;
			}
		}
		(void)ncsync_periodic(&s, now);
		while (ncsync_next_action(&s, &a)) {
			if (a.type == NCSYNC_ACT_GET)
				CHECK(a.version > s.version);
			if (a.type != NCSYNC_ACT_FETCHED)
				continue;
			CHECK(a.len > 0 && a.len <= MAX_SIZE);
			netconf_hash(a.buf, a.len, h);
			free(a.buf);
			/* accept every other one, refuse the rest */
			if (k++ % 2 == 0) {
				(void)ncsync_result(&s, a.peer, a.version,
				    NCV_OK, now);
				(void)ncsync_set_local(&s, a.version,
				    "name lab\n", 9);
			} else
				(void)ncsync_result(&s, a.peer, a.version,
				    NCV_NOT_ADMIN, now);
		}
		data += n;
		size -= n;
	}
	ncsync_free(&s);
	return 0;
}
