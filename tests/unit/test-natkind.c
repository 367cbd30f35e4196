#include "config.h"

#include "nat/natep.h"
#include "nat/natkind.h"
#include "t.h"
#include "test-ep.h"

T_TEST(unknown_without_observations)
{
	struct natkind		nk;
	struct natkind_result	r;

	natkind_init(&nk);
	natkind_classify(&nk, 1000, &r);
	T_EQ_INT(r.kind, NATKIND_UNKNOWN);
	T_EQ_INT(r.observers, 0);
	T_ASSERT(!natep_is_set(&r.reflexive));
	T_EQ_STR(natkind_name(r.kind), "unknown");
}

T_TEST(one_observer_is_not_enough)
{
	struct natkind		nk;
	struct natkind_result	r;
	struct sockaddr_in6	o = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	x = ep(IP(203, 0, 113, 10), 40000);

	natkind_init(&nk);
	natkind_observe(&nk, &o, &x, 1000);
	natkind_classify(&nk, 1000, &r);
	T_EQ_INT(r.kind, NATKIND_UNKNOWN);
	T_ASSERT(natep_eq(&r.reflexive, &x));
	/* two ports of the same host are still one observer address */
	o.sin6_port = htons(6375);
	natkind_observe(&nk, &o, &x, 1001);
	natkind_classify(&nk, 1001, &r);
	T_EQ_INT(r.kind, NATKIND_UNKNOWN);
	T_EQ_INT(r.observers, 1);
}

T_TEST(endpoint_independent)
{
	struct natkind		nk;
	struct natkind_result	r;
	struct sockaddr_in6	o1 = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	o2 = ep(IP(198, 51, 100, 7), 6374);
	struct sockaddr_in6	x = ep(IP(203, 0, 113, 10), 6374);
	struct sockaddr_in6	l = ep(IP(192, 0, 2, 2), 6374);

	natkind_init(&nk);
	natkind_set_local(&nk, &l, 1);
	natkind_observe(&nk, &o1, &x, 1000);
	natkind_observe(&nk, &o2, &x, 2000);
	natkind_classify(&nk, 2000, &r);
	T_EQ_INT(r.kind, NATKIND_EIM);
	T_EQ_INT(r.observers, 2);
	T_EQ_INT(r.mappings, 1);
	T_ASSERT(natep_eq(&r.reflexive, &x));
	T_EQ_INT(r.port_preserved, 1);
	T_EQ_STR(natkind_name(r.kind), "endpoint-independent");
}

T_TEST(endpoint_dependent)
{
	struct natkind		nk;
	struct natkind_result	r;
	struct sockaddr_in6	o1 = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	o2 = ep(IP(203, 0, 113, 3), 6374);
	struct sockaddr_in6	o3 = ep(IP(203, 0, 113, 4), 6374);
	struct sockaddr_in6	x1 = ep(IP(203, 0, 113, 10), 51000);
	struct sockaddr_in6	x2 = ep(IP(203, 0, 113, 10), 52000);

	natkind_init(&nk);
	natkind_observe(&nk, &o1, &x1, 1000);
	natkind_observe(&nk, &o2, &x2, 1000);
	natkind_observe(&nk, &o3, &x2, 1000);
	natkind_classify(&nk, 1000, &r);
	T_EQ_INT(r.kind, NATKIND_EDM);
	T_EQ_INT(r.mappings, 2);
	T_EQ_INT(r.port_preserved, 0);
	/* the endpoint seen most often is reported */
	T_ASSERT(natep_eq(&r.reflexive, &x2));
	T_EQ_STR(natkind_name(r.kind), "endpoint-dependent");
}

T_TEST(no_nat)
{
	struct natkind		nk;
	struct natkind_result	r;
	struct sockaddr_in6	o1 = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	o2 = ep(IP(203, 0, 113, 3), 6374);
	struct sockaddr_in6	l[2] = { ep(IP(192, 0, 2, 9), 6374),
				    ep(IP(203, 0, 113, 20), 6374) };

	natkind_init(&nk);
	natkind_set_local(&nk, l, 2);
	natkind_observe(&nk, &o1, &l[1], 1000);
	natkind_classify(&nk, 1000, &r);
	T_EQ_INT(r.kind, NATKIND_NONE);
	natkind_observe(&nk, &o2, &l[1], 1000);
	natkind_classify(&nk, 1000, &r);
	T_EQ_INT(r.kind, NATKIND_NONE);
	T_EQ_STR(natkind_name(r.kind), "none");
}

T_TEST(lan_observers_do_not_make_it_dependent)
{
	struct natkind		nk;
	struct natkind_result	r;
	struct sockaddr_in6	lanpeer = ep(IP(192, 0, 2, 3), 6374);
	struct sockaddr_in6	o1 = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	o2 = ep(IP(203, 0, 113, 3), 6374);
	struct sockaddr_in6	x = ep(IP(203, 0, 113, 10), 40000);
	struct sockaddr_in6	l = ep(IP(192, 0, 2, 2), 6374);

	natkind_init(&nk);
	natkind_set_local(&nk, &l, 1);
	natkind_observe(&nk, &lanpeer, &l, 1000);
	natkind_observe(&nk, &o1, &x, 1000);
	natkind_observe(&nk, &o2, &x, 1000);
	natkind_classify(&nk, 1000, &r);
	T_EQ_INT(r.kind, NATKIND_EIM);
	T_EQ_INT(r.observers, 2);
	T_ASSERT(natep_eq(&r.reflexive, &x));
}

T_TEST(stale_and_replaced_observations)
{
	struct natkind		nk;
	struct natkind_result	r;
	struct sockaddr_in6	o1 = ep(IP(203, 0, 113, 2), 6374);
	struct sockaddr_in6	o2 = ep(IP(203, 0, 113, 3), 6374);
	struct sockaddr_in6	x1 = ep(IP(203, 0, 113, 10), 51000);
	struct sockaddr_in6	x2 = ep(IP(203, 0, 113, 10), 52000);

	natkind_init(&nk);
	/* the router rebooted between the two reports: o1's old one ages
	 * out, so the mapping is not called endpoint-dependent forever */
	natkind_observe(&nk, &o1, &x1, 1000);
	natkind_observe(&nk, &o2, &x2, 1000 + NATKIND_WINDOW);
	natkind_classify(&nk, 1000 + NATKIND_WINDOW, &r);
	T_EQ_INT(r.kind, NATKIND_UNKNOWN);
	T_EQ_INT(r.observers, 1);
	/* a new report from o1 replaces its old one */
	natkind_observe(&nk, &o1, &x2, 2000 + NATKIND_WINDOW);
	natkind_classify(&nk, 2000 + NATKIND_WINDOW, &r);
	T_EQ_INT(r.kind, NATKIND_EIM);
	T_EQ_INT(nk.n, 2);
	natkind_reset(&nk);
	natkind_classify(&nk, 2000 + NATKIND_WINDOW, &r);
	T_EQ_INT(r.kind, NATKIND_UNKNOWN);
}

T_TEST(table_is_bounded)
{
	struct natkind		nk;
	struct natkind_result	r;
	struct sockaddr_in6	o, x = ep(IP(203, 0, 113, 10), 6374);
	unsigned		i;

	natkind_init(&nk);
	for (i = 0; i < 3 * NATKIND_MAX_OBS; i++) {
		o = ep(IP(198, 51, 100, i + 1), 6374);
		natkind_observe(&nk, &o, &x, 1000 + i);
	}
	T_EQ_INT(nk.n, NATKIND_MAX_OBS);
	natkind_classify(&nk, 1000 + i, &r);
	T_EQ_INT(r.observers, NATKIND_MAX_OBS);
	T_EQ_INT(r.kind, NATKIND_EIM);
	/* the oldest made room: the newest observer is there */
	o = ep(IP(198, 51, 100, 3 * NATKIND_MAX_OBS), 6374);
	for (i = 0; i < nk.n; i++)
		if (natep_eq(&nk.obs[i].observer, &o))
			break;
	T_ASSERT(i < nk.n);
}

int
main(void)
{
	T_RUN(unknown_without_observations);
	T_RUN(one_observer_is_not_enough);
	T_RUN(endpoint_independent);
	T_RUN(endpoint_dependent);
	T_RUN(no_nat);
	T_RUN(lan_observers_do_not_make_it_dependent);
	T_RUN(stale_and_replaced_observations);
	T_RUN(table_is_bounded);
	return t_done();
}
