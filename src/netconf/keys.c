/* X25519 keys: generation, text form, files, proof-of-work search. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/base64.h"
#include "netconf/keys.h"
#include "dht/pow.h"

int
keys_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
key_generate(uint8_t sk[KEY_LEN])
{
	randombytes_buf(sk, KEY_LEN);
	/* clamp as RFC 7748 does, so the stored form is canonical */
	sk[0] &= 248;
	sk[31] &= 127;
	sk[31] |= 64;
}

void
key_public(uint8_t pk[KEY_LEN], const uint8_t sk[KEY_LEN])
{
	crypto_scalarmult_base(pk, sk);
}

void
key_to_text(char out[KEY_TEXT_LEN + 1], const uint8_t k[KEY_LEN])
{
	base64_encode(out, k, KEY_LEN);
}

int
key_from_text(uint8_t k[KEY_LEN], const char *s, size_t len)
{
	return base64_decode(k, KEY_LEN, s, len);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
key_one_word(const char *buf, size_t len, size_t *b, size_t *e,
    const char **why)
{
	size_t	i;

	*b = 0;
	*e = len;
	while (*b < *e && is_blank(buf[*b]))
		(*b)++;
	while (*e > *b && is_blank(buf[*e - 1]))
		(*e)--;
	if (*b == *e) {
		*why = "no key found";
		return -1;
	}
	for (i = *b; i < *e; i++) {
		if (is_blank(buf[i])) {
			*why = "more than one word; expected exactly one key";
			return -1;
		}
	}
	return 0;
}

int
key_parse_buffer(uint8_t k[KEY_LEN], const char *buf, size_t len,
    const char **why)
{
	size_t	b, e;

	if (key_one_word(buf, len, &b, &e, why) == -1)
		return -1;
	if (key_from_text(k, buf + b, e - b) == -1) {
		/* the decoder may have written most of the key already */
		sodium_memzero(k, KEY_LEN);
		*why = "not a key; expected 43 characters of base64url "
		    "(or 44 of base64 with padding)";
		return -1;
	}
	return 0;
}

int
key_read_stream(FILE *f, uint8_t k[KEY_LEN], const char **why)
{
	char	buf[256];
	size_t	len = 0, n;
	int	rc = 0;

	while ((n = fread(buf + len, 1, sizeof(buf) - len, f)) > 0) {
		len += n;
		if (len == sizeof(buf)) {
			*why = "input too long; expected one key";
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		*why = "read error";
		rc = -1;
	}
	if (rc == 0)
		rc = key_parse_buffer(k, buf, len, why);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

int
key_read_file(const char *path, uint8_t k[KEY_LEN], char *err, size_t errlen)
{
	struct stat	 st;
	const char	*why;
	char		 buf[256];
	size_t		 len = 0;
	ssize_t		 n = 0;
	int		 fd, rc;

	/* O_NONBLOCK: a FIFO (or a device) must not hang the open; it is
	 * refused below, as anything but a regular file. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file; a private key "
		    "is read from a file of its own (mode 600)", path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: private key is accessible by group "
		    "or others (mode %04o); run chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	/* read(2) may return less than asked: read until end of file */
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	if (n == -1)
		rc = -1;
	else if (len == sizeof(buf)) {
		snprintf(err, errlen, "%s: file too long; expected one key",
		    path);
		rc = -1;
	} else if ((rc = key_parse_buffer(k, buf, len, &why)) == -1)
		snprintf(err, errlen, "%s: %s", path, why);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

void
key_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

/* --- proof-of-work search --------------------------------------------- */

struct search {
	const char		*ns;
	size_t			 nslen;
	unsigned		 bits;
	atomic_uint_fast64_t	 tried;
	atomic_int		 done;
	pthread_mutex_t		 lock;
	uint8_t			 sk[KEY_LEN];
};

static void *
search_thread(void *arg)
{
	struct search	*s = arg;
	uint8_t		 sk[KEY_LEN], pk[KEY_LEN];
	unsigned	 n = 0;

	while (!atomic_load_explicit(&s->done, memory_order_relaxed)) {
		key_generate(sk);
		key_public(pk, sk);
		if (++n == 64) {
			atomic_fetch_add_explicit(&s->tried, n,
			    memory_order_relaxed);
			n = 0;
		}
		if (pow_workbits(s->ns, s->nslen, pk) >= s->bits) {
			pthread_mutex_lock(&s->lock);
			if (!atomic_load(&s->done)) {
				memcpy(s->sk, sk, KEY_LEN);
				atomic_store(&s->done, 1);
			}
			pthread_mutex_unlock(&s->lock);
		}
	}
	sodium_memzero(sk, sizeof(sk));
	return NULL;
}

static double
now_secs(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
key_search(uint8_t sk[KEY_LEN], const char *ns, unsigned bits,
    unsigned nthreads,
    void (*progress)(uint64_t, double, void *), void *arg)
{
	struct search	 s;
	pthread_t	 th[64];
	unsigned	 i, started = 0;
	double		 t0 = now_secs();
	struct timespec	 tick = { 0, 10 * 1000 * 1000 };
	int		 ticks = 0;

	memset(&s, 0, sizeof(s));
	s.ns = ns;
	s.nslen = strlen(ns);
	s.bits = bits;
	atomic_init(&s.tried, 0);
	atomic_init(&s.done, 0);
	pthread_mutex_init(&s.lock, NULL);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&th[i], NULL, search_thread, &s) != 0)
			break;
		started++;
	}
	if (started == 0) {
		pthread_mutex_destroy(&s.lock);
		return -1;
	}
	while (!atomic_load(&s.done)) {
		nanosleep(&tick, NULL);
		if (progress != NULL && ++ticks % 25 == 0)
			progress(atomic_load(&s.tried), now_secs() - t0, arg);
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	memcpy(sk, s.sk, KEY_LEN);
	sodium_memzero(s.sk, sizeof(s.sk));
	pthread_mutex_destroy(&s.lock);
	return 0;
}
