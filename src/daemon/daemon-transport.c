/* The TCP transport (src/transport/tcp-glue.c) in the daemon: started on
 * the UDP port number (and `tcp-port`), told the boot nodes' addresses at
 * start and on reload, and its "contact the boot nodes now" wired to the
 * DHT. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon-int.h"
#include "transport/tcp-glue.h"
#include "nat/disc.h"
#include "datapath/udp.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "control/ctlproto.h"
#include "common/log.h"
#include "common/util.h"

static void
kick(void *arg)
{
	struct daemon	*d = arg;

	disc_boot_now(d->disc);
}

/* The netconfig's boot nodes but ourselves, resolved (names are rare
 * there; one that does not resolve now is left out until the next
 * reload). */
void
daemon_tcp_boots(struct daemon *d)
{
	struct sockaddr_in6	*a;
	struct addrinfo		 hints, *res, *ai;
	char			 port[8];
	size_t			 i, n = 0;

	if (d->tcp == NULL)
		return;
	if ((a = calloc(d->nc.nboots + 1, sizeof(*a))) == NULL)
		return;
	for (i = 0; i < d->nc.nboots; i++) {
		const struct nc_boot	*b = &d->nc.boots[i];

		if (memcmp(b->key, d->pk, KEY_LEN) == 0)
			continue;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = d->udp->family == AF_INET ? AF_INET :
		    AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV;
		snprintf(port, sizeof(port), "%u", (unsigned)b->ep.port);
		if (getaddrinfo(b->ep.host, port, &hints, &res) != 0)
			continue;
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if (udp_addr_from(&a[n], ai->ai_addr,
			    ai->ai_addrlen) == 0) {
				a[n].sin6_flowinfo = 0;
				n++;
				break;
			}
		freeaddrinfo(res);
	}
	tcp_set_boots(d->tcp, a, n);
	free(a);
}

int
daemon_tcp_start(struct daemon *d, char *err, size_t errlen)
{
	struct tcp_config	tc;

	memset(&tc, 0, sizeof(tc));
	tc.base = d->base;
	tc.udp = d->udp;
	tc.dp = d->dp;
	tc.port = d->udp->port;
	tc.port2 = d->tcp_port;
	tc.kick = kick;
	tc.arg = d;
	if ((d->tcp = tcp_new(&tc, err, errlen)) == NULL)
		return -1;
	daemon_tcp_boots(d);
	return 0;
}

void
daemon_tcp_stop(struct daemon *d)
{
	tcp_free(d->tcp);
	d->tcp = NULL;
}

/* show: the transport, and its drops among the interface's. */
void
daemon_tcp_fill(struct daemon *d, struct ctl_iface *ci)
{
	struct tcp_show	st;
	size_t		i;

	tcp_get_show(d->tcp, &st);
	util_strlcpy(ci->transport, tcp_mode_name(st.mode),
	    sizeof(ci->transport));
	util_strlcpy(ci->transport_why, st.reason, sizeof(ci->transport_why));
	ci->transport_since = st.since_unix_ms / 1000;
	ci->tcp_out = st.conns_out;
	ci->tcp_in = st.conns_in;
	for (i = 0; i < TCP_DROP_MAX; i++)
		if (st.drops[i] != 0)
			(void)ctl_counter_add(ci->drops, &ci->ndrops,
			    tcp_drop_name((enum tcp_drop)i), st.drops[i]);
}
