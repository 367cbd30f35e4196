/* Roaming (issue 11: a roaming member resumes within 1.5 s): natpath on a
 * fake clock, the cases the NAT lab's mesh-roam.sh moves a member through.
 *
 *	dead_path_goes_relayed_at_once	the direct path dies while we send and
 *					a relay is ready: data goes through it
 *					at the dead line, not a probing second
 *					later; the search goes on behind it and
 *					the first ACK moves the path back
 *	relayed_answer_while_silent	the member answers through the relay
 *					while our direct sends wait: we answer
 *					through the relay too
 *	punch_while_silent		the member asks us to punch while our
 *					sends have waited as long as a liveness
 *					probe: both ends lost the path, relayed
 *	other_endpoint_answers_while_silent	an ACK from another endpoint of
 *					the member while our sends wait (its NAT
 *					was renumbered): the path moves there a
 *					probe interval into the silence
 *	address_change_relays_meanwhile	our own address changed: relayed at
 *					once, direct again on the first ACK
 *	relayed_punching_ends		behind the relay, our punch is repeated
 *					only in the round of our own search
 *	probe_in_during_relayed_round	a member's probe is the other half of a
 *					hole only while a punch round runs,
 *					relayed or not */
#include "config.h"

#include "natpath-harness.h"
#include "t.h"

static const struct sockaddr_in6	*relay_ep;

/* Direct on b (its ACK at 10), with a rendezvous and a relay ready. */
static void
direct_on(struct natpath *p, const struct sockaddr_in6 *b, uint64_t seed)
{
	static struct sockaddr_in6	relay;
	struct drained			d;

	relay = ep(IP(203, 0, 113, 2), 6374);
	relay_ep = &relay;
	natpath_init(p, seed, 0);
	natpath_add_candidate(p, b, NATPATH_SRC_DHT, 0);
	natpath_set_rendezvous(p, 1, 0);
	natpath_set_relay(p, &relay, 0);
	natpath_use(p, 0);
	drain(p, &d);
	natpath_ack_in(p, b, probed(&d, b), 10);
	drain(p, &d);
	T_EQ_INT(p->state, NATPATH_DIRECT);
}

T_TEST(dead_path_goes_relayed_at_once)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	moved = ep(IP(203, 0, 113, 30), 40000), got;
	struct drained		d;
	uint64_t		t, next, relayed_at = 0;
	unsigned		probes = 0, punches = 0;
	int			relayed;

	direct_on(&p, &b, 21);
	/* pings answered every 50 ms until 5000, then nothing comes back */
	for (t = 1000; t <= 5000; t += 50) {
		natpath_use(&p, t);
		natpath_rx(&p, &b, t + 1);
		natpath_periodic(&p, t + 1);
		drain(&p, &d);
	}
	for (t = 5050; relayed_at == 0 && t < 9000; t += 50) {
		natpath_use(&p, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
		punches += d.npunch;
		if (p.state == NATPATH_RELAYED)
			relayed_at = t;
	}
	/* relayed at the dead line itself (waiting since 5050) */
	T_ASSERT(relayed_at >= 5050 + NATPATH_ACTIVE_DEAD_MS &&
	    relayed_at <= 5050 + NATPATH_ACTIVE_DEAD_MS + 50);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(d.last_switch.relayed, 1);
	T_ASSERT(natep_eq(&d.last_switch.ep, relay_ep));
	T_EQ_INT(natpath_route(&p, &got, &relayed), 0);
	T_EQ_INT(relayed, 1);
	/* searching behind it: probes, and the punch round the silence
	 * began goes on (no second request) */
	T_ASSERT(d.nprobe >= 1);
	T_EQ_INT(punches, 1);
	punches = 0;
	T_ASSERT(strncmp(p.reason, "path lost", 9) == 0);
	T_EQ_STR(p.rec.how, "relay");
	T_ASSERT(p.rec.gap <= NATPATH_ACTIVE_DEAD_MS + 100);
	/* the search runs for a punch round: probes every NATPATH_PROBE_MS,
	 * the punch repeated once a second */
	for (t = relayed_at; t < relayed_at + NATPATH_PUNCH_MS; t = next) {
		next = natpath_periodic(&p, t);
		drain(&p, &d);
		probes += d.nprobe;
		punches += d.npunch;
		T_ASSERT(next > t && next <= t + NATPATH_PROBE_MS);
	}
	T_ASSERT(probes >= NATPATH_PUNCH_MS / NATPATH_PROBE_MS - 1);
	T_ASSERT(punches >= 2);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	/* the member punched from where it moved to: its endpoint probed,
	 * its ACK moves the path back to direct */
	t = relayed_at + 1500;
	natpath_punch_in(&p, &moved, NULL, 0, 1, t);
	drain(&p, &d);
	T_ASSERT(probed(&d, &moved) != NULL);
	natpath_ack_in(&p, &moved, probed(&d, &moved), t + 5);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	drain(&p, &d);
	T_EQ_INT(d.last_switch.relayed, 0);
	T_ASSERT(natep_eq(&d.last_switch.ep, &moved));

	/* no relay known: the old way, probing first */
	natpath_init(&p, 22, 0);
	natpath_add_candidate(&p, &b, NATPATH_SRC_DHT, 0);
	natpath_use(&p, 0);
	drain(&p, &d);
	natpath_ack_in(&p, &b, probed(&d, &b), 10);
	for (t = 1000; p.state == NATPATH_DIRECT && t < 9000; t += 50) {
		natpath_use(&p, t);
		natpath_periodic(&p, t);
	}
	T_EQ_INT(p.state, NATPATH_PROBING);
}

T_TEST(relayed_answer_while_silent)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;

	direct_on(&p, &b, 23);
	natpath_rx(&p, &b, 5000);
	natpath_use(&p, 5010);
	/* a relayed packet right after our send: not yet a silence */
	natpath_rx(&p, NULL, 5100);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_INT(d.nswitch, 0);
	/* our send waits a probe interval, the member answers relayed */
	natpath_use(&p, 5200);
	natpath_rx(&p, NULL, 5010 + NATPATH_PROBE_MS);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(d.last_switch.relayed, 1);
	T_ASSERT(d.nprobe >= 1);	/* direct searched behind the relay */
	T_EQ_INT(p.lost_at, 0);		/* recovered at once */
	T_EQ_INT(p.rec.gap, NATPATH_PROBE_MS);
	/* the direct endpoint answers again: back to it */
	natpath_ack_in(&p, &b, probed(&d, &b), 5300);
	T_EQ_INT(p.state, NATPATH_DIRECT);

	/* without a relay of our own: nothing changes */
	natpath_set_relay(&p, NULL, 6000);
	natpath_rx(&p, &b, 6000);
	natpath_use(&p, 6010);
	natpath_rx(&p, NULL, 6010 + 2 * NATPATH_PROBE_MS);
	T_EQ_INT(p.state, NATPATH_DIRECT);
}

T_TEST(punch_while_silent)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	nb = ep(IP(203, 0, 113, 15), 38485);
	struct drained		d;

	direct_on(&p, &b, 31);
	natpath_rx(&p, &b, 5000);
	natpath_use(&p, 5050);
	/* early in the silence: probed where it says it is, no more */
	natpath_punch_in(&p, &nb, &b, 1, 0, 5050 + NATPATH_PROBE_MS);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_INT(d.npunch, 1);		/* the reply */
	T_EQ_INT(d.nswitch, 0);
	/* our sends waited NATPATH_ACTIVE_STALE_MS: relayed, probing */
	natpath_use(&p, 5600);
	natpath_punch_in(&p, &nb, &b, 1, 0, 5050 + NATPATH_ACTIVE_STALE_MS);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(d.last_switch.relayed, 1);
	T_ASSERT(d.npunch <= 1);	/* one request per round, at most */
	T_ASSERT(probed(&d, &nb) != NULL && probed(&d, &b) != NULL);
	T_EQ_INT(p.rec.gap, NATPATH_ACTIVE_STALE_MS);
	T_EQ_STR(p.rec.how, "relay");

	/* not sending: a punch is only probed */
	direct_on(&p, &b, 32);
	natpath_rx(&p, &b, 5000);
	natpath_punch_in(&p, &nb, &b, 1, 0, 9000);
	T_EQ_INT(p.state, NATPATH_DIRECT);
}

T_TEST(other_endpoint_answers_while_silent)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	nb = ep(IP(203, 0, 113, 240), 6374);
	struct drained		d;
	uint64_t		next;

	direct_on(&p, &b, 25);
	natpath_rx(&p, &b, 5000);
	natpath_use(&p, 5050);
	natpath_unanswered(&p, 1, 5050);
	/* B's router was renumbered: B punches from its new address, its
	 * ACK comes 80 ms into our silence; too soon to leave a path */
	natpath_punch_in(&p, &nb, &nb, 1, 0, 5120);
	drain(&p, &d);
	T_ASSERT(probed(&d, &nb) != NULL);
	natpath_ack_in(&p, &nb, probed(&d, &nb), 5130);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_ASSERT(natep_eq(&p.ep, &b));
	/* ... but natpath wants to run when the silence is a probe
	 * interval old, and then moves */
	next = natpath_periodic(&p, 5130);
	T_EQ_INT(next, 5050 + NATPATH_PROBE_MS);
	natpath_use(&p, 5250);
	natpath_periodic(&p, next);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_ASSERT(natep_eq(&p.ep, &nb));
	T_EQ_STR(p.rec.what, "member moved");
	T_EQ_INT(p.rec.gap, NATPATH_PROBE_MS);
	drain(&p, &d);
	T_EQ_INT(d.nswitch, 1);
	T_ASSERT(natep_eq(&d.last_switch.ep, &nb));

	/* the current endpoint answered after the other one: it stays */
	direct_on(&p, &b, 26);
	natpath_use(&p, 5050);
	natpath_punch_in(&p, &nb, &nb, 1, 0, 5120);
	drain(&p, &d);
	natpath_ack_in(&p, &nb, probed(&d, &nb), 5130);
	natpath_rx(&p, &b, 5140);
	natpath_use(&p, 5200);
	natpath_periodic(&p, 5050 + NATPATH_PROBE_MS + 100);
	T_ASSERT(natep_eq(&p.ep, &b));
}

T_TEST(address_change_relays_meanwhile)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;

	direct_on(&p, &b, 27);
	natpath_rx(&p, &b, 5000);
	natpath_use(&p, 5000);
	natpath_restart(&p, "our address changed", 5010);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	T_EQ_INT(d.nswitch, 1);
	T_EQ_INT(d.last_switch.relayed, 1);
	T_EQ_INT(d.npunch, 1);
	T_ASSERT(probed(&d, &b) != NULL);
	natpath_ack_in(&p, &b, probed(&d, &b), 5020);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_ASSERT(natep_eq(&p.ep, &b));
}

/* Behind the relay, the member's punch replies extend the round; ours are
 * repeated only within the round of our own search: no endless exchange
 * of punches between two relayed members. */
T_TEST(relayed_punching_ends)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct drained		d;
	uint64_t		t;
	unsigned		late = 0;

	direct_on(&p, &b, 33);
	natpath_rx(&p, &b, 5000);
	natpath_use(&p, 5000);
	natpath_restart(&p, "our address changed", 5010);
	drain(&p, &d);
	for (t = 5010; t < 20000; t += 50) {
		if ((t - 5010) % 1000 == 500)
			natpath_punch_in(&p, &b, NULL, 0, 1, t);
		natpath_use(&p, t);
		natpath_periodic(&p, t);
		drain(&p, &d);
		if (t >= 5010 + NATPATH_PUNCH_MS)
			late += d.npunch;
	}
	T_EQ_INT(p.state, NATPATH_RELAYED);
	T_EQ_INT(late, 0);
}

T_TEST(probe_in_during_relayed_round)
{
	struct natpath		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 20), 6374);
	struct sockaddr_in6	x = ep(IP(203, 0, 113, 31), 50000);
	struct sockaddr_in6	y = ep(IP(203, 0, 113, 32), 50000);
	struct drained		d;

	direct_on(&p, &b, 29);
	natpath_rx(&p, &b, 5000);
	natpath_use(&p, 5000);
	natpath_restart(&p, "our address changed", 5010);
	drain(&p, &d);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	natpath_probe_in(&p, &x, 5100);
	drain(&p, &d);
	T_ASSERT(probed(&d, &x) != NULL);	/* probed back */
	/* after the round: a probe changes nothing */
	natpath_periodic(&p, 5010 + NATPATH_PUNCH_MS + 10);
	drain(&p, &d);
	natpath_probe_in(&p, &y, 5010 + NATPATH_PUNCH_MS + 20);
	drain(&p, &d);
	T_EQ_INT(d.nprobe, 0);
	T_ASSERT(natpath_ack_matches(&p, &y, (const uint8_t *)"\0\0\0\0\0\0\0\1")
	    == 0);
}

int
main(void)
{
	T_RUN(dead_path_goes_relayed_at_once);
	T_RUN(relayed_answer_while_silent);
	T_RUN(punch_while_silent);
	T_RUN(other_endpoint_answers_while_silent);
	T_RUN(address_change_relays_meanwhile);
	T_RUN(relayed_punching_ends);
	T_RUN(probe_in_during_relayed_round);
	return t_done();
}
