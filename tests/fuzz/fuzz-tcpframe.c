/* Fuzz the TCP transport's framing decoder. Input: a limit byte (the
 * largest datagram allowed is 64 times it), a split byte, then the stream.
 * The stream is decoded whole and again in two pieces cut at the split;
 * both must give the same frames, every frame must lie inside what was
 * given, re-encoding a frame's length must give its prefix back, and a
 * refused prefix must announce more than the limit. The stream is also
 * taken as a UDP ECHO (tcpecho_answer). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/tcpframe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXFRAMES	4096

/* Decode buf[0..len) from *off; frames' (offset, length) appended to out.
 * Returns the decoder's last answer. */
static enum tcpframe_rc
run(const uint8_t *buf, size_t len, size_t max, size_t *off,
    size_t out[][2], size_t *nout)
{
	enum tcpframe_rc	rc;
	size_t			plen, used;
	uint8_t			h[TCPFRAME_HDR];

	for (;;) {
		rc = tcpframe_next(len > *off ? buf + *off : NULL, len - *off,
		    max, &plen, &used);
		if (rc != TCPFRAME_OK)
			break;
		if (used != TCPFRAME_HDR + plen || used > len - *off ||
		    plen > max)
			abort();
		if (tcpframe_header(h, plen) != 0 ||
		    memcmp(h, buf + *off, TCPFRAME_HDR) != 0)
			abort();
		if (*nout < MAXFRAMES) {
			out[*nout][0] = *off + TCPFRAME_HDR;
			out[*nout][1] = plen;
			(*nout)++;
		}
		*off += used;
	}
	if (rc == TCPFRAME_NEED && used <= len - *off)
		abort();
	if (rc == TCPFRAME_BAD && (len - *off < TCPFRAME_HDR ||
	    ((size_t)buf[*off] << 8 | buf[*off + 1]) <= max))
		abort();
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t		 a[MAXFRAMES][2], b[MAXFRAMES][2];
	const uint8_t		*s;
	uint8_t			*copy;
	size_t			 max, cut, len, offa = 0, offb = 0, na = 0,
				    nb = 0;
	enum tcpframe_rc	 ra, rb;

	if (size < 2)
		return 0;
	max = (size_t)data[0] * 64;
	s = data + 2;
	len = size - 2;
	cut = len > 0 ? data[1] % (len + 1) : 0;
	/* exactly len bytes, so that ASan sees a read past the end */
	if ((copy = malloc(len ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(copy, s, len);
	ra = run(copy, len, max, &offa, a, &na);
	/* the same stream arriving in two reads */
	rb = run(copy, cut, max, &offb, b, &nb);
	if (rb != TCPFRAME_BAD)
		rb = run(copy, len, max, &offb, b, &nb);
	if (ra != rb || offa != offb || na != nb ||
	    memcmp(a, b, na * sizeof(a[0])) != 0)
		abort();
	/* the stream as one UDP ECHO: answered in place, same length, only
	 * the first byte changed, and only a well-formed one */
	if (len > 0 && tcpecho_answer(copy, len) == 0) {
		if (len < TCPECHO_LEN || len > TCPECHO_MAX ||
		    s[0] != TCPECHO_REQ || copy[0] != TCPECHO_REPLY ||
		    memcmp(copy + 1, s + 1, len - 1) != 0)
			abort();
		if (tcpecho_is_reply(copy, len, s + 1) !=
		    (len == TCPECHO_LEN))
			abort();
	} else if (len > 0 && memcmp(copy, s, len) != 0)
		abort();
	free(copy);
	return 0;
}
