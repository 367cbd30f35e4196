/* ICMP/ICMPv6 error messages for the TUN (pure; see icmp.h). */
#include "config.h"

#include <string.h>

#include "common/be.h"
#include "datapath/icmp.h"

#define IP4_HDR		20
#define IP6_HDR		40
#define ICMP_HDR	8
#define IP4_ERR_MAX	576		/* RFC 1812 4.3.2.3 */
#define IP6_ERR_MAX	1280		/* RFC 4443 2.4 (c) */

#define ICMP4_UNREACH		3
#define ICMP4_HOST_UNREACH	1
#define ICMP4_NEEDFRAG		4
#define ICMP6_UNREACH		1
#define ICMP6_ADDR_UNREACH	3
#define ICMP6_TOO_BIG		2
#define PROTO_ICMP4		1
#define PROTO_ICMP6		58

uint16_t
icmp_cksum(const uint8_t *buf, size_t len, uint32_t sum)
{
	size_t	i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		sum += (uint32_t)buf[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* May an ICMPv4 error answer this packet? */
static int
ip4_answerable(const uint8_t *pkt, size_t len)
{
	size_t	hl = (size_t)(pkt[0] & 0x0f) * 4;

	if (hl < IP4_HDR || len < hl)
		return 0;
	if ((((size_t)pkt[6] << 8 | pkt[7]) & 0x1fff) != 0)
		return 0;			/* not the first fragment */
	if (pkt[12] == 0 || pkt[12] >= 224)	/* 0/8, multicast, class E */
		return 0;
	if (pkt[16] >= 224)			/* multicast, broadcast */
		return 0;
	if (pkt[9] == PROTO_ICMP4) {
		if (len < hl + 1)
			return 0;
		/* Only queries (echo, timestamp, info, mask) get errors. */
		switch (pkt[hl]) {
		case 0: case 8: case 13: case 14: case 15: case 16: case 17:
		case 18:
			break;
		default:
			return 0;
		}
	}
	return 1;
}

static size_t
icmp4(uint8_t *out, size_t outlen, const uint8_t *pkt, size_t len,
    int code, unsigned mtu)
{
	size_t	quote, total;

	if (!ip4_answerable(pkt, len))
		return 0;
	quote = len;
	if (quote > IP4_ERR_MAX - IP4_HDR - ICMP_HDR)
		quote = IP4_ERR_MAX - IP4_HDR - ICMP_HDR;
	total = IP4_HDR + ICMP_HDR + quote;
	if (total > outlen)
		return 0;
	memset(out, 0, IP4_HDR + ICMP_HDR);
	out[0] = 0x45;
	out[1] = 0xc0;			/* internetwork control, as Linux */
	be16_put(out + 2, (uint32_t)total);
	out[8] = 64;
	out[9] = PROTO_ICMP4;
	memcpy(out + 12, pkt + 16, 4);	/* from the unreachable address */
	memcpy(out + 16, pkt + 12, 4);
	be16_put(out + 10, icmp_cksum(out, IP4_HDR, 0));
	out[IP4_HDR] = ICMP4_UNREACH;
	out[IP4_HDR + 1] = (uint8_t)code;
	be16_put(out + IP4_HDR + 6, mtu);
	memcpy(out + IP4_HDR + ICMP_HDR, pkt, quote);
	be16_put(out + IP4_HDR + 2, icmp_cksum(out + IP4_HDR, ICMP_HDR + quote,
	    0));
	return total;
}

static int
ip6_answerable(const uint8_t *pkt, size_t len)
{
	static const uint8_t	unspec[16];

	if (len < IP6_HDR)
		return 0;
	if (pkt[8] == 0xff || memcmp(pkt + 8, unspec, 16) == 0)
		return 0;			/* multicast or :: source */
	if (pkt[24] == 0xff)
		return 0;			/* multicast destination */
	/* ICMPv6 errors (types below 128) never get errors. Extension
	 * headers before ICMPv6 are not walked: an error behind them is
	 * answered, which RFC 4443 would not do but which harms nobody. */
	if (pkt[6] == PROTO_ICMP6 && (len < IP6_HDR + 1 || pkt[IP6_HDR] < 128))
		return 0;
	return 1;
}

static size_t
icmp6(uint8_t *out, size_t outlen, const uint8_t *pkt, size_t len,
    int type, int code, unsigned mtu)
{
	uint32_t	sum = 0;
	size_t		quote, plen, i;

	if (!ip6_answerable(pkt, len))
		return 0;
	quote = len;
	if (quote > IP6_ERR_MAX - IP6_HDR - ICMP_HDR)
		quote = IP6_ERR_MAX - IP6_HDR - ICMP_HDR;
	plen = ICMP_HDR + quote;
	if (IP6_HDR + plen > outlen)
		return 0;
	memset(out, 0, IP6_HDR + ICMP_HDR);
	out[0] = 0x60;
	be16_put(out + 4, (uint32_t)plen);
	out[6] = PROTO_ICMP6;
	out[7] = 64;
	memcpy(out + 8, pkt + 24, 16);
	memcpy(out + 24, pkt + 8, 16);
	out[IP6_HDR] = (uint8_t)type;
	out[IP6_HDR + 1] = (uint8_t)code;
	out[IP6_HDR + 4] = (uint8_t)(mtu >> 24);
	out[IP6_HDR + 5] = (uint8_t)(mtu >> 16);
	be16_put(out + IP6_HDR + 6, mtu);
	memcpy(out + IP6_HDR + ICMP_HDR, pkt, quote);
	/* Pseudo-header: source, destination, length, next header. */
	for (i = 8; i < IP6_HDR; i += 2)
		sum += (uint32_t)out[i] << 8 | out[i + 1];
	sum += (uint32_t)plen + PROTO_ICMP6;
	be16_put(out + IP6_HDR + 2, icmp_cksum(out + IP6_HDR, plen, sum));
	return IP6_HDR + plen;
}

size_t
icmp_unreach(uint8_t *out, size_t outlen, const uint8_t *pkt, size_t len)
{
	if (len < 1)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		if (len < IP4_HDR)
			return 0;
		return icmp4(out, outlen, pkt, len, ICMP4_HOST_UNREACH, 0);
	case 6:
		return icmp6(out, outlen, pkt, len, ICMP6_UNREACH,
		    ICMP6_ADDR_UNREACH, 0);
	default:
		return 0;
	}
}

size_t
icmp_too_big(uint8_t *out, size_t outlen, const uint8_t *pkt, size_t len,
    unsigned mtu)
{
	if (len < 1)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		if (len < IP4_HDR || (pkt[6] & 0x40) == 0)
			return 0;		/* no DF: may be fragmented */
		return icmp4(out, outlen, pkt, len, ICMP4_NEEDFRAG,
		    mtu > 0xffff ? 0xffff : mtu);
	case 6:
		return icmp6(out, outlen, pkt, len, ICMP6_TOO_BIG, 0, mtu);
	default:
		return 0;
	}
}
