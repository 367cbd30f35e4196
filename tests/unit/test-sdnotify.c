/* Tests of the sd_notify client (src/os/sdnotify.c) against a datagram
 * socket standing in for systemd, at a path and at an abstract name. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/sdnotify.h"
#include "t.h"

static int
listener(const char *name, int abstract)
{
	struct sockaddr_un	sun;
	socklen_t		len = sizeof(sun);
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, name);
	if (abstract) {
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(name));
	}
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (bind(fd, (struct sockaddr *)&sun, len) == -1) {
		perror("bind");
		exit(99);
	}
	return fd;
}

static void
expect(int fd, const char *want)
{
	char	buf[512];
	ssize_t	n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n < 0) {
		T_FAIL("nothing received, expected %s", want);
		return;
	}
	buf[n] = '\0';
	T_EQ_STR(buf, want);
}

T_TEST(unset)
{
	unsetenv("NOTIFY_SOCKET");
	T_EQ_INT(sdnotify_open(), 0);
	T_EQ_INT(sdnotify_ready("x"), 0);	/* a no-op */
	sdnotify_close();
}

T_TEST(path)
{
	char	dir[] = "/tmp/mesh-test-sdnotify.XXXXXX", path[128], want[128];
	int	fd;

	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path, 0);
	setenv("NOTIFY_SOCKET", path, 1);
	T_EQ_INT(sdnotify_open(), 0);
	T_ASSERT(getenv("NOTIFY_SOCKET") == NULL);
	T_EQ_INT(sdnotify_ready("mesh-x up, 3 members"), 0);
	snprintf(want, sizeof(want), "READY=1\nMAINPID=%ld\nSTATUS=mesh-x up, "
	    "3 members", (long)getpid());
	expect(fd, want);
	T_EQ_INT(sdnotify_reloading(), 0);
	expect(fd, "RELOADING=1");
	T_EQ_INT(sdnotify_status("reloaded"), 0);
	expect(fd, "STATUS=reloaded");
	T_EQ_INT(sdnotify_stopping(), 0);
	expect(fd, "STOPPING=1");
	sdnotify_close();
	close(fd);
	unlink(path);
	rmdir(dir);
}

T_TEST(abstract)
{
	char	name[64];
	int	fd;

	snprintf(name, sizeof(name), "@mesh-test-sdnotify-%ld",
	    (long)getpid());
	fd = listener(name, 1);
	setenv("NOTIFY_SOCKET", name, 1);
	T_EQ_INT(sdnotify_open(), 0);
	T_EQ_INT(sdnotify_stopping(), 0);
	expect(fd, "STOPPING=1");
	sdnotify_close();
	close(fd);
}

T_TEST(bad)
{
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	T_EQ_INT(sdnotify_open(), -1);
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	T_EQ_INT(sdnotify_open(), -1);
	T_EQ_INT(sdnotify_stopping(), 0);	/* still a no-op */
	unsetenv("NOTIFY_SOCKET");
}

int
main(void)
{
	T_RUN(unset);
	T_RUN(path);
	T_RUN(abstract);
	T_RUN(bad);
	return t_done();
}
