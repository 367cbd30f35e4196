/* Base64 (RFC 4648): the url-safe alphabet without padding is what mesh
 * writes; the decoder also takes the standard alphabet with padding. */
#ifndef MESH_BASE64_H
#define MESH_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Length of the unpadded encoding of n bytes (without the NUL). */
#define BASE64_LEN(n)	(((n) * 4 + 2) / 3)

/* Encode src (n bytes) as url-safe base64 without padding; out must hold
 * BASE64_LEN(n) + 1 bytes. */
void	base64_encode(char *out, const uint8_t *src, size_t n);

/* Decode exactly outlen bytes from s (slen chars). Accepts the url-safe
 * alphabet without padding, or the standard alphabet with or without
 * padding (not both alphabets mixed). Returns 0, or -1 if s is not exactly
 * the encoding of outlen bytes (including non-zero trailing bits). */
int	base64_decode(uint8_t *out, size_t outlen, const char *s, size_t slen);

#endif
