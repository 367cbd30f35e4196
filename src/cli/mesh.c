/* mesh: peer-to-peer mesh VPN. main() dispatches to one subcommand. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "netconf/keys.h"
#include "common/util.h"

static int	help_main(const struct cmd *, int, char **);

static const struct cmd cmd_help = {
	"help", "[COMMAND]", "show this help, or a command's arguments",
	help_main
};

static const struct cmd *const cmds[] = {
	&cmd_up,
	&cmd_down,
	&cmd_show,
	&cmd_reload,
	&cmd_ping,
	&cmd_lookup,
	&cmd_check,
	&cmd_genkey,
	&cmd_pubkey,
	&cmd_sign,
	&cmd_add,
	&cmd_join,
	&cmd_publish,
	&cmd_workbit,
	&cmd_help,
};

static void
help(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: mesh <command> [arguments]\n\n"
	    "mesh %s, a peer-to-peer mesh VPN. Commands:\n", PACKAGE_VERSION);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-9s %s\n", cmds[i]->name, cmds[i]->help);
	fprintf(f, "\nmesh help COMMAND shows a command's arguments; "
	    "see mesh(8) and mesh-netconfig(5).\n");
}

static int
help_main(const struct cmd *self, int argc, char **argv)
{
	size_t	i;

	if (argc > 2)
		cmd_usage(self);
	if (argc == 2) {
		for (i = 0; i < ARRAY_SIZE(cmds); i++) {
			if (strcmp(cmds[i]->name, argv[1]) == 0) {
				printf("usage: mesh %s%s%s\n  %s\n",
				    cmds[i]->name,
				    cmds[i]->args[0] != '\0' ? " " : "",
				    cmds[i]->args, cmds[i]->help);
				return 0;
			}
		}
		fprintf(stderr, "mesh: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	help(stdout);
	return 0;
}

int
main(int argc, char *argv[])
{
	size_t	i;

	if (keys_init() == -1) {
		fprintf(stderr, "mesh: cannot initialise libsodium\n");
		return 1;
	}
	if (argc < 2) {
		/* As wg: no arguments shows every running interface. */
		char	 show_word[] = "show";
		char	*show_argv[] = { show_word, NULL };

		return cmd_show.main(&cmd_show, 1, show_argv);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "-V") == 0) {
		printf("mesh %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (strcmp(cmds[i]->name, argv[1]) == 0)
			return cmds[i]->main(cmds[i], argc - 1, argv + 1);
	fprintf(stderr, "mesh: unknown command '%s'; try mesh help\n",
	    argv[1]);
	return EXIT_USAGE;
}
