/* The relay service every node offers (useful where it is reachable: it is
 * then some NAT-ed members' rendezvous): BIND messages checked (workbit,
 * MAC with the pair key, nonce near the wall clock and growing) and
 * answered, TORELAY datagrams passed on as FROMRELAY by relay.c's table
 * with its per-source rate limit. Only ciphertext goes through: the
 * payload is a tunnel message, encrypted end to end.
 *
 * Environment (operators of public nodes):
 *	MESH_RELAY_RATE		per-source limit in kilobytes per second
 *				(default 524288, i.e. 512 MiB/s; 0: none) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nat/discint.h"
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

int
relayglue_start(struct disc *d)
{
	struct relay_config	cfg;
	const char		*s;
	unsigned long		 v;

	memset(&cfg, 0, sizeof(cfg));
	disc_random(&cfg.seed, sizeof(cfg.seed));
	if ((s = getenv("MESH_RELAY_RATE")) != NULL) {
		if (util_parse_uint(s, 0, 1UL << 30, &v) == -1)
			log_warnx("MESH_RELAY_RATE=%s: not a number of "
			    "kilobytes per second; using the default", s);
		else
			cfg.rate = v == 0 ? UINT64_MAX : (uint64_t)v * 1024;
	}
	if ((d->rt = relay_new(&cfg)) == NULL ||
	    (d->fwd = malloc(FWD_BUF)) == NULL ||
	    (d->fwdm = calloc(UDP_BATCH, sizeof(*d->fwdm))) == NULL)
		return -1;
	d->dh_level = DH_BURST * 1000ULL;
	d->dh_at = disc_now();
	return 0;
}

void
relayglue_stop(struct disc *d)
{
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
	struct disc_kc	*c, *old = &d->kc[0];
	size_t		 i;

	for (i = 0; i < DISC_KEYCACHE; i++) {
		c = &d->kc[i];
		if (c->used != 0 && memcmp(c->key, key, DHT_KEY_LEN) == 0) {
			c->used = now;
			return c->pair;
		}
		if (c->used < old->used)
			old = c;
	}
	if (now > d->dh_at) {
		d->dh_level += (now - d->dh_at) * DH_RATE;
		if (d->dh_level > DH_BURST * 1000ULL)
			d->dh_level = DH_BURST * 1000ULL;
		d->dh_at = now;
	}
	if (d->dh_level < 1000) {
		d->drops[DISC_DROP_DHLIMIT]++;
		return NULL;
	}
	d->dh_level -= 1000;
	if (natkey_pair(old->pair, d->sk, d->pk, key) == -1) {
		old->used = 0;
		return NULL;
	}
	memcpy(old->key, key, DHT_KEY_LEN);
	old->used = now;
	return old->pair;
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

void
relayglue_bind(struct disc *d, const uint8_t *pkt, size_t len,
    const struct sockaddr_in6 *from, uint64_t now)
{
	struct natmsg	 msg, ans;
	const uint8_t	*pair;
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
	ans.type = NATMSG_BOUND;
	memcpy(ans.key, d->pk, NATMSG_KEY_LEN);
	memcpy(ans.key2, msg.key2, NATMSG_KEY_LEN);
	memcpy(ans.nonce, msg.nonce, NATMSG_NONCE_LEN);
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
	sync_clients(d, now);
	(void)relay_expire(d->rt, now);
}
