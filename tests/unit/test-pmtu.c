/* Path MTU state machine against a simulated path: its MTU, whether its
 * routers send ICMP, loss of chosen probes, an RTT. The clock is fake and
 * follows the times pmtu_periodic() asks for, so those are tested too. */
#include "config.h"

#include <stdint.h>

#include "datapath/pmtu.h"
#include "t.h"

#define MAXEV	1024

struct ev {
	uint64_t	at;
	int		icmp;		/* 1: ICMP with mtu; 0: ACK of id */
	uint64_t	id;
	unsigned	mtu;
};

struct sim {
	struct pmtu	p;
	uint64_t	now;
	unsigned	path;		/* largest datagram that passes */
	int		icmp;		/* routers report "too big" */
	uint64_t	rtt;
	int		dead;		/* nothing passes */
	int		noack;		/* an old member: probes unanswered */
	unsigned	lose_first;	/* lose try 1 of every size <= this */
	struct ev	ev[MAXEV];
	size_t		nev;
	unsigned	probes, changes, icmps;
	uint64_t	first_icmp_at;
	unsigned	cur_after_first_icmp;
	unsigned	seen_size[64], seen_count[64];
	size_t		nseen;
};

static void
sim_init(struct sim *s, unsigned path, int icmp, unsigned ceiling)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->icmp = icmp;
	s->rtt = 20;
	pmtu_init(&s->p, 0, 0, 1000, 0);
	pmtu_start(&s->p, ceiling, 0);
}

static void
schedule(struct sim *s, uint64_t at, int icmp, uint64_t id, unsigned mtu)
{
	if (s->nev == MAXEV)
		return;
	s->ev[s->nev].at = at;
	s->ev[s->nev].icmp = icmp;
	s->ev[s->nev].id = id;
	s->ev[s->nev].mtu = mtu;
	s->nev++;
}

/* How many probes of this size went out so far (then counts this one). */
static unsigned
seen(struct sim *s, unsigned size)
{
	size_t	i;

	for (i = 0; i < s->nseen; i++)
		if (s->seen_size[i] == size)
			return ++s->seen_count[i];
	if (s->nseen < 64) {
		s->seen_size[s->nseen] = size;
		s->seen_count[s->nseen++] = 1;
	}
	return 1;
}

static void
drain(struct sim *s)
{
	struct pmtu_action	a;

	while (pmtu_next_action(&s->p, &a)) {
		if (a.type == PMTU_ACT_CHANGED) {
			s->changes++;
			continue;
		}
		T_EQ_INT(a.type, PMTU_ACT_PROBE);
		T_ASSERT(a.id != 0);
		T_ASSERT(a.size >= s->p.floor && a.size <= s->p.ceiling);
		s->probes++;
		if (s->dead)
			continue;
		if (s->noack && a.size <= s->path)
			continue;
		if (a.size > s->path) {
			if (s->icmp)
				schedule(s, s->now + s->rtt / 2, 1, 0, s->path);
			continue;
		}
		if (a.size <= s->lose_first && seen(s, a.size) == 1)
			continue;
		schedule(s, s->now + s->rtt, 0, a.id, 0);
	}
}

static void
deliver(struct sim *s)
{
	size_t	i = 0;

	while (i < s->nev) {
		if (s->ev[i].at > s->now) {
			i++;
			continue;
		}
		if (s->ev[i].icmp) {
			s->icmps++;
			pmtu_icmp(&s->p, s->ev[i].mtu, s->now);
			if (s->icmps == 1) {
				s->first_icmp_at = s->now;
				s->cur_after_first_icmp = pmtu_mtu(&s->p);
			}
		} else
			pmtu_ack(&s->p, s->ev[i].id, s->now);
		s->ev[i] = s->ev[--s->nev];
		drain(s);
	}
}

/* Run until `until`; data: every 10 ms a big data packet of the current
 * size is sent (rx: the member answers something small meanwhile). */
static void
run(struct sim *s, uint64_t until, int data, int rx)
{
	uint64_t	next, tick = s->now;
	size_t		i;
	unsigned	loops = 0;

	for (;;) {
		T_ASSERT(++loops < 2000000);
		if (loops >= 2000000)
			return;
		deliver(s);
		if (data && s->now >= tick) {
			pmtu_sent(&s->p, pmtu_mtu(&s->p), 1, s->now);
			if (!s->dead && (rx || pmtu_mtu(&s->p) <= s->path))
				pmtu_rx(&s->p, s->now);
			tick = s->now + 10;
		}
		drain(s);
		next = pmtu_periodic(&s->p, s->now);
		drain(s);
		T_ASSERT(next >= s->now);
		for (i = 0; i < s->nev; i++)
			if (s->ev[i].at < next)
				next = s->ev[i].at;
		if (data && tick < next)
			next = tick;
		if (next > until) {
			s->now = until;
			return;
		}
		if (next > s->now)
			s->now = next;
	}
}

/* Big data every 10 ms, nothing authenticated ever comes back. */
static void
run_oneway(struct sim *s, uint64_t until)
{
	uint64_t	next;
	size_t		i;

	while (s->now < until) {
		deliver(s);
		pmtu_sent(&s->p, pmtu_mtu(&s->p), 1, s->now);
		drain(s);
		next = pmtu_periodic(&s->p, s->now);
		drain(s);
		for (i = 0; i < s->nev; i++)
			if (s->ev[i].at < next)
				next = s->ev[i].at;
		if (next > s->now + 10)
			next = s->now + 10;
		s->now = next > s->now ? next : s->now + 1;
	}
}

/* Run until the MTU is `want` (or `until`); returns the time. */
static uint64_t
run_until_mtu(struct sim *s, unsigned want, uint64_t until, int data,
    int rx)
{
	while (s->now < until && pmtu_mtu(&s->p) != want)
		run(s, s->now + 1, data, rx);
	return s->now;
}

T_TEST(overheads)
{
	T_EQ_INT(pmtu_overhead(0, 0), 60);
	T_EQ_INT(pmtu_overhead(1, 0), 80);
	T_EQ_INT(pmtu_overhead(0, 1), 69);
	T_EQ_INT(pmtu_overhead(1, 1), 89);
	T_EQ_INT(pmtu_inner(1500, 1, 0), 1420);	/* the default TUN MTU */
	T_EQ_INT(pmtu_inner(1500, 0, 0), 1440);
	T_EQ_INT(pmtu_inner(1280, 1, 1), 1191);
	T_EQ_INT(pmtu_inner(50, 0, 0), 0);
	T_EQ_INT(pmtu_outer(1420, 1, 0), 1500);
	T_EQ_INT(pmtu_udp_payload(1500, 0), 1472);
	T_EQ_INT(pmtu_udp_payload(1500, 1), 1452);
	T_EQ_INT(pmtu_udp_payload(10, 1), 0);
}

T_TEST(clean_1500)
{
	static struct sim	s;

	sim_init(&s, 1500, 1, 1500);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);		/* optimistic from the start */
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_DEFAULT);
	run(&s, 100, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_PROBE);
	T_EQ_INT(s.p.state, PMTU_SETTLED);
	T_EQ_INT(s.changes, 1);			/* only 0 -> 1500 at start */
	T_EQ_INT(pmtu_inner_mtu(&s.p), 1440);
	/* one round, one try per size: the biggest answered at once */
	T_ASSERT(s.probes <= 15);
	/* and nothing more for a long while: at the ceiling, nothing to
	 * re-probe */
	s.probes = 0;
	run(&s, 3600000, 0, 0);
	T_EQ_INT(s.probes, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
}

T_TEST(icmp_1400)
{
	static struct sim	s;

	sim_init(&s, 1400, 1, 1500);
	run(&s, 3000, 0, 0);
	T_EQ_INT(s.cur_after_first_icmp, 1400);	/* one ICMP is enough */
	T_ASSERT(s.first_icmp_at <= s.rtt);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_ICMP);
	T_EQ_INT(s.p.state, PMTU_SETTLED);
	T_EQ_INT(s.p.nicmp_bogus, 0);
}

T_TEST(blackhole_1400)
{
	static struct sim	s;
	uint64_t		t;

	sim_init(&s, 1400, 0, 1500);
	t = run_until_mtu(&s, 1400, 10000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_ASSERT(t < 2000);
	run(&s, 10000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_PROBE);
	T_EQ_INT(s.p.state, PMTU_SETTLED);
	T_ASSERT(s.p.failed > 1400 && s.p.failed <= 1400 + PMTU_GRAIN);
	/* bounded cost: two rounds or three */
	T_ASSERT(s.probes <= 2 * PMTU_ROUND_BUDGET);
}

T_TEST(blackhole_odd_sizes)
{
	static const unsigned	paths[] = { 1476, 1454, 1436, 1310, 1281 };
	static struct sim	s;
	size_t			i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		sim_init(&s, paths[i], 0, 1500);
		run(&s, 10000, 0, 0);
		T_ASSERT(pmtu_mtu(&s.p) <= paths[i]);
		T_ASSERT(pmtu_mtu(&s.p) + PMTU_GRAIN >= paths[i]);
	}
}

T_TEST(path_1280)
{
	static struct sim	s;
	uint64_t		t;

	sim_init(&s, 1280, 0, 1500);
	t = run_until_mtu(&s, 1280, 10000, 0, 0);
	T_ASSERT(t < 2000);
	run(&s, 10000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1280);
	T_EQ_INT(s.p.state, PMTU_SETTLED);

	sim_init(&s, 1280, 1, 1500);	/* with ICMP */
	run(&s, 100, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1280);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_ICMP);
}

T_TEST(ceiling_at_floor)
{
	static struct sim	s;

	sim_init(&s, 1280, 0, 1280);
	run(&s, 60000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1280);
	T_EQ_INT(s.probes, 0);
	sim_init(&s, 1500, 0, 1200);	/* a link below the floor */
	T_EQ_INT(pmtu_mtu(&s.p), 1200);
	run(&s, 1000, 0, 0);
	T_EQ_INT(s.probes, 0);
}

T_TEST(jumbo)
{
	static struct sim	s;

	sim_init(&s, 1500, 0, 9000);
	run(&s, 20000, 0, 0);
	T_ASSERT(pmtu_mtu(&s.p) <= 1500);
	T_ASSERT(pmtu_mtu(&s.p) + PMTU_GRAIN >= 1500);
	sim_init(&s, 9000, 0, 9000);
	run(&s, 200, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 9000);
}

/* Settled at 1500; the path shrinks to 1400 without ICMP while a transfer
 * runs: the detector (nothing comes back) drops at once; after the fast
 * re-probe interval the grown path is found again. */
T_TEST(shrink_and_grow)
{
	static struct sim	s;
	uint64_t		drop, t;

	sim_init(&s, 1500, 0, 1500);
	run(&s, 10000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	s.path = 1400;
	drop = s.now;
	t = run_until_mtu(&s, 1400, drop + 10000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_ASSERT(t - drop < 1500);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_BLACKHOLE);
	T_ASSERT(s.p.nblackhole >= 1);
	run(&s, drop + 20000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);		/* no flapping */
	/* the path is restored; not noticed before the re-probe */
	s.path = 1500;
	run(&s, t + PMTU_REPROBE_FAST_MS - 100, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	run(&s, t + PMTU_REPROBE_FAST_MS + 1000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_PROBE);
}

/* The same, but the member keeps sending us something, so "nothing comes
 * back" never holds: the check rounds of the current size find it. */
T_TEST(shrink_with_reverse_traffic)
{
	static struct sim	s;
	uint64_t		drop, t;

	sim_init(&s, 1500, 0, 1500);
	run(&s, 10000, 1, 1);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	s.path = 1400;
	drop = s.now;
	t = run_until_mtu(&s, 1400, drop + 20000, 1, 1);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_ASSERT(t - drop < PMTU_CHECK_MS + 2000);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_BLACKHOLE);
}

/* Without big traffic the current size is not checked (no probes while
 * idle), and a settled path below the ceiling re-probes with back-off. */
/* Big packets out, nothing ever back (a one-way stream), the path fine:
 * false alarms, each cheaper than the last. */
T_TEST(one_way_stream)
{
	static struct sim	s;

	sim_init(&s, 1500, 0, 1500);
	run(&s, 1000, 0, 0);
	s.probes = 0;
	run_oneway(&s, 601000);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	/* holdoff 2 s, 4, ... 60: ~15 false alarms in 10 minutes, each a
	 * burst of one probe per ladder size; and a check probe every 2 s */
	T_ASSERT(s.p.nblackhole <= 16);
	T_ASSERT(s.probes <= 16 * 15 + 300 + 10);
}

T_TEST(reprobe_backoff)
{
	static struct sim	s;
	unsigned		p0;

	unsigned		r0;

	sim_init(&s, 1400, 0, 1500);
	run(&s, 5000, 0, 0);		/* settled within 2 s */
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	p0 = s.probes;
	run(&s, PMTU_REPROBE_FAST_MS, 0, 0);
	T_EQ_INT(s.probes, p0);
	run(&s, 2000 + PMTU_REPROBE_FAST_MS, 0, 0);
	T_ASSERT(s.probes > p0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	/* an hour: 30 s, 60, 120, 240, 480, then every 600 s: ~10 rounds
	 * of up to 8 sizes (1500..1420 above, 1400 as control) */
	p0 = s.probes;
	r0 = s.p.nrounds;
	run(&s, 3600000, 0, 0);
	T_ASSERT(s.p.nrounds - r0 <= 11);
	T_ASSERT(s.probes - p0 <= 11 * 8 * PMTU_TRIES);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
}

T_TEST(bogus_icmp)
{
	static struct sim	s;

	sim_init(&s, 1500, 0, 1500);
	run(&s, 1000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	pmtu_icmp(&s.p, 1600, s.now);		/* above the ceiling */
	pmtu_icmp(&s.p, 1000, s.now);		/* below the floor */
	pmtu_icmp(&s.p, 1500, s.now);		/* not smaller: a copy */
	drain(&s);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_EQ_INT(s.p.nicmp_bogus, 2);

	/* after a genuine one, bigger values are ignored too */
	sim_init(&s, 1400, 1, 1500);
	run(&s, 3000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	pmtu_icmp(&s.p, 1450, s.now);
	pmtu_icmp(&s.p, 1279, s.now);
	drain(&s);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	run(&s, 6000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);

	/* a spoofed one that lowers: the check passes (the size does) and
	 * the re-probe brings it back soon */
	sim_init(&s, 1500, 0, 1500);
	run(&s, 1000, 0, 0);
	pmtu_icmp(&s.p, 1300, s.now);
	drain(&s);
	T_EQ_INT(pmtu_mtu(&s.p), 1300);
	run(&s, 1000 + PMTU_REPROBE_FAST_MS + 2000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);

	/* before start: ignored */
	pmtu_init(&s.p, 0, 0, 1, 0);
	pmtu_icmp(&s.p, 1300, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 0);
	T_EQ_INT(s.p.nicmp, 0);
}

T_TEST(icmp_without_size)
{
	static struct sim	s;

	sim_init(&s, 1500, 0, 1500);
	run(&s, 1000, 0, 0);
	s.path = 1400;
	pmtu_icmp(&s.p, 0, s.now);	/* an old router: no MTU given */
	drain(&s);
	T_EQ_INT(s.p.round, PMTU_ROUND_DOWN);
	run(&s, 3000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
}

T_TEST(emsgsize)
{
	static struct sim	s;

	sim_init(&s, 1500, 0, 1500);
	run(&s, 1000, 0, 0);
	pmtu_emsgsize(&s.p, 1400, s.now);	/* the interface shrank */
	drain(&s);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_EQ_INT(pmtu_source(&s.p), PMTU_SRC_LOCAL);
	T_EQ_INT(s.p.ceiling, 1400);
	run(&s, 3600000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);		/* never above the local one */
}

T_TEST(lost_small_probes)
{
	static struct sim	s;

	/* the first try of every size is lost: nothing lowers */
	sim_init(&s, 1500, 0, 1500);
	s.lose_first = 1500;
	run(&s, 3000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_EQ_INT(s.changes, 1);

	sim_init(&s, 1400, 0, 1500);
	s.lose_first = 1400;
	run(&s, 5000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);

	/* settled; a check round loses one probe: still 1400 */
	s.nseen = 0;
	s.changes = 0;
	run(&s, 30000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_EQ_INT(s.changes, 0);
}

T_TEST(dead_path)
{
	static struct sim	s;
	unsigned		p0;

	/* nothing answers at all: not an MTU problem, keep the size */
	sim_init(&s, 1500, 0, 1500);
	s.dead = 1;
	run(&s, 5000, 0, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	/* big data into the void: searches back off */
	p0 = s.probes;
	run(&s, 305000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_ASSERT(s.probes - p0 < 12 * PMTU_ROUND_BUDGET);
	/* it comes back: the next search confirms 1500 */
	s.dead = 0;
	run(&s, 400000, 1, 0);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_EQ_INT(s.p.retry_down, 0);
	T_EQ_INT(s.p.gave_up, 0);	/* dead is not old */
}

/* An older member does not answer probes but its traffic comes in: give
 * up, stay at the ceiling; ICMP still lowers, for 10 minutes. */
T_TEST(old_member)
{
	static struct sim	s;
	unsigned		p0;

	sim_init(&s, 1500, 1, 1500);
	s.noack = 1;
	run(&s, 60000, 1, 1);
	T_EQ_INT(s.p.gave_up, 1);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_ASSERT(s.probes <= PMTU_GIVE_UP_ROUNDS * PMTU_ROUND_BUDGET);
	p0 = s.probes;
	run(&s, 3600000, 1, 1);
	T_EQ_INT(s.probes, p0);
	pmtu_icmp(&s.p, 1400, s.now);
	drain(&s);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	T_EQ_INT(s.probes, p0);
	run(&s, s.now + PMTU_REPROBE_MS - 1000, 1, 1);
	T_EQ_INT(pmtu_mtu(&s.p), 1400);
	run(&s, s.now + 2000, 1, 1);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_EQ_INT(s.probes, p0);
	/* a new path: try again */
	pmtu_start(&s.p, 1500, s.now);
	T_EQ_INT(s.p.gave_up, 0);
}

T_TEST(acks)
{
	static struct sim	s;
	struct pmtu_action	a;
	uint64_t		id = 0;

	pmtu_init(&s.p, 1, 0, 77, 0);
	pmtu_start(&s.p, 1500, 0);
	while (pmtu_next_action(&s.p, &a))
		if (a.type == PMTU_ACT_PROBE && a.size == 1500)
			id = a.id;
	T_ASSERT(id != 0);
	T_ASSERT(pmtu_ack_matches(&s.p, id));
	T_ASSERT(!pmtu_ack_matches(&s.p, 0));
	T_ASSERT(!pmtu_ack_matches(&s.p, 12345678));
	pmtu_ack(&s.p, 12345678, 10);		/* unknown: nothing */
	T_EQ_INT(s.p.nack, 0);
	pmtu_ack(&s.p, id, PMTU_ACK_MAX_MS + 1);	/* too late */
	T_EQ_INT(s.p.nack, 0);
	pmtu_ack(&s.p, id, 30);
	T_EQ_INT(s.p.nack, 1);
	T_EQ_INT(s.p.rtt, 30);
	T_EQ_INT(s.p.state, PMTU_SETTLED);
	T_EQ_INT(pmtu_mtu(&s.p), 1500);
	T_EQ_INT(pmtu_inner_mtu(&s.p), 1420);
	/* a new path (pmtu_start again): old ids mean nothing */
	pmtu_start(&s.p, 1500, 100);
	T_ASSERT(!pmtu_ack_matches(&s.p, id));
}

static uint32_t	rnd_x = 12345;

static uint32_t
rnd(void)
{
	rnd_x = rnd_x * 1103515245 + 12345;
	return rnd_x >> 8;
}
#define RND()	rnd()

/* Random events in any order: the size stays within [floor, ceiling], the
 * next deadline is never in the past, no action is ever dropped. */
static void
random_events_seed(uint32_t seed);

T_TEST(random_events)
{
	static const uint32_t	seeds[] = { 12345, 7, 31337, 424242 };
	size_t			i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		random_events_seed(seeds[i]);
}

static void
random_events_seed(uint32_t seed)
{
	static struct pmtu	p;
	struct pmtu_action	a;
	uint64_t		now = 0, ids[64], next;
	unsigned		sz, cnt;
	size_t			nids = 0;
	unsigned		i, r, bad = 0;

	rnd_x = seed;
	pmtu_init(&p, 1, 1, 42, 0);
	pmtu_start(&p, 1500, 0);
	for (i = 0; i < 100000; i++) {
		r = RND() % 100;
		if (r < 30 && nids > 0)
			pmtu_ack(&p, ids[RND() % nids], now);
		else if (r < 35)
			pmtu_icmp(&p, RND() % 2000, now);
		else if (r < 37)
			pmtu_emsgsize(&p, 1200 + RND() % 400, now);
		else if (r < 60) {
			sz = RND() % 1600;
			cnt = 1 + RND() % 8;
			pmtu_sent(&p, sz, cnt, now);
		}
		else if (r < 70)
			pmtu_rx(&p, now);
		else if (r < 71)
			pmtu_start(&p, 1280 + RND() % 8000, now);
		else if (r < 72)
			pmtu_ack(&p, RND(), now);
		while (pmtu_next_action(&p, &a))
			if (a.type == PMTU_ACT_PROBE)
				ids[nids++ % 64] = a.id;
		if (nids > 64)
			nids = 64;
		next = pmtu_periodic(&p, now);
		while (pmtu_next_action(&p, &a))
			if (a.type == PMTU_ACT_PROBE) {
				if (a.size < p.floor || a.size > p.ceiling)
					bad++;
				ids[nids++ % 64] = a.id;
			}
		if (nids > 64)
			nids = 64;
		if (next < now || p.cur < p.floor || p.cur > p.ceiling)
			bad++;
		now += RND() % 300;
	}
	T_EQ_INT(bad, 0);
	T_EQ_INT(p.dropped_actions, 0);
	T_ASSERT(p.nack > 0);
}

T_TEST(names)
{
	T_EQ_STR(pmtu_src_name(PMTU_SRC_DEFAULT), "default");
	T_EQ_STR(pmtu_src_name(PMTU_SRC_PROBE), "probe");
	T_EQ_STR(pmtu_src_name(PMTU_SRC_ICMP), "icmp");
	T_EQ_STR(pmtu_src_name(PMTU_SRC_LOCAL), "local");
	T_EQ_STR(pmtu_src_name(PMTU_SRC_BLACKHOLE), "blackhole");
	T_EQ_STR(pmtu_state_name(PMTU_SETTLED), "settled");
}

int
main(void)
{
	T_RUN(overheads);
	T_RUN(clean_1500);
	T_RUN(icmp_1400);
	T_RUN(blackhole_1400);
	T_RUN(blackhole_odd_sizes);
	T_RUN(path_1280);
	T_RUN(ceiling_at_floor);
	T_RUN(jumbo);
	T_RUN(shrink_and_grow);
	T_RUN(shrink_with_reverse_traffic);
	T_RUN(one_way_stream);
	T_RUN(reprobe_backoff);
	T_RUN(bogus_icmp);
	T_RUN(icmp_without_size);
	T_RUN(emsgsize);
	T_RUN(lost_small_probes);
	T_RUN(dead_path);
	T_RUN(old_member);
	T_RUN(acks);
	T_RUN(random_events);
	T_RUN(names);
	return t_done();
}
