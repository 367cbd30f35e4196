/* The pair-key cache's index and eviction (keycache.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/keycache.h"

size_t
keycache_init(struct keycache *kc, size_t entries, size_t ways,
    uint64_t salt)
{
	size_t	n;

	memset(kc, 0, sizeof(*kc));
	kc->pinned = KEYCACHE_NONE;
	if (entries == 0 || ways == 0)
		return 0;
	for (kc->nsets = 1; kc->nsets * ways < entries; )
		kc->nsets *= 2;
	kc->ways = ways;
	kc->salt = salt;
	n = kc->nsets * ways;
	kc->tags = calloc(n, sizeof(*kc->tags));
	kc->used = calloc(n, sizeof(*kc->used));
	kc->keys = calloc(n, sizeof(*kc->keys));
	if (kc->tags == NULL || kc->used == NULL || kc->keys == NULL) {
		keycache_free(kc);
		return 0;
	}
	return n * (sizeof(*kc->tags) + sizeof(*kc->used) +
	    sizeof(*kc->keys));
}

void
keycache_free(struct keycache *kc)
{
	free(kc->tags);
	free(kc->used);
	free(kc->keys);
	memset(kc, 0, sizeof(*kc));
	kc->pinned = KEYCACHE_NONE;
}

size_t
keycache_slots(const struct keycache *kc)
{
	return kc->nsets * kc->ways;
}

static size_t
set_base(const struct keycache *kc, const uint8_t *key)
{
	uint64_t	h;

	memcpy(&h, key, sizeof(h));
	h = (h ^ kc->salt) * 0x9e3779b97f4a7c15ULL;
	return ((size_t)(h >> 32) & (kc->nsets - 1)) * kc->ways;
}

/* A key's tag: its first bytes, never 0 (0 marks a free slot). */
static uint64_t
tag_of(const uint8_t *key)
{
	uint64_t	t;

	memcpy(&t, key, sizeof(t));
	return t | 1;
}

size_t
keycache_find(const struct keycache *kc, const uint8_t *key)
{
	size_t		base, i;
	uint64_t	tag = tag_of(key);

	if (kc->nsets == 0)
		return KEYCACHE_NONE;
	base = set_base(kc, key);
	for (i = base; i < base + kc->ways; i++)
		if (kc->tags[i] == tag &&
		    memcmp(kc->keys[i], key, KEYCACHE_KEY_LEN) == 0)
			return i;
	return KEYCACHE_NONE;
}

void
keycache_touch(struct keycache *kc, size_t slot, uint64_t now)
{
	kc->used[slot] = now;
}

size_t
keycache_insert(struct keycache *kc, const uint8_t *key, uint64_t now)
{
	size_t	base, i, w;

	if (kc->nsets == 0)
		return KEYCACHE_NONE;
	base = set_base(kc, key);
	w = base;
	if (w == kc->pinned && kc->ways > 1)
		w++;
	for (i = base; i < base + kc->ways; i++) {
		if (kc->tags[i] == 0) {
			w = i;
			break;
		}
		if (kc->used[i] < kc->used[w] && i != kc->pinned)
			w = i;
	}
	kc->tags[w] = tag_of(key);
	kc->used[w] = now;
	memcpy(kc->keys[w], key, KEYCACHE_KEY_LEN);
	return w;
}

void
keycache_remove(struct keycache *kc, size_t slot)
{
	kc->tags[slot] = 0;
	kc->used[slot] = 0;
	memset(kc->keys[slot], 0, KEYCACHE_KEY_LEN);
	if (kc->pinned == slot)
		kc->pinned = KEYCACHE_NONE;
}

void
keycache_pin(struct keycache *kc, size_t slot)
{
	kc->pinned = slot;
}

const uint8_t *
keycache_key(const struct keycache *kc, size_t slot)
{
	return kc->keys[slot];
}
