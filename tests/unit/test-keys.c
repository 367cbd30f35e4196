#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netconf/keys.h"
#include "dht/pow.h"
#include "t.h"

static void
unhex(uint8_t *out, const char *hex)
{
	size_t	i;

	for (i = 0; hex[2 * i] != '\0'; i++) {
		unsigned	v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

T_TEST(rfc7748_public)
{
	uint8_t	sk[32], pk[32], want[32];

	unhex(sk, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	key_public(pk, sk);
	T_EQ_MEM(pk, want, 32);
}

T_TEST(generate_clamped)
{
	uint8_t	sk[32];
	int	i;

	for (i = 0; i < 100; i++) {
		key_generate(sk);
		T_EQ_INT(sk[0] & 7, 0);
		T_EQ_INT(sk[31] & 0xc0, 0x40);
	}
}

T_TEST(text_roundtrip)
{
	uint8_t	k[32], back[32];
	char	text[KEY_TEXT_LEN + 1];

	key_generate(k);
	key_to_text(text, k);
	T_EQ_INT(strlen(text), 43);
	T_EQ_INT(key_from_text(back, text, strlen(text)), 0);
	T_EQ_MEM(back, k, 32);
}

T_TEST(parse_buffer)
{
	const char	*why = NULL;
	uint8_t		 k[32], back[32];
	char		 text[KEY_TEXT_LEN + 1], buf[200];
	size_t		 i;

	key_generate(k);
	key_to_text(text, k);

	snprintf(buf, sizeof(buf), "  %s\n\n", text);
	T_EQ_INT(key_parse_buffer(back, buf, strlen(buf), &why), 0);
	T_EQ_MEM(back, k, 32);

	/* the same key in standard base64 with padding */
	for (i = 0; i < 43; i++)
		buf[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
	buf[43] = '=';
	buf[44] = '\n';
	T_EQ_INT(key_parse_buffer(back, buf, 45, &why), 0);
	T_EQ_MEM(back, k, 32);

	T_EQ_INT(key_parse_buffer(back, "", 0, &why), -1);
	T_EQ_STR(why, "no key found");
	snprintf(buf, sizeof(buf), "%s %s\n", text, text);
	T_EQ_INT(key_parse_buffer(back, buf, strlen(buf), &why), -1);
	T_ASSERT(strstr(why, "exactly one key") != NULL);
	T_EQ_INT(key_parse_buffer(back, text, 42, &why), -1);
	snprintf(buf, sizeof(buf), "%sA", text);
	T_EQ_INT(key_parse_buffer(back, buf, strlen(buf), &why), -1);
	T_EQ_INT(key_parse_buffer(back, "not a key", 9, &why), -1);
}

/* A key that almost parses (only its last character is off, so all but
 * the last byte decoded are the real key's) leaves nothing of it behind in
 * the output. */
T_TEST(parse_failure_wipes)
{
	uint8_t	k[32], back[32], zero[32];
	char	text[44], *last = &text[42];
	const char *why;

	memset(zero, 0, sizeof(zero));
	key_generate(k);
	key_to_text(text, k);
	/* the last character carries 4 bits of data and 2 zero bits */
	*last = *last == 'B' ? 'C' : 'B';
	memset(back, 0xa5, sizeof(back));
	T_EQ_INT(key_parse_buffer(back, text, 43, &why), -1);
	T_EQ_MEM(back, zero, sizeof(back));
	/* a bad character halfway */
	key_to_text(text, k);
	text[21] = '*';
	memset(back, 0xa5, sizeof(back));
	T_EQ_INT(key_parse_buffer(back, text, 43, &why), -1);
	T_EQ_MEM(back, zero, sizeof(back));
}

T_TEST(search_meets_workbit)
{
	uint8_t		sk[32], pk[32];
	unsigned	bits = 10;

	T_EQ_INT(key_search(sk, "test", bits, 2, NULL, NULL), 0);
	key_public(pk, sk);
	T_ASSERT(pow_workbits("test", 4, pk) >= bits);
	T_EQ_INT(sk[0] & 7, 0);
}

T_TEST(read_file_mode)
{
	char	path[] = "/tmp/mesh-test-key-XXXXXX", err[256], text[44];
	uint8_t	k[32], back[32];
	int	fd;

	key_generate(k);
	key_to_text(text, k);
	fd = mkstemp(path);
	T_ASSERT(fd >= 0);
	if (fd < 0)
		return;
	T_EQ_INT(write(fd, text, 43), 43);
	T_EQ_INT(write(fd, "\n", 1), 1);
	close(fd);
	chmod(path, 0600);
	T_EQ_INT(key_read_file(path, back, err, sizeof(err)), 0);
	T_EQ_MEM(back, k, 32);
	chmod(path, 0644);
	T_EQ_INT(key_read_file(path, back, err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "chmod 600") != NULL);
	unlink(path);
	T_EQ_INT(key_read_file(path, back, err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "No such file") != NULL);
}

/* Only a regular file is a key file: a FIFO blocked the open (forever,
 * without a writer) and a directory failed with EISDIR on read. The alarm
 * turns a hang into a failure. */
T_TEST(read_file_not_regular)
{
	char	dir[] = "/tmp/mesh-test-keydir-XXXXXX", path[64], err[256];
	char	text[44], big[300];
	uint8_t	k[32], back[32];
	int	fd;

	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	T_EQ_INT(mkfifo(path, 0600), 0);
	alarm(10);
	T_EQ_INT(key_read_file(path, back, err, sizeof(err)), -1);
	alarm(0);
	T_ASSERT(strstr(err, "not a regular file") != NULL);
	T_ASSERT(strstr(err, path) != NULL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dir", dir);
	T_EQ_INT(mkdir(path, 0700), 0);
	T_EQ_INT(key_read_file(path, back, err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "not a regular file") != NULL);
	rmdir(path);

	/* a key padded with blanks up to the limit, then one byte over */
	key_generate(k);
	key_to_text(text, k);
	memset(big, ' ', sizeof(big));
	memcpy(big + 100, text, 43);
	snprintf(path, sizeof(path), "%s/key", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	T_ASSERT(fd >= 0);
	T_EQ_INT(write(fd, big, 255), 255);
	close(fd);
	T_EQ_INT(key_read_file(path, back, err, sizeof(err)), 0);
	T_EQ_MEM(back, k, 32);
	fd = open(path, O_WRONLY | O_APPEND);
	T_ASSERT(fd >= 0);
	T_EQ_INT(write(fd, " ", 1), 1);
	close(fd);
	T_EQ_INT(key_read_file(path, back, err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "too long") != NULL);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	if (keys_init() == -1)
		return 99;
	T_RUN(rfc7748_public);
	T_RUN(generate_clamped);
	T_RUN(text_roundtrip);
	T_RUN(parse_buffer);
	T_RUN(parse_failure_wipes);
	T_RUN(search_meets_workbit);
	T_RUN(read_file_mode);
	T_RUN(read_file_not_regular);
	return t_done();
}
