/* Names inside the mesh, as the daemon runs them: the DNS server
 * (src/dns) on this member's inside addresses, and its registration with
 * systemd-resolved for the mesh interface only.
 *
 * Started in bring_up after the TUN exists and before the privilege drop
 * (port 53 is privileged; the sockets survive the drop). A failure here
 * never stops `mesh up`: the member runs without names and `mesh show`
 * and the log say why. */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/daemon-int.h"
#include "dns/dns-glue.h"
#include "dns/names.h"

#define RESOLVECTL_WAIT_MS	3000	/* per command */
#define RESOLVE_RUNDIR		"/run/systemd/resolve"

/* A command line for execvp: writable copies of its words. */
struct cmdline;
static void cmd_add(struct cmdline *, const char *, const char *);

struct cmdline {
	char	 word[136][NAMES_NAME_MAX + 2];
	char	*argv[137];
	size_t	 n;
};

static void
cmd_reset(struct cmdline *c, const char *verb, const char *ifname)
{
	c->n = 0;
	cmd_add(c, "", "resolvectl");
	cmd_add(c, "", verb);
	cmd_add(c, "", ifname);
}

static void
cmd_add(struct cmdline *c, const char *prefix, const char *word)
{
	if (c->n + 1 >= sizeof(c->argv) / sizeof(c->argv[0]))
		return;
	snprintf(c->word[c->n], sizeof(c->word[c->n]), "%s%s", prefix, word);
	c->argv[c->n] = c->word[c->n];
	c->argv[++c->n] = NULL;
}

/* Run c (no shell) with stdin/stdout/stderr on /dev/null; 0 when it
 * exited 0 within RESOLVECTL_WAIT_MS, else -1 (killed if still running). */
static int
cmd_run(struct cmdline *c)
{
	pid_t		 pid, r;
	int		 status, fd, waited;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			(void)dup2(fd, 0);
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
		}
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	for (waited = 0; waited < RESOLVECTL_WAIT_MS; waited += 10) {
		if ((r = waitpid(pid, &status, WNOHANG)) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
			    0 : -1;
		if (r == -1 && errno != EINTR)
			return -1;
		usleep(10000);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
	return -1;
}

/* Tell systemd-resolved (when it runs) that the mesh interface has a DNS
 * server for the mesh's domain and reverse zones, and for nothing else.
 * Nothing to undo at exit: the interface goes, and resolved forgets it. */
static void
register_resolved(struct daemon *d, const struct names *t,
    const char *a4, const char *a6)
{
	static struct cmdline	 c;	/* large; start-up only */
	char			 zone[NAMES_NAME_MAX + 1];
	struct stat		 st;
	size_t			 i;

	if (stat(RESOLVE_RUNDIR, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_info("dns: systemd-resolved is not running; point the "
		    "resolver at %s for %s (see mesh(8))", a4,
		    names_domain(t));
		return;
	}
	cmd_reset(&c, "dns", d->ifname);
	cmd_add(&c, "", a4);
	if (a6 != NULL)
		cmd_add(&c, "", a6);
	if (cmd_run(&c) == -1) {
		log_warnx("dns: resolvectl dns %s failed: names of %s are "
		    "not resolved through systemd-resolved", d->ifname,
		    names_domain(t));
		return;
	}
	/* the domain to search and route; the reverse zones to route only */
	cmd_reset(&c, "domain", d->ifname);
	cmd_add(&c, "", names_domain(t));
	for (i = 0; i < names_rev4_count(t); i++) {
		names_rev4_zone(t, i, zone);
		cmd_add(&c, "~", zone);
	}
	names_rev6_zone(t, zone);
	cmd_add(&c, "~", zone);
	if (cmd_run(&c) == -1)
		log_warnx("dns: resolvectl domain %s failed", d->ifname);
	cmd_reset(&c, "default-route", d->ifname);
	cmd_add(&c, "", "false");
	(void)cmd_run(&c);
	cmd_reset(&c, "dnssec", d->ifname);	/* .internal is not signed */
	cmd_add(&c, "", "no");
	(void)cmd_run(&c);
	log_info("dns: registered with systemd-resolved for %s",
	    names_domain(t));
}

void
daemon_dns_start(struct daemon *d)
{
	const struct nc_member	*self;
	struct names		*t;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	const char		*s;
	unsigned long		 port = DNS_PORT;
	char			 a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
	char			 err[160];
	int			 fd, served = 0;

	if (!d->have_tun || d->self < 0)
		return;
	self = &d->nc.members[d->self];
	/* Test knob (see daemon.h): another port than 53. */
	if ((s = getenv("MESH_TEST_DNS_PORT")) != NULL &&
	    util_parse_uint(s, 1, 65535, &port) == -1)
		port = DNS_PORT;
	if ((t = names_new(&d->nc)) == NULL ||
	    (d->dns = dns_server_new(d->base, t)) == NULL) {
		names_free(t);
		snprintf(d->dns_state, sizeof(d->dns_state),
		    "off (out of memory)");
		log_warnx("dns: out of memory: running without names");
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(self->ip4);
	inet_ntop(AF_INET, &sin.sin_addr, a4, sizeof(a4));
	if ((fd = dns_socket((struct sockaddr *)&sin, sizeof(sin), err,
	    sizeof(err))) == -1 || dns_server_add_socket(d->dns, fd, err,
	    sizeof(err)) == -1)
		log_warnx("dns: %s", err);
	else
		served++;
	a6[0] = '\0';
	if (!d->tun.v6_failed) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)port);
		memcpy(&sin6.sin6_addr, self->ip6, sizeof(self->ip6));
		inet_ntop(AF_INET6, &sin6.sin6_addr, a6, sizeof(a6));
		if ((fd = dns_socket((struct sockaddr *)&sin6, sizeof(sin6),
		    err, sizeof(err))) == -1 || dns_server_add_socket(d->dns,
		    fd, err, sizeof(err)) == -1) {
			log_warnx("dns: %s", err);
			a6[0] = '\0';
		} else
			served++;
	}
	if (served == 0) {
		snprintf(d->dns_state, sizeof(d->dns_state), "off (%s)", err);
		log_warnx("dns: running without names");
		return;
	}
	if (names_domain(t)[0] == '\0') {
		snprintf(d->dns_state, sizeof(d->dns_state),
		    "no domain (refusing every name)");
		return;
	}
	snprintf(d->dns_state, sizeof(d->dns_state), "%s on %s port %lu",
	    names_domain(t), a4, port);
	if (s == NULL)
		register_resolved(d, t, a4, a6[0] != '\0' ? a6 : NULL);
}

int
daemon_dns_prepare(struct daemon *d, const struct netconf *nc,
    struct names **t, char *err, size_t errlen)
{
	*t = NULL;
	/* a domain change was refused before (netconf_reload_check) */
	if (d->dns != NULL && (*t = names_new(nc)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	return 0;
}

void
daemon_dns_commit(struct daemon *d, struct names *t)
{
	if (d->dns != NULL && t != NULL)
		dns_server_set_names(d->dns, t);
	else
		names_free(t);
}

void
daemon_dns_stop(struct daemon *d)
{
	if (d->dns != NULL)
		dns_server_free(d->dns);
	d->dns = NULL;
}
