/* DHT wire format: pure decoder and encoder (see dhtmsg.h). */
#include "config.h"

#include <string.h>

#include "dhtmsg.h"

/* A bounded reader over the body; any over-read sets bad and yields
 * zeros, so decoders check rd.bad once at the end of a group of reads. */
struct rd {
	const uint8_t	*p;
	size_t		 left;
	int		 bad;
};

struct wr {
	uint8_t		*p;
	size_t		 left;
	size_t		 len;
	int		 bad;
};

static const uint8_t *
rd_take(struct rd *r, size_t n)
{
	const uint8_t	*p;

	if (r->bad || r->left < n) {
		r->bad = 1;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static uint8_t
rd_u8(struct rd *r)
{
	const uint8_t	*p = rd_take(r, 1);

	return p ? p[0] : 0;
}

static uint16_t
rd_u16(struct rd *r)
{
	const uint8_t	*p = rd_take(r, 2);

	return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

static uint64_t
rd_u64(struct rd *r)
{
	const uint8_t	*p = rd_take(r, 8);
	uint64_t	 v = 0;
	int		 i;

	if (p == NULL)
		return 0;
	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
rd_bytes(struct rd *r, void *out, size_t n)
{
	const uint8_t	*p = rd_take(r, n);

	if (p != NULL)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
}

static void
rd_addr(struct rd *r, struct dht_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = rd_u8(r);
	if (a->family == DHT_AF_INET)
		rd_bytes(r, a->addr, 4);
	else if (a->family == DHT_AF_INET6)
		rd_bytes(r, a->addr, 16);
	else
		r->bad = 1;
	a->port = rd_u16(r);
	if (a->port == 0)
		r->bad = 1;
}

static void
wr_put(struct wr *w, const void *src, size_t n)
{
	if (w->bad || w->left < n) {
		w->bad = 1;
		return;
	}
	if (n > 0)
		memcpy(w->p, src, n);
	w->p += n;
	w->left -= n;
	w->len += n;
}

static void
wr_u8(struct wr *w, uint8_t v)
{
	wr_put(w, &v, 1);
}

static void
wr_u16(struct wr *w, uint16_t v)
{
	uint8_t	b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wr_put(w, b, 2);
}

static void
wr_u64(struct wr *w, uint64_t v)
{
	uint8_t	b[8];
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	wr_put(w, b, 8);
}

static void
wr_addr(struct wr *w, const struct dht_addr *a)
{
	size_t	n = dhtmsg_addr_len(a);

	if (n == 0 || a->port == 0) {
		w->bad = 1;
		return;
	}
	wr_u8(w, a->family);
	wr_put(w, a->addr, n - 3);
	wr_u16(w, a->port);
}

size_t
dhtmsg_addr_len(const struct dht_addr *a)
{
	if (a->family == DHT_AF_INET)
		return 1 + 4 + 2;
	if (a->family == DHT_AF_INET6)
		return 1 + 16 + 2;
	return 0;
}

int
dhtmsg_known_type(uint8_t type)
{
	return type >= DHTMSG_PING && type <= DHTMSG_RELAYED;
}

int
dhtmsg_is_request(uint8_t type)
{
	switch (type) {
	case DHTMSG_PING:
	case DHTMSG_FIND:
	case DHTMSG_REGISTER:
	case DHTMSG_RELAY:
	case DHTMSG_RELAYED:
		return 1;
	default:
		return 0;
	}
}

uint8_t
dhtmsg_response_type(uint8_t request)
{
	switch (request) {
	case DHTMSG_PING:
		return DHTMSG_PONG;
	case DHTMSG_FIND:
		return DHTMSG_NODES;
	case DHTMSG_REGISTER:
		return DHTMSG_REGISTERED;
	case DHTMSG_RELAY:
		return DHTMSG_RELAY_ACK;
	default:
		return 0;
	}
}

const char *
dhtmsg_type_name(uint8_t type)
{
	static const char *names[] = { "ping", "pong", "find", "nodes",
	    "register", "registered", "relay", "relay-ack", "relayed" };

	if (!dhtmsg_known_type(type))
		return "unknown";
	return names[type - DHTMSG_PING];
}

int
dhtmsg_header(const uint8_t *pkt, size_t len, struct dhtmsg_hdr *h,
    enum dht_drop *err)
{
	if (len < DHTMSG_MIN_PACKET) {
		*err = DHT_DROP_SHORT;
		return -1;
	}
	if (len > DHT_MAX_PACKET) {
		*err = DHT_DROP_LONG;
		return -1;
	}
	if (!dhtmsg_known_type(pkt[0])) {
		*err = DHT_DROP_TYPE;
		return -1;
	}
	h->type = pkt[0];
	h->key = pkt + 1;
	h->nonce = pkt + 1 + DHT_KEY_LEN;
	h->sealed = pkt + DHTMSG_HDR_LEN;
	h->sealed_len = len - DHTMSG_HDR_LEN;
	return 0;
}

static void
rd_payload(struct rd *r, struct dhtmsg *m)
{
	m->payload_len = rd_u16(r);
	if (m->payload_len > DHT_MAX_RELAY_PAYLOAD)
		r->bad = 1;
	m->payload = rd_take(r, m->payload_len);
	if (m->payload == NULL)
		m->payload_len = 0;
}

static void
rd_contact(struct rd *r, struct dhtmsg_contact *c)
{
	rd_bytes(r, c->key, DHT_KEY_LEN);
	rd_addr(r, &c->addr);
}

/* The remaining bytes of a request are padding and must all be zero. */
static void
rd_padding(struct rd *r, struct dhtmsg *m)
{
	size_t	i;

	m->pad = r->left;
	for (i = 0; i < r->left; i++)
		if (r->p[i] != 0)
			r->bad = 1;
	r->p += r->left;
	r->left = 0;
}

int
dhtmsg_decode(uint8_t type, const uint8_t *body, size_t len,
    struct dhtmsg *m)
{
	struct rd	r = { body, len, 0 };
	unsigned	i;

	memset(m, 0, sizeof(*m));
	if (!dhtmsg_known_type(type) || len > DHTMSG_MAX_BODY)
		return -1;
	m->type = type;
	m->txid = rd_u64(&r);
	if (dhtmsg_is_request(type)) {
		m->ts = rd_u64(&r);
		m->flags = rd_u8(&r);
		if (m->flags & DHTMSG_F_TOKEN)
			rd_bytes(&r, m->token, DHTMSG_TOKEN_LEN);
	} else {
		m->flags = rd_u8(&r);
		if (m->flags & DHTMSG_F_TOKEN)
			return -1;
		rd_addr(&r, &m->observed);
		rd_bytes(&r, m->token, DHTMSG_TOKEN_LEN);
	}
	if (m->flags & ~DHTMSG_F_ALL)
		return -1;

	switch (type) {
	case DHTMSG_PING:
	case DHTMSG_REGISTER:
		break;
	case DHTMSG_FIND:
		rd_bytes(&r, m->target, DHT_ID_LEN);
		break;
	case DHTMSG_RELAY:
		rd_bytes(&r, m->target, DHT_KEY_LEN);
		rd_payload(&r, m);
		break;
	case DHTMSG_RELAYED:
		rd_bytes(&r, m->target, DHT_KEY_LEN);
		rd_addr(&r, &m->origin);
		rd_payload(&r, m);
		break;
	case DHTMSG_PONG:
		break;
	case DHTMSG_NODES:
		m->ncontacts = rd_u8(&r);
		if (m->ncontacts > DHTMSG_MAX_CONTACTS)
			return -1;
		for (i = 0; i < m->ncontacts; i++)
			rd_contact(&r, &m->contacts[i]);
		m->nserved = rd_u8(&r);
		if (m->nserved > 1)
			return -1;
		if (m->nserved == 1)
			rd_contact(&r, &m->served);
		break;
	case DHTMSG_REGISTERED:
		m->status = rd_u8(&r);
		m->lifetime = rd_u16(&r);
		if (m->status > DHTMSG_ST_MAX)
			return -1;
		break;
	case DHTMSG_RELAY_ACK:
		m->status = rd_u8(&r);
		if (m->status > DHTMSG_ST_MAX)
			return -1;
		break;
	}
	if (dhtmsg_is_request(type))
		rd_padding(&r, m);
	if (r.bad || r.left != 0)
		return -1;
	return 0;
}

size_t
dhtmsg_encode(const struct dhtmsg *m, uint8_t *buf, size_t cap)
{
	static const uint8_t	zero[64];
	struct wr		w = { buf, cap, 0, 0 };
	size_t			pad;
	unsigned		i;

	if (!dhtmsg_known_type(m->type) || (m->flags & ~DHTMSG_F_ALL))
		return 0;
	wr_u64(&w, m->txid);
	if (dhtmsg_is_request(m->type)) {
		wr_u64(&w, m->ts);
		wr_u8(&w, m->flags);
		if (m->flags & DHTMSG_F_TOKEN)
			wr_put(&w, m->token, DHTMSG_TOKEN_LEN);
	} else {
		if (m->flags & DHTMSG_F_TOKEN)
			return 0;
		wr_u8(&w, m->flags);
		wr_addr(&w, &m->observed);
		wr_put(&w, m->token, DHTMSG_TOKEN_LEN);
	}

	switch (m->type) {
	case DHTMSG_FIND:
		wr_put(&w, m->target, DHT_ID_LEN);
		break;
	case DHTMSG_RELAYED:
	case DHTMSG_RELAY:
		if (m->payload_len > DHT_MAX_RELAY_PAYLOAD ||
		    (m->payload == NULL && m->payload_len > 0))
			return 0;
		wr_put(&w, m->target, DHT_KEY_LEN);
		if (m->type == DHTMSG_RELAYED)
			wr_addr(&w, &m->origin);
		wr_u16(&w, (uint16_t)m->payload_len);
		wr_put(&w, m->payload, m->payload_len);
		break;
	case DHTMSG_NODES:
		if (m->ncontacts > DHTMSG_MAX_CONTACTS || m->nserved > 1)
			return 0;
		wr_u8(&w, (uint8_t)m->ncontacts);
		for (i = 0; i < m->ncontacts; i++) {
			wr_put(&w, m->contacts[i].key, DHT_KEY_LEN);
			wr_addr(&w, &m->contacts[i].addr);
		}
		wr_u8(&w, (uint8_t)m->nserved);
		if (m->nserved == 1) {
			wr_put(&w, m->served.key, DHT_KEY_LEN);
			wr_addr(&w, &m->served.addr);
		}
		break;
	case DHTMSG_REGISTERED:
		if (m->status > DHTMSG_ST_MAX)
			return 0;
		wr_u8(&w, m->status);
		wr_u16(&w, m->lifetime);
		break;
	case DHTMSG_RELAY_ACK:
		if (m->status > DHTMSG_ST_MAX)
			return 0;
		wr_u8(&w, m->status);
		break;
	default:
		break;
	}
	if (dhtmsg_is_request(m->type)) {
		for (pad = m->pad; pad > 0 && !w.bad; ) {
			size_t n = pad < sizeof(zero) ? pad : sizeof(zero);

			wr_put(&w, zero, n);
			pad -= n;
		}
	}
	if (w.bad || w.len > DHTMSG_MAX_BODY)
		return 0;
	return w.len;
}
