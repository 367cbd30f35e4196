/* Unit tests for the control protocol codec (src/control/ctlproto.c). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctlproto.h"
#include "t.h"

#define KA "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"
#define KB "q2ZX0SbSrUHl5cs8l0GAqvLmnGkGfGrZQUAgg3eYLDU"

static int
dec(const char *s, struct ctl_reply *r, char *err, size_t errlen)
{
	return ctl_reply_decode(s, strlen(s), r, err, errlen);
}

/* Decoding s fails with an error containing want. */
static void
expect_bad(const char *s, const char *want)
{
	struct ctl_reply r;
	char		 err[256];

	err[0] = '\0';
	if (dec(s, &r, err, sizeof(err)) != -1)
		T_FAIL("accepted: %s", s);
	else if (strstr(err, want) == NULL)
		T_FAIL("error '%s' lacks '%s'", err, want);
	ctl_reply_free(&r);
}

T_TEST(message_len)
{
	T_EQ_INT(ctl_message_len("", 0), 0);
	T_EQ_INT(ctl_message_len("\n", 1), 1);
	T_EQ_INT(ctl_message_len("a=b\n", 4), 0);
	T_EQ_INT(ctl_message_len("a=b\n\nx", 6), 5);
	T_EQ_INT(ctl_message_len("a=b\nc=d\n\n", 9), 9);
}

T_TEST(request_roundtrip)
{
	struct ctl_request	rq = { CTL_CMD_SHOW, "dht" }, out;
	char			buf[CTL_MAX_REQUEST], err[128];
	size_t			n;

	n = ctl_request_encode(&rq, buf, sizeof(buf));
	T_ASSERT(n > 0);
	buf[n] = '\0';
	T_EQ_STR(buf, "mesh-ctl=1\ncmd=show\narg=dht\n\n");
	T_EQ_INT(ctl_request_decode(buf, n, &out, err, sizeof(err)), 0);
	T_EQ_INT(out.cmd, CTL_CMD_SHOW);
	T_EQ_STR(out.arg, "dht");

	rq.cmd = CTL_CMD_DOWN;
	rq.arg[0] = '\0';
	n = ctl_request_encode(&rq, buf, sizeof(buf));
	buf[n] = '\0';
	T_EQ_STR(buf, "mesh-ctl=1\ncmd=down\n\n");
	T_EQ_INT(ctl_request_decode(buf, n, &out, err, sizeof(err)), 0);
	T_EQ_INT(out.cmd, CTL_CMD_DOWN);
	T_EQ_STR(out.arg, "");

	/* too small a buffer, a bad arg, no command */
	T_EQ_INT(ctl_request_encode(&rq, buf, 10), 0);
	rq.cmd = CTL_CMD_RELOAD;
	strcpy(rq.arg, "a b");
	T_EQ_INT(ctl_request_encode(&rq, buf, sizeof(buf)), 0);
	rq.cmd = CTL_CMD_NONE;
	rq.arg[0] = '\0';
	T_EQ_INT(ctl_request_encode(&rq, buf, sizeof(buf)), 0);
}

T_TEST(request_errors)
{
	static const struct {
		const char *in, *err;
	} bad[] = {
		{ "", "message ends" },
		{ "\n", "expected mesh-ctl=1 first" },
		{ "cmd=show\n\n", "expected mesh-ctl=1 first" },
		{ "mesh-ctl=2\ncmd=show\n\n", "version 2 not supported" },
		{ "mesh-ctl=01\ncmd=show\n\n", "bad protocol version" },
		{ "mesh-ctl=1\n\n", "without cmd" },
		{ "mesh-ctl=1\ncmd=shout\n\n", "unknown command 'shout'" },
		{ "mesh-ctl=1\ncmd=show\ncmd=show\n\n", "duplicate cmd" },
		{ "mesh-ctl=1\ncmd=show\narg=a\narg=b\n\n", "duplicate arg" },
		{ "mesh-ctl=1\ncmd=show\narg=a b\n\n", "bad arg" },
		{ "mesh-ctl=1\ncmd=show\n", "message ends" },
		{ "mesh-ctl=1\ncmd=show\n\nx", "after the end" },
		{ "mesh-ctl=1\nCMD=show\n\n", "line 2: bad key" },
		{ "mesh-ctl=1\ncmd\n\n", "line 2: expected key=value" },
		{ "mesh-ctl=1\ncmd=sh\x01ow\n\n", "control character" },
	};
	struct ctl_request	rq;
	char			err[128];
	size_t			i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (ctl_request_decode(bad[i].in, strlen(bad[i].in), &rq, err,
		    sizeof(err)) != -1)
			T_FAIL("accepted request %zu", i);
		else if (strstr(err, bad[i].err) == NULL)
			T_FAIL("request %zu: '%s' lacks '%s'", i, err,
			    bad[i].err);
	}
	/* unknown keys from a newer client are ignored */
	T_EQ_INT(ctl_request_decode("mesh-ctl=1\nfuture=x\ncmd=reload\n\n",
	    32, &rq, err, sizeof(err)), 0);
	T_EQ_INT(rq.cmd, CTL_CMD_RELOAD);
}

static void
fill(struct ctl_reply *r)
{
	struct ctl_peer	*p;

	memset(r, 0, sizeof(*r));
	r->has_iface = 1;
	strcpy(r->iface.ifname, "mesh-office");
	strcpy(r->iface.network, "office");
	strcpy(r->iface.ns, "public");
	strcpy(r->iface.netconfig, "/etc/mesh/office.net");
	strcpy(r->iface.key, KA);
	r->iface.workbit = 8;
	strcpy(r->iface.addr4, "10.42.0.1/24");
	strcpy(r->iface.addr6, "fd3c:1::1/64");
	r->iface.listen_port = 6374;
	strcpy(r->iface.reflexive, "203.0.113.7:40000");
	strcpy(r->iface.nat, "port-restricted");
	strcpy(r->iface.portmap, "natpmp");
	strcpy(r->iface.portmap_external, "203.0.113.7:6374");
	r->iface.portmap_expires = 1700003600;
	r->iface.pid = 1234;
	r->iface.uid = 65534;
	r->iface.started = 1700000000;
	r->iface.now = 1700000100;
	r->iface.rx_bytes = UINT64_MAX;
	r->iface.reload_time = 1700000050;
	strcpy(r->iface.reload_via, "signal");
	strcpy(r->iface.reload_result, "refused");
	r->iface.reload_changed = 1;
	strcpy(r->iface.reload_error, "/etc/mesh/office.net:3: bad key "
	    "\"x=y\" (43 characters)");
	ctl_counter_add(r->iface.drops, &r->iface.ndrops, "unknown_type", 3);
	ctl_counter_add(r->iface.drops, &r->iface.ndrops, "short", 1);
	ctl_counter_add(r->iface.drops, &r->iface.ndrops, "unknown_type", 2);

	r->npeers = 2;
	r->peers = calloc(2, sizeof(*r->peers));
	p = &r->peers[0];
	strcpy(p->key, KB);
	strcpy(p->name, "bob");
	strcpy(p->addr4, "10.42.0.2");
	strcpy(p->path, "relayed");
	strcpy(p->via, KA);
	strcpy(p->why, "symmetric NAT on both sides");
	strcpy(p->endpoint, "[2001:db8::1]:6374");
	p->last_handshake = 1700000090;
	p->rtt_us = 12345;
	p->rx_bytes = 1;
	ctl_counter_add(p->drops, &p->ndrops, "replay", 7);
	p = &r->peers[1];
	strcpy(p->key, KA);
	strcpy(p->path, "unreachable");

	r->dht.present = 1;
	strcpy(r->dht.id, KA);
	r->dht.nodes = 42;
	r->dht.nbuckets = 1;
	r->dht.buckets[0].depth = 3;
	r->dht.buckets[0].nodes = 8;
	r->dht.nsearches = 1;
	strcpy(r->dht.searches[0].target, KB);
	strcpy(r->dht.searches[0].kind, "member");
	strcpy(r->dht.searches[0].state, "querying");
	r->reload.present = 1;
	r->reload.added = 2;
}

T_TEST(reply_roundtrip)
{
	struct ctl_reply	r, out;
	struct ctl_writer	w, w2;
	char			err[256];

	fill(&r);
	T_EQ_INT(r.iface.ndrops, 2);
	T_EQ_INT(r.iface.drops[0].value, 5);
	ctl_writer_init(&w, CTL_MAX_REPLY);
	ctl_put_reply(&w, &r);
	T_EQ_INT(ctl_writer_finish(&w, 0, "ignored"), 0);
	T_ASSERT(strstr(w.buf, "\nerror=") == NULL);
	T_ASSERT(w.len > 2 && memcmp(w.buf + w.len - 10, "\nerrno=0\n\n",
	    10) == 0);
	T_EQ_INT(ctl_message_len(w.buf, w.len), w.len);
	err[0] = '\0';
	T_EQ_INT(ctl_reply_decode(w.buf, w.len, &out, err, sizeof(err)), 0);
	T_EQ_STR(err, "");
	T_EQ_INT(out.errnum, 0);
	T_EQ_INT(out.has_iface, 1);
	T_EQ_INT(memcmp(&out.iface, &r.iface, sizeof(r.iface)), 0);
	T_EQ_STR(out.iface.reload_error, r.iface.reload_error);
	T_ASSERT(strstr(w.buf, "\nreload_result=refused\n") != NULL);
	T_EQ_INT(out.npeers, 2);
	if (out.npeers == 2) {
		T_EQ_STR(out.peers[0].why, "symmetric NAT on both sides");
		T_EQ_STR(out.peers[0].endpoint, "[2001:db8::1]:6374");
		T_EQ_INT(memcmp(&out.peers[0], &r.peers[0],
		    sizeof(r.peers[0])), 0);
		T_EQ_INT(memcmp(&out.peers[1], &r.peers[1],
		    sizeof(r.peers[1])), 0);
	}
	T_EQ_INT(memcmp(&out.dht, &r.dht, sizeof(r.dht)), 0);
	T_EQ_INT(memcmp(&out.reload, &r.reload, sizeof(r.reload)), 0);

	/* Re-encoding the decoded reply gives the same bytes. */
	ctl_writer_init(&w2, CTL_MAX_REPLY);
	ctl_put_reply(&w2, &out);
	ctl_writer_finish(&w2, 0, NULL);
	T_EQ_INT(w2.len, w.len);
	T_ASSERT(w2.len == w.len && memcmp(w.buf, w2.buf, w.len) == 0);
	ctl_writer_free(&w2);
	ctl_reply_free(&out);
	ctl_writer_free(&w);
	ctl_reply_free(&r);
}

T_TEST(reply_error)
{
	struct ctl_writer	w;
	struct ctl_reply	out;
	char			err[256];

	ctl_writer_init(&w, 4096);
	T_EQ_INT(ctl_writer_finish(&w, EBUSY, "subnet changed:\n"
	    "restart needed"), 0);
	T_EQ_INT(strlen(w.buf), w.len);		/* NUL-terminated */
	T_EQ_STR(w.buf, "mesh-ctl=1\nerror=subnet changed:?restart needed\n"
	    "errno=16\n\n");
	T_EQ_INT(ctl_reply_decode(w.buf, w.len, &out, err, sizeof(err)), 0);
	T_EQ_INT(out.errnum, EBUSY);
	T_EQ_STR(out.error, "subnet changed:?restart needed");
	ctl_reply_free(&out);
	ctl_writer_free(&w);
}

T_TEST(writer_cap)
{
	struct ctl_writer	w;
	struct ctl_peer		p;
	int			i;

	memset(&p, 0, sizeof(p));
	strcpy(p.key, KA);
	ctl_writer_init(&w, 300);
	for (i = 0; i < 10; i++)
		ctl_put_peer(&w, &p);
	T_EQ_INT(w.failed, EMSGSIZE);
	T_EQ_INT(ctl_writer_finish(&w, 0, NULL), -1);
	ctl_writer_reset(&w);
	T_EQ_INT(ctl_writer_finish(&w, EMSGSIZE, "too big"), 0);
	ctl_writer_free(&w);
}

T_TEST(sanitize)
{
	struct ctl_writer	w;
	struct ctl_peer		p;
	struct ctl_reply	out;
	char			err[256];

	memset(&p, 0, sizeof(p));
	strcpy(p.key, KA);
	strcpy(p.name, "a b\tc");
	strcpy(p.why, "tab\there \xff");
	ctl_writer_init(&w, CTL_MAX_REPLY);
	ctl_put_peer(&w, &p);
	ctl_writer_finish(&w, 0, NULL);
	T_EQ_INT(ctl_reply_decode(w.buf, w.len, &out, err, sizeof(err)), 0);
	T_EQ_INT(out.npeers, 1);
	if (out.npeers == 1) {
		T_EQ_STR(out.peers[0].name, "a_b?c");
		T_EQ_STR(out.peers[0].why, "tab?here ?");
	}
	ctl_reply_free(&out);
	ctl_writer_free(&w);
}

T_TEST(counters)
{
	struct ctl_counter	c[CTL_MAX_COUNTERS];
	size_t			n = 0;
	char			name[16];
	int			i;

	T_EQ_INT(ctl_counter_add(c, &n, "Bad", 1), -1);
	T_EQ_INT(ctl_counter_add(c, &n, "", 1), -1);
	T_EQ_INT(ctl_counter_add(c, &n,
	    "a_name_that_is_much_too_long_for_a_key", 1), -1);
	for (i = 0; i < CTL_MAX_COUNTERS; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		T_EQ_INT(ctl_counter_add(c, &n, name, 1), 0);
	}
	T_EQ_INT(ctl_counter_add(c, &n, "one_more", 1), -1);
	T_EQ_INT(ctl_counter_add(c, &n, "c0", 1), 0);
	T_EQ_INT(c[0].value, 2);
}

T_TEST(reply_compat)
{
	struct ctl_reply	r;
	char			err[256];

	/* unknown keys ignored, in and outside records */
	T_EQ_INT(dec("mesh-ctl=1\nfuture=1\ninterface=mesh-x\nnew_key=a b\n"
	    "peer=" KB "\nnew_key=2\nerrno=0\n\n", &r, err, sizeof(err)), 0);
	T_EQ_STR(r.iface.ifname, "mesh-x");
	T_EQ_INT(r.npeers, 1);
	ctl_reply_free(&r);
}

T_TEST(reply_errors)
{
	char	big[CTL_MAX_LINE + 64];

	expect_bad("", "line 1: message ends");
	expect_bad("mesh-ctl=1\n\n", "line 2: reply ends without errno");
	expect_bad("mesh-ctl=1\nerrno=0\n", "message ends");
	expect_bad("mesh-ctl=1\nerrno=0\nx=y\n\n", "line 3: expected the "
	    "empty line");
	expect_bad("mesh-ctl=1\nerrno=0\n\n\n", "after the end");
	expect_bad("mesh-ctl=1\nerrno=-1\n\n", "bad value for errno");
	expect_bad("mesh-ctl=1\nerrno=4096\n\n", "bad value for errno");
	expect_bad("mesh-ctl=1\nerror=a\nerror=b\nerrno=1\n\n",
	    "duplicate error");
	expect_bad("mesh-ctl=1\nerror=a\ninterface=x\nerrno=1\n\n",
	    "expected errno= after error=");
	expect_bad("mesh-ctl=1\ninterface=a\ninterface=b\nerrno=0\n\n",
	    "line 3: second interface record");
	expect_bad("mesh-ctl=1\ninterface=a\nnetwork=x\nnetwork=y\n"
	    "errno=0\n\n", "line 4: duplicate key network in interface");
	expect_bad("mesh-ctl=1\ninterface=a\nworkbit=x\nerrno=0\n\n",
	    "bad value for workbit: expected a decimal number");
	expect_bad("mesh-ctl=1\ninterface=a\nworkbit=18446744073709551616\n"
	    "errno=0\n\n", "bad value for workbit");
	expect_bad("mesh-ctl=1\ninterface=a\nworkbit=007\nerrno=0\n\n",
	    "bad value for workbit");
	expect_bad("mesh-ctl=1\ninterface=a\nlisten_port=65536\nerrno=0\n\n",
	    "port number");
	expect_bad("mesh-ctl=1\ninterface=a\naddress4=10.0.0.256\nerrno=0\n\n",
	    "IPv4 address");
	expect_bad("mesh-ctl=1\ninterface=a\naddress4=10.0.0.1/33\nerrno=0\n\n",
	    "IPv4 address");
	expect_bad("mesh-ctl=1\ninterface=a\naddress6=fd::1/129\nerrno=0\n\n",
	    "IPv6 address");
	expect_bad("mesh-ctl=1\ninterface=a\nreflexive=1.2.3.4\nerrno=0\n\n",
	    "host:port");
	expect_bad("mesh-ctl=1\ninterface=a\nreflexive=[::1:5\nerrno=0\n\n",
	    "host:port");
	expect_bad("mesh-ctl=1\ninterface=a\nreflexive=[zz]:5\nerrno=0\n\n",
	    "host:port");
	expect_bad("mesh-ctl=1\ninterface=a\nreflexive=a]:5\nerrno=0\n\n",
	    "host:port");
	expect_bad("mesh-ctl=1\ninterface=a\nnat=a b\nerrno=0\n\n",
	    "one word");
	expect_bad("mesh-ctl=1\ninterface=a\nnat=\nerrno=0\n\n", "one word");
	expect_bad("mesh-ctl=1\ninterface=this-is-too-long\nerrno=0\n\n",
	    "longer than 15");
	expect_bad("mesh-ctl=1\npeer=abc\nerrno=0\n\n", "a key");
	expect_bad("mesh-ctl=1\npeer=" KB "x\nerrno=0\n\n", "a key");
	/* standard base64 is not the canonical form */
	expect_bad("mesh-ctl=1\npeer=q2ZX0SbSrUHl5cs8l0GAqvLmnGkGfGrZQUAgg3eY"
	    "LD+\nerrno=0\n\n", "a key");
	/* non-zero trailing bits */
	expect_bad("mesh-ctl=1\npeer=q2ZX0SbSrUHl5cs8l0GAqvLmnGkGfGrZQUAgg3eY"
	    "LDV\nerrno=0\n\n", "a key");
	expect_bad("mesh-ctl=1\npeer=" KB "\ndrop_a-b=1\nerrno=0\n\n",
	    "bad counter name");
	expect_bad("mesh-ctl=1\npeer=" KB "\ndrop_x=1\ndrop_x=2\nerrno=0\n\n",
	    "duplicate key drop_x");
	expect_bad("mesh-ctl=1\npeer=" KB "\ndrop_x=y\nerrno=0\n\n",
	    "bad value for drop_x");
	expect_bad("mesh-ctl=1\nbucket=1\nerrno=0\n\n", "bucket before dht");
	expect_bad("mesh-ctl=1\nsearch=" KB "\nerrno=0\n\n",
	    "search before dht");
	expect_bad("mesh-ctl=1\ndht=" KB "\ndht=" KB "\nerrno=0\n\n",
	    "second dht record");
	expect_bad("mesh-ctl=1\nreload=yes\nerrno=0\n\n", "expected done");
	expect_bad("mesh-ctl=1\nreload=done\nreload=done\nerrno=0\n\n",
	    "second reload");

	memset(big, 'a', sizeof(big));
	memcpy(big, "mesh-ctl=1\nwhy=", 15);
	strcpy(big + sizeof(big) - 12, "\nerrno=0\n\n");
	expect_bad(big, "line 2: line longer than");
}

T_TEST(reply_caps)
{
	struct ctl_writer	w;
	struct ctl_reply	r;
	struct ctl_peer		p;
	struct ctl_bucket	b;
	char			err[256];
	int			i;

	memset(&p, 0, sizeof(p));
	strcpy(p.key, KB);
	ctl_writer_init(&w, CTL_MAX_REPLY);
	for (i = 0; i <= CTL_MAX_PEERS; i++)
		ctl_put_peer(&w, &p);
	ctl_writer_finish(&w, 0, NULL);
	T_EQ_INT(ctl_reply_decode(w.buf, w.len, &r, err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "more than 4096 peers") != NULL);
	ctl_reply_free(&r);

	ctl_writer_reset(&w);
	{
		struct ctl_dht	*d = calloc(1, sizeof(*d));

		d->present = 1;
		strcpy(d->id, KA);
		ctl_put_dht(&w, d);
		free(d);
	}
	memset(&b, 0, sizeof(b));
	for (i = 0; i <= CTL_MAX_BUCKETS; i++) {
		char	line[32];

		snprintf(line, sizeof(line), "bucket=%d\n", i);
		/* write raw records past the cap */
		if (w.len + strlen(line) < w.cap) {
			memcpy(w.buf + w.len, line, strlen(line));
			w.len += strlen(line);
		}
	}
	ctl_writer_finish(&w, 0, NULL);
	T_EQ_INT(ctl_reply_decode(w.buf, w.len, &r, err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "more than 257 buckets") != NULL);
	ctl_reply_free(&r);
	ctl_writer_free(&w);
}

static void
fill_lookup(struct ctl_lookup *l)
{
	memset(l, 0, sizeof(*l));
	l->present = 1;
	strcpy(l->key, KA);
	l->found = 1;
	l->rounds = 3;
	l->messages = 14;
	l->elapsed_ms = 212;
	strcpy(l->eps[0].endpoint, "192.0.2.3:6374");
	l->eps[0].reachable = 1;
	strcpy(l->eps[1].endpoint, "[2001:db8::7]:40000");
	l->neps = 2;
	strcpy(l->rvs[0].key, KB);
	strcpy(l->rvs[0].endpoint, "203.0.113.5:6374");
	strcpy(l->rvs[0].observed, "198.51.100.9:41234");
	l->nrvs = 1;
}

T_TEST(lookup_roundtrip)
{
	struct ctl_request	rq = { CTL_CMD_LOOKUP, KB }, rout;
	struct ctl_reply	r, out;
	struct ctl_writer	w, w2;
	char			buf[CTL_MAX_REQUEST], err[256];
	size_t			n;

	/* the request: a key fits in arg */
	n = ctl_request_encode(&rq, buf, sizeof(buf));
	T_ASSERT(n > 0);
	buf[n] = '\0';
	T_EQ_STR(buf, "mesh-ctl=1\ncmd=lookup\narg=" KB "\n\n");
	T_EQ_INT(ctl_request_decode(buf, n, &rout, err, sizeof(err)), 0);
	T_EQ_INT(rout.cmd, CTL_CMD_LOOKUP);
	T_EQ_STR(rout.arg, KB);
	T_EQ_STR(ctl_cmd_name(CTL_CMD_LOOKUP), "lookup");

	memset(&r, 0, sizeof(r));
	fill_lookup(&r.lookup);
	ctl_writer_init(&w, CTL_MAX_REPLY);
	ctl_put_reply(&w, &r);
	T_EQ_INT(ctl_writer_finish(&w, 0, NULL), 0);
	T_EQ_STR(w.buf, "mesh-ctl=1\nlookup=" KA "\nfound=1\nrounds=3\n"
	    "messages=14\nelapsed_ms=212\n"
	    "lookup_endpoint=192.0.2.3:6374\nreachable=1\n"
	    "lookup_endpoint=[2001:db8::7]:40000\nreachable=0\n"
	    "rendezvous=" KB "\nendpoint=203.0.113.5:6374\n"
	    "observed=198.51.100.9:41234\nerrno=0\n\n");
	err[0] = '\0';
	T_EQ_INT(ctl_reply_decode(w.buf, w.len, &out, err, sizeof(err)), 0);
	T_EQ_STR(err, "");
	T_EQ_INT(memcmp(&out.lookup, &r.lookup, sizeof(r.lookup)), 0);
	T_EQ_INT(out.has_iface, 0);
	ctl_writer_init(&w2, CTL_MAX_REPLY);
	ctl_put_reply(&w2, &out);
	ctl_writer_finish(&w2, 0, NULL);
	T_ASSERT(w2.len == w.len && memcmp(w.buf, w2.buf, w.len) == 0);
	ctl_writer_free(&w2);
	ctl_reply_free(&out);

	/* nothing when absent */
	r.lookup.present = 0;
	ctl_writer_reset(&w);
	ctl_put_lookup(&w, &r.lookup);
	T_EQ_STR(w.buf, "mesh-ctl=1\n");
	ctl_writer_free(&w);
}

T_TEST(lookup_errors)
{
	struct ctl_writer	w;
	struct ctl_reply	r;
	struct ctl_lookup	l;
	char			err[256];
	size_t			i;

	expect_bad("mesh-ctl=1\nlookup_endpoint=192.0.2.1:1\nerrno=0\n\n",
	    "line 2: lookup_endpoint before lookup");
	expect_bad("mesh-ctl=1\nrendezvous=" KA "\nerrno=0\n\n",
	    "rendezvous before lookup");
	expect_bad("mesh-ctl=1\nlookup=" KA "\nlookup=" KA "\nerrno=0\n\n",
	    "second lookup record");
	expect_bad("mesh-ctl=1\nlookup=nokey\nerrno=0\n\n",
	    "bad value for lookup");
	expect_bad("mesh-ctl=1\nlookup=" KA "\nfound=1\nfound=0\n"
	    "errno=0\n\n", "duplicate key found in lookup record");
	expect_bad("mesh-ctl=1\nlookup=" KA "\nlookup_endpoint=192.0.2.1\n"
	    "errno=0\n\n", "bad value for lookup_endpoint");
	expect_bad("mesh-ctl=1\nlookup=" KA "\nrendezvous=" KB "\n"
	    "observed=x\nerrno=0\n\n", "bad value for observed");
	/* the caps */
	memset(&l, 0, sizeof(l));
	l.present = 1;
	strcpy(l.key, KA);
	l.neps = CTL_MAX_LOOKUP_EPS;
	for (i = 0; i < l.neps; i++)
		snprintf(l.eps[i].endpoint, sizeof(l.eps[i].endpoint),
		    "192.0.2.1:%zu", i + 1);
	ctl_writer_init(&w, CTL_MAX_REPLY);
	ctl_put_lookup(&w, &l);
	ctl_writer_finish(&w, 0, NULL);
	T_EQ_INT(ctl_reply_decode(w.buf, w.len, &r, err, sizeof(err)), 0);
	T_EQ_INT(r.lookup.neps, CTL_MAX_LOOKUP_EPS);
	ctl_reply_free(&r);
	/* one more, by hand, before the envelope's end */
	{
		char	*big = malloc(w.len + 64);

		memcpy(big, w.buf, w.len - strlen("errno=0\n\n"));
		strcpy(big + w.len - strlen("errno=0\n\n"),
		    "lookup_endpoint=192.0.2.1:99\nerrno=0\n\n");
		T_EQ_INT(dec(big, &r, err, sizeof(err)), -1);
		T_ASSERT(strstr(err, "more than 16 lookup endpoints") !=
		    NULL);
		ctl_reply_free(&r);
		free(big);
	}
	ctl_writer_free(&w);
}

int
main(void)
{
	T_RUN(message_len);
	T_RUN(request_roundtrip);
	T_RUN(request_errors);
	T_RUN(reply_roundtrip);
	T_RUN(reply_error);
	T_RUN(writer_cap);
	T_RUN(sanitize);
	T_RUN(counters);
	T_RUN(reply_compat);
	T_RUN(reply_errors);
	T_RUN(reply_caps);
	T_RUN(lookup_roundtrip);
	T_RUN(lookup_errors);
	return t_done();
}
