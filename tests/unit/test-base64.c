#include "config.h"

#include "common/base64.h"
#include "t.h"

T_TEST(rfc4648_vectors)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	char		out[16];
	uint8_t		back[8];
	size_t		i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = strlen(v[i].in);
		base64_encode(out, (const uint8_t *)v[i].in, n);
		T_EQ_STR(out, v[i].out);
		T_EQ_INT(base64_decode(back, n, out, strlen(out)), 0);
		T_EQ_MEM(back, v[i].in, n);
	}
}

T_TEST(alphabets)
{
	const uint8_t	raw[3] = { 0xfb, 0xff, 0xbf };
	char		out[8];
	uint8_t		back[3];

	base64_encode(out, raw, 3);
	T_EQ_STR(out, "-_-_");
	T_EQ_INT(base64_decode(back, 3, "+/+/", 4), 0);
	T_EQ_MEM(back, raw, 3);
	/* mixing the alphabets is refused */
	T_EQ_INT(base64_decode(back, 3, "-/+_", 4), -1);
}

T_TEST(padding)
{
	uint8_t	b[2];

	T_EQ_INT(base64_decode(b, 2, "Zm8=", 4), 0);
	T_EQ_INT(base64_decode(b, 2, "Zm8", 3), 0);
	T_EQ_INT(base64_decode(b, 2, "Zm8==", 5), -1);
	T_EQ_INT(base64_decode(b, 2, "Zm=8", 4), -1);
	T_EQ_INT(base64_decode(b, 1, "Zg==", 4), 0);
	T_EQ_INT(base64_decode(b, 1, "Zg=", 3), -1);
	/* padding with the url alphabet's characters */
	T_EQ_INT(base64_decode(b, 2, "-_8=", 4), -1);
}

T_TEST(rejects)
{
	uint8_t	b[3];

	T_EQ_INT(base64_decode(b, 3, "Zm9", 3), -1);	/* too short */
	T_EQ_INT(base64_decode(b, 3, "Zm9vv", 5), -1);	/* too long */
	T_EQ_INT(base64_decode(b, 3, "Zm 9", 4), -1);
	T_EQ_INT(base64_decode(b, 2, "Zm9", 3), -1);	/* nonzero tail bits */
	T_EQ_INT(base64_decode(b, 1, "Zh", 2), -1);
}

/* Every length up to 40: url-safe, standard padded and unpadded all decode
 * to the same bytes; a NUL, a blank, an '=' or a character of the other
 * alphabet anywhere is refused. */
T_TEST(round_trips)
{
	uint8_t		raw[40], back[40];
	char		url[64], std[64], bad[64];
	size_t		n, i, len, pad;
	unsigned	seed = 1;

	for (n = 0; n <= sizeof(raw); n++) {
		for (i = 0; i < n; i++)
			raw[i] = (uint8_t)((seed = seed * 1103515245 + 12345) >>
			    16);
		base64_encode(url, raw, n);
		len = strlen(url);
		T_EQ_INT(len, BASE64_LEN(n));
		T_EQ_INT(base64_decode(back, n, url, len), 0);
		T_EQ_MEM(back, raw, n);
		memcpy(std, url, len + 1);
		for (i = 0; i < len; i++)
			std[i] = std[i] == '-' ? '+' : std[i] == '_' ? '/' :
			    std[i];
		T_EQ_INT(base64_decode(back, n, std, len), 0);
		T_EQ_MEM(back, raw, n);
		pad = (3 - n % 3) % 3;
		memset(std + len, '=', pad);
		T_EQ_INT(base64_decode(back, n, std, len + pad), 0);
		T_EQ_MEM(back, raw, n);
		for (i = 0; i < len; i++) {
			memcpy(bad, url, len);
			bad[i] = (char)(i % 4 == 0 ? '\0' : i % 4 == 1 ? ' ' :
			    i % 4 == 2 ? '=' : '.');
			T_EQ_INT(base64_decode(back, n, bad, len), -1);
		}
		/* one character of each alphabet */
		if (len >= 2) {
			memcpy(bad, url, len);
			bad[0] = '-';
			bad[1] = '/';
			T_EQ_INT(base64_decode(back, n, bad, len), -1);
		}
	}
}

int
main(void)
{
	T_RUN(rfc4648_vectors);
	T_RUN(alphabets);
	T_RUN(padding);
	T_RUN(rejects);
	T_RUN(round_trips);
	return t_done();
}
