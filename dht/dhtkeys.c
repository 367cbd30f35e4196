/* The pair-key cache: each peer's XChaCha20-Poly1305 key, derived from one
 * X25519 with our static key and cached (common/keycache.c: DHT_KC_WAYS per
 * set, least recently used out; d->peers[slot] holds the pair key, the
 * peer's node ID and the address token it issued us). New keys from the
 * network are rate-limited (dh_rl). */
#include "config.h"

#include <string.h>

#include "dhtint.h"
#include "pow.h"

struct dht_peer *
dhtkeys_lookup(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	size_t	slot = keycache_find(&d->kc, key);

	return slot == KEYCACHE_NONE ? NULL : &d->peers[slot];
}

void
dhtkeys_touch(struct dht *d, struct dht_peer *p, uint64_t now)
{
	keycache_touch(&d->kc, (size_t)(p - d->peers), now);
}

void
dhtkeys_pin(struct dht *d, struct dht_peer *p)
{
	keycache_pin(&d->kc, p == NULL ? KEYCACHE_NONE :
	    (size_t)(p - d->peers));
}

static int
workbit_ok(const struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	return d->workbit == 0 ||
	    pow_workbits(d->ns, d->nslen, key) >= d->workbit;
}

/* Derive the pair key for key (one X25519): 0, or -1 with *why set. */
int
dhtkeys_derive(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    uint8_t pair[DHTCRYPTO_PAIR_LEN], uint64_t now, int incoming,
    enum dht_drop *why)
{
	uint8_t		shared[32];
	int		r;

	if (!workbit_ok(d, key)) {
		*why = DHT_DROP_WORKBIT;
		return -1;
	}
	if (incoming && !ratelimit_bucket_take(&d->dh_rl, d->dh_rate,
	    d->dh_burst, 1, now)) {
		*why = DHT_DROP_DHLIMIT;
		return -1;
	}
	if (d->cb.dh != NULL)
		r = d->cb.dh(d->cb.arg, shared, d->sk, key);
	else
		r = dhtcrypto_x25519(shared, d->sk, key);
	if (r != 0) {
		dhtcrypto_wipe(shared, sizeof(shared));
		*why = DHT_DROP_AUTH;
		return -1;
	}
	d->st.dh_computed++;
	dhtcrypto_pair_key(pair, shared, d->ns, d->nslen, d->pk, key);
	dhtcrypto_wipe(shared, sizeof(shared));
	return 0;
}

/* Cache a pair key, evicting the least recently used entry of its set
 * (never the peer whose packet is being handled: its entry is pinned until
 * dht_input returns). */
struct dht_peer *
dhtkeys_insert(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t pair[DHTCRYPTO_PAIR_LEN], uint64_t now)
{
	struct dht_peer	*p;

	p = &d->peers[keycache_insert(&d->kc, key, now)];
	dhtcrypto_wipe(p, sizeof(*p));
	memcpy(p->key, key, DHT_KEY_LEN);
	memcpy(p->pair, pair, DHTCRYPTO_PAIR_LEN);
	dht_node_id(d, p->id, key);
	return p;
}

/* The cached pair key for a key we are about to send to. */
struct dht_peer *
dhtkeys_get(struct dht *d, const uint8_t key[DHT_KEY_LEN], uint64_t now,
    enum dht_drop *why)
{
	struct dht_peer	*p;
	uint8_t		 pair[DHTCRYPTO_PAIR_LEN];

	if ((p = dhtkeys_lookup(d, key)) != NULL) {
		dhtkeys_touch(d, p, now);
		return p;
	}
	if (dhtkeys_derive(d, key, pair, now, 0, why) != 0)
		return NULL;
	p = dhtkeys_insert(d, key, pair, now);
	dhtcrypto_wipe(pair, sizeof(pair));
	return p;
}

int
dht_contact_ok(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    uint8_t id[DHT_ID_LEN])
{
	const struct dht_peer	*p;

	if (memcmp(key, d->pk, DHT_KEY_LEN) == 0)
		return -1;
	/* a cached peer passed the workbit check and has its ID */
	if ((p = dhtkeys_lookup(d, key)) != NULL) {
		memcpy(id, p->id, DHT_ID_LEN);
		return 0;
	}
	if (!workbit_ok(d, key))
		return -1;
	dht_node_id(d, id, key);
	return 0;
}
