/* mesh pubkey: private key on stdin, public key on stdout. A member key
 * gives its X25519 public key, an admin key (86 characters, adminkey.h)
 * its Ed25519 one. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "netconf/adminkey.h"
#include "netconf/keys.h"

static int	pubkey_main(const struct cmd *, int, char **);

const struct cmd cmd_pubkey = {
	"pubkey", "< private-key",
	"read a private key (or an admin key) on stdin, print its public key",
	pubkey_main
};

/* The length of buf without blanks around it. */
static size_t
word_len(const char *buf, size_t len)
{
	size_t	b = 0, e = len;

	while (b < e && strchr(" \t\r\n", buf[b]) != NULL)
		b++;
	while (e > b && strchr(" \t\r\n", buf[e - 1]) != NULL)
		e--;
	return e - b;
}

static int
pubkey_main(const struct cmd *self, int argc, char **argv)
{
	const char	*why = NULL;
	uint8_t		 sk[ADMIN_SK_LEN], pk[KEY_LEN];
	char		 buf[256], text[KEY_TEXT_LEN + 1];
	size_t		 len = 0, n;
	int		 rc;

	if (argc != 1)
		cmd_usage(self);
	while (len < sizeof(buf) &&
	    (n = fread(buf + len, 1, sizeof(buf) - len, stdin)) > 0)
		len += n;
	if (ferror(stdin))
		why = "read error";
	else if (len == sizeof(buf))
		why = "input too long; expected one key";
	if (why != NULL)
		rc = -1;
	else if (word_len(buf, len) == ADMIN_SK_TEXT_LEN ||
	    word_len(buf, len) == ADMIN_SK_TEXT_LEN + 2) {	/* padded */
		if ((rc = admin_parse_buffer(sk, buf, len, &why)) == 0)
			admin_public(pk, sk);
	} else if ((rc = key_parse_buffer(sk, buf, len, &why)) == 0)
		key_public(pk, sk);
	key_wipe(sk, sizeof(sk));
	key_wipe(buf, sizeof(buf));
	if (rc == -1) {
		fprintf(stderr, "mesh pubkey: stdin: %s\n", why);
		return 1;
	}
	key_to_text(text, pk);
	printf("%s\n", text);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("mesh pubkey: stdout");
		return 1;
	}
	return 0;
}
