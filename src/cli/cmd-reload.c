/* mesh reload: ask a running daemon to re-read its netconfig. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "control/control.h"
#include "control/ctlproto.h"

static int	reload_main(const struct cmd *, int, char **);

const struct cmd cmd_reload = {
	"reload", "IFACE | NETCONFIG",
	"re-read the netconfig of a running interface", reload_main
};

struct by_netconfig {
	const char	*path;		/* absolute, as the daemon shows it */
	char		 ifname[CTL_IFNAME_SIZE];
	int		 n;
};

static int
match_netconfig(const struct ctl_iface *i, void *arg)
{
	struct by_netconfig	*b = arg;

	if (strcmp(i->netconfig, b->path) == 0 && b->n++ == 0)
		snprintf(b->ifname, sizeof(b->ifname), "%s", i->ifname);
	return 0;
}

/* The interface whose daemon reads netconfig (a path: it has a '/'), as a
 * service manager knows it (mesh@.service); 0, or -1 after saying why. */
static int
find_by_netconfig(const char *netconfig, char *ifname, size_t len)
{
	struct by_netconfig	b;
	char			path[PATH_MAX];

	if (realpath(netconfig, path) == NULL) {
		fprintf(stderr, "mesh reload: %s: %s\n", netconfig,
		    strerror(errno));
		return -1;
	}
	memset(&b, 0, sizeof(b));
	b.path = path;
	(void)control_each_iface(match_netconfig, &b);
	if (b.n == 0) {
		fprintf(stderr, "mesh reload: no running daemon reads %s\n",
		    path);
		return -1;
	}
	if (b.n > 1) {
		fprintf(stderr, "mesh reload: %d daemons read %s: name the "
		    "interface\n", b.n, path);
		return -1;
	}
	snprintf(ifname, len, "%s", b.ifname);
	return 0;
}

static int
reload_main(const struct cmd *self, int argc, char **argv)
{
	struct ctl_request	 rq;
	struct ctl_reply	 r;
	char			*buf, err[512], ifname[CTL_IFNAME_SIZE];
	size_t			 len;

	if (argc != 2 || argv[1][0] == '-')
		cmd_usage(self);
	if (strchr(argv[1], '/') != NULL) {
		if (find_by_netconfig(argv[1], ifname, sizeof(ifname)) == -1)
			return 1;
		argv[1] = ifname;
	}
	memset(&rq, 0, sizeof(rq));
	rq.cmd = CTL_CMD_RELOAD;
	if (control_request(argv[1], &rq, &buf, &len, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "mesh reload: %s\n", err);
		return 1;
	}
	if (ctl_reply_decode(buf, len, &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh reload: %s: bad reply from the daemon: "
		    "%s\n", argv[1], err);
		free(buf);
		ctl_reply_free(&r);
		return 1;
	}
	free(buf);
	if (r.errnum != 0) {
		fprintf(stderr, "mesh reload: %s: %s\n", argv[1],
		    r.error[0] != '\0' ? r.error : strerror(r.errnum));
		ctl_reply_free(&r);
		return 1;
	}
	if (r.reload.present)
		printf("%s: reloaded: %llu added, %llu removed, %llu changed, "
		    "%llu unchanged\n", argv[1],
		    (unsigned long long)r.reload.added,
		    (unsigned long long)r.reload.removed,
		    (unsigned long long)r.reload.changed,
		    (unsigned long long)r.reload.unchanged);
	ctl_reply_free(&r);
	return 0;
}
