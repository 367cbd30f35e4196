/* The Noise IK handshake (noise.c) on its own: both roles in memory, an
 * initiation from an independent implementation (noise-vector.py), every
 * byte of every handshake message tampered with, replayed and older
 * timestamps, the initiation flood limit, wrong keys, cipher choice. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "netconf/keys.h"
#include "tunnel/noise.h"
#include "t.h"
#include "tunnel/wire.h"

/* Built by tests/unit/noise-vector.py: initiator private key 01..20,
 * responder private key 65..84, sender index 0x11223344, TAI64N of Unix
 * time 1700000000.123456789, cipher offer 0x03, valid mac1, zero mac2. */
static const uint8_t vector_init[WIRE_INITIATION_LEN] = {
	0x01, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11, 0x4c, 0x29, 0xf4, 0x99,
	0x69, 0x85, 0xe8, 0x0d, 0x24, 0x7e, 0x80, 0xb7, 0x03, 0x03, 0x82, 0x45,
	0x92, 0xff, 0x9f, 0xba, 0xd7, 0x49, 0x04, 0xea, 0x7c, 0x3d, 0x2b, 0xda,
	0x24, 0xe5, 0x1c, 0x12, 0xb0, 0xf2, 0xa9, 0xe2, 0xd7, 0xbe, 0x52, 0x16,
	0x89, 0x09, 0x00, 0x3c, 0x13, 0xa5, 0xb2, 0xa4, 0x6d, 0x1e, 0xee, 0x32,
	0xed, 0xba, 0x4b, 0xf0, 0x53, 0xc1, 0xc1, 0x8b, 0xbe, 0x0d, 0xa8, 0x6b,
	0xe6, 0xe9, 0xec, 0x88, 0x4d, 0xb3, 0x3b, 0xfb, 0x7b, 0xd7, 0xe8, 0xf1,
	0xa6, 0x1c, 0x93, 0x30, 0x57, 0x9f, 0x8f, 0x64, 0xd3, 0xda, 0xa8, 0x5b,
	0xfb, 0x34, 0x1d, 0xd7, 0xad, 0x6c, 0xd5, 0x93, 0x29, 0xe3, 0x58, 0x8d,
	0xfe, 0xa8, 0x31, 0x36, 0xb9, 0x1d, 0x81, 0x70, 0xe0, 0xa9, 0x94, 0x91,
	0xc2, 0xf0, 0xad, 0x7a, 0x89, 0x85, 0x53, 0xd2, 0xba, 0x81, 0x3d, 0x93,
	0x90, 0x11, 0xbc, 0xe7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

struct pair {
	struct noise_local	a, b;		/* a initiates to b */
	struct noise_remote	a_b;		/* a's view of b */
	struct noise_remote	b_a;		/* b's view of a */
};

static struct noise_remote *
lookup_one(void *arg, const uint8_t pub[NOISE_PUBLIC_LEN])
{
	struct noise_remote *r = arg;

	return memcmp(r->pub, pub, NOISE_PUBLIC_LEN) == 0 ? r : NULL;
}

static struct noise_remote *
lookup_none(void *arg, const uint8_t pub[NOISE_PUBLIC_LEN])
{
	return NULL;
}

static void
pair_init(struct pair *p)
{
	uint8_t	sk[KEY_LEN];

	key_generate(sk);
	T_ASSERT(noise_local_init(&p->a, sk) == 0);
	key_generate(sk);
	T_ASSERT(noise_local_init(&p->b, sk) == 0);
	T_ASSERT(noise_remote_init(&p->a_b, &p->a, p->b.pub) == 0);
	T_ASSERT(noise_remote_init(&p->b_a, &p->b, p->a.pub) == 0);
	key_wipe(sk, sizeof(sk));
}

#define T0	1700000000000000000ULL	/* a Unix time in ns */

/* A full handshake; returns 1 if both sides agree on the keys. */
static int
handshake(struct pair *p, uint64_t unix_ns, uint64_t now, uint8_t offer,
    uint8_t cipher, struct noise_keypair *ka, struct noise_keypair *kb)
{
	struct wire_initiation	 in;
	struct wire_response	 re;
	struct noise_remote	*r;

	if (noise_create_initiation(&p->a, &p->a_b, &in, 7, unix_ns,
	    offer) != NOISE_OK)
		return 0;
	if (noise_consume_initiation(&p->b, &in, lookup_one, &p->b_a, now,
	    &r) != NOISE_OK || r != &p->b_a)
		return 0;
	if (noise_create_response(r, &re, 9, cipher, kb) != NOISE_OK)
		return 0;
	if (noise_consume_response(&p->a, &p->a_b, &re, ka) != NOISE_OK)
		return 0;
	return memcmp(ka->send_key, kb->recv_key, NOISE_SYMKEY_LEN) == 0 &&
	    memcmp(ka->recv_key, kb->send_key, NOISE_SYMKEY_LEN) == 0 &&
	    memcmp(ka->send_key, ka->recv_key, NOISE_SYMKEY_LEN) != 0 &&
	    ka->local_index == 7 && ka->remote_index == 9 &&
	    kb->local_index == 9 && kb->remote_index == 7 &&
	    ka->initiator && !kb->initiator && ka->cipher == kb->cipher;
}

T_TEST(roundtrip)
{
	struct pair		p;
	struct noise_keypair	ka, kb, ka2, kb2;

	pair_init(&p);
	T_ASSERT(handshake(&p, T0, 1000, WIRE_CIPHER_CHACHA20POLY1305,
	    WIRE_CIPHER_CHACHA20POLY1305, &ka, &kb));
	T_EQ_INT(ka.cipher, WIRE_CIPHER_CHACHA20POLY1305);
	T_EQ_INT(p.a_b.hs.state, NOISE_STATE_ZEROED);
	T_EQ_INT(p.b_a.hs.state, NOISE_STATE_ZEROED);
	/* a second handshake gives different keys */
	T_ASSERT(handshake(&p, T0 + 1, 2000, WIRE_CIPHER_ALL,
	    WIRE_CIPHER_AES256GCM, &ka2, &kb2));
	T_EQ_INT(ka2.cipher, WIRE_CIPHER_AES256GCM);
	T_ASSERT(memcmp(ka.send_key, ka2.send_key, NOISE_SYMKEY_LEN) != 0);
}

T_TEST(independent_vector)
{
	static const uint8_t	 ts[WIRE_TIMESTAMP_LEN] = {
		0x40, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00,
		0x07, 0x5b, 0xcd, 0x15 };
	struct noise_local	 b;
	struct noise_remote	 b_a, *r;
	struct wire_initiation	 in;
	uint8_t			 sk_a[32], sk_b[32], pk_a[32];
	int			 i;

	for (i = 0; i < 32; i++) {
		sk_a[i] = (uint8_t)(1 + i);
		sk_b[i] = (uint8_t)(101 + i);
	}
	key_public(pk_a, sk_a);
	T_ASSERT(noise_local_init(&b, sk_b) == 0);
	T_ASSERT(noise_remote_init(&b_a, &b, pk_a) == 0);
	memcpy(&in, vector_init, sizeof(in));
	T_EQ_INT(noise_consume_initiation(&b, &in, lookup_one, &b_a, 0, &r),
	    NOISE_OK);
	T_ASSERT(r == &b_a);
	T_EQ_MEM(b_a.last_timestamp, ts, sizeof(ts));
	T_EQ_INT(b_a.hs.remote_index, 0x11223344);
	T_EQ_INT(b_a.hs.offer, 0x03);
}

T_TEST(tai64n)
{
	static const uint8_t	epoch[WIRE_TIMESTAMP_LEN] = { 0x40 };
	uint8_t			x[WIRE_TIMESTAMP_LEN], y[WIRE_TIMESTAMP_LEN];

	noise_tai64n(x, 0);
	T_EQ_MEM(x, epoch, sizeof(x));
	noise_tai64n(x, T0 + 999999999);
	noise_tai64n(y, T0 + 1000000000);
	T_ASSERT(memcmp(x, y, sizeof(x)) < 0);
	noise_tai64n(x, T0 + 5);
	noise_tai64n(y, T0 + 6);
	T_ASSERT(memcmp(x, y, sizeof(x)) < 0);
}

/* Flip each byte of the authenticated part of each message: the handshake
 * must fail. (Type, reserved, indices and MACs are not Noise's job: the
 * type and reserved bytes are checked by wire_decode, mac1 covers the
 * rest, see test-tunnel.) */
T_TEST(tamper_initiation)
{
	struct pair		 p;
	struct wire_initiation	 in, bad;
	struct noise_remote	*r;
	size_t			 i, from, to;
	uint8_t			*q;

	pair_init(&p);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &in, 1, T0, 0),
	    NOISE_OK);
	from = offsetof(struct wire_initiation, ephemeral);
	to = offsetof(struct wire_initiation, mac1);
	for (i = from; i < to; i++) {
		bad = in;
		q = (uint8_t *)&bad;
		q[i] ^= 0x01;
		if (noise_consume_initiation(&p.b, &bad, lookup_one, &p.b_a,
		    0, &r) == NOISE_OK)
			T_FAIL("initiation byte %zu flipped still accepted", i);
	}
	T_EQ_INT(p.b_a.hs.state, NOISE_STATE_ZEROED);
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one, &p.b_a, 0,
	    &r), NOISE_OK);
}

T_TEST(tamper_response)
{
	struct pair		 p;
	struct wire_initiation	 in;
	struct wire_response	 re, bad;
	struct noise_remote	*r, saved;
	struct noise_keypair	 ka, kb;
	size_t			 i, from, to;
	uint8_t			*q;

	pair_init(&p);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &in, 1, T0, 0),
	    NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one, &p.b_a, 0,
	    &r), NOISE_OK);
	T_EQ_INT(noise_create_response(r, &re, 2, WIRE_CIPHER_CHACHA20POLY1305,
	    &kb), NOISE_OK);
	saved = p.a_b;
	from = offsetof(struct wire_response, receiver);
	to = offsetof(struct wire_response, mac1);
	for (i = from; i < to; i++) {
		bad = re;
		q = (uint8_t *)&bad;
		q[i] ^= 0x80;
		if (noise_consume_response(&p.a, &p.a_b, &bad, &ka) ==
		    NOISE_OK)
			T_FAIL("response byte %zu flipped still accepted", i);
		/* a failed response leaves the initiation waiting */
		T_EQ_INT(p.a_b.hs.state, NOISE_STATE_CREATED_INITIATION);
	}
	T_EQ_MEM(saved.hs.hash, p.a_b.hs.hash, NOISE_HASH_LEN);
	T_EQ_MEM(saved.hs.ck, p.a_b.hs.ck, NOISE_HASH_LEN);
	T_EQ_MEM(saved.hs.e_priv, p.a_b.hs.e_priv, NOISE_SECRET_LEN);
	T_EQ_INT(noise_consume_response(&p.a, &p.a_b, &re, &ka), NOISE_OK);
	/* and not twice */
	T_EQ_INT(noise_consume_response(&p.a, &p.a_b, &re, &ka),
	    NOISE_ERR_STATE);
}

T_TEST(replayed_initiation)
{
	struct pair		 p;
	struct wire_initiation	 in;
	struct noise_remote	*r;

	pair_init(&p);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &in, 1, T0, 0),
	    NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one, &p.b_a,
	    1000, &r), NOISE_OK);
	/* the very same message again, much later */
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one, &p.b_a,
	    90000, &r), NOISE_ERR_REPLAY);
	T_ASSERT(r == NULL);
}

T_TEST(older_timestamp)
{
	struct pair		 p;
	struct noise_remote	 a_b_restarted, *r;
	struct wire_initiation	 newer, older;

	pair_init(&p);
	/* a restarted initiator (no memory of what it sent) whose clock
	 * went back a second */
	a_b_restarted = p.a_b;
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &newer, 1, T0, 0),
	    NOISE_OK);
	T_EQ_INT(noise_create_initiation(&p.a, &a_b_restarted, &older, 2,
	    T0 - 1000000000ULL, 0), NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &newer, lookup_one, &p.b_a,
	    1000, &r), NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &older, lookup_one, &p.b_a,
	    5000, &r), NOISE_ERR_REPLAY);
	/* an equal timestamp is no better */
	a_b_restarted = p.a_b;
	memset(a_b_restarted.sent_timestamp, 0, WIRE_TIMESTAMP_LEN);
	T_EQ_INT(noise_create_initiation(&p.a, &a_b_restarted, &older, 3, T0,
	    0), NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &older, lookup_one, &p.b_a,
	    9000, &r), NOISE_ERR_REPLAY);
}

T_TEST(clock_step_back_on_initiator)
{
	struct pair		 p;
	struct wire_initiation	 first, second;
	struct noise_remote	*r;

	pair_init(&p);
	/* The same running initiator whose wall clock steps back still
	 * sends increasing timestamps. */
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &first, 1, T0, 0),
	    NOISE_OK);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &second, 2,
	    T0 - 3600000000000ULL, 0), NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &first, lookup_one, &p.b_a,
	    1000, &r), NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &second, lookup_one, &p.b_a,
	    2000, &r), NOISE_OK);
}

T_TEST(flood)
{
	struct pair		 p;
	struct wire_initiation	 m1, m2, m3;
	struct noise_remote	*r;

	pair_init(&p);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &m1, 1, T0, 0),
	    NOISE_OK);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &m2, 2, T0 + 1, 0),
	    NOISE_OK);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &m3, 3, T0 + 2, 0),
	    NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &m1, lookup_one, &p.b_a,
	    1000, &r), NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &m2, lookup_one, &p.b_a,
	    1000 + NOISE_INITIATION_MIN_MS - 1, &r), NOISE_ERR_FLOOD);
	T_EQ_INT(noise_consume_initiation(&p.b, &m3, lookup_one, &p.b_a,
	    1000 + NOISE_INITIATION_MIN_MS, &r), NOISE_OK);
}

T_TEST(wrong_keys)
{
	struct pair		 p, q;
	struct wire_initiation	 in;
	struct noise_remote	*r;

	pair_init(&p);
	pair_init(&q);
	/* built for b, consumed by someone else */
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &in, 1, T0, 0),
	    NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&q.b, &in, lookup_one, &q.b_a, 0,
	    &r), NOISE_ERR_DECRYPT);
	/* right responder, but the initiator is not its peer */
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_none, NULL, 0,
	    &r), NOISE_ERR_UNKNOWN_PEER);
	/* right responder, peer entry holding another key: the static key
	 * does not match the cached ss, so the payload fails */
	{
		struct noise_remote	imposter = q.b_a;

		memcpy(imposter.pub, p.a.pub, NOISE_PUBLIC_LEN);
		T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one,
		    &imposter, 0, &r), NOISE_ERR_DECRYPT);
	}
}

T_TEST(low_order)
{
	struct pair		 p;
	struct noise_remote	 bad, *r;
	struct wire_initiation	 in;
	uint8_t			 zero[NOISE_PUBLIC_LEN] = { 0 };

	pair_init(&p);
	T_ASSERT(noise_remote_init(&bad, &p.a, zero) == -1);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &in, 1, T0, 0),
	    NOISE_OK);
	memset(in.ephemeral, 0, sizeof(in.ephemeral));
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one, &p.b_a, 0,
	    &r), NOISE_ERR_LOW_ORDER);
}

T_TEST(cipher_choice)
{
	struct pair		 p;
	struct wire_initiation	 in;
	struct wire_response	 re;
	struct noise_remote	*r;
	struct noise_keypair	 kb;

	pair_init(&p);
	/* offer ChaCha only: AES may not be picked, nor two at once */
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &in, 1, T0, 0),
	    NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one, &p.b_a, 0,
	    &r), NOISE_OK);
	T_EQ_INT(r->hs.offer, WIRE_CIPHER_CHACHA20POLY1305);
	T_EQ_INT(noise_create_response(r, &re, 2, WIRE_CIPHER_AES256GCM, &kb),
	    NOISE_ERR_PAYLOAD);
	T_EQ_INT(noise_create_initiation(&p.a, &p.a_b, &in, 1, T0 + 1,
	    WIRE_CIPHER_ALL), NOISE_OK);
	T_EQ_INT(noise_consume_initiation(&p.b, &in, lookup_one, &p.b_a,
	    1000, &r), NOISE_OK);
	T_EQ_INT(noise_create_response(r, &re, 2, WIRE_CIPHER_ALL, &kb),
	    NOISE_ERR_PAYLOAD);
	/* and nothing without a consumed initiation */
	T_EQ_INT(noise_create_response(&p.b_a, &re, 2,
	    WIRE_CIPHER_CHACHA20POLY1305, &kb), NOISE_ERR_STATE);
}

int
main(void)
{
	if (keys_init() != 0)
		return 99;
	T_RUN(roundtrip);
	T_RUN(independent_vector);
	T_RUN(tai64n);
	T_RUN(tamper_initiation);
	T_RUN(tamper_response);
	T_RUN(replayed_initiation);
	T_RUN(older_timestamp);
	T_RUN(clock_step_back_on_initiator);
	T_RUN(flood);
	T_RUN(wrong_keys);
	T_RUN(low_order);
	T_RUN(cipher_choice);
	return t_done();
}
