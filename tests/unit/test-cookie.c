/* mac1/mac2 and cookie replies (cookie.c) on their own. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tunnel/cookie.h"
#include "netconf/keys.h"
#include "t.h"
#include "tunnel/wire.h"

static const uint8_t	src1[18] = { 192, 0, 2, 1, 0x18, 0xe6 };
static const uint8_t	src2[18] = { 192, 0, 2, 2, 0x18, 0xe6 };

struct side {
	uint8_t			pub_a[KEY_LEN], pub_b[KEY_LEN];
	struct cookie_maker	a_to_b;		/* a sends to b */
	struct cookie_checker	b;
};

static void
side_init(struct side *s)
{
	uint8_t	sk[KEY_LEN];

	key_generate(sk);
	key_public(s->pub_a, sk);
	key_generate(sk);
	key_public(s->pub_b, sk);
	cookie_maker_init(&s->a_to_b, s->pub_b);
	cookie_checker_init(&s->b, s->pub_b);
}

static void
fill(uint8_t *msg, size_t len, uint8_t v)
{
	memset(msg, v, len);
	msg[0] = WIRE_INITIATION;
	msg[1] = msg[2] = msg[3] = 0;
}

T_TEST(mac1)
{
	struct side		s;
	struct cookie_checker	other;
	uint8_t			msg[WIRE_INITIATION_LEN];
	size_t			i;

	side_init(&s);
	fill(msg, sizeof(msg), 0x5a);
	cookie_maker_macs(&s.a_to_b, msg, sizeof(msg), 0);
	T_EQ_INT(cookie_checker_validate(&s.b, msg, sizeof(msg), src1,
	    sizeof(src1), 0, 0), COOKIE_OK);
	/* mac2 is zero without a cookie */
	for (i = 0; i < WIRE_MAC_LEN; i++)
		T_EQ_INT(msg[sizeof(msg) - WIRE_MAC_LEN + i], 0);
	/* any byte before mac2 changed: bad mac1 */
	for (i = 0; i < sizeof(msg) - WIRE_MAC_LEN; i++) {
		msg[i] ^= 1;
		if (cookie_checker_validate(&s.b, msg, sizeof(msg), src1,
		    sizeof(src1), 0, 0) != COOKIE_BAD_MAC1)
			T_FAIL("byte %zu flipped passes mac1", i);
		msg[i] ^= 1;
	}
	/* keyed by the receiver's public key: nobody else accepts it */
	cookie_checker_init(&other, s.pub_a);
	T_EQ_INT(cookie_checker_validate(&other, msg, sizeof(msg), src1,
	    sizeof(src1), 0, 0), COOKIE_BAD_MAC1);
}

T_TEST(cookie_flow)
{
	struct side		 s;
	struct wire_cookie_reply reply;
	uint8_t			 msg[WIRE_INITIATION_LEN];
	uint64_t		 now = 1000;
	size_t			 i;

	side_init(&s);
	fill(msg, sizeof(msg), 1);
	cookie_maker_macs(&s.a_to_b, msg, sizeof(msg), now);
	/* under load, no mac2: a cookie is needed */
	T_EQ_INT(cookie_checker_validate(&s.b, msg, sizeof(msg), src1,
	    sizeof(src1), 1, now), COOKIE_NEED_COOKIE);
	cookie_checker_reply(&s.b, &reply, msg, sizeof(msg), 77, src1,
	    sizeof(src1), now);
	T_EQ_INT(reply.type, WIRE_COOKIE_REPLY);
	T_EQ_INT(wire_get32(reply.receiver), 77);

	/* tampered replies are refused, the genuine one is taken once */
	for (i = 4; i < sizeof(reply); i++) {
		struct wire_cookie_reply bad = reply;

		((uint8_t *)&bad)[i] ^= 0x10;
		if (i >= offsetof(struct wire_cookie_reply, nonce) &&
		    cookie_maker_consume(&s.a_to_b, &bad, now) == 0)
			T_FAIL("cookie reply byte %zu flipped accepted", i);
	}
	T_EQ_INT(cookie_maker_consume(&s.a_to_b, &reply, now + 10), 0);
	T_EQ_INT(cookie_maker_consume(&s.a_to_b, &reply, now + 10), -1);

	/* the retry carries mac2 and passes under load */
	fill(msg, sizeof(msg), 2);
	cookie_maker_macs(&s.a_to_b, msg, sizeof(msg), now + 20);
	T_EQ_INT(cookie_checker_validate(&s.b, msg, sizeof(msg), src1,
	    sizeof(src1), 1, now + 20), COOKIE_OK);
	/* but not from another address */
	T_EQ_INT(cookie_checker_validate(&s.b, msg, sizeof(msg), src2,
	    sizeof(src2), 1, now + 20), COOKIE_NEED_COOKIE);
	/* a flipped mac2 byte fails under load */
	for (i = sizeof(msg) - WIRE_MAC_LEN; i < sizeof(msg); i++) {
		msg[i] ^= 4;
		if (cookie_checker_validate(&s.b, msg, sizeof(msg), src1,
		    sizeof(src1), 1, now + 20) != COOKIE_NEED_COOKIE)
			T_FAIL("mac2 byte %zu flipped passes", i);
		msg[i] ^= 4;
	}
}

T_TEST(reply_for_another_message)
{
	struct side		 s;
	struct wire_cookie_reply reply;
	uint8_t			 m1[WIRE_INITIATION_LEN], m2[WIRE_INITIATION_LEN];

	side_init(&s);
	fill(m1, sizeof(m1), 1);
	cookie_maker_macs(&s.a_to_b, m1, sizeof(m1), 0);
	cookie_checker_reply(&s.b, &reply, m1, sizeof(m1), 1, src1,
	    sizeof(src1), 0);
	/* we sent m2 since: the reply bound to m1's mac1 is stale */
	fill(m2, sizeof(m2), 2);
	cookie_maker_macs(&s.a_to_b, m2, sizeof(m2), 0);
	T_EQ_INT(cookie_maker_consume(&s.a_to_b, &reply, 0), -1);
	/* a maker that never sent anything takes no reply */
	cookie_maker_init(&s.a_to_b, s.pub_b);
	T_EQ_INT(cookie_maker_consume(&s.a_to_b, &reply, 0), -1);
}

T_TEST(rotation)
{
	struct side		 s;
	struct wire_cookie_reply reply;
	uint8_t			 msg[WIRE_INITIATION_LEN];
	uint64_t		 t0 = 5000;

	side_init(&s);
	fill(msg, sizeof(msg), 3);
	cookie_maker_macs(&s.a_to_b, msg, sizeof(msg), t0);
	cookie_checker_reply(&s.b, &reply, msg, sizeof(msg), 1, src1,
	    sizeof(src1), t0);
	T_EQ_INT(cookie_maker_consume(&s.a_to_b, &reply, t0), 0);

	/* after one rotation the previous secret still works */
	cookie_maker_macs(&s.a_to_b, msg, sizeof(msg),
	    t0 + COOKIE_SECRET_LIFETIME_MS - COOKIE_LATENCY_MS - 1);
	T_EQ_INT(cookie_checker_validate(&s.b, msg, sizeof(msg), src1,
	    sizeof(src1), 1, t0 + COOKIE_SECRET_LIFETIME_MS + 1), COOKIE_OK);
	/* two rotations later it is gone */
	T_EQ_INT(cookie_checker_validate(&s.b, msg, sizeof(msg), src1,
	    sizeof(src1), 1, t0 + 2 * COOKIE_SECRET_LIFETIME_MS + 2),
	    COOKIE_NEED_COOKIE);
	/* and the maker stops sending a cookie it knows is too old */
	cookie_maker_macs(&s.a_to_b, msg, sizeof(msg),
	    t0 + COOKIE_SECRET_LIFETIME_MS - COOKIE_LATENCY_MS);
	{
		static const uint8_t zero[WIRE_MAC_LEN];

		T_EQ_MEM(msg + sizeof(msg) - WIRE_MAC_LEN, zero, WIRE_MAC_LEN);
	}
}

int
main(void)
{
	if (keys_init() != 0)
		return 99;
	T_RUN(mac1);
	T_RUN(cookie_flow);
	T_RUN(reply_for_another_message);
	T_RUN(rotation);
	return t_done();
}
