/* mesh check: placeholder until its issue lands. */
#include "config.h"

#include <stdio.h>

#include "cmd.h"

static int	check_main(const struct cmd *, int, char **);

const struct cmd cmd_check = {
	"check", "NETCONFIG", "validate a netconfig and print the resolved network", check_main
};

static int
check_main(const struct cmd *self, int argc, char **argv)
{
	fprintf(stderr, "mesh check: not implemented yet\n");
	return 1;
}
