/* Base64 codec: libsodium's (constant-time in the data, which matters for
 * private keys in text form), with the strictness of mesh's key syntax
 * around it: see base64.h. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "common/base64.h"

void
base64_encode(char *out, const uint8_t *src, size_t n)
{
	sodium_bin2base64(out, BASE64_LEN(n) + 1, src, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
base64_decode(uint8_t *out, size_t outlen, const char *s, size_t slen)
{
	size_t		need = BASE64_LEN(outlen), pad = (3 - outlen % 3) % 3;
	size_t		got = 0;
	const char	*end = NULL;
	int		variant;

	/* exactly one length per value and alphabet: the url-safe one
	 * without padding, or the standard one with or without padding;
	 * libsodium refuses the other alphabet's characters, anything
	 * after the encoding (end must reach slen) and non-zero trailing
	 * bits */
	if (slen == need + pad && pad > 0)
		variant = sodium_base64_VARIANT_ORIGINAL;
	else if (slen != need)
		return -1;
	else if (memchr(s, '+', slen) != NULL || memchr(s, '/', slen) != NULL)
		variant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	else
		variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	if (sodium_base642bin(out, outlen, s, slen, NULL, &got, &end,
	    variant) != 0 || end != s + slen || got != outlen)
		return -1;
	return 0;
}
