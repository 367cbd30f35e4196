/* Checks `mesh up` makes in the foreground, before going to the background,
 * on what the netconfig alone cannot tell: is this member already running,
 * is the key file what it should be, can the user the daemon drops to read
 * the netconfig for later reloads. Each failure says what to do. */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "control/control.h"
#include "control/ctlproto.h"
#include "daemon/daemon-int.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "os/privdrop.h"

/* --- the same key running twice --- */

struct dup_arg {
	char	key[KEY_TEXT_LEN + 1];
	char	ns[NETCONF_NAME_MAX + 1];
	char	ifname[CTL_IFNAME_SIZE];
	char	network[CTL_NAME_SIZE];
};

static int
dup_match(const struct ctl_iface *i, void *arg)
{
	struct dup_arg	*a = arg;

	if (strcmp(i->key, a->key) != 0 || strcmp(i->ns, a->ns) != 0)
		return 0;
	util_strlcpy(a->ifname, i->ifname, sizeof(a->ifname));
	util_strlcpy(a->network, i->network, sizeof(a->network));
	return 1;
}

int
upcheck_duplicate(const struct netconf *nc, const uint8_t pk[KEY_LEN],
    char *err, size_t errlen)
{
	struct dup_arg	a;

	memset(&a, 0, sizeof(a));
	key_to_text(a.key, pk);
	util_strlcpy(a.ns, nc->ns, sizeof(a.ns));
	if (control_each_iface(dup_match, &a) == 0)
		return 0;
	/* A second copy would take over the first's routes and, for the
	 * other members, its identity: the first would go dark. */
	snprintf(err, errlen, "key %s already runs as interface %s (network "
	    "%s): one key, one daemon; stop it first (mesh down %s) or use "
	    "that interface", a.key, a.ifname, a.network, a.ifname);
	return -1;
}

/* --- the key file --- */

int
upcheck_key(const struct netconf *nc, const char *keyfile,
    const uint8_t sk[KEY_LEN], const uint8_t pk[KEY_LEN], int headless,
    char *err, size_t errlen)
{
	char	k[KEY_TEXT_LEN + 1];
	size_t	i;

	if (netconf_member_by_key(nc, pk) != NULL)
		return 0;
	/* A public key and a private key look alike (32 bytes of base64):
	 * the file's bytes being a known public key gives it away. */
	for (i = 0; i < nc->nmembers; i++)
		if (memcmp(nc->members[i].key, sk, KEY_LEN) == 0) {
			snprintf(err, errlen, "%s: this looks like a public key "
			    "(that of %s, line %d of the netconfig), not a "
			    "private key: give the file mesh genkey wrote",
			    keyfile, nc->members[i].hostname[0] != '\0' ?
			    nc->members[i].hostname : "a member",
			    nc->members[i].line);
			return -1;
		}
	for (i = 0; i < nc->nboots; i++) {
		if (memcmp(nc->boots[i].key, sk, KEY_LEN) == 0) {
			snprintf(err, errlen, "%s: this looks like a public key "
			    "(the boot node's of line %d), not a private key: "
			    "give the file mesh genkey wrote", keyfile,
			    nc->boots[i].line);
			return -1;
		}
		/* A public node started with the members' netconfig. */
		if (memcmp(nc->boots[i].key, pk, KEY_LEN) == 0)
			return 0;
	}
	/* No trust line at all (config/public): a public node. */
	if (headless || nc->nmembers == 0)
		return 0;
	key_to_text(k, pk);
	snprintf(err, errlen, "%s: its public key %s is no trust line of the "
	    "netconfig, so this would be no member: add a trust line for it "
	    "(then mesh reload on the other members), or to run a public node "
	    "without an interface, add the word headless", keyfile, k);
	return -1;
}

/* --- the netconfig, as read by the user the daemon becomes --- */

/* In a child that became u: the first component of path it cannot
 * search, or path itself if it cannot read it; errno in *e. */
static void
probe_as(const struct privdrop_user *u, const char *path, int fd)
{
	char	buf[PATH_MAX], *s;
	int	e = 0, f;

	if (setgroups(1, &u->gid) == -1 || setresgid(u->gid, u->gid,
	    u->gid) == -1 || setresuid(u->uid, u->uid, u->uid) == -1)
		_exit(2);
	util_strlcpy(buf, path, sizeof(buf));
	/* Each directory on the way, then the file. */
	for (s = strchr(buf + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (access(buf, X_OK) == -1) {
			e = errno;
			break;
		}
		*s = '/';
	}
	if (e == 0) {
		if ((f = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK)) == -1)
			e = errno;
		else
			close(f);
	}
	if (e != 0) {
		(void)write(fd, &e, sizeof(e));
		(void)write(fd, buf, strlen(buf));
	}
	_exit(0);
}

int
upcheck_readable(const char *path, const struct privdrop_user *u,
    char *err, size_t errlen)
{
	char	buf[sizeof(int) + PATH_MAX + 1];
	ssize_t	n;
	size_t	len = 0;
	pid_t	pid;
	int	p[2], e, status;

	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		snprintf(err, errlen, "checking %s for user %s: %s", path,
		    u->name, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		probe_as(u, path, p[1]);
	}
	close(p[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (len <= sizeof(int))
		return 0;		/* readable (or the probe could not
					 * even start: privdrop says why) */
	buf[len] = '\0';
	memcpy(&e, buf, sizeof(e));
	if (strcmp(buf + sizeof(int), path) == 0)
		snprintf(err, errlen, "%s: %s for user %s, which the daemon "
		    "runs as after start-up: mesh reload and SIGHUP will fail "
		    "until it can read it: make it readable (chmod o+r, or chgrp a group of "
		    "%s and chmod g+r; a netconfig holds no secret), or set "
		    "MESH_USER to a user that can read it", path, strerror(e),
		    u->name, u->name);
	else
		snprintf(err, errlen, "%s: the directory %s is %s for user "
		    "%s, which the daemon runs as after start-up: mesh reload "
		    "and SIGHUP will fail until it can read the netconfig: "
		    "chmod o+x %s, "
		    "or set MESH_USER to a user that can", path,
		    buf + sizeof(int), strerror(e), u->name,
		    buf + sizeof(int));
	return -1;
}
