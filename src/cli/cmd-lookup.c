/* mesh lookup: ask the daemon to look a key up in the DHT and print what
 * came back: the owner's endpoints (and whether the owner answered itself
 * or a rendezvous reported it), its rendezvous nodes, and what the lookup
 * cost. Exit status 0 when found, 1 when not (or on error). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/member.h"
#include "common/util.h"
#include "control/control.h"
#include "control/ctlproto.h"
#include "netconf/keys.h"

static int	lookup_main(const struct cmd *, int, char **);

const struct cmd cmd_lookup = {
	"lookup", "[--json] [IFACE] KEY|MEMBER",
	"look a key up in the DHT: endpoints, rendezvous, rounds",
	lookup_main
};

/* A JSON string of s (printable ASCII: the control protocol's). */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void
print_json(const char *ifname, const char *name, const struct ctl_lookup *l)
{
	size_t	i;

	printf("{\"version\":1,\"interface\":");
	json_str(ifname);
	printf(",\"key\":");
	json_str(l->key);
	printf(",\"name\":");
	if (name != NULL)
		json_str(name);
	else
		printf("null");
	printf(",\"found\":%s,\"rounds\":%llu,\"messages\":%llu,"
	    "\"elapsed_ms\":%llu,\"endpoints\":[", l->found ? "true" : "false",
	    (unsigned long long)l->rounds, (unsigned long long)l->messages,
	    (unsigned long long)l->elapsed_ms);
	for (i = 0; i < l->neps; i++) {
		printf("%s{\"endpoint\":", i ? "," : "");
		json_str(l->eps[i].endpoint);
		printf(",\"reachable\":%s}", l->eps[i].reachable ? "true" :
		    "false");
	}
	printf("],\"rendezvous\":[");
	for (i = 0; i < l->nrvs; i++) {
		printf("%s{\"key\":", i ? "," : "");
		json_str(l->rvs[i].key);
		printf(",\"endpoint\":");
		json_str(l->rvs[i].endpoint);
		printf(",\"observed\":");
		if (l->rvs[i].observed[0] != '\0')
			json_str(l->rvs[i].observed);
		else
			printf("null");
		printf("}");
	}
	printf("]}\n");
}

static void
print_pretty(const char *ifname, const char *name, const struct ctl_lookup *l)
{
	size_t	i;

	printf("lookup of %s%s%s%s on %s: %s in %llu round%s, %llu message%s, "
	    "%llu ms\n", name != NULL ? name : l->key,
	    name != NULL ? " (" : "", name != NULL ? l->key : "",
	    name != NULL ? ")" : "", ifname,
	    l->found ? "found" : "not found", (unsigned long long)l->rounds,
	    l->rounds == 1 ? "" : "s", (unsigned long long)l->messages,
	    l->messages == 1 ? "" : "s", (unsigned long long)l->elapsed_ms);
	for (i = 0; i < l->neps; i++)
		printf("  endpoint %s (%s)\n", l->eps[i].endpoint,
		    l->eps[i].reachable ? "the owner answered there" :
		    "reported by a rendezvous: the owner is behind NAT");
	for (i = 0; i < l->nrvs; i++) {
		printf("  rendezvous %.8s... at %s", l->rvs[i].key,
		    l->rvs[i].endpoint[0] != '\0' ? l->rvs[i].endpoint : "?");
		if (l->rvs[i].observed[0] != '\0')
			printf(", sees the owner at %s", l->rvs[i].observed);
		printf("\n");
	}
}

static int
lookup_main(const struct cmd *self, int argc, char **argv)
{
	struct ctl_request	 rq;
	struct ctl_reply	 r;
	const char		*words[2], *arg, *name = NULL;
	char			 ifname[CTL_IFNAME_SIZE], msg[512];
	char			 namebuf[CTL_NAME_SIZE], *buf;
	uint8_t			 key[KEY_LEN];
	size_t			 len;
	ssize_t			 m;
	int			 nwords = 0, json = 0, i, found;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (member_word(argv[i], words, &nwords) == -1)
			cmd_usage(self);
	}
	if (nwords == 0)
		cmd_usage(self);
	/* A member's name, or a key (anyone's: the DHT knows more than the
	 * members). The daemon's list names the key when it is a member. */
	if (member_open("lookup", words, nwords, ifname, sizeof(ifname), &r,
	    &arg) == -1)
		return 1;
	memset(&rq, 0, sizeof(rq));
	rq.cmd = CTL_CMD_LOOKUP;
	if (strlen(arg) == KEY_TEXT_LEN &&
	    key_from_text(key, arg, strlen(arg)) == 0) {
		key_to_text(rq.arg, key);
		m = member_by_key(&r, rq.arg);
	} else if ((m = member_find(&r, arg, msg, sizeof(msg))) == -1) {
		fprintf(stderr, "mesh lookup: %s\n", msg);
		ctl_reply_free(&r);
		return 1;
	} else
		util_strlcpy(rq.arg, r.peers[m].key, sizeof(rq.arg));
	if (m != -1 && r.peers[m].name[0] != '\0') {
		util_strlcpy(namebuf, r.peers[m].name, sizeof(namebuf));
		name = namebuf;
	}
	ctl_reply_free(&r);

	if (control_request(ifname, &rq, &buf, &len, msg, sizeof(msg)) ==
	    -1) {
		fprintf(stderr, "mesh lookup: %s\n", msg);
		return 1;
	}
	if (ctl_reply_decode(buf, len, &r, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "mesh lookup: %s: bad reply from the daemon: "
		    "%s\n", ifname, msg);
		ctl_reply_free(&r);
		free(buf);
		return 1;
	}
	free(buf);
	if (r.errnum != 0 || !r.lookup.present) {
		fprintf(stderr, "mesh lookup: %s: %s\n", ifname,
		    r.errnum == 0 ? "reply without a lookup record" :
		    r.error[0] != '\0' ? r.error : strerror(r.errnum));
		ctl_reply_free(&r);
		return 1;
	}
	if (json)
		print_json(ifname, name, &r.lookup);
	else
		print_pretty(ifname, name, &r.lookup);
	found = r.lookup.found != 0;
	ctl_reply_free(&r);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "mesh lookup: writing output: %s\n",
		    strerror(errno));
		return 1;
	}
	return found ? 0 : 1;
}
