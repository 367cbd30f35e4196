/* Reading a netconfig file: the I/O half of netconf.c, shared by mesh
 * check, mesh up and mesh reload so that they report errors alike. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf.h"
#include "util.h"

int
netconf_load(const char *path, struct netconf *nc, char *err, size_t errlen)
{
	char	*buf, msg[384];
	size_t	 len;
	int	 line, rc;

	memset(nc, 0, sizeof(*nc));
	if (util_read_file(path, NETCONF_MAX_SIZE, &buf, &len) == -1) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: file too large (more than "
			    "%d bytes)", path, NETCONF_MAX_SIZE);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = netconf_parse(buf, len, nc, &line, msg, sizeof(msg));
	free(buf);
	if (rc == -1) {
		if (line > 0)
			snprintf(err, errlen, "%s:%d: %s", path, line, msg);
		else
			snprintf(err, errlen, "%s: %s", path, msg);
	}
	return rc;
}
