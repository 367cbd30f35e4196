/* The control protocol: key=value lines, encoded and decoded against one
 * table of fields per record kind, so that both ends agree by construction.
 * Pure: no I/O, no globals beyond constant tables. This file holds the
 * value syntax, the requests (both ways) and the reply decoder; the tables
 * are in ctlproto-fields.c, the reply encoder in ctlproto-writer.c. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/base64.h"
#include "control/ctlproto.h"
#include "control/ctlproto-int.h"
#include "common/util.h"

static const char *const cmd_names[] = {
	[CTL_CMD_SHOW] = "show",
	[CTL_CMD_RELOAD] = "reload",
	[CTL_CMD_DOWN] = "down",
	[CTL_CMD_LOOKUP] = "lookup",
};

const char *
ctl_cmd_name(enum ctl_cmd c)
{
	if ((size_t)c < ARRAY_SIZE(cmd_names) && cmd_names[c] != NULL)
		return cmd_names[c];
	return "none";
}

size_t
ctl_message_len(const char *buf, size_t len)
{
	size_t	i;

	if (len > 0 && buf[0] == '\n')
		return 1;
	for (i = 1; i < len; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\n')
			return i + 1;
	return 0;
}

/* --- value syntax, shared by both ends --- */

static int
is_keychar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '-';
}

static int
valid_keyname(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > CTL_KEYNAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_keychar(s[i]))
			return 0;
	return 1;
}

int
ctl_valid_counter_name(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len >= CTL_TOKEN_SIZE)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
valid_token(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

static int
valid_text(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (s[i] < ' ' || s[i] > '~')
			return 0;
	return 1;
}

static int
valid_key(const char *s, size_t len)
{
	uint8_t	k[KEY_LEN];
	size_t	i;

	if (len != KEY_TEXT_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return 0;
	return base64_decode(k, sizeof(k), s, len) == 0;
}

/* A whole decimal number (no sign, no leading zeros) up to max. */
static int
parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* addr[/prefix] of family af. */
static int
valid_addr(const char *s, size_t len, int af)
{
	char		 tmp[CTL_ADDR_SIZE];
	unsigned char	 bin[16];
	const char	*slash;
	uint64_t	 plen;

	if (len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if ((slash = strchr(tmp, '/')) != NULL) {
		if (parse_u64(slash + 1, strlen(slash + 1),
		    af == AF_INET ? 32 : 128, &plen) == -1)
			return 0;
		tmp[slash - tmp] = '\0';
	}
	return inet_pton(af, tmp, bin) == 1;
}

/* host:port, [v6]:port; the host is a token without '[' ']' except as
 * brackets around an IPv6 literal. */
static int
valid_endpoint(const char *s, size_t len)
{
	uint64_t	 port;
	size_t		 colon;

	if (!valid_token(s, len))
		return 0;
	for (colon = len; colon > 0; colon--)
		if (s[colon - 1] == ':')
			break;
	if (colon < 2)
		return 0;
	if (parse_u64(s + colon, len - colon, 65535, &port) == -1)
		return 0;
	if (s[0] == '[') {
		char	tmp[CTL_ADDR_SIZE];
		size_t	hl = colon - 1;		/* up to the ':' */

		if (hl < 3 || s[hl - 1] != ']' || hl - 2 >= sizeof(tmp))
			return 0;
		memcpy(tmp, s + 1, hl - 2);
		tmp[hl - 2] = '\0';
		return valid_addr(tmp, hl - 2, AF_INET6);
	}
	return memchr(s, '[', colon) == NULL && memchr(s, ']', colon) == NULL;
}

/* --- requests --- */

size_t
ctl_request_encode(const struct ctl_request *rq, char *buf, size_t bufsz)
{
	int	n;
	size_t	alen = strlen(rq->arg);

	if (rq->cmd < CTL_CMD_SHOW || rq->cmd > CTL_CMD_LOOKUP)
		return 0;
	if (alen >= sizeof(rq->arg) || !valid_token(rq->arg, alen))
		return 0;
	if (alen > 0)
		n = snprintf(buf, bufsz, "%s=%d\ncmd=%s\narg=%s\n\n",
		    CTL_HEADER, CTL_VERSION, ctl_cmd_name(rq->cmd), rq->arg);
	else
		n = snprintf(buf, bufsz, "%s=%d\ncmd=%s\n\n", CTL_HEADER,
		    CTL_VERSION, ctl_cmd_name(rq->cmd));
	if (n < 0 || (size_t)n >= bufsz)
		return 0;
	return (size_t)n;
}

/* Line iterator over a message: splits "key=value\n" lines and checks the
 * syntax common to requests and replies. */
struct ctl_lines {
	const char	*buf;
	size_t		 len, pos;
	int		 lineno;
	char		*err;
	size_t		 errlen;
};

static int	lines_err(struct ctl_lines *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
lines_err(struct ctl_lines *l, const char *fmt, ...)
{
	va_list	ap;
	int	n = 0;

	if (l->errlen == 0)
		return -1;
	if (l->lineno > 0)
		n = snprintf(l->err, l->errlen, "line %d: ", l->lineno);
	if (n < 0 || (size_t)n >= l->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Next line: 1 with key/value set, 0 at the empty line ending the message,
 * -1 on error. */
static int
lines_next(struct ctl_lines *l, const char **key, size_t *klen,
    const char **val, size_t *vlen)
{
	const char	*p, *nl, *eq;
	size_t		 left = l->len - l->pos;

	l->lineno++;
	p = l->buf + l->pos;
	if ((nl = memchr(p, '\n', left)) == NULL) {
		if (left >= CTL_MAX_LINE)
			return lines_err(l, "line longer than %d bytes",
			    CTL_MAX_LINE - 1);
		return lines_err(l, "message ends without an empty line");
	}
	if ((size_t)(nl - p) >= CTL_MAX_LINE)
		return lines_err(l, "line longer than %d bytes",
		    CTL_MAX_LINE - 1);
	l->pos += (size_t)(nl - p) + 1;
	if (nl == p)
		return 0;
	if ((eq = memchr(p, '=', (size_t)(nl - p))) == NULL)
		return lines_err(l, "expected key=value");
	*key = p;
	*klen = (size_t)(eq - p);
	*val = eq + 1;
	*vlen = (size_t)(nl - eq - 1);
	if (!valid_keyname(*key, *klen))
		return lines_err(l, "bad key: expected 1 to %d characters "
		    "of a-z, 0-9, '_', '-'", CTL_KEYNAME_MAX);
	if (!valid_text(*val, *vlen))
		return lines_err(l, "bad value for %.*s: control character "
		    "or non-ASCII byte", (int)*klen, *key);
	return 1;
}

static int
keyis(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(k, name, klen) == 0;
}

static int
lines_header(struct ctl_lines *l)
{
	const char	*k, *v;
	size_t		 kl, vl;
	uint64_t	 ver;
	int		 rc;

	if ((rc = lines_next(l, &k, &kl, &v, &vl)) == -1)
		return -1;
	if (rc == 0 || !keyis(k, kl, CTL_HEADER))
		return lines_err(l, "expected %s=%d first", CTL_HEADER,
		    CTL_VERSION);
	if (parse_u64(v, vl, UINT32_MAX, &ver) == -1)
		return lines_err(l, "bad protocol version");
	if (ver != CTL_VERSION)
		return lines_err(l, "protocol version %llu not supported "
		    "(this mesh speaks %d)", (unsigned long long)ver,
		    CTL_VERSION);
	return 0;
}

int
ctl_request_decode(const char *buf, size_t len, struct ctl_request *rq,
    char *err, size_t errlen)
{
	struct ctl_lines l = { buf, len, 0, 0, err, errlen };
	const char	*k, *v;
	size_t		 kl, vl;
	int		 rc, seen_arg = 0;
	enum ctl_cmd	 c;

	memset(rq, 0, sizeof(*rq));
	if (len > CTL_MAX_REQUEST)
		return lines_err(&l, "request longer than %d bytes",
		    CTL_MAX_REQUEST);
	if (lines_header(&l) == -1)
		return -1;
	while ((rc = lines_next(&l, &k, &kl, &v, &vl)) == 1) {
		if (keyis(k, kl, "cmd")) {
			if (rq->cmd != CTL_CMD_NONE)
				return lines_err(&l, "duplicate cmd");
			for (c = CTL_CMD_SHOW; c <= CTL_CMD_LOOKUP; c++)
				if (keyis(v, vl, ctl_cmd_name(c)))
					rq->cmd = c;
			if (rq->cmd == CTL_CMD_NONE)
				return lines_err(&l, "unknown command '%.*s': "
				    "expected show, reload, down or lookup",
				    (int)vl,
				    v);
		} else if (keyis(k, kl, "arg")) {
			if (seen_arg++)
				return lines_err(&l, "duplicate arg");
			if (vl >= sizeof(rq->arg) || !valid_token(v, vl))
				return lines_err(&l, "bad arg: expected one "
				    "word of at most %zu characters",
				    sizeof(rq->arg) - 1);
			memcpy(rq->arg, v, vl);
			rq->arg[vl] = '\0';
		}
		/* other keys: from a newer client, ignored */
	}
	if (rc == -1)
		return -1;
	if (rq->cmd == CTL_CMD_NONE)
		return lines_err(&l, "request without cmd=");
	if (l.pos != len)
		return lines_err(&l, "data after the end of the request");
	return 0;
}

/* --- the reply decoder --- */

struct ctl_dec {
	struct ctl_lines  l;
	struct ctl_reply *r;
	enum ctl_rec	  cur;
	void		 *rec;		/* the record being filled */
	uint64_t	  seen;		/* fields of it seen so far */
	size_t		  peercap;
};

static int
dec_value(struct ctl_dec *d, const struct ctl_field *f, const char *v,
    size_t vl)
{
	char		*p = (char *)d->rec + f->off;
	uint64_t	 u;
	int		 ok = 1;
	const char	*expect = NULL;

	switch (f->type) {
	case F_U64:
		if (parse_u64(v, vl, UINT64_MAX, &u) == -1)
			expect = "a decimal number";
		else
			memcpy(p, &u, sizeof(u));
		return expect ? lines_err(&d->l, "bad value for %s: "
		    "expected %s", f->name, expect) : 0;
	case F_PORT:
		if (parse_u64(v, vl, 65535, &u) == -1)
			return lines_err(&d->l, "bad value for %s: expected "
			    "a port number (0-65535)", f->name);
		memcpy(p, &u, sizeof(u));
		return 0;
	case F_DONE:
		if (!keyis(v, vl, "done"))
			return lines_err(&d->l, "bad value for %s: expected "
			    "done", f->name);
		memcpy(p, &ok, sizeof(ok));	/* present = 1 */
		return 0;
	case F_TOKEN:
		ok = vl > 0 && valid_token(v, vl);
		expect = "one word without blanks";
		break;
	case F_TEXT:
		ok = 1;
		break;
	case F_KEY:
		ok = valid_key(v, vl);
		expect = "a key (43 characters of base64url)";
		break;
	case F_ADDR4:
		ok = valid_addr(v, vl, AF_INET);
		expect = "an IPv4 address with an optional /prefix";
		break;
	case F_ADDR6:
		ok = valid_addr(v, vl, AF_INET6);
		expect = "an IPv6 address with an optional /prefix";
		break;
	case F_ENDPOINT:
		ok = valid_endpoint(v, vl);
		expect = "host:port or [IPv6]:port";
		break;
	}
	if (!ok)
		return lines_err(&d->l, "bad value for %s: expected %s",
		    f->name, expect);
	if (vl >= f->size)
		return lines_err(&d->l, "value for %s longer than %zu "
		    "characters", f->name, f->size - 1);
	memcpy(p, v, vl);
	p[vl] = '\0';
	return 0;
}

/* Start a record of kind rt; returns its storage or NULL on error. */
static int
dec_start(struct ctl_dec *d, enum ctl_rec rt)
{
	struct ctl_reply *r = d->r;

	switch (rt) {
	case REC_IFACE:
		if (r->has_iface)
			return lines_err(&d->l, "second interface record");
		r->has_iface = 1;
		d->rec = &r->iface;
		break;
	case REC_PEER:
		if (r->npeers >= CTL_MAX_PEERS)
			return lines_err(&d->l, "more than %d peers",
			    CTL_MAX_PEERS);
		if (r->npeers == d->peercap) {
			size_t		 ncap = d->peercap ? d->peercap * 2 : 16;
			struct ctl_peer	*np;

			if (ncap > CTL_MAX_PEERS)
				ncap = CTL_MAX_PEERS;
			np = reallocarray(r->peers, ncap, sizeof(*np));
			if (np == NULL)
				return lines_err(&d->l, "out of memory");
			r->peers = np;
			d->peercap = ncap;
		}
		d->rec = &r->peers[r->npeers++];
		memset(d->rec, 0, sizeof(struct ctl_peer));
		break;
	case REC_DHT:
		if (r->dht.present)
			return lines_err(&d->l, "second dht record");
		r->dht.present = 1;
		d->rec = &r->dht;
		break;
	case REC_BUCKET:
		if (!r->dht.present)
			return lines_err(&d->l, "bucket before dht");
		if (r->dht.nbuckets >= CTL_MAX_BUCKETS)
			return lines_err(&d->l, "more than %d buckets",
			    CTL_MAX_BUCKETS);
		d->rec = &r->dht.buckets[r->dht.nbuckets++];
		break;
	case REC_SEARCH:
		if (!r->dht.present)
			return lines_err(&d->l, "search before dht");
		if (r->dht.nsearches >= CTL_MAX_SEARCHES)
			return lines_err(&d->l, "more than %d searches",
			    CTL_MAX_SEARCHES);
		d->rec = &r->dht.searches[r->dht.nsearches++];
		break;
	case REC_RELOAD:
		if (r->reload.present)
			return lines_err(&d->l, "second reload record");
		d->rec = &r->reload;
		break;
	case REC_LOOKUP:
		if (r->lookup.present)
			return lines_err(&d->l, "second lookup record");
		r->lookup.present = 1;
		d->rec = &r->lookup;
		break;
	case REC_LOOKUP_EP:
		if (!r->lookup.present)
			return lines_err(&d->l, "lookup_endpoint before lookup");
		if (r->lookup.neps >= CTL_MAX_LOOKUP_EPS)
			return lines_err(&d->l, "more than %d lookup endpoints",
			    CTL_MAX_LOOKUP_EPS);
		d->rec = &r->lookup.eps[r->lookup.neps++];
		break;
	case REC_LOOKUP_RV:
		if (!r->lookup.present)
			return lines_err(&d->l, "rendezvous before lookup");
		if (r->lookup.nrvs >= CTL_MAX_LOOKUP_RVS)
			return lines_err(&d->l, "more than %d rendezvous",
			    CTL_MAX_LOOKUP_RVS);
		d->rec = &r->lookup.rvs[r->lookup.nrvs++];
		break;
	default:
		return lines_err(&d->l, "internal error");
	}
	d->cur = rt;
	d->seen = 1;
	return 0;
}

static int
dec_counter(struct ctl_dec *d, const char *k, size_t kl, const char *v,
    size_t vl)
{
	const struct ctl_rectype *t = &ctl_rectypes[d->cur];
	struct ctl_counter *c = (void *)((char *)d->rec + t->counters);
	size_t		*nc = (void *)((char *)d->rec + t->ncounters);
	size_t		 nl = kl - strlen(DROP_PREFIX), i;
	const char	*name = k + strlen(DROP_PREFIX);
	uint64_t	 u;

	if (!ctl_valid_counter_name(name, nl))
		return lines_err(&d->l, "bad counter name %.*s", (int)kl, k);
	if (parse_u64(v, vl, UINT64_MAX, &u) == -1)
		return lines_err(&d->l, "bad value for %.*s: expected a "
		    "decimal number", (int)kl, k);
	for (i = 0; i < *nc; i++)
		if (keyis(name, nl, c[i].name))
			return lines_err(&d->l, "duplicate key %.*s",
			    (int)kl, k);
	if (*nc >= CTL_MAX_COUNTERS)
		return lines_err(&d->l, "more than %d drop counters in one "
		    "record", CTL_MAX_COUNTERS);
	memcpy(c[*nc].name, name, nl);
	c[*nc].name[nl] = '\0';
	c[*nc].value = u;
	(*nc)++;
	return 0;
}

static int
dec_line(struct ctl_dec *d, const char *k, size_t kl, const char *v,
    size_t vl)
{
	const struct ctl_rectype *t;
	size_t		 i;
	int		 rt;

	/* A record start? */
	for (rt = 0; rt < REC_COUNT; rt++) {
		if (keyis(k, kl, ctl_rectypes[rt].fields[0].name)) {
			if (dec_start(d, (enum ctl_rec)rt) == -1)
				return -1;
			return dec_value(d, &ctl_rectypes[rt].fields[0], v, vl);
		}
	}
	if (d->cur == REC_NONE)
		return 0;	/* unknown key outside records: ignored */
	t = &ctl_rectypes[d->cur];
	for (i = 1; i < t->nfields; i++) {
		if (!keyis(k, kl, t->fields[i].name))
			continue;
		if (d->seen & ((uint64_t)1 << i))
			return lines_err(&d->l, "duplicate key %s in %s "
			    "record", t->fields[i].name, t->what);
		d->seen |= (uint64_t)1 << i;
		return dec_value(d, &t->fields[i], v, vl);
	}
	if (t->counters >= 0 && kl > strlen(DROP_PREFIX) &&
	    memcmp(k, DROP_PREFIX, strlen(DROP_PREFIX)) == 0)
		return dec_counter(d, k, kl, v, vl);
	return 0;		/* unknown key: from a newer daemon */
}

int
ctl_reply_decode(const char *buf, size_t len, struct ctl_reply *r,
    char *err, size_t errlen)
{
	struct ctl_dec	 d;
	const char	*k, *v;
	size_t		 kl, vl;
	uint64_t	 u;
	int		 rc, seen_error = 0;

	memset(r, 0, sizeof(*r));
	memset(&d, 0, sizeof(d));
	d.l.buf = buf;
	d.l.len = len;
	d.l.err = err;
	d.l.errlen = errlen;
	d.r = r;
	d.cur = REC_NONE;
	if (len > CTL_MAX_REPLY)
		return lines_err(&d.l, "reply longer than %d bytes",
		    CTL_MAX_REPLY);
	if (lines_header(&d.l) == -1)
		return -1;
	for (;;) {
		if ((rc = lines_next(&d.l, &k, &kl, &v, &vl)) == -1)
			return -1;
		if (rc == 0)
			return lines_err(&d.l, "reply ends without errno=");
		if (keyis(k, kl, "error")) {
			if (seen_error++)
				return lines_err(&d.l, "duplicate error");
			if (vl >= sizeof(r->error))
				vl = sizeof(r->error) - 1;
			memcpy(r->error, v, vl);
			r->error[vl] = '\0';
			d.cur = REC_NONE;
			continue;
		}
		if (keyis(k, kl, "errno"))
			break;
		if (seen_error)
			return lines_err(&d.l, "expected errno= after error=");
		if (dec_line(&d, k, kl, v, vl) == -1)
			return -1;
	}
	if (parse_u64(v, vl, 4095, &u) == -1)
		return lines_err(&d.l, "bad value for errno: expected a "
		    "number from 0 to 4095");
	r->errnum = (int)u;
	if ((rc = lines_next(&d.l, &k, &kl, &v, &vl)) == -1)
		return -1;
	if (rc == 1)
		return lines_err(&d.l, "expected the empty line ending the "
		    "reply after errno=");
	if (d.l.pos != len)
		return lines_err(&d.l, "data after the end of the reply");
	return 0;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	free(r->peers);
	r->peers = NULL;
	r->npeers = 0;
}
