/* wire_decode: every type at, below and above its length, reserved bytes,
 * foreign first bytes, and the decoded fields. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "t.h"
#include "common/util.h"
#include "tunnel/wire.h"

static uint8_t	buf[WIRE_DATA_MAX_LEN + 1];

struct lcase {
	uint8_t		type;
	size_t		len;
	enum wire_err	want;
};

static const struct lcase lcases[] = {
	{ WIRE_INITIATION, WIRE_INITIATION_LEN, WIRE_OK },
	{ WIRE_INITIATION, WIRE_INITIATION_LEN - 1, WIRE_ERR_LENGTH },
	{ WIRE_INITIATION, WIRE_INITIATION_LEN + 1, WIRE_ERR_LENGTH },
	{ WIRE_INITIATION, 1, WIRE_ERR_LENGTH },
	{ WIRE_RESPONSE, WIRE_RESPONSE_LEN, WIRE_OK },
	{ WIRE_RESPONSE, WIRE_RESPONSE_LEN - 1, WIRE_ERR_LENGTH },
	{ WIRE_RESPONSE, WIRE_INITIATION_LEN, WIRE_ERR_LENGTH },
	{ WIRE_COOKIE_REPLY, WIRE_COOKIE_REPLY_LEN, WIRE_OK },
	{ WIRE_COOKIE_REPLY, WIRE_COOKIE_REPLY_LEN + 1, WIRE_ERR_LENGTH },
	{ WIRE_COOKIE_REPLY, 4, WIRE_ERR_LENGTH },
	{ WIRE_DATA, WIRE_DATA_MIN_LEN, WIRE_OK },
	{ WIRE_DATA, WIRE_DATA_MIN_LEN - 1, WIRE_ERR_LENGTH },
	{ WIRE_DATA, WIRE_DATA_HEADER_LEN, WIRE_ERR_LENGTH },
	{ WIRE_DATA, WIRE_DATA_MIN_LEN + 1, WIRE_OK },
	{ WIRE_DATA, 1452, WIRE_OK },
	{ WIRE_DATA, WIRE_DATA_MAX_LEN, WIRE_OK },
	{ WIRE_DATA, WIRE_DATA_MAX_LEN + 1, WIRE_ERR_LENGTH },
	{ 0x00, 100, WIRE_ERR_TYPE },
	{ 0x05, 100, WIRE_ERR_TYPE },
	{ 0x10, 100, WIRE_ERR_TYPE },	/* DHT */
	{ 0x20, 100, WIRE_ERR_TYPE },	/* NAT traversal */
	{ 0xff, 1, WIRE_ERR_TYPE },
};

T_TEST(lengths)
{
	struct wire_msg	m;
	size_t		i;
	enum wire_err	e;

	T_EQ_INT(wire_decode(buf, 0, &m), WIRE_ERR_EMPTY);
	for (i = 0; i < ARRAY_SIZE(lcases); i++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = lcases[i].type;
		e = wire_decode(buf, lcases[i].len, &m);
		if (e != lcases[i].want)
			T_FAIL("case %zu: type %#x len %zu: %s, expected %s", i,
			    lcases[i].type, lcases[i].len, wire_strerror(e),
			    wire_strerror(lcases[i].want));
		if (e == WIRE_OK && m.type != lcases[i].type)
			T_FAIL("case %zu: decoded type %d", i, m.type);
	}
}

T_TEST(reserved)
{
	struct wire_msg	m;
	int		i, j;
	static const size_t lens[] = { WIRE_INITIATION_LEN, WIRE_RESPONSE_LEN,
	    WIRE_COOKIE_REPLY_LEN, WIRE_DATA_MIN_LEN };

	for (i = 0; i < 4; i++) {
		for (j = 1; j < 4; j++) {
			memset(buf, 0, sizeof(buf));
			buf[0] = (uint8_t)(i + 1);
			buf[j] = 0x40;
			T_EQ_INT(wire_decode(buf, lens[i], &m),
			    WIRE_ERR_RESERVED);
		}
	}
}

T_TEST(fields)
{
	struct wire_msg	m;

	memset(buf, 0, sizeof(buf));
	buf[0] = WIRE_DATA;
	wire_put32(buf + 4, 0xdeadbeef);
	wire_put64(buf + 8, 0x0102030405060708ULL);
	T_EQ_INT(wire_decode(buf, 100, &m), WIRE_OK);
	T_EQ_INT(m.receiver, 0xdeadbeef);
	T_ASSERT(m.counter == 0x0102030405060708ULL);
	T_EQ_INT(m.payload_len, 100 - WIRE_DATA_OVERHEAD);
	T_ASSERT((const uint8_t *)m.u.data == buf);
	T_EQ_INT(buf[4], 0xef);		/* little-endian on the wire */
	T_EQ_INT(buf[8], 0x08);

	memset(buf, 0, sizeof(buf));
	buf[0] = WIRE_RESPONSE;
	wire_put32(buf + 4, 17);
	wire_put32(buf + 8, 42);
	T_EQ_INT(wire_decode(buf, WIRE_RESPONSE_LEN, &m), WIRE_OK);
	T_EQ_INT(m.sender, 17);
	T_EQ_INT(m.receiver, 42);

	memset(buf, 0, sizeof(buf));
	buf[0] = WIRE_INITIATION;
	wire_put32(buf + 4, 99);
	T_EQ_INT(wire_decode(buf, WIRE_INITIATION_LEN, &m), WIRE_OK);
	T_EQ_INT(m.sender, 99);

	memset(buf, 0, sizeof(buf));
	buf[0] = WIRE_COOKIE_REPLY;
	wire_put32(buf + 4, 5);
	T_EQ_INT(wire_decode(buf, WIRE_COOKIE_REPLY_LEN, &m), WIRE_OK);
	T_EQ_INT(m.receiver, 5);
}

T_TEST(sizes)
{
	/* the documented arithmetic */
	T_EQ_INT(WIRE_DATA_OVERHEAD, 32);
	T_EQ_INT(WIRE_DEFAULT_MTU + WIRE_DATA_OVERHEAD + WIRE_OUTER_IPV6_UDP,
	    1500);
	T_EQ_INT(sizeof(struct wire_initiation), 152);
	T_EQ_INT(sizeof(struct wire_response), 96);
	T_EQ_INT(sizeof(struct wire_cookie_reply), 64);
}

int
main(void)
{
	T_RUN(lengths);
	T_RUN(reserved);
	T_RUN(fields);
	T_RUN(sizes);
	return t_done();
}
