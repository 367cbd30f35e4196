/* mesh reload: placeholder until its issue lands. */
#include "config.h"

#include <stdio.h>

#include "cmd.h"

static int	reload_main(const struct cmd *, int, char **);

const struct cmd cmd_reload = {
	"reload", "IFACE", "re-read the netconfig of a running interface", reload_main
};

static int
reload_main(const struct cmd *self, int argc, char **argv)
{
	fprintf(stderr, "mesh reload: not implemented yet\n");
	return 1;
}
