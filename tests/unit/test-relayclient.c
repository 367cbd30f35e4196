/* The relay client with a fake clock, fake pair keys and a fake list of
 * our own rendezvous nodes. */
#include "config.h"

#include <string.h>

#include "nat/natep.h"
#include "nat/natpath.h"
#include "nat/relayclient.h"
#include "t.h"
#include "test-ep.h"

struct fake {
	uint64_t	wall;
	struct rc_rv	own[RC_MAX_OWN];
	size_t		nown;
	unsigned	npair;
};

static int
f_pair(void *arg, const uint8_t key[RC_KEY_LEN], uint8_t out[32])
{
	struct fake	*f = arg;

	f->npair++;
	if (key[0] == 0xee)
		return -1;	/* an unusable key */
	memset(out, key[0], 32);
	return 0;
}

static uint64_t
f_wall(void *arg)
{
	return ((struct fake *)arg)->wall;
}

static size_t
f_own(void *arg, struct rc_rv *out, size_t max)
{
	struct fake	*f = arg;
	size_t		 n = f->nown < max ? f->nown : max;

	memcpy(out, f->own, n * sizeof(*out));
	return n;
}

static void
key(uint8_t k[RC_KEY_LEN], uint8_t b)
{
	memset(k, b, RC_KEY_LEN);
}

static void
setup(struct relayclient *rc, struct fake *f)
{
	struct rc_config	cfg;

	memset(f, 0, sizeof(*f));
	f->wall = 1700000000000ULL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.arg = f;
	cfg.pair = f_pair;
	cfg.wallclock = f_wall;
	cfg.own_rv = f_own;
	relayclient_init(rc, &cfg);
}

/* Drained actions by type; the last of each kept. */
struct drained {
	unsigned		n[RC_ACT_MOVED + 1];
	struct rc_action	last[RC_ACT_MOVED + 1];
	struct rc_action	binds[8];
	unsigned		nbinds;
};

static void
drain(struct relayclient *rc, struct drained *d)
{
	struct rc_action	a;

	memset(d, 0, sizeof(*d));
	while (relayclient_next_action(rc, &a)) {
		d->n[a.type]++;
		d->last[a.type] = a;
		if (a.type == RC_ACT_BIND && d->nbinds < 8)
			d->binds[d->nbinds++] = a;
	}
}

static const struct rc_use idle_use = { 0, 0, 0, 0 };
static const struct rc_use used = { 1, 1, 0, 0 };

T_TEST(bind_then_ready)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], rk[RC_KEY_LEN];
	struct sockaddr_in6	ra = ep(IP(198, 51, 100, 1), 6374), obs;

	setup(&rc, &f);
	key(mk, 0x11);
	key(rk, 0x22);
	relayclient_member_add(&rc, &m, mk, &m);
	relayclient_rendezvous(&rc, &m, rk, &ra, 1000);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_EQ_MEM(d.last[RC_ACT_BIND].target, mk, RC_KEY_LEN);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &ra));
	T_EQ_INT(d.last[RC_ACT_BIND].nonce, f.wall);
	T_EQ_INT(rc.relays[d.last[RC_ACT_BIND].relay].pair[0], 0x22);
	/* a second rendezvous while a BIND is out: no second BIND */
	relayclient_rendezvous(&rc, &m, rk, &ra, 1100);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);

	T_EQ_INT(relayclient_bound_relay(&rc, rk, &ra), 0);
	obs = ep(IP(203, 0, 113, 5), 40000);
	relayclient_bound(&rc, &m, 0, f.wall, RC_BOUND_OK, &obs, 1, 1200);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_READY], 1);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_SET_RELAY].addr, &ra));
	T_ASSERT(d.last[RC_ACT_SET_RELAY].m == &m);
	T_EQ_INT(d.n[RC_ACT_KICK], 1);
	T_EQ_INT(d.n[RC_ACT_OBSERVED], 1);
	T_EQ_INT(d.n[RC_ACT_MOVED], 0);
	T_ASSERT(m.relay_ok);
	T_ASSERT(relayclient_relay_key(&rc, &m) != NULL);
	T_EQ_MEM(relayclient_relay_key(&rc, &m), rk, RC_KEY_LEN);
	/* nothing outstanding: next is the renewal */
	T_EQ_INT(relayclient_next(&m, &used, 1200), 1200 + RC_BIND_MS);
}

T_TEST(renewal_only_while_in_use)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], rk[RC_KEY_LEN];
	struct sockaddr_in6	ra = ep(IP(198, 51, 100, 1), 6374), none;
	struct rc_use		start = { 1, 0, 0, 0 };

	memset(&none, 0, sizeof(none));
	setup(&rc, &f);
	key(mk, 0x11);
	key(rk, 0x22);
	relayclient_member_add(&rc, &m, mk, &m);
	relayclient_rendezvous(&rc, &m, rk, &ra, 1);
	drain(&rc, &d);
	relayclient_bound(&rc, &m, 0, d.last[RC_ACT_BIND].nonce, RC_BOUND_OK,
	    &none, 1, 10);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_OBSERVED], 0);
	/* renewal due while idle: no BIND, the renewal moves on */
	relayclient_tick(&rc, &m, &idle_use, 10 + RC_BIND_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	T_EQ_INT(m.bind_next, 10 + 2 * RC_BIND_MS);
	/* in use: renewed at the same relay */
	f.wall += 5000;
	relayclient_tick(&rc, &m, &used, 10 + 2 * RC_BIND_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_EQ_INT(d.last[RC_ACT_BIND].relay, 0);
	T_EQ_INT(d.last[RC_ACT_BIND].nonce, f.wall);
	relayclient_bound(&rc, &m, 0, f.wall, RC_BOUND_OK, &none, 1,
	    20 + 2 * RC_BIND_MS);
	drain(&rc, &d);
	/* the same relay again: no new SET_RELAY, not "ready" again */
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 0);
	T_EQ_INT(d.n[RC_ACT_READY], 0);
	/* use starting after a pause: bound again at once */
	relayclient_tick(&rc, &m, &start, 30 + 2 * RC_BIND_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	/* the nonce grows even when the wall clock does not */
	T_EQ_INT(d.last[RC_ACT_BIND].nonce, f.wall + 1);
}

T_TEST(unanswered_bind_tries_next_rendezvous)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], r1[RC_KEY_LEN], r2[RC_KEY_LEN];
	struct sockaddr_in6	a1 = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	a2 = ep(IP(198, 51, 100, 2), 6374);

	setup(&rc, &f);
	key(mk, 0x11);
	key(r1, 0x21);
	key(r2, 0x22);
	relayclient_member_add(&rc, &m, mk, &m);
	relayclient_rendezvous(&rc, &m, r1, &a1, 1000);
	relayclient_rendezvous(&rc, &m, r2, &a2, 1000);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &a1));
	T_EQ_INT(relayclient_next(&m, &used, 1000), 1000 + RC_BIND_RETRY_MS);
	/* not yet */
	relayclient_tick(&rc, &m, &used, 1000 + RC_BIND_RETRY_MS - 1);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	relayclient_tick(&rc, &m, &used, 1000 + RC_BIND_RETRY_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &a2));
	/* a late answer from the first is an answer to an old BIND */
	f.wall++;
	relayclient_bound(&rc, &m, 0, rc.bind_nonce - 1, RC_BOUND_OK, &a1, 1,
	    1000 + RC_BIND_RETRY_MS + 5);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 0);
	T_ASSERT(!m.relay_ok);
}

T_TEST(refused_relay_avoided_for_a_while)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], rk[RC_KEY_LEN], ok[RC_KEY_LEN];
	struct sockaddr_in6	ra = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	oa = ep(IP(198, 51, 100, 9), 6374), none;

	memset(&none, 0, sizeof(none));
	setup(&rc, &f);
	key(mk, 0x11);
	key(rk, 0x22);
	key(ok, 0x33);
	/* one of our own rendezvous nodes is the same node as the
	 * member's; another is not */
	memcpy(f.own[0].key, rk, RC_KEY_LEN);
	f.own[0].addr = ra;
	f.own[0].active = 1;
	memcpy(f.own[1].key, ok, RC_KEY_LEN);
	f.own[1].addr = oa;
	f.own[1].active = 1;
	f.nown = 2;
	relayclient_member_add(&rc, &m, mk, &m);
	relayclient_rendezvous(&rc, &m, rk, &ra, 1);
	drain(&rc, &d);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &ra));
	/* refused: ours are tried, but not the one that just refused */
	relayclient_bound(&rc, &m, 0, d.last[RC_ACT_BIND].nonce,
	    RC_BOUND_REFUSED, &none, 1, 100);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &oa));
	/* that one is silent too: nothing left; no relay */
	relayclient_tick(&rc, &m, &used, 100 + RC_BIND_RETRY_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	T_ASSERT(!m.relay_ok);
	/* 30 s later a fresh lookup brings the member's rendezvous back:
	 * it is asked again (a lookup's answer clears its mark) */
	relayclient_rendezvous(&rc, &m, rk, &ra, 100 + RC_BAD_RELAY_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &ra));
}

T_TEST(bad_own_relay_expires)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], ok[RC_KEY_LEN];
	struct sockaddr_in6	oa = ep(IP(198, 51, 100, 9), 6374);
	struct rc_rv		rv;

	setup(&rc, &f);
	key(mk, 0x11);
	key(ok, 0x33);
	memcpy(f.own[0].key, ok, RC_KEY_LEN);
	f.own[0].addr = oa;
	f.own[0].active = 1;
	f.nown = 1;
	relayclient_member_add(&rc, &m, mk, &m);
	/* a member rendezvous with an unusable key: ours is asked */
	memset(&rv, 0, sizeof(rv));
	key(rv.key, 0xee);
	rv.addr = ep(IP(198, 51, 100, 7), 6374);
	relayclient_rendezvous(&rc, &m, rv.key, &rv.addr, 1);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &oa));
	/* silent: bad for RC_BAD_RELAY_MS, and nothing else to ask */
	relayclient_tick(&rc, &m, &used, 1 + RC_BIND_RETRY_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	/* the member's rendezvous found again (still unusable): ours is
	 * still bad */
	relayclient_rendezvous(&rc, &m, rv.key, &rv.addr,
	    1 + RC_BIND_RETRY_MS + 10);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	/* 30 s after it failed: asked again when a rendezvous shows up */
	relayclient_rendezvous(&rc, &m, rv.key, &rv.addr,
	    1 + RC_BIND_RETRY_MS + RC_BAD_RELAY_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &oa));
}

T_TEST(rotation_through_rendezvous)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], rk[3][RC_KEY_LEN];
	struct sockaddr_in6	a[3], none;
	uint64_t		now = 1000;
	int			i;

	memset(&none, 0, sizeof(none));
	setup(&rc, &f);
	key(mk, 0x11);
	relayclient_member_add(&rc, &m, mk, &m);
	for (i = 0; i < 3; i++) {
		key(rk[i], (uint8_t)(0x40 + i));
		a[i] = ep(IP(198, 51, 100, 10 + i), 6374);
	}
	relayclient_rendezvous(&rc, &m, rk[0], &a[0], now);
	relayclient_rendezvous(&rc, &m, rk[1], &a[1], now);
	relayclient_rendezvous(&rc, &m, rk[2], &a[2], now);
	drain(&rc, &d);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &a[0]));
	/* each one refuses in turn: the next is asked */
	for (i = 0; i < 2; i++) {
		f.wall++;
		relayclient_bound(&rc, &m, m.bind_relay, m.bind_nonce,
		    RC_BOUND_REFUSED, &none, 1, ++now);
		drain(&rc, &d);
		T_EQ_INT(d.n[RC_ACT_BIND], 1);
		T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &a[i + 1]));
	}
	relayclient_bound(&rc, &m, m.bind_relay, m.bind_nonce, RC_BOUND_OK,
	    &none, 1, ++now);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_SET_RELAY].addr, &a[2]));
	T_EQ_MEM(relayclient_relay_key(&rc, &m), rk[2], RC_KEY_LEN);
}

T_TEST(silent_relay_in_use_is_lost)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], r1[RC_KEY_LEN], r2[RC_KEY_LEN];
	struct sockaddr_in6	a1 = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	a2 = ep(IP(198, 51, 100, 2), 6374), none;
	struct rc_use		sending = { 1, 1, 1, 1 };
	uint64_t		t;

	memset(&none, 0, sizeof(none));
	setup(&rc, &f);
	key(mk, 0x11);
	key(r1, 0x21);
	key(r2, 0x22);
	relayclient_member_add(&rc, &m, mk, &m);
	relayclient_rendezvous(&rc, &m, r1, &a1, 1);
	relayclient_rendezvous(&rc, &m, r2, &a2, 1);
	drain(&rc, &d);
	relayclient_bound(&rc, &m, 0, m.bind_nonce, RC_BOUND_OK, &none, 1, 5);
	drain(&rc, &d);
	relayclient_routed(&rc, &m, 1, 10);
	/* answers come through it: kept */
	for (t = 500; t < 5000; t += 500) {
		relayclient_relayed(&rc, &m, &a1, t);
		relayclient_tick(&rc, &m, &sending, t);
		drain(&rc, &d);
		T_EQ_INT(d.n[RC_ACT_LOST], 0);
		T_EQ_INT(d.n[RC_ACT_SET_RELAY], 0);
	}
	T_EQ_INT(relayclient_next(&m, &sending, t), t + 1000);
	/* silence while we send */
	relayclient_tick(&rc, &m, &sending, t - 500 +
	    NATPATH_ACTIVE_DEAD_MS - 1);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_LOST], 0);
	relayclient_tick(&rc, &m, &sending, t - 500 + NATPATH_ACTIVE_DEAD_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_LOST], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_LOST].addr, &a1));
	T_EQ_INT(d.n[RC_ACT_NO_RELAY], 1);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_BIND].addr, &a2));
	T_ASSERT(!m.relay_ok);
}

T_TEST(relayed_in_adopts_the_members_relay)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], lo[RC_KEY_LEN], hi[RC_KEY_LEN];
	struct sockaddr_in6	alo = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	ahi = ep(IP(198, 51, 100, 2), 6374), none;

	memset(&none, 0, sizeof(none));
	setup(&rc, &f);
	key(mk, 0x11);
	key(lo, 0x21);
	key(hi, 0x52);
	/* ours: the one with the lower key */
	memcpy(f.own[0].key, lo, RC_KEY_LEN);
	f.own[0].addr = alo;
	f.own[0].active = 1;
	f.nown = 1;
	relayclient_member_add(&rc, &m, mk, &m);
	relayclient_rendezvous(&rc, &m, hi, &ahi, 1);
	drain(&rc, &d);
	relayclient_bound(&rc, &m, 0, m.bind_nonce, RC_BOUND_OK, &none, 1, 5);
	drain(&rc, &d);
	T_ASSERT(natep_eq(&d.last[RC_ACT_SET_RELAY].addr, &ahi));
	/* the member reaches us through our own (lower) rendezvous: both
	 * move there */
	relayclient_relayed(&rc, &m, &alo, 100);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_SET_RELAY].addr, &alo));
	T_EQ_MEM(relayclient_relay_key(&rc, &m), lo, RC_KEY_LEN);
	T_EQ_INT(m.bind_next, 100);
	/* and back through the higher one: kept on the lower */
	relayclient_relayed(&rc, &m, &ahi, 200);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 0);
}

T_TEST(address_watch_detects_a_move)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], rk[RC_KEY_LEN];
	struct sockaddr_in6	ra = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	us = ep(IP(203, 0, 113, 5), 40000);
	struct sockaddr_in6	port = ep(IP(203, 0, 113, 5), 40001);
	struct sockaddr_in6	moved = ep(IP(203, 0, 113, 77), 40001);

	setup(&rc, &f);
	key(mk, 0x11);
	key(rk, 0x22);
	relayclient_member_add(&rc, &m, mk, &m);
	/* no relay yet: nothing to ask */
	relayclient_watch(&rc, &m, 100000);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	relayclient_rendezvous(&rc, &m, rk, &ra, 100000);
	drain(&rc, &d);
	relayclient_bound(&rc, &m, 0, m.bind_nonce, RC_BOUND_OK, &us, 1,
	    100001);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_MOVED], 0);
	/* no member in use: nothing asked */
	relayclient_watch(&rc, NULL, 100002);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	f.wall += 10;
	relayclient_watch(&rc, &m, 100002);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 1);
	/* not again within RC_WATCH_MS */
	relayclient_watch(&rc, &m, 100002 + RC_WATCH_MS - 1);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_BIND], 0);
	/* the same place: no move; the answer is not m's BIND (stray) */
	relayclient_bound(&rc, &m, 0, f.wall, RC_BOUND_OK, &us, 1, 100003);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_MOVED], 0);
	T_EQ_INT(d.n[RC_ACT_OBSERVED], 1);
	/* a new port behind a symmetric NAT: not a move */
	relayclient_bound(&rc, &m, 0, f.wall, RC_BOUND_OK, &port, 0, 100004);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_MOVED], 0);
	/* a new address: moved */
	relayclient_bound(&rc, &m, 0, f.wall, RC_BOUND_OK, &moved, 0,
	    100005);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_MOVED], 1);
	T_ASSERT(natep_eq(&d.last[RC_ACT_MOVED].seen, &moved));
	T_ASSERT(natep_eq(&d.last[RC_ACT_MOVED].was, &port));
	/* a new port behind an endpoint-independent NAT: moved */
	relayclient_bound(&rc, &m, 0, f.wall, RC_BOUND_OK, &us, 1, 100006);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_MOVED], 1);
}

T_TEST(stray_and_replayed_bound_ignored)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m;
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], rk[RC_KEY_LEN], xk[RC_KEY_LEN];
	struct sockaddr_in6	ra = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	elsewhere = ep(IP(198, 51, 100, 66), 6374);
	struct sockaddr_in6	none;
	uint64_t		first;

	memset(&none, 0, sizeof(none));
	setup(&rc, &f);
	key(mk, 0x11);
	key(rk, 0x22);
	key(xk, 0x23);
	relayclient_member_add(&rc, &m, mk, &m);
	/* no relay at all */
	T_EQ_INT(relayclient_bound_relay(&rc, rk, &ra), -1);
	relayclient_rendezvous(&rc, &m, rk, &ra, 1);
	drain(&rc, &d);
	first = m.bind_nonce;
	/* from elsewhere, or signed by another key: not from our relay */
	T_EQ_INT(relayclient_bound_relay(&rc, rk, &elsewhere), -1);
	T_EQ_INT(relayclient_bound_relay(&rc, xk, &ra), -1);
	/* a nonce never sent: stray, nothing changes */
	relayclient_bound(&rc, &m, 0, first + 5, RC_BOUND_OK, &none, 1, 10);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 0);
	T_EQ_INT(rc.stray, 1);
	T_ASSERT(!m.relay_ok);
	relayclient_bound(&rc, &m, 0, first, RC_BOUND_OK, &none, 1, 11);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY], 1);
	/* the same BOUND replayed: changes nothing */
	relayclient_bound(&rc, &m, 0, first, RC_BOUND_OK, &none, 1, 12);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_SET_RELAY] + d.n[RC_ACT_KICK] +
	    d.n[RC_ACT_READY], 0);
	/* a replayed refusal of an old BIND does not drop the relay */
	f.wall += 100;
	relayclient_tick(&rc, &m, &used, 12 + RC_BIND_MS);	/* renewal */
	drain(&rc, &d);
	relayclient_bound(&rc, &m, 0, first, RC_BOUND_REFUSED, &none, 1, 13 +
	    RC_BIND_MS);
	drain(&rc, &d);
	T_EQ_INT(d.n[RC_ACT_NO_RELAY], 0);
	T_ASSERT(m.relay_ok);
}

T_TEST(full_table_evicts_least_recently_used)
{
	struct relayclient	rc;
	struct fake		f;
	struct rc_member	m[RC_MAX_RELAYS + 1];
	struct drained		d;
	uint8_t			mk[RC_KEY_LEN], rk[RC_KEY_LEN];
	struct sockaddr_in6	a;
	int			i;

	setup(&rc, &f);
	for (i = 0; i <= RC_MAX_RELAYS; i++) {
		key(mk, (uint8_t)(0x80 + i));
		key(rk, (uint8_t)(0x01 + i));
		a = ep(IP(198, 51, 100, 1 + i), 6374);
		relayclient_member_add(&rc, &m[i], mk, &m[i]);
		relayclient_rendezvous(&rc, &m[i], rk, &a, (uint64_t)i + 1);
		drain(&rc, &d);
		T_EQ_INT(d.n[RC_ACT_BIND], 1);
	}
	T_EQ_INT(rc.nrelays, RC_MAX_RELAYS);
	/* the first member's relay went: its BIND is forgotten */
	T_EQ_INT(m[0].bind_relay, -1);
	T_EQ_INT(m[0].bind_at, 0);
	T_EQ_INT(m[RC_MAX_RELAYS].bind_relay, 0);
	for (i = 0; i <= RC_MAX_RELAYS; i++)
		relayclient_member_remove(&rc, &m[i]);
	T_ASSERT(rc.members == NULL);
	relayclient_wipe(&rc);
}

int
main(void)
{
	T_RUN(bind_then_ready);
	T_RUN(renewal_only_while_in_use);
	T_RUN(unanswered_bind_tries_next_rendezvous);
	T_RUN(refused_relay_avoided_for_a_while);
	T_RUN(bad_own_relay_expires);
	T_RUN(rotation_through_rendezvous);
	T_RUN(silent_relay_in_use_is_lost);
	T_RUN(relayed_in_adopts_the_members_relay);
	T_RUN(address_watch_detects_a_move);
	T_RUN(stray_and_replayed_bound_ignored);
	T_RUN(full_table_evicts_least_recently_used);
	return t_done();
}
