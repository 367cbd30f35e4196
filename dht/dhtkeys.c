/* The pair-key cache: each peer's XChaCha20-Poly1305 key, derived from one
 * X25519 with our static key and cached set-associatively (DHT_KC_WAYS per
 * set, least recently used out), with the peer's node ID and the address
 * token it issued us. New keys from the network are rate-limited (dh_rl). */
#include "config.h"

#include <string.h>

#include "dhtint.h"
#include "pow.h"

static unsigned
peer_set(const struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	uint64_t	h;

	memcpy(&h, key, sizeof(h));
	h = (h ^ d->kc_salt) * 0x9e3779b97f4a7c15ULL;
	return (unsigned)(h >> 32) & (d->npeersets - 1);
}

/* A key's tag: its first bytes, never 0 (0 marks a free way). The tags of a
 * set share a cache line, so a miss does not touch the entries. */
static uint64_t
peer_tag(const uint8_t key[DHT_KEY_LEN])
{
	uint64_t	t;

	memcpy(&t, key, sizeof(t));
	return t | 1;
}

struct dht_peer *
dhtkeys_lookup(struct dht *d, const uint8_t key[DHT_KEY_LEN])
{
	unsigned	 base = peer_set(d, key) * DHT_KC_WAYS, i;
	uint64_t	 tag = peer_tag(key);

	for (i = 0; i < DHT_KC_WAYS; i++)
		if (d->peer_tags[base + i] == tag &&
		    memcmp(d->peers[base + i].key, key, DHT_KEY_LEN) == 0)
			return &d->peers[base + i];
	return NULL;
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

/* Cache a pair key, evicting the least recently used entry of its set. */
struct dht_peer *
dhtkeys_insert(struct dht *d, const uint8_t key[DHT_KEY_LEN],
    const uint8_t pair[DHTCRYPTO_PAIR_LEN], uint64_t now)
{
	struct dht_peer	*set, *p;
	unsigned	 base = peer_set(d, key) * DHT_KC_WAYS, i, w = 0;

	set = &d->peers[base];
	/* never the peer whose packet is being handled (its entry is in use
	 * until dht_input returns) */
	if (&set[w] == d->pinned)
		w = 1;
	for (i = 0; i < DHT_KC_WAYS; i++) {
		if (d->peer_tags[base + i] == 0) {
			w = i;
			break;
		}
		if (set[i].used < set[w].used && &set[i] != d->pinned)
			w = i;
	}
	p = &set[w];
	dhtcrypto_wipe(p, sizeof(*p));
	memcpy(p->key, key, DHT_KEY_LEN);
	memcpy(p->pair, pair, DHTCRYPTO_PAIR_LEN);
	dht_node_id(d, p->id, key);
	p->used = now;
	d->peer_tags[base + w] = peer_tag(key);
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
		p->used = now;
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
