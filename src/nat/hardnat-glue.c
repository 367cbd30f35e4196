/* Hard-NAT traversal in the daemon (portpredict.c is the pure part): the
 * PREDICT exchange through the rendezvous, the easy side's spray (queued by
 * natpath as PROBEs) and the hard side of birthday probing, its extra
 * sockets.
 *
 * Who does what, from what the two PREDICTs say:
 *
 *	member EDM sequential, we EIM/none	natpath sprays the predicted
 *						window at its address
 *	member EDM random, we EIM/none		natpath sprays random ports
 *						at its address (birthday)
 *	member EIM/none, we EDM random		we open the extra sockets and
 *						probe its endpoint from each
 *	member EIM/none, we EDM sequential	nothing more: our punching
 *						probes open the port the
 *						member predicts
 *
 * The extra socket that got through is kept for the path: a symmetric NAT
 * gives our daemon's own socket another random port towards the member,
 * which nothing we learnt predicts (that is the point of the birthday), so
 * re-punching from it would start over. The path manager is told the
 * route is through a "relay" at the member's endpoint (path_route with
 * relayed set): the data path then hands every datagram for it to
 * disc_relay_send (natpath-glue.c), which sends it, without an envelope,
 * from the kept socket; what arrives there goes in as relayed from that
 * endpoint (datapath_relayed_input). The other sockets are closed at
 * once, all of them when the attempt gives up or the path moves on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "common/be.h"
#include "datapath/datapath.h"
#include "nat/discint.h"
#include "common/log.h"
#include "nat/natep.h"
#include "nat/natkey.h"
#include "datapath/peer.h"
#include "datapath/udp.h"

struct hn_sock {
	struct dmember	*m;
	int		 fd;
	unsigned	 idx;
	struct event	*ev;
};

/* The hard side's extra sockets for one member. */
struct hn_bday {
	struct hn_sock	*s;
	unsigned	 n;
	int		 keep;		/* index + 1 of the one kept, 0 none */
	struct sockaddr_in6 to;		/* the member's endpoint */
};

/* Sockets for birthday probing: PP_BDAY_SOCKS, or MESH_BIRTHDAY_SOCKETS
 * from the environment (0 turns the hard side's part off). */
static unsigned
nsocks(void)
{
	const char	*e = getenv("MESH_BIRTHDAY_SOCKETS");
	char		*end;
	unsigned long	 v;

	if (e == NULL || *e == '\0')
		return PP_BDAY_SOCKS;
	v = strtoul(e, &end, 10);
	if (*end != '\0' || v > 1024)
		return PP_BDAY_SOCKS;
	return (unsigned)v;
}

static void
seal_send(int fd, struct natmsg *msg, const uint8_t *key,
    const struct sockaddr_in6 *to)
{
	uint8_t	buf[128];
	size_t	n;

	if ((n = natmsg_encode(msg, buf, sizeof(buf))) == 0)
		return;
	natkey_seal(buf, n, key);
	(void)sendto(fd, buf, n, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void
probe_from(struct dmember *m, int fd, uint64_t nonce)
{
	struct natmsg	msg;
	int		i;

	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_PROBE;
	memcpy(msg.key, m->d->pk, NATMSG_KEY_LEN);
	for (i = 7; i >= 0; i--, nonce >>= 8)
		msg.nonce[i] = (uint8_t)nonce;
	seal_send(fd, &msg, m->pair, &m->pa.bd->to);
}

static void
bday_close(struct dmember *m, int keep)
{
	struct hn_bday	*b = m->pa.bd;
	unsigned	 i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		if (keep && (int)i + 1 == b->keep)
			continue;
		if (b->s[i].ev != NULL)
			event_free(b->s[i].ev);
		if (b->s[i].fd != -1)
			close(b->s[i].fd);
		b->s[i].ev = NULL;
		b->s[i].fd = -1;
	}
	if (keep && b->keep)
		return;
	free(b->s);
	free(b);
	m->pa.bd = NULL;
}

void
hardnat_free(struct dmember *m)
{
	bday_close(m, 0);
}

/* Socket s got through: keep it for the path, close the others. */
static void
hit(struct hn_sock *s, const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m = s->m;
	struct hn_bday	*b = m->pa.bd;

	log_info("peer %s: birthday probing: socket %u of %u got through "
	    "after %u probes", disc_mname(m), s->idx + 1, b->n,
	    m->pa.bspray.sent);
	b->keep = (int)s->idx + 1;
	pp_spray_end(&m->pa.bspray, 1, now);
	bday_close(m, 1);
	natpath_via_socket(&m->pa.np, from, b->keep, now);
}

/* A datagram on extra socket s: only the member, from its endpoint. */
static void
sock_input(struct hn_sock *s, uint8_t *buf, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct dmember	*m = s->m;
	struct disc	*d = m->d;
	struct hn_bday	*b = m->pa.bd;
	struct natmsg	 msg, ack;
	uint64_t	 n;

	if (!natep_eq(from, &b->to)) {
		d->pg.drops[DISC_DROP_STRAY]++;
		return;
	}
	if (!natmsg_is_natmsg(buf, len)) {
		/* the tunnel's, once this socket carries the path */
		if ((int)s->idx + 1 == b->keep)
			datapath_relayed_input(d->dp, buf, len, from, now);
		return;
	}
	if (natmsg_decode(buf, len, &msg) != NATMSG_OK ||
	    (msg.type != NATMSG_PROBE && msg.type != NATMSG_ACK)) {
		d->pg.drops[DISC_DROP_NATMSG]++;
		return;
	}
	if (memcmp(msg.key, m->key, NATMSG_KEY_LEN) != 0 ||
	    disc_member_pair(m) == -1 || natkey_verify(msg.mac -
	    msg.maclen_covered, msg.maclen_covered, msg.mac, m->pair) != 0) {
		d->pg.drops[DISC_DROP_MAC]++;
		return;
	}
	if (msg.type == NATMSG_PROBE) {
		/* one of the member's random probes found this socket's
		 * mapping: answer (no larger than the probe) and confirm
		 * with a probe of ours from here */
		if (disc_member_ack(m, &msg, from, now, &ack) == -1)
			return;
		seal_send(s->fd, &ack, m->pair, from);
		/* The member's own probe came in through this socket's
		 * mapping: it sends to it, so its NAT lets our answers in,
		 * and the ACK just sent tells it the path. Taken now, before
		 * its data can follow that ACK here (waiting for the answer
		 * to a probe of ours would drop what comes meanwhile). */
		if (b->keep == 0) {
			hit(s, from, now);
			disc_kick(m);
		}
		return;
	}
	n = be64_get(msg.nonce);
	if (b->keep == 0 && n == (m->pa.bspray.nonce_hi << 16 | s->idx))
		/* our probe from here was answered */
		hit(s, from, now);
	else if ((int)s->idx + 1 == b->keep)
		/* a keepalive's answer */
		natpath_ack_in(&m->pa.np, from, msg.nonce, now);
	disc_kick(m);
}

static void
sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hn_sock		*s = arg;
	struct sockaddr_in6	 from;
	socklen_t		 fl;
	uint8_t			 buf[2048];
	ssize_t			 r;
	int			 i;

	(void)what;
	/* a few at a time; the socket stays readable otherwise */
	for (i = 0; i < 16; i++) {
		fl = sizeof(from);
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fl);
		if (r <= 0 || fl != sizeof(from))
			return;
		sock_input(s, buf, (size_t)r, &from, disc_now());
		if (s->m->pa.bd == NULL || s->fd == -1)
			return;		/* closed meanwhile */
	}
}

/* The hard side: open the sockets and start sending. */
static void
bday_start(struct dmember *m, const struct sockaddr_in6 *to, uint64_t now)
{
	struct disc	*d = m->d;
	struct hn_bday	*b;
	unsigned	 i, want = nsocks();
	uint64_t	 hi;
	int		 fd, off = 0;

	if (want == 0 || m->pa.bd != NULL || m->pa.np.state ==
	    NATPATH_DIRECT || m->pa.np.state == NATPATH_IDLE)
		return;
	disc_random(&hi, sizeof(hi));
	if (pp_spray_start(&m->pa.bspray, PP_TRY_SOCKETS, to, 0,
	    (uint16_t)want, 0, hi | 1, now) == -1)
		return;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->s = calloc(want, sizeof(*b->s))) == NULL) {
		free(b);
		pp_spray_end(&m->pa.bspray, 0, now);
		return;
	}
	b->to = *to;
	m->pa.bd = b;
	for (i = 0; i < want; i++) {
		b->s[i].fd = -1;
		if ((fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1)
			break;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof(off));
		b->s[i].m = m;
		b->s[i].fd = fd;
		b->s[i].idx = i;
		if ((b->s[i].ev = event_new(d->base, fd, EV_READ | EV_PERSIST,
		    sock_cb, &b->s[i])) == NULL ||
		    event_add(b->s[i].ev, NULL) == -1) {
			if (b->s[i].ev != NULL)
				event_free(b->s[i].ev);
			b->s[i].ev = NULL;
			close(fd);
			b->s[i].fd = -1;
			break;
		}
	}
	b->n = i;
	if (b->n == 0) {
		log_info("peer %s: birthday probing: no socket (%s)",
		    disc_mname(m), strerror(errno));
		pp_spray_end(&m->pa.bspray, 0, now);
		bday_close(m, 0);
		return;
	}
	/* the spray counts what we really opened */
	m->pa.bspray.base = (uint16_t)b->n;
	m->pa.bspray.budget = 2 * b->n;
	log_info("peer %s: birthday probing: %u sockets towards its "
	    "endpoint", disc_mname(m), b->n);
}

/* Birthday probing costs hundreds of probes (and, on the hard side,
 * sockets): it waits until the ordinary punch round has failed, which both
 * sides see at about the same time (NATPATH_DIRECT_MS), and is dropped if
 * that does not happen within PP_BDAY_MS of the PREDICT. */
static void
pend(struct dmember *m, int side, const struct sockaddr_in6 *obs,
    uint64_t now)
{
	if (m->pa.bd != NULL || pp_spray_running(&m->pa.np.spray))
		return;
	m->pa.bday_pending = side;
	m->pa.bday_obs = *obs;
	m->pa.bday_at = now;
}

static void
pending(struct dmember *m, uint64_t now)
{
	const struct natpath	*np = &m->pa.np;
	uint64_t		 seed;
	char			 a[UDP_ADDRSTRLEN];

	if (m->pa.bday_pending == 0)
		return;
	if (now - m->pa.bday_at >= PP_BDAY_MS || np->state == NATPATH_DIRECT ||
	    np->state == NATPATH_IDLE) {
		m->pa.bday_pending = 0;
		return;
	}
	if (np->state != NATPATH_RELAYED && np->state != NATPATH_UNREACHABLE &&
	    now - np->phase_start < NATPATH_DIRECT_MS)
		return;
	if (m->pa.bday_pending == 1) {
		disc_random(&seed, sizeof(seed));
		if (natpath_spray(&m->pa.np, PP_TRY_BIRTHDAY, &m->pa.bday_obs,
		    0, 0, seed, now))
			log_info("peer %s: birthday probing of its NAT at %s",
			    disc_mname(m), disc_addr(&m->pa.bday_obs, a,
			    sizeof(a)));
	} else
		/* its endpoint as its rendezvous sees it: with an
		 * endpoint-independent NAT, the one we can reach */
		bday_start(m, &m->pa.bday_obs, now);
	m->pa.bday_pending = 0;
}

/* Timed work of m's hard-NAT traversal; when next. */
uint64_t
hardnat_run(struct dmember *m, uint64_t now)
{
	struct hn_bday		*b;
	struct sockaddr_in6	 eps[16];
	uint64_t		 nonces[16];
	size_t			 i, n;

	pending(m, now);
	if ((b = m->pa.bd) == NULL)
		return m->pa.bday_pending ? m->pa.np.phase_start +
		    NATPATH_DIRECT_MS : UINT64_MAX;
	if (b->keep) {
		/* the path through the kept socket is gone */
		if (m->pa.np.state != NATPATH_DIRECT ||
		    m->pa.np.ep_sock != b->keep) {
			log_info("peer %s: birthday socket closed (%s)",
			    disc_mname(m), m->pa.np.reason);
			bday_close(m, 0);
		}
		return UINT64_MAX;
	}
	if (m->pa.np.state == NATPATH_DIRECT) {
		/* found through our own socket meanwhile */
		pp_spray_end(&m->pa.bspray, 1, now);
		bday_close(m, 0);
		return UINT64_MAX;
	}
	n = pp_spray_due(&m->pa.bspray, now, eps, nonces, 16);
	for (i = 0; i < n; i++)
		if ((nonces[i] & 0xffff) < b->n &&
		    b->s[nonces[i] & 0xffff].fd != -1)
			probe_from(m, b->s[nonces[i] & 0xffff].fd, nonces[i]);
	if (!pp_spray_running(&m->pa.bspray)) {
		log_info("peer %s: birthday probing gave up after %u probes",
		    disc_mname(m), m->pa.bspray.sent);
		bday_close(m, 0);
		return UINT64_MAX;
	}
	return pp_spray_next(&m->pa.bspray);
}

/* natpath's PROBE to the endpoint it reaches through the kept socket:
 * sent from there. 1 if so. */
int
hardnat_probe(struct dmember *m, const struct sockaddr_in6 *ep,
    const uint8_t nonce[8])
{
	struct hn_bday	*b = m->pa.bd;

	if (b == NULL || b->keep == 0 || m->pa.np.ep_sock != b->keep ||
	    !natep_eq(ep, &b->to))
		return 0;
	probe_from(m, b->s[b->keep - 1].fd, be64_get(nonce));
	return 1;
}

/* The kept socket's endpoint, if via is it. */
int
hardnat_kept(const struct dmember *m, const struct sockaddr_in6 *via)
{
	const struct hn_bday	*b = m->pa.bd;

	return b != NULL && b->keep != 0 && natep_eq(via, &b->to);
}

/* Tunnel datagrams for m through the kept socket (segsize: the length of
 * each but the last). */
int
hardnat_send(struct dmember *m, const uint8_t *buf, size_t len,
    size_t segsize)
{
	struct hn_bday	*b = m->pa.bd;
	size_t		 off, n;
	int		 fd;

	if (b == NULL || b->keep == 0)
		return -1;
	fd = b->s[b->keep - 1].fd;
	if (segsize == 0 || segsize > len)
		segsize = len;
	for (off = 0; off < len; off += n) {
		n = len - off < segsize ? len - off : segsize;
		if (sendto(fd, buf + off, n, 0, (const struct sockaddr *)&b->to,
		    sizeof(b->to)) == -1)
			return -1;
	}
	return 0;
}

/* --- PREDICT ------------------------------------------------------------ */

/* Our NAT, for the member: sent with every PUNCH. */
void
hardnat_predict_out(struct dmember *m, uint64_t now)
{
	struct disc			*d = m->d;
	const struct natkind_result	*r = &d->self.nkr;
	struct natmsg			 msg;
	uint8_t				 buf[128];
	size_t				 n;

	if (!natep_is_set(&r->reflexive) || disc_member_pair(m) == -1)
		return;
	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_PREDICT;
	memcpy(msg.key, d->pk, NATMSG_KEY_LEN);
	disc_random(msg.nonce, sizeof(msg.nonce));
	msg.observed = r->reflexive;
	switch (r->kind) {
	case NATKIND_NONE:
		msg.kind = NATMSG_KIND_NONE;
		break;
	case NATKIND_EIM:
		msg.kind = NATMSG_KIND_EIM;
		break;
	case NATKIND_EDM:
		msg.kind = NATMSG_KIND_EDM;
		msg.pattern = r->pp.pattern == PP_SEQUENTIAL ?
		    NATMSG_PAT_SEQUENTIAL : r->pp.pattern == PP_RANDOM ?
		    NATMSG_PAT_RANDOM : NATMSG_PAT_UNKNOWN;
		msg.delta = r->pp.delta;
		if (r->pp.last != 0)
			msg.observed.sin6_port = htons(r->pp.last);
		break;
	case NATKIND_UNKNOWN:
		msg.kind = NATMSG_KIND_UNKNOWN;
		break;
	}
	if ((n = natmsg_encode(&msg, buf, sizeof(buf))) == 0)
		return;
	natkey_seal(buf, n, m->pair);
	(void)d->pg.punch(m, buf, n, now);
}

/* The member's PREDICT (authenticated) through a rendezvous that saw it at
 * obs: start what the table at the top says. */
void
hardnat_predict_in(struct dmember *m, const struct natmsg *msg,
    const struct sockaddr_in6 *obs, uint64_t now)
{
	struct disc			*d = m->d;
	const struct natkind_result	*r = &d->self.nkr;
	int				 easy, started = 0;
	char				 a[UDP_ADDRSTRLEN];

	/* probes go to the address its rendezvous saw it at, and nowhere
	 * else: a PREDICT naming another is ignored (SECURITY.md) */
	if (obs == NULL || !natep_same_ip(obs, &msg->observed)) {
		d->pg.drops[DISC_DROP_STRAY]++;
		return;
	}
	m->pa.their_kind = msg->kind;
	m->pa.their_pattern = msg->pattern;
	easy = r->kind == NATKIND_EIM || r->kind == NATKIND_NONE;
	if (msg->kind == NATMSG_KIND_EDM && easy &&
	    msg->pattern == NATMSG_PAT_SEQUENTIAL)
		started = natpath_spray(&m->pa.np, PP_TRY_PREDICTED, obs,
		    ntohs(msg->observed.sin6_port), msg->delta, 0, now);
	else if (msg->kind == NATMSG_KIND_EDM && easy &&
	    msg->pattern == NATMSG_PAT_RANDOM)
		pend(m, 1, obs, now);
	else if ((msg->kind == NATMSG_KIND_EIM ||
	    msg->kind == NATMSG_KIND_NONE) && r->kind == NATKIND_EDM &&
	    r->pp.pattern == PP_RANDOM && natep_eq(obs, &msg->observed))
		/* (its own word and its rendezvous' agree on the very
		 * endpoint our sockets will probe) */
		pend(m, 2, obs, now);
	if (started)
		log_info("peer %s: %s probing of its NAT at %s", disc_mname(m),
		    pp_try_name(m->pa.np.spray.kind), disc_addr(obs, a,
		    sizeof(a)));
	disc_kick(m);
}
