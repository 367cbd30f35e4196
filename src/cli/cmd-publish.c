/* mesh publish [IFACE | NETCONFIG]: make the signed netconfig file of a
 * running interface its running version, which the members then fetch
 * from it (mesh-netconfig(5)); `mesh reload` on the admin's member does
 * the same, this says what version went out. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "control/control.h"
#include "control/ctlproto.h"

static int	publish_main(const struct cmd *, int, char **);

const struct cmd cmd_publish = {
	"publish", "[IFACE | NETCONFIG]",
	"send a newly signed netconfig to every member", publish_main
};

struct pick {
	const char	*path;		/* NULL: any interface */
	char		 ifname[CTL_IFNAME_SIZE];
	int		 n;
};

static int
match(const struct ctl_iface *i, void *arg)
{
	struct pick	*b = arg;

	if ((b->path == NULL || strcmp(i->netconfig, b->path) == 0) &&
	    b->n++ == 0)
		snprintf(b->ifname, sizeof(b->ifname), "%s", i->ifname);
	return 0;
}

int
cmd_find_iface(const char *who, const char *netconfig, char *ifname,
    size_t len)
{
	struct pick	b;
	char		path[PATH_MAX];

	memset(&b, 0, sizeof(b));
	if (netconfig != NULL) {
		if (realpath(netconfig, path) == NULL) {
			fprintf(stderr, "mesh %s: %s: %s\n", who, netconfig,
			    strerror(errno));
			return -1;
		}
		b.path = path;
	}
	(void)control_each_iface(match, &b);
	if (b.n == 0) {
		if (netconfig != NULL)
			fprintf(stderr, "mesh %s: no running daemon reads "
			    "%s\n", who, path);
		else
			fprintf(stderr, "mesh %s: no daemon is running\n",
			    who);
		return -1;
	}
	if (b.n > 1) {
		fprintf(stderr, "mesh %s: %d daemons%s%s: name the "
		    "interface\n", who, b.n, netconfig != NULL ? " read " : "",
		    netconfig != NULL ? path : " run");
		return -1;
	}
	snprintf(ifname, len, "%s", b.ifname);
	return 0;
}

/* One request to ifname's daemon, its decoded reply in *r; 0, or -1
 * after saying why. */
static int
ask(const char *who, const char *ifname, enum ctl_cmd cmd, const char *arg,
    struct ctl_reply *r)
{
	struct ctl_request	 rq;
	char			*buf, err[512];
	size_t			 len;

	memset(&rq, 0, sizeof(rq));
	rq.cmd = cmd;
	if (arg != NULL)
		snprintf(rq.arg, sizeof(rq.arg), "%s", arg);
	memset(r, 0, sizeof(*r));
	if (control_request(ifname, &rq, &buf, &len, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "mesh %s: %s\n", who, err);
		return -1;
	}
	if (ctl_reply_decode(buf, len, r, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh %s: %s: bad reply from the daemon: "
		    "%s\n", who, ifname, err);
		free(buf);
		ctl_reply_free(r);
		return -1;
	}
	free(buf);
	if (r->errnum != 0) {
		fprintf(stderr, "mesh %s: %s: %s\n", who, ifname,
		    r->error[0] != '\0' ? r->error : strerror(r->errnum));
		ctl_reply_free(r);
		return -1;
	}
	return 0;
}

int
cmd_publish_iface(const char *who, const char *ifname, FILE *out)
{
	struct ctl_reply	r;

	if (ask(who, ifname, CTL_CMD_RELOAD, NULL, &r) == -1)
		return -1;
	ctl_reply_free(&r);
	if (ask(who, ifname, CTL_CMD_SHOW, "peers", &r) == -1)
		return -1;
	if (!r.has_iface || r.iface.nc_hash[0] == '\0') {
		fprintf(stderr, "mesh %s: %s: reloaded, but its netconfig is "
		    "not signed: members only take signed versions (see mesh "
		    "sign)\n", who, ifname);
		ctl_reply_free(&r);
		return -1;
	}
	fprintf(out, "%s: version %llu (hash %.16s) is running; the "
	    "members fetch it from here\n", ifname, (unsigned long long)r.iface.nc_version,
	    r.iface.nc_hash);
	ctl_reply_free(&r);
	return 0;
}

static int
publish_main(const struct cmd *self, int argc, char **argv)
{
	char	ifname[CTL_IFNAME_SIZE];

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		cmd_usage(self);
	if (argc == 1 || strchr(argv[1], '/') != NULL) {
		if (cmd_find_iface("publish", argc == 2 ? argv[1] : NULL,
		    ifname, sizeof(ifname)) == -1)
			return 1;
	} else
		snprintf(ifname, sizeof(ifname), "%s", argv[1]);
	return cmd_publish_iface("publish", ifname, stdout) == -1 ? 1 : 0;
}
