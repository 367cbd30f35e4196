/* The subcommands of the mesh binary: one file each (cmd-NAME.c), gathered
 * in the table in mesh.c. */
#ifndef MESH_CMD_H
#define MESH_CMD_H

struct cmd {
	const char	*name;
	const char	*args;		/* usage after "mesh NAME" */
	const char	*help;		/* one line for `mesh help` */
	int		(*main)(const struct cmd *, int argc, char **argv);
};

/* Exit codes (documented in mesh(8)). */
#define EXIT_USAGE	2

/* Print "usage: mesh NAME ARGS" and exit with EXIT_USAGE. */
__attribute__((noreturn)) void cmd_usage(const struct cmd *);

extern const struct cmd cmd_genkey;
extern const struct cmd cmd_pubkey;
extern const struct cmd cmd_workbit;
extern const struct cmd cmd_check;
extern const struct cmd cmd_up;
extern const struct cmd cmd_down;
extern const struct cmd cmd_show;
extern const struct cmd cmd_reload;
extern const struct cmd cmd_sign;
extern const struct cmd cmd_ping;
extern const struct cmd cmd_lookup;

#endif
