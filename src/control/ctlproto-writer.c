/* The control protocol's reply encoder (ctlproto.h): the daemon fills a
 * writer record by record against ctlproto.c's field tables, so that the
 * decoder there reads back exactly what was written. Pure. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "control/ctlproto.h"
#include "control/ctlproto-int.h"
#include "common/util.h"

void
ctl_writer_init(struct ctl_writer *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
	ctl_writer_reset(w);
}

static void
w_add(struct ctl_writer *w, const char *s, size_t n)
{
	if (w->failed || w->finished)
		return;
	if (n > w->max - w->len || w->len + n > w->max) {
		w->failed = EMSGSIZE;
		return;
	}
	if (w->len + n + 1 > w->cap) {	/* + 1: the NUL after the data */
		size_t	 ncap = w->cap ? w->cap : 4096;
		char	*nb;

		while (ncap < w->len + n + 1)
			ncap *= 2;
		if (ncap > w->max + 1)
			ncap = w->max + 1;
		if ((nb = realloc(w->buf, ncap)) == NULL) {
			w->failed = ENOMEM;
			return;
		}
		w->buf = nb;
		w->cap = ncap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void
ctl_writer_reset(struct ctl_writer *w)
{
	char	hdr[32];
	int	n;

	w->len = 0;
	w->failed = 0;
	w->finished = 0;
	n = snprintf(hdr, sizeof(hdr), "%s=%d\n", CTL_HEADER, CTL_VERSION);
	w_add(w, hdr, (size_t)n);
}

void
ctl_writer_free(struct ctl_writer *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* key=value with value made safe: tokens lose blanks, text loses control
 * bytes. Values are cut at CTL_MAX_LINE. */
static void
w_kv(struct ctl_writer *w, const char *key, const char *val, int token)
{
	char	line[CTL_MAX_LINE];
	size_t	n, i;

	n = util_strlcpy(line, key, sizeof(line));
	line[n++] = '=';
	for (i = 0; val[i] != '\0' && n < sizeof(line) - 1; i++) {
		char	c = val[i];

		if (c < ' ' || c > '~')
			c = '?';
		else if (token && c == ' ')
			c = '_';
		line[n++] = c;
	}
	line[n++] = '\n';
	w_add(w, line, n);
}

static void
w_u64(struct ctl_writer *w, const char *key, uint64_t v)
{
	char	buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	w_kv(w, key, buf, 1);
}

static void
w_record(struct ctl_writer *w, enum ctl_rec rt, const void *rec)
{
	const struct ctl_rectype *t = &ctl_rectypes[rt];
	const char	*base = rec;
	size_t		 i;

	for (i = 0; i < t->nfields; i++) {
		const struct ctl_field *f = &t->fields[i];
		const char	*p = base + f->off;
		uint64_t	 v;

		switch (f->type) {
		case F_U64:
		case F_PORT:
			memcpy(&v, p, sizeof(v));
			w_u64(w, f->name, v);
			break;
		case F_DONE:
			w_kv(w, f->name, "done", 1);
			break;
		default:
			if (p[0] != '\0' || i == 0)
				w_kv(w, f->name, p, f->type != F_TEXT);
			break;
		}
	}
	if (t->counters >= 0) {
		const struct ctl_counter *c = (const void *)(base +
		    t->counters);
		size_t		 nc;
		char		 key[CTL_KEYNAME_MAX + 1];

		memcpy(&nc, base + t->ncounters, sizeof(nc));
		if (nc > CTL_MAX_COUNTERS)
			nc = CTL_MAX_COUNTERS;
		for (i = 0; i < nc; i++) {
			if (!ctl_valid_counter_name(c[i].name,
			    strnlen(c[i].name, sizeof(c[i].name))) ||
			    strlen(DROP_PREFIX) + strlen(c[i].name) >
			    CTL_KEYNAME_MAX)
				continue;
			snprintf(key, sizeof(key), "%s%s", DROP_PREFIX,
			    c[i].name);
			w_u64(w, key, c[i].value);
		}
	}
}

void
ctl_put_iface(struct ctl_writer *w, const struct ctl_iface *ifc)
{
	w_record(w, REC_IFACE, ifc);
}

void
ctl_put_peer(struct ctl_writer *w, const struct ctl_peer *p)
{
	w_record(w, REC_PEER, p);
}

void
ctl_put_dht(struct ctl_writer *w, const struct ctl_dht *d)
{
	size_t	i;

	if (!d->present)
		return;
	w_record(w, REC_DHT, d);
	for (i = 0; i < d->nbuckets && i < CTL_MAX_BUCKETS; i++)
		w_record(w, REC_BUCKET, &d->buckets[i]);
	for (i = 0; i < d->nsearches && i < CTL_MAX_SEARCHES; i++)
		w_record(w, REC_SEARCH, &d->searches[i]);
}

void
ctl_put_reload(struct ctl_writer *w, const struct ctl_reload *r)
{
	if (r->present)
		w_record(w, REC_RELOAD, r);
}

void
ctl_put_lookup(struct ctl_writer *w, const struct ctl_lookup *l)
{
	size_t	i;

	if (!l->present)
		return;
	w_record(w, REC_LOOKUP, l);
	for (i = 0; i < l->neps && i < CTL_MAX_LOOKUP_EPS; i++)
		w_record(w, REC_LOOKUP_EP, &l->eps[i]);
	for (i = 0; i < l->nrvs && i < CTL_MAX_LOOKUP_RVS; i++)
		w_record(w, REC_LOOKUP_RV, &l->rvs[i]);
}

void
ctl_put_reply(struct ctl_writer *w, const struct ctl_reply *r)
{
	size_t	i;

	if (r->has_iface)
		ctl_put_iface(w, &r->iface);
	for (i = 0; i < r->npeers; i++)
		ctl_put_peer(w, &r->peers[i]);
	ctl_put_dht(w, &r->dht);
	ctl_put_reload(w, &r->reload);
	ctl_put_lookup(w, &r->lookup);
}

int
ctl_writer_finish(struct ctl_writer *w, int errnum, const char *error)
{
	char	buf[32];

	if (errnum < 0 || errnum > 4095)
		errnum = EINVAL;
	if (errnum != 0 && error != NULL && error[0] != '\0')
		w_kv(w, "error", error, 0);
	snprintf(buf, sizeof(buf), "errno=%d\n\n", errnum);
	w_add(w, buf, strlen(buf));
	if (w->failed)
		return -1;
	w->finished = 1;
	return 0;
}

int
ctl_counter_add(struct ctl_counter *c, size_t *n, const char *name,
    uint64_t value)
{
	size_t	i, len = strlen(name);

	if (!ctl_valid_counter_name(name, len) ||
	    strlen(DROP_PREFIX) + len > CTL_KEYNAME_MAX)
		return -1;
	for (i = 0; i < *n; i++) {
		if (strcmp(c[i].name, name) == 0) {
			c[i].value += value;
			return 0;
		}
	}
	if (*n >= CTL_MAX_COUNTERS)
		return -1;
	memcpy(c[*n].name, name, len + 1);
	c[*n].value = value;
	(*n)++;
	return 0;
}
