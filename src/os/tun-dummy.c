/* The dummy TUN backend for tests: a SOCK_SEQPACKET socket pair keeps packet
 * boundaries like a TUN, so the data path runs unchanged while a test
 * writes "outgoing" packets to, and reads "delivered" packets from, the
 * other end (tun->peer_fd). Nothing in the system changes. With
 * tun_config.offload, every packet on the pair is preceded by the bytes of
 * a struct tun_pktinfo, so tests can hand over TSO packets and see merged
 * ones. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdint.h>
#include <unistd.h>

#include "os/tun.h"

static int
dummy_open(struct tun *t, const struct tun_config *cfg, char *err,
    size_t errlen)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(err, errlen, "dummy tun: socketpair: %s",
		    strerror(errno));
		return -1;
	}
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1) {
		snprintf(err, errlen, "dummy tun: fcntl: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	t->fd = sv[0];
	t->peer_fd = sv[1];
	t->offload = cfg->offload;
	return 0;
}

static void
dummy_close(struct tun *t)
{
	if (t->peer_fd != -1)
		close(t->peer_fd);
	t->peer_fd = -1;
}

static ssize_t
dummy_read(struct tun *t, uint8_t *buf, size_t len, struct tun_pktinfo *pi)
{
	struct iovec	iov[2];
	struct msghdr	msg;
	size_t		hl = t->offload ? sizeof(*pi) : 0;
	ssize_t		n;

	memset(pi, 0, sizeof(*pi));
	iov[0].iov_base = pi;
	iov[0].iov_len = hl;
	iov[1].iov_base = buf;
	iov[1].iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	n = recvmsg(t->fd, &msg, 0);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if ((msg.msg_flags & MSG_TRUNC) || (size_t)n < hl) {
		errno = EINVAL;		/* as a TUN read into a short buffer */
		return -1;
	}
	return n - (ssize_t)hl;
}

static int
dummy_write(struct tun *t, const uint8_t *buf, size_t len,
    const struct tun_pktinfo *pi)
{
	struct tun_pktinfo	zero;
	struct iovec		iov[2];
	struct msghdr		msg;

	memset(&zero, 0, sizeof(zero));
	iov[0].iov_base = (void *)(uintptr_t)(pi != NULL ? pi : &zero);
	iov[0].iov_len = t->offload ? sizeof(*pi) : 0;
	iov[1].iov_base = (void *)(uintptr_t)buf;
	iov[1].iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	return sendmsg(t->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == -1 ?
	    -1 : 0;
}

const struct tun_ops tun_dummy_ops = {
	"dummy", dummy_open, dummy_close, dummy_read, dummy_write
};
