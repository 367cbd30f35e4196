/* Runs mesh show's formatter on a canned daemon reply, for the golden
 * tests: show-fmt pretty|colour|json|dump peers|dht|all FILE */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctlproto.h"
#include "cli/showfmt.h"
#include "common/util.h"

int
main(int argc, char *argv[])
{
	struct showfmt		 sf;
	struct ctl_reply	 r;
	enum showfmt_mode	 mode;
	char			*buf, err[256];
	size_t			 len;
	int			 what, colour = 0, i;

	if (argc < 3) {
		fprintf(stderr, "usage: show-fmt pretty|colour|json|dump "
		    "peers|dht|all FILE...\n");
		return 99;
	}
	if (strcmp(argv[1], "pretty") == 0)
		mode = SHOWFMT_PRETTY;
	else if (strcmp(argv[1], "colour") == 0) {
		mode = SHOWFMT_PRETTY;
		colour = 1;
	} else if (strcmp(argv[1], "json") == 0)
		mode = SHOWFMT_JSON;
	else if (strcmp(argv[1], "dump") == 0)
		mode = SHOWFMT_DUMP;
	else
		return 99;
	if ((what = showfmt_parse_what(argv[2])) == -1)
		return 99;
	showfmt_begin(&sf, stdout, mode, (unsigned)what, colour);
	for (i = 3; i < argc; i++) {
		if (util_read_file(argv[i], CTL_MAX_REPLY, &buf, &len) == -1) {
			perror(argv[i]);
			return 99;
		}
		if (ctl_reply_decode(buf, len, &r, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: %s\n", argv[i], err);
			return 1;
		}
		showfmt_iface(&sf, &r);
		ctl_reply_free(&r);
		free(buf);
	}
	showfmt_end(&sf);
	return 0;
}
