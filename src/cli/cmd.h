/* The subcommands of the mesh binary: one file each (cmd-NAME.c), gathered
 * in the table in mesh.c. */
#ifndef MESH_CMD_H
#define MESH_CMD_H

#include <stdio.h>

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

/* cmd-sign.c: write buf to path through a temporary file renamed over
 * it (a file replaced keeps its mode); 0, or -1 with errno set. */
int	cmd_write_file(const char *path, const char *buf, size_t len);
/* cmd-publish.c: the one interface whose daemon reads netconfig (NULL:
 * the one running); 0, or -1 after saying why as "mesh WHO: ...". */
int	cmd_find_iface(const char *who, const char *netconfig, char *ifname,
	    size_t len);
/* Reload ifname's netconfig and say on out which signed version it runs;
 * 0, or -1 after saying why. */
int	cmd_publish_iface(const char *who, const char *ifname, FILE *out);

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
extern const struct cmd cmd_publish;
extern const struct cmd cmd_add;
extern const struct cmd cmd_join;

#endif
