/* Fuzz the TCP MSS clamp. Input: inner MTU (2 bytes, big-endian), a flags
 * byte (bit 0: checksum is partial), then the packet. The clamp must never
 * read or write outside the packet, must change nothing when it says so,
 * must keep the one's-complement sum of the packet (an incremental checksum
 * update compensates exactly for the rewritten MSS; the IP and extension
 * headers before TCP have even lengths, so the TCP segment's words line up
 * with the packet's), and must have nothing left to do when run again. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/mss.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned
sum(const uint8_t *b, size_t n)
{
	uint64_t	s = 0;
	size_t		i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff ? 0 : (unsigned)s;	/* -0 == +0 */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*pkt, *again;
	unsigned	 mtu;
	size_t		 len, i, diff = 0;
	int		 partial, r;

	if (size < 3)
		return 0;
	mtu = (unsigned)data[0] << 8 | data[1];
	partial = data[2] & 1;
	len = size - 3;
	/* exactly len bytes, so that ASan sees any read past the end */
	if ((pkt = malloc(len ? len : 1)) == NULL ||
	    (again = malloc(len ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(pkt, data + 3, len);
	r = mss_clamp(pkt, len, mtu, partial);
	if (r != 0 && r != 1)
		abort();
	if (len > 0)
		for (i = 0; i < len; i++)
			diff += pkt[i] != data[3 + i];
	if (r == 0 && diff != 0)
		abort();
	if (r == 1 && diff == 0)
		abort();
	if (r == 1 && !partial && sum(pkt, len) != sum(data + 3, len))
		abort();
	if (len > 0)
		memcpy(again, pkt, len);
	if (mss_clamp(again, len, mtu, partial) != 0 ||
	    (len > 0 && memcmp(again, pkt, len) != 0))
		abort();
	free(again);
	free(pkt);
	return 0;
}
