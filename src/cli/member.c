/* Members named on the command line (member.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/member.h"
#include "control/control.h"
#include "control/ctlproto.h"
#include "common/util.h"

#define PREFIX_MIN	4	/* characters of a key prefix */

/* ifname, or the only interface running; into out. 0, or -1 after
 * printing why ("mesh CMD: ..."). */
static int
pick_iface(const char *cmd, const char *ifname, char *out, size_t outlen)
{
	char	**names;
	size_t	  n, i;

	if (ifname != NULL) {
		util_strlcpy(out, ifname, outlen);
		return 0;
	}
	if (control_list(&names, &n) == -1) {
		fprintf(stderr, "mesh %s: listing interfaces: %s\n", cmd,
		    strerror(errno));
		return -1;
	}
	if (n == 1)
		util_strlcpy(out, names[0], outlen);
	else if (n == 0)
		fprintf(stderr, "mesh %s: no interfaces are running (start "
		    "one with mesh up)\n", cmd);
	else {
		fprintf(stderr, "mesh %s: %zu interfaces are running; name "
		    "one:", cmd, n);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", names[i]);
		fprintf(stderr, "\n");
	}
	control_list_free(names, n);
	return n == 1 ? 0 : -1;
}

int
member_word(const char *arg, const char *words[2], int *nwords)
{
	if ((arg[0] == '-' && strlen(arg) < 4) || *nwords == 2)
		return -1;
	words[(*nwords)++] = arg;
	return 0;
}

int
member_open(const char *cmd, const char *const words[2], int nwords,
    char *ifname, size_t iflen, struct ctl_reply *r, const char **arg)
{
	char	msg[512];

	if (pick_iface(cmd, nwords == 2 ? words[0] : NULL, ifname,
	    iflen) == -1)
		return -1;
	if (member_show(ifname, r, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "mesh %s: %s\n", cmd, msg);
		return -1;
	}
	*arg = words[nwords - 1];
	return 0;
}

int
member_show(const char *ifname, struct ctl_reply *r, char *err,
    size_t errlen)
{
	struct ctl_request	 rq;
	char			*buf, derr[256];
	size_t			 len;

	memset(r, 0, sizeof(*r));
	memset(&rq, 0, sizeof(rq));
	rq.cmd = CTL_CMD_SHOW;
	util_strlcpy(rq.arg, "peers", sizeof(rq.arg));
	if (control_request(ifname, &rq, &buf, &len, err, errlen) == -1)
		return -1;
	if (ctl_reply_decode(buf, len, r, derr, sizeof(derr)) == -1) {
		snprintf(err, errlen, "%s: bad reply from the daemon: %s",
		    ifname, derr);
		free(buf);
		ctl_reply_free(r);
		return -1;
	}
	free(buf);
	if (r->errnum != 0) {
		snprintf(err, errlen, "%s: %s", ifname, r->error[0] != '\0' ?
		    r->error : strerror(r->errnum));
		ctl_reply_free(r);
		return -1;
	}
	return 0;
}

ssize_t
member_by_key(const struct ctl_reply *r, const char *key)
{
	size_t	i;

	for (i = 0; i < r->npeers; i++)
		if (strcmp(r->peers[i].key, key) == 0)
			return (ssize_t)i;
	return -1;
}

/* addr without its /prefix equals a? */
static int
addr_is(const char *addr, const char *a)
{
	size_t	n = strcspn(addr, "/");

	return addr[0] != '\0' && strlen(a) == n && strncmp(addr, a, n) == 0;
}

ssize_t
member_find(const struct ctl_reply *r, const char *arg, char *err,
    size_t errlen)
{
	const char	*ifname = r->has_iface ? r->iface.ifname : "?";
	size_t		 i, n = 0, len = strlen(arg), used;
	ssize_t		 hit = -1;

	for (i = 0; i < r->npeers; i++)
		if (r->peers[i].name[0] != '\0' &&
		    strcasecmp(r->peers[i].name, arg) == 0)
			return (ssize_t)i;
	if ((hit = member_by_key(r, arg)) != -1)
		return hit;
	for (i = 0; i < r->npeers; i++)
		if (addr_is(r->peers[i].addr4, arg) ||
		    addr_is(r->peers[i].addr6, arg))
			return (ssize_t)i;
	if (len >= PREFIX_MIN && len < CTL_KEYTEXT_SIZE) {
		for (i = 0; i < r->npeers; i++) {
			if (strncmp(r->peers[i].key, arg, len) == 0) {
				hit = (ssize_t)i;
				n++;
			}
		}
		if (n == 1)
			return hit;
		if (n > 1) {
			used = (size_t)snprintf(err, errlen, "'%s' is the "
			    "start of %zu members' keys of %s:", arg, n,
			    ifname);
			for (i = 0; i < r->npeers && used < errlen; i++)
				if (strncmp(r->peers[i].key, arg, len) == 0)
					used += (size_t)snprintf(err + used,
					    errlen - used, " %s",
					    r->peers[i].name[0] != '\0' ?
					    r->peers[i].name :
					    r->peers[i].key);
			return -1;
		}
	}
	snprintf(err, errlen, "no member '%s' in %s (a hostname, a key or "
	    "its first characters, or an inside address; see mesh show %s)",
	    arg, ifname, ifname);
	return -1;
}
