#include "config.h"

#include "netconf/keys.h"
#include "nat/natep.h"
#include "nat/natkey.h"
#include "nat/natmsg.h"
#include "t.h"

static void
fill(uint8_t *p, size_t n, uint8_t v)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v + i);
}

T_TEST(probe_and_ack_round_trip)
{
	struct natmsg	m, d;
	uint8_t		buf[NATMSG_MAX_LEN];
	size_t		n;

	memset(&m, 0, sizeof(m));
	m.type = NATMSG_PROBE;
	fill(m.key, sizeof(m.key), 1);
	fill(m.nonce, sizeof(m.nonce), 100);
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 32 + 8 + 20 + 16);
	T_ASSERT(natmsg_is_natmsg(buf, n));
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.type, NATMSG_PROBE);
	T_EQ_MEM(d.key, m.key, 32);
	T_EQ_MEM(d.nonce, m.nonce, 8);
	T_ASSERT(d.mac == buf + n - 16);
	T_EQ_INT(d.maclen_covered, n - 16);
	/* truncated or padded: refused */
	T_EQ_INT(natmsg_decode(buf, n - 1, &d), NATMSG_E_SHORT);
	T_EQ_INT(natmsg_decode(buf, n + 1, &d), NATMSG_E_LONG);
	/* not enough room: nothing written */
	T_EQ_INT(natmsg_encode(&m, buf, n - 1), 0);
	/* the padding is zeros, and never smaller than the ACK's size */
	buf[1 + 32 + 8 + 3] = 1;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_FLAGS);
	T_ASSERT(n >= 1 + 32 + 8 + 18 + 1 + 16);

	m.type = NATMSG_ACK;
	natep_v4(&m.observed, 0xcb00710a, 40000);
	n = natmsg_encode(&m, buf, sizeof(buf));
	m.flags = NATMSG_ACK_MAPPED;
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 32 + 8 + 18 + 1 + 16);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_ASSERT(natep_eq(&d.observed, &m.observed));
	T_EQ_INT(d.observed.sin6_family, AF_INET6);
	T_EQ_INT(d.flags, NATMSG_ACK_MAPPED);
	/* unknown flags */
	buf[1 + 32 + 8 + 18] = 0x02;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_FLAGS);
	buf[1 + 32 + 8 + 18] = NATMSG_ACK_MAPPED;
	m.flags = 0x80;
	T_EQ_INT(natmsg_encode(&m, buf, sizeof(buf)), 0);
	m.flags = NATMSG_ACK_MAPPED;
	n = natmsg_encode(&m, buf, sizeof(buf));
	/* port 0 is no endpoint */
	buf[1 + 32 + 8 + 16] = 0;
	buf[1 + 32 + 8 + 17] = 0;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_ADDR);
}

T_TEST(punch_round_trip_and_limits)
{
	struct natmsg	m, d;
	uint8_t		buf[NATMSG_MAX_LEN];
	size_t		n, i;

	memset(&m, 0, sizeof(m));
	m.type = NATMSG_PUNCH;
	m.flags = NATMSG_PUNCH_REPLY;
	m.neps = 3;
	for (i = 0; i < 3; i++)
		natep_v4(&m.eps[i], 0xc0000202 + (uint32_t)i,
		    (uint16_t)(6374 + i));
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 32 + 8 + 2 + 3 * 18 + 16);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.neps, 3);
	T_EQ_INT(d.flags, NATMSG_PUNCH_REPLY);
	for (i = 0; i < 3; i++)
		T_ASSERT(natep_eq(&d.eps[i], &m.eps[i]));
	/* count says more than is there */
	buf[1 + 32 + 8 + 1] = 4;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_SHORT);
	buf[1 + 32 + 8 + 1] = NATMSG_MAX_EPS + 1;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_COUNT);
	buf[1 + 32 + 8 + 1] = 3;
	buf[1 + 32 + 8] = 0x80;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_FLAGS);
	m.neps = NATMSG_MAX_EPS + 1;
	T_EQ_INT(natmsg_encode(&m, buf, sizeof(buf)), 0);
}

T_TEST(relay_and_beacon)
{
	struct natmsg	m, d;
	uint8_t		buf[NATMSG_MAX_LEN], payload[200];
	size_t		n;

	fill(payload, sizeof(payload), 7);
	memset(&m, 0, sizeof(m));
	m.type = NATMSG_BIND;
	fill(m.key, 32, 1);
	fill(m.key2, 32, 50);
	fill(m.nonce, 8, 90);
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 64 + 8 + 16);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_MEM(d.key, m.key, 32);
	T_EQ_MEM(d.key2, m.key2, 32);
	T_EQ_MEM(d.nonce, m.nonce, 8);
	T_EQ_INT(d.maclen_covered, n - 16);
	T_EQ_INT(natmsg_decode(buf, n - 1, &d), NATMSG_E_SHORT);
	T_EQ_INT(natmsg_decode(buf, n + 1, &d), NATMSG_E_LONG);
	T_ASSERT(!d.has_cookie);

	/* the same BIND with the relay's cookie: 16 bytes more, covered */
	m.has_cookie = 1;
	fill(m.cookie, 16, 120);
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 64 + 8 + 16 + 16);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_ASSERT(d.has_cookie);
	T_EQ_MEM(d.cookie, m.cookie, 16);
	T_EQ_MEM(d.nonce, m.nonce, 8);
	T_EQ_INT(d.maclen_covered, n - 16);
	T_EQ_INT(natmsg_decode(buf, n - 1, &d), NATMSG_E_LONG);
	T_EQ_INT(natmsg_decode(buf, n + 1, &d), NATMSG_E_LONG);

	/* the relay's challenge: smaller than the BIND it answers */
	memset(&m, 0, sizeof(m));
	m.type = NATMSG_COOKIE;
	fill(m.key, 32, 3);
	fill(m.nonce, 8, 90);
	fill(m.cookie, 16, 120);
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 32 + 8 + 16 + 16);
	T_ASSERT(n < 1 + 64 + 8 + 16);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.type, NATMSG_COOKIE);
	T_EQ_MEM(d.key, m.key, 32);
	T_EQ_MEM(d.nonce, m.nonce, 8);
	T_EQ_MEM(d.cookie, m.cookie, 16);
	T_EQ_INT(d.maclen_covered, n - 16);
	T_EQ_INT(natmsg_decode(buf, n - 1, &d), NATMSG_E_SHORT);
	T_EQ_INT(natmsg_decode(buf, n + 1, &d), NATMSG_E_LONG);

	memset(&m, 0, sizeof(m));
	fill(m.key, 32, 1);
	fill(m.key2, 32, 50);
	fill(m.nonce, 8, 90);
	m.type = NATMSG_BOUND;
	m.status = NATMSG_BOUND_UNKNOWN;
	natep_v4(&m.observed, 0xcb00710b, 1234);
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 64 + 8 + 1 + 18 + 16);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.status, NATMSG_BOUND_UNKNOWN);
	T_ASSERT(natep_eq(&d.observed, &m.observed));
	buf[1 + 64 + 8] = 3;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_FLAGS);
	m.status = 3;
	T_EQ_INT(natmsg_encode(&m, buf, sizeof(buf)), 0);

	memset(&m, 0, sizeof(m));
	m.type = NATMSG_TORELAY;
	fill(m.id, 8, 33);
	m.payload = payload;
	m.payload_len = sizeof(payload);
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, NATMSG_RELAY_HDR + 200);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.type, NATMSG_TORELAY);
	T_EQ_INT(d.payload_len, 200);
	T_EQ_MEM(d.payload, payload, 200);
	T_EQ_MEM(d.id, m.id, 8);
	T_ASSERT(d.mac == NULL);
	buf[0] = NATMSG_FROMRELAY;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.type, NATMSG_FROMRELAY);
	/* no payload: nothing to relay */
	T_EQ_INT(natmsg_decode(buf, NATMSG_RELAY_HDR, &d), NATMSG_E_SHORT);
	T_EQ_INT(natmsg_decode(buf, NATMSG_RELAY_HDR - 1, &d),
	    NATMSG_E_SHORT);
	m.payload_len = NATMSG_MAX_PAYLOAD + 1;
	T_EQ_INT(natmsg_encode(&m, buf, sizeof(buf)), 0);
	m.payload_len = 0;
	T_EQ_INT(natmsg_encode(&m, buf, sizeof(buf)), 0);

	memset(&m, 0, sizeof(m));
	m.type = NATMSG_BEACON;
	fill(m.netid, 8, 9);
	m.port = 6374;
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 32 + 8 + 2);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.port, 6374);
	T_EQ_MEM(d.netid, m.netid, 8);
	T_ASSERT(d.mac == NULL);

	T_EQ_INT(natmsg_decode((const uint8_t *)"\x2f", 1, &d), NATMSG_E_TYPE);
	T_EQ_INT(natmsg_decode((const uint8_t *)"\x04", 1, &d), NATMSG_E_TYPE);
	T_EQ_INT(natmsg_is_natmsg(buf, 0), 0);
	T_EQ_STR(natmsg_strerror(NATMSG_E_SHORT), "truncated message");
}

T_TEST(pair_key_and_mac)
{
	uint8_t		ska[32], pka[32], skb[32], pkb[32], skc[32], pkc[32];
	uint8_t		kab[32], kba[32], kac[32], zero[32];
	uint8_t		buf[NATMSG_MAX_LEN], id1[8], id2[8];
	struct natmsg	m, d;
	size_t		n;

	T_EQ_INT(keys_init(), 0);
	key_generate(ska);
	key_public(pka, ska);
	key_generate(skb);
	key_public(pkb, skb);
	key_generate(skc);
	key_public(pkc, skc);
	T_EQ_INT(natkey_pair(kab, ska, pka, pkb), 0);
	T_EQ_INT(natkey_pair(kba, skb, pkb, pka), 0);
	T_EQ_INT(natkey_pair(kac, ska, pka, pkc), 0);
	T_EQ_MEM(kab, kba, 32);
	T_ASSERT(memcmp(kab, kac, 32) != 0);
	/* a low-order public key gives an all-zero DH: refused */
	memset(zero, 0, sizeof(zero));
	T_EQ_INT(natkey_pair(kac, ska, pka, zero), -1);

	memset(&m, 0, sizeof(m));
	m.type = NATMSG_ACK;
	memcpy(m.key, pka, 32);
	natep_v4(&m.observed, 0xcb00710a, 40000);
	n = natmsg_encode(&m, buf, sizeof(buf));
	natkey_seal(buf, n, kab);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(natkey_verify(buf, d.maclen_covered, d.mac, kba), 0);
	T_EQ_INT(natkey_verify(buf, d.maclen_covered, d.mac, kac), -1);
	/* an attacker bending the observed endpoint breaks the MAC */
	buf[1 + 32 + 8 + 15] ^= 1;
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(natkey_verify(buf, d.maclen_covered, d.mac, kba), -1);

	natkey_netid(id1, "public", "office");
	natkey_netid(id2, "public", "office2");
	T_ASSERT(memcmp(id1, id2, 8) != 0);
	natkey_netid(id2, "publico", "ffice");
	T_ASSERT(memcmp(id1, id2, 8) != 0);
	natkey_wipe(kab);
	T_EQ_MEM(kab, zero, 32);
}

T_TEST(predict_round_trip)
{
	struct natmsg	m, d;
	uint8_t		buf[256];
	size_t		n;

	memset(&m, 0, sizeof(m));
	m.type = NATMSG_PREDICT;
	fill(m.key, 32, 1);
	fill(m.nonce, 8, 90);
	m.kind = NATMSG_KIND_EDM;
	m.pattern = NATMSG_PAT_SEQUENTIAL;
	m.delta = 2;
	natep_v4(&m.observed, 0xcb00710a, 20007);
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(n, 1 + 32 + 8 + 4 + 18 + 16);
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_OK);
	T_EQ_INT(d.type, NATMSG_PREDICT);
	T_EQ_INT(d.kind, NATMSG_KIND_EDM);
	T_EQ_INT(d.pattern, NATMSG_PAT_SEQUENTIAL);
	T_EQ_INT(d.delta, 2);
	T_ASSERT(natep_eq(&d.observed, &m.observed));
	T_EQ_INT(d.maclen_covered, n - 16);
	T_EQ_INT(natmsg_decode(buf, n - 1, &d), NATMSG_E_SHORT);
	T_EQ_INT(natmsg_decode(buf, n + 1, &d), NATMSG_E_LONG);
	buf[1 + 32 + 8 + 1] = 3;	/* an unknown pattern */
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_FLAGS);
	m.pattern = 9;
	T_EQ_INT(natmsg_encode(&m, buf, sizeof(buf)), 0);
	m.pattern = NATMSG_PAT_RANDOM;
	m.observed.sin6_port = 0;
	n = natmsg_encode(&m, buf, sizeof(buf));
	T_EQ_INT(natmsg_decode(buf, n, &d), NATMSG_E_ADDR);
}

int
main(void)
{
	T_RUN(probe_and_ack_round_trip);
	T_RUN(punch_round_trip_and_limits);
	T_RUN(relay_and_beacon);
	T_RUN(pair_key_and_mac);
	T_RUN(predict_round_trip);
	return t_done();
}
