/* Micro-benchmark of the tunnel transport and handshake (not a test: it
 * asserts nothing about speed). For 1400-byte inner packets it measures
 * tunnel_encrypt + tunnel_receive (one side encrypts, the other decrypts,
 * in place, through the replay window) against libsodium's bare AEAD
 * encrypt + decrypt of the same size in the same run, for each cipher the
 * CPU offers; then full handshakes per second.
 *
 *   tests/bench/tunnel-bench [seconds per measurement, default 2]
 *
 * Output, tab separated: what, Gbit/s of
 * inner packets (each packet encrypted and decrypted once, so one
 * direction's rate is twice this), and the ratio of the tunnel to bare
 * AEAD. Rates are per second of this thread's CPU time, and bare and
 * tunnel runs alternate ROUNDS times keeping the best of each, because the
 * box is shared. It includes <sodium.h> only for the bare
 * comparison. Pin it (taskset -c 1) for steadier numbers. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "tunnel/tunnel.h"
#include "tunnel/wire.h"

#define PKT	1400
#define ROUNDS	3

static double
now_s(void)
{
	struct timespec	ts;

	/* CPU time of this thread: on a shared box, time spent preempted
	 * would otherwise count as slowness */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct pair {
	struct tunnel_local	*la, *lb;
	struct tunnel		*ab, *ba;
};

static int
pair_up(struct pair *p, uint8_t ciphers)
{
	struct tunnel_config	c;
	struct tunnel_rx	rx;
	uint8_t			sk[TUNNEL_KEY_LEN], buf[256];
	size_t			len;

	tunnel_config_default(&c);
	c.ciphers = ciphers;
	randombytes_buf(sk, sizeof(sk));
	p->la = tunnel_local_new(sk, &c, 1);
	randombytes_buf(sk, sizeof(sk));
	p->lb = tunnel_local_new(sk, &c, 1);
	sodium_memzero(sk, sizeof(sk));
	if (p->la == NULL || p->lb == NULL)
		return -1;
	p->ab = tunnel_new(p->la, tunnel_local_pub(p->lb), NULL);
	p->ba = tunnel_new(p->lb, tunnel_local_pub(p->la), NULL);
	if (p->ab == NULL || p->ba == NULL ||
	    tunnel_initiation(p->ab, 1, 1700000000000000000ULL, buf) !=
	    TUNNEL_OK ||
	    tunnel_receive(p->lb, buf, WIRE_INITIATION_LEN, "a", 1, 0, 1,
	    &rx) != TUNNEL_OK)
		return -1;
	memcpy(buf, rx.reply, rx.reply_len);
	if (tunnel_receive(p->la, buf, rx.reply_len, "b", 1, 0, 1, &rx) !=
	    TUNNEL_OK ||
	    tunnel_keepalive(p->ab, buf, sizeof(buf), 1, &len) != TUNNEL_OK ||
	    tunnel_receive(p->lb, buf, len, "a", 1, 0, 1, &rx) != TUNNEL_OK)
		return -1;
	return 0;
}

static void
pair_down(struct pair *p)
{
	tunnel_local_free(p->la);
	tunnel_local_free(p->lb);
}

/* Bare AEAD, encrypt then decrypt 1400 bytes, fresh nonce per packet. */
static double
bare(int aes, double secs)
{
	static uint8_t			 m[PKT], c[PKT + 16];
	uint8_t				 key[32], nonce[12] = { 0 };
	crypto_aead_aes256gcm_state	*st;
	unsigned long long		 clen, mlen;
	uint64_t			 n = 0, i;
	double				 t0 = now_s(), t;

	st = sodium_malloc(sizeof(*st));
	randombytes_buf(key, sizeof(key));
	randombytes_buf(m, sizeof(m));
	if (aes)
		crypto_aead_aes256gcm_beforenm(st, key);
	do {
		for (i = 0; i < 1000; i++, n++) {
			memcpy(nonce + 4, &n, sizeof(n));
			if (aes) {
				crypto_aead_aes256gcm_encrypt_afternm(c, &clen,
				    m, PKT, NULL, 0, NULL, nonce, st);
				if (crypto_aead_aes256gcm_decrypt_afternm(m,
				    &mlen, NULL, c, clen, NULL, 0, nonce,
				    st) != 0)
					abort();
			} else {
				crypto_aead_chacha20poly1305_ietf_encrypt(c,
				    &clen, m, PKT, NULL, 0, NULL, nonce, key);
				if (crypto_aead_chacha20poly1305_ietf_decrypt(m,
				    &mlen, NULL, c, clen, NULL, 0, nonce,
				    key) != 0)
					abort();
			}
		}
	} while ((t = now_s() - t0) < secs);
	sodium_free(st);
	return (double)n * PKT * 8 / t / 1e9;
}

static double
transport(uint8_t cipher, double secs)
{
	static uint8_t		 buf[TUNNEL_HEADROOM + PKT + TUNNEL_TAILROOM];
	struct pair		 p;
	struct tunnel_rx	 rx;
	struct tunnel_stats	 st;
	size_t			 len;
	unsigned		 act;
	uint64_t		 n = 0, i;
	double			 t0, t;

	if (pair_up(&p, cipher) != 0) {
		fprintf(stderr, "tunnel-bench: setup failed\n");
		exit(1);
	}
	tunnel_get_stats(p.ab, &st);
	if (st.cipher != cipher) {
		fprintf(stderr, "tunnel-bench: cipher %#x not negotiated\n",
		    cipher);
		exit(1);
	}
	randombytes_buf(buf, sizeof(buf));
	t0 = now_s();
	do {
		for (i = 0; i < 1000; i++, n++) {
			act = 0;
			/* the decrypted packet is the next plaintext */
			if (tunnel_encrypt(p.ab, buf, sizeof(buf), PKT, 2,
			    &len, &act) != TUNNEL_OK ||
			    tunnel_receive(p.lb, buf, len, "a", 1, 0, 2,
			    &rx) != TUNNEL_OK || rx.data_len < PKT)
				abort();
		}
	} while ((t = now_s() - t0) < secs);
	pair_down(&p);
	return (double)n * PKT * 8 / t / 1e9;
}

static void
handshakes(double secs)
{
	struct pair	 p;
	struct tunnel_rx rx;
	uint8_t		 buf[256];
	uint64_t	 n = 0, now = 100;
	double		 t0 = now_s(), t;

	if (pair_up(&p, WIRE_CIPHER_CHACHA20POLY1305) != 0)
		abort();
	do {
		now += 100;	/* past the flood limit */
		if (tunnel_initiation(p.ab, now, 1700000000000000000ULL +
		    now * 1000000, buf) != TUNNEL_OK ||
		    tunnel_receive(p.lb, buf, WIRE_INITIATION_LEN, "a", 1, 0,
		    now, &rx) != TUNNEL_OK)
			abort();
		memcpy(buf, rx.reply, rx.reply_len);
		if (tunnel_receive(p.la, buf, rx.reply_len, "b", 1, 0, now,
		    &rx) != TUNNEL_OK)
			abort();
		n++;
	} while ((t = now_s() - t0) < secs);
	printf("handshakes/s (both sides, one core)\t%.0f\n", (double)n / t);
	pair_down(&p);
}

/* Alternate bare AEAD and tunnel, keep the best of each, print both. */
static void
compare(const char *name, int aes, double secs)
{
	double	b = 0, t = 0, x;
	int	i;

	for (i = 0; i < ROUNDS; i++) {
		if ((x = bare(aes, secs / ROUNDS)) > b)
			b = x;
		if ((x = transport(aes ? WIRE_CIPHER_AES256GCM :
		    WIRE_CIPHER_CHACHA20POLY1305, secs / ROUNDS)) > t)
			t = x;
	}
	printf("bare %s\t%.2f\n", name, b);
	printf("tunnel %s\t%.2f\t%.2f\n", name, t, t / b);
}

int
main(int argc, char *argv[])
{
	double	secs = argc > 1 ? atof(argv[1]) : 2.0;

	if (sodium_init() < 0 || secs <= 0) {
		fprintf(stderr, "usage: tunnel-bench [seconds]\n");
		return 2;
	}
	printf("# %d-byte packets, encrypt+decrypt each; best of %d\n", PKT,
	    ROUNDS);
	printf("what\tGbit/s\tvs bare\n");
	compare("chacha20poly1305", 0, secs);
	if (crypto_aead_aes256gcm_is_available())
		compare("aes256gcm", 1, secs);
	else
		printf("aes256gcm not available on this CPU\n");
	handshakes(secs);
	return 0;
}
