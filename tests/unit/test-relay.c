/* relay.c: the relay's forwarding table, per-source and global token
 * buckets, cookie secrets. */
#include "config.h"

#include <string.h>

#include "nat/natep.h"
#include "nat/relay.h"
#include "t.h"

static void
key(uint8_t k[32], uint8_t v)
{
	size_t	i;

	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)(v * 7 + i);
}

T_TEST(forward_between_bound_members)
{
	struct relay_config	cfg = { 0 };
	struct relay		*r;
	struct sockaddr_in6	a, b, c, to;
	struct relay_stats	st;
	uint8_t			ka[32], kb[32], kc[32], src[8];

	cfg.seed = 42;
	T_ASSERT((r = relay_new(&cfg)) != NULL);
	key(ka, 1);
	key(kb, 2);
	key(kc, 3);
	natep_v4(&a, 0xcb00710a, 1000);
	natep_v4(&b, 0xcb00710b, 2000);
	natep_v4(&c, 0xcb00710c, 3000);

	/* nobody bound yet */
	T_EQ_INT(relay_forward(r, &a, kb, 100, 10, &to, src), RELAY_UNBOUND);
	T_EQ_INT(relay_bind(r, ka, &a, 5, 10), RELAY_BIND_OK);
	T_EQ_INT(relay_forward(r, &a, kb, 100, 10, &to, src), RELAY_UNKNOWN);
	T_EQ_INT(relay_forward(r, &a, ka, 100, 10, &to, src), RELAY_LOOP);
	T_EQ_INT(relay_known(r, kb, 10), 0);
	/* b is a DHT client: reachable, and may send */
	T_EQ_INT(relay_client(r, kb, &b, 50000, 10), RELAY_BIND_OK);
	T_EQ_INT(relay_known(r, kb, 10), 1);
	T_EQ_INT(relay_forward(r, &a, kb, 100, 11, &to, src), RELAY_FORWARD);
	T_ASSERT(natep_eq(&to, &b));
	T_EQ_MEM(src, ka, 8);
	T_EQ_INT(relay_forward(r, &b, ka, 100, 11, &to, src), RELAY_FORWARD);
	T_ASSERT(natep_eq(&to, &a));
	T_EQ_MEM(src, kb, 8);
	/* an unbound third party may not use it, even naming a member */
	T_EQ_INT(relay_forward(r, &c, ka, 100, 11, &to, src), RELAY_UNBOUND);

	/* replayed or old BIND: refused; newer: accepted and moves a */
	T_EQ_INT(relay_bind(r, ka, &c, 5, 12), RELAY_BIND_REPLAY);
	T_EQ_INT(relay_bind(r, ka, &c, 4, 12), RELAY_BIND_REPLAY);
	T_EQ_INT(relay_bind(r, ka, &c, 6, 12), RELAY_BIND_OK);
	T_EQ_INT(relay_forward(r, &b, ka, 100, 13, &to, src), RELAY_FORWARD);
	T_ASSERT(natep_eq(&to, &c));
	T_EQ_INT(relay_forward(r, &a, kb, 100, 13, &to, src), RELAY_UNBOUND);

	/* the DHT still has a's old registration: a's BIND wins */
	T_EQ_INT(relay_client(r, ka, &a, 60000, 13), RELAY_BIND_OK);
	T_EQ_INT(relay_forward(r, &b, ka, 100, 13, &to, src), RELAY_FORWARD);
	T_ASSERT(natep_eq(&to, &c));
	/* ... until that BIND lapses */
	T_EQ_INT(relay_client(r, kb, &b, 300000, 13), RELAY_BIND_OK);
	T_EQ_INT(relay_client(r, ka, &a, 200000, 12 + RELAY_DEF_TTL_MS + 1),
	    RELAY_BIND_OK);
	T_EQ_INT(relay_forward(r, &b, ka, 100, 12 + RELAY_DEF_TTL_MS + 2, &to,
	    src), RELAY_FORWARD);
	T_ASSERT(natep_eq(&to, &a));
	T_EQ_INT(relay_bind(r, ka, &c, 7, 13), RELAY_BIND_OK);

	/* another key with the same id cannot take it */
	kc[0] = ka[0];
	memcpy(kc, ka, 8);
	T_EQ_INT(relay_bind(r, kc, &a, 1, 14), RELAY_BIND_CLASH);

	relay_get_stats(r, &st);
	T_EQ_INT(st.forwarded, 5);
	T_EQ_INT(st.entries, 2);
	T_EQ_INT(st.drops[RELAY_UNBOUND], 3);
	T_EQ_INT(st.drops[RELAY_LOOP], 1);
	T_EQ_STR(relay_verdict_name(RELAY_RATE), "relay_rate");
	relay_free(r);
}

T_TEST(expiry_and_capacity)
{
	struct relay_config	cfg = { 0 };
	struct relay		*r;
	struct sockaddr_in6	a[4], to;
	uint8_t			k[4][32], src[8];
	int			i;

	cfg.max_entries = 3;
	cfg.ttl_ms = 1000;
	T_ASSERT((r = relay_new(&cfg)) != NULL);
	for (i = 0; i < 4; i++) {
		key(k[i], (uint8_t)(10 + i));
		natep_v4(&a[i], 0xc0000201 + (uint32_t)i, 6374);
	}
	for (i = 0; i < 3; i++)
		T_EQ_INT(relay_bind(r, k[i], &a[i], 1, 100), RELAY_BIND_OK);
	T_EQ_INT(relay_bind(r, k[3], &a[3], 1, 100), RELAY_BIND_FULL);
	T_EQ_INT(relay_expire(r, 100), 1100);
	/* renew one; the others lapse */
	T_EQ_INT(relay_bind(r, k[0], &a[0], 2, 900), RELAY_BIND_OK);
	T_EQ_INT(relay_forward(r, &a[1], k[0], 10, 1099, &to, src),
	    RELAY_FORWARD);
	T_EQ_INT(relay_forward(r, &a[1], k[0], 10, 1100, &to, src),
	    RELAY_UNBOUND);
	T_EQ_INT(relay_expire(r, 1100), 1900);
	T_EQ_INT(relay_bind(r, k[3], &a[3], 1, 1100), RELAY_BIND_OK);
	T_EQ_INT(relay_forward(r, &a[3], k[0], 10, 1101, &to, src),
	    RELAY_FORWARD);
	T_ASSERT(natep_eq(&to, &a[0]));
	/* an address taken over by another key leaves the old one */
	T_EQ_INT(relay_bind(r, k[1], &a[3], 5, 1102), RELAY_BIND_OK);
	T_EQ_INT(relay_forward(r, &a[0], k[3], 10, 1103, &to, src),
	    RELAY_UNKNOWN);
	T_EQ_INT(relay_forward(r, &a[0], k[1], 10, 1103, &to, src),
	    RELAY_FORWARD);
	T_EQ_INT(relay_expire(r, 5000), UINT64_MAX);
	T_EQ_INT(relay_known(r, k[0], 5000), 0);
	relay_free(r);
}

T_TEST(rate_limit_per_source)
{
	struct relay_config	cfg = { 0 };
	struct relay		*r;
	struct sockaddr_in6	a, b, c, to;
	uint8_t			ka[32], kb[32], kc[32], src[8];
	int			i, n;

	cfg.rate = 100000;		/* 100 kB/s */
	cfg.burst = 10000;		/* 10 kB */
	T_ASSERT((r = relay_new(&cfg)) != NULL);
	key(ka, 1);
	key(kb, 2);
	key(kc, 3);
	natep_v4(&a, 0xcb00710a, 1000);
	natep_v4(&b, 0xcb00710b, 2000);
	natep_v4(&c, 0xcb00710c, 3000);
	T_EQ_INT(relay_bind(r, ka, &a, 1, 0), RELAY_BIND_OK);
	T_EQ_INT(relay_bind(r, kb, &b, 1, 0), RELAY_BIND_OK);
	T_EQ_INT(relay_bind(r, kc, &c, 1, 0), RELAY_BIND_OK);
	/* the burst: ten 1000-byte packets, then refused */
	for (n = 0, i = 0; i < 20; i++)
		n += relay_forward(r, &a, kb, 1000, 0, &to, src) ==
		    RELAY_FORWARD;
	T_EQ_INT(n, 10);
	T_EQ_INT(relay_forward(r, &a, kb, 1000, 0, &to, src), RELAY_RATE);
	/* another source is not affected */
	T_EQ_INT(relay_forward(r, &c, kb, 1000, 0, &to, src), RELAY_FORWARD);
	/* 10 ms at 100 kB/s refill 1000 bytes: one more */
	T_EQ_INT(relay_forward(r, &a, kb, 1000, 10, &to, src), RELAY_FORWARD);
	T_EQ_INT(relay_forward(r, &a, kb, 1000, 10, &to, src), RELAY_RATE);
	/* a long pause refills only up to the burst */
	for (n = 0, i = 0; i < 20; i++)
		n += relay_forward(r, &a, kb, 1000, 60000, &to, src) ==
		    RELAY_FORWARD;
	T_EQ_INT(n, 10);
	relay_free(r);

	/* unlimited */
	cfg.rate = UINT64_MAX;
	cfg.cap = UINT64_MAX;
	cfg.burst = 0;
	T_ASSERT((r = relay_new(&cfg)) != NULL);
	T_EQ_INT(relay_bind(r, ka, &a, 1, 0), RELAY_BIND_OK);
	T_EQ_INT(relay_bind(r, kb, &b, 1, 0), RELAY_BIND_OK);
	for (n = 0, i = 0; i < 1000; i++)
		n += relay_forward(r, &a, kb, 60000, 0, &to, src) ==
		    RELAY_FORWARD;
	T_EQ_INT(n, 1000);
	relay_free(r);
}

T_TEST(global_cap)
{
	struct relay_config	cfg = { 0 };
	struct relay		*r;
	struct relay_stats	st;
	struct sockaddr_in6	a, b, c, to;
	uint8_t			ka[32], kb[32], kc[32], src[8];
	int			i, n;

	cfg.rate = 100000;		/* 100 kB/s a source */
	cfg.burst = 100000;
	cfg.cap = 150000;		/* 150 kB/s in all, bucket = burst */
	T_ASSERT((r = relay_new(&cfg)) != NULL);
	key(ka, 1);
	key(kb, 2);
	key(kc, 3);
	natep_v4(&a, 0xcb00710a, 1000);
	natep_v4(&b, 0xcb00710b, 2000);
	natep_v4(&c, 0xcb00710c, 3000);
	T_EQ_INT(relay_bind(r, ka, &a, 1, 0), RELAY_BIND_OK);
	T_EQ_INT(relay_bind(r, kb, &b, 1, 0), RELAY_BIND_OK);
	T_EQ_INT(relay_bind(r, kc, &c, 1, 0), RELAY_BIND_OK);
	/* a takes its whole burst (100 kB) of the global 100 kB */
	for (n = 0, i = 0; i < 200; i++)
		n += relay_forward(r, &a, kb, 1000, 0, &to, src) ==
		    RELAY_FORWARD;
	T_EQ_INT(n, 100);
	/* c has its own burst left, but the cap has nothing */
	T_EQ_INT(relay_forward(r, &c, kb, 1000, 0, &to, src), RELAY_RATE);
	relay_get_stats(r, &st);
	T_ASSERT(st.capped >= 1);
	/* one second: a and c refill 100 kB each, the cap 100 kB (its
	 * depth): together no more than that */
	for (n = 0, i = 0; i < 200; i++) {
		n += relay_forward(r, &a, kb, 1000, 1000, &to, src) ==
		    RELAY_FORWARD;
		n += relay_forward(r, &c, kb, 1000, 1000, &to, src) ==
		    RELAY_FORWARD;
	}
	T_EQ_INT(n, 100);
	/* half a second later both buckets have refilled some */
	T_EQ_INT(relay_forward(r, &c, kb, 1000, 1500, &to, src),
	    RELAY_FORWARD);
	relay_free(r);
}

T_TEST(cookie_secrets)
{
	struct relay_config	cfg = { 0 };
	struct relay		*r;
	uint8_t			s1[RELAY_SECRET_LEN], s2[RELAY_SECRET_LEN];
	uint8_t			s3[RELAY_SECRET_LEN];

	memset(s1, 1, sizeof(s1));
	memset(s2, 2, sizeof(s2));
	memset(s3, 3, sizeof(s3));
	T_ASSERT((r = relay_new(&cfg)) != NULL);
	T_ASSERT(relay_secret_due(r, 1000));
	T_ASSERT(relay_secret(r, 0, 1000) == NULL);
	relay_secret_rotate(r, s1, 1000);
	T_ASSERT(!relay_secret_due(r, 1000));
	T_ASSERT(relay_secret(r, 0, 1000) != NULL);
	T_EQ_MEM(relay_secret(r, 0, 1000), s1, RELAY_SECRET_LEN);
	T_ASSERT(relay_secret(r, 1, 1000) == NULL);
	T_ASSERT(!relay_secret_due(r, 1000 + RELAY_SECRET_MS - 1));
	T_ASSERT(relay_secret_due(r, 1000 + RELAY_SECRET_MS));
	/* a turn later: s1 is the previous secret, still taking cookies */
	relay_secret_rotate(r, s2, 1000 + RELAY_SECRET_MS);
	T_EQ_MEM(relay_secret(r, 0, 1000 + RELAY_SECRET_MS), s2,
	    RELAY_SECRET_LEN);
	T_EQ_MEM(relay_secret(r, 1, 1000 + RELAY_SECRET_MS), s1,
	    RELAY_SECRET_LEN);
	/* two turns after its birth, s1 takes none, rotated or not */
	T_ASSERT(relay_secret(r, 1, 1000 + 2 * RELAY_SECRET_MS) == NULL);
	relay_secret_rotate(r, s3, 1000 + 2 * RELAY_SECRET_MS);
	T_EQ_MEM(relay_secret(r, 1, 1000 + 2 * RELAY_SECRET_MS), s2,
	    RELAY_SECRET_LEN);
	/* the clock going back (it should not): no secret until rotated */
	T_ASSERT(relay_secret(r, 0, 500) == NULL);
	T_ASSERT(relay_secret_due(r, 500));
	relay_free(r);
}

T_TEST(many_entries_and_churn)
{
	struct relay_config	cfg = { 0 };
	struct relay		*r;
	struct sockaddr_in6	a, to;
	struct relay_stats	st;
	uint8_t			k[32], src[8];
	unsigned		i, round;

	cfg.max_entries = 200;
	cfg.ttl_ms = 100;
	T_ASSERT((r = relay_new(&cfg)) != NULL);
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 200; i++) {
			key(k, (uint8_t)i);
			k[31] = (uint8_t)round;
			k[8] = (uint8_t)(i >> 8);
			k[0] = (uint8_t)i;
			k[1] = (uint8_t)round;
			natep_v4(&a, 0xc0000000 + i, (uint16_t)(1000 + round));
			T_EQ_INT(relay_bind(r, k, &a, 1, round * 1000),
			    RELAY_BIND_OK);
		}
		relay_get_stats(r, &st);
		T_EQ_INT(st.entries, 200);
		/* every member reaches every other */
		for (i = 0; i < 200; i++) {
			natep_v4(&a, 0xc0000000 + i, (uint16_t)(1000 + round));
			key(k, (uint8_t)((i + 1) % 200));
			k[0] = (uint8_t)((i + 1) % 200);
			k[1] = (uint8_t)round;
			T_EQ_INT(relay_forward(r, &a, k, 100, round * 1000 + 1,
			    &to, src), RELAY_FORWARD);
		}
		relay_expire(r, round * 1000 + 500);
	}
	relay_free(r);
}

int
main(void)
{
	T_RUN(forward_between_bound_members);
	T_RUN(expiry_and_capacity);
	T_RUN(rate_limit_per_source);
	T_RUN(global_cap);
	T_RUN(cookie_secrets);
	T_RUN(many_entries_and_churn);
	return t_done();
}
