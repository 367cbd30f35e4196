/* portmap-probe: the port-mapping module on a real event loop, for the NAT
 * lab test (tests/natlab/portmap.sh).
 *
 *	portmap-probe [-m all|upnp|natpmp] [-l lifetime] [-d discover_ms]
 *	    [-n natpmp_ms] PORT
 *
 * Binds UDP PORT, maps it, and prints one line per event on stdout:
 *	mapped METHOD IP:PORT lifetime S	(a new or changed lease)
 *	renewed N				(N renewals so far)
 *	failed ERROR				(an attempt failed)
 *	received TEXT from IP:PORT		(a datagram on PORT)
 *	unmapped				(after SIGTERM/SIGINT, deleted)
 * and exits 0 after SIGTERM or SIGINT once the mapping is deleted. */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "nat/portmap-glue.h"

struct probe {
	struct event_base	*base;
	struct portmap		*pm;
	uint64_t		 gen;
	unsigned		 renewed, failed;
};

static void
changed(void *arg, struct portmap *pm)
{
	struct probe		*p = arg;
	struct portmap_status	 s;
	struct in_addr		 ia;
	char			 ip[INET_ADDRSTRLEN];

	portmap_status(pm, &s);
	if (s.mapped && s.generation != p->gen) {
		ia.s_addr = htonl(s.ext_ip);
		inet_ntop(AF_INET, &ia, ip, sizeof(ip));
		printf("mapped %s %s:%u lifetime %u\n",
		    portmap_method_name(s.method), ip, s.ext_port, s.lifetime);
	}
	p->gen = s.generation;
	if (s.nrenewed != p->renewed) {
		p->renewed = s.nrenewed;
		printf("renewed %u\n", s.nrenewed);
	}
	if (s.nfailed != p->failed) {
		p->failed = s.nfailed;
		printf("failed %s\n", s.error);
	}
	fflush(stdout);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct sockaddr_in	from;
	socklen_t		fl = sizeof(from);
	char			buf[256], ip[INET_ADDRSTRLEN];
	ssize_t			n;

	(void)what;
	(void)arg;
	n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from,
	    &fl);
	if (n < 0)
		return;
	buf[n] = '\0';
	inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
	printf("received %s from %s:%u\n", buf, ip, ntohs(from.sin_port));
	fflush(stdout);
}

static void
stopped(void *arg)
{
	struct probe	*p = arg;

	printf("unmapped\n");
	fflush(stdout);
	event_base_loopexit(p->base, NULL);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct probe	*p = arg;

	(void)sig;
	(void)what;
	portmap_stop(p->pm, stopped, p);
}

static void
usage(void)
{
	fprintf(stderr, "usage: portmap-probe [-m all|upnp|natpmp] "
	    "[-l lifetime] [-d discover_ms] [-n natpmp_ms] PORT\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct portmap_config	 cfg;
	struct probe		 p;
	struct sockaddr_in	 sin;
	struct event		*rd, *sigterm, *sigint;
	int			 c, fd;

	memset(&cfg, 0, sizeof(cfg));
	memset(&p, 0, sizeof(p));
	while ((c = getopt(argc, argv, "m:l:d:n:")) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "upnp") == 0)
				cfg.methods = PORTMAP_M_UPNP;
			else if (strcmp(optarg, "natpmp") == 0)
				cfg.methods = PORTMAP_M_NATPMP;
			else if (strcmp(optarg, "all") == 0)
				cfg.methods = PORTMAP_M_ALL;
			else
				usage();
			break;
		case 'l':
			cfg.lifetime = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			cfg.discover_ms = atoi(optarg);
			break;
		case 'n':
			cfg.natpmp_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	cfg.port = (uint16_t)strtoul(argv[optind], NULL, 10);
	if (cfg.port == 0)
		usage();
	log_init(1, 1, "portmap-probe");

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(cfg.port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("bind");
		return 1;
	}
	if ((p.base = event_base_new()) == NULL)
		return 1;
	rd = event_new(p.base, fd, EV_READ | EV_PERSIST, on_read, &p);
	sigterm = evsignal_new(p.base, SIGTERM, on_signal, &p);
	sigint = evsignal_new(p.base, SIGINT, on_signal, &p);
	if (rd == NULL || sigterm == NULL || sigint == NULL)
		return 1;
	event_add(rd, NULL);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	if ((p.pm = portmap_new(p.base, &cfg, changed, &p)) == NULL) {
		fprintf(stderr, "portmap_new failed\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	event_base_dispatch(p.base);
	portmap_free(p.pm);
	event_free(rd);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(p.base);
	close(fd);
	return 0;
}
