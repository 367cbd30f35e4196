/* mesh down: placeholder until its issue lands. */
#include "config.h"

#include <stdio.h>

#include "cmd.h"

static int	down_main(const struct cmd *, int, char **);

const struct cmd cmd_down = {
	"down", "IFACE", "stop the daemon of an interface", down_main
};

static int
down_main(const struct cmd *self, int argc, char **argv)
{
	fprintf(stderr, "mesh down: not implemented yet\n");
	return 1;
}
