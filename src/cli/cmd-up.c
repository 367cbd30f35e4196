/* mesh up: validate a netconfig and key, then run the daemon for it. */
#include "config.h"

#include <stdio.h>

#include "cli/cmd.h"
#include "daemon/daemon.h"
#include "netconf/netconf.h"

static int	up_main(const struct cmd *, int, char **);

const struct cmd cmd_up = {
	"up", "NETCONFIG [private-key FILE] [interface NAME] [listen-port N] "
	    "[metrics ADDR:PORT] [-f] [-v]", "start the daemon for a network", up_main
};

static int
up_main(const struct cmd *self, int argc, char **argv)
{
	struct up_args	ua;
	char		err[256];

	if (netconf_parse_up_args(argc - 1, argv + 1, &ua, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mesh up: %s\n", err);
		cmd_usage(self);
	}
	return daemon_main(&ua);
}
