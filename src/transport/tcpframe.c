/* TCP transport framing (see tcpframe.h). */
#include "config.h"

#include <string.h>

#include "transport/tcpframe.h"

int
tcpframe_header(uint8_t hdr[TCPFRAME_HDR], size_t len)
{
	if (len > TCPFRAME_MAX)
		return -1;
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	return 0;
}

enum tcpframe_rc
tcpframe_next(const uint8_t *buf, size_t len, size_t max, size_t *plen,
    size_t *used)
{
	size_t	n;

	*plen = 0;
	if (len < TCPFRAME_HDR) {
		*used = TCPFRAME_HDR;
		return TCPFRAME_NEED;
	}
	n = (size_t)buf[0] << 8 | buf[1];
	if (n > max || n > TCPFRAME_MAX) {
		*used = 0;
		return TCPFRAME_BAD;
	}
	*used = TCPFRAME_HDR + n;
	if (len < *used)
		return TCPFRAME_NEED;
	*plen = n;
	return TCPFRAME_OK;
}

void
tcpecho_request(uint8_t buf[TCPECHO_LEN], const uint8_t nonce[TCPECHO_NONCE])
{
	buf[0] = TCPECHO_REQ;
	memcpy(buf + 1, nonce, TCPECHO_NONCE);
}

int
tcpecho_answer(uint8_t *buf, size_t len)
{
	if (len < TCPECHO_LEN || len > TCPECHO_MAX || buf[0] != TCPECHO_REQ)
		return -1;
	buf[0] = TCPECHO_REPLY;
	return 0;
}

int
tcpecho_is_reply(const uint8_t *buf, size_t len,
    const uint8_t nonce[TCPECHO_NONCE])
{
	return len == TCPECHO_LEN && buf[0] == TCPECHO_REPLY &&
	    memcmp(buf + 1, nonce, TCPECHO_NONCE) == 0;
}
