/* Proof of work on public keys (pure). */
#include "config.h"

#include <sodium.h>

#include "pow.h"

unsigned
pow_leading_zeros(const uint8_t *h, size_t len)
{
	unsigned	n = 0;
	size_t		i;
	uint8_t		b;

	for (i = 0; i < len; i++) {
		if (h[i] != 0) {
			for (b = h[i]; (b & 0x80) == 0; b <<= 1)
				n++;
			return n;
		}
		n += 8;
	}
	return n;
}

unsigned
pow_workbits(const char *ns, size_t nslen, const uint8_t pk[POW_KEY_LEN])
{
	crypto_generichash_state	st;
	uint8_t				h[32];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)ns, nslen);
	crypto_generichash_update(&st, pk, POW_KEY_LEN);
	crypto_generichash_final(&st, h, sizeof(h));
	return pow_leading_zeros(h, sizeof(h));
}
