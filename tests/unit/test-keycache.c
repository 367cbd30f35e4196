/* Tests of the pair-key cache's index and eviction (src/common/keycache.c),
 * the one cache the DHT and the relay service share, on a fake clock. */
#include "config.h"

#include <stdint.h>

#include "common/keycache.h"
#include "t.h"

/* A key whose first byte picks nothing in particular: distinct keys. */
static void
mkkey(uint8_t key[KEYCACHE_KEY_LEN], unsigned n)
{
	memset(key, 0, KEYCACHE_KEY_LEN);
	memcpy(key, &n, sizeof(n));
	key[31] = (uint8_t)n;
}

T_TEST(sizes)
{
	struct keycache	kc;

	T_EQ_INT(keycache_init(&kc, 0, 4, 1) == 0, 1);
	T_EQ_INT(keycache_find(&kc, (const uint8_t *)"0123456789abcdef"
	    "0123456789abcdef") == KEYCACHE_NONE, 1);
	keycache_free(&kc);
	/* rounded up to a power of two of sets */
	T_ASSERT(keycache_init(&kc, 9, 4, 1) != 0);
	T_EQ_INT((int)kc.nsets, 4);
	T_EQ_INT((int)keycache_slots(&kc), 16);
	keycache_free(&kc);
	/* one set: fully associative */
	T_ASSERT(keycache_init(&kc, 64, 64, 1) != 0);
	T_EQ_INT((int)kc.nsets, 1);
	T_EQ_INT((int)keycache_slots(&kc), 64);
	keycache_free(&kc);
}

T_TEST(find_insert_remove)
{
	struct keycache	kc;
	uint8_t		k[KEYCACHE_KEY_LEN], k2[KEYCACHE_KEY_LEN];
	size_t		s;

	T_ASSERT(keycache_init(&kc, 64, 4, 0x1234) != 0);
	mkkey(k, 7);
	T_EQ_INT(keycache_find(&kc, k) == KEYCACHE_NONE, 1);
	s = keycache_insert(&kc, k, 100);
	T_ASSERT(s < keycache_slots(&kc));
	T_EQ_INT(keycache_find(&kc, k) == s, 1);
	T_EQ_MEM(keycache_key(&kc, s), k, KEYCACHE_KEY_LEN);
	/* same first 8 bytes (same tag), another key: not found */
	memcpy(k2, k, sizeof(k2));
	k2[20] ^= 1;
	T_EQ_INT(keycache_find(&kc, k2) == KEYCACHE_NONE, 1);
	keycache_remove(&kc, s);
	T_EQ_INT(keycache_find(&kc, k) == KEYCACHE_NONE, 1);
	/* the zero key works too (its tag is never 0) */
	memset(k2, 0, sizeof(k2));
	s = keycache_insert(&kc, k2, 1);
	T_EQ_INT(keycache_find(&kc, k2) == s, 1);
	keycache_free(&kc);
}

/* Eviction within one set: free slots first, then the least recently
 * used, never the pinned one. */
T_TEST(lru)
{
	struct keycache	kc;
	uint8_t		k[8][KEYCACHE_KEY_LEN];
	size_t		s[8], i;

	T_ASSERT(keycache_init(&kc, 4, 4, 99) != 0);	/* one set of 4 */
	for (i = 0; i < 8; i++)
		mkkey(k[i], (unsigned)i + 1);
	for (i = 0; i < 4; i++)
		s[i] = keycache_insert(&kc, k[i], 10 + i);
	for (i = 0; i < 4; i++)
		T_EQ_INT(keycache_find(&kc, k[i]) == s[i], 1);
	/* k0 used lately: k1 is the oldest and goes */
	keycache_touch(&kc, s[0], 50);
	s[4] = keycache_insert(&kc, k[4], 60);
	T_EQ_INT(s[4] == s[1], 1);
	T_EQ_INT(keycache_find(&kc, k[1]) == KEYCACHE_NONE, 1);
	T_EQ_INT(keycache_find(&kc, k[0]) == s[0], 1);
	/* k2 is the oldest now, but pinned: k3 goes */
	keycache_pin(&kc, s[2]);
	s[5] = keycache_insert(&kc, k[5], 70);
	T_EQ_INT(s[5] == s[3], 1);
	T_EQ_INT(keycache_find(&kc, k[2]) == s[2], 1);
	keycache_pin(&kc, KEYCACHE_NONE);
	s[6] = keycache_insert(&kc, k[6], 80);
	T_EQ_INT(s[6] == s[2], 1);
	/* a removed slot is taken before any used one */
	keycache_remove(&kc, s[5]);
	s[7] = keycache_insert(&kc, k[7], 90);
	T_EQ_INT(s[7] == s[5], 1);
	keycache_free(&kc);
}

/* The first slot of a set pinned and the oldest: the next one is taken. */
T_TEST(pinned_first)
{
	struct keycache	kc;
	uint8_t		k[3][KEYCACHE_KEY_LEN];
	size_t		a, b, c;

	T_ASSERT(keycache_init(&kc, 2, 2, 5) != 0);
	mkkey(k[0], 1);
	mkkey(k[1], 2);
	mkkey(k[2], 3);
	a = keycache_insert(&kc, k[0], 1);
	b = keycache_insert(&kc, k[1], 2);
	T_ASSERT(a != b);
	keycache_pin(&kc, a);
	c = keycache_insert(&kc, k[2], 3);
	T_EQ_INT(c == b, 1);
	T_EQ_INT(keycache_find(&kc, k[0]) == a, 1);
	keycache_free(&kc);
}

/* Many keys over many sets: every key inserted last is found, the cache
 * never holds more than its slots, and no key is found in two slots. */
T_TEST(many)
{
	struct keycache	kc;
	uint8_t		k[KEYCACHE_KEY_LEN];
	size_t		n = 0, i, s;
	unsigned	j;

	T_ASSERT(keycache_init(&kc, 256, 4, 0xabcdef) != 0);
	for (j = 0; j < 5000; j++) {
		mkkey(k, j * 2654435761u);
		if (keycache_find(&kc, k) == KEYCACHE_NONE)
			s = keycache_insert(&kc, k, j + 1);
		else
			s = keycache_find(&kc, k);
		T_EQ_INT(keycache_find(&kc, k) == s, 1);
	}
	for (i = 0; i < keycache_slots(&kc); i++)
		n += kc.tags[i] != 0;
	T_EQ_INT((int)n, 256);
	keycache_free(&kc);
}

int
main(void)
{
	T_RUN(sizes);
	T_RUN(find_insert_remove);
	T_RUN(lru);
	T_RUN(pinned_first);
	T_RUN(many);
	return t_done();
}
