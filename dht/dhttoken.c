/* Address tokens: a keyed hash of the requester's address and key under a
 * secret that rotates every DHT_TOKEN_ROTATE (the previous one is still
 * accepted). A request that echoes a valid token proves its sender receives
 * at its source address. */
#include "config.h"

#include <string.h>

#include "dhtint.h"

void
dhttoken_rotate(struct dht *d, uint64_t now)
{
	if (d->secret_at != 0 && now < d->secret_at + DHT_TOKEN_ROTATE)
		return;
	memcpy(d->secret[1], d->secret[0], DHTCRYPTO_SECRET_LEN);
	d->cb.random(d->cb.arg, d->secret[0], DHTCRYPTO_SECRET_LEN);
	if (d->secret_at == 0)
		memcpy(d->secret[1], d->secret[0], DHTCRYPTO_SECRET_LEN);
	d->secret_at = now;
}

/* The token we hand the requester key at address a (in every answer). */
void
dhttoken_make(struct dht *d, uint8_t token[DHTMSG_TOKEN_LEN],
    const struct dht_addr *a, const uint8_t key[DHT_KEY_LEN])
{
	dhtcrypto_token(token, d->secret[0], a, key);
}

int
dhttoken_valid(struct dht *d, const struct dht_addr *a,
    const uint8_t key[DHT_KEY_LEN], const uint8_t token[DHTMSG_TOKEN_LEN])
{
	uint8_t	t[DHTMSG_TOKEN_LEN];
	int	i;

	for (i = 0; i < 2; i++) {
		dhtcrypto_token(t, d->secret[i], a, key);
		if (dhtcrypto_memcmp(t, token, DHTMSG_TOKEN_LEN) == 0)
			return 1;
	}
	return 0;
}
