/* Fuzz targets for the DHT: the pure decoder (fuzz-dhtmsg), and a live
 * instance fed authenticated packets (fuzz-dhtsession, which is this file
 * compiled with FUZZ_DHT_SESSION). They were one target whose input byte 0
 * chose the mode; the decoder alone runs some 50 times faster, so it gets
 * its ten million executions, and the session target its own campaign.
 * Byte 0 keeps its meaning in both (the session target ignores its low bit,
 * the decoder all of it), so the old corpus works for both.
 *
 *   decode	byte 1 is a message type, the rest a body. A body that
 *		decodes must re-encode to exactly the same bytes (the format
 *		has one encoding), and the packet header parser must agree with
 *		dhtmsg_header's documented limits.
 *   session	a DHT instance that boots from a fixed peer; the rest
 *		is a series of records  type (1) | len (2, big-endian) | body.
 *		Each body is sealed with the peer's pair key and fed to
 *		dht_input, so it passes authentication and reaches the message
 *		handlers. A response whose txid is zero gets the txid of the
 *		instance's latest request to the peer (the harness decrypts what
 *		the instance sends), a request whose timestamp is zero gets the
 *		current time. A type with the top bit set feeds the bytes
 *		unsealed. Virtual time advances 50 ms per record and timers run
 *		in between.
 *
 * Speed: a session's fixed keys (the node's, the peer's and their pair
 * key) are derived once, and the instance's Diffie-Hellman goes through the
 * dh callback to a small memo of X25519 results (a pure function, so the
 * instance behaves exactly as with fresh computations; keys an input makes
 * up still get a real X25519 on a miss). Every input still gets a fresh
 * instance, so inputs stay independent; what remains per input is one
 * scalar multiplication in dht_create and the instance itself. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dht/dht.h"
#include "dht/dhtcrypto.h"
#include "dht/dhtmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct session {
	uint64_t	now;
	uint64_t	rng;
	uint8_t		peer_sk[32], peer_pk[32], pair[32];
	uint8_t		node_pk[32];
	uint64_t	last_txid;
	struct dht_addr	peer_addr;
};

#ifdef FUZZ_DHT_SESSION
/* X25519 results by (secret, public): the few pairs every input uses. */
#define MEMO_SLOTS	8
static struct memo {
	uint8_t	sk[32], pk[32], out[32];
	int	r, used;
} memo[MEMO_SLOTS];

static int
fuzz_dh(void *arg, uint8_t out[32], const uint8_t sk[32],
    const uint8_t pk[32])
{
	struct memo	*m;
	unsigned	 h;

	(void)arg;
	h = (pk[0] ^ pk[31] ^ sk[0]) % MEMO_SLOTS;
	m = &memo[h];
	if (!m->used || memcmp(m->sk, sk, 32) != 0 ||
	    memcmp(m->pk, pk, 32) != 0) {
		memcpy(m->sk, sk, 32);
		memcpy(m->pk, pk, 32);
		m->r = dhtcrypto_x25519(m->out, sk, pk);
		m->used = 1;
	}
	memcpy(out, m->out, 32);
	return m->r;
}

static void
fuzz_random(void *arg, void *buf, size_t len)
{
	struct session	*s = arg;
	uint8_t		*p = buf;
	size_t		 i;

	for (i = 0; i < len; i++) {
		s->rng = s->rng * 6364136223846793005ULL +
		    1442695040888963407ULL;
		p[i] = (uint8_t)(s->rng >> 56);
	}
}

static uint64_t
fuzz_wallclock(void *arg)
{
	struct session	*s = arg;

	return 1700000000000ULL + s->now;
}

/* Play the peer: open what the instance sends, remember request ids. */
static void
fuzz_send(void *arg, const struct dht_addr *to, const uint8_t *buf,
    size_t len)
{
	struct session		*s = arg;
	struct dhtmsg_hdr	 h;
	struct dhtmsg		 m;
	enum dht_drop		 why;
	uint8_t			 body[DHT_MAX_PACKET];
	long			 blen;

	if (dhtmsg_header(buf, len, &h, &why) != 0)
		abort();	/* the library sent a malformed packet */
	if (!dht_addr_eq(to, &s->peer_addr))
		return;		/* to a node we cannot decrypt for */
	blen = dhtcrypto_open(body, h.sealed, h.sealed_len, buf, 33, h.nonce,
	    s->pair);
	if (blen < 0)
		abort();
	if (dhtmsg_decode(h.type, body, (size_t)blen, &m) != 0)
		abort();
	if (dhtmsg_is_request(h.type))
		s->last_txid = m.txid;
}

static void
fuzz_event(void *arg, const struct dht_search_event *ev)
{
	(void)arg;
	if (ev->kind == DHT_EV_DONE && ev->found && ev->rounds > 255)
		abort();
}

static void
put64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

#else
static void
decode_mode(const uint8_t *data, size_t size)
{
	struct dhtmsg		m;
	struct dhtmsg_hdr	h;
	enum dht_drop		why;
	uint8_t			out[DHT_MAX_PACKET];
	size_t			len;

	if (dhtmsg_header(data, size, &h, &why) == 0) {
		if (size < DHTMSG_MIN_PACKET || size > DHT_MAX_PACKET ||
		    h.sealed_len + DHTMSG_HDR_LEN != size)
			abort();
	}
	if (size < 2)
		return;
	if (dhtmsg_decode(data[1], data + 2, size - 2, &m) != 0)
		return;
	len = dhtmsg_encode(&m, out, sizeof(out));
	if (len != size - 2 || memcmp(out, data + 2, len) != 0)
		abort();
}

#endif

#ifdef FUZZ_DHT_SESSION
static void
session_mode(const uint8_t *data, size_t size)
{
	static struct session	s0;
	static int		ready;
	struct session		s;
	struct dht_callbacks	cb;
	struct dht_config	cfg;
	struct dht_addr		peer, from;
	struct dht		*d;
	uint8_t			sk[32], shared[32], pkt[DHT_MAX_PACKET + 64];
	uint8_t			body[DHT_MAX_PACKET], target[32];
	const char		*why;
	size_t			off = 0, blen;
	uint8_t			type;

	memset(sk, 7, sizeof(sk));
	if (!ready) {
		memset(&s0, 0, sizeof(s0));
		memset(s0.peer_sk, 9, sizeof(s0.peer_sk));
		dhtcrypto_public(s0.peer_pk, s0.peer_sk);
		dhtcrypto_public(s0.node_pk, sk);
		if (dhtcrypto_x25519(shared, s0.peer_sk, s0.node_pk) != 0)
			abort();
		dhtcrypto_pair_key(s0.pair, shared, "public", 6, s0.peer_pk,
		    s0.node_pk);
		ready = 1;
	}
	s = s0;
	s.now = 1000;
	s.rng = 42;

	memset(&cb, 0, sizeof(cb));
	cb.arg = &s;
	cb.send = fuzz_send;
	cb.random = fuzz_random;
	cb.wallclock = fuzz_wallclock;
	cb.dh = fuzz_dh;
	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = sk;
	cfg.reachable = data[0] & 2 ? 0 : 1;
	cfg.max_pending = 16;
	cfg.key_cache = 8;
	cfg.replay_cache = 16;
	if ((d = dht_create(&cfg, &cb, s.now, &why)) == NULL)
		abort();
	dht_addr_set_v4(&peer, 0xc6336401, 6374);
	s.peer_addr = peer;
	dht_add_boot(d, s.peer_pk, &peer, s.now);
	dht_periodic(d, s.now);
	memset(target, 0x33, sizeof(target));
	if (data[0] & 4)
		dht_search(d, target, fuzz_event, NULL, s.now);
	if (data[0] & 8)
		dht_relay(d, s.peer_pk, &peer, target, data, size > 64 ? 64 :
		    size, s.now);
	if (data[0] & 16)
		dht_search(d, s.peer_pk, NULL, NULL, s.now);	/* refused */

	for (off = 1; off + 3 <= size; ) {
		type = data[off];
		blen = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (blen > size - off)
			blen = size - off;
		from = peer;
		if (type & 0x80) {
			/* raw bytes, unsealed; the low bit moves the source */
			if (type & 1)
				from.port++;
			if (blen <= sizeof(pkt))
				dht_input(d, data + off, blen, &from, s.now);
		} else if (blen <= DHTMSG_MAX_BODY) {
			memcpy(body, data + off, blen);
			if (dhtmsg_is_request(type) && blen >= 16 &&
			    all_zero(body + 8, 8))
				put64(body + 8, fuzz_wallclock(&s));
			if (!dhtmsg_is_request(type) && blen >= 8 &&
			    all_zero(body, 8))
				put64(body, s.last_txid);
			pkt[0] = type;
			memcpy(pkt + 1, s.peer_pk, 32);
			fuzz_random(&s, pkt + 33, 24);
			dhtcrypto_seal(pkt + DHTMSG_HDR_LEN, body, blen, pkt,
			    33, pkt + 33, s.pair);
			dht_input(d, pkt, DHTMSG_MIN_PACKET + blen, &from,
			    s.now);
		}
		off += blen;
		s.now += 50;
		if (dht_next_wakeup(d) <= s.now)
			dht_periodic(d, s.now);
	}
	/* let every timer run out */
	s.now += 120000;
	dht_periodic(d, s.now);
	s.now += 120000;
	dht_periodic(d, s.now);
	dht_destroy(d);
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || dhtcrypto_init() != 0)
		return 0;
#ifdef FUZZ_DHT_SESSION
	session_mode(data, size);
#else
	decode_mode(data, size);
#endif
	return 0;
}
