/* Port prediction and the budgeted probe sprays (portpredict.c), on a
 * fake clock. */
#include "config.h"

#include "nat/natep.h"
#include "nat/natpath.h"
#include "nat/portpredict.h"
#include "t.h"
#include "test-ep.h"

T_TEST(learn_patterns)
{
	struct pp_result	r;
	uint16_t		seq[] = { 20007, 20003, 20004, 20003, 20005 };
	uint16_t		step2[] = { 31000, 31004, 31002 };
	uint16_t		rnd[] = { 41234, 1999, 60001, 33333 };
	uint16_t		few[] = { 5000, 5000 };

	portpredict_learn(seq, 5, &r);
	T_EQ_INT(r.pattern, PP_SEQUENTIAL);
	T_EQ_INT(r.last, 20007);
	T_EQ_INT(r.delta, 1);	/* 20005 -> 20007 is a skipped mapping */
	T_EQ_INT(r.nports, 4);
	portpredict_learn(step2, 3, &r);
	T_EQ_INT(r.pattern, PP_SEQUENTIAL);
	T_EQ_INT(r.delta, 2);
	T_EQ_INT(r.last, 31004);
	portpredict_learn(rnd, 4, &r);
	T_EQ_INT(r.pattern, PP_RANDOM);
	T_EQ_STR(portpredict_pattern_name(r.pattern), "random");
	portpredict_learn(few, 2, &r);
	T_EQ_INT(r.pattern, PP_UNKNOWN);
	T_EQ_INT(r.last, 5000);
	portpredict_learn(NULL, 0, &r);
	T_EQ_INT(r.pattern, PP_UNKNOWN);
	T_EQ_INT(r.nports, 0);
}

T_TEST(predicted_window_paced_and_bounded)
{
	struct pp_spray		s;
	struct sockaddr_in6	t = ep(IP(203, 0, 113, 10), 0), eps[64];
	uint64_t		nonces[64], now = 1000;
	size_t			n, i, total = 0;
	unsigned		maxsec = 0, insec = 0;
	uint64_t		sec = 1000;

	memset(&s, 0, sizeof(s));
	T_EQ_INT(pp_spray_start(&s, PP_TRY_PREDICTED, &t, 20007, 1, 0, 0xabc,
	    now), 0);
	n = pp_spray_due(&s, now, eps, nonces, 64);
	T_ASSERT(n >= 1);
	T_EQ_INT(ntohs(eps[0].sin6_port), 20008);
	T_ASSERT(natep_same_ip(&eps[0], &t));
	/* the answer from the port probed matches; another port does not */
	T_ASSERT(pp_spray_matches(&s, &eps[0], nonces[0]));
	eps[1] = eps[0];
	eps[1].sin6_port = htons(20009);
	T_ASSERT(!pp_spray_matches(&s, &eps[1], nonces[0]));
	eps[1] = ep(IP(198, 51, 100, 1), 20008);
	T_ASSERT(!pp_spray_matches(&s, &eps[1], nonces[0]));
	total = n;
	insec = (unsigned)n;
	/* run on a 10 ms clock until it gives up */
	while (pp_spray_running(&s)) {
		now += 10;
		if (now - sec >= 1000) {
			if (insec > maxsec)
				maxsec = insec;
			insec = 0;
			sec = now;
		}
		n = pp_spray_due(&s, now, eps, nonces, 64);
		for (i = 0; i < n; i++) {
			unsigned p = ntohs(eps[i].sin6_port);
			T_ASSERT(p > 20007 && p <= 20007 + PP_SEQ_WINDOW);
		}
		total += n;
		insec += (unsigned)n;
		T_ASSERT(now < 1000 + PP_SEQ_MS + 100);
	}
	T_EQ_INT(s.result, PP_RES_GAVE_UP);
	T_ASSERT(total <= PP_SEQ_BUDGET);
	T_ASSERT(total >= PP_SEQ_PPS * (PP_SEQ_MS / 1000) - 2);
	T_ASSERT(maxsec <= PP_SEQ_PPS + 1);
	T_EQ_INT(s.sent, total);
	/* no new attempt right away; one after PP_RETRY_MS */
	T_EQ_INT(pp_spray_start(&s, PP_TRY_PREDICTED, &t, 20007, 1, 0, 1,
	    now + 10), -1);
	T_EQ_INT(pp_spray_start(&s, PP_TRY_PREDICTED, &t, 20007, 1, 0, 1,
	    1000 + PP_RETRY_MS), 0);
	T_EQ_INT(s.attempts, 2);
	pp_spray_end(&s, 1, 1000 + PP_RETRY_MS + 300);
	T_EQ_INT(s.result, PP_RES_DIRECT);
	T_EQ_INT(s.took, 300);
	T_EQ_STR(pp_outcome_name(s.result), "direct");
	T_EQ_INT(pp_spray_next(&s), UINT64_MAX);
}

T_TEST(birthday_random_ports_budget)
{
	struct pp_spray		s;
	struct sockaddr_in6	t = ep(IP(203, 0, 113, 11), 0), eps[16];
	uint64_t		nonces[16], now = 5000;
	size_t			n, i, total = 0;
	unsigned		distinct_lo = 0, last = 0;

	memset(&s, 0, sizeof(s));
	T_EQ_INT(pp_spray_start(&s, PP_TRY_BIRTHDAY, &t, 0, 0, 12345, 77, now),
	    0);
	while (pp_spray_running(&s)) {
		n = pp_spray_due(&s, now, eps, nonces, 16);
		for (i = 0; i < n; i++) {
			unsigned p = ntohs(eps[i].sin6_port);
			T_ASSERT(p >= PP_BDAY_LOW);
			T_ASSERT(pp_spray_matches(&s, &eps[i], nonces[i]));
			if (p != last)
				distinct_lo++;
			last = p;
		}
		total += n;
		if (pp_spray_next(&s) != UINT64_MAX)
			T_ASSERT(pp_spray_next(&s) > now);
		now = pp_spray_next(&s) == UINT64_MAX ? now :
		    pp_spray_next(&s);
	}
	T_ASSERT(total <= PP_BDAY_BUDGET);
	T_ASSERT(total >= PP_BDAY_BUDGET - PP_BDAY_PPS);
	T_ASSERT(distinct_lo > total / 2);
	T_ASSERT(now <= 5000 + PP_BDAY_MS);
}

T_TEST(sockets_twice_each)
{
	struct pp_spray		s;
	struct sockaddr_in6	t = ep(IP(203, 0, 113, 12), 6374), eps[300];
	uint64_t		nonces[300], now = 0;
	size_t			n, total = 0, first = 0;

	memset(&s, 0, sizeof(s));
	T_EQ_INT(pp_spray_start(&s, PP_TRY_SOCKETS, &t, 0, 8, 0, 9, now), 0);
	while (pp_spray_running(&s) && now < 20000) {
		n = pp_spray_due(&s, now, eps, nonces, 300);
		if (n > 0) {
			T_ASSERT(natep_eq(&eps[0], &t));
			T_ASSERT(!pp_spray_matches(&s, &eps[0], nonces[0]));
		}
		total += n;
		if (now < PP_BDAY_MS / 2)
			first = total;
		now += 5;
	}
	T_EQ_INT(first, 8);
	T_EQ_INT(total, 16);
	T_EQ_INT(s.result, PP_RES_GAVE_UP);
}

/* natpath with a spray: relayed meanwhile, the answer from a predicted
 * port (and only from the port its nonce names) makes the path direct. */
T_TEST(natpath_spray_to_direct)
{
	struct natpath		p;
	struct natpath_action	a, hit;
	struct sockaddr_in6	relay = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	member = ep(IP(203, 0, 113, 10), 20004);
	struct sockaddr_in6	wrong, rep;
	uint64_t		now = 1000;
	int			relayed, found = 0, n = 0;

	natpath_init(&p, 42, now);
	natpath_add_candidate(&p, &member, NATPATH_SRC_DHT, now);
	natpath_set_relay(&p, &relay, now);
	natpath_use(&p, now);
	/* not while idle or direct; at once while searching */
	now += NATPATH_DIRECT_MS;
	natpath_periodic(&p, now);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	while (natpath_next_action(&p, &a))
		;
	T_EQ_INT(natpath_spray(&p, PP_TRY_PREDICTED, &member, 20007, 1, 0,
	    now), 1);
	T_EQ_INT(natpath_spray(&p, PP_TRY_PREDICTED, &member, 20007, 1, 0,
	    now), 0);	/* running already */
	for (; now < 1000 + NATPATH_DIRECT_MS + 500; now += 10) {
		natpath_spray_periodic(&p, now);
		while (natpath_next_action(&p, &a)) {
			if (a.type != NATPATH_ACT_PROBE)
				continue;
			n++;
			T_ASSERT(natep_same_ip(&a.ep, &member));
			T_ASSERT(ntohs(a.ep.sin6_port) > 20007);
			if (ntohs(a.ep.sin6_port) == 20011) {
				hit = a;
				found = 1;
			}
		}
	}
	T_ASSERT(found);
	T_ASSERT(n <= PP_SEQ_PPS / 2 + 2);
	/* the nonce of the probe to 20011, from 20012: not an answer */
	wrong = hit.ep;
	wrong.sin6_port = htons(20012);
	T_ASSERT(!natpath_ack_matches(&p, &wrong, hit.nonce));
	natpath_ack_in(&p, &wrong, hit.nonce, now);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	/* from 20011: direct there */
	T_ASSERT(natpath_ack_matches(&p, &hit.ep, hit.nonce));
	natpath_ack_in(&p, &hit.ep, hit.nonce, now);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_ASSERT(natep_eq(&p.ep, &hit.ep));
	T_EQ_INT(natpath_route(&p, &rep, &relayed), 0);
	T_EQ_INT(relayed, 0);
	T_EQ_INT(p.spray.result, PP_RES_DIRECT);
	T_EQ_INT(natpath_spray_periodic(&p, now + 10), UINT64_MAX);
}

/* The hard side: a birthday socket got through; the path is there, and a
 * later loss of it starts over on our own socket. */
T_TEST(natpath_via_socket)
{
	struct natpath		p;
	struct natpath_action	a;
	struct sockaddr_in6	relay = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	easy = ep(IP(203, 0, 113, 12), 6374);
	uint64_t		now = 1000;

	natpath_init(&p, 7, now);
	natpath_via_socket(&p, &easy, 3, now);	/* idle: nothing */
	T_EQ_INT(p.state, NATPATH_IDLE);
	natpath_add_candidate(&p, &easy, NATPATH_SRC_DHT, now);
	natpath_set_relay(&p, &relay, now);
	natpath_use(&p, now);
	now += NATPATH_DIRECT_MS;
	natpath_periodic(&p, now);
	T_EQ_INT(p.state, NATPATH_RELAYED);
	natpath_via_socket(&p, &easy, 3, now);
	T_EQ_INT(p.state, NATPATH_DIRECT);
	T_EQ_INT(p.ep_sock, 3);
	T_EQ_STR(natpath_src_name(p.ep_src), "punched");
	while (natpath_next_action(&p, &a))
		;
	/* sending and nothing heard (timed from the first unanswered send):
	 * lost, searched again on our socket */
	now += NATPATH_ACTIVE_DEAD_MS;
	natpath_use(&p, now);
	natpath_periodic(&p, now + NATPATH_ACTIVE_DEAD_MS + 1);
	T_ASSERT(p.state != NATPATH_DIRECT);
	T_EQ_INT(p.ep_sock, 0);
}

int
main(void)
{
	T_RUN(learn_patterns);
	T_RUN(predicted_window_paced_and_bounded);
	T_RUN(birthday_random_ports_budget);
	T_RUN(sockets_twice_each);
	T_RUN(natpath_spray_to_direct);
	T_RUN(natpath_via_socket);
	return t_done();
}
