/* joinstr.c: join strings, encoded and decoded. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "common/base64.h"
#include "netconf/joinstr.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "t.h"

static void
fill(struct joinstr *js)
{
	memset(js, 0, sizeof(*js));
	snprintf(js->name, sizeof(js->name), "office");
	snprintf(js->ns, sizeof(js->ns), "public");
	js->version = 300;
	js->nadmins = 1;
	memset(js->admins[0], 0xa1, KEY_LEN);
	js->nboots = 2;
	memset(js->boots[0].key, 0xb0, KEY_LEN);
	snprintf(js->boots[0].ep.host, sizeof(js->boots[0].ep.host),
	    "boot.example.org");
	js->boots[0].ep.port = 6374;
	memset(js->boots[1].key, 0xb1, KEY_LEN);
	snprintf(js->boots[1].ep.host, sizeof(js->boots[1].ep.host),
	    "2001:db8::1");
	js->boots[1].ep.port = 65535;
	js->ncontacts = 1;
	memset(js->contacts[0], 0xc0, KEY_LEN);
}

static int
same(const struct joinstr *a, const struct joinstr *b)
{
	size_t	i;

	if (strcmp(a->name, b->name) || strcmp(a->ns, b->ns) ||
	    a->version != b->version || a->nadmins != b->nadmins ||
	    a->nboots != b->nboots)
		return 0;
	for (i = 0; i < a->nadmins; i++)
		if (memcmp(a->admins[i], b->admins[i], KEY_LEN))
			return 0;
	for (i = 0; i < a->nboots; i++)
		if (memcmp(a->boots[i].key, b->boots[i].key, KEY_LEN) ||
		    strcmp(a->boots[i].ep.host, b->boots[i].ep.host) ||
		    a->boots[i].ep.port != b->boots[i].ep.port)
			return 0;
	if (a->ncontacts != b->ncontacts)
		return 0;
	for (i = 0; i < a->ncontacts; i++)
		if (memcmp(a->contacts[i], b->contacts[i], KEY_LEN))
			return 0;
	return 1;
}

static void
expect_bad(const char *s, const char *msg)
{
	struct joinstr	js;
	char		err[256];

	if (joinstr_decode(&js, s, err, sizeof(err)) == 0) {
		T_FAIL("accepted %s", s);
		return;
	}
	if (strcmp(err, msg) != 0)
		T_FAIL("got \"%s\", expected \"%s\" for %s", err, msg, s);
}

T_TEST(round_trip)
{
	struct joinstr	a, b;
	char		s[JOINSTR_MAX_LEN], err[256];
	int		n;
	uint64_t	versions[] = { 0, 1, 127, 128, 16383, 16384,
	    UINT64_MAX - 1, UINT64_MAX };
	size_t		i;

	fill(&a);
	n = joinstr_encode(&a, s, sizeof(s));
	T_ASSERT(n > 0);
	T_EQ_INT(strlen(s), n);
	T_EQ_INT(strncmp(s, "mesh1:", 6), 0);
	T_EQ_INT(joinstr_decode(&b, s, err, sizeof(err)), 0);
	T_ASSERT(same(&a, &b));
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		a.version = versions[i];
		T_ASSERT(joinstr_encode(&a, s, sizeof(s)) > 0);
		T_EQ_INT(joinstr_decode(&b, s, err, sizeof(err)), 0);
		T_ASSERT(b.version == versions[i]);
	}
	/* another namespace, no boot node, no contact, the most admins */
	fill(&a);
	snprintf(a.ns, sizeof(a.ns), "lab");
	a.nboots = 0;
	a.ncontacts = 0;
	a.nadmins = JOIN_MAX_ADMINS;
	for (i = 0; i < JOIN_MAX_ADMINS; i++)
		memset(a.admins[i], (int)i + 1, KEY_LEN);
	T_ASSERT(joinstr_encode(&a, s, sizeof(s)) > 0);
	T_EQ_INT(joinstr_decode(&b, s, err, sizeof(err)), 0);
	T_ASSERT(same(&a, &b));
	/* the longest: fits JOINSTR_MAX_LEN */
	fill(&a);
	memset(a.name, 'n', NETCONF_NAME_MAX);
	a.name[NETCONF_NAME_MAX] = '\0';
	memset(a.ns, 's', NETCONF_NAME_MAX);
	a.ns[NETCONF_NAME_MAX] = '\0';
	a.version = UINT64_MAX;
	a.nadmins = JOIN_MAX_ADMINS;
	a.nboots = JOIN_MAX_BOOTS;
	a.ncontacts = JOIN_MAX_CONTACTS;
	for (i = 0; i < JOIN_MAX_BOOTS; i++) {
		size_t	j;

		/* a.a.a...z: a DNS name of 251 characters (253 at most) */
		for (j = 0; j + 2 < 252; j += 2)
			memcpy(a.boots[i].ep.host + j, "a.", 2);
		a.boots[i].ep.host[j] = 'z';
		a.boots[i].ep.host[j + 1] = '\0';
		a.boots[i].ep.port = 1;
	}
	n = joinstr_encode(&a, s, sizeof(s));
	T_ASSERT(n > 0);
	T_ASSERT((size_t)n < JOINSTR_MAX_LEN);
	T_EQ_INT(joinstr_decode(&b, s, err, sizeof(err)), 0);
	T_ASSERT(same(&a, &b));
	/* too small an output, invalid contents */
	fill(&a);
	T_EQ_INT(joinstr_encode(&a, s, 20), -1);
	a.nadmins = 0;
	T_EQ_INT(joinstr_encode(&a, s, sizeof(s)), -1);
}

T_TEST(from_netconf)
{
	struct netconf	nc;
	struct joinstr	js, back;
	char		s[JOINSTR_MAX_LEN], err[256];
	int		line;
	const char	*text = "name office\nworkbit 0\nsubnet 10.1.0.0/24\n"
	    "version 12\n"
	    "admin AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "boot BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA 192.0.2.1:7000\n"
	    "trust a CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA\n"
	    "trust b DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDA gw.example\n";
	uint8_t		 c[KEY_LEN], dd[KEY_LEN];

	T_EQ_INT(netconf_parse(text, strlen(text), &nc, &line, err,
	    sizeof(err)), 0);
	joinstr_from_netconf(&js, &nc);
	T_EQ_STR(js.name, "office");
	T_ASSERT(js.version == 12);
	T_EQ_INT(js.nadmins, 1);
	T_EQ_INT(js.nboots, 1);
	T_EQ_INT(js.boots[0].ep.port, 7000);
	/* the member with an endpoint first */
	T_EQ_INT(js.ncontacts, 2);
	key_from_text(c, "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA", 43);
	key_from_text(dd, "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDA", 43);
	T_EQ_MEM(js.contacts[0], dd, KEY_LEN);
	T_EQ_MEM(js.contacts[1], c, KEY_LEN);
	js.ncontacts = 1;
	T_ASSERT(joinstr_encode(&js, s, sizeof(s)) > 0);
	/* short enough to paste: under 200 characters */
	T_ASSERT(strlen(s) < 200);
	T_EQ_INT(joinstr_decode(&back, s, err, sizeof(err)), 0);
	T_ASSERT(same(&js, &back));
	netconf_free(&nc);
}

T_TEST(damaged)
{
	struct joinstr	a, b;
	char		s[JOINSTR_MAX_LEN], t[JOINSTR_MAX_LEN], err[256];
	size_t		i, n;

	fill(&a);
	n = (size_t)joinstr_encode(&a, s, sizeof(s));
	expect_bad("", "not a join string; expected one starting with "
	    "\"mesh1:\"");
	expect_bad("mesh2:AAAA", "not a join string; expected one starting "
	    "with \"mesh1:\"");
	expect_bad("mesh1:", "not a join string: cut, or not base64url after "
	    "\"mesh1:\"");
	expect_bad("mesh1:!!!!!!!!!!!!!!", "not a join string: cut, or not "
	    "base64url after \"mesh1:\"");
	/* every single changed character is caught */
	for (i = 6; i < n; i++) {
		memcpy(t, s, n + 1);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		if (joinstr_decode(&b, t, err, sizeof(err)) == 0)
			T_FAIL("character %zu changed: accepted", i);
	}
	/* cut anywhere */
	for (i = 6; i < n; i++) {
		memcpy(t, s, i);
		t[i] = '\0';
		if (joinstr_decode(&b, t, err, sizeof(err)) == 0)
			T_FAIL("cut at %zu: accepted", i);
	}
	memcpy(t, s, n + 1);
	t[n - 1] = t[n - 1] == 'A' ? 'B' : 'A';
	T_EQ_INT(joinstr_decode(&b, t, err, sizeof(err)), -1);
}

/* Valid checksums around invalid contents. */
static void
craft(char *out, const uint8_t *b, size_t n)
{
	uint8_t	 buf[512];
	uint32_t c = 0xffffffffu;
	size_t	 i;
	int	 k;

	memcpy(buf, b, n);
	for (i = 0; i < n; i++) {
		c ^= b[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	c ^= 0xffffffffu;
	buf[n] = (uint8_t)(c >> 24);
	buf[n + 1] = (uint8_t)(c >> 16);
	buf[n + 2] = (uint8_t)(c >> 8);
	buf[n + 3] = (uint8_t)c;
	memcpy(out, "mesh1:", 6);
	base64_encode(out + 6, buf, n + 4);
}

T_TEST(invalid_fields)
{
	uint8_t	b[256];
	char	s[1024];
	size_t	n;

	/* format 2 */
	memcpy(b, "\x02\x01x\x00\x00\x01", 6);
	memset(b + 6, 1, 32);
	b[38] = 0;
	b[39] = 0;
	craft(s, b, 40);
	expect_bad(s, "unknown join string format 2; a newer mesh made it?");
	/* a bad network name */
	memcpy(b, "\x01\x02x:\x00\x00\x01", 7);
	memset(b + 7, 1, 32);
	b[39] = 0;
	b[40] = 0;
	craft(s, b, 41);
	T_EQ_INT(strncmp(s, "mesh1:", 6), 0);
	{
		struct joinstr	js;
		char		err[256];

		T_EQ_INT(joinstr_decode(&js, s, err, sizeof(err)), -1);
		T_EQ_INT(strncmp(err, "network name: ", 14), 0);
	}
	/* no admin */
	memcpy(b, "\x01\x01x\x00\x00\x00\x00", 7);
	craft(s, b, 7);
	expect_bad(s, "expected 1 to 4 admin keys");
	/* a boot node with port 0 */
	n = 0;
	memcpy(b, "\x01\x01x\x00\x05\x01", 6);
	n = 6;
	memset(b + n, 1, 32);
	n += 32;
	b[n++] = 1;
	memset(b + n, 2, 32);
	n += 32;
	b[n++] = 1;
	b[n++] = 'h';
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = 0;
	craft(s, b, n);
	expect_bad(s, "boot node 1: bad host or port");
	/* trailing bytes */
	memcpy(b, "\x01\x01x\x00\x05\x01", 6);
	memset(b + 6, 1, 32);
	b[38] = 0;
	b[39] = 0;
	b[40] = 9;
	craft(s, b, 41);
	expect_bad(s, "unexpected bytes after the contacts");
	/* too many contacts */
	b[39] = JOIN_MAX_CONTACTS + 1;
	craft(s, b, 40);
	expect_bad(s, "expected 0 to 4 contacts");
	/* a version of more than 64 bits */
	memcpy(b, "\x01\x01x\x00", 4);
	memset(b + 4, 0xff, 9);
	b[13] = 0x02;
	b[14] = 1;
	memset(b + 15, 1, 32);
	b[47] = 0;
	b[48] = 0;
	craft(s, b, 49);
	expect_bad(s, "bad version");
	/* the smallest valid one */
	memcpy(b, "\x01\x01x\x00\x00\x01", 6);
	memset(b + 6, 1, 32);
	b[38] = 0;
	b[39] = 0;
	craft(s, b, 40);
	{
		struct joinstr	js;
		char		err[256];

		T_EQ_INT(joinstr_decode(&js, s, err, sizeof(err)), 0);
		T_EQ_STR(js.ns, "public");
		T_EQ_STR(js.name, "x");
	}
}

int
main(void)
{
	T_RUN(round_trip);
	T_RUN(from_netconf);
	T_RUN(damaged);
	T_RUN(invalid_fields);
	return t_done();
}
