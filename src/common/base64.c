/* Base64 codec (pure). */
#include "config.h"

#include "common/base64.h"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
base64_encode(char *out, const uint8_t *src, size_t n)
{
	uint32_t	v;
	size_t		i, o = 0;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)src[i] << 16;
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
	}
	out[o] = '\0';
}

/* Value of c in the given alphabet (0: url-safe, 1: standard), or -1. */
static int
b64val(char c, int std)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (std ? '+' : '-'))
		return 62;
	if (c == (std ? '/' : '_'))
		return 63;
	return -1;
}

int
base64_decode(uint8_t *out, size_t outlen, const char *s, size_t slen)
{
	size_t		 need = BASE64_LEN(outlen), pad = (3 - outlen % 3) % 3;
	size_t		 i, o = 0;
	uint32_t	 v = 0;
	int		 std = 0, bits = 0, d;

	if (slen == need + pad && pad > 0) {
		/* padded: standard alphabet only */
		for (i = need; i < slen; i++)
			if (s[i] != '=')
				return -1;
		std = 1;
		slen = need;
	} else if (slen != need)
		return -1;
	for (i = 0; i < slen; i++)
		if (s[i] == '+' || s[i] == '/')
			std = 1;
	for (i = 0; i < slen; i++) {
		if ((d = b64val(s[i], std)) < 0)
			return -1;
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	/* leftover bits must be zero: one encoding per value */
	if (v != 0 || o != outlen)
		return -1;
	return 0;
}
