/* mesh join STRING private-key FILE [output FILE] [interface NAME] [-f]
 * [-v]: become a member with the join string an admin's mesh add printed.
 * A daemon runs on a provisional netconfig made from the string (its boot
 * nodes, its admins, its contacts as members), finds a contact through
 * the DHT, makes a tunnel to it (the contact runs the version that lists
 * this key) and fetches the netconfig from it; it keeps a file signed by
 * an admin of the string, of at least the string's version, of that
 * network, listing this key. That file is written (default
 * /etc/mesh/NAME.net) and brought up as mesh up would. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "daemon/daemon.h"
#include "netconf/joinstr.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"

#define JOIN_WAIT_S	120
#define JOIN_SUBNET	"198.18.0.0/24"	/* provisional, never on the interface:
					 * the daemon gives it no address */

static int	join_main(const struct cmd *, int, char **);

const struct cmd cmd_join = {
	"join", "STRING private-key FILE [output FILE] [interface NAME] "
	"[-f] [-v]",
	"become a member with a join string (from mesh add)", join_main
};

/* The provisional netconfig into the file f. */
static void
provisional(FILE *f, const struct joinstr *js, const uint8_t pk[KEY_LEN])
{
	char	k[KEY_TEXT_LEN + 1], ep[NETCONF_EP_STRLEN];
	size_t	i;

	fprintf(f, "name %s\n", js->name);
	if (js->ns[0] != '\0')
		fprintf(f, "namespace %s\n", js->ns);
	fprintf(f, "subnet %s\nworkbit 0\nversion %llu\n", JOIN_SUBNET,
	    (unsigned long long)(js->version > 0 ? js->version - 1 : 0));
	for (i = 0; i < js->nadmins; i++) {
		key_to_text(k, js->admins[i]);
		fprintf(f, "admin %s\n", k);
	}
	for (i = 0; i < js->nboots; i++) {
		key_to_text(k, js->boots[i].key);
		fprintf(f, "boot %s %s\n", k, netconf_endpoint_format(ep,
		    &js->boots[i].ep));
	}
	key_to_text(k, pk);
	fprintf(f, "trust 198.18.0.1 %s\n", k);
	for (i = 0; i < js->ncontacts; i++) {
		key_to_text(k, js->contacts[i]);
		fprintf(f, "trust 198.18.0.%zu %s\n", i + 2, k);
	}
}

/* Is the file the daemon kept what the string promised? 0, or -1 after
 * saying why. */
static int
check(const char *path, const struct joinstr *js, const uint8_t pk[KEY_LEN],
    char **buf, size_t *len)
{
	struct netconf	nc;
	char		err[1024];
	size_t		i;
	int		ok = 0;

	if (netconf_read(path, NETCONF_LOAD_SECURE, buf, len, err,
	    sizeof(err)) == -1 || netconf_parse_named(path, *buf, *len, &nc,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh join: %s\n", err);
		return -1;
	}
	if (netconf_accept(NULL, &nc, *buf, *len, NULL, 0, err,
	    sizeof(err)) != NCV_OK) {
		fprintf(stderr, "mesh join: %s: %s\n", path, err);
		goto bad;
	}
	for (i = 0; i < js->nadmins; i++)
		if (memcmp(js->admins[i], nc.sig_key, KEY_LEN) == 0)
			ok = 1;
	if (!ok)
		fprintf(stderr, "mesh join: %s: not signed by an admin of the "
		    "join string\n", path);
	else if (nc.version < js->version)
		fprintf(stderr, "mesh join: %s: version %llu, older than the "
		    "join string's %llu\n", path,
		    (unsigned long long)nc.version,
		    (unsigned long long)js->version);
	else if (strcmp(nc.name, js->name) != 0 || strcmp(nc.ns, js->ns[0] !=
	    '\0' ? js->ns : NETCONF_DEFAULT_NS) != 0)
		fprintf(stderr, "mesh join: %s: network %s, not %s\n", path,
		    nc.name, js->name);
	else if (netconf_member_by_key(&nc, pk) == NULL)
		fprintf(stderr, "mesh join: %s: this key is no member\n",
		    path);
	else {
		netconf_free(&nc);
		return 0;
	}
bad:
	netconf_free(&nc);
	free(*buf);
	*buf = NULL;
	return -1;
}

static int
join_main(const struct cmd *self, int argc, char **argv)
{
	struct joinstr	 js;
	struct up_args	 ua;
	const char	*keyfile = NULL, *outpath = NULL, *ifarg = NULL, *sd;
	uint8_t		 sk[KEY_LEN], pk[KEY_LEN];
	char		 err[1024], tmpdir[] = "/tmp/mesh-join.XXXXXX";
	char		 prov[64], state[4096], out[4096], *buf;
	char		 ifname[NETCONF_IFNAME_MAX + 1];
	FILE		*f;
	size_t		 len;
	pid_t		 pid;
	time_t		 end;
	int		 i, status, verbose = 0, fg = 0, rc;

	if (argc < 2 || argv[1][0] == '-')
		cmd_usage(self);
	for (i = 2; i < argc; i++) {
		const char	**slot = NULL;

		if (strcmp(argv[i], "-f") == 0) {
			fg = 1;
			continue;
		}
		if (strcmp(argv[i], "-v") == 0) {
			verbose++;
			continue;
		}
		if (i + 1 >= argc)
			cmd_usage(self);
		if (strcmp(argv[i], "private-key") == 0)
			slot = &keyfile;
		else if (strcmp(argv[i], "output") == 0)
			slot = &outpath;
		else if (strcmp(argv[i], "interface") == 0)
			slot = &ifarg;
		if (slot == NULL || *slot != NULL)
			cmd_usage(self);
		*slot = argv[++i];
	}
	if (keyfile == NULL)
		cmd_usage(self);
	if (joinstr_decode(&js, argv[1], err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh join: %s\n", err);
		return 1;
	}
	if (key_read_file(keyfile, sk, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh join: %s\n", err);
		return 1;
	}
	key_public(pk, sk);
	key_wipe(sk, sizeof(sk));
	if (ifarg != NULL)
		snprintf(ifname, sizeof(ifname), "%s", ifarg);
	else if ((size_t)snprintf(ifname, sizeof(ifname), "mesh-%s",
	    js.name) >= sizeof(ifname)) {
		fprintf(stderr, "mesh join: mesh-%s is too long for an "
		    "interface name: give interface NAME\n", js.name);
		return 1;
	}
	if (outpath == NULL)
		snprintf(out, sizeof(out), "/etc/mesh/%s.net", js.name);
	else
		snprintf(out, sizeof(out), "%s", outpath);
	sd = getenv("MESH_STATE_DIR");
	snprintf(state, sizeof(state), "%s/%s.net", sd != NULL && sd[0] !=
	    '\0' ? sd : "/var/lib/mesh", ifname);

	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "mesh join: %s: %s\n", tmpdir, strerror(errno));
		return 1;
	}
	snprintf(prov, sizeof(prov), "%s/join.net", tmpdir);
	if ((f = fopen(prov, "w")) == NULL) {
		fprintf(stderr, "mesh join: %s: %s\n", prov, strerror(errno));
		rmdir(tmpdir);
		return 1;
	}
	provisional(f, &js, pk);
	fclose(f);
	(void)chmod(tmpdir, 0755);	/* the daemon reads it as root */
	(void)unlink(state);

	memset(&ua, 0, sizeof(ua));
	ua.netconfig = prov;
	ua.private_key = keyfile;
	snprintf(ua.ifname, sizeof(ua.ifname), "%s", ifname);
	ua.foreground = 1;
	ua.verbose = verbose;
	ua.join = 1;
	fprintf(stderr, "mesh join: looking for a member of %s (version %llu "
	    "or later)...\n", js.name, (unsigned long long)js.version);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "mesh join: fork: %s\n", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		_exit(daemon_main(&ua, 0));
	end = time(NULL) + JOIN_WAIT_S;
	while ((rc = waitpid(pid, &status, WNOHANG)) == 0 &&
	    time(NULL) < end)
		usleep(200 * 1000);
	if (rc == 0) {
		kill(pid, SIGTERM);
		(void)waitpid(pid, &status, 0);
		fprintf(stderr, "mesh join: no member gave a netconfig listing "
		    "this key within %d s (is the join string's version "
		    "published? a contact online?)\n", JOIN_WAIT_S);
		goto fail;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    access(state, F_OK) == -1) {
		fprintf(stderr, "mesh join: the joining daemon failed\n");
		goto fail;
	}
	unlink(prov);
	rmdir(tmpdir);
	if (check(state, &js, pk, &buf, &len) == -1)
		return 1;
	if (cmd_write_file(out, buf, len) == -1) {
		fprintf(stderr, "mesh join: %s: %s\n", out, strerror(errno));
		free(buf);
		return 1;
	}
	free(buf);
	fprintf(stderr, "mesh join: %s written; bringing %s up\n", out,
	    ifname);
	fflush(stderr);
	ua.netconfig = out;
	ua.foreground = fg;
	ua.join = 0;
	return daemon_main(&ua, 0);
fail:
	unlink(prov);
	rmdir(tmpdir);
	return 1;
}
