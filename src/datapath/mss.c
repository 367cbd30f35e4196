/* TCP MSS clamp on SYNs (pure; see mss.h). */
#include "config.h"

#include "common/be.h"
#include "datapath/mss.h"

#define IP4_HDR		20
#define IP6_HDR		40
#define TCP_HDR		20
#define PROTO_TCP	6
#define TCP_SYN		0x02
#define OPT_EOL		0
#define OPT_NOP		1
#define OPT_MSS		2
#define OPT_MSS_LEN	4
#define IP6_MAX_EXT	8		/* extension headers walked at most */

unsigned
mss_limit(unsigned inner_mtu, int ipv6)
{
	unsigned	oh = ipv6 ? MSS_IP6_OVERHEAD : MSS_IP4_OVERHEAD;

	if (inner_mtu < oh + MSS_MIN)
		return MSS_MIN;
	return inner_mtu - oh;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 16-bit field that moved
 * from old to new. Fields at an odd offset from the start of the summed
 * data contribute byte-swapped (RFC 1071 byte order independence). */
static void
csum_replace(uint8_t *csum, unsigned old, unsigned new, int odd)
{
	uint32_t	sum;

	if (odd) {
		old = (old >> 8 | old << 8) & 0xffff;
		new = (new >> 8 | new << 8) & 0xffff;
	}
	sum = (~be16_get(csum) & 0xffff) + (~old & 0xffff) + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	csum[0] = (uint8_t)(sum >> 8);
	csum[1] = (uint8_t)sum;
}

/* The TCP segment th of seglen bytes: clamp its MSS options. */
static int
clamp_tcp(uint8_t *th, size_t seglen, unsigned limit, int csum_partial)
{
	size_t		thl, i, olen;
	unsigned	mss;
	int		changed = 0;

	if (seglen < TCP_HDR || (th[13] & TCP_SYN) == 0)
		return 0;
	thl = (size_t)(th[12] >> 4) * 4;
	if (thl < TCP_HDR || thl > seglen)
		return 0;
	for (i = TCP_HDR; i < thl; i += olen) {
		if (th[i] == OPT_EOL)
			break;
		if (th[i] == OPT_NOP) {
			olen = 1;
			continue;
		}
		if (i + 1 >= thl)
			break;		/* a length byte past the header */
		olen = th[i + 1];
		if (olen < 2 || olen > thl - i)
			break;		/* malformed: stop here */
		if (th[i] != OPT_MSS || olen != OPT_MSS_LEN)
			continue;
		mss = be16_get(th + i + 2);
		if (mss <= limit)
			continue;
		th[i + 2] = (uint8_t)(limit >> 8);
		th[i + 3] = (uint8_t)limit;
		if (!csum_partial)
			csum_replace(th + 16, mss, limit, (i + 2) & 1);
		changed = 1;
	}
	return changed;
}

static int
clamp4(uint8_t *pkt, size_t len, unsigned inner_mtu, int csum_partial)
{
	size_t	hl, tot;

	if (len < IP4_HDR)
		return 0;
	hl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = be16_get(pkt + 2);
	if (hl < IP4_HDR || tot < hl || tot > len || pkt[9] != PROTO_TCP)
		return 0;
	if ((be16_get(pkt + 6) & 0x3fff) != 0)
		return 0;		/* a fragment (MF or an offset) */
	return clamp_tcp(pkt + hl, tot - hl, mss_limit(inner_mtu, 0),
	    csum_partial);
}

static int
clamp6(uint8_t *pkt, size_t len, unsigned inner_mtu, int csum_partial)
{
	size_t		off = IP6_HDR, tot, n;
	unsigned	nh;

	if (len < IP6_HDR)
		return 0;
	tot = IP6_HDR + be16_get(pkt + 4);
	if (tot == IP6_HDR || tot > len)
		return 0;		/* jumbogram, empty or truncated */
	nh = pkt[6];
	for (n = 0; nh != PROTO_TCP; n++) {
		/* hop-by-hop, routing, destination options; a fragment
		 * header or anything else: not ours to touch */
		if (n == IP6_MAX_EXT || (nh != 0 && nh != 43 && nh != 60) ||
		    off + 8 > tot)
			return 0;
		nh = pkt[off];
		off += ((size_t)pkt[off + 1] + 1) * 8;
		if (off > tot)
			return 0;
	}
	return clamp_tcp(pkt + off, tot - off, mss_limit(inner_mtu, 1),
	    csum_partial);
}

int
mss_clamp(uint8_t *pkt, size_t len, unsigned inner_mtu, int csum_partial)
{
	if (len < 1 || inner_mtu == 0)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		return clamp4(pkt, len, inner_mtu, csum_partial);
	case 6:
		return clamp6(pkt, len, inner_mtu, csum_partial);
	default:
		return 0;
	}
}
