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

int
main(void)
{
	T_RUN(rfc4648_vectors);
	T_RUN(alphabets);
	T_RUN(padding);
	T_RUN(rejects);
	return t_done();
}
