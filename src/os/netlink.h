/* A small rtnetlink client for the TUN backend: link MTU and state,
 * addresses and routes, each a request answered by an ack. Blocking; used
 * at start-up and shutdown only. */
#ifndef MESH_NETLINK_H
#define MESH_NETLINK_H

#include <stdint.h>

/* A NETLINK_ROUTE socket, or -1 (errno). */
int	netlink_open(void);
void	netlink_close(int fd);

/* Each returns 0, or -1 with errno set from the kernel's answer. */
int	netlink_link_set(int fd, int ifindex, unsigned mtu, int up);
/* family AF_INET (addr: 4 bytes, network order) or AF_INET6 (16 bytes).
 * The address gets no prefix route (routes are added explicitly) and, for
 * IPv6, no duplicate address detection. */
int	netlink_addr_add(int fd, int ifindex, int family, const void *addr,
	    unsigned prefixlen);
/* A route to dst/prefixlen through the device (scope link). */
int	netlink_route_add(int fd, int ifindex, int family, const void *dst,
	    unsigned prefixlen);
int	netlink_link_del(int fd, int ifindex);

#endif
