/* The Linux TUN backend: /dev/net/tun, configured over rtnetlink (no
 * shelling out to ip(8)). The only file including <linux/if_tun.h>.
 *
 * The device is not persistent: closing its fd removes it with its
 * addresses and routes, so a daemon that dies leaves nothing behind. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "os/netlink.h"
#include "os/tun.h"

static int
configure(struct tun *t, const struct tun_config *cfg, char *err,
    size_t errlen)
{
	static const uint8_t	zero6[16];
	uint8_t			net6[16];
	uint32_t		a, net, mask;
	unsigned		i;
	int			nl, ifindex;

	if ((ifindex = (int)if_nametoindex(t->ifname)) == 0) {
		snprintf(err, errlen, "%s: no such interface after creating "
		    "it: %s", t->ifname, strerror(errno));
		return -1;
	}
	if ((nl = netlink_open()) == -1) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		return -1;
	}
	if (netlink_link_set(nl, ifindex, cfg->mtu, 0) == -1) {
		snprintf(err, errlen, "%s: setting MTU %u: %s", t->ifname,
		    cfg->mtu, strerror(errno));
		goto fail;
	}
	if (cfg->ip4 != 0) {
		a = htonl(cfg->ip4);
		if (netlink_addr_add(nl, ifindex, AF_INET, &a,
		    cfg->prefixlen4) == -1) {
			snprintf(err, errlen, "%s: adding IPv4 address: %s",
			    t->ifname, strerror(errno));
			goto fail;
		}
	}
	if (memcmp(cfg->ip6, zero6, 16) != 0) {
		/* EACCES: IPv6 is disabled on this interface or host. */
		if (netlink_addr_add(nl, ifindex, AF_INET6, cfg->ip6,
		    cfg->prefixlen6) == -1) {
			if (errno != EACCES && errno != EAFNOSUPPORT) {
				snprintf(err, errlen, "%s: adding IPv6 "
				    "address: %s", t->ifname, strerror(errno));
				goto fail;
			}
			t->v6_failed = 1;
		}
	}
	if (netlink_link_set(nl, ifindex, 0, 1) == -1) {
		snprintf(err, errlen, "%s: setting the link up: %s",
		    t->ifname, strerror(errno));
		goto fail;
	}
	if (cfg->ip4 != 0) {
		mask = cfg->prefixlen4 == 0 ? 0 :
		    0xffffffffU << (32 - cfg->prefixlen4);
		net = htonl(cfg->ip4 & mask);
		if (netlink_route_add(nl, ifindex, AF_INET, &net,
		    cfg->prefixlen4) == -1) {
			snprintf(err, errlen, "%s: adding the route to the "
			    "subnet: %s", t->ifname, strerror(errno));
			goto fail;
		}
	}
	if (memcmp(cfg->ip6, zero6, 16) != 0 && !t->v6_failed) {
		memset(net6, 0, sizeof(net6));
		for (i = 0; i < cfg->prefixlen6 && i < 128; i++)
			net6[i / 8] |= cfg->ip6[i / 8] & (0x80 >> (i % 8));
		if (netlink_route_add(nl, ifindex, AF_INET6, net6,
		    cfg->prefixlen6) == -1) {
			snprintf(err, errlen, "%s: adding the route to the "
			    "IPv6 prefix: %s", t->ifname, strerror(errno));
			goto fail;
		}
	}
	netlink_close(nl);
	return 0;
fail:
	netlink_close(nl);
	return -1;
}

static int
linux_open(struct tun *t, const struct tun_config *cfg, char *err,
    size_t errlen)
{
	struct ifreq	ifr;

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd == -1) {
		snprintf(err, errlen, "/dev/net/tun: %s%s", strerror(errno),
		    errno == EACCES || errno == EPERM ?
		    " (creating an interface needs root or CAP_NET_ADMIN)" :
		    "");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (cfg->offload)
		ifr.ifr_flags |= IFF_VNET_HDR;
	memcpy(ifr.ifr_name, cfg->ifname, sizeof(cfg->ifname));
	if (ioctl(t->fd, TUNSETIFF, &ifr) == -1) {
		snprintf(err, errlen, "creating interface %s: %s%s",
		    cfg->ifname, strerror(errno), errno == EBUSY ?
		    " (is another daemon running for it?)" :
		    errno == EINVAL ? " (a non-TUN interface has that name?)" :
		    errno == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
		return -1;
	}
	memcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname) - 1);
	t->ifname[sizeof(t->ifname) - 1] = '\0';
	if (cfg->offload) {
		/* Every packet now carries a virtio-net header. Ask for TSO
		 * super-packets and partial checksums; if the kernel says no,
		 * reads simply never are TSO packets. */
		t->offload = 1;
		(void)ioctl(t->fd, TUNSETOFFLOAD,
		    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	}
	return configure(t, cfg, err, errlen);
}

static void
linux_close(struct tun *t)
{
	/* Closing the fd (tun_close) removes the device. */
}

/* virtio-net header fields are in the host's byte order for a TUN that
 * was not switched to another one (TUNSETVNETLE/BE). */
static ssize_t
linux_read(struct tun *t, uint8_t *buf, size_t len, struct tun_pktinfo *pi)
{
	struct virtio_net_hdr	h;
	struct iovec		iov[2];
	ssize_t			n;

	if (!t->offload) {
		memset(pi, 0, sizeof(*pi));
		n = read(t->fd, buf, len);
		if (n == -1)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		return n;
	}
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = buf;
	iov[1].iov_len = len;
	n = readv(t->fd, iov, 2);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if ((size_t)n < sizeof(h)) {
		errno = EIO;
		return -1;
	}
	pi->flags = h.flags;
	pi->gso_type = h.gso_type;
	pi->hdr_len = h.hdr_len;
	pi->gso_size = h.gso_size;
	pi->csum_start = h.csum_start;
	pi->csum_offset = h.csum_offset;
	return n - (ssize_t)sizeof(h);
}

static int
linux_write(struct tun *t, const uint8_t *buf, size_t len,
    const struct tun_pktinfo *pi)
{
	struct virtio_net_hdr	h;
	struct iovec		iov[2];

	if (!t->offload)
		return write(t->fd, buf, len) == -1 ? -1 : 0;
	memset(&h, 0, sizeof(h));
	if (pi != NULL) {
		h.flags = pi->flags;
		h.gso_type = pi->gso_type;
		h.hdr_len = pi->hdr_len;
		h.gso_size = pi->gso_size;
		h.csum_start = pi->csum_start;
		h.csum_offset = pi->csum_offset;
	}
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)buf;
	iov[1].iov_len = len;
	return writev(t->fd, iov, 2) == -1 ? -1 : 0;
}

const struct tun_ops tun_linux_ops = {
	"linux", linux_open, linux_close, linux_read, linux_write
};
