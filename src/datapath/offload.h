/* Segmentation and coalescing offloads for the data path (pure).
 *
 * With offloads on, the kernel hands the TUN reader TCP "super-packets" of
 * up to 64 KB (TSO, described by a struct tun_pktinfo, virtio-net's header)
 * and accepts such packets written back (GRO). That turns ~45 system calls
 * and ~45 trips through the TCP stack into one, on both ends:
 *
 *  - offload_tso_split: split a TSO packet into MTU-sized TCP segments,
 *    in place, each at its own stride in the buffer, so that each can be
 *    encrypted in place and all sent with one UDP GSO send;
 *  - struct gro: merge consecutive decrypted segments of a TCP flow back
 *    into one packet for one TUN write (what the kernel's GRO does).
 *
 * Checksums: segments get complete TCP checksums (any receiver can check
 * them); merged packets carry the pseudo-header sum with NEEDS_CSUM, which
 * the kernel accepts as verified, as it does for its own GRO packets. */
#ifndef MESH_OFFLOAD_H
#define MESH_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

/* struct tun_pktinfo (tun.h) values, as virtio-net's. */
#define OFFLOAD_NEEDS_CSUM	0x01
#define OFFLOAD_DATA_VALID	0x02
#define OFFLOAD_GSO_NONE	0
#define OFFLOAD_GSO_TCPV4	1
#define OFFLOAD_GSO_TCPV6	4
#define OFFLOAD_GSO_ECN		0x80

/* Most segments one TSO packet is split into. */
#define OFFLOAD_MAX_SEGS	64
/* Flows merged at once on receive. */
#define GRO_FLOWS		8
/* Largest merged packet (IP total length is 16 bits). */
#define GRO_MAX_LEN		65535

struct tun_pktinfo;

/* One's-complement sum of buf added to sum (not folded, not inverted). */
uint64_t offload_sum(const uint8_t *buf, size_t len, uint64_t sum);
uint16_t offload_fold(uint64_t sum);

/* A packet with NEEDS_CSUM: compute the checksum from csum_start to the
 * end and store it at csum_start + csum_offset. 0, or -1 if out of range. */
int	offload_csum_complete(uint8_t *pkt, size_t len,
	    const struct tun_pktinfo *);

/* The length of segment i (of a split of pkt) and the number of segments:
 * call before splitting to size the strides. -1 if pkt is not a TCP TSO
 * packet this code handles (then drop it). */
int	offload_tso_plan(const uint8_t *pkt, size_t len,
	    const struct tun_pktinfo *, size_t *hdrlen, size_t *seglen,
	    size_t *lastlen);

/* Split the TSO packet at buf (len bytes) in place: segment i ends up at
 * buf + i * stride (stride >= hdrlen + seglen from offload_tso_plan), with
 * its own IP/TCP headers and checksums. The buffer must hold
 * nsegs * stride bytes. Returns the number of segments, or -1. */
int	offload_tso_split(uint8_t *buf, size_t len,
	    const struct tun_pktinfo *, size_t stride);

/* Receive-side coalescing of TCP segments into one packet per flow. */
struct gro_flow {
	uint8_t		*buf;		/* GRO_MAX_LEN bytes */
	size_t		 len;		/* 0: slot free */
	size_t		 hdrlen;	/* IP + TCP headers */
	size_t		 mss;		/* payload of the first segment */
	unsigned	 nsegs;
	uint32_t	 next_seq;
	int		 closed;	/* a short or PSH segment ended it */
	uint64_t	 age;		/* order of creation, oldest flushed */
};

/* Writes a finished packet (with its pktinfo) to the TUN. */
typedef void gro_out_fn(void *arg, const uint8_t *pkt, size_t len,
    const struct tun_pktinfo *);

struct gro {
	struct gro_flow	 flows[GRO_FLOWS];
	uint64_t	 clock;
	gro_out_fn	*out;
	void		*arg;
	uint64_t	 merged;	/* segments that joined another */
};

/* bufs: GRO_FLOWS buffers of GRO_MAX_LEN bytes each. */
void	gro_init(struct gro *, uint8_t *bufs, gro_out_fn *, void *arg);
/* A decrypted inner packet (length trimmed to its IP length): merged into
 * a pending flow, started as a new one, or (not a mergeable TCP segment)
 * written at once after its flow's pending data. */
void	gro_add(struct gro *, const uint8_t *pkt, size_t len);
/* Write every pending flow (end of a receive batch). */
void	gro_flush(struct gro *);

#endif
