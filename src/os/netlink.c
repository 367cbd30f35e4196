/* Minimal rtnetlink requests (see netlink.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <net/if.h>

#include "os/netlink.h"

#define NL_BUF	1024

struct nl_req {
	struct nlmsghdr	*nh;
	size_t		 cap;
};

int
netlink_open(void)
{
	struct sockaddr_nl	sa;
	int			fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		int	e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

void
netlink_close(int fd)
{
	if (fd != -1)
		close(fd);
}

static void
nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data,
    size_t len)
{
	struct rtattr	*rta;

	rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and wait for its ack; 0 or -1 with errno. */
static int
nl_talk(int fd, struct nlmsghdr *nh)
{
	static uint32_t		 seq;
	union {
		char		 buf[NL_BUF];
		struct nlmsghdr	 align;
	} u;
	struct nlmsghdr		*r;
	struct nlmsgerr		*e;
	ssize_t			 n;

	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = ++seq;
	if (send(fd, nh, nh->nlmsg_len, 0) == -1)
		return -1;
	for (;;) {
		n = recv(fd, u.buf, sizeof(u.buf), 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (r = &u.align; NLMSG_OK(r, (unsigned)n);
		    r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_seq != nh->nlmsg_seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(r);
				if (e->error == 0)
					return 0;
				errno = -e->error;
				return -1;
			}
		}
	}
}

int
netlink_link_set(int fd, int ifindex, unsigned mtu, int up)
{
	union {
		char		 buf[NL_BUF];
		struct nlmsghdr	 nh;
	} u;
	struct ifinfomsg	*ifi;
	uint32_t		 m = mtu;

	memset(&u, 0, sizeof(u));
	u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	u.nh.nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(&u.nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu != 0)
		nl_attr(&u.nh, IFLA_MTU, &m, sizeof(m));
	return nl_talk(fd, &u.nh);
}

int
netlink_link_del(int fd, int ifindex)
{
	union {
		char		 buf[NL_BUF];
		struct nlmsghdr	 nh;
	} u;
	struct ifinfomsg	*ifi;

	memset(&u, 0, sizeof(u));
	u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	u.nh.nlmsg_type = RTM_DELLINK;
	ifi = NLMSG_DATA(&u.nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nl_talk(fd, &u.nh);
}

int
netlink_addr_add(int fd, int ifindex, int family, const void *addr,
    unsigned prefixlen)
{
	union {
		char		 buf[NL_BUF];
		struct nlmsghdr	 nh;
	} u;
	struct ifaddrmsg	*ifa;
	size_t			 alen = family == AF_INET ? 4 : 16;
	uint32_t		 flags = IFA_F_NOPREFIXROUTE;

	memset(&u, 0, sizeof(u));
	u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	u.nh.nlmsg_type = RTM_NEWADDR;
	u.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = NLMSG_DATA(&u.nh);
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	if (family == AF_INET6)
		flags |= IFA_F_NODAD;
	nl_attr(&u.nh, IFA_LOCAL, addr, alen);
	nl_attr(&u.nh, IFA_ADDRESS, addr, alen);
	nl_attr(&u.nh, IFA_FLAGS, &flags, sizeof(flags));
	return nl_talk(fd, &u.nh);
}

int
netlink_route_add(int fd, int ifindex, int family, const void *dst,
    unsigned prefixlen)
{
	union {
		char		 buf[NL_BUF];
		struct nlmsghdr	 nh;
	} u;
	struct rtmsg		*rtm;
	uint32_t		 oif = (uint32_t)ifindex;

	memset(&u, 0, sizeof(u));
	u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	u.nh.nlmsg_type = RTM_NEWROUTE;
	/* Never take over another interface's route (issue 13): closing
	 * this TUN would then leave the subnet with no route at all. */
	u.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = NLMSG_DATA(&u.nh);
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	nl_attr(&u.nh, RTA_DST, dst, family == AF_INET ? 4 : 16);
	nl_attr(&u.nh, RTA_OIF, &oif, sizeof(oif));
	return nl_talk(fd, &u.nh);
}
