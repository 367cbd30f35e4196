/* The daemon: start-up, daemonizing, the event loop and its wiring (see
 * daemon.h). This is glue: it owns libevent, the OS and the sockets; the
 * data path, the tunnel and routing are driven from here. */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "netconf/addr.h"
#include "control/control.h"
#include "control/ctlproto.h"
#include "daemon/daemon.h"
#include "daemon/daemon-int.h"
#include "datapath/datapath.h"
#include "datapath/members.h"
#include "nat/disc.h"
#include "netconf/keys.h"
#include "common/evtimer.h"
#include "common/clock.h"
#include "common/log.h"
#include "netconf/netconf.h"
#include "datapath/peer.h"
#include "os/privdrop.h"
#include "os/sdnotify.h"
#include "os/tun.h"
#include "tunnel/tunnel.h"
#include "datapath/udp.h"
#include "common/util.h"

/* --- start-up checks, in the foreground --- */

/* --- peers and routes --- */

static void
dp_arm(void *arg, struct peer *p, uint64_t deadline)
{
	struct ptimer	*t = p->timer;

	evtimer_arm_at(t->ev, deadline, util_mono_ms());
}

static void
dp_roamed(void *arg, struct peer *p)
{
	char	s[UDP_ADDRSTRLEN], k[KEY_TEXT_LEN + 1];

	key_to_text(k, p->key);
	if (!p->path.relayed)	/* (relayed: only offered to disc) */
		log_info("peer %s (%s) is now at %s", p->hostname[0] !=
		    '\0' ? p->hostname : k, k, udp_addr_fmt(&p->path.endpoint,
		    s, sizeof(s)));
	if (((struct daemon *)arg)->disc != NULL)
		disc_roamed(((struct daemon *)arg)->disc, p);
}

/* NAT traversal (disc.h) is told about handshakes and relayed packets,
 * and sends what goes through a relay. */
static void
dp_handshake(void *arg, struct peer *p, uint64_t now)
{
	struct daemon	*d = arg;

	if (d->disc != NULL)
		disc_handshake(d->disc, p, now);
}

static int
dp_relay_send(void *arg, struct peer *p, const struct sockaddr_in6 *via,
    uint8_t *buf, size_t len, size_t segsize)
{
	struct daemon	*d = arg;

	return d->disc != NULL ? disc_relay_send(d->disc, p, via, buf, len,
	    segsize) : -1;
}

static void
dp_relayed(void *arg, struct peer *p, const struct sockaddr_in6 *via,
    uint64_t now)
{
	struct daemon	*d = arg;

	if (d->disc != NULL)
		disc_relayed(d->disc, p, via, now);
}

static void
dp_rx_done(void *arg)
{
	struct daemon	*d = arg;

	if (d->disc != NULL)
		disc_rx_done(d->disc);
}

static const struct dp_hooks dp_hooks = {
	.arm = dp_arm,
	.roamed = dp_roamed,
	.handshake = dp_handshake,
	.relay_send = dp_relay_send,
	.relayed = dp_relayed,
	.rx_done = dp_rx_done,
	.ready = ncglue_ready,
	.control = ncglue_control,
	/* in use again after a quiet spell: as for a handshake, the path
	 * manager runs now (pathglue_run) and watches for answers */
	.active = dp_handshake,
};

/* --- the event loop --- */

static void
tun_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct daemon	*d = arg;

	datapath_tun_readable(d->dp, util_mono_ms());
}

static void
udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct daemon	*d = arg;

	datapath_udp_readable(d->dp, util_mono_ms());
}

static void
loop_exit(void *arg)
{
	struct daemon	*d = arg;

	event_base_loopexit(d->base, NULL);
}

void
daemon_stop(struct daemon *d)
{
	(void)sdnotify_stopping();
	/* a port mapping is deleted first (bounded by its own timeout) */
	if (d->disc != NULL)
		disc_stop(d->disc, loop_exit, d);
	else
		loop_exit(d);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct daemon	*d = arg;
	char		 err[ERRLEN];
	size_t		 a, r, c;
	int		 rc;

	switch (sig) {
	case SIGHUP:
		(void)sdnotify_reloading();
		rc = daemon_reload_file(d, &a, &r, &c, err, sizeof(err));
		daemon_reload_note(d, "signal", rc, a, r, c, err);
		if (rc != 0)
			log_warnx("reload refused: %s", err);
		else
			log_info("reloaded %s: %zu added, %zu removed, "
			    "%zu changed", d->netconfig, a, r, c);
		(void)sdnotify_ready(NULL);
		break;
	default:
		log_info("signal %d: shutting down", (int)sig);
		daemon_stop(d);
		break;
	}
}

/* --- control socket (show: daemon-show.c, reload: reload.c) --- */

static void
ctl_down(void *arg)
{
	struct daemon	*d = arg;

	log_info("mesh down: shutting down");
	daemon_stop(d);
}

static const struct control_ops ctl_ops = { daemon_show, daemon_ctl_reload,
    ctl_down, daemon_ctl_lookup };

/* --- bring-up and tear-down --- */

static void
teardown(struct daemon *d)
{
	size_t	i;

	daemon_tcp_stop(d);		/* unhooks the socket; frames gone */
	disc_free(d->disc);		/* before the peers and the socket */
	d->disc = NULL;
	ncglue_stop(d);
	daemon_dns_stop(d);
	daemon_metrics_stop(d);
	for (i = 0; i < sizeof(d->ev_sig) / sizeof(d->ev_sig[0]); i++)
		if (d->ev_sig[i] != NULL)
			event_free(d->ev_sig[i]);
	if (d->ev_tun != NULL)
		event_free(d->ev_tun);
	if (d->ev_udp != NULL)
		event_free(d->ev_udp);
	datapath_free(d->dp);		/* returns staged packets */
	d->dp = NULL;
	members_free(d->mb, NULL, &daemon_members_ops, d);
	d->mb = NULL;
	tunnel_local_free(d->local);
	if (d->have_tun)
		tun_close(&d->tun);		/* removes the interface */
	if (d->udp != NULL) {
		udp_close(d->udp);
		free(d->udp);
	}
	/* Last: a `mesh down` client waits for this connection to close
	 * and then finds the interface gone. */
	if (d->ctl != NULL)
		control_close(d->ctl);
	if (d->base != NULL)
		event_base_free(d->base);
	netconf_free(&d->nc);
	key_wipe(d->sk, sizeof(d->sk));
}

static void
tunnel_config(struct tunnel_config *tc, unsigned mtu)
{
	const char	*s;
	unsigned long	 v;

	tunnel_config_default(tc);
	tc->mtu = mtu;
	/* Test knob (see daemon.h). */
	if ((s = getenv("MESH_TEST_REKEY_AFTER_MS")) != NULL &&
	    util_parse_uint(s, 100, TUNNEL_REKEY_AFTER_MS, &v) == 0) {
		tc->rekey_after_ms = v;
		log_info("test knob: rekey after %lu ms", v);
	}
}

/* The DHT and NAT traversal, on the open UDP socket. */
static int
start_disc(struct daemon *d, char *err, size_t errlen)
{
	struct disc_config	dc;

	memset(&dc, 0, sizeof(dc));
	dc.base = d->base;
	dc.udp = d->udp;
	dc.dp = d->dp;
	dc.sk = d->sk;
	dc.pk = d->pk;
	dc.nc = &d->nc;
	dc.self = d->self;
	dc.members = d->mb;
	dc.netconfig = d->netconfig;
	if ((d->disc = disc_new(&dc, err, errlen)) == NULL)
		return -1;
	return 0;
}

/* In the control socket's remover (control.h): it keeps nothing secret. */
static void
remover_init(void *arg)
{
	struct daemon	*d = arg;

	key_wipe(d->sk, sizeof(d->sk));
}

/* Open everything; on failure err says what. */
static int
bring_up(struct daemon *d, char *err, size_t errlen)
{
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct tunnel_config	 tc;
	struct tun_config	 cfg;
	const struct nc_member	*self = NULL;
	size_t			 i;

	d->started = (time_t)clock_unix_s();
	if ((d->base = event_base_new()) == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		return -1;
	}
	if ((d->udp = calloc(1, sizeof(*d->udp))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->udp->fd = -1;
	if (udp_open(d->udp, d->port, err, errlen) == -1)
		return -1;
	if (d->self >= 0) {
		self = &d->nc.members[d->self];
		memset(&cfg, 0, sizeof(cfg));
		util_strlcpy(cfg.ifname, d->ifname, sizeof(cfg.ifname));
		cfg.mtu = WIRE_DEFAULT_MTU;
		cfg.ip4 = self->ip4;
		cfg.prefixlen4 = d->nc.prefixlen;
		memcpy(cfg.ip6, self->ip6, sizeof(cfg.ip6));
		cfg.prefixlen6 = IP6_PREFIXLEN;
		if (d->join) {
			/* mesh join's provisional daemon only fetches over
			 * its tunnels: no inside address, no route, no
			 * names (its subnet is made up) */
			cfg.ip4 = 0;
			memset(cfg.ip6, 0, sizeof(cfg.ip6));
		}
		/* Test knob (see daemon.h): the plain path, for comparison. */
		cfg.offload = getenv("MESH_TEST_NO_OFFLOAD") == NULL;
		if (tun_open(&d->tun, &tun_linux_ops, &cfg, err, errlen) == -1) {
			/* The route is another interface's (netlink.c). */
			if (strstr(err, "route") != NULL &&
			    strstr(err, strerror(EEXIST)) != NULL) {
				size_t	len = strlen(err);

				snprintf(err + len, errlen - len, " (another "
				    "interface routes it already: see ip "
				    "route; is this network up twice?)");
			}
			return -1;
		}
		d->have_tun = 1;
		if (d->tun.v6_failed)
			log_warnx("%s: IPv6 is disabled here; IPv4 only",
			    d->ifname);
		if (!d->join)
			daemon_dns_start(d);
		tunnel_config(&tc, cfg.mtu);
		/* room for any netconfig a reload may bring, not just this
		 * one's members (about 1 MB of index table at most) */
		if ((d->local = tunnel_local_new(d->sk, &tc,
		    NETCONF_MAX_MEMBERS)) == NULL) {
			snprintf(err, errlen, "cannot set up the tunnel "
			    "(unusable private key or out of memory)");
			return -1;
		}
	}
	/* The member table (empty when headless) and its peers. */
	if ((d->mb = members_build(&d->nc, d->self, NULL,
	    &daemon_members_ops, d, NULL)) == NULL ||
	    (d->dp = datapath_new(d->have_tun ? &d->tun : NULL, d->udp,
	    d->local, d->mb, WIRE_DEFAULT_MTU, &dp_hooks, d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (d->have_tun && (d->ev_tun = event_new(d->base, d->tun.fd,
	    EV_READ | EV_PERSIST, tun_cb, d)) == NULL)
		goto nomem;
	if ((d->ev_udp = event_new(d->base, d->udp->fd, EV_READ | EV_PERSIST,
	    udp_cb, d)) == NULL)
		goto nomem;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if ((d->ev_sig[i] = evsignal_new(d->base, sigs[i], signal_cb,
		    d)) == NULL || event_add(d->ev_sig[i], NULL) == -1)
			goto nomem;
	}
	if ((d->ev_tun != NULL && event_add(d->ev_tun, NULL) == -1) ||
	    event_add(d->ev_udp, NULL) == -1)
		goto nomem;
	if ((d->ctl = control_open(d->base, d->ifname, &ctl_ops, d, err,
	    errlen)) == NULL)
		return -1;
	/* Started as root, the socket's directory is root's: its removal
	 * goes to a process that stays root and does nothing else. Forked
	 * at once, so that a SIGKILL at any later point of the start does
	 * not leave the socket behind. */
	if (geteuid() == 0 && control_keep_remover(d->ctl, remover_init, d,
	    err, errlen) == -1)
		return -1;
	if (daemon_metrics_start(d, d->metrics_addr, d->metrics_port, err,
	    errlen) == -1)
		return -1;
	if (start_disc(d, err, errlen) == -1)
		return -1;
	return daemon_tcp_start(d, err, errlen);
nomem:
	snprintf(err, errlen, "cannot set up events (out of memory)");
	return -1;
}

/* --- operations: privileges and systemd (ops area) --- */

/* After everything privileged is open: tell systemd where we are, and
 * become the unprivileged user ($MESH_USER, else "mesh", else "nobody";
 * see privdrop.h). Nothing later needs root: a reload never touches the
 * TUN's addresses, closing the TUN removes it, and the control socket's
 * remover (control.h) removes the socket. Not started as root, the daemon stays who
 * it is, but still lets go of any capability it holds (file or ambient
 * capabilities) and sets no_new_privs. */
static int
ops_drop(struct daemon *d, char *err, size_t errlen)
{
	struct privdrop_user	u;

	memset(&u, 0, sizeof(u));
	if (geteuid() == 0 &&
	    privdrop_lookup(getenv("MESH_USER"), &u, err, errlen) == -1)
		return -1;
	if (sdnotify_open() == -1)
		log_warn("NOTIFY_SOCKET");
	if (ncglue_start(d, geteuid() == 0 && u.name[0] != '\0', u.uid,
	    u.gid) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (privdrop_drop(&u, err, errlen) == -1)
		return -1;
	util_strlcpy(d->user, u.name, sizeof(d->user));
	if (u.name[0] != '\0')
		log_info("%s: running as user %s (uid %lu)", d->ifname,
		    u.name, (unsigned long)u.uid);
	return 0;
}

/* Everything that can be checked before going to the background: the
 * netconfig, the key, the interface name. */
static int
validate(struct daemon *d, const struct up_args *ua, int headless, char *err,
    size_t errlen)
{
	const struct nc_member	*self;
	struct privdrop_user	 u;
	char			 k[KEY_TEXT_LEN + 1];

	if (realpath(ua->netconfig, d->netconfig) == NULL) {
		snprintf(err, errlen, "%s: %s", ua->netconfig, strerror(errno));
		return -1;
	}
	if (netconf_load(d->netconfig, NETCONF_LOAD_SECURE |
	    NETCONF_LOAD_VERIFY, &d->nc, err, errlen) == -1)
		return -1;
	if (ua->private_key != NULL) {
		if (key_read_file(ua->private_key, d->sk, err, errlen) == -1)
			return -1;
	} else {
		/* A node without a key of its own (e.g. a public bootstrap
		 * node): a fresh key meeting the workbit, headless. */
		if (key_search(d->sk, d->nc.ns, d->nc.workbit, 1, NULL,
		    NULL) == -1) {
			snprintf(err, errlen, "cannot generate a key");
			return -1;
		}
	}
	key_public(d->pk, d->sk);
	self = netconf_member_by_key(&d->nc, d->pk);
	d->self = self != NULL ? self - d->nc.members : -1;
	if (ua->private_key != NULL && (upcheck_key(&d->nc, ua->private_key,
	    d->sk, d->pk, headless, err, errlen) == -1 ||
	    upcheck_duplicate(&d->nc, d->pk, err, errlen) == -1))
		return -1;
	/* Reloads read the netconfig as the user we drop to: say now if
	 * they will fail (the daemon itself runs fine without them). */
	if (geteuid() == 0) {
		if (privdrop_lookup(getenv("MESH_USER"), &u, err,
		    errlen) == -1)
			return -1;
		if (upcheck_readable(d->netconfig, &u, err, errlen) == -1)
			log_warnx("warning: %s", err);
	}
	if (ua->ifname[0] != '\0')
		util_strlcpy(d->ifname, ua->ifname, sizeof(d->ifname));
	else if (netconf_default_ifname(&d->nc, d->ifname, err,
	    errlen) == -1)
		return -1;
	/* a later version kept from the network (same key, same name) */
	if (ncglue_prefer_state(d, err, errlen) == -1)
		return -1;
	self = netconf_member_by_key(&d->nc, d->pk);
	d->self = self != NULL ? self - d->nc.members : -1;
	util_strlcpy(d->metrics_addr, ua->metrics_addr,
	    sizeof(d->metrics_addr));
	d->metrics_port = ua->metrics_port;
	d->tcp_port = ua->tcp_port;
	if (ua->listen_port != 0)
		d->port = ua->listen_port;
	else if (self != NULL && self->has_endpoint)
		d->port = self->ep.port;
	else
		d->port = NETCONF_DEFAULT_PORT;
	key_to_text(k, d->pk);
	if (self == NULL && ua->private_key != NULL)
		log_info("%s: key %s is not a trust line of %s: running "
		    "headless (no interface)", ua->private_key, k,
		    d->netconfig);
	return 0;
}

/* Fork; the parent waits for the child's verdict on the pipe and exits
 * with it, the child carries on. Returns the write end in the child. */
static int
daemonize(void)
{
	char	buf[ERRLEN];
	ssize_t	n;
	size_t	len = 0;
	pid_t	pid;
	int	p[2], status;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(p[0]);
		if (setsid() == -1)
			fatal("setsid");
		if (chdir("/") == -1)
			fatal("chdir /");
		return p[1];
	}
	close(p[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (strcmp(buf, "ok") == 0)
		exit(0);
	if (len > 0)
		fprintf(stderr, "mesh up: %s\n", buf);
	else {
		(void)waitpid(pid, &status, 0);
		fprintf(stderr, "mesh up: the daemon died while starting\n");
	}
	exit(1);
}

static void
detach_stdio(void)
{
	int	fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

int
daemon_main(const struct up_args *ua, int headless)
{
	struct daemon	*d;
	char		 err[ERRLEN];
	int		 report = -1, rc = 1;

	log_init(1, ua->verbose, "mesh");
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		fprintf(stderr, "mesh up: out of memory\n");
		return 1;
	}
	d->self = -1;
	d->foreground = ua->foreground;
	d->join = ua->join;
	/* Before the private key is read: no core dump, no ptrace by the
	 * same user (privdrop_drop sets it again after the uid change). */
	if (privdrop_nodump(err, sizeof(err)) == -1 ||
	    validate(d, ua, headless, err, sizeof(err)) == -1) {
		fprintf(stderr, "mesh up: %s\n", err);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!d->foreground)
		report = daemonize();
	if (bring_up(d, err, sizeof(err)) == -1 ||
	    ops_drop(d, err, sizeof(err)) == -1) {
		if (report != -1)
			(void)write(report, err, strlen(err));
		else
			fprintf(stderr, "mesh up: %s\n", err);
		goto out;
	}
	if (report != -1) {
		log_init(0, ua->verbose, "mesh");
		detach_stdio();
		(void)write(report, "ok", 2);
		close(report);
		report = -1;
	}
	log_info("%s up: network %s, UDP port %u, %s, %zu members",
	    d->ifname, d->nc.name, (unsigned)d->udp->port, d->self >= 0 ?
	    "member" : "headless", d->nc.nmembers);
	snprintf(err, sizeof(err), "%s up: network %s, %zu members",
	    d->ifname, d->nc.name, d->nc.nmembers);
	(void)sdnotify_ready(err);
	if (event_base_dispatch(d->base) == -1)
		log_warnx("event loop failed");
	log_info("%s down", d->ifname);
	rc = 0;
out:
	if (report != -1)
		close(report);
	teardown(d);
	free(d);
	return rc;
}

