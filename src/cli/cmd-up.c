/* mesh up: validate a netconfig and key, then run the daemon for it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "daemon/daemon.h"
#include "netconf/netconf.h"

static int	up_main(const struct cmd *, int, char **);

const struct cmd cmd_up = {
	"up", "NETCONFIG [private-key FILE] [interface NAME] [listen-port N] "
	    "[tcp-port N] [metrics ADDR:PORT] [headless] [-f] [-v]",
	    "start the daemon for a network", up_main
};

/* Take the word headless out of argv (not a value of a word pair, which
 * netconf_parse_up_args reads); 1 if it was there. */
static int
take_headless(int *argc, char **argv)
{
	int	i, j, seen = 0, seen_netconfig = 0;

	for (i = j = 1; i < *argc; i++) {
		if (argv[i][0] != '-' && seen_netconfig &&
		    strcmp(argv[i], "headless") == 0 && !seen) {
			seen = 1;
			continue;
		}
		if (argv[i][0] != '-' && !seen_netconfig)
			seen_netconfig = 1;
		else if ((strcmp(argv[i], "private-key") == 0 ||
		    strcmp(argv[i], "interface") == 0 ||
		    strcmp(argv[i], "listen-port") == 0 ||
		    strcmp(argv[i], "tcp-port") == 0 ||
		    strcmp(argv[i], "metrics") == 0) && i + 1 < *argc)
			argv[j++] = argv[i++];
		argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
	return seen;
}

static int
up_main(const struct cmd *self, int argc, char **argv)
{
	struct up_args	ua;
	char		err[256];
	int		headless;

	headless = take_headless(&argc, argv);
	if (netconf_parse_up_args(argc - 1, argv + 1, &ua, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mesh up: %s\n", err);
		cmd_usage(self);
	}
	return daemon_main(&ua, headless);
}
