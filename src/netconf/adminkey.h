/* Admin keys: the Ed25519 keys that sign netconfigs (sign.h). The private
 * key is libsodium's 64-byte form, the seed followed by the public key,
 * written as 86 characters of base64url: a length no member key has, so
 * that neither kind of key is taken for the other (mesh up refuses an
 * admin key as its private key, mesh sign a member key), and reading one
 * checks that its two halves agree. The public key is 32 bytes, 43
 * characters, like a member's: where it appears (after "admin", in the
 * signature line) says what it is. */
#ifndef MESH_ADMINKEY_H
#define MESH_ADMINKEY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netconf/keys.h"

#define ADMIN_SK_LEN		64
#define ADMIN_SK_TEXT_LEN	86	/* base64url, no padding */

/* A fresh admin private key (keys_init first). */
void	admin_generate(uint8_t sk[ADMIN_SK_LEN]);
/* The public key of an admin private key. */
void	admin_public(uint8_t pk[KEY_LEN], const uint8_t sk[ADMIN_SK_LEN]);
void	admin_to_text(char out[ADMIN_SK_TEXT_LEN + 1],
	    const uint8_t sk[ADMIN_SK_LEN]);
/* An admin private key file's contents: one key, blanks around it. 0, or
 * -1 with *why set (a member key is named as such). */
int	admin_parse_buffer(uint8_t sk[ADMIN_SK_LEN], const char *buf,
	    size_t len, const char **why);
/* Read an admin private key file: a regular file of mode 600 (as
 * key_read_file). -1 with err set, naming the file. */
int	admin_read_file(const char *path, uint8_t sk[ADMIN_SK_LEN], char *err,
	    size_t errlen);

#endif
