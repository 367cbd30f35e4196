/* X25519 keys: generation, text form, files. With crypto.c, the only code
 * that talks to libsodium directly. */
#ifndef MESH_KEYS_H
#define MESH_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KEY_LEN		32
#define KEY_TEXT_LEN	43	/* base64url, no padding */

/* Must be called once before any other function here (idempotent). */
int	keys_init(void);

/* A fresh clamped private key. */
void	key_generate(uint8_t sk[KEY_LEN]);
/* The public key of a private key. */
void	key_public(uint8_t pk[KEY_LEN], const uint8_t sk[KEY_LEN]);

/* Text form: 43 chars of base64url without padding, NUL-terminated. */
void	key_to_text(char out[KEY_TEXT_LEN + 1], const uint8_t k[KEY_LEN]);
/* Parse exactly one key (base64url unpadded, or standard base64 with
 * padding); 0 or -1. */
int	key_from_text(uint8_t k[KEY_LEN], const char *s, size_t len);

/* A key file's one word: buf[*b..*e) without the blanks and newlines
 * around it. 0, or -1 with *why set (nothing there, or more than one
 * word). */
int	key_one_word(const char *buf, size_t len, size_t *b, size_t *e,
	    const char **why);
/* Parse a key file's contents: one key, optionally surrounded by blanks
 * and newlines, nothing else. 0, or -1 with *why set to the reason (and
 * nothing of a half-decoded key left in k). */
int	key_parse_buffer(uint8_t k[KEY_LEN], const char *buf, size_t len,
	    const char **why);
/* Read one key from a stream (e.g. stdin); as key_parse_buffer. */
int	key_read_stream(FILE *f, uint8_t k[KEY_LEN], const char **why);
/* Read a private key file; refuses anything but a regular file (a FIFO
 * would block) and files readable by group or others. On failure fills
 * err (with the file name) and returns -1. */
int	key_read_file(const char *path, uint8_t k[KEY_LEN], char *err,
	    size_t errlen);

/* Search for a private key whose public key has at least `bits` workbits
 * in namespace ns, on nthreads threads. progress(), if set, is called from
 * the caller's thread about every 250 ms with the number of keys tried.
 * Returns 0, or -1 if threads could not be started. */
int	key_search(uint8_t sk[KEY_LEN], const char *ns, unsigned bits,
	    unsigned nthreads,
	    void (*progress)(uint64_t tried, double secs, void *arg), void *arg);

void	key_wipe(void *p, size_t len);

#endif
