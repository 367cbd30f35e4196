/* The DHT core under attack, on the simulated network of
 * tests/unit/dht-harness.h: a poisoned node, the unproved-address budget,
 * replayed, tampered and crafted packets (the raw client), spoofed
 * requests, workbits, namespaces, clock skew, the reply rate and the
 * replay cache. */
#include "config.h"

#include "dht-harness.h"

/* the raw client's key (its packets: raw_packet in the harness) */
static uint8_t	raw_sk[32], raw_pk[32];

static uint64_t
drops(struct node *n, enum dht_drop why)
{
	struct dht_stats	st;

	dht_get_stats(n->d, &st);
	return st.drops[why];
}

/* Decrypt the last packet the raw client received. */
static int
raw_open(struct net *net, const struct node *from, struct dhtmsg *m,
    uint8_t *body)
{
	uint8_t			shared[32], pair[32];
	struct dhtmsg_hdr	h;
	enum dht_drop		why;
	long			blen;

	if (dhtmsg_header(net->raw_last.buf, net->raw_last.len, &h, &why) != 0)
		return -1;
	if (dhtcrypto_x25519(shared, raw_sk, from->pk) != 0)
		return -1;
	dhtcrypto_pair_key(pair, shared, "public", 6, raw_pk, from->pk);
	blen = dhtcrypto_open(body, h.sealed, h.sealed_len, net->raw_last.buf,
	    33, h.nonce, pair);
	if (blen < 0)
		return -1;
	return dhtmsg_decode(h.type, body, (size_t)blen, m);
}

static void
raw_send(struct net *net, struct node *to, const uint8_t *pkt, size_t len)
{
	net_enqueue(net, MAXN, to->idx, &raw_addr, pkt, len);
}

static void
raw_request(struct dhtmsg *m, uint8_t type, struct net *net, struct node *n)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->txid = 42;
	m->ts = cb_wallclock(n);
	m->flags = 0;
	(void)net;
}


/* A fake node with a valid key, known to a member (here as a boot contact,
 * as if it had got into a public node's table), answers every FIND with
 * contacts at victim hosts nobody else knows: 16 keys at 192.0.2.77 (one
 * of them the key looked up), 4 at 192.0.2.78, and claims to serve the
 * key looked up at 192.0.2.79. The member looks keys up for ten minutes;
 * each victim host gets less than 1 KB from it (IP and UDP headers
 * counted), the fake is soon not listened to, and lookups still work. */
T_TEST(poisoned_dht_does_not_steer_members)
{
	struct net		*net = net_build(6, 6, NULL);
	struct node		*m;
	struct result		 r[12];
	struct dht_stats	 st;
	uint8_t			 sk[32], pk[32];
	unsigned		 i;
	int			 k;

	net->fake_on = 1;
	make_key(net->fake_sk, net->fake_pk, 777, "public", 0, 0);
	dht_addr_set_v4(&net->fake_addr, 0xcb007150, 6374);	/* TEST-NET-3 */
	m = net_add(net, NULL);
	for (i = 0; i < DHT_K; i++) {
		make_key(sk, pk, 9000 + i, "public", 0, 0);
		memcpy(net->fake_contacts[i].key, i == 0 ? net->n[3]->pk : pk,
		    32);
		dht_addr_set_v4(&net->fake_contacts[i].addr,
		    i < 16 ? 0xc000024d : 0xc000024e, (uint16_t)(1000 + i));
	}
	net->fake_ncontacts = DHT_K;
	net->fake_serves = 1;
	memcpy(net->fake_served.key, net->n[3]->pk, 32);
	dht_addr_set_v4(&net->fake_served.addr, 0xc000024f, 4444);
	dht_add_boot(m->d, net->fake_pk, &net->fake_addr, net->now);
	dht_add_boot(m->d, net->n[0]->pk, &net->n[0]->addr, net->now);
	net_run(net, 30000);

	memset(r, 0, sizeof(r));
	for (k = 0; k < 12; k++) {
		/* node 3 (which the fake claims to be, or to serve, at the
		 * victims), and a key nobody has (the lookup asks everyone) */
		if (k % 2 == 0)
			T_ASSERT(dht_search(m->d, net->n[3]->pk, on_search,
			    &r[k], net->now) > 0);
		else {
			make_key(sk, pk, 5000 + (uint64_t)k, "public", 0, 0);
			T_ASSERT(dht_search(m->d, pk, on_search, &r[k],
			    net->now) > 0);
		}
		net_run(net, net->now + 50000);
	}
	/* the fake is in the member's table, so the member names it to
	 * others, which the fake poisons too: each is a member here */
	fprintf(stderr, "  fake answered %d FINDs; wire bytes (packets) to "
	    "the victims .77/.78/.79 from:\n", net->fake_finds);
	T_ASSERT(net->fake_finds > 0);
	for (k = 0; k < net->count; k++) {
		fprintf(stderr, "    node %d%s: %zu (%d) / %zu (%d) / "
		    "%zu (%d)\n", k, net->n[k] == m ? " (the member)" : "",
		    net->victim_bytes[k][0], net->victim_pkts[k][0],
		    net->victim_bytes[k][1], net->victim_pkts[k][1],
		    net->victim_bytes[k][2], net->victim_pkts[k][2]);
		for (i = 0; i < 4; i++)
			T_ASSERT(net->victim_bytes[k][i] < 1024);
		/* the DHT sends nothing to a rendezvous report's address */
		T_EQ_INT(net->victim_pkts[k][2], 0);
	}
	T_ASSERT(net->victim_pkts[m->idx][0] > 0);
	/* node 3 answered each lookup itself; the fake's rendezvous claim
	 * (an unconfirmed endpoint: the host must treat it as a candidate
	 * only) is reported until the fake is no longer listened to */
	for (k = 0, i = 0; k < 12; k += 2) {
		T_EQ_INT(r[k].done, 1);
		T_EQ_INT(r[k].found, 1);
		T_ASSERT(dht_addr_eq(&r[k].ep_direct, &net->n[3]->addr));
		if (r[k].rvs > 0)
			i++;
	}
	fprintf(stderr, "  lookups that got the fake's rendezvous claim: %u "
	    "of 6\n", i);
	T_ASSERT(i < 6);
	for (k = 1; k < 12; k += 2)
		T_EQ_INT(r[k].done, 1);
	dht_get_stats(m->d, &st);
	T_ASSERT(st.unproved_bytes >= net->victim_bytes[m->idx][0] +
	    net->victim_bytes[m->idx][1]);
	net_free(net);
}

/* The budget the host shares for endpoints only the DHT named: under 1 KB
 * on the wire per host (any port), paid back by authenticated packets. */
T_TEST(unproved_budget_shared_with_the_host)
{
	struct net		*net = net_build(2, 2, NULL);
	struct dht		*d = net->n[0]->d;
	struct dht_addr		 v, w;
	size_t			 sent = 0;
	int			 i;

	dht_addr_set_v4(&v, 0xc000024d, 1000);
	for (i = 0; i < 40; i++) {
		v.port = (uint16_t)(1000 + i);
		if (dht_unproved_spend(d, &v, 72, net->now) == 0)
			sent += 72 + 28;
	}
	T_ASSERT(sent > 0 && sent < 1024);
	v.port = 2000;
	T_EQ_INT(dht_unproved_spend(d, &v, 72, net->now), -1);
	/* another host has its own budget */
	dht_addr_set_v4(&w, 0xc000024e, 1000);
	T_EQ_INT(dht_unproved_spend(d, &w, 72, net->now), 0);
	/* an authenticated packet from the host pays back as much: two
	 * more (228 bytes on the wire) */
	dht_unproved_proved(d, &v, 200, net->now);
	for (i = 0; dht_unproved_spend(d, &v, 72, net->now) == 0; i++)
		continue;
	T_EQ_INT(i, 2);
	/* the window ends */
	T_EQ_INT(dht_unproved_spend(d, &v, 72, net->now + 1000), -1);
	T_EQ_INT(dht_unproved_spend(d, &v, 72, net->now + 3600001), 0);
	net_free(net);
}

/* Remember every packet from node 0 to node 1. */
static int
tap_capture(struct net *net, struct pkt *p)
{
	if (net->ncaptured < 64 && p->from == 0 && p->to == 1)
		net->captured[net->ncaptured++] = *p;
	return 1;
}

static int
tap_capture_back(struct net *net, struct pkt *p)
{
	if (net->ncaptured < 64 && p->from == 1 && p->to == 0)
		net->captured[net->ncaptured++] = *p;
	return 1;
}

T_TEST(replayed_request_and_response_dropped)
{
	struct net		*net = net_build(2, 2, NULL);
	struct dht_stats	 before, after;
	struct result		 res;
	struct pkt		 p;
	int			 i, req = -1;

	memset(&res, 0, sizeof(res));
	net->tap = tap_capture;
	net_run(net, 20000);
	for (i = 0; i < net->ncaptured; i++)
		if (dhtmsg_is_request(net->captured[i].buf[0]))
			req = i;
	T_ASSERT(req >= 0);
	/* the same request again, a little later: refused, unanswered */
	dht_get_stats(net->n[1]->d, &before);
	p = net->captured[req];
	dht_input(net->n[1]->d, p.buf, p.len, &p.src, net->now);
	dht_get_stats(net->n[1]->d, &after);
	T_EQ_INT(after.drops[DHT_DROP_REPLAY], before.drops[DHT_DROP_REPLAY]
	    + 1);
	T_EQ_INT(after.pkts_out, before.pkts_out);
	T_EQ_INT(after.table_nodes, before.table_nodes);

	/* a response delivered twice: the second is refused (as late) */
	net->ncaptured = 0;
	net->tap = tap_capture_back;
	T_ASSERT(dht_search(net->n[0]->d, net->n[1]->pk, on_search, &res,
	    net->now) > 0);
	net_run(net, net->now + 2000);
	for (i = 0, req = -1; i < net->ncaptured; i++)
		if (!dhtmsg_is_request(net->captured[i].buf[0]))
			req = i;
	T_ASSERT(req >= 0);
	dht_get_stats(net->n[0]->d, &before);
	p = net->captured[req];
	dht_input(net->n[0]->d, p.buf, p.len, &p.src, net->now);
	dht_get_stats(net->n[0]->d, &after);
	T_EQ_INT(after.drops[DHT_DROP_LATE], before.drops[DHT_DROP_LATE] + 1);
	T_EQ_INT(after.pkts_out, before.pkts_out);
	net_free(net);
}

T_TEST(tampered_and_truncated_packets_dropped)
{
	struct net		*net = net_build(2, 2, NULL);
	struct dht_stats	 before, after;
	struct pkt		 p;
	size_t			 cut;
	int			 i, req = -1;

	net->tap = tap_capture;
	net_run(net, 20000);
	for (i = 0; i < net->ncaptured; i++)
		if (dhtmsg_is_request(net->captured[i].buf[0]))
			req = i;
	T_ASSERT(req >= 0);
	dht_get_stats(net->n[1]->d, &before);
	for (cut = 0; cut < net->captured[req].len; cut++) {
		p = net->captured[req];
		p.buf[cut] ^= 0x40;	/* every single-bit flip fails */
		dht_input(net->n[1]->d, p.buf, p.len, &p.src, net->now);
		p = net->captured[req];
		dht_input(net->n[1]->d, p.buf, cut, &p.src, net->now);
	}
	dht_get_stats(net->n[1]->d, &after);
	T_EQ_INT(after.pkts_out, before.pkts_out);
	T_EQ_INT(after.requests_in, before.requests_in);
	T_EQ_INT(total_drops(net->n[1]), 2 * net->captured[req].len);
	net_free(net);
}

T_TEST(raw_client_checks)
{
	struct net		*net = net_build(3, 3, NULL);
	struct node		*b = net->n[1];
	struct dht_stats	 before, after;
	struct dhtmsg		 m, resp;
	uint8_t			 pkt[DHT_MAX_PACKET + 100], body[DHTMSG_MAX_BODY];
	size_t			 len, full;

	make_key(raw_sk, raw_pk, 777, "public", 0, 0);
	net_run(net, 30000);

	/* a well-formed ping is answered: the crafting is right */
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.type, DHTMSG_PONG);
	T_ASSERT(dht_addr_eq(&resp.observed, &raw_addr));

	/* the same bytes again: a replay, no answer */
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(drops(b, DHT_DROP_REPLAY), 1);

	/* stale and future timestamps */
	raw_request(&m, DHTMSG_PING, net, b);
	m.ts -= 40000;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	m.ts += 80000;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(drops(b, DHT_DROP_STALE), 2);

	/* wrong namespace: another pair key */
	raw_request(&m, DHTMSG_PING, net, b);
	len = raw_packet(pkt, b, "other", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	/* an unsolicited response */
	memset(&m, 0, sizeof(m));
	m.type = DHTMSG_PONG;
	m.txid = 12345;
	m.observed = b->addr;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	/* its own key as sender */
	raw_request(&m, DHTMSG_PING, net, b);
	len = raw_packet(pkt, b, "public", &m, b->pk, b->sk);
	raw_send(net, b, pkt, len);
	/* oversized */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = DHTMSG_PING;
	raw_send(net, b, pkt, DHT_MAX_PACKET);	/* garbage, fits: auth */
	net_run(net, net->now + 100);
	dht_input(b->d, pkt, DHT_MAX_PACKET + 1, &raw_addr, net->now);
	T_EQ_INT(net->raw_inbox, 1);
	T_EQ_INT(drops(b, DHT_DROP_AUTH), 2);
	T_EQ_INT(drops(b, DHT_DROP_UNSOLICITED), 1);
	T_EQ_INT(drops(b, DHT_DROP_SELF), 1);
	T_EQ_INT(drops(b, DHT_DROP_LONG), 1);

	/* an unpadded FIND without a token: the answer fits in the request
	 * (anti-amplification); with the token it is the full answer */
	raw_request(&m, DHTMSG_FIND, net, b);
	memcpy(m.target, net->n[2]->pk, 32);
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	dht_get_stats(b->d, &before);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 2);
	T_ASSERT(net->raw_last.len <= len);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.type, DHTMSG_NODES);
	T_EQ_INT(resp.ncontacts, 0);
	raw_request(&m, DHTMSG_FIND, net, b);
	m.txid = 43;
	memcpy(m.target, net->n[2]->pk, 32);
	m.flags = DHTMSG_F_TOKEN;
	memcpy(m.token, resp.token, sizeof(m.token));
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 3);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.ncontacts, 2);
	full = net->raw_last.len;
	T_ASSERT(full > len);
	/* tokens expire: eleven minutes later the same token is refused
	 * (the answer shrinks again) */
	net_run(net, net->now + 660000);
	raw_request(&m, DHTMSG_FIND, net, b);
	m.txid = 45;
	memcpy(m.target, net->n[2]->pk, 32);
	m.flags = DHTMSG_F_TOKEN;
	memcpy(m.token, resp.token, sizeof(m.token));
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 4);
	T_ASSERT(net->raw_last.len <= len);
	T_EQ_INT(raw_open(net, b, &resp, body), 0);
	T_EQ_INT(resp.ncontacts, 0);
	/* a token for another address does not validate this one */
	raw_request(&m, DHTMSG_FIND, net, b);
	m.txid = 44;
	m.flags = DHTMSG_F_TOKEN;
	memcpy(m.token, resp.token, sizeof(m.token));
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	net_enqueue(net, MAXN, b->idx, &net->n[2]->addr, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 4);	/* answered to n[2], truncated */

	/* none of this put the raw client in the table */
	dht_get_stats(b->d, &after);
	T_EQ_INT(after.table_nodes, before.table_nodes);
	net_free(net);
}

/*
 * Address validation (SECURITY.md): requests of every type, each from a
 * fresh key (as an attacker makes them on the spot), claiming to be
 * reachable, spoofed from a victim's address (the raw client's, which
 * never answers) and without a token. Everything that reaches the victim
 * in answer weighs no more than what was sent, verification pings
 * included, and nothing keyed by the victim's address changes: no table
 * entry, no registration, no relayed packet.
 */
T_TEST(spoofed_requests_do_not_amplify)
{
	static const struct { uint8_t type; size_t pad; } kinds[] = {
		{ DHTMSG_PING, 0 }, { DHTMSG_PING, 19 }, { DHTMSG_PING, 400 },
		{ DHTMSG_FIND, 0 }, { DHTMSG_FIND, 958 },
		{ DHTMSG_REGISTER, 0 }, { DHTMSG_REGISTER, 22 },
		{ DHTMSG_RELAY, 0 }, { DHTMSG_RELAY, 600 },
		{ DHTMSG_RELAYED, 0 },
	};
	struct net		*net = net_build(6, 5, NULL);
	struct node		*nat = net->n[5], *b;
	struct dht_rv_info	 rv[DHT_RV_MAX];
	struct dht_stats	 before, after;
	struct dhtmsg		 m;
	uint8_t			 pkt[DHT_MAX_PACKET], sk[32], pk[32];
	size_t			 len, in, k;
	int			 i, idx;

	net_run(net, 60000);
	T_EQ_INT(dht_rendezvous(nat->d, rv, DHT_RV_MAX), DHT_RV_MAX);
	T_ASSERT((idx = node_by_key(net, rv[0].key)) >= 0);
	b = net->n[idx];		/* serves the NAT-ed node */
	dht_get_stats(b->d, &before);
	T_EQ_INT(before.clients, 1);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		net->raw_inbox = 0;
		net->raw_bytes = 0;
		in = 0;
		for (i = 0; i < 40; i++) {
			make_key(sk, pk, 5000 + k * 100 + (uint64_t)i, "public",
			    0, 0);
			raw_request(&m, kinds[k].type, net, b);
			m.txid = 1000 + (uint64_t)i;
			m.flags = DHTMSG_F_REACHABLE;
			m.pad = kinds[k].pad;
			memcpy(m.target, nat->pk, 32);
			if (kinds[k].type == DHTMSG_RELAY ||
			    kinds[k].type == DHTMSG_RELAYED) {
				m.payload = (const uint8_t *)"punch-the-victim";
				m.payload_len = 16;
			}
			if (kinds[k].type == DHTMSG_RELAYED)
				m.origin = raw_addr;
			len = raw_packet(pkt, b, "public", &m, pk, sk);
			T_ASSERT(len > 0);
			in += len;
			raw_send(net, b, pkt, len);
			net_run(net, net->now + 20);
		}
		net_run(net, net->now + 3000);
		if (net->raw_bytes > in)
			fprintf(stderr, "type 0x%02x pad %zu: %zu bytes in, "
			    "%zu bytes (%d packets) to the victim\n",
			    kinds[k].type, kinds[k].pad, in, net->raw_bytes,
			    net->raw_inbox);
		T_ASSERT(net->raw_bytes <= in);
		/* an answer (when it fits), and a verification ping when
		 * it fits too; RELAYED from a stranger: nothing at all */
		T_ASSERT(net->raw_inbox <= 80);
		if (kinds[k].type == DHTMSG_RELAYED)
			T_EQ_INT(net->raw_inbox, 0);
		if (kinds[k].pad >= 400)
			T_ASSERT(net->raw_inbox >= 40);
	}
	dht_get_stats(b->d, &after);
	T_EQ_INT(after.table_nodes, before.table_nodes);
	T_EQ_INT(after.clients, 1);		/* no registration */
	T_EQ_INT(after.relays_forwarded, before.relays_forwarded);
	T_EQ_INT(nat->relayed, 0);		/* nothing relayed on */
	net_free(net);
}

T_TEST(workbit_enforced)
{
	struct opts		 o = { .workbit = 6 };
	struct net		*net = net_build(3, 3, &o);
	struct node		*b = net->n[1];
	struct dhtmsg		 m;
	uint8_t			 pkt[DHT_MAX_PACKET];
	size_t			 len;

	net_run(net, 30000);
	T_EQ_INT(total_drops(b), 0);
	/* a client key with fewer than 6 workbits */
	make_key(raw_sk, raw_pk, 31337, "public", 6, 1);
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 0);
	T_EQ_INT(drops(b, DHT_DROP_WORKBIT), 1);
	/* one with enough is answered */
	make_key(raw_sk, raw_pk, 31337, "public", 6, 0);
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
	raw_send(net, b, pkt, len);
	net_run(net, net->now + 100);
	T_EQ_INT(net->raw_inbox, 1);
	net_free(net);
}

T_TEST(namespaces_are_separate)
{
	struct net		*net = net_new();
	struct opts		 a = { .ns = "alpha" }, b = { .ns = "beta" };
	struct dht_stats	 st;

	net_add(net, &a);
	net_add(net, &b);
	dht_add_boot(net->n[0]->d, net->n[1]->pk, &net->n[1]->addr, net->now);
	dht_add_boot(net->n[1]->d, net->n[0]->pk, &net->n[0]->addr, net->now);
	net_run(net, 30000);
	dht_get_stats(net->n[0]->d, &st);
	T_EQ_INT(st.table_nodes, 0);
	T_EQ_INT(st.replies_out, 0);
	T_ASSERT(drops(net->n[0], DHT_DROP_AUTH) > 0);
	T_ASSERT(drops(net->n[1], DHT_DROP_AUTH) > 0);
	net_free(net);
}

T_TEST(clock_skew_outside_window)
{
	struct opts		 o = { .skew = 45000 };
	struct net		*net = net_new();
	struct dht_stats	 st;

	net_add(net, NULL);
	net_add(net, &o);
	dht_add_boot(net->n[1]->d, net->n[0]->pk, &net->n[0]->addr, net->now);
	net_run(net, 30000);
	dht_get_stats(net->n[0]->d, &st);
	T_EQ_INT(st.replies_out, 0);
	T_ASSERT(st.drops[DHT_DROP_STALE] > 0);
	net_free(net);
}

T_TEST(reply_rate_limit)
{
	struct opts		 o = { .reply_rate = 5 };
	struct net		*net = net_build(2, 2, &o);
	struct node		*b = net->n[1];
	struct dhtmsg		 m;
	uint8_t			 pkt[DHT_MAX_PACKET];
	size_t			 len;
	int			 i;

	make_key(raw_sk, raw_pk, 555, "public", 0, 0);
	net_run(net, 30000);
	for (i = 0; i < 20; i++) {
		raw_request(&m, DHTMSG_PING, net, b);
		m.txid = 100 + (uint64_t)i;
		m.pad = 19;
		len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
		dht_input(b->d, pkt, len, &raw_addr, net->now);
	}
	net_run(net, net->now + 50);
	T_EQ_INT(net->raw_inbox, 5);
	T_EQ_INT(drops(b, DHT_DROP_RATELIMIT), 15);
	net_free(net);
}

T_TEST(replay_cache_full_still_refuses_replays)
{
	struct opts		 o = { .replay_cache = 8 };
	struct net		*net = net_build(2, 2, &o);
	struct node		*b = net->n[1];
	struct dhtmsg		 m;
	uint8_t			 first[DHT_MAX_PACKET], pkt[DHT_MAX_PACKET];
	size_t			 flen, len;
	int			 i;

	make_key(raw_sk, raw_pk, 556, "public", 0, 0);
	net_run(net, 30000);
	raw_request(&m, DHTMSG_PING, net, b);
	m.pad = 19;
	flen = raw_packet(first, b, "public", &m, raw_pk, raw_sk);
	dht_input(b->d, first, flen, &raw_addr, net->now);
	/* push the first nonce out of the tiny cache */
	for (i = 0; i < 40; i++) {
		net->now += 10;
		raw_request(&m, DHTMSG_PING, net, b);
		m.txid = 200 + (uint64_t)i;
		m.pad = 19;
		len = raw_packet(pkt, b, "public", &m, raw_pk, raw_sk);
		dht_input(b->d, pkt, len, &raw_addr, net->now);
	}
	i = (int)drops(b, DHT_DROP_REPLAY);
	dht_input(b->d, first, flen, &raw_addr, net->now);
	T_EQ_INT(drops(b, DHT_DROP_REPLAY), i + 1);
	net_free(net);
}

int
main(void)
{
	if (dhtcrypto_init() != 0)
		return 99;
	T_RUN(poisoned_dht_does_not_steer_members);
	T_RUN(unproved_budget_shared_with_the_host);
	T_RUN(replayed_request_and_response_dropped);
	T_RUN(tampered_and_truncated_packets_dropped);
	T_RUN(raw_client_checks);
	T_RUN(spoofed_requests_do_not_amplify);
	T_RUN(workbit_enforced);
	T_RUN(namespaces_are_separate);
	T_RUN(clock_skew_outside_window);
	T_RUN(reply_rate_limit);
	T_RUN(replay_cache_full_still_refuses_replays);
	return t_done();
}
