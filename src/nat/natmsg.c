/* NAT traversal message codec: pure, see natmsg.h. */
#include "config.h"

#include <string.h>

#include "nat/natmsg.h"

int
natmsg_is_natmsg(const uint8_t *buf, size_t len)
{
	return len > 0 && buf[0] >= NATMSG_TYPE_MIN &&
	    buf[0] <= NATMSG_TYPE_MAX;
}

static uint8_t *
put(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static uint8_t *
put_ep(uint8_t *p, const struct sockaddr_in6 *ep)
{
	p = put(p, &ep->sin6_addr, 16);
	return put(p, &ep->sin6_port, 2);	/* already big-endian */
}

static int
get_ep(const uint8_t *p, struct sockaddr_in6 *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->sin6_family = AF_INET6;
	memcpy(&ep->sin6_addr, p, 16);
	memcpy(&ep->sin6_port, p + 16, 2);
	return ep->sin6_port != 0 ? 0 : -1;
}

/* A PROBE is never smaller than the ACK it asks for (no amplification). */
typedef char probe_not_smaller_than_ack[(1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN +
    NATMSG_PROBE_PAD >= 1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + NATMSG_EP_LEN +
    1) ? 1 : -1];

/* Fixed length of each type without payload/endpoints (MAC included). */
static size_t
base_len(uint8_t type)
{
	switch (type) {
	case NATMSG_PROBE:
		return 1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + NATMSG_PROBE_PAD +
		    NATMSG_MAC_LEN;
	case NATMSG_ACK:
		return 1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + NATMSG_EP_LEN +
		    1 + NATMSG_MAC_LEN;
	case NATMSG_PUNCH:
		return 1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + 2 +
		    NATMSG_MAC_LEN;
	case NATMSG_BIND:
		return 1 + 2 * NATMSG_KEY_LEN + NATMSG_NONCE_LEN +
		    NATMSG_MAC_LEN;
	case NATMSG_BOUND:
		return 1 + 2 * NATMSG_KEY_LEN + NATMSG_NONCE_LEN + 1 +
		    NATMSG_EP_LEN + NATMSG_MAC_LEN;
	case NATMSG_BEACON:
		return 1 + NATMSG_KEY_LEN + NATMSG_NETID_LEN + 2;
	case NATMSG_COOKIE:
		return 1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN +
		    NATMSG_COOKIE_LEN + NATMSG_MAC_LEN;
	case NATMSG_PREDICT:
		return 1 + NATMSG_KEY_LEN + NATMSG_NONCE_LEN + 4 +
		    NATMSG_EP_LEN + NATMSG_MAC_LEN;
	case NATMSG_TORELAY:
	case NATMSG_FROMRELAY:
		return NATMSG_RELAY_HDR;
	}
	return 0;
}

size_t
natmsg_encode(const struct natmsg *m, uint8_t *buf, size_t cap)
{
	uint8_t	*p = buf, port[2];
	size_t	 len, i;

	if ((len = base_len(m->type)) == 0)
		return 0;
	switch (m->type) {
	case NATMSG_PUNCH:
		if (m->neps > NATMSG_MAX_EPS || (m->flags & ~NATMSG_PUNCH_REPLY))
			return 0;
		len += m->neps * NATMSG_EP_LEN;
		break;
	case NATMSG_ACK:
		if (m->flags & ~NATMSG_ACK_MAPPED)
			return 0;
		break;
	case NATMSG_BOUND:
		if (m->status > NATMSG_BOUND_FULL)
			return 0;
		break;
	case NATMSG_PREDICT:
		if (m->kind > NATMSG_KIND_EDM || m->pattern > NATMSG_PAT_RANDOM)
			return 0;
		break;
	case NATMSG_BIND:
		if (m->has_cookie)
			len += NATMSG_COOKIE_LEN;
		break;
	case NATMSG_TORELAY:
	case NATMSG_FROMRELAY:
		if (m->payload_len == 0 || m->payload_len > NATMSG_MAX_PAYLOAD)
			return 0;
		len += m->payload_len;
		break;
	}
	if (len > cap)
		return 0;
	*p++ = m->type;
	if (m->type == NATMSG_TORELAY || m->type == NATMSG_FROMRELAY) {
		p = put(p, m->id, NATMSG_ID_LEN);
		p = put(p, m->payload, m->payload_len);
		return (size_t)(p - buf);
	}
	p = put(p, m->key, NATMSG_KEY_LEN);
	switch (m->type) {
	case NATMSG_PROBE:
		p = put(p, m->nonce, NATMSG_NONCE_LEN);
		memset(p, 0, NATMSG_PROBE_PAD);
		p += NATMSG_PROBE_PAD;
		break;
	case NATMSG_ACK:
		p = put(p, m->nonce, NATMSG_NONCE_LEN);
		p = put_ep(p, &m->observed);
		*p++ = m->flags;
		break;
	case NATMSG_PUNCH:
		p = put(p, m->nonce, NATMSG_NONCE_LEN);
		*p++ = m->flags;
		*p++ = (uint8_t)m->neps;
		for (i = 0; i < m->neps; i++)
			p = put_ep(p, &m->eps[i]);
		break;
	case NATMSG_BIND:
	case NATMSG_BOUND:
		p = put(p, m->key2, NATMSG_KEY_LEN);
		p = put(p, m->nonce, NATMSG_NONCE_LEN);
		if (m->type == NATMSG_BOUND) {
			*p++ = m->status;
			p = put_ep(p, &m->observed);
		} else if (m->has_cookie)
			p = put(p, m->cookie, NATMSG_COOKIE_LEN);
		break;
	case NATMSG_COOKIE:
		p = put(p, m->nonce, NATMSG_NONCE_LEN);
		p = put(p, m->cookie, NATMSG_COOKIE_LEN);
		break;
	case NATMSG_PREDICT:
		p = put(p, m->nonce, NATMSG_NONCE_LEN);
		*p++ = m->kind;
		*p++ = m->pattern;
		*p++ = (uint8_t)(m->delta >> 8);
		*p++ = (uint8_t)m->delta;
		p = put_ep(p, &m->observed);
		break;
	case NATMSG_BEACON:
		p = put(p, m->netid, NATMSG_NETID_LEN);
		port[0] = (uint8_t)(m->port >> 8);
		port[1] = (uint8_t)m->port;
		p = put(p, port, 2);
		return (size_t)(p - buf);
	}
	memset(p, 0, NATMSG_MAC_LEN);
	p += NATMSG_MAC_LEN;
	return (size_t)(p - buf);
}

enum natmsg_error
natmsg_decode(const uint8_t *buf, size_t len, struct natmsg *m)
{
	const uint8_t	*p = buf;
	size_t		 need, i;

	memset(m, 0, sizeof(*m));
	if (!natmsg_is_natmsg(buf, len) || (need = base_len(buf[0])) == 0)
		return NATMSG_E_TYPE;
	if (len < need)
		return NATMSG_E_SHORT;
	m->type = *p++;
	if (m->type == NATMSG_TORELAY || m->type == NATMSG_FROMRELAY) {
		memcpy(m->id, p, NATMSG_ID_LEN);
		p += NATMSG_ID_LEN;
		m->payload_len = len - need;
		if (m->payload_len == 0)
			return NATMSG_E_SHORT;
		if (m->payload_len > NATMSG_MAX_PAYLOAD)
			return NATMSG_E_LONG;
		m->payload = p;
		return NATMSG_OK;
	}
	memcpy(m->key, p, NATMSG_KEY_LEN);
	p += NATMSG_KEY_LEN;
	switch (m->type) {
	case NATMSG_PROBE:
		memcpy(m->nonce, p, NATMSG_NONCE_LEN);
		p += NATMSG_NONCE_LEN;
		for (i = 0; i < NATMSG_PROBE_PAD; i++)
			if (p[i] != 0)
				return NATMSG_E_FLAGS;
		p += NATMSG_PROBE_PAD;
		break;
	case NATMSG_ACK:
		memcpy(m->nonce, p, NATMSG_NONCE_LEN);
		p += NATMSG_NONCE_LEN;
		if (get_ep(p, &m->observed) == -1)
			return NATMSG_E_ADDR;
		p += NATMSG_EP_LEN;
		m->flags = *p++;
		if (m->flags & ~NATMSG_ACK_MAPPED)
			return NATMSG_E_FLAGS;
		break;
	case NATMSG_PUNCH:
		memcpy(m->nonce, p, NATMSG_NONCE_LEN);
		p += NATMSG_NONCE_LEN;
		m->flags = *p++;
		m->neps = *p++;
		if (m->flags & ~NATMSG_PUNCH_REPLY)
			return NATMSG_E_FLAGS;
		if (m->neps > NATMSG_MAX_EPS)
			return NATMSG_E_COUNT;
		need += m->neps * NATMSG_EP_LEN;
		if (len < need)
			return NATMSG_E_SHORT;
		for (i = 0; i < m->neps; i++) {
			if (get_ep(p, &m->eps[i]) == -1)
				return NATMSG_E_ADDR;
			p += NATMSG_EP_LEN;
		}
		break;
	case NATMSG_BIND:
	case NATMSG_BOUND:
		memcpy(m->key2, p, NATMSG_KEY_LEN);
		p += NATMSG_KEY_LEN;
		memcpy(m->nonce, p, NATMSG_NONCE_LEN);
		p += NATMSG_NONCE_LEN;
		if (m->type == NATMSG_BOUND) {
			m->status = *p++;
			if (m->status > NATMSG_BOUND_FULL)
				return NATMSG_E_FLAGS;
			if (get_ep(p, &m->observed) == -1)
				return NATMSG_E_ADDR;
			p += NATMSG_EP_LEN;
		} else if (len == need + NATMSG_COOKIE_LEN) {
			/* the only optional part of any type */
			memcpy(m->cookie, p, NATMSG_COOKIE_LEN);
			p += NATMSG_COOKIE_LEN;
			m->has_cookie = 1;
			need += NATMSG_COOKIE_LEN;
		}
		break;
	case NATMSG_COOKIE:
		memcpy(m->nonce, p, NATMSG_NONCE_LEN);
		p += NATMSG_NONCE_LEN;
		memcpy(m->cookie, p, NATMSG_COOKIE_LEN);
		p += NATMSG_COOKIE_LEN;
		break;
	case NATMSG_PREDICT:
		memcpy(m->nonce, p, NATMSG_NONCE_LEN);
		p += NATMSG_NONCE_LEN;
		m->kind = *p++;
		m->pattern = *p++;
		m->delta = (uint16_t)(p[0] << 8 | p[1]);
		p += 2;
		if (m->kind > NATMSG_KIND_EDM || m->pattern > NATMSG_PAT_RANDOM)
			return NATMSG_E_FLAGS;
		if (get_ep(p, &m->observed) == -1)
			return NATMSG_E_ADDR;
		p += NATMSG_EP_LEN;
		break;
	case NATMSG_BEACON:
		memcpy(m->netid, p, NATMSG_NETID_LEN);
		p += NATMSG_NETID_LEN;
		m->port = (uint16_t)(p[0] << 8 | p[1]);
		if (m->port == 0)
			return NATMSG_E_ADDR;
		return len == need ? NATMSG_OK : NATMSG_E_LONG;
	}
	if (len != need)
		return NATMSG_E_LONG;
	m->mac = p;
	m->maclen_covered = (size_t)(p - buf);
	return NATMSG_OK;
}

const char *
natmsg_strerror(enum natmsg_error e)
{
	switch (e) {
	case NATMSG_OK:
		return "ok";
	case NATMSG_E_TYPE:
		return "unknown message type";
	case NATMSG_E_SHORT:
		return "truncated message";
	case NATMSG_E_LONG:
		return "message too long";
	case NATMSG_E_ADDR:
		return "endpoint with port 0";
	case NATMSG_E_COUNT:
		return "too many endpoints";
	case NATMSG_E_FLAGS:
		return "reserved flags set";
	}
	return "?";
}
