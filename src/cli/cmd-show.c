/* mesh show: ask running daemons over their control sockets and print
 * what they say (the daemon sends data; all formatting is showfmt.c's). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/member.h"
#include "control/control.h"
#include "control/ctlproto.h"
#include "cli/showfmt.h"

static int	show_main(const struct cmd *, int, char **);

const struct cmd cmd_show = {
	"show", "[--json | --dump] [IFACE | all] [peers | dht | all | MEMBER] | "
	"MEMBER | interfaces",
	"show interfaces, members, paths, NAT and DHT state", show_main
};

/* Query one daemon and print it; 0 or 1. With member, only that member
 * (hostname, key, key prefix or inside address); quiet: a daemon that
 * does not know it prints nothing and returns 1 (show MEMBER over all). */
static int
show_one(struct showfmt *sf, const char *ifname, const char *what,
    const char *member, int quiet)
{
	ssize_t			 m;
	struct ctl_request	 rq;
	struct ctl_reply	 r;
	char			*buf, err[512];
	size_t			 len;

	memset(&rq, 0, sizeof(rq));
	rq.cmd = CTL_CMD_SHOW;
	snprintf(rq.arg, sizeof(rq.arg), "%s", what);
	if (control_request(ifname, &rq, &buf, &len, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh show: %s\n", err);
		return 1;
	}
	if (ctl_reply_decode(buf, len, &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh show: %s: bad reply from the daemon: "
		    "%s\n", ifname, err);
		ctl_reply_free(&r);
		free(buf);
		return 1;
	}
	free(buf);
	if (r.errnum != 0) {
		fprintf(stderr, "mesh show: %s: %s\n", ifname,
		    r.error[0] != '\0' ? r.error : strerror(r.errnum));
		ctl_reply_free(&r);
		return 1;
	}
	if (!r.has_iface) {
		fprintf(stderr, "mesh show: %s: reply without an interface "
		    "record\n", ifname);
		ctl_reply_free(&r);
		return 1;
	}
	if (member != NULL) {
		if ((m = member_find(&r, member, err, sizeof(err))) == -1) {
			if (!quiet)
				fprintf(stderr, "mesh show: %s: %s\n", ifname,
				    err);
			ctl_reply_free(&r);
			return 1;
		}
		if (m != 0)
			r.peers[0] = r.peers[m];
		r.npeers = 1;
	}
	showfmt_iface(sf, &r);
	ctl_reply_free(&r);
	return 0;
}

/* The names of the running interfaces, one a line (for scripts and shell
 * completion; needs no permission on the sockets). */
static int
show_interfaces(void)
{
	char	**names;
	size_t	  n, i;

	if (control_list(&names, &n) == -1) {
		fprintf(stderr, "mesh show: listing interfaces: %s\n",
		    strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%s\n", names[i]);
	control_list_free(names, n);
	return fflush(stdout) == EOF ? 1 : 0;
}

/* Is a daemon's socket for ifname there? */
static int
iface_listed(const char *ifname)
{
	char	**names;
	size_t	  n, i;
	int	  found = 0;

	if (control_list(&names, &n) == -1)
		return 1;	/* let the request say what is wrong */
	for (i = 0; i < n && !found; i++)
		found = strcmp(names[i], ifname) == 0;
	control_list_free(names, n);
	return found;
}

static int
use_colour(void)
{
	const char	*term = getenv("TERM");

	if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0')
		return 0;
	return isatty(STDOUT_FILENO) && term != NULL &&
	    strcmp(term, "dumb") != 0;
}

static int
show_main(const struct cmd *self, int argc, char **argv)
{
	enum showfmt_mode	 mode = SHOWFMT_PRETTY;
	struct showfmt		 sf;
	const char		*words[2], *iface = "all", *what = "peers";
	const char		*member = NULL;
	char			**names = NULL;
	size_t			 n = 0, i;
	int			 nwords = 0, w, rc = 0, found = 0;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			mode = SHOWFMT_JSON;
		else if (strcmp(argv[i], "--dump") == 0)
			mode = SHOWFMT_DUMP;
		else if (argv[i][0] == '-')
			cmd_usage(self);
		else if (nwords < 2)
			words[nwords++] = argv[i];
		else if (nwords == 2 && strcmp(argv[i], "dump") == 0)
			mode = SHOWFMT_DUMP;	/* wg's spelling */
		else
			cmd_usage(self);
	}
	if (nwords >= 1 && strcmp(words[0], "interfaces") == 0) {
		if (nwords > 1 || mode != SHOWFMT_PRETTY)
			cmd_usage(self);
		return show_interfaces();
	}
	if (nwords >= 1)
		iface = words[0];
	if (nwords == 2) {
		if (strcmp(words[1], "dump") == 0)
			mode = SHOWFMT_DUMP;
		else if (showfmt_parse_what(words[1]) == -1)
			member = words[1];	/* show IFACE MEMBER */
		else
			what = words[1];
	}
	/* show MEMBER: a word that names no running interface */
	if (nwords == 1 && strcmp(iface, "all") != 0 &&
	    !iface_listed(iface)) {
		member = iface;
		iface = "all";
	}
	if ((w = showfmt_parse_what(what)) == -1) {
		fprintf(stderr, "mesh show: unknown '%s': expected peers, dht "
		    "or all\n", what);
		return EXIT_USAGE;
	}

	if (strcmp(iface, "all") == 0) {
		if (control_list(&names, &n) == -1) {
			fprintf(stderr, "mesh show: listing interfaces: %s\n",
			    strerror(errno));
			return 1;
		}
		if (n == 0 && mode == SHOWFMT_PRETTY)
			fprintf(stderr, "mesh: no interfaces are running "
			    "(start one with mesh up; see mesh help)\n");
	}
	showfmt_begin(&sf, stdout, mode, (unsigned)w, use_colour());
	if (strcmp(iface, "all") == 0 && member != NULL) {
		/* every interface that knows the member */
		for (i = 0; i < n; i++)
			if (show_one(&sf, names[i], what, member, 1) == 0)
				found++;
		control_list_free(names, n);
		/* no member of that name: it was meant as an interface,
		 * whose daemon says why it does not answer */
		if (found == 0)
			rc = show_one(&sf, member, what, NULL, 0);
	} else if (strcmp(iface, "all") == 0) {
		for (i = 0; i < n; i++)
			rc |= show_one(&sf, names[i], what, NULL, 0);
		control_list_free(names, n);
	} else
		rc = show_one(&sf, iface, what, member, 0);
	showfmt_end(&sf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "mesh show: writing output: %s\n",
		    strerror(errno));
		return 1;
	}
	return rc;
}
