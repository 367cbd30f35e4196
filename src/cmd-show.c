/* mesh show: placeholder until its issue lands. */
#include "config.h"

#include <stdio.h>

#include "cmd.h"

static int	show_main(const struct cmd *, int, char **);

const struct cmd cmd_show = {
	"show", "[IFACE|all] [peers|dht|all] [--json|dump]", "show interfaces, members, paths, NAT and DHT state", show_main
};

static int
show_main(const struct cmd *self, int argc, char **argv)
{
	fprintf(stderr, "mesh show: not implemented yet\n");
	return 1;
}
