/* mesh up: placeholder until its issue lands. */
#include "config.h"

#include <stdio.h>

#include "cmd.h"

static int	up_main(const struct cmd *, int, char **);

const struct cmd cmd_up = {
	"up", "NETCONFIG [private-key FILE] [interface NAME] [listen-port N] [-f] [-v]", "start the daemon for a network", up_main
};

static int
up_main(const struct cmd *self, int argc, char **argv)
{
	fprintf(stderr, "mesh up: not implemented yet\n");
	return 1;
}
