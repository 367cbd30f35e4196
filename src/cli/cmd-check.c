/* mesh check NETCONFIG: parse a netconfig and print the network it
 * resolves to (the addresses every member will compute), or the first
 * error as FILE:LINE: message. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "netconf/addr.h"
#include "cli/cmd.h"
#include "netconf/netconf.h"

static int	check_main(const struct cmd *, int, char **);

const struct cmd cmd_check = {
	"check", "NETCONFIG", "validate a netconfig and print the resolved network", check_main
};

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

static int
check_main(const struct cmd *self, int argc, char **argv)
{
	struct netconf	 nc;
	char		 err[1024];

	if (argc != 2 || argv[1][0] == '\0')
		cmd_usage(self);
	if (netconf_load(argv[1], 0, &nc, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	print_network(&nc);
	netconf_free(&nc);
	return 0;
}
