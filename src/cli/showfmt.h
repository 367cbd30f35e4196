/* Formatting of `mesh show`: decoded control replies (ctlproto.h) to text
 * for people (pretty, coloured on request), JSON for programs, and a
 * tab-separated dump for scripts. Pure apart from writing to the FILE it is
 * given; ages are computed against the daemon's "now" in the reply, so the
 * same reply always gives the same output (the golden tests rely on it). */
#ifndef MESH_SHOWFMT_H
#define MESH_SHOWFMT_H

#include <stdio.h>

#include "control/ctlproto.h"

enum showfmt_mode {
	SHOWFMT_PRETTY,
	SHOWFMT_JSON,
	SHOWFMT_DUMP,
};

/* What to show besides the interface itself. */
#define SHOWFMT_PEERS	0x1
#define SHOWFMT_DHT	0x2

struct showfmt {
	FILE		*f;
	enum showfmt_mode mode;
	unsigned	 what;		/* SHOWFMT_* */
	int		 colour;	/* pretty only: ANSI colours */
	unsigned	 count;		/* interfaces written so far */
};

/* "peers", "dht", "all" -> SHOWFMT_* bits; -1 if none of them. */
int	showfmt_parse_what(const char *);

/* Output is showfmt_begin, showfmt_iface for each interface, showfmt_end
 * (the JSON document is {"version":1,"interfaces":[...]} even for one
 * interface, so scripts need not care how many they asked for). */
void	showfmt_begin(struct showfmt *, FILE *, enum showfmt_mode,
	    unsigned what, int colour);
void	showfmt_iface(struct showfmt *, const struct ctl_reply *);
void	showfmt_end(struct showfmt *);
/* The --dump lines of one interface (showfmt-dump.c; showfmt_iface calls
 * it in SHOWFMT_DUMP mode). */
void	showfmt_dump(struct showfmt *, const struct ctl_reply *);

/* showfmt-nc.c: a signed netconfig's lines (pretty: with the escapes
 * for bold, red and reset, and since: "5 minutes ago"; JSON: the
 * "signed_netconfig" key, indented by in, with its comma). */
void	showfmt_nc_pretty(FILE *, const char *bold, const char *red,
	    const char *reset, const char *since, const struct ctl_iface *);
void	showfmt_nc_json(FILE *, const char *in, const struct ctl_iface *);

/* Helpers, exposed for tests: "1.50 KiB", "3 minutes, 2 seconds". */
void	showfmt_bytes(char *buf, size_t len, uint64_t n);
void	showfmt_duration(char *buf, size_t len, uint64_t secs);

#endif
