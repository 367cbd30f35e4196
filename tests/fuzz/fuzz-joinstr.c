/* Fuzz target for join strings (joinstr.c). The first input byte picks
 * the mode: 0, the rest is the string as pasted; otherwise the rest is the
 * binary inside it, sent with a correct CRC-32 so that the field decoder
 * is reached. Besides "does not crash": a refused string leaves an empty
 * struct and a message; an accepted one has valid counts and strings, and
 * encoding it and decoding that gives it back. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "netconf/joinstr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz-joinstr: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

static uint32_t
crc32(const uint8_t *p, size_t n)
{
	uint32_t	c = 0xffffffffu;
	int		k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static int
same(const struct joinstr *a, const struct joinstr *b)
{
	size_t	i;

	if (strcmp(a->name, b->name) || strcmp(a->ns, b->ns) ||
	    a->version != b->version || a->nadmins != b->nadmins ||
	    a->nboots != b->nboots || a->ncontacts != b->ncontacts ||
	    memcmp(a->admins, b->admins, sizeof(a->admins)) ||
	    memcmp(a->contacts, b->contacts, sizeof(a->contacts)))
		return 0;
	for (i = 0; i < a->nboots; i++)
		if (memcmp(a->boots[i].key, b->boots[i].key, KEY_LEN) ||
		    strcmp(a->boots[i].ep.host, b->boots[i].ep.host) ||
		    a->boots[i].ep.port != b->boots[i].ep.port)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct joinstr	js, back, zero;
	static char		s[2 * JOINSTR_MAX_LEN], out[JOINSTR_MAX_LEN];
	uint8_t			bin[JOINSTR_MAX_BYTES + 4];
	char			err[256];
	uint32_t		crc;
	size_t			n;
	int			len;

	if (size < 1)
		return 0;
	n = size - 1;
	if (data[0] == 0) {
		if (n >= sizeof(s))
			return 0;
		memcpy(s, data + 1, n);
		s[n] = '\0';
	} else {
		if (n > JOINSTR_MAX_BYTES)
			return 0;
		memcpy(bin, data + 1, n);
		crc = crc32(bin, n);
		bin[n] = (uint8_t)(crc >> 24);
		bin[n + 1] = (uint8_t)(crc >> 16);
		bin[n + 2] = (uint8_t)(crc >> 8);
		bin[n + 3] = (uint8_t)crc;
		memcpy(s, JOINSTR_PREFIX, sizeof(JOINSTR_PREFIX) - 1);
		base64_encode(s + sizeof(JOINSTR_PREFIX) - 1, bin, n + 4);
	}
	err[0] = '\0';
	memset(&js, 0xa5, sizeof(js));
	if (joinstr_decode(&js, s, err, sizeof(err)) == -1) {
		CHECK(err[0] != '\0');
		CHECK(memcmp(&js, &zero, sizeof(js)) == 0);
		return 0;
	}
	CHECK(js.nadmins >= 1 && js.nadmins <= JOIN_MAX_ADMINS);
	CHECK(js.nboots <= JOIN_MAX_BOOTS);
	CHECK(js.ncontacts <= JOIN_MAX_CONTACTS);
	CHECK(memchr(js.name, '\0', sizeof(js.name)) != NULL);
	CHECK(memchr(js.ns, '\0', sizeof(js.ns)) != NULL);
	CHECK(js.name[0] != '\0' && js.ns[0] != '\0');
	for (n = 0; n < js.nboots; n++)
		CHECK(js.boots[n].ep.port != 0 && js.boots[n].ep.host[0]);
	len = joinstr_encode(&js, out, sizeof(out));
	CHECK(len > 0 && (size_t)len == strlen(out));
	CHECK(joinstr_decode(&back, out, err, sizeof(err)) == 0);
	CHECK(same(&js, &back));
	return 0;
}
