/* The DHT wire codec: round trips of every message, and rejection of every
 * kind of malformed body. */
#include "config.h"

#include <string.h>

#include "dht/dhtmsg.h"
#include "t.h"

static void
addr4(struct dht_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = DHT_AF_INET;
	a->addr[0] = 198;
	a->addr[1] = 51;
	a->addr[2] = 100;
	a->addr[3] = last;
	a->port = port;
}

static void
addr6(struct dht_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = DHT_AF_INET6;
	a->addr[0] = 0x20;
	a->addr[1] = 0x01;
	a->addr[2] = 0x0d;
	a->addr[3] = 0xb8;
	a->addr[15] = last;
	a->port = port;
}

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static uint8_t payload[DHT_MAX_RELAY_PAYLOAD];

/* One sample of each message type; v6 selects IPv6 addresses. */
static void
sample(struct dhtmsg *m, uint8_t type, int v6)
{
	unsigned	i;

	memset(m, 0, sizeof(*m));
	m->type = type;
	m->txid = 0x0102030405060708ULL + type;
	if (dhtmsg_is_request(type)) {
		m->ts = 1700000000000ULL + type;
		m->flags = DHTMSG_F_REACHABLE;
		if (type != DHTMSG_RELAYED) {
			m->flags |= DHTMSG_F_TOKEN;
			fill(m->token, sizeof(m->token), type);
		}
	} else {
		m->flags = DHTMSG_F_REACHABLE;
		(v6 ? addr6 : addr4)(&m->observed, 9, 40000);
		fill(m->token, sizeof(m->token), 0x40);
	}
	switch (type) {
	case DHTMSG_FIND:
		fill(m->target, DHT_ID_LEN, 3);
		m->pad = 11;
		break;
	case DHTMSG_PING:
	case DHTMSG_REGISTER:
		m->pad = 5;
		break;
	case DHTMSG_RELAY:
	case DHTMSG_RELAYED:
		fill(m->target, DHT_KEY_LEN, 5);
		fill(payload, sizeof(payload), 1);
		m->payload = payload;
		m->payload_len = 100;
		if (type == DHTMSG_RELAYED)
			(v6 ? addr6 : addr4)(&m->origin, 7, 6374);
		break;
	case DHTMSG_NODES:
		m->ncontacts = DHT_K;
		for (i = 0; i < DHT_K; i++) {
			fill(m->contacts[i].key, DHT_KEY_LEN, (uint8_t)i);
			(v6 ? addr6 : addr4)(&m->contacts[i].addr,
			    (uint8_t)(i + 1), (uint16_t)(1000 + i));
		}
		m->nserved = 1;
		fill(m->served.key, DHT_KEY_LEN, 99);
		addr4(&m->served.addr, 200, 5555);
		break;
	case DHTMSG_REGISTERED:
		m->status = DHTMSG_ST_OK;
		m->lifetime = 75;
		break;
	case DHTMSG_RELAY_ACK:
		m->status = DHTMSG_ST_UNKNOWN;
		break;
	}
}

static const uint8_t types[] = { DHTMSG_PING, DHTMSG_PONG, DHTMSG_FIND,
    DHTMSG_NODES, DHTMSG_REGISTER, DHTMSG_REGISTERED, DHTMSG_RELAY,
    DHTMSG_RELAY_ACK, DHTMSG_RELAYED };

T_TEST(round_trip_every_type)
{
	uint8_t		buf[DHTMSG_MAX_BODY], buf2[DHTMSG_MAX_BODY];
	struct dhtmsg	m, d;
	size_t		len, len2, i;
	int		v6;

	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < sizeof(types); i++) {
			sample(&m, types[i], v6);
			len = dhtmsg_encode(&m, buf, sizeof(buf));
			T_ASSERT(len > 0);
			T_EQ_INT(dhtmsg_decode(types[i], buf, len, &d), 0);
			T_EQ_INT(d.type, m.type);
			T_ASSERT(d.txid == m.txid);
			T_ASSERT(d.ts == m.ts);
			T_EQ_INT(d.flags, m.flags);
			T_EQ_INT(d.pad, m.pad);
			T_EQ_INT(d.ncontacts, m.ncontacts);
			T_EQ_INT(d.nserved, m.nserved);
			T_EQ_INT(d.payload_len, m.payload_len);
			T_EQ_INT(d.status, m.status);
			T_EQ_INT(d.lifetime, m.lifetime);
			if (!dhtmsg_is_request(types[i]))
				T_ASSERT(dht_addr_eq(&d.observed, &m.observed));
			if (m.ncontacts > 0) {
				T_EQ_MEM(d.contacts[19].key,
				    m.contacts[19].key, DHT_KEY_LEN);
				T_ASSERT(dht_addr_eq(&d.contacts[19].addr,
				    &m.contacts[19].addr));
			}
			/* and encoding the decoded message gives the bytes */
			len2 = dhtmsg_encode(&d, buf2, sizeof(buf2));
			T_EQ_INT(len2, len);
			T_EQ_MEM(buf, buf2, len);
		}
	}
}

T_TEST(largest_message_fits)
{
	uint8_t		buf[DHTMSG_MAX_BODY];
	struct dhtmsg	m;

	/* twenty IPv6 contacts and a served record */
	sample(&m, DHTMSG_NODES, 1);
	addr6(&m.served.addr, 1, 1);
	T_ASSERT(dhtmsg_encode(&m, buf, sizeof(buf)) > 0);
	/* the biggest relay payload */
	sample(&m, DHTMSG_RELAYED, 1);
	m.payload_len = DHT_MAX_RELAY_PAYLOAD;
	T_ASSERT(dhtmsg_encode(&m, buf, sizeof(buf)) > 0);
	m.payload_len = DHT_MAX_RELAY_PAYLOAD + 1;
	T_EQ_INT(dhtmsg_encode(&m, buf, sizeof(buf)), 0);
}

T_TEST(encode_refuses_bad_fields)
{
	uint8_t		buf[DHTMSG_MAX_BODY];
	struct dhtmsg	m;

	sample(&m, DHTMSG_NODES, 0);
	m.ncontacts = DHT_K + 1;
	T_EQ_INT(dhtmsg_encode(&m, buf, sizeof(buf)), 0);
	sample(&m, DHTMSG_NODES, 0);
	m.contacts[3].addr.family = 5;
	T_EQ_INT(dhtmsg_encode(&m, buf, sizeof(buf)), 0);
	sample(&m, DHTMSG_NODES, 0);
	m.contacts[3].addr.port = 0;
	T_EQ_INT(dhtmsg_encode(&m, buf, sizeof(buf)), 0);
	sample(&m, DHTMSG_PONG, 0);
	m.flags |= DHTMSG_F_TOKEN;
	T_EQ_INT(dhtmsg_encode(&m, buf, sizeof(buf)), 0);
	sample(&m, DHTMSG_PING, 0);
	m.type = 0x1f;
	T_EQ_INT(dhtmsg_encode(&m, buf, sizeof(buf)), 0);
	sample(&m, DHTMSG_FIND, 0);
	T_EQ_INT(dhtmsg_encode(&m, buf, 20), 0);	/* does not fit */
	sample(&m, DHTMSG_PING, 0);
	m.pad = DHTMSG_MAX_BODY;
	T_EQ_INT(dhtmsg_encode(&m, buf, sizeof(buf)), 0);
}

T_TEST(every_truncation_rejected)
{
	uint8_t		buf[DHTMSG_MAX_BODY];
	struct dhtmsg	m, d;
	size_t		len, cut, i;

	for (i = 0; i < sizeof(types); i++) {
		sample(&m, types[i], 0);
		m.pad = 0;
		len = dhtmsg_encode(&m, buf, sizeof(buf));
		T_ASSERT(len > 0);
		for (cut = 0; cut < len; cut++) {
			/* a request cut inside its padding is still valid */
			if (dhtmsg_decode(types[i], buf, cut, &d) == 0)
				T_FAIL("%s cut at %zu/%zu accepted",
				    dhtmsg_type_name(types[i]), cut, len);
		}
	}
}

T_TEST(trailing_bytes)
{
	uint8_t		buf[DHTMSG_MAX_BODY];
	struct dhtmsg	m, d;
	size_t		len, i;

	for (i = 0; i < sizeof(types); i++) {
		sample(&m, types[i], 0);
		m.pad = 0;
		len = dhtmsg_encode(&m, buf, sizeof(buf));
		buf[len] = 0;
		/* a zero byte is padding on a request, junk on a response */
		T_EQ_INT(dhtmsg_decode(types[i], buf, len + 1, &d),
		    dhtmsg_is_request(types[i]) ? 0 : -1);
		buf[len] = 1;	/* non-zero padding is refused */
		T_EQ_INT(dhtmsg_decode(types[i], buf, len + 1, &d), -1);
	}
}

T_TEST(bad_fields_rejected)
{
	uint8_t		buf[DHTMSG_MAX_BODY];
	struct dhtmsg	m, d;
	size_t		len;

	/* unknown flag bits on a request (flags at offset 16) */
	sample(&m, DHTMSG_PING, 0);
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	buf[16] |= 0x80;
	T_EQ_INT(dhtmsg_decode(DHTMSG_PING, buf, len, &d), -1);

	/* a response claiming a token flag (flags at offset 8) */
	sample(&m, DHTMSG_PONG, 0);
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	buf[8] |= DHTMSG_F_TOKEN;
	T_EQ_INT(dhtmsg_decode(DHTMSG_PONG, buf, len, &d), -1);

	/* observed address: bad family, port zero */
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	buf[9] = 5;
	T_EQ_INT(dhtmsg_decode(DHTMSG_PONG, buf, len, &d), -1);
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	buf[14] = buf[15] = 0;
	T_EQ_INT(dhtmsg_decode(DHTMSG_PONG, buf, len, &d), -1);

	/* too many contacts (count at offset 8 + 1 + 7 + 8 = 24) */
	sample(&m, DHTMSG_NODES, 0);
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(buf[24], DHT_K);
	buf[24] = DHT_K + 1;
	T_EQ_INT(dhtmsg_decode(DHTMSG_NODES, buf, len, &d), -1);

	/* two served records */
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	buf[25 + DHT_K * (32 + 7)] = 2;
	T_EQ_INT(dhtmsg_decode(DHTMSG_NODES, buf, len, &d), -1);

	/* a status out of range */
	sample(&m, DHTMSG_RELAY_ACK, 0);
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	buf[len - 1] = DHTMSG_ST_MAX + 1;
	T_EQ_INT(dhtmsg_decode(DHTMSG_RELAY_ACK, buf, len, &d), -1);

	/* a payload length past the end, or over the limit */
	sample(&m, DHTMSG_RELAY, 0);
	m.payload_len = 2;
	len = dhtmsg_encode(&m, buf, sizeof(buf));
	buf[len - 3] = 0;
	buf[len - 4] = 3;		/* length field, high byte */
	T_EQ_INT(dhtmsg_decode(DHTMSG_RELAY, buf, len, &d), -1);

	/* a body longer than any packet can carry */
	T_EQ_INT(dhtmsg_decode(DHTMSG_PING, buf, DHTMSG_MAX_BODY + 1, &d), -1);
	/* and a type this version does not know */
	T_EQ_INT(dhtmsg_decode(0x1e, buf, 20, &d), -1);
}

T_TEST(header)
{
	uint8_t			pkt[DHT_MAX_PACKET + 1];
	struct dhtmsg_hdr	h;
	enum dht_drop		why;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = DHTMSG_FIND;
	T_EQ_INT(dhtmsg_header(pkt, DHTMSG_MIN_PACKET - 1, &h, &why), -1);
	T_EQ_INT(why, DHT_DROP_SHORT);
	T_EQ_INT(dhtmsg_header(pkt, DHT_MAX_PACKET + 1, &h, &why), -1);
	T_EQ_INT(why, DHT_DROP_LONG);
	pkt[0] = 0x1f;
	T_EQ_INT(dhtmsg_header(pkt, 100, &h, &why), -1);
	T_EQ_INT(why, DHT_DROP_TYPE);
	pkt[0] = DHTMSG_NODES;
	T_EQ_INT(dhtmsg_header(pkt, 100, &h, &why), 0);
	T_EQ_INT(h.type, DHTMSG_NODES);
	T_ASSERT(h.key == pkt + 1);
	T_ASSERT(h.nonce == pkt + 33);
	T_ASSERT(h.sealed == pkt + 57);
	T_EQ_INT(h.sealed_len, 100 - 57);
}

T_TEST(demux_range)
{
	uint8_t	b;
	int	v;

	for (v = 0; v < 256; v++) {
		b = (uint8_t)v;
		T_EQ_INT(dht_is_dht_packet(&b, 1), v >= 0x10 && v <= 0x1f);
	}
	T_EQ_INT(dht_is_dht_packet(&b, 0), 0);
}

T_TEST(addr_helpers)
{
	struct dht_addr	a, b;
	char		s[DHT_ADDR_STRLEN];

	T_EQ_INT(dht_addr_set_v4(&a, 0xc0000201, 6374), 0);
	T_EQ_STR(dht_addr_format(s, &a), "192.0.2.1:6374");
	addr6(&b, 1, 80);
	T_EQ_STR(dht_addr_format(s, &b), "[2001:db8::1]:80");
	T_ASSERT(!dht_addr_eq(&a, &b));
	b = a;
	T_ASSERT(dht_addr_eq(&a, &b));
	b.port++;
	T_ASSERT(!dht_addr_eq(&a, &b));
}

int
main(void)
{
	T_RUN(round_trip_every_type);
	T_RUN(largest_message_fits);
	T_RUN(encode_refuses_bad_fields);
	T_RUN(every_truncation_rejected);
	T_RUN(trailing_bytes);
	T_RUN(bad_fields_rejected);
	T_RUN(header);
	T_RUN(demux_range);
	T_RUN(addr_helpers);
	return t_done();
}
