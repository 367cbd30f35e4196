/* The TUN device behind a small table of operations: the Linux backend
 * (tun-linux.c, the only file including <linux/if_tun.h>) and a dummy
 * backend for tests (tun-dummy.c: a socket pair whose other end the test
 * holds, with the same one-packet-per-read semantics).
 *
 * Packets are bare IPv4/IPv6 (no packet-information header); with offloads
 * (tun_config.offload, if the backend grants them: tun.offload) each comes
 * with a struct tun_pktinfo saying whether it is a TSO super-packet or needs
 * its checksum completed. The device's fd is non-blocking; the data path
 * waits for it to become readable and then reads until tun_read() returns
 * 0. */
#ifndef MESH_TUN_H
#define MESH_TUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TUN_IFNAME_MAX	15		/* IFNAMSIZ - 1 */

/* What to create: a name, an MTU and the member's own addresses; routes
 * for subnet/prefixlen4 and the ULA prefix (ip6/prefixlen6) point at the
 * device. */
struct tun_config {
	char		ifname[TUN_IFNAME_MAX + 1];
	unsigned	mtu;
	uint32_t	ip4;		/* host byte order; 0 = none */
	unsigned	prefixlen4;
	uint8_t		ip6[16];	/* all zero = none */
	unsigned	prefixlen6;
	int		offload;	/* ask for TSO/checksum offloads */
};

/* How a packet read from or written to a TUN with offloads is to be taken
 * (virtio-net's header, host byte order; values in offload.h). Without
 * offloads it is all zero. */
struct tun_pktinfo {
	uint8_t		flags;		/* OFFLOAD_NEEDS_CSUM, _DATA_VALID */
	uint8_t		gso_type;	/* OFFLOAD_GSO_* */
	uint16_t	hdr_len;	/* IP + TCP header length */
	uint16_t	gso_size;	/* TCP payload per segment */
	uint16_t	csum_start;	/* checksum from here to the end */
	uint16_t	csum_offset;	/* ... stored at start + offset */
};

struct tun_ops;

struct tun {
	const struct tun_ops	*ops;
	int			 fd;		/* poll for readability */
	char			 ifname[TUN_IFNAME_MAX + 1];
	struct tun_config	 cfg;		/* as applied */
	int			 peer_fd;	/* dummy backend: the test's end */
	int			 v6_failed;	/* IPv6 refused (disabled) */
	int			 offload;	/* packets carry tun_pktinfo: reads
						 * may be TSO packets, writes may
						 * be merged (GRO) packets */
};

struct tun_ops {
	const char	*name;
	/* Create the device and configure it; 0, or -1 with err filled. */
	int		(*open)(struct tun *, const struct tun_config *,
			    char *err, size_t errlen);
	/* Remove the device (with its addresses and routes). */
	void		(*close)(struct tun *);
	/* One packet: its length, 0 when none waits, -1 on error (errno).
	 * pi is filled (zero without offloads). */
	ssize_t		(*read)(struct tun *, uint8_t *buf, size_t len,
			    struct tun_pktinfo *pi);
	/* One packet: 0, or -1 (errno; EAGAIN when the queue is full). pi
	 * NULL: a plain packet. */
	int		(*write)(struct tun *, const uint8_t *buf, size_t len,
			    const struct tun_pktinfo *pi);
};

extern const struct tun_ops tun_linux_ops;
extern const struct tun_ops tun_dummy_ops;

int	tun_open(struct tun *, const struct tun_ops *,
	    const struct tun_config *, char *err, size_t errlen);
void	tun_close(struct tun *);

static inline ssize_t
tun_read(struct tun *t, uint8_t *buf, size_t len, struct tun_pktinfo *pi)
{
	return t->ops->read(t, buf, len, pi);
}

static inline int
tun_write(struct tun *t, const uint8_t *buf, size_t len,
    const struct tun_pktinfo *pi)
{
	return t->ops->write(t, buf, len, pi);
}

#endif
