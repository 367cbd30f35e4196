/* Admin keys (adminkey.h): Ed25519 generation, text form, files. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/base64.h"
#include "netconf/adminkey.h"

void
admin_generate(uint8_t sk[ADMIN_SK_LEN])
{
	uint8_t	pk[crypto_sign_PUBLICKEYBYTES];

	crypto_sign_keypair(pk, sk);
}

void
admin_public(uint8_t pk[KEY_LEN], const uint8_t sk[ADMIN_SK_LEN])
{
	crypto_sign_ed25519_sk_to_pk(pk, sk);
}

void
admin_to_text(char out[ADMIN_SK_TEXT_LEN + 1], const uint8_t sk[ADMIN_SK_LEN])
{
	base64_encode(out, sk, ADMIN_SK_LEN);
}

int
admin_parse_buffer(uint8_t sk[ADMIN_SK_LEN], const char *buf, size_t len,
    const char **why)
{
	uint8_t	pk[crypto_sign_PUBLICKEYBYTES], sk2[ADMIN_SK_LEN];
	size_t	b, e;
	int	rc = 0;

	if (key_one_word(buf, len, &b, &e, why) == -1)
		return -1;
	if (e - b == KEY_TEXT_LEN || e - b == KEY_TEXT_LEN + 1) {
		*why = "43 characters: a public key or a member's private "
		    "key, not an admin private key (86 characters, made by "
		    "mesh genkey admin)";
		return -1;
	}
	if (base64_decode(sk, ADMIN_SK_LEN, buf + b, e - b) == -1) {
		*why = "not an admin key; expected 86 characters of base64url "
		    "(made by mesh genkey admin)";
		rc = -1;
	} else {
		/* the second half is the public key of the first */
		crypto_sign_seed_keypair(pk, sk2, sk);
		if (sodium_memcmp(sk2, sk, ADMIN_SK_LEN) != 0) {
			*why = "damaged admin key: its public half does not "
			    "match its private half";
			rc = -1;
		}
		sodium_memzero(sk2, sizeof(sk2));
	}
	if (rc == -1)
		sodium_memzero(sk, ADMIN_SK_LEN);
	return rc;
}

int
admin_read_file(const char *path, uint8_t sk[ADMIN_SK_LEN], char *err,
    size_t errlen)
{
	struct stat	 st;
	const char	*why;
	char		 buf[512];
	size_t		 len = 0;
	ssize_t		 n = 0;
	int		 fd, rc = -1;

	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: not a regular file; an admin key "
		    "is read from a file of its own (mode 600)", path);
	else if ((st.st_mode & 077) != 0)
		snprintf(err, errlen, "%s: admin key is accessible by group "
		    "or others (mode %04o); run chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
	else
		rc = 0;
	while (rc == 0 && len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (rc == 0 && n == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	if (rc == 0 && len == sizeof(buf)) {
		snprintf(err, errlen, "%s: file too long; expected one key",
		    path);
		rc = -1;
	} else if (rc == 0 && admin_parse_buffer(sk, buf, len, &why) == -1) {
		snprintf(err, errlen, "%s: %s", path, why);
		rc = -1;
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}
