/* mesh reload: ask a running daemon to re-read its netconfig. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "control/control.h"
#include "control/ctlproto.h"

static int	reload_main(const struct cmd *, int, char **);

const struct cmd cmd_reload = {
	"reload", "IFACE", "re-read the netconfig of a running interface",
	reload_main
};

static int
reload_main(const struct cmd *self, int argc, char **argv)
{
	struct ctl_request	 rq;
	struct ctl_reply	 r;
	char			*buf, err[512];
	size_t			 len;

	if (argc != 2 || argv[1][0] == '-')
		cmd_usage(self);
	memset(&rq, 0, sizeof(rq));
	rq.cmd = CTL_CMD_RELOAD;
	if (control_request(argv[1], &rq, &buf, &len, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "mesh reload: %s\n", err);
		return 1;
	}
	if (ctl_reply_decode(buf, len, &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh reload: %s: bad reply from the daemon: "
		    "%s\n", argv[1], err);
		free(buf);
		ctl_reply_free(&r);
		return 1;
	}
	free(buf);
	if (r.errnum != 0) {
		fprintf(stderr, "mesh reload: %s: %s\n", argv[1],
		    r.error[0] != '\0' ? r.error : strerror(r.errnum));
		ctl_reply_free(&r);
		return 1;
	}
	if (r.reload.present)
		printf("%s: reloaded: %llu added, %llu removed, %llu changed, "
		    "%llu unchanged\n", argv[1],
		    (unsigned long long)r.reload.added,
		    (unsigned long long)r.reload.removed,
		    (unsigned long long)r.reload.changed,
		    (unsigned long long)r.reload.unchanged);
	ctl_reply_free(&r);
	return 0;
}
