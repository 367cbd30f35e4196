/* Spreading signed netconfigs between members (ncsync.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "netconf/ncsync.h"

int
ncsync_decode(const uint8_t *pt, size_t len, struct ncsync_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < 9)
		return -1;
	m->type = pt[0];
	m->version = be64_get(pt + 1);
	switch (m->type) {
	case NCSYNC_T_HAVE:
		if (len < NCSYNC_HAVE_LEN)
			return -1;
		memcpy(m->hash, pt + 9, NETCONF_HASH_LEN);
		return 0;
	case NCSYNC_T_GET:
		if (len < NCSYNC_GET_LEN)
			return -1;
		m->offset = be32_get(pt + 9);
		return 0;
	case NCSYNC_T_CHUNK:
		if (len < NCSYNC_CHUNK_HDR)
			return -1;
		m->offset = be32_get(pt + 9);
		m->total = be32_get(pt + 13);
		m->len = (size_t)pt[17] << 8 | pt[18];
		/* (what follows n bytes, e.g. padding, is ignored) */
		if (m->len > NCSYNC_CHUNK_MAX || m->len > len - NCSYNC_CHUNK_HDR)
			return -1;
		m->data = pt + NCSYNC_CHUNK_HDR;
		return 0;
	default:
		return -1;
	}
}

size_t
ncsync_put_have(uint8_t out[NCSYNC_HAVE_LEN], uint64_t version,
    const uint8_t hash[NETCONF_HASH_LEN])
{
	out[0] = NCSYNC_T_HAVE;
	be64_put(out + 1, version);
	memcpy(out + 9, hash, NETCONF_HASH_LEN);
	return NCSYNC_HAVE_LEN;
}

size_t
ncsync_put_get(uint8_t out[NCSYNC_GET_LEN], uint64_t version,
    uint32_t offset)
{
	out[0] = NCSYNC_T_GET;
	be64_put(out + 1, version);
	be32_put(out + 9, offset);
	return NCSYNC_GET_LEN;
}

/* ---- state */

void
ncsync_init(struct ncsync *s, size_t max_size)
{
	memset(s, 0, sizeof(*s));
	s->max_size = max_size;
}

static void
drop_fetch(struct ncsync *s)
{
	free(s->fbuf);
	s->fbuf = NULL;
	s->fetching = 0;
	s->total = s->got = 0;
}

void
ncsync_free(struct ncsync *s)
{
	size_t	i;

	drop_fetch(s);
	free(s->buf);
	s->buf = NULL;
	/* FETCHED buffers nobody took */
	for (i = 0; i < s->nact; i++) {
		struct ncsync_action *a = &s->act[(s->act_next + i) %
		    NCSYNC_MAX_ACTIONS];

		if (a->type == NCSYNC_ACT_FETCHED)
			free(a->buf);
	}
	s->nact = 0;
}

/* Queue an action; the queue never fills in practice (at most two a
 * call), and if it did, a lost GET is a timeout and a lost report a
 * missing log line. */
static struct ncsync_action *
push(struct ncsync *s, enum ncsync_act_type type, const uint8_t *peer,
    uint64_t version)
{
	struct ncsync_action	*a;

	if (s->nact == NCSYNC_MAX_ACTIONS)
		return NULL;
	a = &s->act[(s->act_next + s->nact++) % NCSYNC_MAX_ACTIONS];
	memset(a, 0, sizeof(*a));
	a->type = type;
	memcpy(a->peer, peer, KEY_LEN);
	a->version = version;
	return a;
}

int
ncsync_next_action(struct ncsync *s, struct ncsync_action *out)
{
	if (s->nact == 0)
		return 0;
	*out = s->act[s->act_next];
	s->act_next = (s->act_next + 1) % NCSYNC_MAX_ACTIONS;
	s->nact--;
	return 1;
}

static struct ncsync_offer *
offer_of(struct ncsync *s, const uint8_t peer[KEY_LEN])
{
	size_t	i;

	for (i = 0; i < NCSYNC_MAX_OFFERS; i++)
		if (s->offers[i].used &&
		    memcmp(s->offers[i].peer, peer, KEY_LEN) == 0)
			return &s->offers[i];
	return NULL;
}

static int
was_refused(const struct ncsync *s, const uint8_t peer[KEY_LEN],
    uint64_t version)
{
	size_t	i;

	for (i = 0; i < s->nrefused; i++)
		if (s->refused[i].version == version &&
		    memcmp(s->refused[i].peer, peer, KEY_LEN) == 0)
			return 1;
	return 0;
}

/* Remember (peer, version) as refused: 1 if it was not yet. */
static int
refuse(struct ncsync *s, const uint8_t peer[KEY_LEN], uint64_t version)
{
	struct ncsync_offer	*o;

	if ((o = offer_of(s, peer)) != NULL && o->version == version)
		o->used = 0;
	if (was_refused(s, peer, version))
		return 0;
	memcpy(s->refused[s->refused_next].peer, peer, KEY_LEN);
	s->refused[s->refused_next].version = version;
	s->refused_next = (s->refused_next + 1) % NCSYNC_MAX_REFUSED;
	if (s->nrefused < NCSYNC_MAX_REFUSED)
		s->nrefused++;
	return 1;
}

/* Start a fetch from the best offer, if none runs. */
static void
kick(struct ncsync *s, uint64_t now)
{
	struct ncsync_offer	*best = NULL;
	struct ncsync_action	*a;
	size_t			 i;

	if (s->fetching || s->judging)
		return;
	for (i = 0; i < NCSYNC_MAX_OFFERS; i++) {
		struct ncsync_offer *o = &s->offers[i];

		if (!o->used || o->retry_at > now)
			continue;
		if (best == NULL || o->version > best->version)
			best = o;
	}
	if (best == NULL)
		return;
	s->cur = *best;
	s->fetching = 1;
	s->got = s->total = 0;
	s->deadline = now + NCSYNC_TIMEOUT_MS;
	s->fetches++;
	if ((a = push(s, NCSYNC_ACT_GET, best->peer, best->version)) != NULL)
		a->offset = 0;
}

/* The fetch failed for a reason the peer is to blame for. */
static void
fail(struct ncsync *s, enum nc_verdict v, uint64_t now)
{
	struct ncsync_action	*a;

	drop_fetch(s);
	if (refuse(s, s->cur.peer, s->cur.version) &&
	    (a = push(s, NCSYNC_ACT_REFUSED, s->cur.peer,
	    s->cur.version)) != NULL)
		a->verdict = v;
	kick(s, now);
}

int
ncsync_set_local(struct ncsync *s, uint64_t version, const char *buf,
    size_t len)
{
	size_t	i;

	free(s->buf);
	s->buf = NULL;
	s->len = 0;
	s->version = version;
	netconf_hash(buf, len, s->hash);
	for (i = 0; i < NCSYNC_MAX_OFFERS; i++)
		if (s->offers[i].used && s->offers[i].version <= version)
			s->offers[i].used = 0;
	if (s->fetching && s->cur.version <= version)
		drop_fetch(s);
	if ((s->buf = malloc(len > 0 ? len : 1)) == NULL)
		return -1;
	memcpy(s->buf, buf, len);
	s->len = len;
	return 0;
}

void
ncsync_have(struct ncsync *s, const uint8_t peer[KEY_LEN], uint64_t version,
    const uint8_t hash[NETCONF_HASH_LEN], uint64_t now)
{
	struct ncsync_offer	*o;
	struct ncsync_action	*a;
	size_t			 i;

	if (version == s->version && s->buf != NULL &&
	    memcmp(hash, s->hash, NETCONF_HASH_LEN) != 0) {
		/* two files signed with one number: never fetched (the
		 * rule refuses the same version), reported once */
		if (refuse(s, peer, version) && (a = push(s,
		    NCSYNC_ACT_REFUSED, peer, version)) != NULL)
			a->verdict = NCV_FORK;
		return;
	}
	o = offer_of(s, peer);
	if (version <= s->version || was_refused(s, peer, version)) {
		if (o != NULL && o->version <= version)
			o->used = 0;	/* it moved on, or back */
		return;
	}
	if (o == NULL) {
		for (i = 0; i < NCSYNC_MAX_OFFERS; i++)
			if (!s->offers[i].used) {
				o = &s->offers[i];
				break;
			}
		if (o == NULL)		/* full: replace the lowest */
			for (i = 0; i < NCSYNC_MAX_OFFERS; i++)
				if (o == NULL || s->offers[i].version <
				    o->version)
					o = &s->offers[i];
		if (o->version > version && o->used)
			return;
	}
	o->used = 1;
	memcpy(o->peer, peer, KEY_LEN);
	o->version = version;
	memcpy(o->hash, hash, NETCONF_HASH_LEN);
	o->retry_at = 0;	/* an announcement is worth a new try */
	kick(s, now);
}

void
ncsync_chunk(struct ncsync *s, const uint8_t peer[KEY_LEN],
    const struct ncsync_msg *m, uint64_t now)
{
	struct ncsync_action	*a;
	uint8_t			 h[NETCONF_HASH_LEN];

	/* Only the answer to the GET in flight: anything else (a late
	 * answer to an abandoned fetch, a duplicate) is ignored. */
	if (!s->fetching || memcmp(peer, s->cur.peer, KEY_LEN) != 0 ||
	    m->version != s->cur.version || m->offset != s->got)
		return;
	if (s->fbuf == NULL) {
		if (m->total > s->max_size) {
			fail(s, NCV_TOO_BIG, now);
			return;
		}
		if (m->total == 0 || (s->fbuf = malloc(m->total)) == NULL) {
			fail(s, NCV_MALFORMED, now);
			return;
		}
		s->total = m->total;
	}
	if (m->total != s->total || m->len == 0 ||
	    m->len > s->total - s->got) {
		fail(s, NCV_MALFORMED, now);
		return;
	}
	memcpy(s->fbuf + s->got, m->data, m->len);
	s->got += (uint32_t)m->len;
	if (s->got < s->total) {
		s->deadline = now + NCSYNC_TIMEOUT_MS;
		if ((a = push(s, NCSYNC_ACT_GET, s->cur.peer,
		    s->cur.version)) != NULL)
			a->offset = s->got;
		return;
	}
	netconf_hash(s->fbuf, s->total, h);
	if (memcmp(h, s->cur.hash, NETCONF_HASH_LEN) != 0) {
		fail(s, NCV_BAD_HASH, now);
		return;
	}
	if ((a = push(s, NCSYNC_ACT_FETCHED, s->cur.peer,
	    s->cur.version)) == NULL) {
		drop_fetch(s);
		return;
	}
	a->buf = s->fbuf;
	a->len = s->total;
	s->fbuf = NULL;
	s->fetching = 0;
	s->judging = 1;
}

size_t
ncsync_serve(const struct ncsync *s, const struct ncsync_msg *get,
    uint8_t *out)
{
	size_t	n;

	if (s->buf == NULL || get->version != s->version ||
	    get->offset >= s->len)
		return 0;
	n = s->len - get->offset;
	if (n > NCSYNC_CHUNK_MAX)
		n = NCSYNC_CHUNK_MAX;
	out[0] = NCSYNC_T_CHUNK;
	be64_put(out + 1, s->version);
	be32_put(out + 9, get->offset);
	be32_put(out + 13, (uint32_t)s->len);
	out[17] = (uint8_t)(n >> 8);
	out[18] = (uint8_t)n;
	memcpy(out + NCSYNC_CHUNK_HDR, s->buf + get->offset, n);
	return NCSYNC_CHUNK_HDR + n;
}

int
ncsync_result(struct ncsync *s, const uint8_t peer[KEY_LEN],
    uint64_t version, enum nc_verdict v, uint64_t now)
{
	int	first = 0;

	s->judging = 0;
	/* (accepted: the caller's ncsync_set_local comes first, then the
	 * next ncsync_periodic looks for more) */
	if (v != NCV_OK) {
		first = refuse(s, peer, version);
		kick(s, now);
	}
	return first;
}

void
ncsync_forget(struct ncsync *s, const uint8_t peer[KEY_LEN], uint64_t now)
{
	struct ncsync_offer	*o;

	if ((o = offer_of(s, peer)) != NULL)
		o->used = 0;
	if (s->fetching && memcmp(s->cur.peer, peer, KEY_LEN) == 0) {
		drop_fetch(s);
		kick(s, now);
	}
}

uint64_t
ncsync_periodic(struct ncsync *s, uint64_t now)
{
	struct ncsync_offer	*o;
	uint64_t		 next = UINT64_MAX;
	size_t			 i;

	if (s->fetching && now >= s->deadline) {
		s->timeouts++;
		if ((o = offer_of(s, s->cur.peer)) != NULL &&
		    o->version == s->cur.version)
			o->retry_at = now + NCSYNC_RETRY_MS;
		drop_fetch(s);
	}
	kick(s, now);
	if (s->fetching)
		next = s->deadline;
	else if (!s->judging)
		for (i = 0; i < NCSYNC_MAX_OFFERS; i++)
			if (s->offers[i].used && s->offers[i].retry_at > now &&
			    s->offers[i].retry_at < next)
				next = s->offers[i].retry_at;
	return next;
}
