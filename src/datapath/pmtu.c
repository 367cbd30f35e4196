/* Path MTU discovery for one path: pure, see pmtu.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "datapath/pmtu.h"
#include "common/util.h"

/* Common outer sizes (tinc-like): Ethernet, PPPoE, then what tunnels,
 * VXLAN overlays, cloud VPCs and mobile links leave, down to the floor. */
static const unsigned ladder[] = {
	1500, 1492, 1480, 1460, 1450, 1440, 1420, 1400, 1380, 1360, 1340,
	1320, 1300, 1280,
};

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t
max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

unsigned
pmtu_overhead(int ipv6, int relayed)
{
	return (ipv6 ? PMTU_IP6_HDR : PMTU_IP4_HDR) + PMTU_UDP_HDR +
	    PMTU_TUNNEL_HDR + (relayed ? PMTU_RELAY_HDR : 0);
}

unsigned
pmtu_inner(unsigned outer, int ipv6, int relayed)
{
	unsigned	oh = pmtu_overhead(ipv6, relayed);

	return outer > oh ? outer - oh : 0;
}

unsigned
pmtu_outer(unsigned inner, int ipv6, int relayed)
{
	return inner + pmtu_overhead(ipv6, relayed);
}

unsigned
pmtu_udp_payload(unsigned outer, int ipv6)
{
	unsigned	oh;

	oh = (ipv6 ? PMTU_IP6_HDR : PMTU_IP4_HDR) + PMTU_UDP_HDR;

	return outer > oh ? outer - oh : 0;
}

void
pmtu_init(struct pmtu *p, int ipv6, int relayed, uint64_t id_seed,
    uint64_t now)
{
	memset(p, 0, sizeof(*p));
	p->state = PMTU_IDLE;
	p->ipv6 = ipv6 != 0;
	p->relayed = relayed != 0;
	p->id_ctr = id_seed;
	p->changed_at = now;
	p->next_reprobe = p->next_check = UINT64_MAX;
	p->reprobe_gap = PMTU_REPROBE_MS;
	p->retry_gap = PMTU_RETRY_MS;
	p->bh_gap = PMTU_BH_HOLDOFF_MS;
	util_strlcpy(p->reason, "not started", sizeof(p->reason));
}

static void
push(struct pmtu *p, const struct pmtu_action *a)
{
	if (p->outhead == p->nout)
		p->outhead = p->nout = 0;
	if (p->nout == PMTU_MAX_ACTIONS) {
		p->dropped_actions++;
		return;
	}
	p->out[p->nout++] = *a;
}

int
pmtu_next_action(struct pmtu *p, struct pmtu_action *a)
{
	if (p->outhead == p->nout)
		return 0;
	*a = p->out[p->outhead++];
	return 1;
}

/* The usable size becomes `size`, learnt from src. */
static void
set_cur(struct pmtu *p, unsigned size, enum pmtu_src src, const char *why,
    uint64_t now)
{
	struct pmtu_action	a;

	if (size != p->cur) {
		memset(&a, 0, sizeof(a));
		a.type = PMTU_ACT_CHANGED;
		a.old = p->cur;
		a.size = size;
		push(p, &a);
		snprintf(p->reason, sizeof(p->reason), "%u -> %u: %s",
		    p->cur, size, why);
		if (size < p->cur) {
			/* maybe a passing route change: look up again soon */
			p->reprobe_gap = PMTU_REPROBE_FAST_MS;
			p->next_reprobe = now + p->reprobe_gap;
			/* what went out at the old size is lost, expectedly */
			p->big_sends = 0;
		}
		p->cur = size;
		p->changed_at = now;
		p->nchanges++;
	}
	p->src = src;
}

static uint64_t
wait_ms(const struct pmtu *p)
{
	uint64_t	w = p->rtt ? 2 * p->rtt : 2 * PMTU_PROBE_MS;

	return min64(max64(w, PMTU_PROBE_MS), PMTU_WAIT_MAX_MS);
}

static void
probe(struct pmtu *p, struct pmtu_try *t, uint64_t now)
{
	struct pmtu_action	 a;
	struct pmtu_sent	*s;

	if (++p->id_ctr == 0)	/* 0 means "none" */
		++p->id_ctr;
	memset(&a, 0, sizeof(a));
	a.type = PMTU_ACT_PROBE;
	a.size = t->size;
	a.id = p->id_ctr;
	push(p, &a);
	s = &p->sent[p->sent_next++ % PMTU_SENT_RING];
	s->id = a.id;
	s->at = now;
	s->size = t->size;
	t->tries++;
	t->last_sent = now;
	p->nprobe++;
	p->round_probes++;
}

/* Send the next try of every size still open (biggest first). */
static void
send_due(struct pmtu *p, uint64_t now)
{
	size_t	i;

	for (i = 0; i < p->nsizes; i++) {
		struct pmtu_try	*t = &p->sizes[i];

		if (t->state != 0 || t->tries >= PMTU_TRIES)
			continue;
		if (t->size > p->ceiling) {
			t->state = -1;	/* EMSGSIZE lowered the ceiling */
			continue;
		}
		if (p->round_probes >= PMTU_ROUND_BUDGET) {
			t->tries = PMTU_TRIES;	/* out of budget: let it fail */
			continue;
		}
		probe(p, t, now);
	}
	p->next_send = now + PMTU_PROBE_MS;
}

/* Add a size to the round being built (descending, no duplicates). */
static void
add_size(struct pmtu *p, unsigned size)
{
	size_t	i;

	if (size < p->floor || size > p->ceiling ||
	    p->nsizes == PMTU_MAX_SIZES)
		return;
	for (i = 0; i < p->nsizes; i++)
		if (p->sizes[i].size == size)
			return;
	for (i = p->nsizes; i > 0 && p->sizes[i - 1].size < size; i--)
		p->sizes[i] = p->sizes[i - 1];
	memset(&p->sizes[i], 0, sizeof(p->sizes[i]));
	p->sizes[i].size = size;
	p->nsizes++;
}

/* Ladder sizes in [lo, hi]. */
static void
add_ladder(struct pmtu *p, unsigned lo, unsigned hi)
{
	size_t	i;

	for (i = 0; i < ARRAY_SIZE(ladder); i++)
		if (ladder[i] >= lo && ladder[i] <= hi)
			add_size(p, ladder[i]);
}

const char *
pmtu_round_name(enum pmtu_round r)
{
	switch (r) {
	case PMTU_ROUND_SEARCH:
		return "searching";
	case PMTU_ROUND_UP:
		return "probing upwards";
	case PMTU_ROUND_DOWN:
		return "probing downwards (big packets lost?)";
	case PMTU_ROUND_REFINE:
		return "refining";
	case PMTU_ROUND_CHECK:
		return "checking the current size";
	case PMTU_ROUND_NONE:
		break;
	}
	return "idle";
}

/* Start a round of kind r; lo and hi bound a refinement. src: what a drop
 * found by this round is put down to. */
static void
begin_round(struct pmtu *p, enum pmtu_round r, enum pmtu_src src,
    unsigned lo, unsigned hi, uint64_t now)
{
	unsigned	step, s;

	p->nsizes = 0;
	p->round = r;
	p->round_src = src;
	p->round_best = 0;
	p->round_start = now;
	p->round_probes = 0;
	/* the control and the current size first: they always fit */
	p->control = r == PMTU_ROUND_UP ? p->cur : r == PMTU_ROUND_REFINE ?
	    lo : r == PMTU_ROUND_CHECK ? 0 : p->floor;
	if (p->control != 0)
		add_size(p, p->control);
	add_size(p, p->cur);
	switch (r) {
	case PMTU_ROUND_SEARCH:
		add_size(p, p->ceiling);
		add_ladder(p, p->floor, p->ceiling);
		break;
	case PMTU_ROUND_UP:
		add_size(p, p->ceiling);
		add_ladder(p, p->cur + 1, p->ceiling);
		break;
	case PMTU_ROUND_DOWN:
		add_ladder(p, p->floor, p->cur);
		break;
	case PMTU_ROUND_REFINE:
		/* up to 7 sizes evenly between lo (passed) and hi (failed) */
		step = (hi - lo + 7) / 8;
		for (s = lo + step; s < hi; s += step)
			add_size(p, s);
		break;
	case PMTU_ROUND_CHECK:		/* a failure leads to a DOWN round */
		break;
	case PMTU_ROUND_NONE:
		return;
	}
	p->state = PMTU_SEARCHING;
	p->nrounds++;
	send_due(p, now);
}

/* Nothing is running: arm the upward re-probe unless armed already (a
 * check round must not push it back). */
static void
settle(struct pmtu *p, uint64_t now)
{
	p->state = PMTU_SETTLED;
	p->round = PMTU_ROUND_NONE;
	p->nsizes = 0;
	if (p->next_reprobe == UINT64_MAX && p->cur < p->ceiling)
		p->next_reprobe = now + p->reprobe_gap;
}

static int
round_open(const struct pmtu *p)
{
	size_t	i;

	for (i = 0; i < p->nsizes; i++)
		if (p->sizes[i].state == 0)
			return 1;
	return 0;
}

/* Every size of the round is passed or failed: conclude. */
static void
finish_round(struct pmtu *p, uint64_t now)
{
	enum pmtu_round	r = p->round;
	unsigned	best = p->round_best, least = 0;
	size_t		i;

	for (i = 0; i < p->nsizes; i++)
		if (p->sizes[i].state == -1 && p->sizes[i].size > best &&
		    (least == 0 || p->sizes[i].size < least))
			least = p->sizes[i].size;
	if (best == 0) {
		/* nothing answered at all: the path is down or very lossy,
		 * which says nothing about its MTU */
		if (r != PMTU_ROUND_SEARCH && r != PMTU_ROUND_DOWN &&
		    p->cur > p->floor) {
			/* the current size went unanswered: look below */
			begin_round(p, PMTU_ROUND_DOWN, PMTU_SRC_BLACKHOLE, 0,
			    0, now);
			return;
		}
		/* the member's traffic came in meanwhile: it is there but
		 * does not answer probes (an older version) */
		if (p->last_rx >= p->round_start &&
		    ++p->silent_alive >= PMTU_GIVE_UP_ROUNDS) {
			p->gave_up = 1;
			util_strlcpy(p->reason, "the member does not answer "
			    "MTU probes", sizeof(p->reason));
			settle(p, now);
			p->next_reprobe = UINT64_MAX;
			return;
		}
		if (p->last_rx < p->round_start)
			p->silent_alive = 0;
		snprintf(p->reason, sizeof(p->reason), "no probe answered "
		    "(path down?), keeping %u", p->cur);
		settle(p, now);
		/* try again later; back off while nothing answers */
		p->next_reprobe = p->bh_after = now + p->retry_gap;
		p->retry_gap = min64(2 * p->retry_gap, PMTU_RETRY_MAX_MS);
		p->retry_down = 1;
		return;
	}
	p->retry_down = 0;
	p->retry_gap = PMTU_RETRY_MS;
	p->silent_alive = 0;
	if (least != 0)
		p->failed = least;
	if (r == PMTU_ROUND_DOWN) {
		/* a suspicion round: if the current size passed, it was a
		 * false alarm (a member that sends nothing back, say): look
		 * less often */
		if (best >= p->cur)
			p->bh_gap = min64(2 * p->bh_gap, PMTU_BH_MAX_MS);
		else
			p->bh_gap = PMTU_BH_HOLDOFF_MS;
		p->bh_after = now + p->bh_gap;
	}
	if (best < p->cur)
		set_cur(p, best, p->round_src, p->round_src ==
		    PMTU_SRC_BLACKHOLE ? "big probes lost, smaller passed" :
		    "probes", now);
	else if (r == PMTU_ROUND_UP && best == p->cur && least != 0)
		/* nothing more than before: ask less often */
		p->reprobe_gap = min64(2 * p->reprobe_gap, PMTU_REPROBE_MS);
	/* a gap worth closing, unless an upward round found nothing new */
	if (least != 0 && least - best > PMTU_GRAIN &&
	    !(r == PMTU_ROUND_UP && best <= p->control)) {
		begin_round(p, PMTU_ROUND_REFINE, p->round_src, best, least,
		    now);
		return;
	}
	if (r != PMTU_ROUND_CHECK)	/* keep what the check confirmed */
		snprintf(p->reason, sizeof(p->reason), "%u (%s)%s", p->cur,
		    pmtu_src_name(p->src), p->cur < p->ceiling ?
		    "" : ", the ceiling");
	settle(p, now);
}

void
pmtu_start(struct pmtu *p, unsigned ceiling, uint64_t now)
{
	if (ceiling == 0 || ceiling > PMTU_MAX)
		ceiling = ceiling == 0 ? 1500 : PMTU_MAX;
	p->ceiling = ceiling;
	p->floor = ceiling < PMTU_FLOOR ? ceiling : PMTU_FLOOR;
	p->confirmed = p->failed = 0;
	p->confirmed_at = 0;
	p->big_sends = 0;
	p->big_since = p->bh_after = 0;
	p->bh_gap = PMTU_BH_HOLDOFF_MS;
	p->last_rx = 0;
	p->next_check = p->next_reprobe = UINT64_MAX;
	p->retry_down = 0;
	p->retry_gap = PMTU_RETRY_MS;
	p->silent_alive = 0;
	p->gave_up = 0;
	/* probes sent on the previous path prove nothing about this one */
	memset(p->sent, 0, sizeof(p->sent));
	set_cur(p, ceiling, PMTU_SRC_DEFAULT, "start", now);
	p->reprobe_gap = PMTU_REPROBE_MS;
	if (p->ceiling == p->floor) {
		util_strlcpy(p->reason, "ceiling at the floor: nothing to "
		    "search", sizeof(p->reason));
		settle(p, now);
		return;
	}
	util_strlcpy(p->reason, "searching", sizeof(p->reason));
	begin_round(p, PMTU_ROUND_SEARCH, PMTU_SRC_PROBE, 0, 0, now);
}

void
pmtu_set_rtt(struct pmtu *p, uint64_t rtt_ms)
{
	if (p->rtt == 0)
		p->rtt = rtt_ms;
}

static const struct pmtu_sent *
lookup(const struct pmtu *p, uint64_t id)
{
	size_t	i;

	if (id == 0)
		return NULL;
	for (i = 0; i < PMTU_SENT_RING; i++)
		if (p->sent[i].id == id)
			return &p->sent[i];
	return NULL;
}

int
pmtu_ack_matches(const struct pmtu *p, uint64_t id)
{
	return lookup(p, id) != NULL;
}

void
pmtu_ack(struct pmtu *p, uint64_t id, uint64_t now)
{
	const struct pmtu_sent	*s;
	unsigned		 size;
	uint64_t		 sample;
	size_t			 i;

	if (p->state == PMTU_IDLE || (s = lookup(p, id)) == NULL ||
	    now < s->at || now - s->at > PMTU_ACK_MAX_MS)
		return;
	size = s->size;
	sample = now - s->at;
	p->rtt = p->rtt ? (7 * p->rtt + sample) / 8 : sample;
	p->nack++;
	p->last_rx = now;
	if (size > p->ceiling)
		return;		/* from before the ceiling came down */
	if (size >= p->cur) {
		p->confirmed = size;
		p->confirmed_at = now;
		p->big_sends = 0;
		if (p->src == PMTU_SRC_DEFAULT)
			p->src = PMTU_SRC_PROBE;
	}
	if (p->failed != 0 && size >= p->failed)
		p->failed = 0;		/* the path grew */
	if (size > p->cur)
		set_cur(p, size, p->state == PMTU_SEARCHING &&
		    p->round_src == PMTU_SRC_BLACKHOLE ? PMTU_SRC_BLACKHOLE :
		    PMTU_SRC_PROBE, "a bigger probe passed", now);
	if (p->state != PMTU_SEARCHING)
		return;
	if (size > p->round_best)
		p->round_best = size;
	for (i = 0; i < p->nsizes; i++)
		if (p->sizes[i].size <= size)
			p->sizes[i].state = 1;
	if (!round_open(p))
		finish_round(p, now);
}

/* A report that packets bigger than mtu (0: unknown) do not get through. */
static void
too_big(struct pmtu *p, unsigned mtu, enum pmtu_src src, uint64_t now)
{
	if (p->state == PMTU_IDLE)
		return;
	p->nicmp++;
	if (mtu == 0) {
		/* no size given (old routers): search below, unless that
		 * is what is going on already */
		if (p->round != PMTU_ROUND_DOWN && p->cur > p->floor &&
		    now >= p->bh_after && !p->gave_up)
			begin_round(p, PMTU_ROUND_DOWN, src, 0, 0, now);
		return;
	}
	if (mtu >= p->cur)
		return;		/* nothing new (a copy, or a late one) */
	if (mtu < p->floor) {
		p->nicmp_bogus++;	/* IPv6 never; IPv4 paths that narrow
					 * are out of reach: keep the floor */
		return;
	}
	p->failed = mtu + 1;
	set_cur(p, mtu, src, src == PMTU_SRC_LOCAL ? "EMSGSIZE" :
	    "ICMP too big", now);
	if (p->gave_up) {
		/* no probes to confirm it or to find growth: hold it for
		 * as long as the kernel would */
		p->next_reprobe = now + PMTU_REPROBE_MS;
		return;
	}
	/* a router said so, not the member: confirm it with a probe (a
	 * failure searches below), and look upwards again soon */
	begin_round(p, PMTU_ROUND_CHECK, src, 0, 0, now);
}

void
pmtu_icmp(struct pmtu *p, unsigned mtu, uint64_t now)
{
	if (mtu > p->ceiling) {
		if (p->state != PMTU_IDLE) {
			p->nicmp++;
			p->nicmp_bogus++;
		}
		return;
	}
	too_big(p, mtu, PMTU_SRC_ICMP, now);
}

void
pmtu_emsgsize(struct pmtu *p, unsigned mtu, uint64_t now)
{
	/* the local kernel knows its interface: that is the new ceiling
	 * (even below the floor: nothing bigger can leave this host) */
	if (p->state != PMTU_IDLE && mtu >= 68 && mtu < p->ceiling) {
		p->ceiling = mtu;
		if (p->floor > mtu)
			p->floor = mtu;
	}
	too_big(p, mtu, PMTU_SRC_LOCAL, now);
}

void
pmtu_sent(struct pmtu *p, unsigned size, unsigned count, uint64_t now)
{
	if (p->state == PMTU_IDLE || count == 0 || size <= p->floor)
		return;
	if (p->big_sends == 0)
		p->big_since = now;
	p->big_sends += count;
	p->last_big = now;
	if (p->next_check == UINT64_MAX)
		p->next_check = now + PMTU_CHECK_MS;
}

void
pmtu_rx(struct pmtu *p, uint64_t now)
{
	p->last_rx = now;
	p->big_sends = 0;
	p->big_since = 0;
}

static uint64_t
bh_wait(const struct pmtu *p)
{
	return max64(PMTU_BH_MIN_MS, 3 * p->rtt);
}

/* Timed work of a running round. */
static uint64_t
round_periodic(struct pmtu *p, uint64_t now)
{
	uint64_t	next = UINT64_MAX, w = wait_ms(p);
	size_t		i;
	int		due = 0;

	for (i = 0; i < p->nsizes; i++) {
		struct pmtu_try	*t = &p->sizes[i];

		if (t->state == 0 && t->tries >= PMTU_TRIES &&
		    now >= t->last_sent + w)
			t->state = -1;
		if (t->state == 0 && t->tries < PMTU_TRIES)
			due = 1;
	}
	if (!round_open(p)) {
		finish_round(p, now);
		return now;	/* maybe a new round: look again at once */
	}
	if (due && now >= p->next_send)
		send_due(p, now);
	for (i = 0; i < p->nsizes; i++) {
		struct pmtu_try	*t = &p->sizes[i];

		if (t->state != 0)
			continue;
		if (t->tries < PMTU_TRIES)
			next = min64(next, p->next_send);
		else
			next = min64(next, t->last_sent + w);
	}
	return next;
}

uint64_t
pmtu_periodic(struct pmtu *p, uint64_t now)
{
	uint64_t	next = UINT64_MAX;
	int		guard;

	/* a finished round may begin another one: loop, boundedly */
	for (guard = 0; guard < 4 && p->state == PMTU_SEARCHING; guard++)
		if ((next = round_periodic(p, now)) != now)
			break;
	if (p->state == PMTU_SEARCHING)
		return next;
	if (p->state != PMTU_SETTLED)
		return UINT64_MAX;
	if (p->gave_up) {
		if (now >= p->next_reprobe) {
			p->next_reprobe = UINT64_MAX;
			set_cur(p, p->ceiling, PMTU_SRC_DEFAULT, "ICMP's size "
			    "expired (no probe answers)", now);
		}
		return p->next_reprobe;
	}

	/* black hole: big packets went out, nothing came back for a while */
	if (p->big_sends >= PMTU_BH_SENDS && p->cur > p->floor &&
	    now - p->big_since >= bh_wait(p) && now >= p->bh_after) {
		p->nblackhole++;
		p->big_sends = 0;
		p->bh_after = now + p->bh_gap;
		begin_round(p, PMTU_ROUND_DOWN, PMTU_SRC_BLACKHOLE, 0, 0, now);
		return pmtu_periodic(p, now);
	}
	/* while big packets are being sent, check now and then that the
	 * current size still passes (answers to other traffic could hide
	 * their loss from the detector) */
	if (now >= p->next_check) {
		if (now - p->last_big < PMTU_CHECK_MS) {
			p->next_check = now + PMTU_CHECK_MS;
			if ((p->confirmed_at == 0 || now - p->confirmed_at >=
			    PMTU_CHECK_MS) && !p->retry_down) {
				begin_round(p, PMTU_ROUND_CHECK,
				    PMTU_SRC_BLACKHOLE, 0, 0, now);
				return pmtu_periodic(p, now);
			}
		} else
			p->next_check = UINT64_MAX;
	}
	if (now >= p->next_reprobe) {
		p->next_reprobe = UINT64_MAX;
		if (p->retry_down && p->cur > p->floor) {
			begin_round(p, PMTU_ROUND_DOWN, PMTU_SRC_BLACKHOLE, 0,
			    0, now);
			return pmtu_periodic(p, now);
		}
		if (p->cur < p->ceiling) {
			begin_round(p, PMTU_ROUND_UP, PMTU_SRC_PROBE, 0, 0,
			    now);
			return pmtu_periodic(p, now);
		}
	}
	next = min64(p->next_reprobe, p->next_check);
	if (p->big_sends >= PMTU_BH_SENDS && p->cur > p->floor)
		next = min64(next, max64(p->big_since + bh_wait(p),
		    p->bh_after));
	return next;
}

unsigned
pmtu_mtu(const struct pmtu *p)
{
	return p->cur;
}

enum pmtu_src
pmtu_source(const struct pmtu *p)
{
	return p->src;
}

uint64_t
pmtu_changed_at(const struct pmtu *p)
{
	return p->changed_at;
}

unsigned
pmtu_inner_mtu(const struct pmtu *p)
{
	return pmtu_inner(p->cur, p->ipv6, p->relayed);
}

const char *
pmtu_src_name(enum pmtu_src s)
{
	switch (s) {
	case PMTU_SRC_DEFAULT:
		return "default";
	case PMTU_SRC_PROBE:
		return "probe";
	case PMTU_SRC_ICMP:
		return "icmp";
	case PMTU_SRC_LOCAL:
		return "local";
	case PMTU_SRC_BLACKHOLE:
		return "blackhole";
	}
	return "?";
}

const char *
pmtu_state_name(enum pmtu_state s)
{
	switch (s) {
	case PMTU_IDLE:
		return "idle";
	case PMTU_SEARCHING:
		return "searching";
	case PMTU_SETTLED:
		return "settled";
	}
	return "?";
}
