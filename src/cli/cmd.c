/* What every subcommand shares (cmd.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"

void
cmd_usage(const struct cmd *c)
{
	fprintf(stderr, "usage: mesh %s%s%s\n", c->name,
	    c->args[0] != '\0' ? " " : "", c->args);
	exit(EXIT_USAGE);
}
