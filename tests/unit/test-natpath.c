#include "config.h"

#include "natpath-harness.h"
#include "t.h"

T_TEST(idle_until_used)
{
	struct natpath	p;
	struct sockaddr_in6 b = ep(IP(203, 0, 113, 20), 6374);
	struct drained	d;

	natpath_init(&p, 1, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_CONFIG, 0);
	T_EQ_INT(natpath_periodic(&p, 0), UINT64_MAX);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 0);	/* nothing sent while not in use */
	T_EQ_STR(natpath_state_name(p.state), "idle");
}

T_TEST(direct_on_ack)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374), got;
	struct drained		d;
	int			relayed;

	natpath_init(&p, 1000, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_CONFIG, 0);
	T_EQ_INT(natpath_route(&p, &got, &relayed), -1);
	natpath_use(&p, 10);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_PROBING);
	T_EQ_INT(d.nprobe, 1);
	T_ASSERT(natep_eq(&d.probes[0].ep, &b));
	/* a wrong nonce, and the right nonce from another address: ignored */
	{
		uint8_t bad[8] = { 0, 0, 0, 0, 0, 0, 0x03, 0xe8 };
		struct sockaddr_in6 other = ep(IP(203, 0, 113, 66), 6374);

		T_EQ_INT(natpath_ack_matches(&p, &b, bad), 0);
		T_EQ_INT(natpath_ack_matches(&p, &other, d.probes[0].nonce), 0);
		natpath_ack_in(&p, &b, bad, 50);
		natpath_ack_in(&p, &other, d.probes[0].nonce, 50);
		T_EQ_INT(p.state, NATPATH_PROBING);
	}
	T_EQ_INT(natpath_ack_matches(&p, &b, d.probes[0].nonce), 1);
	natpath_ack_in(&p, &b, d.probes[0].nonce, 60);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_INT(natpath_route(&p, &got, &relayed), 0);
	T_ASSERT(natep_eq(&got, &b));
	T_EQ_INT(relayed, 0);
	drain(&p, &d);
	T_EQ_INT(d.nswitch, 1);
	T_ASSERT(natep_eq(&d.last_switch.ep, &b));
	T_EQ_STR(p.reason, "direct: answered a probe (was probing)");
	T_EQ_INT(p.connect_ms, 51);
}

T_TEST(late_ack_for_previous_probe_counts)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint8_t			first[8];

	natpath_init(&p, 0, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_DHT, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	memcpy(first, d.probes[0].nonce, 8);
	natpath_periodic(&p, NATPATH_PROBE_MS);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);
	T_ASSERT(memcmp(first, d.probes[0].nonce, 8) != 0);
	natpath_ack_in(&p, &b, first, NATPATH_PROBE_MS + 5);
	T_EQ_INT(p.state, NATPATH_DIRECT);
}

T_TEST(punch_then_relay_then_upgrade)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	relay = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	obs = ep(IP(203, 0, 113, 21), 41000), got;
	struct drained		d;
	uint64_t		now = 0, next;
	int			relayed;
	unsigned		probes = 0, punches = 0;

	natpath_init(&p, 7, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_DHT, 0);
	natpath_set_rendezvous(&p, 1, 0);
	natpath_set_relay(&p, &relay, 0);
	natpath_use(&p, 0);
	/* nothing answers: probes every NATPATH_PROBE_MS for 1 s */
	while (p.state == NATPATH_PROBING) {
		next = natpath_periodic(&p, now);
		drain(&p, &d);
		probes += d.nprobe;
		punches += d.npunch;
		if (p.state != NATPATH_PROBING)
			break;
		T_ASSERT(next > now && next <= now + NATPATH_PROBE_MS);
		now = next;
		natpath_use(&p, now);
	}
	T_EQ_INT(now, NATPATH_DIRECT_MS);
	/* 4 direct rounds, and the first of the punch round at 1 s */
	T_EQ_INT(probes, NATPATH_DIRECT_MS / NATPATH_PROBE_MS + 1);
	/* a punch request through the rendezvous went out at once (the
	 * member has one: it is behind NAT), and at 1 s the relay, the
	 * round going on behind it (its punch repeated once a second) */
	T_EQ_INT(p.state, NATPATH_RELAYED);
	T_EQ_INT(punches, 2);
	T_EQ_INT(d.reply, 0);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(d.last_switch.relayed, 1);
	T_EQ_INT(natpath_route(&p, &got, &relayed), 0);
	T_ASSERT(natep_eq(&got, &relay));
	T_EQ_INT(relayed, 1);
	T_EQ_STR(p.reason, "relayed: no direct answer; punching meanwhile");
	/* the member's punch reply: its observed endpoint gets probed */
	natpath_punch_in(&p, &obs, &b, 1, 1, now + 100);
	drain(&p, &d);
	T_EQ_INT(d.npunch, 0);	/* no reply to a reply */
	T_EQ_INT(d.nprobe, 2);
	T_EQ_INT(p.state, NATPATH_RELAYED);	/* data stays on the relay */
	natpath_periodic(&p, now + 100 + NATPATH_PROBE_MS);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 2);	/* still punching */
	T_ASSERT(natep_eq(&d.probes[1].ep, &obs));
	natpath_ack_in(&p, &obs, d.probes[1].nonce, now + 400);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_STR(p.reason, "punched: answered during hole punching "
	    "(was relayed)");
	drain(&p, &d);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(d.last_switch.relayed, 0);
	T_ASSERT(natep_eq(&d.last_switch.ep, &obs));
}

T_TEST(relay_retries_direct_in_background)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	relay = ep(IP(203, 0, 113, 2), 6374);
	struct drained		d;
	uint64_t		now, next;

	natpath_init(&p, 7, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_DHT, 0);
	natpath_set_relay(&p, &relay, 0);
	natpath_use(&p, 0);
	natpath_periodic(&p, NATPATH_DIRECT_MS);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	T_EQ_STR(p.reason, "relayed: no direct answer, no rendezvous");
	drain(&p, &d);
	T_EQ_INT(d.npunch, 0);
	/* quiet until the retry */
	now = NATPATH_DIRECT_MS;
	next = natpath_periodic(&p, now);
	T_EQ_INT(next, NATPATH_DIRECT_MS + NATPATH_RETRY_MS);
	natpath_use(&p, next);
	natpath_periodic(&p, next);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);
	/* the member answers now (say its NAT mapping changed) */
	natpath_ack_in(&p, &b, d.probes[0].nonce, next + 30);
	T_EQ_INT(p.state, NATPATH_DIRECT);
}

T_TEST(unreachable_without_relay_or_rendezvous)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	relay = ep(IP(203, 0, 113, 2), 6374);
	struct drained		d;

	natpath_init(&p, 7, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_DHT, 0);
	natpath_use(&p, 0);
	natpath_periodic(&p, NATPATH_DIRECT_MS);
	T_EQ_INT(p.state, NATPATH_UNREACHABLE);
	T_EQ_STR(natpath_state_name(p.state), "unreachable");
	/* a relay turns up: used at once */
	natpath_set_relay(&p, &relay, NATPATH_DIRECT_MS + 5);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	drain(&p, &d);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(d.last_switch.relayed, 1);
	natpath_set_relay(&p, NULL, NATPATH_DIRECT_MS + 6);
	T_EQ_INT(p.state, NATPATH_UNREACHABLE);
}

T_TEST(passive_side_of_a_punch)
{
	struct natpath		p;
	struct sockaddr_in6	obs = ep(IP(203, 0, 113, 21), 41000);
	struct sockaddr_in6	adv = ep(IP(192, 0, 2, 5), 6374);
	struct drained		d;

	natpath_init(&p, 7, 0);
	/* idle, and the member asks us to punch */
	natpath_punch_in(&p, &obs, &adv, 1, 0, 100);
	drain(&p, &d);
	T_EQ_INT(d.npunch, 1);
	T_EQ_INT(d.reply, 1);
	T_ASSERT(d.nprobe >= 2);
	T_EQ_INT(p.state, NATPATH_PUNCHING);
	/* its probe gets through right after ours went out: no second
	 * probe yet (a burst of its probes must not make us chase
	 * nonces) */
	natpath_probe_in(&p, &obs, 150);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 0);
	/* a later one: we probe back and its ack confirms */
	natpath_probe_in(&p, &obs, 100 + NATPATH_PROBE_MS / 2);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);
	natpath_ack_in(&p, &obs, d.probes[0].nonce, 260);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_STR(natpath_src_name(p.ep_src), "punched");
}

T_TEST(keepalive_only_in_use_and_quiet)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint64_t		t;

	natpath_init(&p, 7, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_CONFIG, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	natpath_ack_in(&p, &b, d.probes[0].nonce, 10);
	drain(&p, &d);
	/* traffic every 10 s both ways: no keepalive */
	for (t = 10000; t <= 60000; t += 10000) {
		natpath_use(&p, t);
		natpath_rx(&p, &b, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
		T_EQ_INT(d.nprobe, 0);
	}
	/* we stop sending, the member keeps sending: one keepalive per
	 * NATPATH_KEEPALIVE_MS, so our NAT mapping stays */
	for (t = 61000; t <= 60000 + 2 * NATPATH_KEEPALIVE_MS; t += 1000) {
		natpath_rx(&p, &b, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
		if (t == 60000 + NATPATH_KEEPALIVE_MS ||
		    t == 60000 + 2 * NATPATH_KEEPALIVE_MS)
			T_EQ_INT(d.nprobe, 1);
		else
			T_EQ_INT(d.nprobe, 0);
	}
	/* nobody uses it any more: idle, and silent */
	t = 60000 + NATPATH_IDLE_MS + 60000;
	T_EQ_INT(natpath_periodic(&p, t), UINT64_MAX);
	T_EQ_INT(p.state, NATPATH_IDLE);
	natpath_periodic(&p, t + NATPATH_KEEPALIVE_MS);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 0);
}

T_TEST(lost_path_is_searched_again)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint64_t		t;
	unsigned		probes = 0;

	natpath_init(&p, 7, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_CONFIG, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	natpath_ack_in(&p, &b, d.probes[0].nonce, 10);
	for (t = 1000; p.state == NATPATH_DIRECT && t < 100000; t += 250) {
		natpath_use(&p, t);	/* we send, nothing comes back */
		natpath_periodic(&p, t);
		drain(&p, &d);
		probes += d.nprobe;
	}
	T_EQ_INT(p.state, NATPATH_PROBING);
	t -= 250;	/* the loop stepped once more */
	/* we were sending all along, unanswered since 1000: noticed within
	 * NATPATH_ACTIVE_DEAD_MS (and three round trips of 10 ms) */
	T_ASSERT(t >= 1000 + NATPATH_ACTIVE_DEAD_MS &&
	    t <= 1000 + NATPATH_ACTIVE_DEAD_MS + 30 + 250);
	T_ASSERT(probes >= 2);	/* stale: probed before giving up */
	T_ASSERT(strncmp(p.reason, "path lost", 9) == 0);

	/* not sending (only keepalives): the long timeout */
	natpath_init(&p, 8, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_CONFIG, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	natpath_ack_in(&p, &b, d.probes[0].nonce, 10);
	probes = 0;
	for (t = 1000; p.state == NATPATH_DIRECT && t < 100000; t += 250) {
		natpath_periodic(&p, t);
		drain(&p, &d);
		probes += d.nprobe;
	}
	T_EQ_INT(p.state, NATPATH_PROBING);
	t -= 250;
	T_ASSERT(t >= 10 + NATPATH_DEAD_MS && t <= 10 + NATPATH_DEAD_MS + 250);
	T_ASSERT(probes >= 2);
}

T_TEST(roaming_follows_authenticated_source)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	b2 = ep(IP(198, 51, 100, 9), 1234), got;
	struct drained		d;
	int			relayed;

	natpath_init(&p, 7, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_CONFIG, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	natpath_ack_in(&p, &b, d.probes[0].nonce, 10);
	drain(&p, &d);
	natpath_rx(&p, &b2, 500);
	drain(&p, &d);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(natpath_route(&p, &got, &relayed), 0);
	T_ASSERT(natep_eq(&got, &b2));
	T_EQ_STR(natpath_src_name(p.ep_src), "roamed");
}

T_TEST(lan_beats_punched)
{
	struct natpath		p;
	struct sockaddr_in6	obs = ep(IP(203, 0, 113, 21), 41000);
	struct sockaddr_in6	lan = ep(IP(192, 0, 2, 5), 6374), got;
	struct drained		d;
	int			relayed;

	natpath_init(&p, 7, 0);
	/* a member's PROBE while we are not looking for it: only the glue's
	 * ACK answers it; its source is no candidate (it may be spoofed) */
	natpath_probe_in(&p, &obs, 0);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_IDLE);
	T_EQ_INT(d.nprobe, 0);
	T_EQ_INT((int)p.ncand, 0);
	/* while searching, its probe is the other half of a punch */
	natpath_use(&p, 1);
	drain(&p, &d);
	natpath_probe_in(&p, &obs, 2);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);
	natpath_ack_in(&p, &obs, d.probes[0].nonce, 10);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	/* a LAN beacon later: probed, and preferred once it answers */
	natpath_add_candidate(&p, &lan, NATPATH_SRC_LAN, 20);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);
	T_ASSERT(natep_eq(&d.probes[0].ep, &lan));
	natpath_ack_in(&p, &lan, d.probes[0].nonce, 25);
	T_EQ_INT(natpath_route(&p, &got, &relayed), 0);
	T_ASSERT(natep_eq(&got, &lan));
	T_EQ_STR(natpath_src_name(p.ep_src), "lan");
	/* and a punched answer does not take it back */
	natpath_probe_in(&p, &obs, 30);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 0);
}

T_TEST(candidate_table_is_bounded)
{
	struct natpath		p;
	struct sockaddr_in6	e;
	struct drained		d;
	unsigned		i;

	natpath_init(&p, 7, 0);
	e = ep(IP(203, 0, 113, 20), 6374);
	natpath_add_candidate(&p, &e, NATPATH_SRC_CONFIG, 0);
	natpath_use(&p, 0);
	for (i = 0; i < 100; i++) {
		e = ep(IP(198, 51, 100, 1), (uint16_t)(1000 + i));
		natpath_probe_in(&p, &e, i);
	}
	T_EQ_INT(p.ncand, NATPATH_MAX_CAND);
	/* the configured endpoint survived the flood of punched ones */
	e = ep(IP(203, 0, 113, 20), 6374);
	for (i = 0; i < p.ncand; i++)
		if (natep_eq(&p.cand[i].ep, &e))
			break;
	T_ASSERT(i < p.ncand);
	drain(&p, &d);
	T_ASSERT(d.nprobe > 0);
	T_EQ_INT(p.dropped_actions, 100 + 1 - NATPATH_MAX_ACTIONS);
}

T_TEST(late_lookup_punches_and_relayed_peer_answers_via_relay)
{
	struct natpath		p, q;
	struct sockaddr_in6	obs = ep(IP(203, 0, 113, 21), 41000);
	struct sockaddr_in6	relay = ep(IP(203, 0, 113, 2), 6374), got;
	struct drained		d;
	int			relayed;

	/* traffic first, the member not found yet: nothing to do */
	natpath_init(&p, 7, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	T_EQ_INT(d.npunch, 0);
	T_EQ_INT(p.state, NATPATH_PROBING);
	/* the lookup ends: a rendezvous and the endpoint it sees; the
	 * punch goes out at once, with probes */
	natpath_add_candidate(&p, &obs, NATPATH_SRC_DHT, 300);
	natpath_set_rendezvous(&p, 1, 300);
	drain(&p, &d);
	T_EQ_INT(d.npunch, 1);
	T_ASSERT(d.nprobe >= 1);
	/* not again while that punch round lasts */
	natpath_set_rendezvous(&p, 0, 310);
	natpath_set_rendezvous(&p, 1, 320);
	drain(&p, &d);
	T_EQ_INT(d.npunch, 0);

	/* the other side: a tunnel packet through the relay, while it
	 * probes: it answers through the relay at once */
	natpath_init(&q, 9, 0);
	natpath_set_relay(&q, &relay, 0);
	T_EQ_INT(natpath_route(&q, &got, &relayed), -1);
	natpath_rx(&q, NULL, 50);
	T_EQ_INT(q.state, NATPATH_RELAYED);
	T_EQ_INT(natpath_route(&q, &got, &relayed), 0);
	T_EQ_INT(relayed, 1);
	T_ASSERT(natep_eq(&got, &relay));
	drain(&q, &d);
	T_EQ_INT(d.nswitch, 1);
}

/* Establish p on b (config) at time 0..10 and drain. */
static void
direct_on(struct natpath *p, const struct sockaddr_in6 *b, uint64_t seed)
{
	struct drained	d;

	natpath_init(p, seed, 0);
	natpath_add_candidate(p, b, NATPATH_SRC_CONFIG, 0);
	natpath_use(p, 0);
	drain(p, &d);
	natpath_ack_in(p, b, d.probes[0].nonce, 10);
	drain(p, &d);
}

/* The answering side of a ping flow (it only sends replies to what it
 * receives): when the requests stop coming because the NATs forgot the
 * path, its last reply is unanswered and it probes within
 * NATPATH_ACTIVE_STALE_MS, searches again within NATPATH_ACTIVE_DEAD_MS,
 * and its probes stay a few per second. */
T_TEST(answering_side_notices_a_dead_path)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint64_t		t, next, first_probe = 0, lost = 0;
	unsigned		probes = 0;

	direct_on(&p, &b, 11);
	/* requests every 50 ms, each answered 1 ms later, for 5 s */
	for (t = 3000; t < 8000; t += 50) {
		natpath_rx(&p, &b, t);
		natpath_use(&p, t + 1);
		natpath_periodic(&p, t + 1);
		drain(&p, &d);
		T_EQ_INT(d.nprobe, 0);	/* a live path: no probes */
	}
	/* the last reply went at 7951; then nothing comes, nothing goes but
	 * what natpath sends; run it when it asks */
	for (t = 7960; t < 12000 && lost == 0; t = next) {
		next = natpath_periodic(&p, t);
		drain(&p, &d);
		if (d.nprobe > 0 && first_probe == 0)
			first_probe = t;
		probes += d.nprobe;
		if (p.state != NATPATH_DIRECT)
			lost = t;
		T_ASSERT(next > t);
	}
	T_ASSERT(first_probe >= 7951 + NATPATH_ACTIVE_STALE_MS &&
	    first_probe <= 7951 + NATPATH_ACTIVE_STALE_MS + 10);
	T_ASSERT(lost >= 7951 + NATPATH_ACTIVE_DEAD_MS &&
	    lost <= 7951 + NATPATH_ACTIVE_DEAD_MS + 40);
	T_ASSERT(probes >= 2 && probes <= 5);
	T_ASSERT(p.lost_at == 7951);
	T_ASSERT(strncmp(p.lost_why, "path lost", 9) == 0);
}

/* A burst after a quiet minute is not a silence of a minute: the path
 * is only declared lost once the burst itself goes unanswered. */
T_TEST(burst_after_quiet_is_not_silence)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint64_t		t = 30000;

	direct_on(&p, &b, 12);
	natpath_periodic(&p, 20000);
	drain(&p, &d);
	natpath_use(&p, t);
	natpath_periodic(&p, t);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_INT(d.nprobe, 0);
	natpath_rx(&p, &b, t + 40);	/* answered */
	natpath_use(&p, t + 100);
	natpath_periodic(&p, t + 100 + NATPATH_ACTIVE_STALE_MS - 1);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 0);
	natpath_periodic(&p, t + 100 + NATPATH_ACTIVE_STALE_MS);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);	/* unanswered: a liveness probe */
	natpath_ack_in(&p, &b, d.probes[0].nonce, t + 100 +
	    NATPATH_ACTIVE_STALE_MS + 20);
	natpath_periodic(&p, t + 100 + NATPATH_ACTIVE_DEAD_MS + 100);
	T_EQ_INT(p.state, NATPATH_DIRECT);	/* the probe's answer did */
}

/* Found again: the recovery record says what, how, and the gap. */
T_TEST(recovery_is_recorded)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	b2 = ep(IP(198, 51, 100, 9), 1234);
	struct drained		d;
	uint64_t		t;
	size_t			i;

	direct_on(&p, &b, 13);
	T_EQ_INT(p.rec.at, 0);
	natpath_rx(&p, &b, 5000);
	for (t = 5001; p.state == NATPATH_DIRECT; t += 50) {
		natpath_use(&p, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
	}
	T_EQ_INT(p.lost_at, 5001);
	/* the member answers at its new address during the search */
	natpath_add_candidate(&p, &b2, NATPATH_SRC_DHT, t);
	drain(&p, &d);
	for (i = 0; i < d.nprobe; i++)
		if (natep_eq(&d.probes[i].ep, &b2))
			natpath_ack_in(&p, &b2, d.probes[i].nonce, t + 30);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_ASSERT(natep_eq(&p.ep, &b2));
	T_EQ_INT(p.rec.at, t + 30);
	T_EQ_INT(p.rec.gap, t + 30 - 5001);
	T_EQ_STR(p.rec.what, "path lost");
	T_EQ_STR(p.rec.how, "direct");
	T_EQ_INT(p.lost_at, 0);

	/* roaming: an authenticated packet from elsewhere */
	natpath_rx(&p, &b2, 20000);
	natpath_use(&p, 20001);
	natpath_rx(&p, &b, 20300);
	T_ASSERT(natep_eq(&p.ep, &b));
	T_EQ_STR(p.rec.what, "member moved");
	T_EQ_STR(p.rec.how, "direct");	/* b: the configured endpoint */
	T_EQ_INT(p.rec.gap, 20300 - 20001);
}

/* A reload names another endpoint for a member whose path runs on the
 * configured one: the new one is probed at once and its answer moves
 * the path (no silence to wait for). */
T_TEST(reload_endpoint_moves_on_first_answer)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	b2 = ep(IP(203, 0, 113, 21), 6374);
	struct drained		d;

	direct_on(&p, &b, 14);
	natpath_rx(&p, &b, 1000);
	natpath_add_candidate(&p, &b, NATPATH_SRC_CONFIG, 1500); /* same */
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 0);
	natpath_add_candidate(&p, &b2, NATPATH_SRC_CONFIG, 2000);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);
	T_ASSERT(natep_eq(&d.probes[0].ep, &b2));
	T_ASSERT(natep_eq(&p.ep, &b));	/* until it answers */
	natpath_ack_in(&p, &b2, d.probes[0].nonce, 2010);
	drain(&p, &d);
	T_EQ_INT(d.nswitch, 1);
	T_ASSERT(natep_eq(&p.ep, &b2));
	T_EQ_STR(p.rec.what, "endpoint changed by reload");
	T_EQ_INT(p.rec.gap, 10);
}

/* The member asks us to punch while we think the path works: it lost
 * us; its endpoints are probed, and one that answers replaces ours once
 * ours is silent. */
T_TEST(punch_while_direct_probes_the_member)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	b2 = ep(IP(203, 0, 113, 40), 6374);
	struct drained		d;

	direct_on(&p, &b, 15);
	natpath_set_rendezvous(&p, 1, 0);
	natpath_rx(&p, &b, 1000);
	natpath_use(&p, 1001);
	natpath_punch_in(&p, &b2, NULL, 0, 0, 1300);
	drain(&p, &d);
	T_EQ_INT(d.npunch, 1);
	T_EQ_INT(d.nprobe, 1);
	T_ASSERT(natep_eq(&d.probes[0].ep, &b2));
	/* ours still answers: keep it */
	natpath_rx(&p, &b, 1310);
	natpath_ack_in(&p, &b2, d.probes[0].nonce, 1320);
	T_ASSERT(natep_eq(&p.ep, &b));
	/* ours silent while we send: the answering one wins */
	natpath_use(&p, 1400);
	natpath_punch_in(&p, &b2, NULL, 0, 1, 2100);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 1);
	natpath_ack_in(&p, &b2, d.probes[0].nonce, 2110);
	T_ASSERT(natep_eq(&p.ep, &b2));
}

/* A punch request lost on the way is asked again within the round. */
T_TEST(punch_is_repeated_within_a_round)
{
	struct natpath		p;
	struct drained		d;
	uint64_t		t, next;
	unsigned		punches = 0;

	natpath_init(&p, 16, 0);
	natpath_set_rendezvous(&p, 1, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	punches += d.npunch;
	natpath_punch_in(&p, NULL, NULL, 0, 1, 10);	/* its reply: a round */
	drain(&p, &d);
	for (t = 10; t < NATPATH_PUNCH_MS; t = next) {
		next = natpath_periodic(&p, t);
		drain(&p, &d);
		punches += d.npunch;
		T_ASSERT(next > t);
	}
	/* at 0, then about once a second: 3, not one per probe */
	T_ASSERT(punches >= 2 && punches <= 3);
}

/* Sending, unanswered, and the first liveness probe unanswered too: a
 * punch request goes through the rendezvous before the path is given up
 * (the member probes us back from wherever it is now); one per round. */
T_TEST(silent_path_punches_before_giving_up)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint64_t		t, next, punch_at = 0;
	unsigned		punches = 0;

	direct_on(&p, &b, 17);
	natpath_set_rendezvous(&p, 1, 0);
	drain(&p, &d);
	natpath_rx(&p, &b, 5000);
	natpath_use(&p, 5001);
	for (t = 5001; p.state == NATPATH_DIRECT; t = next) {
		natpath_use(&p, t);
		next = natpath_periodic(&p, t);
		drain(&p, &d);
		if (d.npunch > 0 && punch_at == 0)
			punch_at = t;
		punches += d.npunch;
	}
	T_ASSERT(punch_at >= 5001 + NATPATH_ACTIVE_STALE_MS +
	    NATPATH_PROBE_MS && punch_at < 5001 + NATPATH_ACTIVE_DEAD_MS);
	T_EQ_INT(punches, 2);	/* and one when the search starts */

	/* a one-way flow whose probes are answered: no punch */
	direct_on(&p, &b, 18);
	natpath_set_rendezvous(&p, 1, 0);
	drain(&p, &d);
	punches = 0;
	for (t = 1000; t < 10000; t += 50) {
		size_t	i;

		natpath_use(&p, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
		punches += d.npunch;
		for (i = 0; i < d.nprobe && i < 16; i++)
			natpath_ack_in(&p, &b, d.probes[i].nonce, t + 20);
	}
	T_EQ_INT(punches, 0);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_INT(p.rec.at, 0);		/* nothing to remember */

	/* silent for two probes, then it answers on its own: recorded */
	natpath_rx(&p, &b, 20000);
	natpath_use(&p, 20001);
	for (t = 20001; t < 20001 + NATPATH_ACTIVE_DEAD_MS - 100; t += 50) {
		natpath_use(&p, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
	}
	T_EQ_INT(p.state, NATPATH_DIRECT);
	natpath_rx(&p, &b, t);
	T_EQ_STR(p.rec.what, "path went silent");
	T_EQ_INT(p.rec.gap, t - 20001);
	T_EQ_STR(p.rec.how, "direct");
}

/* Both NATs forgot us: the member, silent as well, probes us first; its
 * probe answering our unanswered sends is remembered as a recovery. */
T_TEST(member_probe_after_silence_is_a_recovery)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint64_t		t;

	direct_on(&p, &b, 19);
	natpath_rx(&p, &b, 5000);
	for (t = 5001; t <= 5551; t += 50) {
		natpath_use(&p, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
	}
	natpath_probe_in(&p, &b, 5560);
	T_EQ_STR(p.rec.what, "path went silent");
	T_EQ_INT(p.rec.gap, 559);
	T_EQ_INT(p.waiting, 0);
	/* a probe of the member's within a probe interval: normal */
	natpath_use(&p, 6000);
	p.rec.at = 0;
	natpath_probe_in(&p, &b, 6100);
	T_EQ_INT(p.rec.at, 0);
}

int
main(void)
{
	T_RUN(idle_until_used);
	T_RUN(direct_on_ack);
	T_RUN(late_ack_for_previous_probe_counts);
	T_RUN(punch_then_relay_then_upgrade);
	T_RUN(relay_retries_direct_in_background);
	T_RUN(unreachable_without_relay_or_rendezvous);
	T_RUN(passive_side_of_a_punch);
	T_RUN(keepalive_only_in_use_and_quiet);
	T_RUN(lost_path_is_searched_again);
	T_RUN(roaming_follows_authenticated_source);
	T_RUN(lan_beats_punched);
	T_RUN(candidate_table_is_bounded);
	T_RUN(late_lookup_punches_and_relayed_peer_answers_via_relay);
	T_RUN(answering_side_notices_a_dead_path);
	T_RUN(burst_after_quiet_is_not_silence);
	T_RUN(recovery_is_recorded);
	T_RUN(reload_endpoint_moves_on_first_answer);
	T_RUN(punch_while_direct_probes_the_member);
	T_RUN(punch_is_repeated_within_a_round);
	T_RUN(silent_path_punches_before_giving_up);
	T_RUN(member_probe_after_silence_is_a_recovery);
	return t_done();
}
