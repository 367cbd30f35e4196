/* Two natpath state machines behind simulated NATs of each kind, with a
 * public rendezvous/relay node and a virtual clock: the outcome of every
 * pair must match what the NAT kinds allow (shared NATLAB.md): any two
 * endpoint-independent kinds connect directly; full-cone or
 * address-restricted with symmetric connect; port-restricted or symmetric
 * with symmetric fall back to the relay. No timing assertions beyond the
 * virtual clock. */
#include "config.h"

#include "nat/natep.h"
#include "nat/natpath.h"
#include "t.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

enum kind { OPEN, FULL_CONE, ADDR_RESTRICTED, PORT_RESTRICTED, SYMMETRIC };
static const char *const kind_names[] = { "open", "full-cone",
    "addr-restricted", "port-restricted", "symmetric" };

#define MAXMAP	64

struct nat {
	enum kind		kind;
	uint32_t		ext_ip, int_ip;
	/* mappings: remote endpoint -> external port (EDM: one per remote,
	 * EIM: all share one), and which remotes were sent to */
	struct sockaddr_in6	sent_to[MAXMAP];
	uint16_t		ext_port[MAXMAP];
	unsigned		n;
	uint16_t		next_port;
};

struct node {
	struct natpath		p;
	struct nat		nat;
};

struct pkt {
	int			to;		/* node index */
	int			type;		/* 0 probe, 1 ack */
	struct sockaddr_in6	from;		/* as the receiver sees it */
	uint8_t			nonce[8];
};

static struct sockaddr_in6	rv;		/* rendezvous and relay */
static struct node		nodes[2];
static struct pkt		q[2][256];
static unsigned			nq[2], cur;

/* The external port node's NAT uses towards dst (allocating). */
static uint16_t
nat_out(struct nat *n, const struct sockaddr_in6 *dst)
{
	unsigned	i;

	if (n->kind == OPEN)
		return 6374;
	for (i = 0; i < n->n; i++) {
		if (natep_eq(&n->sent_to[i], dst))
			return n->ext_port[i];
	}
	if (n->n == MAXMAP)
		return 0;
	n->sent_to[n->n] = *dst;
	n->ext_port[n->n] = n->kind == SYMMETRIC ? n->next_port++ : 6374;
	return n->ext_port[n->n++];
}

/* Does the NAT let a datagram from src to ext_port in? */
static int
nat_in(const struct nat *n, uint16_t ext_port, const struct sockaddr_in6 *src)
{
	unsigned	i;
	int		mapped = 0;

	if (n->kind == OPEN)
		return 1;
	for (i = 0; i < n->n; i++) {
		if (n->ext_port[i] != ext_port)
			continue;
		mapped = 1;
		switch (n->kind) {
		case ADDR_RESTRICTED:
			if (natep_same_ip(&n->sent_to[i], src))
				return 1;
			break;
		case PORT_RESTRICTED:
		case SYMMETRIC:
			if (natep_eq(&n->sent_to[i], src))
				return 1;
			break;
		case FULL_CONE:
		case OPEN:
			return 1;
		}
	}
	(void)mapped;
	return 0;
}

static void
send_pkt(int from, const struct sockaddr_in6 *dst, int type,
    const uint8_t nonce[8])
{
	struct node		*s = &nodes[from], *r = &nodes[!from];
	struct sockaddr_in6	 src, exp;
	uint16_t		 port;
	struct pkt		*k;

	natep_v4(&exp, r->nat.ext_ip, 0);
	if (!natep_same_ip(dst, &exp))
		return;		/* nobody there */
	if ((port = nat_out(&s->nat, dst)) == 0)
		return;
	natep_v4(&src, s->nat.ext_ip, port);
	if (!nat_in(&r->nat, ntohs(dst->sin6_port), &src))
		return;		/* filtered */
	if (nq[!cur] == 256)
		return;
	k = &q[!cur][nq[!cur]++];
	k->to = !from;
	k->type = type;
	k->from = src;
	memcpy(k->nonce, nonce, 8);
}

/* The endpoint the rendezvous sees for node i (its mapping towards rv). */
static struct sockaddr_in6
observed_by_rv(int i)
{
	struct sockaddr_in6	e;

	natep_v4(&e, nodes[i].nat.ext_ip, nat_out(&nodes[i].nat, &rv));
	return e;
}

static void
act(int i, uint64_t now)
{
	struct natpath_action	a;
	struct sockaddr_in6	obs;

	while (natpath_next_action(&nodes[i].p, &a)) {
		switch (a.type) {
		case NATPATH_ACT_PROBE:
			send_pkt(i, &a.ep, 0, a.nonce);
			break;
		case NATPATH_ACT_PUNCH:
			/* through the rendezvous, which both keep open */
			obs = observed_by_rv(i);
			natpath_punch_in(&nodes[!i].p, &obs, NULL, 0, a.reply,
			    now);
			break;
		case NATPATH_ACT_SWITCH:
			break;
		}
	}
}

static void
setup(enum kind ka, enum kind kb)
{
	struct sockaddr_in6	adv;
	int			i;

	memset(nodes, 0, sizeof(nodes));
	nq[0] = nq[1] = 0;
	cur = 0;
	natep_v4(&rv, IP(203, 0, 113, 2), 6374);
	nodes[0].nat.kind = ka;
	nodes[1].nat.kind = kb;
	for (i = 0; i < 2; i++) {
		nodes[i].nat.ext_ip = IP(203, 0, 113, 10 + i);
		nodes[i].nat.next_port = (uint16_t)(30000 + 1000 * i);
		natpath_init(&nodes[i].p, (uint64_t)i << 32, 0);
		natpath_set_rendezvous(&nodes[i].p, 1, 0);
		natpath_set_relay(&nodes[i].p, &rv, 0);
	}
	/* each learnt the other's endpoint as published in the DHT: the
	 * reflexive one its rendezvous sees */
	for (i = 0; i < 2; i++) {
		adv = observed_by_rv(!i);
		natpath_add_candidate(&nodes[i].p, &adv, NATPATH_SRC_DHT, 0);
	}
}

/* Run up to ms of virtual time with A using the path; the time A's route
 * first became direct, or 0. */
static uint64_t
run(uint64_t ms)
{
	uint64_t	now, direct_at = 0;
	unsigned	j;
	struct pkt	*k;
	int		i;

	natpath_use(&nodes[0].p, 0);
	for (now = 0; now <= ms; now += 10) {
		for (j = 0; j < nq[cur]; j++) {
			k = &q[cur][j];
			if (k->type == 0) {
				natpath_probe_in(&nodes[k->to].p, &k->from,
				    now);
				send_pkt(k->to, &k->from, 1, k->nonce);
			} else
				natpath_ack_in(&nodes[k->to].p, &k->from,
				    k->nonce, now);
		}
		nq[cur] = 0;
		cur = !cur;
		for (i = 0; i < 2; i++) {
			natpath_periodic(&nodes[i].p, now);
			act(i, now);
		}
		if (direct_at == 0 && nodes[0].p.state == NATPATH_DIRECT &&
		    nodes[1].p.state == NATPATH_DIRECT)
			direct_at = now;
	}
	return direct_at;
}

T_TEST(every_pair_of_nat_kinds)
{
	enum kind	a, b;
	uint64_t	t;
	int		want_direct;

	for (a = OPEN; a <= SYMMETRIC; a++) {
		for (b = OPEN; b <= SYMMETRIC; b++) {
			setup(a, b);
			t = run(6000);
			want_direct = !((a == SYMMETRIC &&
			    (b == SYMMETRIC || b == PORT_RESTRICTED)) ||
			    (b == SYMMETRIC && a == PORT_RESTRICTED));
			if (want_direct && (t == 0 || t > 3000))
				T_FAIL("%s <-> %s: not direct within 3 s "
				    "(A %s: %s)", kind_names[a], kind_names[b],
				    natpath_state_name(nodes[0].p.state),
				    nodes[0].p.reason);
			if (!want_direct &&
			    nodes[0].p.state != NATPATH_RELAYED)
				T_FAIL("%s <-> %s: expected relayed, A is %s "
				    "(%s)", kind_names[a], kind_names[b],
				    natpath_state_name(nodes[0].p.state),
				    nodes[0].p.reason);
			/* whatever the kinds, A has a route by 1 s + a step */
			if (nodes[0].p.connect_ms == 0 ||
			    nodes[0].p.connect_ms > NATPATH_DIRECT_MS + 20)
				T_FAIL("%s <-> %s: first route after %llu ms",
				    kind_names[a], kind_names[b],
				    (unsigned long long)nodes[0].p.connect_ms);
			printf("# %-15s <-> %-15s %-8s %s\n", kind_names[a],
			    kind_names[b],
			    natpath_state_name(nodes[0].p.state),
			    nodes[0].p.reason);
		}
	}
}

int
main(void)
{
	T_RUN(every_pair_of_nat_kinds);
	return t_done();
}
