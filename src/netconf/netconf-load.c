/* Reading a netconfig file: the I/O half of netconf.c, shared by mesh
 * check, mesh up and mesh reload so that they report errors alike. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netconf/netconf.h"
#include "netconf/sign.h"
#include "common/util.h"

/* What NETCONF_LOAD_SECURE asks of the open file. */
static int
secure(int fd, const char *path, char *err, size_t errlen)
{
	struct stat	st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file; a netconfig is "
		    "read from a file", path);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen, "%s: writable by group or others (mode "
		    "%04o): whoever can change it decides who may join; run "
		    "chmod go-w %s", path, (unsigned)(st.st_mode & 07777),
		    path);
		return -1;
	}
	return 0;
}

int
netconf_read(const char *path, unsigned flags, char **buf, size_t *len,
    char *err, size_t errlen)
{
	int	fd, rc;

	/* O_NONBLOCK: a FIFO is refused, not waited on */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC |
	    ((flags & NETCONF_LOAD_SECURE) ? O_NONBLOCK : 0))) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((flags & NETCONF_LOAD_SECURE) &&
	    secure(fd, path, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	rc = util_read_fd(fd, NETCONF_MAX_SIZE, buf, len);
	if (rc == -1) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: file too large (more than "
			    "%d bytes)", path, NETCONF_MAX_SIZE);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
	}
	close(fd);
	return rc;
}

int
netconf_parse_named(const char *path, const char *buf, size_t len,
    struct netconf *nc, char *err, size_t errlen)
{
	char	msg[384];
	int	line, rc;

	rc = netconf_parse(buf, len, nc, &line, msg, sizeof(msg));
	if (rc == -1) {
		if (line > 0)
			snprintf(err, errlen, "%s:%d: %s", path, line, msg);
		else
			snprintf(err, errlen, "%s: %s", path, msg);
	}
	return rc;
}

int
netconf_load(const char *path, unsigned flags, struct netconf *nc,
    char *err, size_t errlen)
{
	char	*buf, msg[384];
	size_t	 len;
	int	 rc;

	memset(nc, 0, sizeof(*nc));
	if (netconf_read(path, flags, &buf, &len, err, errlen) == -1)
		return -1;
	rc = netconf_parse_named(path, buf, len, nc, err, errlen);
	if (rc == 0 && (flags & NETCONF_LOAD_VERIFY) && nc->sig_line != 0 &&
	    netconf_accept(NULL, nc, buf, len, NULL, NETCONF_ACCEPT_LOCAL, msg,
	    sizeof(msg)) != NCV_OK) {
		snprintf(err, errlen, "%s: %s", path, msg);
		netconf_free(nc);
		rc = -1;
	}
	free(buf);
	return rc;
}
