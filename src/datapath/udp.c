/* The shared UDP socket (see udp.h). */
#include "config.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <netinet/udp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "datapath/udp.h"

#define UDP_SOCKBUF	(4 * 1024 * 1024)

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif
#ifndef UDP_GRO
#define UDP_GRO		104
#endif

/* What one recvmmsg/sendmmsg needs besides the caller's messages: on the
 * stack of the call, so that no two calls share it. */
struct udp_scratch {
	struct mmsghdr		 hdr[UDP_BATCH];
	struct iovec		 iov[UDP_BATCH];
	struct sockaddr_in	 sin[UDP_BATCH];	/* AF_INET fallback */
	union {
		char		 buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	 align;
	}			 ctl[UDP_BATCH];
};

static void
sockbuf(int fd, int opt, int force)
{
	int	n = UDP_SOCKBUF;

	/* The FORCE variant passes rmem_max/wmem_max when privileged. */
	if (setsockopt(fd, SOL_SOCKET, force, &n, sizeof(n)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, opt, &n, sizeof(n));
}

/* Path MTU (see udp.h): DF on every datagram, the kernel's own path MTU
 * cache not applied to our sends (PROBE: only the interface's MTU refuses
 * a datagram, with EMSGSIZE), errors queued for udp_read_errors. The IP_
 * options also apply to IPv4 through an AF_INET6 socket. Best effort: an
 * old kernel without them still works, without ICMP reports. */
static void
pmtu_options(struct udp *u)
{
	int	v;

	v = IP_PMTUDISC_PROBE;
	(void)setsockopt(u->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	v = 1;
	(void)setsockopt(u->fd, IPPROTO_IP, IP_RECVERR, &v, sizeof(v));
	if (u->family != AF_INET6)
		return;
	v = IPV6_PMTUDISC_PROBE;
	(void)setsockopt(u->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v,
	    sizeof(v));
	v = 1;
	(void)setsockopt(u->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &v, sizeof(v));
	v = 1;
	(void)setsockopt(u->fd, IPPROTO_IPV6, IPV6_RECVERR, &v, sizeof(v));
}

int
udp_open(struct udp *u, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in6	sin6;
	struct sockaddr_in	sin;
	struct sockaddr		*sa;
	socklen_t		salen;
	int			off = 0, on;

	memset(u, 0, sizeof(*u));
	u->family = AF_INET6;
	u->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u->fd == -1 && errno == EAFNOSUPPORT) {
		u->family = AF_INET;
		u->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	if (u->fd == -1) {
		snprintf(err, errlen, "UDP socket: %s", strerror(errno));
		return -1;
	}
	if (u->family == AF_INET6) {
		if (setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof(off)) == -1) {
			snprintf(err, errlen, "UDP socket: IPV6_V6ONLY: %s",
			    strerror(errno));
			goto fail;
		}
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		sin6.sin6_addr = in6addr_any;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	}
	if (bind(u->fd, sa, salen) == -1) {
		snprintf(err, errlen, "UDP port %u: %s%s", port,
		    strerror(errno), errno == EADDRINUSE ?
		    " (choose another with listen-port N)" : "");
		goto fail;
	}
	if (getsockname(u->fd, sa, &salen) == -1) {
		snprintf(err, errlen, "UDP socket: getsockname: %s",
		    strerror(errno));
		goto fail;
	}
	u->port = ntohs(u->family == AF_INET6 ? sin6.sin6_port :
	    sin.sin_port);
	sockbuf(u->fd, SO_RCVBUF, SO_RCVBUFFORCE);
	sockbuf(u->fd, SO_SNDBUF, SO_SNDBUFFORCE);
	/* Offloads (Linux 4.18 / 5.0): probe by setting them. A socket-wide
	 * UDP_SEGMENT of 0 means "none unless a send asks". */
	off = 0;
	u->gso = setsockopt(u->fd, SOL_UDP, UDP_SEGMENT, &off,
	    sizeof(off)) == 0;
	on = 1;
	u->gro = setsockopt(u->fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
	pmtu_options(u);
	return 0;
fail:
	close(u->fd);
	u->fd = -1;
	return -1;
}

void
udp_close(struct udp *u)
{
	if (u->fd != -1)
		close(u->fd);
	u->fd = -1;
}

static void
map4(struct sockaddr_in6 *out, const struct sockaddr_in *in)
{
	memset(out, 0, sizeof(*out));
	out->sin6_family = AF_INET6;
	out->sin6_port = in->sin_port;
	out->sin6_addr.s6_addr[10] = 0xff;
	out->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&out->sin6_addr.s6_addr[12], &in->sin_addr, 4);
}

static int
unmap4(struct sockaddr_in *out, const struct sockaddr_in6 *in)
{
	if (!IN6_IS_ADDR_V4MAPPED(&in->sin6_addr))
		return -1;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = in->sin6_port;
	memcpy(&out->sin_addr, &in->sin6_addr.s6_addr[12], 4);
	return 0;
}

/* With IP_RECVERR (for path MTU), an ICMP error about any earlier
 * datagram -- a node that went away answers "port unreachable" -- is
 * also reported once by the next send or receive on the socket, whatever
 * its destination. Such a call did nothing and is simply made again; the
 * error itself waits in the error queue for udp_read_errors. */
static int
async_error(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == EHOSTDOWN || e == ENETDOWN || e == EPROTO || e == EACCES ||
	    e == ENOPROTOOPT;
}

#define ASYNC_RETRIES	8	/* pending errors consumed in one call */

int
udp_recv_batch(struct udp *u, struct udp_msg *m, unsigned n)
{
	struct udp_scratch	 scratch, *w = &scratch;
	int			 r, i, tries;
	unsigned		 k;

	if (n > UDP_BATCH)
		n = UDP_BATCH;
	for (k = 0; k < n; k++) {
		w->iov[k].iov_base = m[k].buf;
		w->iov[k].iov_len = m[k].cap;
		memset(&w->hdr[k].msg_hdr, 0, sizeof(w->hdr[k].msg_hdr));
		w->hdr[k].msg_hdr.msg_iov = &w->iov[k];
		w->hdr[k].msg_hdr.msg_iovlen = 1;
		if (u->family == AF_INET6) {
			w->hdr[k].msg_hdr.msg_name = &m[k].addr;
			w->hdr[k].msg_hdr.msg_namelen = sizeof(m[k].addr);
		} else {
			w->hdr[k].msg_hdr.msg_name = &w->sin[k];
			w->hdr[k].msg_hdr.msg_namelen = sizeof(w->sin[k]);
		}
		if (u->gro) {
			w->hdr[k].msg_hdr.msg_control = w->ctl[k].buf;
			w->hdr[k].msg_hdr.msg_controllen =
			    sizeof(w->ctl[k].buf);
		}
	}
	tries = 0;
	do
		r = recvmmsg(u->fd, w->hdr, n, MSG_DONTWAIT, NULL);
	while (r == -1 && (errno == EINTR || (async_error(errno) &&
	    ++tries <= ASYNC_RETRIES)));
	if (r == -1)
		return errno == EAGAIN ? 0 : -1;
	for (i = 0; i < r; i++) {
		struct cmsghdr	*c;
		int		 seg;

		m[i].len = w->hdr[i].msg_len;
		m[i].segsize = 0;
		if (w->hdr[i].msg_hdr.msg_flags & MSG_TRUNC)
			m[i].len = m[i].cap + 1;
		if (u->family == AF_INET)
			map4(&m[i].addr, &w->sin[i]);
		for (c = CMSG_FIRSTHDR(&w->hdr[i].msg_hdr); c != NULL;
		    c = CMSG_NXTHDR(&w->hdr[i].msg_hdr, c)) {
			if (c->cmsg_level == SOL_UDP &&
			    c->cmsg_type == UDP_GRO &&
			    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
				memcpy(&seg, CMSG_DATA(c), sizeof(seg));
				if (seg > 0 && (size_t)seg < m[i].len)
					m[i].segsize = (size_t)seg;
			}
		}
		if (u->rx_tap != NULL && m[i].len > 0 && m[i].len <= m[i].cap)
			u->rx_tap(u->rx_arg, m[i].buf, m[i].segsize != 0 ?
			    m[i].segsize : m[i].len, &m[i].addr);
	}
	return r;
}

/* A GSO message the kernel refused: its datagrams one by one. */
static unsigned
send_split(struct udp *u, const struct udp_msg *m)
{
	size_t		off, len;
	unsigned	failed = 0;

	for (off = 0; off < m->len; off += m->segsize) {
		len = m->len - off < m->segsize ? m->len - off : m->segsize;
		if (udp_send(u, m->buf + off, len, &m->addr) == -1)
			failed++;
	}
	return failed;
}

static unsigned	send_batch(struct udp *, struct udp_msg *, unsigned);

/* Does the second transport take m (all its datagrams)? 1 (failures
 * added to *failed) or 0. */
static int
hooked(struct udp *u, const struct udp_msg *m, unsigned *failed)
{
	size_t	off, len, seg;
	int	r;

	seg = m->segsize != 0 && m->len > m->segsize ? m->segsize : m->len;
	for (off = 0; off < m->len || off == 0; off += seg) {
		len = m->len - off < seg ? m->len - off : seg;
		r = u->tx_hook(u->tx_arg, m->buf + off, len, &m->addr);
		if (r == 0)
			return 0;	/* never one of its addresses */
		if (r == -1)
			(*failed)++;
		if (seg == 0)
			break;
	}
	return 1;
}

unsigned
udp_send_batch(struct udp *u, struct udp_msg *m, unsigned n)
{
	unsigned	i, start = 0, failed = 0;

	if (u->tx_hook == NULL)
		return send_batch(u, m, n);
	/* the runs between the hook's messages go out as usual */
	for (i = 0; i < n; i++) {
		if (!hooked(u, &m[i], &failed))
			continue;
		if (i > start)
			failed += send_batch(u, m + start, i - start);
		start = i + 1;
	}
	if (n > start)
		failed += send_batch(u, m + start, n - start);
	return failed;
}

static unsigned
send_batch(struct udp *u, struct udp_msg *m, unsigned n)
{
	struct udp_scratch	 scratch, *w = &scratch;
	unsigned		 k, done = 0, failed = 0;
	uint16_t		 seg;
	int			 r, tries = 0;

	while (done < n) {
		unsigned	cnt = n - done > UDP_BATCH ? UDP_BATCH :
				    n - done;

		for (k = 0; k < cnt; k++) {
			struct udp_msg	*mm = &m[done + k];

			w->iov[k].iov_base = mm->buf;
			w->iov[k].iov_len = mm->len;
			memset(&w->hdr[k].msg_hdr, 0,
			    sizeof(w->hdr[k].msg_hdr));
			w->hdr[k].msg_hdr.msg_iov = &w->iov[k];
			w->hdr[k].msg_hdr.msg_iovlen = 1;
			if (u->family == AF_INET6) {
				w->hdr[k].msg_hdr.msg_name = &mm->addr;
				w->hdr[k].msg_hdr.msg_namelen =
				    sizeof(mm->addr);
			} else {
				(void)unmap4(&w->sin[k], &mm->addr);
				w->hdr[k].msg_hdr.msg_name = &w->sin[k];
				w->hdr[k].msg_hdr.msg_namelen =
				    sizeof(w->sin[k]);
			}
			if (mm->segsize != 0 && mm->len > mm->segsize) {
				struct cmsghdr	*c;

				/* (the alignment padding too: no
				 * uninitialised bytes reach the kernel) */
				memset(w->ctl[k].buf, 0,
				    CMSG_SPACE(sizeof(seg)));
				w->hdr[k].msg_hdr.msg_control = w->ctl[k].buf;
				w->hdr[k].msg_hdr.msg_controllen =
				    CMSG_SPACE(sizeof(seg));
				c = CMSG_FIRSTHDR(&w->hdr[k].msg_hdr);
				c->cmsg_level = SOL_UDP;
				c->cmsg_type = UDP_SEGMENT;
				c->cmsg_len = CMSG_LEN(sizeof(seg));
				seg = (uint16_t)mm->segsize;
				memcpy(CMSG_DATA(c), &seg, sizeof(seg));
			}
		}
		r = sendmmsg(u->fd, w->hdr, cnt, 0);
		if (r == -1) {
			if (errno == EINTR || (async_error(errno) &&
			    ++tries <= ASYNC_RETRIES))
				continue;
			if (m[done].segsize != 0 && m[done].len >
			    m[done].segsize && (errno == EIO ||
			    errno == EINVAL || errno == ENOPROTOOPT)) {
				/* No GSO on this path after all. */
				u->gso = 0;
				failed += send_split(u, &m[done]);
			} else
				failed += m[done].segsize != 0 ?
				    (unsigned)((m[done].len + m[done].segsize -
				    1) / m[done].segsize) : 1;
			/* The first message was refused: skip it. */
			done++;
			continue;
		}
		done += (unsigned)r;
	}
	return failed;
}

int
udp_send(struct udp *u, const void *buf, size_t len,
    const struct sockaddr_in6 *to)
{
	struct sockaddr_in	sin;
	ssize_t			r;
	int			tries = 0;

	if (u->tx_hook != NULL && (r = u->tx_hook(u->tx_arg, buf, len,
	    to)) != 0)
		return r == 1 ? 0 : -1;
again:
	if (u->family == AF_INET) {
		if (unmap4(&sin, to) == -1) {
			errno = EAFNOSUPPORT;
			return -1;
		}
		r = sendto(u->fd, buf, len, 0, (const struct sockaddr *)&sin,
		    sizeof(sin));
	} else
		r = sendto(u->fd, buf, len, 0, (const struct sockaddr *)to,
		    sizeof(*to));
	if (r == -1 && async_error(errno) && ++tries <= ASYNC_RETRIES)
		goto again;
	return r == -1 ? -1 : 0;
}

int
udp_read_errors(struct udp *u, struct udp_err *out, unsigned n)
{
	union {
		char		 buf[512];
		struct cmsghdr	 align;
	}			 ctl;
	struct sockaddr_in6	 sin6;
	struct sock_extended_err ee;
	struct cmsghdr		*c;
	struct msghdr		 mh;
	struct iovec		 iov;
	uint8_t			 data[64];
	unsigned		 k = 0, tries;
	ssize_t			 r;

	/* bounded: the queue is refilled as fast as we read it only by a
	 * flood, and the data path has other work */
	for (tries = 0; k < n && tries < 4 * n; tries++) {
		memset(&mh, 0, sizeof(mh));
		memset(&sin6, 0, sizeof(sin6));
		iov.iov_base = data;
		iov.iov_len = sizeof(data);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_name = &sin6;
		mh.msg_namelen = sizeof(sin6);
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		r = recvmsg(u->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (c = CMSG_FIRSTHDR(&mh); c != NULL;
		    c = CMSG_NXTHDR(&mh, c)) {
			if (!((c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR)) ||
			    c->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			memset(&out[k], 0, sizeof(out[k]));
			if (udp_addr_from(&out[k].to,
			    (struct sockaddr *)&sin6, mh.msg_namelen) == -1)
				break;
			out[k].kind = UDP_ERR_OTHER;
			if (ee.ee_origin == SO_EE_ORIGIN_ICMP &&
			    ee.ee_type == ICMP_DEST_UNREACH &&
			    ee.ee_code == ICMP_FRAG_NEEDED)
				out[k].kind = UDP_ERR_TOO_BIG;
			else if (ee.ee_origin == SO_EE_ORIGIN_ICMP6 &&
			    ee.ee_type == ICMP6_PACKET_TOO_BIG)
				out[k].kind = UDP_ERR_TOO_BIG;
			else if (ee.ee_origin == SO_EE_ORIGIN_LOCAL &&
			    ee.ee_errno == EMSGSIZE)
				out[k].kind = UDP_ERR_LOCAL_TOO_BIG;
			out[k].mtu = ee.ee_info;
			k++;
			break;
		}
	}
	return (int)k;
}

void
udp_set_hooks(struct udp *u, udp_tx_hook_fn *tx, void *tx_arg,
    udp_rx_tap_fn *tap, void *tap_arg)
{
	u->tx_hook = tx;
	u->tx_arg = tx != NULL ? tx_arg : NULL;
	u->rx_tap = tap;
	u->rx_arg = tap != NULL ? tap_arg : NULL;
}

int
udp_register(struct udp *u, uint8_t lo, uint8_t hi, udp_handler_fn *fn,
    void *arg)
{
	unsigned	i;

	if (lo > hi)
		return -1;
	if (fn != NULL)
		for (i = lo; i <= hi; i++)
			if (u->handlers[i].fn != NULL)
				return -1;
	for (i = lo; i <= hi; i++) {
		u->handlers[i].fn = fn;
		u->handlers[i].arg = fn != NULL ? arg : NULL;
	}
	return 0;
}

int
udp_dispatch(struct udp *u, uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	const struct udp_handler	*h;

	if (len == 0)
		return -1;
	h = &u->handlers[pkt[0]];
	if (h->fn == NULL)
		return -1;
	h->fn(h->arg, pkt, len, from, now);
	return 0;
}

int
udp_addr_from(struct sockaddr_in6 *out, const struct sockaddr *sa,
    socklen_t len)
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		map4(out, (const struct sockaddr_in *)(const void *)sa);
		return 0;
	}
	if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6)) {
		memcpy(out, sa, sizeof(*out));
		return 0;
	}
	return -1;
}

const char *
udp_addr_fmt(const struct sockaddr_in6 *a, char *buf, size_t len)
{
	char	h[INET6_ADDRSTRLEN];

	if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
		inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], h, sizeof(h));
		snprintf(buf, len, "%s:%u", h, ntohs(a->sin6_port));
	} else {
		inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof(h));
		snprintf(buf, len, "[%s]:%u", h, ntohs(a->sin6_port));
	}
	return buf;
}

int
udp_addr_equal(const struct sockaddr_in6 *a, const struct sockaddr_in6 *b)
{
	return a->sin6_port == b->sin6_port &&
	    memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0 &&
	    a->sin6_scope_id == b->sin6_scope_id;
}
