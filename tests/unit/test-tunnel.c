/* Tunnel sessions (tunnel.c) driven the way the daemon's glue drives them,
 * with an in-memory network and a fake clock: handshakes, data both ways,
 * tampering, replays, cookies under load, rekeying without loss, expiry,
 * keepalives, retransmission and giving up, cipher negotiation. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf/keys.h"
#include "tunnel/replay.h"
#include "t.h"
#include "tunnel/tunnel.h"
#include "tunnel/wire.h"

#define QMAX	32768
#define PKTMAX	(TUNNEL_HEADROOM + 1500 + TUNNEL_TAILROOM)
#define WALL0	1700000000000000000ULL

struct pkt {
	int	to;
	size_t	len;
	uint8_t	buf[PKTMAX];
};

struct side {
	struct tunnel_local	*l;
	struct tunnel		*t;		/* the other side */
	uint8_t			 addr[6];	/* "source address" */
	int			 under_load;
	int			 drop_incoming;	/* simulate a dead link */
	/* packets waiting for a session */
	int			 npending;
	size_t			 pending_len[16];
	uint8_t			 pending[16][PKTMAX];
	/* counters */
	unsigned		 initiations, keepalives, giveups;
	unsigned		 data_sent, data_rcvd, keepalives_rcvd;
	unsigned		 errors[TUNNEL_ERR_COUNT];
	uint32_t		 last_seq;	/* payload of the last data */
};

struct net {
	struct side	 s[2];
	uint64_t	 now;
	struct pkt	*q;
	size_t		 qhead, qtail;
};

static void	do_actions(struct net *, int, unsigned);

static void
enqueue(struct net *n, int to, const uint8_t *buf, size_t len)
{
	struct pkt	*p;

	if (n->qtail - n->qhead >= QMAX) {
		T_FAIL("network queue full");
		return;
	}
	p = &n->q[n->qtail++ % QMAX];
	p->to = to;
	p->len = len;
	memcpy(p->buf, buf, len);
}

static int
net_init(struct net *n, const struct tunnel_config *ca,
    const struct tunnel_config *cb)
{
	uint8_t	sk[2][KEY_LEN];
	int	i;

	memset(n, 0, sizeof(*n));
	n->now = 1000000;
	if ((n->q = calloc(QMAX, sizeof(*n->q))) == NULL)
		return -1;
	for (i = 0; i < 2; i++) {
		key_generate(sk[i]);
		n->s[i].addr[0] = 192;
		n->s[i].addr[3] = (uint8_t)(10 + i);
	}
	n->s[0].l = tunnel_local_new(sk[0], ca, 4);
	n->s[1].l = tunnel_local_new(sk[1], cb, 4);
	if (n->s[0].l == NULL || n->s[1].l == NULL)
		return -1;
	n->s[0].t = tunnel_new(n->s[0].l, tunnel_local_pub(n->s[1].l),
	    &n->s[0]);
	n->s[1].t = tunnel_new(n->s[1].l, tunnel_local_pub(n->s[0].l),
	    &n->s[1]);
	key_wipe(sk, sizeof(sk));
	return n->s[0].t != NULL && n->s[1].t != NULL ? 0 : -1;
}

static void
net_free(struct net *n)
{
	tunnel_local_free(n->s[0].l);
	tunnel_local_free(n->s[1].l);
	free(n->q);
}

/* Deliver one datagram to side `to` as the glue would. */
static enum tunnel_err
receive(struct net *n, int to, uint8_t *buf, size_t len)
{
	struct side	*s = &n->s[to];
	struct tunnel_rx rx;
	enum tunnel_err	 e;

	e = tunnel_receive(s->l, buf, len, n->s[!to].addr,
	    sizeof(n->s[!to].addr), s->under_load, n->now, &rx);
	if (rx.reply_len > 0)
		enqueue(n, !to, rx.reply, rx.reply_len);
	s->errors[e]++;
	if (e != TUNNEL_OK)
		return e;
	if (rx.peer != NULL && rx.peer != s->t)
		T_FAIL("packet attributed to an unknown peer");
	if (rx.type == WIRE_DATA) {
		if (rx.data_len == 0)
			s->keepalives_rcvd++;
		else {
			s->data_rcvd++;
			memcpy(&s->last_seq, rx.data, sizeof(s->last_seq));
		}
	}
	if (rx.peer != NULL)
		do_actions(n, to, rx.actions);
	return e;
}

static void
deliver(struct net *n)
{
	struct pkt	*p;
	uint8_t		 buf[PKTMAX];
	size_t		 len;
	int		 to;

	while (n->qhead < n->qtail) {
		p = &n->q[n->qhead++ % QMAX];
		to = p->to;
		len = p->len;
		memcpy(buf, p->buf, len);
		if (!n->s[to].drop_incoming)
			receive(n, to, buf, len);
	}
}

/* Encrypt a data packet carrying seq from side i; queue it for a session
 * if there is none. Returns what tunnel_encrypt said. */
static enum tunnel_err
encrypt_seq(struct net *n, int i, uint32_t seq, size_t len, uint8_t *out,
    size_t *outlen, unsigned *act)
{
	uint8_t	*pt = out + TUNNEL_HEADROOM;

	memset(pt, 0xab, len);
	memcpy(pt, &seq, sizeof(seq));
	return tunnel_encrypt(n->s[i].t, out, PKTMAX, len, n->now, outlen,
	    act);
}

static void
send_data(struct net *n, int i, uint32_t seq)
{
	struct side	*s = &n->s[i];
	uint8_t		 buf[PKTMAX];
	size_t		 len;
	unsigned	 act = 0;
	enum tunnel_err	 e;

	e = encrypt_seq(n, i, seq, 100, buf, &len, &act);
	if (e == TUNNEL_OK) {
		s->data_sent++;
		enqueue(n, !i, buf, len);
	} else if (e == TUNNEL_ERR_NO_SESSION && s->npending < 16) {
		memset(s->pending[s->npending], 0xab, 100);
		memcpy(s->pending[s->npending] + TUNNEL_HEADROOM, &seq,
		    sizeof(seq));
		s->pending_len[s->npending++] = 100;
	} else
		T_FAIL("encrypt: %s", tunnel_strerror(e));
	do_actions(n, i, act);
}

static void
do_actions(struct net *n, int i, unsigned act)
{
	struct side	*s = &n->s[i];
	uint8_t		 buf[PKTMAX];
	size_t		 len;
	unsigned	 a2;
	int		 sent = 0, k;

	if (act & TUNNEL_ACT_GIVE_UP) {
		s->giveups++;
		s->npending = 0;
	}
	if (act & TUNNEL_ACT_SEND_INITIATION) {
		if (tunnel_initiation(s->t, n->now, WALL0 + n->now * 1000000,
		    buf) == TUNNEL_OK) {
			s->initiations++;
			enqueue(n, !i, buf, WIRE_INITIATION_LEN);
		} else
			T_FAIL("tunnel_initiation failed");
	}
	if (act & TUNNEL_ACT_SESSION_READY) {
		for (k = 0; k < s->npending; k++) {
			memcpy(buf, s->pending[k], PKTMAX);
			a2 = 0;
			if (tunnel_encrypt(s->t, buf, PKTMAX, s->pending_len[k],
			    n->now, &len, &a2) == TUNNEL_OK) {
				enqueue(n, !i, buf, len);
				s->data_sent++;
				sent = 1;
			} else
				T_FAIL("queued packet not sent");
		}
		s->npending = 0;
	}
	if ((act & TUNNEL_ACT_SEND_KEEPALIVE) && !sent) {
		if (tunnel_keepalive(s->t, buf, sizeof(buf), n->now, &len) ==
		    TUNNEL_OK) {
			s->keepalives++;
			enqueue(n, !i, buf, len);
		}
	}
}

/* Run both sides' timers up to time `until`, delivering as we go. */
static void
advance(struct net *n, uint64_t until)
{
	uint64_t	d0, d1, d, next;
	int		i;

	deliver(n);
	for (;;) {
		d0 = tunnel_next_deadline(n->s[0].t);
		d1 = tunnel_next_deadline(n->s[1].t);
		d = d0 < d1 ? d0 : d1;
		if (d > until)
			break;
		if (d > n->now)
			n->now = d;
		for (i = 0; i < 2; i++)
			if (tunnel_next_deadline(n->s[i].t) <= n->now)
				do_actions(n, i, tunnel_periodic(n->s[i].t,
				    n->now, &next));
		deliver(n);
	}
	if (until > n->now)
		n->now = until;
}

static void
connect(struct net *n)
{
	send_data(n, 0, 1);
	advance(n, n->now);
	T_EQ_INT(n->s[1].data_rcvd, 1);
	T_EQ_INT(n->s[1].last_seq, 1);
}

T_TEST(handshake_and_data)
{
	struct net		n;
	struct tunnel_stats	st;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	tunnel_get_stats(n.s[0].t, &st);
	T_EQ_INT(st.has_session, 0);
	/* the first packet waits for the handshake and is then sent */
	send_data(&n, 0, 41);
	T_EQ_INT(n.s[0].initiations, 1);
	T_EQ_INT(n.s[0].npending, 1);
	deliver(&n);
	T_EQ_INT(n.s[0].npending, 0);
	T_EQ_INT(n.s[1].data_rcvd, 1);
	T_EQ_INT(n.s[1].last_seq, 41);
	/* a queued packet confirmed the session: no keepalive needed */
	T_EQ_INT(n.s[0].keepalives, 0);
	/* now the responder can send too */
	send_data(&n, 1, 42);
	deliver(&n);
	T_EQ_INT(n.s[0].data_rcvd, 1);
	T_EQ_INT(n.s[0].last_seq, 42);
	T_EQ_INT(n.s[1].initiations, 0);
	send_data(&n, 0, 43);
	deliver(&n);
	T_EQ_INT(n.s[1].last_seq, 43);
	tunnel_get_stats(n.s[0].t, &st);
	T_EQ_INT(st.has_session, 1);
	T_EQ_INT(st.handshakes, 1);
	T_EQ_INT(st.tx_packets, 2);
	T_EQ_INT(st.rx_packets, 1);
	T_EQ_INT(st.rx_bytes, 112);	/* 100 padded to 112 */
	T_EQ_INT(st.tx_bytes, 224);	/* counted alike */
	tunnel_get_stats(n.s[1].t, &st);
	T_EQ_INT(st.handshakes, 1);
	T_EQ_INT(st.tx_bytes, 112);
	T_EQ_INT(st.rx_bytes, 224);
	/* initiation, response, three data packets */
	T_EQ_INT(n.s[0].errors[TUNNEL_OK] + n.s[1].errors[TUNNEL_OK], 5);
	net_free(&n);
}

T_TEST(keepalive_confirms_session)
{
	struct net	n;
	uint8_t		buf[PKTMAX];
	unsigned	act = 0;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	/* a handshake with no data queued (e.g. started by a timer) */
	do_actions(&n, 0, TUNNEL_ACT_SEND_INITIATION);
	deliver(&n);
	T_EQ_INT(n.s[0].keepalives, 1);
	T_EQ_INT(n.s[1].keepalives_rcvd, 1);
	/* the responder can send right away */
	{
		size_t len;

		T_EQ_INT(encrypt_seq(&n, 1, 5, 10, buf, &len, &act),
		    TUNNEL_OK);
	}
	net_free(&n);
}

/* Any byte of an initiation or response changed: refused (mac2 only
 * matters under load, see cookies). */
T_TEST(tamper_handshake)
{
	struct net		 n;
	struct tunnel_rx	 rx;
	uint8_t			 init[WIRE_INITIATION_LEN], bad[PKTMAX];
	uint8_t			 resp[WIRE_RESPONSE_LEN];
	size_t			 i;
	enum tunnel_err		 e;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	T_EQ_INT(tunnel_initiation(n.s[0].t, n.now, WALL0, init), TUNNEL_OK);
	for (i = 0; i < WIRE_INITIATION_LEN - WIRE_MAC_LEN; i++) {
		memcpy(bad, init, sizeof(init));
		bad[i] ^= 0x20;
		e = tunnel_receive(n.s[1].l, bad, sizeof(init), n.s[0].addr, 6,
		    0, n.now, &rx);
		if (e == TUNNEL_OK || rx.reply_len != 0 || rx.peer != NULL)
			T_FAIL("initiation byte %zu flipped: %s", i,
			    tunnel_strerror(e));
	}
	n.now += 100;
	T_EQ_INT(tunnel_receive(n.s[1].l, init, sizeof(init), n.s[0].addr, 6,
	    0, n.now, &rx), TUNNEL_OK);
	T_EQ_INT(rx.reply_len, WIRE_RESPONSE_LEN);
	T_ASSERT(rx.peer == n.s[1].t);
	T_ASSERT(rx.authentic);
	memcpy(resp, rx.reply, sizeof(resp));
	for (i = 0; i < WIRE_RESPONSE_LEN - WIRE_MAC_LEN; i++) {
		memcpy(bad, resp, sizeof(resp));
		bad[i] ^= 0x04;
		e = tunnel_receive(n.s[0].l, bad, sizeof(resp), n.s[1].addr, 6,
		    0, n.now, &rx);
		if (e == TUNNEL_OK || rx.peer != NULL)
			T_FAIL("response byte %zu flipped: %s", i,
			    tunnel_strerror(e));
	}
	T_EQ_INT(tunnel_receive(n.s[0].l, resp, sizeof(resp), n.s[1].addr, 6,
	    0, n.now, &rx), TUNNEL_OK);
	T_EQ_INT(rx.actions, TUNNEL_ACT_SESSION_READY | TUNNEL_ACT_SEND_KEEPALIVE);
	/* the same response again: its handshake is over */
	T_EQ_INT(tunnel_receive(n.s[0].l, resp, sizeof(resp), n.s[1].addr, 6,
	    0, n.now, &rx), TUNNEL_ERR_UNEXPECTED);
	T_ASSERT(tunnel_local_drops(n.s[0].l, TUNNEL_ERR_MAC1) > 0);
	net_free(&n);
}

T_TEST(replayed_initiation)
{
	struct net		 n;
	struct tunnel_rx	 rx;
	uint8_t			 init[WIRE_INITIATION_LEN], copy[sizeof(init)];
	uint8_t			 older[WIRE_INITIATION_LEN];

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	T_EQ_INT(tunnel_initiation(n.s[0].t, n.now, WALL0, init), TUNNEL_OK);
	memcpy(copy, init, sizeof(init));
	T_EQ_INT(tunnel_receive(n.s[1].l, init, sizeof(init), n.s[0].addr, 6,
	    0, n.now, &rx), TUNNEL_OK);
	n.now += 60000;
	T_EQ_INT(tunnel_receive(n.s[1].l, copy, sizeof(copy), n.s[0].addr, 6,
	    0, n.now, &rx), TUNNEL_ERR_REPLAYED_INITIATION);
	T_EQ_INT(rx.reply_len, 0);
	T_EQ_INT(tunnel_local_drops(n.s[1].l, TUNNEL_ERR_REPLAYED_INITIATION),
	    1);
	/* an initiator restarted with its clock behind: refused too */
	{
		struct tunnel_local	*l2;
		struct tunnel		*t2;
		uint8_t			 sk[KEY_LEN];

		/* same identity as side 0? we cannot read its key; use the
		 * original tunnel after tunnel_clear, whose sent timestamp
		 * memory is kept, so build the restarted one from scratch
		 * on a third key instead and check ordering there. */
		key_generate(sk);
		l2 = tunnel_local_new(sk, NULL, 2);
		t2 = tunnel_new(l2, tunnel_local_pub(n.s[1].l), NULL);
		T_ASSERT(tunnel_new(n.s[1].l, tunnel_local_pub(l2), NULL) !=
		    NULL);
		T_EQ_INT(tunnel_initiation(t2, n.now, WALL0 + 5000000000ULL,
		    init), TUNNEL_OK);
		tunnel_free(t2);
		t2 = tunnel_new(l2, tunnel_local_pub(n.s[1].l), NULL);
		T_EQ_INT(tunnel_initiation(t2, n.now, WALL0 + 4000000000ULL,
		    older), TUNNEL_OK);
		T_EQ_INT(tunnel_receive(n.s[1].l, init, sizeof(init),
		    n.s[0].addr, 6, 0, n.now, &rx), TUNNEL_OK);
		T_EQ_INT(tunnel_receive(n.s[1].l, older, sizeof(older),
		    n.s[0].addr, 6, 0, n.now + 1000, &rx),
		    TUNNEL_ERR_REPLAYED_INITIATION);
		tunnel_local_free(l2);
		key_wipe(sk, sizeof(sk));
	}
	net_free(&n);
}

T_TEST(cookie_under_load)
{
	struct net		n;
	struct tunnel_stats	st;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	n.s[1].under_load = 1;
	send_data(&n, 0, 7);
	deliver(&n);
	/* answered with a cookie reply, nothing else */
	T_EQ_INT(n.s[1].errors[TUNNEL_ERR_COOKIE_REQUIRED], 1);
	T_EQ_INT(n.s[0].errors[TUNNEL_OK], 1);	/* the cookie reply */
	T_EQ_INT(n.s[1].data_rcvd, 0);
	/* the retransmission carries mac2 and goes through */
	advance(&n, n.now + TUNNEL_REKEY_TIMEOUT_MS + TUNNEL_REKEY_JITTER_MS);
	T_EQ_INT(n.s[0].initiations, 2);
	T_EQ_INT(n.s[1].errors[TUNNEL_ERR_COOKIE_REQUIRED], 1);
	T_EQ_INT(n.s[1].data_rcvd, 1);
	T_EQ_INT(n.s[1].last_seq, 7);
	tunnel_get_stats(n.s[0].t, &st);
	T_EQ_INT(st.has_session, 1);
	net_free(&n);
}

T_TEST(wrong_responder_key)
{
	struct net	 n;
	struct tunnel_local *lc;
	struct tunnel	*a_c;
	struct tunnel_rx rx;
	uint8_t		 sk[KEY_LEN], init[WIRE_INITIATION_LEN];

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	/* side 0 believes the peer at side 1's address has key C */
	key_generate(sk);
	lc = tunnel_local_new(sk, NULL, 1);
	a_c = tunnel_new(n.s[0].l, tunnel_local_pub(lc), NULL);
	T_ASSERT(a_c != NULL);
	T_EQ_INT(tunnel_initiation(a_c, n.now, WALL0, init), TUNNEL_OK);
	T_EQ_INT(tunnel_receive(n.s[1].l, init, sizeof(init), n.s[0].addr, 6,
	    0, n.now, &rx), TUNNEL_ERR_MAC1);
	/* even under load: no cookie for messages not meant for us */
	T_EQ_INT(tunnel_receive(n.s[1].l, init, sizeof(init), n.s[0].addr, 6,
	    1, n.now, &rx), TUNNEL_ERR_MAC1);
	T_EQ_INT(rx.reply_len, 0);
	/* an unknown initiator that knows our key */
	{
		struct tunnel *c_b = tunnel_new(lc, tunnel_local_pub(n.s[1].l),
		    NULL);

		T_EQ_INT(tunnel_initiation(c_b, n.now, WALL0, init),
		    TUNNEL_OK);
		T_EQ_INT(tunnel_receive(n.s[1].l, init, sizeof(init),
		    n.s[0].addr, 6, 0, n.now, &rx), TUNNEL_ERR_UNKNOWN_PEER);
	}
	tunnel_local_free(lc);
	key_wipe(sk, sizeof(sk));
	net_free(&n);
}

T_TEST(transport_replay_and_reorder)
{
	struct net	n;
	static uint8_t	pk[40][PKTMAX];
	size_t		len[40], i;
	uint8_t		buf[PKTMAX];
	unsigned	act;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	for (i = 0; i < 40; i++) {
		act = 0;
		T_EQ_INT(encrypt_seq(&n, 0, (uint32_t)(100 + i), 60, pk[i],
		    &len[i], &act), TUNNEL_OK);
	}
	/* reversed order: all accepted once */
	for (i = 40; i-- > 0;) {
		memcpy(buf, pk[i], len[i]);
		T_EQ_INT(receive(&n, 1, buf, len[i]), TUNNEL_OK);
		T_EQ_INT(n.s[1].last_seq, 100 + i);
	}
	/* duplicates refused */
	for (i = 0; i < 40; i += 7) {
		memcpy(buf, pk[i], len[i]);
		T_EQ_INT(receive(&n, 1, buf, len[i]), TUNNEL_ERR_REPLAY);
	}
	/* a tampered packet fails and does not burn its counter */
	act = 0;
	T_EQ_INT(encrypt_seq(&n, 0, 999, 60, pk[0], &len[0], &act), TUNNEL_OK);
	for (i = WIRE_DATA_HEADER_LEN; i < len[0]; i += 5) {
		memcpy(buf, pk[0], len[0]);
		buf[i] ^= 1;
		T_EQ_INT(receive(&n, 1, buf, len[0]), TUNNEL_ERR_DECRYPT);
	}
	memcpy(buf, pk[0], len[0]);
	buf[15] ^= 1;	/* counter: another nonce (unused, far ahead) */
	T_EQ_INT(receive(&n, 1, buf, len[0]), TUNNEL_ERR_DECRYPT);
	memcpy(buf, pk[0], len[0]);
	buf[4] ^= 1;	/* receiver index */
	T_EQ_INT(receive(&n, 1, buf, len[0]), TUNNEL_ERR_UNKNOWN_INDEX);
	memcpy(buf, pk[0], len[0]);
	T_EQ_INT(receive(&n, 1, buf, len[0]), TUNNEL_OK);
	T_EQ_INT(n.s[1].last_seq, 999);

	/* older than the window: refused */
	act = 0;
	T_EQ_INT(encrypt_seq(&n, 0, 5000, 20, pk[1], &len[1], &act),
	    TUNNEL_OK);
	for (i = 0; i < REPLAY_WINDOW; i++) {
		act = 0;
		T_EQ_INT(encrypt_seq(&n, 0, 6000, 0, buf, &len[2], &act),
		    TUNNEL_OK);
	}
	T_EQ_INT(receive(&n, 1, buf, len[2]), TUNNEL_OK);
	memcpy(buf, pk[1], len[1]);
	T_EQ_INT(receive(&n, 1, buf, len[1]), TUNNEL_ERR_REPLAY);
	net_free(&n);
}

/* Traffic both ways every 500 ms for 10 minutes: the initiator rekeys
 * about every 120 s and not a packet is lost, including packets sent with
 * the old keys just before the switch and delivered after it. */
T_TEST(rekey_without_loss)
{
	struct net		n;
	struct tunnel_stats	st0, st1;
	uint64_t		start;
	uint32_t		seq = 0;
	unsigned		handshakes_seen = 1;
	uint8_t			held[PKTMAX], held_back[PKTMAX], buf[PKTMAX];
	size_t			held_len = 0, held_back_len = 0;
	unsigned		act, held_ok = 0;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	start = n.now;
	while (n.now < start + 600000) {
		advance(&n, n.now + 500);
		act = 0;
		/* hold one packet each way across every switch */
		tunnel_get_stats(n.s[0].t, &st0);
		if (st0.handshakes != handshakes_seen)
			T_FAIL("handshake count jumped");
		T_EQ_INT(encrypt_seq(&n, 0, ++seq, 200, held, &held_len, &act),
		    TUNNEL_OK);
		n.s[0].data_sent++;
		T_EQ_INT(encrypt_seq(&n, 1, ++seq, 200, held_back,
		    &held_back_len, &act), TUNNEL_OK);
		n.s[1].data_sent++;
		do_actions(&n, 0, act & ~TUNNEL_ACT_SEND_KEEPALIVE);
		if (act & TUNNEL_ACT_SEND_INITIATION) {
			/* the handshake completes while both held packets
			 * are in flight */
			deliver(&n);
			send_data(&n, 0, ++seq);
			deliver(&n);
			tunnel_get_stats(n.s[0].t, &st0);
			handshakes_seen = (unsigned)st0.handshakes;
			held_ok++;
		}
		memcpy(buf, held, held_len);
		T_EQ_INT(receive(&n, 1, buf, held_len), TUNNEL_OK);
		memcpy(buf, held_back, held_back_len);
		T_EQ_INT(receive(&n, 0, buf, held_back_len), TUNNEL_OK);
		send_data(&n, 1, ++seq);
		send_data(&n, 0, ++seq);
	}
	advance(&n, n.now + 1);
	tunnel_get_stats(n.s[0].t, &st0);
	tunnel_get_stats(n.s[1].t, &st1);
	/* 600 s / 120 s: 5 rekeys after the first handshake */
	T_ASSERT(st0.handshakes >= 5 && st0.handshakes <= 7);
	T_ASSERT(held_ok >= 4);
	T_EQ_INT(n.s[1].initiations, 0);	/* responder never rekeys */
	T_EQ_INT(n.s[1].data_rcvd, n.s[0].data_sent);
	T_EQ_INT(n.s[0].data_rcvd, n.s[1].data_sent);
	T_EQ_INT(n.s[0].errors[TUNNEL_ERR_DECRYPT] +
	    n.s[1].errors[TUNNEL_ERR_DECRYPT] +
	    n.s[0].errors[TUNNEL_ERR_UNKNOWN_INDEX] +
	    n.s[1].errors[TUNNEL_ERR_UNKNOWN_INDEX] +
	    n.s[0].errors[TUNNEL_ERR_EXPIRED] +
	    n.s[1].errors[TUNNEL_ERR_EXPIRED], 0);
	net_free(&n);
}

/* Only the responder sends: it never initiates by age, but the initiator
 * rekeys from the receive side before the keys die. */
T_TEST(receive_side_rekey)
{
	struct net		n;
	struct tunnel_stats	st;
	uint64_t		start;
	uint32_t		seq = 0;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	start = n.now;
	while (n.now < start + 400000) {
		send_data(&n, 1, ++seq);
		advance(&n, n.now + 1000);
	}
	tunnel_get_stats(n.s[0].t, &st);
	T_ASSERT(st.handshakes >= 2);
	T_EQ_INT(n.s[1].initiations, 0);
	T_EQ_INT(n.s[0].data_rcvd, n.s[1].data_sent);
	T_EQ_INT(n.s[1].npending, 0);
	net_free(&n);
}

/* The responder's new keys are unconfirmed until the initiator uses them:
 * if the response is lost, the responder keeps sending on the old session
 * and nothing is lost. */
T_TEST(responder_waits_for_confirmation)
{
	struct net		n;
	struct tunnel_rx	rx;
	uint8_t			init[WIRE_INITIATION_LEN];

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	n.now += 1000;
	T_EQ_INT(tunnel_initiation(n.s[0].t, n.now, WALL0 + n.now * 1000000,
	    init), TUNNEL_OK);
	T_EQ_INT(tunnel_receive(n.s[1].l, init, sizeof(init), n.s[0].addr, 6,
	    0, n.now, &rx), TUNNEL_OK);
	/* rx.reply (the response) is lost */
	send_data(&n, 1, 55);
	deliver(&n);
	T_EQ_INT(n.s[0].last_seq, 55);
	T_EQ_INT(n.s[0].errors[TUNNEL_OK], 2);
	/* the retransmitted initiation then completes the rekey */
	advance(&n, n.now + TUNNEL_REKEY_TIMEOUT_MS + TUNNEL_REKEY_JITTER_MS);
	send_data(&n, 0, 56);
	send_data(&n, 1, 57);
	deliver(&n);
	T_EQ_INT(n.s[1].last_seq, 56);
	T_EQ_INT(n.s[0].last_seq, 57);
	T_EQ_INT(n.s[0].errors[TUNNEL_ERR_DECRYPT] +
	    n.s[0].errors[TUNNEL_ERR_UNKNOWN_INDEX], 0);
	net_free(&n);
}

T_TEST(reject_after)
{
	struct net	n;
	uint8_t		old[PKTMAX], buf[PKTMAX];
	size_t		len, olen;
	unsigned	act = 0;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	/* encrypted just before the end of the keys' life */
	n.now += TUNNEL_REJECT_AFTER_MS - 1;
	T_EQ_INT(encrypt_seq(&n, 0, 77, 30, old, &olen, &act), TUNNEL_OK);
	T_ASSERT(act & TUNNEL_ACT_SEND_INITIATION);
	/* sending with them is over now */
	n.now += 1;
	act = 0;
	T_EQ_INT(encrypt_seq(&n, 0, 78, 30, buf, &len, &act),
	    TUNNEL_ERR_NO_SESSION);
	/* and receiving */
	memcpy(buf, old, olen);
	T_EQ_INT(receive(&n, 1, buf, olen), TUNNEL_ERR_EXPIRED);
	/* a new handshake fixes it; the old keys stay refused */
	send_data(&n, 0, 79);
	deliver(&n);
	T_EQ_INT(n.s[1].last_seq, 79);
	memcpy(buf, old, olen);
	T_EQ_INT(receive(&n, 1, buf, olen), TUNNEL_ERR_EXPIRED);
	net_free(&n);
}

T_TEST(keepalive_only_when_needed)
{
	struct net	n;
	uint64_t	start;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	/* 0 sent data, 1 did not answer: one keepalive after 10 s */
	advance(&n, n.now + TUNNEL_KEEPALIVE_MS - 1);
	T_EQ_INT(n.s[1].keepalives, 0);
	advance(&n, n.now + 1);
	T_EQ_INT(n.s[1].keepalives, 1);
	T_EQ_INT(n.s[0].keepalives_rcvd, 1);
	/* idle: nothing more, ever (until the keys are wiped) */
	advance(&n, n.now + 600000);
	T_EQ_INT(n.s[1].keepalives, 1);
	T_EQ_INT(n.s[0].keepalives, 0);
	/* a conversation: replies make keepalives unnecessary */
	start = n.now;
	n.s[0].keepalives = n.s[1].keepalives = 0;
	while (n.now < start + 60000) {
		send_data(&n, 0, 1);
		advance(&n, n.now + 100);
		send_data(&n, 1, 2);
		advance(&n, n.now + 900);
	}
	T_EQ_INT(n.s[0].keepalives + n.s[1].keepalives, 0);
	/* one-way stream: the receiver sends one every 10 s, no more */
	start = n.now;
	n.s[1].keepalives = 0;
	while (n.now < start + 60000) {
		send_data(&n, 0, 3);
		advance(&n, n.now + 1000);
	}
	T_ASSERT(n.s[1].keepalives >= 5 && n.s[1].keepalives <= 7);
	net_free(&n);
}

T_TEST(retransmit_and_give_up)
{
	struct net	n;
	uint64_t	start;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	n.s[1].drop_incoming = 1;	/* the peer is unreachable */
	start = n.now;
	send_data(&n, 0, 1);
	advance(&n, start + TUNNEL_REKEY_ATTEMPT_MS - 1);
	/* at 0, ~1, ~2, ~4, ~8 s (fast retries), then every 5 s + jitter:
	 * 5 + 82 / 5.333 .. 5 + 82 / 5 */
	T_ASSERT(n.s[0].initiations >= 19 && n.s[0].initiations <= 21);
	T_EQ_INT(n.s[0].giveups, 0);
	advance(&n, start + TUNNEL_REKEY_ATTEMPT_MS +
	    TUNNEL_REKEY_TIMEOUT_MS + TUNNEL_REKEY_JITTER_MS);
	T_EQ_INT(n.s[0].giveups, 1);
	T_EQ_INT(n.s[0].npending, 0);
	/* then quiet */
	{
		unsigned before = n.s[0].initiations;

		advance(&n, n.now + 600000);
		T_EQ_INT(n.s[0].initiations, before);
	}
	/* new data tries again, and works once the peer is back */
	n.s[1].drop_incoming = 0;
	send_data(&n, 0, 2);
	advance(&n, n.now + 1);
	T_EQ_INT(n.s[1].last_seq, 2);
	net_free(&n);
}

/* A lost initiation is retried after ~1 s, ~1 s again, then ~2 s, ~4 s,
 * then every 5 s; a retried one completes at once. */
T_TEST(fast_retransmit)
{
	struct net	n;
	uint64_t	start;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	n.s[1].drop_incoming = 1;
	start = n.now;
	send_data(&n, 0, 1);
	T_EQ_INT(n.s[0].initiations, 1);
	advance(&n, start + 999);
	T_EQ_INT(n.s[0].initiations, 1);
	advance(&n, start + 1000 + TUNNEL_REKEY_JITTER_MS / 5 + 1);
	T_EQ_INT(n.s[0].initiations, 2);
	advance(&n, start + 1999);
	T_EQ_INT(n.s[0].initiations, 2);
	advance(&n, start + 2000 + 2 * TUNNEL_REKEY_JITTER_MS / 5 + 1);
	T_EQ_INT(n.s[0].initiations, 3);
	advance(&n, start + 4000 + 4 * TUNNEL_REKEY_JITTER_MS / 5 + 1);
	T_EQ_INT(n.s[0].initiations, 4);
	advance(&n, start + 8000 + 8 * TUNNEL_REKEY_JITTER_MS / 5 + 1);
	T_EQ_INT(n.s[0].initiations, 5);
	advance(&n, start + 12999);
	T_EQ_INT(n.s[0].initiations, 5);
	/* the peer back: the next retry brings the session */
	n.s[1].drop_incoming = 0;
	advance(&n, start + 20000);
	T_EQ_INT(n.s[0].initiations, 6);
	T_EQ_INT(n.s[1].last_seq, 1);
	net_free(&n);
}

/* Both sides initiate at the same moment: it sorts itself out. */
T_TEST(simultaneous_initiation)
{
	struct net	n;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	send_data(&n, 0, 10);
	send_data(&n, 1, 20);
	advance(&n, n.now + 30000);
	T_EQ_INT(n.s[1].last_seq, 10);
	T_EQ_INT(n.s[0].last_seq, 20);
	send_data(&n, 0, 11);
	send_data(&n, 1, 21);
	deliver(&n);
	T_EQ_INT(n.s[1].last_seq, 11);
	T_EQ_INT(n.s[0].last_seq, 21);
	net_free(&n);
}

/* A shortened configuration (the daemon's rekey-under-transfer test knob)
 * rekeys on its own schedule. */
T_TEST(short_timers)
{
	struct net		n;
	struct tunnel_config	c;
	struct tunnel_stats	st;
	uint64_t		start;
	uint32_t		seq = 0;

	tunnel_config_default(&c);
	c.rekey_after_ms = 2000;
	c.reject_after_ms = 4000;	/* receive-side rekey at 2.5 s */
	c.rekey_timeout_ms = 500;
	c.keepalive_ms = 1000;
	c.rekey_jitter_ms = 50;
	if (net_init(&n, &c, &c) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	start = n.now;
	while (n.now < start + 20000) {
		send_data(&n, 0, ++seq);
		send_data(&n, 1, ++seq);
		advance(&n, n.now + 50);
	}
	tunnel_get_stats(n.s[0].t, &st);
	if (st.handshakes < 9 || st.handshakes > 11)
		T_FAIL("%llu handshakes in 20 s", (unsigned long long)st.handshakes);
	T_EQ_INT(n.s[1].data_rcvd, n.s[0].data_sent);
	T_EQ_INT(n.s[0].data_rcvd, n.s[1].data_sent);
	/* a bad configuration is refused */
	c.reject_after_ms = c.rekey_after_ms;
	T_ASSERT(tunnel_local_new(tunnel_local_pub(n.s[0].l), &c, 1) == NULL);
	net_free(&n);
}

T_TEST(message_limit)
{
	struct net		n;
	struct tunnel_config	c;
	uint8_t			buf[PKTMAX];
	size_t			len;
	unsigned		act, i;

	tunnel_config_default(&c);
	c.rekey_after_messages = 10;
	c.reject_after_messages = 20;
	if (net_init(&n, &c, &c) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);		/* counter 0 used */
	n.now += TUNNEL_REKEY_TIMEOUT_MS;	/* handshakes are rate limited */
	for (i = 1; i < 9; i++) {
		act = 0;
		T_EQ_INT(encrypt_seq(&n, 0, i, 10, buf, &len, &act), TUNNEL_OK);
		T_EQ_INT(act, 0);
	}
	act = 0;
	T_EQ_INT(encrypt_seq(&n, 0, 9, 10, buf, &len, &act), TUNNEL_OK);
	T_EQ_INT(act, TUNNEL_ACT_SEND_INITIATION);
	/* the responder's side counts too */
	for (i = 10; i < 20; i++) {
		act = 0;
		T_EQ_INT(encrypt_seq(&n, 0, i, 10, buf, &len, &act), TUNNEL_OK);
	}
	act = 0;
	T_EQ_INT(encrypt_seq(&n, 0, 20, 10, buf, &len, &act),
	    TUNNEL_ERR_NO_SESSION);
	net_free(&n);
}

static void
cipher_case(uint8_t ca, uint8_t cb, uint8_t want)
{
	struct net		n;
	struct tunnel_config	a, b;
	struct tunnel_stats	st;

	tunnel_config_default(&a);
	tunnel_config_default(&b);
	a.ciphers = ca;
	b.ciphers = cb;
	if (net_init(&n, &a, &b) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	send_data(&n, 1, 9);
	deliver(&n);
	T_EQ_INT(n.s[0].last_seq, 9);
	tunnel_get_stats(n.s[0].t, &st);
	T_EQ_INT(st.cipher, want);
	tunnel_get_stats(n.s[1].t, &st);
	T_EQ_INT(st.cipher, want);
	net_free(&n);
}

T_TEST(cipher_negotiation)
{
	uint8_t	aes = WIRE_CIPHER_AES256GCM;
	int	have_aes;

	/* whether the CPU has AES-GCM: see what a default session picks */
	{
		struct net		n;
		struct tunnel_stats	st;

		if (net_init(&n, NULL, NULL) != 0) {
			T_FAIL("setup");
			return;
		}
		connect(&n);
		tunnel_get_stats(n.s[0].t, &st);
		have_aes = st.cipher == aes;
		net_free(&n);
	}
	printf("# AES-256-GCM %savailable\n", have_aes ? "" : "not ");
	cipher_case(WIRE_CIPHER_ALL, WIRE_CIPHER_ALL,
	    have_aes ? aes : WIRE_CIPHER_CHACHA20POLY1305);
	cipher_case(WIRE_CIPHER_CHACHA20POLY1305, WIRE_CIPHER_ALL,
	    WIRE_CIPHER_CHACHA20POLY1305);
	cipher_case(WIRE_CIPHER_ALL, WIRE_CIPHER_CHACHA20POLY1305,
	    WIRE_CIPHER_CHACHA20POLY1305);
	/* ChaCha20-Poly1305 cannot be switched off */
	cipher_case(WIRE_CIPHER_AES256GCM, 0, WIRE_CIPHER_CHACHA20POLY1305);
}

T_TEST(padding)
{
	struct tunnel_stats st0, st1;
	struct net	n;
	uint8_t		buf[TUNNEL_HEADROOM + 2000 + TUNNEL_TAILROOM];
	size_t		len;
	unsigned	act = 0;
	static const struct { size_t in, out; } cases[] = {
		{ 0, 0 }, { 1, 16 }, { 16, 16 }, { 17, 32 }, { 100, 112 },
		{ 1408, 1408 }, { 1409, 1420 }, { 1419, 1420 },
		{ 1420, 1420 }, { 1421, 1421 }, { 1500, 1500 },
	};
	size_t		i;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 0x11, sizeof(buf));
		T_EQ_INT(tunnel_encrypt(n.s[0].t, buf, sizeof(buf),
		    cases[i].in, n.now, &len, &act), TUNNEL_OK);
		T_EQ_INT(len, cases[i].out + WIRE_DATA_OVERHEAD);
		T_EQ_INT(receive(&n, 1, buf, len), TUNNEL_OK);
	}
	/* what one end counts as sent, the other counts as received */
	tunnel_get_stats(n.s[0].t, &st0);
	tunnel_get_stats(n.s[1].t, &st1);
	T_EQ_INT(st0.tx_packets, st1.rx_packets);
	T_EQ_INT(st0.tx_bytes, st1.rx_bytes);
	/* the tailroom promise, and refusals */
	T_EQ_INT(tunnel_encrypt(n.s[0].t, buf, TUNNEL_HEADROOM + 17 +
	    TUNNEL_TAILROOM, 17, n.now, &len, &act), TUNNEL_OK);
	T_EQ_INT(tunnel_encrypt(n.s[0].t, buf, TUNNEL_HEADROOM + 17 + 15 +
	    WIRE_TAG_LEN - 1, 17, n.now, &len, &act), TUNNEL_ERR_NOSPACE);
	T_EQ_INT(tunnel_encrypt(n.s[0].t, buf, sizeof(buf), 65536, n.now,
	    &len, &act), TUNNEL_ERR_TOO_BIG);
	net_free(&n);
}

/* Many peers, several handshakes each, peers removed: the index table
 * keeps every live index findable and forgets removed ones. */
T_TEST(many_peers)
{
	enum { NP = 40 };
	struct tunnel_local	*hub, *leaf[NP];
	struct tunnel		*h[NP], *lt[NP];
	struct tunnel_rx	 rx;
	uint8_t			 sk[KEY_LEN], buf[PKTMAX];
	uint8_t			 held[NP][128];
	size_t			 heldlen[NP];
	unsigned		 act;
	int			 i, k, round;
	uint64_t		 now = 1000;

	key_generate(sk);
	hub = tunnel_local_new(sk, NULL, NP);
	for (i = 0; i < NP; i++) {
		key_generate(sk);
		leaf[i] = tunnel_local_new(sk, NULL, 1);
		h[i] = tunnel_new(hub, tunnel_local_pub(leaf[i]), leaf[i]);
		lt[i] = tunnel_new(leaf[i], tunnel_local_pub(hub), NULL);
		T_ASSERT(h[i] != NULL && lt[i] != NULL);
	}
	T_ASSERT(tunnel_new(hub, tunnel_local_pub(leaf[0]), NULL) == NULL);
	T_ASSERT(tunnel_new(hub, tunnel_local_pub(hub), NULL) == NULL);
	for (round = 0; round < 8; round++) {
		for (k = 0; k < NP; k++) {
			/* every peer once per round, in a shuffled order */
			i = (int)((k * 17 + round * 7) % NP);
			now += 100;
			T_EQ_INT(tunnel_initiation(lt[i], now, WALL0 + now *
			    1000000, buf), TUNNEL_OK);
			T_EQ_INT(tunnel_receive(hub, buf, WIRE_INITIATION_LEN,
			    "x", 1, 0, now, &rx), TUNNEL_OK);
			T_ASSERT(rx.peer == h[i]);
			T_ASSERT(tunnel_user(rx.peer) == leaf[i]);
			memcpy(buf, rx.reply, rx.reply_len);
			T_EQ_INT(tunnel_receive(leaf[i], buf, rx.reply_len,
			    "y", 1, 0, now, &rx), TUNNEL_OK);
			act = 0;
			T_EQ_INT(tunnel_keepalive(lt[i], held[i],
			    sizeof(held[i]), now, &heldlen[i]), TUNNEL_OK);
			memcpy(buf, held[i], heldlen[i]);
			T_EQ_INT(tunnel_receive(hub, buf, heldlen[i], "x", 1, 0,
			    now, &rx), TUNNEL_OK);
			T_ASSERT(rx.peer == h[i]);
			T_EQ_INT(tunnel_encrypt(lt[i], held[i],
			    sizeof(held[i]), 20, now, &heldlen[i], &act),
			    TUNNEL_OK);
		}
	}
	/* remove every other peer: its packets are now unknown, the rest
	 * still decrypt */
	for (i = 0; i < NP; i += 2)
		tunnel_free(h[i]);
	for (i = 0; i < NP; i++) {
		memcpy(buf, held[i], heldlen[i]);
		T_EQ_INT(tunnel_receive(hub, buf, heldlen[i], "x", 1, 0, now,
		    &rx), i % 2 ? TUNNEL_OK : TUNNEL_ERR_UNKNOWN_INDEX);
	}
	for (i = 0; i < NP; i++)
		tunnel_local_free(leaf[i]);
	tunnel_local_free(hub);
	key_wipe(sk, sizeof(sk));
}

T_TEST(zero_keys)
{
	struct net	n;
	uint8_t		buf[PKTMAX];
	size_t		len;
	unsigned	act = 0;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	advance(&n, n.now + 3 * TUNNEL_REJECT_AFTER_MS + 1);
	T_EQ_INT(tunnel_next_deadline(n.s[0].t), UINT64_MAX);
	T_EQ_INT(tunnel_next_deadline(n.s[1].t), UINT64_MAX);
	T_EQ_INT(encrypt_seq(&n, 1, 1, 10, buf, &len, &act),
	    TUNNEL_ERR_NO_SESSION);
	T_EQ_INT(act, TUNNEL_ACT_SEND_INITIATION);
	net_free(&n);
}

T_TEST(persistent_keepalive)
{
	struct net	n;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	tunnel_set_persistent_keepalive(n.s[1].t, 25000);
	advance(&n, n.now + 100000);
	T_ASSERT(n.s[1].keepalives >= 4 && n.s[1].keepalives <= 5);
	tunnel_set_persistent_keepalive(n.s[1].t, 0);
	n.s[1].keepalives = 0;
	advance(&n, n.now + 100000);
	T_EQ_INT(n.s[1].keepalives, 0);
	net_free(&n);
}

/* An initiator that only sends persistent keepalives still rekeys in time:
 * its session never lapses. */
T_TEST(persistent_keepalive_rekeys)
{
	struct net		n;
	struct tunnel_stats	st;
	uint64_t		start;
	uint8_t			buf[PKTMAX];
	size_t			len;
	unsigned		act;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	tunnel_set_persistent_keepalive(n.s[0].t, 25000);
	start = n.now;
	while (n.now < start + 500000) {
		advance(&n, n.now + 1000);
		/* probe: with no room, a usable session says NOSPACE */
		act = 0;
		if (tunnel_encrypt(n.s[0].t, buf, 0, 10, n.now, &len, &act) !=
		    TUNNEL_ERR_NOSPACE)
			T_FAIL("no session at +%llu ms",
			    (unsigned long long)(n.now - start));
	}
	tunnel_get_stats(n.s[0].t, &st);
	T_ASSERT(st.handshakes >= 4);
	net_free(&n);
}

/* The transport's two steps apart, as a threaded data path would use
 * them: counters taken one after another and sealed out of order decrypt
 * fine; packets opened (decrypted) in any order, a duplicate among them,
 * are accepted once each by the serial commit; a keypair dropped between
 * the steps fails the second one. */
T_TEST(split_nonce_and_aead)
{
	struct net		n;
	struct tunnel_txslot	tx[8];
	struct tunnel_rxslot	rs[4];
	struct tunnel_rx	rx;
	static uint8_t		pk[8][PKTMAX], dup[PKTMAX];
	static const int	order[8] = { 5, 2, 7, 0, 3, 6, 1, 4 };
	size_t			len[8], out;
	uint32_t		seq;
	unsigned		act = 0;
	int			i;

	if (net_init(&n, NULL, NULL) != 0) {
		T_FAIL("setup");
		return;
	}
	connect(&n);
	for (i = 0; i < 8; i++) {
		seq = (uint32_t)(200 + i);
		memset(pk[i] + TUNNEL_HEADROOM, 0xab, 100);
		memcpy(pk[i] + TUNNEL_HEADROOM, &seq, sizeof(seq));
		T_EQ_INT(tunnel_tx_reserve(n.s[0].t, PKTMAX, 100, n.now, &tx[i],
		    &act), TUNNEL_OK);
		if (i > 0)
			T_EQ_INT(tx[i].counter, tx[i - 1].counter + 1);
	}
	for (i = 0; i < 8; i++)
		T_EQ_INT(tunnel_tx_seal(&tx[order[i]], pk[order[i]],
		    &len[order[i]]), TUNNEL_OK);
	/* delivered in yet another order through tunnel_receive */
	for (i = 8; i-- > 0;) {
		memcpy(dup, pk[i], len[i]);
		T_EQ_INT(receive(&n, 1, dup, len[i]), TUNNEL_OK);
		T_EQ_INT(n.s[1].last_seq, 200 + i);
	}

	/* receive side: open three packets and a copy of the first, then
	 * commit them in another order */
	for (i = 0; i < 3; i++) {
		act = 0;
		T_EQ_INT(encrypt_seq(&n, 0, (uint32_t)(300 + i), 80, pk[i],
		    &len[i], &act), TUNNEL_OK);
	}
	memcpy(dup, pk[0], len[0]);
	for (i = 0; i < 3; i++)
		T_EQ_INT(tunnel_rx_open(n.s[1].l, pk[i], len[i], n.now,
		    &rs[i]), TUNNEL_OK);
	T_EQ_INT(tunnel_rx_open(n.s[1].l, dup, len[0], n.now, &rs[3]),
	    TUNNEL_OK);
	T_EQ_INT(rs[3].counter, rs[0].counter);
	memcpy(&seq, rs[2].data, sizeof(seq));
	T_EQ_INT(seq, 302);
	for (i = 3; i >= 0; i--) {
		memset(&rx, 0, sizeof(rx));
		T_EQ_INT(tunnel_rx_commit(n.s[1].l, &rs[i], n.now, &rx),
		    i == 0 ? TUNNEL_ERR_REPLAY : TUNNEL_OK);
		if (i != 0) {
			T_ASSERT(rx.peer == n.s[1].t);
			T_EQ_INT(rx.data_len, 80);
		}
	}
	/* opened once more after the commits: the filter stops it */
	memcpy(dup, pk[1], len[1]);
	T_EQ_INT(tunnel_receive(n.s[1].l, dup, len[1], n.s[0].addr,
	    sizeof(n.s[0].addr), 0, n.now, &rx), TUNNEL_ERR_REPLAY);
	T_EQ_INT(tunnel_rx_open(n.s[1].l, pk[1], 10, n.now, &rs[0]),
	    TUNNEL_ERR_MALFORMED);

	/* the keypair goes between the steps */
	T_EQ_INT(tunnel_tx_reserve(n.s[0].t, PKTMAX, 100, n.now, &tx[0],
	    &act), TUNNEL_OK);
	act = 0;
	T_EQ_INT(encrypt_seq(&n, 0, 400, 80, pk[1], &len[1], &act),
	    TUNNEL_OK);
	T_EQ_INT(tunnel_rx_open(n.s[1].l, pk[1], len[1], n.now, &rs[0]),
	    TUNNEL_OK);
	tunnel_clear(n.s[0].t);
	tunnel_clear(n.s[1].t);
	T_EQ_INT(tunnel_tx_seal(&tx[0], pk[0], &out), TUNNEL_ERR_EXPIRED);
	T_EQ_INT(out, 0);
	memset(&rx, 0, sizeof(rx));
	T_EQ_INT(tunnel_rx_commit(n.s[1].l, &rs[0], n.now, &rx),
	    TUNNEL_ERR_UNKNOWN_INDEX);
	T_ASSERT(rx.peer == NULL);
	net_free(&n);
}

int
main(void)
{
	if (keys_init() != 0)
		return 99;
	T_RUN(handshake_and_data);
	T_RUN(keepalive_confirms_session);
	T_RUN(tamper_handshake);
	T_RUN(replayed_initiation);
	T_RUN(cookie_under_load);
	T_RUN(wrong_responder_key);
	T_RUN(transport_replay_and_reorder);
	T_RUN(split_nonce_and_aead);
	T_RUN(rekey_without_loss);
	T_RUN(receive_side_rekey);
	T_RUN(responder_waits_for_confirmation);
	T_RUN(reject_after);
	T_RUN(keepalive_only_when_needed);
	T_RUN(retransmit_and_give_up);
	T_RUN(fast_retransmit);
	T_RUN(simultaneous_initiation);
	T_RUN(short_timers);
	T_RUN(message_limit);
	T_RUN(cipher_negotiation);
	T_RUN(padding);
	T_RUN(many_peers);
	T_RUN(zero_keys);
	T_RUN(persistent_keepalive);
	T_RUN(persistent_keepalive_rekeys);
	return t_done();
}
