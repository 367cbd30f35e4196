/* mesh check NETCONFIG [previous FILE]: parse a netconfig and print the
 * network it resolves to (the addresses every member will compute), or the
 * first error as FILE:LINE: message. A signed netconfig's signature is
 * verified; with previous, whether a member running that version would
 * accept this one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf/addr.h"
#include "cli/cmd.h"
#include "netconf/netconf.h"
#include "netconf/sign.h"

static int	check_main(const struct cmd *, int, char **);

const struct cmd cmd_check = {
	"check", "NETCONFIG [previous FILE]",
	"validate a netconfig and print the resolved network", check_main
};

static int
signer_listed(const struct netconf *nc)
{
	size_t	i;

	for (i = 0; i < nc->nadmins; i++)
		if (memcmp(nc->admins[i], nc->sig_key, KEY_LEN) == 0)
			return 1;
	return 0;
}

static void
print_network(const struct netconf *nc)
{
	const struct nc_member	*m;
	char			 ip4[ADDR_IP4_STRLEN], ip6[ADDR_IP6_STRLEN];
	char			 key[KEY_TEXT_LEN + 1], ep[NETCONF_EP_STRLEN];
	char			 ifname[NETCONF_IFNAME_MAX + 1], why[128];
	uint8_t			 prefix[16];
	size_t			 i, w_host = 8, w_ip4 = 4, w_ip6 = 4, n;

	addr_ip4_format(ip4, nc->subnet);
	memset(prefix, 0, sizeof(prefix));
	memcpy(prefix, nc->ula_prefix, sizeof(nc->ula_prefix));
	addr_ip6_format(ip6, prefix);
	printf("name       %s\n", nc->name);
	printf("namespace  %s\n", nc->ns);
	printf("subnet     %s/%u\n", ip4, nc->prefixlen);
	printf("workbit    %u\n", nc->workbit);
	if (nc->domain[0] != '\0')
		printf("domain     %s\n", nc->domain);
	else
		printf("domain     - (the name makes no DNS domain; add "
		    "\"domain DOMAIN\")\n");
	printf("ula        %s/64\n", ip6);
	if (netconf_default_ifname(nc, ifname, why, sizeof(why)) == 0)
		printf("interface  %s\n", ifname);
	else
		printf("interface  - (%s)\n", why);
	if (nc->nboots == 0)
		printf("boot       -\n");
	for (i = 0; i < nc->nboots; i++) {
		key_to_text(key, nc->boots[i].key);
		printf("boot       %s %s\n", key,
		    netconf_endpoint_format(ep, &nc->boots[i].ep));
	}
	if (nc->version_line != 0)
		printf("version    %llu\n", (unsigned long long)nc->version);
	for (i = 0; i < nc->nadmins; i++) {
		key_to_text(key, nc->admins[i]);
		printf("admin      %s\n", key);
	}
	if (nc->sig_line != 0) {
		key_to_text(key, nc->sig_key);
		printf("signed     by %s%s\n", key, signer_listed(nc) ? "" :
		    " (not an admin of this version)");
	}
	printf("members    %zu\n", nc->nmembers);
	if (nc->nmembers == 0)
		return;

	for (i = 0; i < nc->nmembers; i++) {
		m = &nc->members[i];
		if ((n = strlen(m->hostname)) > w_host)
			w_host = n;
		addr_ip4_format(ip4, m->ip4);
		if ((n = strlen(ip4)) > w_ip4)
			w_ip4 = n;
		addr_ip6_format(ip6, m->ip6);
		if ((n = strlen(ip6)) > w_ip6)
			w_ip6 = n;
	}
	printf("\n%-*s  %-*s  %-*s  %-*s  %s\n", (int)w_host, "hostname",
	    KEY_TEXT_LEN, "key", (int)w_ip4, "ipv4", (int)w_ip6, "ipv6",
	    "endpoint");
	for (i = 0; i < nc->nmembers; i++) {
		m = &nc->members[i];
		key_to_text(key, m->key);
		addr_ip4_format(ip4, m->ip4);
		addr_ip6_format(ip6, m->ip6);
		printf("%-*s  %s  %-*s  %-*s  %s\n", (int)w_host,
		    m->hostname[0] != '\0' ? m->hostname : "-", key,
		    (int)w_ip4, ip4, (int)w_ip6, ip6,
		    m->has_endpoint ? netconf_endpoint_format(ep, &m->ep) :
		    "-");
	}
}

/* The signature, and with prev the rule a member running prev applies;
 * 0, or -1 with the reason printed. */
static int
check_signed(const char *path, const char *buf, size_t len,
    const struct netconf *nc, const char *prevpath)
{
	struct netconf	prev;
	enum nc_verdict	v;
	char		err[1024];

	if (nc->sig_line != 0 &&
	    netconf_verify(buf, len, nc, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	if (nc->sig_line != 0 && nc->version_line == 0) {
		fprintf(stderr, "%s: signed, but has no \"version N\" line\n",
		    path);
		return -1;
	}
	if (prevpath == NULL)
		return 0;
	if (netconf_load(prevpath, 0, &prev, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	v = netconf_accept(&prev, nc, buf, len, NULL, 0, err, sizeof(err));
	netconf_free(&prev);
	if (v != NCV_OK) {
		fprintf(stderr, "%s: a member running %s refuses it (%s): "
		    "%s\n", path, prevpath, netconf_verdict_name(v), err);
		return -1;
	}
	return 0;
}

static int
check_main(const struct cmd *self, int argc, char **argv)
{
	struct netconf	 nc;
	char		 err[1024], *buf;
	size_t		 len;
	int		 rc;

	if ((argc != 2 && (argc != 4 || strcmp(argv[2], "previous") != 0)) ||
	    argv[1][0] == '\0')
		cmd_usage(self);
	if (netconf_read(argv[1], 0, &buf, &len, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (netconf_parse_named(argv[1], buf, len, &nc, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		free(buf);
		return 1;
	}
	rc = check_signed(argv[1], buf, len, &nc, argc == 4 ? argv[3] : NULL);
	free(buf);
	if (rc == 0)
		print_network(&nc);
	netconf_free(&nc);
	return rc == 0 ? 0 : 1;
}
