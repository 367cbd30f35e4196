/* Framing of the TCP transport (tcp-glue.c): a TCP stream carries
 * datagrams, each one a 2-byte big-endian length followed by exactly the
 * bytes a UDP datagram would carry, first byte included, so that the DHT,
 * NAT traversal, relay and tunnel above see the same datagrams over TCP as
 * over UDP. A frame of length 0 is a keepalive (nothing is dispatched).
 *
 * Pure: no I/O, no allocation; tcpframe_next() is the one function that
 * reads bytes from the network, and it is fuzzed (tests/fuzz/fuzz-tcpframe.c). */
#ifndef MESH_TCPFRAME_H
#define MESH_TCPFRAME_H

#include <stddef.h>
#include <stdint.h>

#define TCPFRAME_HDR	2		/* length prefix */
#define TCPFRAME_MAX	65535		/* the prefix's limit */

enum tcpframe_rc {
	TCPFRAME_NEED = 0,	/* not a whole frame yet: read more */
	TCPFRAME_OK = 1,	/* a whole frame (maybe a keepalive) */
	TCPFRAME_BAD = -1,	/* longer than allowed: close the stream */
};

/* Write the prefix of a datagram of len bytes; 0, or -1 if len is over
 * TCPFRAME_MAX. */
int	tcpframe_header(uint8_t hdr[TCPFRAME_HDR], size_t len);

/* Look at the first len buffered bytes of a stream (buf may be NULL when
 * len is 0). TCPFRAME_OK: the first frame is whole; its datagram is
 * buf[TCPFRAME_HDR .. TCPFRAME_HDR + *plen) (*plen 0: a keepalive) and
 * *used bytes (TCPFRAME_HDR + *plen) are to be consumed. TCPFRAME_NEED:
 * *used is how many bytes the stream must hold before the frame is whole
 * (TCPFRAME_HDR when even the prefix is incomplete). TCPFRAME_BAD: the
 * prefix announces more than max bytes (a datagram no peer sends). */
enum tcpframe_rc tcpframe_next(const uint8_t *buf, size_t len, size_t max,
	    size_t *plen, size_t *used);

/* UDP echo (first bytes 0x30-0x31, ARCHITECTURE.md): a member on TCP
 * asks its boot nodes over UDP, now and then, whether UDP works again; a
 * node answers an ECHO with an ECHO_REPLY of the same length carrying the
 * same nonce, and keeps no state (the answer is no larger than the
 * request: SECURITY.md's rule). */
#define TCPECHO_REQ		0x30
#define TCPECHO_REPLY		0x31
#define TCPECHO_NONCE		16
#define TCPECHO_LEN		(1 + TCPECHO_NONCE)	/* what we send */
#define TCPECHO_MAX		64			/* answered up to */

/* Write an ECHO carrying nonce into buf (TCPECHO_LEN bytes). */
void	tcpecho_request(uint8_t buf[TCPECHO_LEN],
	    const uint8_t nonce[TCPECHO_NONCE]);
/* An ECHO of len bytes into its answer, in place: 0, or -1 if it is not a
 * well-formed ECHO (not answered). */
int	tcpecho_answer(uint8_t *buf, size_t len);
/* Is buf an ECHO_REPLY carrying nonce? 1 or 0. */
int	tcpecho_is_reply(const uint8_t *buf, size_t len,
	    const uint8_t nonce[TCPECHO_NONCE]);

#endif
