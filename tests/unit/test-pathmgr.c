/* The path manager (peer.h: path_configure, path_unconfigure,
 * path_authentic, path_route): the only writer of where a peer's packets
 * go. */
#include "config.h"

#include <string.h>

#include "datapath/peer.h"
#include "nat/natep.h"
#include "t.h"
#include "test-ep.h"

T_TEST(configured_until_heard_elsewhere)
{
	struct path		p;
	struct sockaddr_in6	cfg = ep(IP(203, 0, 113, 1), 6374);
	struct sockaddr_in6	other = ep(IP(203, 0, 113, 2), 6374);

	memset(&p, 0, sizeof(p));
	T_ASSERT(!path_usable(&p));
	path_configure(&p, &cfg);
	T_ASSERT(path_usable(&p));
	T_EQ_INT(p.source, PATH_CONFIGURED);
	T_ASSERT(natep_eq(&p.endpoint, &cfg));
	T_EQ_INT(path_authentic(&p, &cfg, 10), PATH_RX_SAME);
	T_EQ_INT(p.last_rx, 10);
	T_EQ_INT(path_authentic(&p, &other, 20), PATH_RX_MOVED);
	T_EQ_INT(p.source, PATH_LEARNED);
	T_ASSERT(natep_eq(&p.endpoint, &other));
	T_EQ_INT(p.changes, 1);
	/* configuring again does not undo what was learned */
	path_configure(&p, &cfg);
	T_ASSERT(natep_eq(&p.endpoint, &other));
}

T_TEST(unconfigure_keeps_learned)
{
	struct path		p;
	struct sockaddr_in6	cfg = ep(IP(203, 0, 113, 1), 6374);
	struct sockaddr_in6	cfg2 = ep(IP(203, 0, 113, 9), 6374);
	struct sockaddr_in6	other = ep(IP(203, 0, 113, 2), 6374);

	memset(&p, 0, sizeof(p));
	path_configure(&p, &cfg);
	/* reload: a new configured endpoint replaces the old one */
	path_unconfigure(&p);
	T_ASSERT(!path_usable(&p));
	T_ASSERT(!p.has_configured);
	path_configure(&p, &cfg2);
	T_ASSERT(natep_eq(&p.endpoint, &cfg2));
	/* a learned one stays through a reload */
	T_EQ_INT(path_authentic(&p, &other, 5), PATH_RX_MOVED);
	path_unconfigure(&p);
	path_configure(&p, &cfg);
	T_EQ_INT(p.source, PATH_LEARNED);
	T_ASSERT(natep_eq(&p.endpoint, &other));
}

T_TEST(first_packet_makes_usable)
{
	struct path		p;
	struct sockaddr_in6	a = ep(IP(198, 51, 100, 7), 40000);

	memset(&p, 0, sizeof(p));
	T_EQ_INT(path_authentic(&p, &a, 1), PATH_RX_MOVED);
	T_ASSERT(path_usable(&p));
	T_EQ_INT(path_authentic(&p, &a, 2), PATH_RX_SAME);
}

T_TEST(route_from_the_nat_layer)
{
	struct path		p;
	struct sockaddr_in6	cfg = ep(IP(203, 0, 113, 1), 6374);
	struct sockaddr_in6	relay = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	punched = ep(IP(192, 0, 2, 50), 41000);

	memset(&p, 0, sizeof(p));
	path_configure(&p, &cfg);
	/* confirmed where it is: no change */
	T_EQ_INT(path_route(&p, &cfg, 0), 0);
	T_EQ_INT(p.source, PATH_CONFIGURED);
	T_EQ_INT(path_route(&p, &relay, 1), 1);
	T_ASSERT(p.relayed);
	T_EQ_INT(p.source, PATH_LEARNED);
	T_EQ_INT(path_route(&p, &relay, 1), 0);
	T_EQ_INT(path_route(&p, &punched, 0), 1);
	T_ASSERT(!p.relayed);
	T_EQ_INT(p.source, PATH_LEARNED);
	/* back to the configured one: reported as configured */
	T_EQ_INT(path_route(&p, &cfg, 0), 1);
	T_EQ_INT(p.source, PATH_CONFIGURED);
	/* the same address as the relay, but direct: a change */
	T_EQ_INT(path_route(&p, &relay, 1), 1);
	T_EQ_INT(path_route(&p, &relay, 0), 1);
	T_ASSERT(!p.relayed);
}

T_TEST(relayed_path_is_offered_not_taken)
{
	struct path		p;
	struct sockaddr_in6	relay = ep(IP(198, 51, 100, 1), 6374);
	struct sockaddr_in6	direct = ep(IP(192, 0, 2, 50), 41000);
	struct sockaddr_in6	other = ep(IP(192, 0, 2, 51), 41000);

	memset(&p, 0, sizeof(p));
	T_EQ_INT(path_route(&p, &relay, 1), 1);
	/* straight from the peer while relayed: offered, the relay stays */
	T_EQ_INT(path_authentic(&p, &direct, 100), PATH_RX_OFFERED);
	T_ASSERT(p.relayed);
	T_ASSERT(natep_eq(&p.endpoint, &relay));
	T_ASSERT(natep_eq(&p.offered, &direct));
	T_EQ_INT(p.last_rx, 100);
	/* not again for every packet */
	T_EQ_INT(path_authentic(&p, &direct, 101), PATH_RX_SAME);
	T_EQ_INT(path_authentic(&p, &direct, 100 + PATH_OFFER_MS - 1),
	    PATH_RX_SAME);
	T_EQ_INT(path_authentic(&p, &direct, 100 + PATH_OFFER_MS),
	    PATH_RX_OFFERED);
	/* another source at once */
	T_EQ_INT(path_authentic(&p, &other, 100 + PATH_OFFER_MS + 1),
	    PATH_RX_OFFERED);
	T_ASSERT(natep_eq(&p.offered, &other));
	/* the NAT layer probed it and switched: direct from then on */
	T_EQ_INT(path_route(&p, &other, 0), 1);
	T_EQ_INT(path_authentic(&p, &other, 2000), PATH_RX_SAME);
	/* and a direct path roams at once again */
	T_EQ_INT(path_authentic(&p, &direct, 2001), PATH_RX_MOVED);
	T_ASSERT(natep_eq(&p.endpoint, &direct));
	T_ASSERT(!p.relayed);
}

/* path_sent: active again after a quiet spell (once), and which sends
 * wait for an answer, in order even within one millisecond. */
T_TEST(sent_active_and_waiting)
{
	struct path		p;
	struct sockaddr_in6	b = ep(IP(203, 0, 113, 2), 6374);

	memset(&p, 0, sizeof(p));
	path_configure(&p, &b);
	T_EQ_INT(path_sent(&p, 10000), 1);	/* first send: active */
	T_EQ_INT(p.waiting, 1);
	T_EQ_INT(p.wait_tx, 10000);
	T_EQ_INT(path_sent(&p, 10500), 0);	/* still active */
	T_EQ_INT(p.wait_tx, 10000);		/* the first unanswered */
	path_authentic(&p, &b, 10600);
	T_EQ_INT(p.waiting, 0);
	T_EQ_INT(path_sent(&p, 10600), 0);	/* a reply, same ms */
	T_EQ_INT(p.waiting, 1);
	T_EQ_INT(p.wait_tx, 10600);
	T_EQ_INT(path_sent(&p, 10600 + PATH_ACTIVE_MS), 1);
}

int
main(void)
{
	T_RUN(configured_until_heard_elsewhere);
	T_RUN(unconfigure_keeps_learned);
	T_RUN(first_packet_makes_usable);
	T_RUN(route_from_the_nat_layer);
	T_RUN(relayed_path_is_offered_not_taken);
	T_RUN(sent_active_and_waiting);
	return t_done();
}
