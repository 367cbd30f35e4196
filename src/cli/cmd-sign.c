/* mesh sign NETCONFIG private-key ADMIN.SK [previous FILE] [output FILE]:
 * a signed copy of a netconfig (sign.h), on standard output or into a
 * file. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "common/util.h"
#include "netconf/adminkey.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"

static int	sign_main(const struct cmd *, int, char **);

const struct cmd cmd_sign = {
	"sign", "NETCONFIG private-key ADMIN.SK [previous FILE] [output FILE]",
	"sign a netconfig with an admin key (mesh genkey admin)", sign_main
};

/* Write buf to path through a temporary file renamed over it, so that a
 * reader (a daemon reloading) never sees half a file, and the output may
 * be the input. A file replaced keeps its mode (the daemon, unprivileged
 * by then, must still read it on reload); a new one gets 0644 less the
 * umask. */
int
cmd_write_file(const char *path, const char *buf, size_t len)
{
	struct stat	st;
	char		tmp[4096];
	int		fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path,
	    (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(fd, st.st_mode & 07777);
	if (util_write_all(fd, buf, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

static int
sign_main(const struct cmd *self, int argc, char **argv)
{
	struct netconf	 nc, prev;
	const char	*key = NULL, *prevpath = NULL, *outpath = NULL;
	uint8_t		 sk[ADMIN_SK_LEN];
	char		 err[1024], *buf, *out;
	size_t		 len, outlen;
	int		 i, rc = 1;

	if (argc < 2 || argv[1][0] == '\0')
		cmd_usage(self);
	for (i = 2; i < argc; i += 2) {
		const char	**slot = NULL;

		if (i + 1 >= argc)
			cmd_usage(self);
		if (strcmp(argv[i], "private-key") == 0)
			slot = &key;
		else if (strcmp(argv[i], "previous") == 0)
			slot = &prevpath;
		else if (strcmp(argv[i], "output") == 0)
			slot = &outpath;
		if (slot == NULL || *slot != NULL)
			cmd_usage(self);
		*slot = argv[i + 1];
	}
	if (key == NULL)
		cmd_usage(self);
	memset(&prev, 0, sizeof(prev));
	if (prevpath != NULL &&
	    netconf_load(prevpath, 0, &prev, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh sign: %s\n", err);
		return 1;
	}
	if (netconf_read(argv[1], 0, &buf, &len, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh sign: %s\n", err);
		netconf_free(&prev);
		return 1;
	}
	if (netconf_parse_named(argv[1], buf, len, &nc, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mesh sign: %s\n", err);
		goto out;
	}
	if (admin_read_file(key, sk, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh sign: %s\n", err);
		goto out;
	}
	rc = netconf_sign(buf, len, &nc, sk, prevpath != NULL ? &prev : NULL,
	    &out, &outlen, err, sizeof(err));
	key_wipe(sk, sizeof(sk));
	if (rc == -1) {
		fprintf(stderr, "mesh sign: %s: %s\n", argv[1], err);
		rc = 1;
		goto out;
	}
	if (outpath == NULL) {
		if (fwrite(out, 1, outlen, stdout) != outlen ||
		    fflush(stdout) != 0) {
			perror("mesh sign: stdout");
			rc = 1;
		}
	} else if (cmd_write_file(outpath, out, outlen) == -1) {
		fprintf(stderr, "mesh sign: %s: %s\n", outpath,
		    strerror(errno));
		rc = 1;
	} else
		fprintf(stderr, "mesh sign: %s: version %llu signed\n",
		    outpath, (unsigned long long)nc.version);
	free(out);
out:
	free(buf);
	netconf_free(&nc);
	netconf_free(&prev);
	return rc;
}
