/* sd_notify: a datagram to $NOTIFY_SOCKET. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/sdnotify.h"

/* The one process-wide notification socket (systemd's protocol is per
 * process, so a global is its natural shape). */
static int	sdnotify_fd = -1;

int
sdnotify_open(void)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	size_t			 len;
	socklen_t		 slen;

	if (sdnotify_fd != -1 || path == NULL || path[0] == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@') {
		sun.sun_path[0] = '\0';	/* abstract namespace */
		slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else
		slen = (socklen_t)sizeof(sun);
	if ((sdnotify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) ==
	    -1)
		return -1;
	if (connect(sdnotify_fd, (struct sockaddr *)&sun, slen) == -1) {
		int	e = errno;

		close(sdnotify_fd);
		sdnotify_fd = -1;
		errno = e;
		return -1;
	}
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

int
sdnotify_send(const char *state)
{
	ssize_t	n;

	if (sdnotify_fd == -1)
		return 0;
	do
		n = send(sdnotify_fd, state, strlen(state), MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n == (ssize_t)strlen(state) ? 0 : -1;
}

static int
send2(const char *a, const char *status)
{
	char	buf[512];

	if (status == NULL || status[0] == '\0')
		return sdnotify_send(a);
	snprintf(buf, sizeof(buf), "%s\nSTATUS=%s", a, status);
	return sdnotify_send(buf);
}

int
sdnotify_ready(const char *status)
{
	char	buf[64];

	snprintf(buf, sizeof(buf), "READY=1\nMAINPID=%ld", (long)getpid());
	return send2(buf, status);
}

int
sdnotify_reloading(void)
{
	return sdnotify_send("RELOADING=1");
}

int
sdnotify_stopping(void)
{
	return sdnotify_send("STOPPING=1");
}

int
sdnotify_status(const char *status)
{
	char	buf[512];

	snprintf(buf, sizeof(buf), "STATUS=%s", status);
	return sdnotify_send(buf);
}

void
sdnotify_close(void)
{
	if (sdnotify_fd != -1)
		close(sdnotify_fd);
	sdnotify_fd = -1;
}
