#include "config.h"

#include <sodium.h>

#include "dht/pow.h"
#include "t.h"

T_TEST(leading_zeros)
{
	const uint8_t	a[] = { 0x00, 0x00, 0x01 }, b[] = { 0x80 },
			c[] = { 0x0f, 0xff }, z[4] = { 0 };

	T_EQ_INT(pow_leading_zeros(a, sizeof(a)), 23);
	T_EQ_INT(pow_leading_zeros(b, sizeof(b)), 0);
	T_EQ_INT(pow_leading_zeros(c, sizeof(c)), 4);
	T_EQ_INT(pow_leading_zeros(z, sizeof(z)), 32);
}

T_TEST(matches_blake2b)
{
	uint8_t		pk[32], h[32], buf[6 + 32];
	unsigned	i;

	for (i = 0; i < 200; i++) {
		randombytes_buf(pk, sizeof(pk));
		memcpy(buf, "public", 6);
		memcpy(buf + 6, pk, 32);
		crypto_generichash(h, 32, buf, sizeof(buf), NULL, 0);
		T_EQ_INT(pow_workbits("public", 6, pk),
		    pow_leading_zeros(h, 32));
	}
}

T_TEST(namespace_separates)
{
	uint8_t		pk[32];
	unsigned	i, differ = 0;

	/* with 8+ bits in one namespace, the other is independent */
	for (i = 0; i < 64; i++) {
		randombytes_buf(pk, sizeof(pk));
		if (pow_workbits("a", 1, pk) != pow_workbits("b", 1, pk))
			differ++;
	}
	T_ASSERT(differ > 16);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	T_RUN(leading_zeros);
	T_RUN(matches_blake2b);
	T_RUN(namespace_separates);
	return t_done();
}
