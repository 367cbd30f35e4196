/* TCP transport framing: prefixes round-trip, a stream fed in any split
 * gives the same frames, and a prefix over the limit is refused. */
#include "config.h"

#include <stdint.h>

#include "transport/tcpframe.h"
#include "t.h"

T_TEST(header)
{
	uint8_t	h[TCPFRAME_HDR];

	T_EQ_INT(tcpframe_header(h, 0), 0);
	T_EQ_INT(h[0], 0);
	T_EQ_INT(h[1], 0);
	T_EQ_INT(tcpframe_header(h, 1500), 0);
	T_EQ_INT(h[0] << 8 | h[1], 1500);
	T_EQ_INT(tcpframe_header(h, TCPFRAME_MAX), 0);
	T_EQ_INT(h[0] << 8 | h[1], TCPFRAME_MAX);
	T_EQ_INT(tcpframe_header(h, TCPFRAME_MAX + 1), -1);
}

T_TEST(need_more)
{
	uint8_t	s[8] = { 0x00, 0x03, 0x10, 0x11 };
	size_t	plen = 99, used = 0;

	T_EQ_INT(tcpframe_next(NULL, 0, 2048, &plen, &used), TCPFRAME_NEED);
	T_EQ_INT(used, TCPFRAME_HDR);
	T_EQ_INT(plen, 0);
	T_EQ_INT(tcpframe_next(s, 1, 2048, &plen, &used), TCPFRAME_NEED);
	T_EQ_INT(used, TCPFRAME_HDR);
	T_EQ_INT(tcpframe_next(s, 4, 2048, &plen, &used), TCPFRAME_NEED);
	T_EQ_INT(used, 5);
	s[4] = 0x12;
	T_EQ_INT(tcpframe_next(s, 5, 2048, &plen, &used), TCPFRAME_OK);
	T_EQ_INT(plen, 3);
	T_EQ_INT(used, 5);
}

T_TEST(keepalive)
{
	uint8_t	s[2] = { 0, 0 };
	size_t	plen = 9, used = 0;

	T_EQ_INT(tcpframe_next(s, 2, 2048, &plen, &used), TCPFRAME_OK);
	T_EQ_INT(plen, 0);
	T_EQ_INT(used, 2);
}

T_TEST(too_long)
{
	uint8_t	s[2] = { 0x08, 0x01 };	/* 2049 */
	size_t	plen, used;

	T_EQ_INT(tcpframe_next(s, 2, 2048, &plen, &used), TCPFRAME_BAD);
	s[1] = 0x00;			/* 2048: allowed */
	T_EQ_INT(tcpframe_next(s, 2, 2048, &plen, &used), TCPFRAME_NEED);
	T_EQ_INT(used, 2050);
	s[0] = s[1] = 0xff;
	T_EQ_INT(tcpframe_next(s, 2, (size_t)-1, &plen, &used), TCPFRAME_NEED);
	T_EQ_INT(used, 2 + 65535);
}

/* Three datagrams back to back, fed one byte at a time and whole. */
T_TEST(stream_splits)
{
	static const size_t	 lens[3] = { 1, 0, 300 };
	uint8_t			 s[400];
	size_t			 n = 0, i, k, have, off, plen, used, got;
	enum tcpframe_rc	 rc;

	for (k = 0; k < 3; k++) {
		T_EQ_INT(tcpframe_header(s + n, lens[k]), 0);
		n += TCPFRAME_HDR;
		for (i = 0; i < lens[k]; i++)
			s[n++] = (uint8_t)(k + i);
	}
	for (have = 0, off = 0, got = 0; have <= n; have++) {
		while ((rc = tcpframe_next(s + off, have - off, 2048, &plen,
		    &used)) == TCPFRAME_OK) {
			T_ASSERT(got < 3);
			if (got >= 3)
				return;
			T_EQ_INT(plen, lens[got]);
			T_EQ_INT(used, TCPFRAME_HDR + plen);
			if (plen > 0)
				T_EQ_INT(s[off + TCPFRAME_HDR], got);
			off += used;
			got++;
		}
		T_EQ_INT(rc, TCPFRAME_NEED);
		T_ASSERT(used > have - off);
	}
	T_EQ_INT(got, 3);
	T_EQ_INT(off, n);
}

T_TEST(echo)
{
	uint8_t	nonce[TCPECHO_NONCE], other[TCPECHO_NONCE], b[TCPECHO_MAX + 1];
	size_t	i;

	for (i = 0; i < sizeof(nonce); i++) {
		nonce[i] = (uint8_t)(i * 7 + 1);
		other[i] = nonce[i];
	}
	other[5] ^= 1;
	tcpecho_request(b, nonce);
	T_EQ_INT(b[0], TCPECHO_REQ);
	T_EQ_INT(tcpecho_is_reply(b, TCPECHO_LEN, nonce), 0);
	T_EQ_INT(tcpecho_answer(b, TCPECHO_LEN), 0);
	T_EQ_INT(b[0], TCPECHO_REPLY);
	T_EQ_INT(tcpecho_is_reply(b, TCPECHO_LEN, nonce), 1);
	T_EQ_INT(tcpecho_is_reply(b, TCPECHO_LEN, other), 0);
	T_EQ_INT(tcpecho_is_reply(b, TCPECHO_LEN - 1, nonce), 0);
	/* a reply is not answered again; sizes outside the range are not */
	T_EQ_INT(tcpecho_answer(b, TCPECHO_LEN), -1);
	b[0] = TCPECHO_REQ;
	T_EQ_INT(tcpecho_answer(b, TCPECHO_LEN - 1), -1);
	T_EQ_INT(tcpecho_answer(b, TCPECHO_MAX + 1), -1);
	T_EQ_INT(tcpecho_answer(b, TCPECHO_MAX), 0);
}

int
main(void)
{
	T_RUN(header);
	T_RUN(need_more);
	T_RUN(keepalive);
	T_RUN(too_long);
	T_RUN(stream_splits);
	T_RUN(echo);
	return t_done();
}
