/* Fuzz the data path's packet parsers that see inside packets: GRO
 * (gro_add gets what a member's tunnel decrypted), TSO splitting and
 * checksum completion (what the TUN hands over, with its virtio-net
 * header) and the ICMP errors built for a packet read from the TUN.
 * Input: a mode byte (its value mod 4), then
 *  0 GRO:  packets, each a 2-byte big-endian length and that many bytes;
 *  1 TSO:  a struct tun_pktinfo (flags, gso_type, 4 x 16-bit BE), packet;
 *  2 csum: the same;
 *  3 ICMP: a 16-bit MTU, a 16-bit output size, the packet.
 * Every buffer is exactly as long as the code is told, so that ASan sees
 * any access past it. Aborts on a broken promise of offload.h or icmp.h:
 * GRO writing out more than GRO_MAX_LEN, a TSO split that does not give
 * the segments the plan announced or writes a segment longer than its
 * stride, an ICMP error longer than its buffer or than ICMP_MAX. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/icmp.h"
#include "datapath/offload.h"
#include "os/tun.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	gro_bufs[GRO_FLOWS * GRO_MAX_LEN];
static size_t	gro_out_bytes;

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void
gro_out(void *arg, const uint8_t *pkt, size_t len,
    const struct tun_pktinfo *pi)
{
	(void)arg;
	if (len > GRO_MAX_LEN || pi == NULL)
		abort();
	/* read it all, as the TUN write would */
	gro_out_bytes += offload_fold(offload_sum(pkt, len, 0)) + len;
}

static uint8_t *
dup(const uint8_t *p, size_t n, size_t room)
{
	uint8_t	*b;

	if ((b = malloc(room ? room : 1)) == NULL)
		abort();
	if (n > 0)
		memcpy(b, p, n);
	return b;
}

static void
fuzz_gro(const uint8_t *d, size_t n)
{
	struct gro	 g;
	uint8_t		*p;
	size_t		 len;

	gro_init(&g, gro_bufs, gro_out, NULL);
	while (n >= 2) {
		len = get16(d);
		d += 2;
		n -= 2;
		if (len > n)
			len = n;
		p = dup(d, len, len);
		gro_add(&g, p, len);
		free(p);
		d += len;
		n -= len;
	}
	gro_flush(&g);
}

static void
pktinfo(const uint8_t *d, struct tun_pktinfo *pi)
{
	pi->flags = d[0];
	pi->gso_type = d[1];
	pi->hdr_len = (uint16_t)get16(d + 2);
	pi->gso_size = (uint16_t)get16(d + 4);
	pi->csum_start = (uint16_t)get16(d + 6);
	pi->csum_offset = (uint16_t)get16(d + 8);
}

static void
fuzz_tso(const uint8_t *d, size_t n)
{
	struct tun_pktinfo	 pi;
	uint8_t			*b;
	size_t			 hl, seglen, lastlen, stride, i;
	int			 k, r;

	if (n < 10)
		return;
	pktinfo(d, &pi);
	d += 10;
	n -= 10;
	if ((k = offload_tso_plan(d, n, &pi, &hl, &seglen, &lastlen)) == -1)
		return;
	if (k < 1 || k > OFFLOAD_MAX_SEGS || hl > seglen || lastlen > seglen ||
	    lastlen <= hl)
		abort();
	/* the smallest stride allowed, so segments sit back to back */
	stride = seglen;
	b = dup(d, n, (size_t)k * stride > n ? (size_t)k * stride : n);
	r = offload_tso_split(b, n, &pi, stride);
	if (r != -1 && r != k)
		abort();
	for (i = 0; r == k && i < (size_t)k; i++)
		(void)offload_sum(b + i * stride, i == (size_t)k - 1 ?
		    lastlen : seglen, 0);
	free(b);
}

static void
fuzz_csum(const uint8_t *d, size_t n)
{
	struct tun_pktinfo	 pi;
	uint8_t			*b;

	if (n < 10)
		return;
	pktinfo(d, &pi);
	b = dup(d + 10, n - 10, n - 10);
	(void)offload_csum_complete(b, n - 10, &pi);
	free(b);
}

static void
fuzz_icmp(const uint8_t *d, size_t n)
{
	uint8_t	*out, *p;
	size_t	 outlen, r;
	unsigned mtu;

	if (n < 4)
		return;
	mtu = get16(d);
	outlen = get16(d + 2) % (ICMP_MAX + 1);
	p = dup(d + 4, n - 4, n - 4);
	out = dup(NULL, 0, outlen);
	r = icmp_unreach(out, outlen, p, n - 4);
	if (r > outlen || r > ICMP_MAX)
		abort();
	r = icmp_too_big(out, outlen, p, n - 4, mtu);
	if (r > outlen || r > ICMP_MAX)
		abort();
	free(out);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fuzz_gro(data + 1, size - 1);
		break;
	case 1:
		fuzz_tso(data + 1, size - 1);
		break;
	case 2:
		fuzz_csum(data + 1, size - 1);
		break;
	default:
		fuzz_icmp(data + 1, size - 1);
		break;
	}
	return 0;
}
