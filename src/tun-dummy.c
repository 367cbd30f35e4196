/* The dummy TUN backend for tests: a SOCK_SEQPACKET socket pair keeps packet
 * boundaries like a TUN, so the data path runs unchanged while a test
 * writes "outgoing" packets to, and reads "delivered" packets from, the
 * other end (tun->peer_fd). Nothing in the system changes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tun.h"

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
dummy_read(struct tun *t, uint8_t *buf, size_t len)
{
	ssize_t	n;

	n = recv(t->fd, buf, len, MSG_TRUNC);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if ((size_t)n > len) {		/* as a TUN read into a short buffer */
		errno = EINVAL;
		return -1;
	}
	return n;
}

static int
dummy_write(struct tun *t, const uint8_t *buf, size_t len)
{
	return send(t->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1 ?
	    -1 : 0;
}

const struct tun_ops tun_dummy_ops = {
	"dummy", dummy_open, dummy_close, dummy_read, dummy_write
};
