/* mesh add NETCONFIG HOSTNAME PUBKEY private-key ADMIN.SK [output FILE]:
 * the admin's one command to make a machine a member: a trust line for
 * it, the version one higher, signed (and checked against the file it
 * replaces, as mesh check previous does), written over NETCONFIG (or to
 * FILE), published if a daemon here runs NETCONFIG, and the join string
 * for the newcomer (mesh join) printed. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "control/ctlproto.h"
#include "netconf/adminkey.h"
#include "netconf/joinstr.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"

static int	add_main(const struct cmd *, int, char **);

const struct cmd cmd_add = {
	"add", "NETCONFIG HOSTNAME PUBKEY private-key ADMIN.SK [output FILE]",
	"add a member to a signed netconfig, print its join string", add_main
};

/* The new file's unsigned text: prev's signed part with its version line
 * replaced by version + 1, and the trust line appended. */
static char *
edit(const char *buf, size_t len, const struct netconf *prev,
    const char *host, const char *ip, const char *key, size_t *outlen)
{
	size_t	 n = netconf_signed_len(buf, len), i, cap;
	int	 line = 1;
	char	*out, *o;

	cap = n + 64 + strlen(host) + strlen(key) + 32;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i < n; i++) {
		if (line == prev->version_line && (i == 0 ||
		    buf[i - 1] == '\n')) {
			o += sprintf(o, "version %llu\n",
			    (unsigned long long)prev->version + 1);
			while (i < n && buf[i] != '\n')
				i++;
			line++;
			continue;
		}
		*o++ = buf[i];
		if (buf[i] == '\n')
			line++;
	}
	if (o > out && o[-1] != '\n')
		*o++ = '\n';
	o += sprintf(o, "trust %s %s%s%s\n", host, ip != NULL ? ip : "",
	    ip != NULL ? " " : "", key);
	*outlen = (size_t)(o - out);
	return out;
}

static int
add_main(const struct cmd *self, int argc, char **argv)
{
	struct netconf	 prev, nc;
	struct joinstr	 js;
	const char	*keyfile = NULL, *outpath = NULL, *path, *host;
	uint8_t		 sk[ADMIN_SK_LEN], pk[KEY_LEN];
	char		 err[1024], *buf = NULL, *body = NULL, *out = NULL;
	char		 js_text[JOINSTR_MAX_LEN], ifname[CTL_IFNAME_SIZE];
	char		 ip[16];
	size_t		 len, blen, olen, i, k;
	int		 rc = 1;

	if (argc < 4)
		cmd_usage(self);
	path = argv[1];
	host = argv[2];
	for (i = 4; i < (size_t)argc; i += 2) {
		const char	**slot = NULL;

		if (i + 1 >= (size_t)argc)
			cmd_usage(self);
		if (strcmp(argv[i], "private-key") == 0)
			slot = &keyfile;
		else if (strcmp(argv[i], "output") == 0)
			slot = &outpath;
		if (slot == NULL || *slot != NULL)
			cmd_usage(self);
		*slot = argv[i + 1];
	}
	if (keyfile == NULL)
		cmd_usage(self);
	memset(&prev, 0, sizeof(prev));
	memset(&nc, 0, sizeof(nc));
	if (!netconf_valid_hostname(host)) {
		fprintf(stderr, "mesh add: %s: not a hostname (one DNS label "
		    "with a letter)\n", host);
		return 1;
	}
	if (strlen(argv[3]) != KEY_TEXT_LEN ||
	    key_from_text(pk, argv[3], strlen(argv[3])) == -1) {
		fprintf(stderr, "mesh add: %s: not a public key (43 "
		    "characters of base64url, from mesh pubkey)\n", argv[3]);
		return 1;
	}
	if (netconf_load(path, NETCONF_LOAD_VERIFY, &prev, err,
	    sizeof(err)) == -1 ||
	    netconf_read(path, 0, &buf, &len, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh add: %s\n", err);
		goto out;
	}
	if (prev.version_line == 0 || prev.nadmins == 0) {
		fprintf(stderr, "mesh add: %s: no version or no admin: mesh "
		    "add changes signed netconfigs (add `admin KEY` and "
		    "`version 1`, then mesh sign)\n", path);
		goto out;
	}
	if (netconf_member_by_key(&prev, pk) != NULL) {
		fprintf(stderr, "mesh add: %s: %s is a member already\n",
		    path, argv[3]);
		goto out;
	}
	for (i = 0; i < prev.nmembers; i++)
		if (strcmp(prev.members[i].hostname, host) == 0) {
			fprintf(stderr, "mesh add: %s: a member is called %s "
			    "already (line %d)\n", path, host,
			    prev.members[i].line);
			goto out;
		}
	/* Twice: the first to learn the address the parser gives it, the
	 * second with that address written down, so that it stays when a
	 * member above it is removed. */
	for (k = 0; k < 2; k++) {
		const struct nc_member	*m;

		free(body);
		netconf_free(&nc);
		if ((body = edit(buf, len, &prev, host, k == 0 ? NULL : ip,
		    argv[3], &blen)) == NULL) {
			fprintf(stderr, "mesh add: out of memory\n");
			goto out;
		}
		if (netconf_parse_named(path, body, blen, &nc, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "mesh add: with %s added: %s\n", host,
			    err);
			goto out;
		}
		if ((m = netconf_member_by_key(&nc, pk)) == NULL)
			goto out;
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", m->ip4 >> 24,
		    (m->ip4 >> 16) & 0xff, (m->ip4 >> 8) & 0xff, m->ip4 & 0xff);
	}
	if (admin_read_file(keyfile, sk, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh add: %s\n", err);
		goto out;
	}
	k = (size_t)netconf_sign(body, blen, &nc, sk, &prev, &out, &olen, err,
	    sizeof(err));
	key_wipe(sk, sizeof(sk));
	if ((int)k == -1) {
		fprintf(stderr, "mesh add: %s: %s\n", path, err);
		goto out;
	}
	if (cmd_write_file(outpath != NULL ? outpath : path, out,
	    olen) == -1) {
		fprintf(stderr, "mesh add: %s: %s\n", outpath != NULL ?
		    outpath : path, strerror(errno));
		goto out;
	}
	fprintf(stderr, "mesh add: %s: version %llu signed, %s added\n",
	    outpath != NULL ? outpath : path, (unsigned long long)nc.version,
	    host);
	/* published where a daemon here runs that file */
	if (outpath == NULL && cmd_find_iface("add", path, ifname,
	    sizeof(ifname)) == 0) {
		if (cmd_publish_iface("add", ifname, stderr) == -1)
			goto out;
	} else
		fprintf(stderr, "mesh add: publish it with mesh reload (or "
		    "mesh publish) on a member that runs it\n");
	joinstr_from_netconf(&js, &nc);
	/* the newcomer is no contact of its own */
	for (i = 0; i < js.ncontacts; i++)
		if (memcmp(js.contacts[i], pk, KEY_LEN) == 0) {
			memmove(js.contacts[i], js.contacts[i + 1],
			    (js.ncontacts - i - 1) * KEY_LEN);
			js.ncontacts--;
			break;
		}
	if (joinstr_encode(&js, js_text, sizeof(js_text)) == -1) {
		fprintf(stderr, "mesh add: no join string for %s\n", path);
		goto out;
	}
	printf("%s\n", js_text);
	rc = 0;
out:
	free(buf);
	free(body);
	free(out);
	netconf_free(&prev);
	netconf_free(&nc);
	return rc;
}
