/* The relay service every node offers (useful where it is reachable: it is
 * then some NAT-ed members' rendezvous): BIND messages checked (workbit,
 * MAC with the pair key, nonce near the wall clock and growing, and the
 * source address's cookie) and answered, TORELAY datagrams passed on as
 * FROMRELAY by relay.c's table with its per-source and global rate
 * limits. Only ciphertext goes through: the payload is a tunnel message,
 * encrypted end to end.
 *
 * Address validation (SECURITY.md): a BIND's source address may be
 * spoofed, and anyone can make a key that meets the workbit. Until the
 * address has shown that it receives, it gets only a COOKIE, smaller than
 * the BIND, and nothing keyed by it changes (no binding made or moved, no
 * nonce advanced). The cookie is a MAC of the address and the key under a
 * secret replaced every RELAY_SECRET_MS; a BIND that carries it (the
 * sender repeats its BIND with the same nonce) is bound and answered.
 * The client's half is here too (relayglue_bind_send, relayglue_cookie,
 * with a jar of relays' cookies in struct disc): the relay client sends
 * its BINDs through it and hands it the COOKIEs it gets.
 *
 * Environment (operators of public nodes):
 *	MESH_RELAY_RATE		per-source limit in kilobytes per second
 *				(default 2048, i.e. 2 MiB/s; 0: none)
 *	MESH_RELAY_CAP		limit for all sources together, kilobytes per
 *				second (default 25600, i.e. 25 MiB/s; 0: none)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nat/discint.h"
#include "common/ratelimit.h"
#include "common/log.h"
#include "nat/natep.h"
#include "nat/natkey.h"
#include "dht/pow.h"
#include "nat/relay.h"
#include "datapath/udp.h"
#include "common/util.h"

#define DH_RATE		200	/* new pair keys per second */
#define DH_BURST	400
#define FWD_BUF		(256 * 1024)	/* forwarded bytes per batch */
#define FWD_RUN		65000		/* bytes in one GSO send */

/* A kB/s knob from the environment, name=s, into *out (bytes/s; 0 from
 * the user: no limit); unset or bad leaves *out alone (the default). */
static void
rate_env(const char *name, const char *s, uint64_t *out)
{
	unsigned long	 v;

	if (s == NULL)
		return;
	if (util_parse_uint(s, 0, 1UL << 30, &v) == -1)
		log_warnx("%s=%s: not a number of kilobytes per second; "
		    "using the default", name, s);
	else
		*out = v == 0 ? UINT64_MAX : (uint64_t)v * 1024;
}

static void
secret_turn(struct disc *d, uint64_t now)
{
	uint8_t	fresh[RELAY_SECRET_LEN];

	if (!relay_secret_due(d->rt, now))
		return;
	disc_random(fresh, sizeof(fresh));
	relay_secret_rotate(d->rt, fresh, now);
	natkey_wipe(fresh);
}

int
relayglue_start(struct disc *d)
{
	struct relay_config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	disc_random(&cfg.seed, sizeof(cfg.seed));
	rate_env("MESH_RELAY_RATE", getenv("MESH_RELAY_RATE"), &cfg.rate);
	rate_env("MESH_RELAY_CAP", getenv("MESH_RELAY_CAP"), &cfg.cap);
	if ((d->rt = relay_new(&cfg)) == NULL ||
	    (d->fwd = malloc(FWD_BUF)) == NULL ||
	    (d->fwdm = calloc(UDP_BATCH, sizeof(*d->fwdm))) == NULL ||
	    keycache_init(&d->kc, DISC_KEYCACHE, DISC_KEYCACHE, 0) == 0)
		return -1;
	ratelimit_bucket_init(&d->dh_bucket, DH_BURST, disc_now());
	secret_turn(d, disc_now());
	return 0;
}

void
relayglue_stop(struct disc *d)
{
	size_t	i;

	for (i = 0; i < DISC_MAX_RELAYS; i++)
		natkey_wipe(d->ck[i].pair);
	for (i = 0; i < DISC_KEYCACHE; i++)
		natkey_wipe(d->kc_pair[i]);
	keycache_free(&d->kc);
	relay_free(d->rt);
	d->rt = NULL;
	free(d->fwd);
	free(d->fwdm);
	d->fwd = NULL;
	d->fwdm = NULL;
}

/* Send what was gathered. */
void
relayglue_flush(struct disc *d)
{
	unsigned	failed;

	if (d->nfwdm == 0)
		return;
	failed = udp_send_batch(d->udp, d->fwdm, d->nfwdm);
	d->drops[DISC_DROP_RELAY_SEND] += failed;
	d->nfwdm = 0;
	d->fwd_used = 0;
	d->fwd_open = 0;
}

/* Room for a datagram of len bytes to `to` at the end of the gathered
 * ones: where to write it (the caller fills it). */
static uint8_t *
fwd_slot(struct disc *d, const struct sockaddr_in6 *to, size_t len)
{
	struct udp_msg	*last = d->nfwdm > 0 ? &d->fwdm[d->nfwdm - 1] : NULL;
	size_t		 seg;
	uint8_t		*p;

	if (last != NULL && d->fwd_open && d->udp->gso &&
	    natep_eq(&last->addr, to) && d->fwd_used + len <= FWD_BUF) {
		seg = last->segsize != 0 ? last->segsize : last->len;
		if (len <= seg && last->len + len <= FWD_RUN) {
			/* the run goes on; a shorter one ends it */
			p = d->fwd + d->fwd_used;
			d->fwd_used += len;
			last->len += len;
			last->cap = last->len;
			last->segsize = seg;
			d->fwd_open = len == seg;
			return p;
		}
	}
	if (d->nfwdm == UDP_BATCH || d->fwd_used + len > FWD_BUF)
		relayglue_flush(d);
	last = &d->fwdm[d->nfwdm++];
	memset(last, 0, sizeof(*last));
	last->buf = d->fwd + d->fwd_used;
	last->len = last->cap = len;
	last->addr = *to;
	d->fwd_open = 1;
	p = d->fwd + d->fwd_used;
	d->fwd_used += len;
	return p;
}

/* The pair key with a BIND's sender, cached; NULL when the new-key rate
 * is exceeded or the key is unusable. */
static const uint8_t *
pair_key(struct disc *d, const uint8_t *key, uint64_t now)
{
	size_t	slot;

	if ((slot = keycache_find(&d->kc, key)) != KEYCACHE_NONE) {
		keycache_touch(&d->kc, slot, now);
		return d->kc_pair[slot];
	}
	if (!ratelimit_bucket_take(&d->dh_bucket, DH_RATE, DH_BURST, 1, now)) {
		d->drops[DISC_DROP_DHLIMIT]++;
		return NULL;
	}
	slot = keycache_insert(&d->kc, key, now);
	if (natkey_pair(d->kc_pair[slot], d->sk, d->pk, key) == -1) {
		keycache_remove(&d->kc, slot);
		return NULL;
	}
	return d->kc_pair[slot];
}

/* The DHT's clients (NAT-ed nodes registered with us) are reachable
 * through us at their registered address. */
static void
sync_clients(struct disc *d, uint64_t now)
{
	struct dht_rv_info	c[64];
	struct sockaddr_in6	sa;
	size_t			n, i;

	d->rt_sync = now;
	if (d->dg.dht == NULL)
		return;
	n = dht_clients(d->dg.dht, c, sizeof(c) / sizeof(c[0]));
	for (i = 0; i < n; i++) {
		disc_sa_from_dht(&sa, &c[i].addr);
		if (natep_is_set(&sa))
			(void)relay_client(d->rt, c[i].key, &sa,
			    c[i].expires, now);
	}
}

/* The cookie for key at addr under secret: natkey's keyed BLAKE2b of
 * the address, the port and the key. */
static void
cookie_make(uint8_t out[NATMSG_COOKIE_LEN], const uint8_t *secret,
    const struct sockaddr_in6 *addr, const uint8_t *key)
{
	uint8_t	b[16 + 2 + NATMSG_KEY_LEN + NATMSG_COOKIE_LEN];

	memcpy(b, &addr->sin6_addr, 16);
	memcpy(b + 16, &addr->sin6_port, 2);
	memcpy(b + 18, key, NATMSG_KEY_LEN);
	natkey_seal(b, sizeof(b), secret);
	memcpy(out, b + sizeof(b) - NATMSG_COOKIE_LEN, NATMSG_COOKIE_LEN);
}

/* 1 if msg carries a cookie one of our secrets made for its key at
 * addr. */
static int
cookie_ok(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *addr, uint64_t now)
{
	uint8_t		 b[16 + 2 + NATMSG_KEY_LEN];
	const uint8_t	*secret;
	int		 prev;

	if (!msg->has_cookie)
		return 0;
	memcpy(b, &addr->sin6_addr, 16);
	memcpy(b + 16, &addr->sin6_port, 2);
	memcpy(b + 18, msg->key, NATMSG_KEY_LEN);
	for (prev = 0; prev <= 1; prev++)
		if ((secret = relay_secret(d->rt, prev, now)) != NULL &&
		    natkey_verify(b, sizeof(b), msg->cookie, secret) == 0)
			return 1;
	return 0;
}

void
relayglue_bind(struct disc *d, const uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct natmsg	 msg, ans;
	const uint8_t	*pair, *secret;
	uint64_t	 nonce = 0, wall;
	uint8_t		 buf[1 + 2 * NATMSG_KEY_LEN + NATMSG_NONCE_LEN + 1 +
			    NATMSG_EP_LEN + NATMSG_MAC_LEN];
	size_t		 n;
	int		 i;

	if (natmsg_decode(pkt, len, &msg) != NATMSG_OK) {
		d->drops[DISC_DROP_NATMSG]++;
		return;
	}
	if (memcmp(msg.key, d->pk, DHT_KEY_LEN) == 0 ||
	    (d->workbit > 0 && pow_workbits(d->ns, strlen(d->ns), msg.key) <
	    d->workbit)) {
		d->drops[DISC_DROP_BIND]++;
		return;
	}
	if ((pair = pair_key(d, msg.key, now)) == NULL)
		return;
	if (natkey_verify(pkt, msg.maclen_covered, msg.mac, pair) != 0) {
		d->drops[DISC_DROP_MAC]++;
		return;
	}
	for (i = 0; i < 8; i++)
		nonce = nonce << 8 | msg.nonce[i];
	wall = disc_wallclock();
	if (nonce + DISC_NONCE_WINDOW_MS < wall ||
	    nonce > wall + DISC_NONCE_WINDOW_MS) {
		d->drops[DISC_DROP_BIND]++;
		return;
	}
	memset(&ans, 0, sizeof(ans));
	memcpy(ans.key, d->pk, NATMSG_KEY_LEN);
	memcpy(ans.nonce, msg.nonce, NATMSG_NONCE_LEN);
	secret_turn(d, now);
	if (!cookie_ok(d, &msg, from, now)) {
		/* the source has not shown that it receives: a challenge
		 * smaller than the BIND, and nothing else */
		ans.type = NATMSG_COOKIE;
		if ((secret = relay_secret(d->rt, 0, now)) == NULL)
			return;
		cookie_make(ans.cookie, secret, from, msg.key);
		if ((n = natmsg_encode(&ans, buf, sizeof(buf))) == 0 ||
		    n > len)
			return;
		natkey_seal(buf, n, pair);
		(void)udp_send(d->udp, buf, n, from);
		return;
	}
	ans.type = NATMSG_BOUND;
	memcpy(ans.key2, msg.key2, NATMSG_KEY_LEN);
	ans.observed = *from;
	switch (relay_bind(d->rt, msg.key, from, nonce, now)) {
	case RELAY_BIND_OK:
		if (!relay_known(d->rt, msg.key2, now))
			sync_clients(d, now);
		ans.status = relay_known(d->rt, msg.key2, now) ?
		    NATMSG_BOUND_OK : NATMSG_BOUND_UNKNOWN;
		break;
	case RELAY_BIND_REPLAY:
		d->drops[DISC_DROP_BIND]++;
		return;
	default:
		d->drops[DISC_DROP_BIND]++;
		ans.status = NATMSG_BOUND_FULL;
		break;
	}
	if ((n = natmsg_encode(&ans, buf, sizeof(buf))) == 0)
		return;
	natkey_seal(buf, n, pair);
	(void)udp_send(d->udp, buf, n, from);
}

/* --- the client's half: BINDs to relays we use ---------------------- */

/* Send c's relay a BIND for target with nonce, with its cookie for our
 * address while we have one. */
static void
bind_out(struct disc *d, const struct disc_cookie *c, const uint8_t *target,
    uint64_t nonce, uint64_t now)
{
	struct natmsg	msg;
	uint8_t		buf[1 + 2 * NATMSG_KEY_LEN + NATMSG_NONCE_LEN +
			    NATMSG_COOKIE_LEN + NATMSG_MAC_LEN];
	size_t		n;
	int		k;

	memset(&msg, 0, sizeof(msg));
	msg.type = NATMSG_BIND;
	memcpy(msg.key, d->pk, NATMSG_KEY_LEN);
	memcpy(msg.key2, target, NATMSG_KEY_LEN);
	for (k = 7; k >= 0; k--) {
		msg.nonce[k] = (uint8_t)nonce;
		nonce >>= 8;
	}
	if (c->cookie_until > now) {
		memcpy(msg.cookie, c->cookie, NATMSG_COOKIE_LEN);
		msg.has_cookie = 1;
	}
	if ((n = natmsg_encode(&msg, buf, sizeof(buf))) == 0)
		return;
	natkey_seal(buf, n, c->pair);
	(void)udp_send(d->udp, buf, n, &c->addr);
}

/* The jar entry of the relay with key at addr; NULL if none (and !make).
 * make: a new one (the least recently used goes). */
static struct disc_cookie *
jar(struct disc *d, const uint8_t *key, const struct sockaddr_in6 *addr,
    int make)
{
	struct disc_cookie	*c, *old = &d->ck[0];
	size_t			 i;

	for (i = 0; i < DISC_MAX_RELAYS; i++) {
		c = &d->ck[i];
		if (c->used != 0 && memcmp(c->key, key, DHT_KEY_LEN) == 0 &&
		    natep_eq(&c->addr, addr))
			return c;
		if (c->used < old->used)
			old = c;
	}
	if (!make)
		return NULL;
	natkey_wipe(old->pair);
	memset(old, 0, sizeof(*old));
	memcpy(old->key, key, DHT_KEY_LEN);
	old->addr = *addr;
	return old;
}

void
relayglue_bind_send(struct disc *d, const uint8_t *key,
    const struct sockaddr_in6 *addr, const uint8_t *pair,
    const uint8_t *target, uint64_t nonce, uint64_t now)
{
	struct disc_cookie	*c = jar(d, key, addr, 1);

	memcpy(c->pair, pair, sizeof(c->pair));
	c->used = now != 0 ? now : 1;
	/* remembered: a COOKIE answering it has us repeat it */
	c->sent[c->sent_next].nonce = nonce;
	memcpy(c->sent[c->sent_next].target, target, DHT_KEY_LEN);
	c->sent_next = (c->sent_next + 1) % DISC_BIND_SENT;
	bind_out(d, c, target, nonce, now);
}

/* A relay's COOKIE: our address there is not proven (yet, or any more).
 * Keep the cookie and repeat the BIND it answers, once, with it. */
void
relayglue_cookie(struct disc *d, const struct natmsg *msg,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct disc_cookie	*c;
	uint64_t		 nonce = 0;
	size_t			 i;
	int			 k;

	if ((c = jar(d, msg->key, from, 0)) == NULL) {
		d->drops[DISC_DROP_STRAY]++;
		return;
	}
	if (natkey_verify(msg->mac - msg->maclen_covered, msg->maclen_covered,
	    msg->mac, c->pair) != 0) {
		d->drops[DISC_DROP_MAC]++;
		return;
	}
	for (k = 0; k < 8; k++)
		nonce = nonce << 8 | msg->nonce[k];
	for (i = 0; i < DISC_BIND_SENT; i++)
		if (nonce != 0 && c->sent[i].nonce == nonce)
			break;
	if (i == DISC_BIND_SENT) {
		/* a replay, or an answer to a BIND already repeated */
		d->drops[DISC_DROP_STRAY]++;
		return;
	}
	memcpy(c->cookie, msg->cookie, NATMSG_COOKIE_LEN);
	c->cookie_until = now + DISC_COOKIE_MS;
	c->sent[i].nonce = 0;
	bind_out(d, c, c->sent[i].target, nonce, now);
}

/* --- forwarding -------------------------------------------------------- */

void
relayglue_forward(struct disc *d, const uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct sockaddr_in6	to;
	uint8_t			src[RELAY_ID_LEN], *out;
	enum relay_verdict	v;

	if (len <= NATMSG_RELAY_HDR || len > FWD_RUN) {
		d->drops[DISC_DROP_NATMSG]++;
		return;
	}
	v = relay_forward(d->rt, from, pkt + 1, len - NATMSG_RELAY_HDR, now,
	    &to, src);
	if (v == RELAY_UNKNOWN && now - d->rt_sync >= 100) {
		/* a client that registered since the last look */
		sync_clients(d, now);
		v = relay_forward(d->rt, from, pkt + 1,
		    len - NATMSG_RELAY_HDR, now, &to, src);
	}
	switch (v) {
	case RELAY_FORWARD:
		break;
	case RELAY_UNBOUND:
		d->drops[DISC_DROP_RELAY_UNBOUND]++;
		return;
	case RELAY_UNKNOWN:
		d->drops[DISC_DROP_RELAY_UNKNOWN]++;
		return;
	case RELAY_RATE:
		d->drops[DISC_DROP_RELAY_RATE]++;
		return;
	default:
		d->drops[DISC_DROP_RELAY_LOOP]++;
		return;
	}
	out = fwd_slot(d, &to, len);
	out[0] = NATMSG_FROMRELAY;
	memcpy(out + 1, src, RELAY_ID_LEN);
	memcpy(out + NATMSG_RELAY_HDR, pkt + NATMSG_RELAY_HDR,
	    len - NATMSG_RELAY_HDR);
}

void
relayglue_tick(struct disc *d, uint64_t now)
{
	secret_turn(d, now);
	sync_clients(d, now);
	(void)relay_expire(d->rt, now);
}
