/* mesh down: ask the daemon of an interface to stop, and wait until it
 * has removed the interface and its control socket. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "control/control.h"
#include "control/ctlproto.h"
#include "netconf/netconf.h"

static int	down_main(const struct cmd *, int, char **);

const struct cmd cmd_down = {
	"down", "IFACE", "stop the daemon of an interface", down_main
};

static int
down_main(const struct cmd *self, int argc, char **argv)
{
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	const char		*why;
	char			*reply, err[256];
	size_t			 len;
	int			 rc = 0;

	if (argc != 2)
		cmd_usage(self);
	if (netconf_parse_ifname(argv[1], &why) == -1) {
		fprintf(stderr, "mesh down: %s: %s\n", argv[1], why);
		return EXIT_USAGE;
	}
	memset(&req, 0, sizeof(req));
	req.cmd = CTL_CMD_DOWN;
	if (control_request(argv[1], &req, &reply, &len, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mesh down: %s\n", err);
		return 1;
	}
	if (ctl_reply_decode(reply, len, &rep, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh down: bad reply from the daemon: %s\n",
		    err);
		rc = 1;
	} else if (rep.errnum != 0) {
		fprintf(stderr, "mesh down: %s: %s\n", argv[1],
		    rep.error[0] != '\0' ? rep.error : strerror(rep.errnum));
		rc = 1;
	}
	ctl_reply_free(&rep);
	free(reply);
	return rc;
}
