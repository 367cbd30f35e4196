#include "config.h"

#include <stdint.h>

#include "nat/portmap.h"
#include "t.h"

static struct portmap_lease
lease(uint32_t life)
{
	struct portmap_lease	l;

	memset(&l, 0, sizeof(l));
	l.ext_ip = 0xcb00710a;	/* 203.0.113.10 */
	l.ext_port = 6374;
	l.int_port = 6374;
	l.lifetime = life;
	return l;
}

T_TEST(tries_natpmp_then_upnp_then_backs_off)
{
	struct portmap_state	ps;
	enum portmap_method	m;
	uint64_t		next;

	portmap_state_init(&ps, PORTMAP_M_ALL, 6374, 0, 1000);
	T_EQ_INT(portmap_state_periodic(&ps, 1000, &m, &next), PORTMAP_ACT_MAP);
	T_EQ_INT(m, PORTMAP_NATPMP);
	T_EQ_INT(next, UINT64_MAX);
	/* nothing more while the request is out */
	T_EQ_INT(portmap_state_periodic(&ps, 5000, &m, &next), PORTMAP_ACT_NONE);
	portmap_state_failed(&ps, 5000, "no answer");
	T_EQ_STR(ps.error, "no answer");
	T_EQ_INT(ps.error_method, PORTMAP_NATPMP);
	T_EQ_INT(portmap_state_periodic(&ps, 5000, &m, &next), PORTMAP_ACT_MAP);
	T_EQ_INT(m, PORTMAP_UPNP);
	portmap_state_failed(&ps, 7000, "no IGD");
	/* both failed: wait the back-off, then start over with NAT-PMP */
	T_EQ_INT(portmap_state_periodic(&ps, 7000, &m, &next), PORTMAP_ACT_NONE);
	T_EQ_INT(next, 7000 + PORTMAP_RETRY_MIN);
	T_EQ_INT(portmap_state_periodic(&ps, next, &m, &next), PORTMAP_ACT_MAP);
	T_EQ_INT(m, PORTMAP_NATPMP);
	portmap_state_failed(&ps, 20000, "x");
	T_EQ_INT(portmap_state_periodic(&ps, 20000, &m, &next), PORTMAP_ACT_MAP);
	portmap_state_failed(&ps, 20000, "y");
	T_EQ_INT(portmap_state_periodic(&ps, 20000, &m, &next), PORTMAP_ACT_NONE);
	T_EQ_INT(next, 20000 + 2 * PORTMAP_RETRY_MIN);
	T_EQ_INT(ps.nfailed, 4);
	T_EQ_INT(ps.mapped, 0);
}

T_TEST(backoff_is_capped)
{
	struct portmap_state	ps;
	enum portmap_method	m;
	uint64_t		now = 0, next = 0;
	int			i;

	portmap_state_init(&ps, PORTMAP_M_UPNP, 1, 0, 0);
	for (i = 0; i < 30; i++) {
		now = next;
		T_EQ_INT(portmap_state_periodic(&ps, now, &m, &next),
		    PORTMAP_ACT_MAP);
		T_EQ_INT(m, PORTMAP_UPNP);
		portmap_state_failed(&ps, now, "no IGD");
		portmap_state_periodic(&ps, now, &m, &next);
		T_ASSERT(next - now <= PORTMAP_RETRY_MAX);
	}
	T_EQ_INT(next - now, PORTMAP_RETRY_MAX);
}

T_TEST(renews_at_half_lease_and_keeps_lease_on_failed_renewal)
{
	struct portmap_state	ps;
	struct portmap_lease	l = lease(600);
	enum portmap_method	m;
	uint64_t		next, gen;

	portmap_state_init(&ps, PORTMAP_M_ALL, 6374, 600, 0);
	portmap_state_periodic(&ps, 0, &m, &next);
	portmap_state_failed(&ps, 10, "no NAT-PMP");
	portmap_state_periodic(&ps, 10, &m, &next);
	T_EQ_INT(m, PORTMAP_UPNP);
	l.method = PORTMAP_NATPMP;	/* ignored: the lease is the UPnP one */
	portmap_state_mapped(&ps, 1000, &l);
	T_EQ_INT(ps.lease.method, PORTMAP_UPNP);
	T_EQ_INT(ps.phase, PORTMAP_MAPPED);
	T_ASSERT(portmap_state_valid(&ps, 1000));
	gen = ps.generation;
	T_EQ_INT(portmap_state_periodic(&ps, 1000, &m, &next), PORTMAP_ACT_NONE);
	T_EQ_INT(next, 1000 + 300000);
	/* renewal due: same method, not NAT-PMP first */
	T_EQ_INT(portmap_state_periodic(&ps, next, &m, &next), PORTMAP_ACT_MAP);
	T_EQ_INT(m, PORTMAP_UPNP);
	T_EQ_INT(ps.phase, PORTMAP_RENEWING);
	T_ASSERT(portmap_state_valid(&ps, 301000));
	portmap_state_failed(&ps, 301000, "timeout");
	T_EQ_INT(ps.phase, PORTMAP_MAPPED);
	T_ASSERT(ps.mapped);
	T_EQ_INT(portmap_state_periodic(&ps, 301000, &m, &next), PORTMAP_ACT_NONE);
	T_EQ_INT(next, 301000 + PORTMAP_RENEW_RETRY);
	/* renewed with the same endpoint: generation unchanged */
	portmap_state_periodic(&ps, next, &m, &next);
	portmap_state_mapped(&ps, 331000, &l);
	T_EQ_INT(ps.generation, gen);
	T_EQ_INT(ps.nrenewed, 1);
	T_EQ_INT(ps.expiry, 331000 + 600000);
	/* a renewal that moves the external port is a change */
	portmap_state_periodic(&ps, 631000, &m, &next);
	l.ext_port = 7000;
	portmap_state_mapped(&ps, 631000, &l);
	T_ASSERT(ps.generation != gen);
	T_EQ_INT(ps.lease.ext_port, 7000);
}

T_TEST(lease_lost_when_renewals_fail_until_expiry)
{
	struct portmap_state	ps;
	struct portmap_lease	l = lease(100);
	enum portmap_method	m;
	uint64_t		now, next, last = 0;

	portmap_state_init(&ps, PORTMAP_M_NATPMP, 6374, 100, 0);
	portmap_state_periodic(&ps, 0, &m, &next);
	portmap_state_mapped(&ps, 0, &l);
	now = 50000;
	while (ps.mapped && now < 200000) {
		if (portmap_state_periodic(&ps, now, &m, &next) ==
		    PORTMAP_ACT_MAP && ps.phase == PORTMAP_RENEWING) {
			portmap_state_failed(&ps, now, "timeout");
			portmap_state_periodic(&ps, now, &m, &next);
		}
		/* never beyond the expiry while the lease is held */
		if (ps.mapped)
			T_ASSERT(next <= 100000);
		last = now;
		now = next;
	}
	T_EQ_INT(ps.mapped, 0);
	T_EQ_INT(ps.nlost, 1);
	T_EQ_INT(last, 100000);
	/* lost at expiry: a fresh request straight away */
	T_EQ_INT(ps.phase, PORTMAP_REQUESTING);
	T_ASSERT(!portmap_state_valid(&ps, now));
}

T_TEST(permanent_lease_is_rechecked)
{
	struct portmap_state	ps;
	struct portmap_lease	l = lease(0);
	enum portmap_method	m;
	uint64_t		next;

	portmap_state_init(&ps, PORTMAP_M_UPNP, 6374, 0, 0);
	portmap_state_periodic(&ps, 0, &m, &next);
	portmap_state_mapped(&ps, 0, &l);
	T_ASSERT(portmap_state_valid(&ps, UINT64_MAX - 1));
	portmap_state_periodic(&ps, 0, &m, &next);
	T_EQ_INT(next, PORTMAP_RECHECK);
}

T_TEST(stop_deletes_held_mapping)
{
	struct portmap_state	ps;
	struct portmap_lease	l = lease(600);
	enum portmap_method	m;
	uint64_t		next;

	portmap_state_init(&ps, PORTMAP_M_NATPMP, 6374, 0, 0);
	portmap_state_periodic(&ps, 0, &m, &next);
	portmap_state_mapped(&ps, 5, &l);
	portmap_state_stop(&ps, 10);
	T_EQ_INT(portmap_state_periodic(&ps, 10, &m, &next), PORTMAP_ACT_UNMAP);
	T_EQ_INT(m, PORTMAP_NATPMP);
	/* only once */
	T_EQ_INT(portmap_state_periodic(&ps, 11, &m, &next), PORTMAP_ACT_NONE);
	portmap_state_unmapped(&ps, 12);
	T_EQ_INT(ps.phase, PORTMAP_STOPPED);
	T_EQ_INT(ps.mapped, 0);
	T_EQ_INT(portmap_state_periodic(&ps, 13, &m, &next), PORTMAP_ACT_NONE);
	T_EQ_INT(next, UINT64_MAX);
}

T_TEST(stop_during_request)
{
	struct portmap_state	ps;
	struct portmap_lease	l = lease(600);
	enum portmap_method	m;
	uint64_t		next;

	/* the request succeeds after the stop: delete what it got */
	portmap_state_init(&ps, PORTMAP_M_UPNP, 6374, 0, 0);
	portmap_state_periodic(&ps, 0, &m, &next);
	portmap_state_stop(&ps, 1);
	T_EQ_INT(ps.phase, PORTMAP_REQUESTING);
	portmap_state_mapped(&ps, 2, &l);
	T_EQ_INT(ps.phase, PORTMAP_UNMAPPING);
	T_EQ_INT(portmap_state_periodic(&ps, 2, &m, &next), PORTMAP_ACT_UNMAP);
	T_EQ_INT(m, PORTMAP_UPNP);

	/* the request fails after the stop: nothing to delete */
	portmap_state_init(&ps, PORTMAP_M_UPNP, 6374, 0, 0);
	portmap_state_periodic(&ps, 0, &m, &next);
	portmap_state_stop(&ps, 1);
	portmap_state_failed(&ps, 2, "no IGD");
	T_EQ_INT(ps.phase, PORTMAP_STOPPED);

	/* a renewal fails after the stop: the old lease is deleted */
	portmap_state_init(&ps, PORTMAP_M_UPNP, 6374, 0, 0);
	portmap_state_periodic(&ps, 0, &m, &next);
	portmap_state_mapped(&ps, 0, &l);
	portmap_state_periodic(&ps, 300000, &m, &next);
	T_EQ_INT(ps.phase, PORTMAP_RENEWING);
	portmap_state_stop(&ps, 300001);
	portmap_state_failed(&ps, 300002, "timeout");
	T_EQ_INT(portmap_state_periodic(&ps, 300002, &m, &next),
	    PORTMAP_ACT_UNMAP);

	/* nothing held, nothing out: stopped at once */
	portmap_state_init(&ps, PORTMAP_M_UPNP, 6374, 0, 0);
	portmap_state_stop(&ps, 0);
	T_EQ_INT(ps.phase, PORTMAP_STOPPED);
}

T_TEST(no_methods_means_stopped)
{
	struct portmap_state	ps;
	enum portmap_method	m;
	uint64_t		next;

	portmap_state_init(&ps, 0, 6374, 0, 0);
	T_EQ_INT(portmap_state_periodic(&ps, 0, &m, &next), PORTMAP_ACT_NONE);
	T_EQ_INT(next, UINT64_MAX);
	T_EQ_STR(portmap_phase_name(ps.phase), "stopped");
	T_EQ_STR(portmap_method_name(PORTMAP_UPNP), "upnp");
}

T_TEST(stray_results_are_ignored)
{
	struct portmap_state	ps;
	struct portmap_lease	l = lease(600);

	portmap_state_init(&ps, PORTMAP_M_ALL, 6374, 0, 0);
	portmap_state_mapped(&ps, 0, &l);
	portmap_state_failed(&ps, 0, "x");
	portmap_state_unmapped(&ps, 0);
	T_EQ_INT(ps.phase, PORTMAP_WAITING);
	T_EQ_INT(ps.mapped, 0);
	T_EQ_INT(ps.nfailed, 0);
}

int
main(void)
{
	T_RUN(tries_natpmp_then_upnp_then_backs_off);
	T_RUN(backoff_is_capped);
	T_RUN(renews_at_half_lease_and_keeps_lease_on_failed_renewal);
	T_RUN(lease_lost_when_renewals_fail_until_expiry);
	T_RUN(permanent_lease_is_rechecked);
	T_RUN(stop_deletes_held_mapping);
	T_RUN(stop_during_request);
	T_RUN(no_methods_means_stopped);
	T_RUN(stray_results_are_ignored);
	return t_done();
}
