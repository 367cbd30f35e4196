/* Port prediction and birthday probing: pure, see portpredict.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nat/natep.h"
#include "nat/portpredict.h"

static int
cmp_port(const void *a, const void *b)
{
	uint16_t	x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

void
portpredict_learn(const uint16_t *ports, size_t n, struct pp_result *r)
{
	uint16_t	s[64];
	size_t		i, k = 0;
	unsigned	gap, mingap = 65535, maxgap = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n && k < 64; i++)
		if (ports[i] != 0)
			s[k++] = ports[i];
	qsort(s, k, sizeof(s[0]), cmp_port);
	/* distinct, in place */
	for (i = 0, n = 0; i < k; i++)
		if (n == 0 || s[i] != s[n - 1])
			s[n++] = s[i];
	r->nports = (unsigned)n;
	if (n == 0)
		return;
	r->last = s[n - 1];
	if (n < PP_MIN_PORTS)
		return;
	for (i = 1; i < n; i++) {
		gap = (unsigned)(s[i] - s[i - 1]);
		if (gap < mingap)
			mingap = gap;
		if (gap > maxgap)
			maxgap = gap;
	}
	if (maxgap <= PP_MAX_GAP) {
		/* mappings for other hosts behind the same NAT (or ones we
		 * made to peers that did not report) leave larger gaps than
		 * the step itself: the smallest gap is the step */
		r->pattern = PP_SEQUENTIAL;
		r->delta = (uint16_t)mingap;
	} else
		r->pattern = PP_RANDOM;
}

const char *
portpredict_pattern_name(enum pp_pattern p)
{
	switch (p) {
	case PP_UNKNOWN:
		return "unknown";
	case PP_SEQUENTIAL:
		return "sequential";
	case PP_RANDOM:
		return "random";
	}
	return "?";
}

int
pp_spray_running(const struct pp_spray *s)
{
	return s->result == PP_RES_RUNNING;
}

int
pp_spray_start(struct pp_spray *s, enum pp_try kind,
    const struct sockaddr_in6 *target, uint16_t last, uint16_t delta,
    uint64_t seed, uint64_t nonce_hi, uint64_t now)
{
	unsigned	attempts = s->attempts;

	if (s->result == PP_RES_RUNNING && s->kind == kind &&
	    natep_same_ip(&s->target, target))
		return 0;	/* already at it */
	if (attempts > 0 && s->result != PP_RES_DIRECT &&
	    now - s->last_start < PP_RETRY_MS)
		return -1;
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->result = PP_RES_RUNNING;
	s->target = *target;
	s->base = last;
	s->delta = delta ? delta : 1;
	s->rng = seed | 1;
	s->nonce_hi = nonce_hi & 0xffffffffffffULL;
	s->start = s->next = s->last_start = now;
	s->attempts = attempts + 1;
	switch (kind) {
	case PP_TRY_PREDICTED:
		s->budget = PP_SEQ_BUDGET;
		s->pps = PP_SEQ_PPS;
		s->until = now + PP_SEQ_MS;
		break;
	case PP_TRY_BIRTHDAY:
		s->budget = PP_BDAY_BUDGET;
		s->pps = PP_BDAY_PPS;
		s->until = now + PP_BDAY_MS;
		break;
	case PP_TRY_SOCKETS:
		/* every socket twice: at the start and half-way (a probe
		 * of the other side may have gone out before our mapping
		 * existed) */
		s->budget = 2 * (delta ? delta : PP_BDAY_SOCKS);
		s->base = (uint16_t)(s->budget / 2);	/* sockets */
		s->pps = PP_BDAY_SOCK_PPS;
		s->until = now + PP_BDAY_MS;
		break;
	case PP_TRY_NONE:
		s->result = PP_RES_NONE;
		return -1;
	}
	return 0;
}

static uint16_t
random_port(struct pp_spray *s)
{
	uint64_t	x = s->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->rng = x;
	return (uint16_t)(PP_BDAY_LOW + x % (65536 - PP_BDAY_LOW));
}

size_t
pp_spray_due(struct pp_spray *s, uint64_t now, struct sockaddr_in6 *eps,
    uint64_t *nonces, size_t max)
{
	uint64_t	allowed;
	size_t		n = 0;
	unsigned	port, step = 1000 / (s->pps ? s->pps : 1);

	if (s->result != PP_RES_RUNNING)
		return 0;
	if (now >= s->until || s->sent >= s->budget) {
		s->result = PP_RES_GAVE_UP;
		return 0;
	}
	if (now < s->next)
		return 0;
	/* what the rate allows since the start, less what went out */
	allowed = (now - s->start) * s->pps / 1000 + 1;
	if (s->kind == PP_TRY_SOCKETS && s->sent >= s->base) {
		/* the second round begins half-way */
		if (now < s->start + PP_BDAY_MS / 2) {
			s->next = s->start + PP_BDAY_MS / 2;
			return 0;
		}
		allowed = s->base + (now - s->start - PP_BDAY_MS / 2) *
		    s->pps / 1000 + 1;
	}
	while (n < max && s->sent < allowed && s->sent < s->budget) {
		switch (s->kind) {
		case PP_TRY_PREDICTED:
			port = s->base + (1 + s->sent % PP_SEQ_WINDOW) *
			    s->delta;
			if (port > 65535)
				port = 1024 + port % 65536;
			break;
		case PP_TRY_BIRTHDAY:
			port = random_port(s);
			break;
		default:
			/* the socket index */
			port = s->sent % s->base;
			break;
		}
		eps[n] = s->target;
		if (s->kind != PP_TRY_SOCKETS)
			eps[n].sin6_port = htons((uint16_t)port);
		nonces[n] = s->nonce_hi << 16 | port;
		n++;
		s->sent++;
		if (s->kind == PP_TRY_SOCKETS && s->sent == s->base)
			break;
	}
	s->next = now + step;
	return n;
}

uint64_t
pp_spray_next(const struct pp_spray *s)
{
	if (s->result != PP_RES_RUNNING)
		return UINT64_MAX;
	return s->next < s->until ? s->next : s->until;
}

int
pp_spray_matches(const struct pp_spray *s, const struct sockaddr_in6 *from,
    uint64_t nonce)
{
	if (s->kind == PP_TRY_NONE || s->kind == PP_TRY_SOCKETS ||
	    s->nonce_hi == 0 || nonce >> 16 != s->nonce_hi)
		return 0;
	/* from the member's address, and the port the probe went to */
	return natep_same_ip(from, &s->target) &&
	    (uint16_t)nonce == ntohs(from->sin6_port);
}

void
pp_spray_end(struct pp_spray *s, int direct, uint64_t now)
{
	if (s->result != PP_RES_RUNNING)
		return;
	s->result = direct ? PP_RES_DIRECT : PP_RES_GAVE_UP;
	if (direct)
		s->took = now - s->start;
}

const char *
pp_try_name(enum pp_try t)
{
	switch (t) {
	case PP_TRY_NONE:
		return "none";
	case PP_TRY_PREDICTED:
		return "predicted";
	case PP_TRY_BIRTHDAY:
		return "birthday";
	case PP_TRY_SOCKETS:
		return "birthday-sockets";
	}
	return "?";
}

const char *
pp_outcome_name(enum pp_outcome o)
{
	switch (o) {
	case PP_RES_NONE:
		return "none";
	case PP_RES_RUNNING:
		return "running";
	case PP_RES_DIRECT:
		return "direct";
	case PP_RES_GAVE_UP:
		return "gave-up";
	}
	return "?";
}
