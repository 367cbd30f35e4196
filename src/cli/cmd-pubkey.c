/* mesh pubkey: private key on stdin, public key on stdout. */
#include "config.h"

#include <stdio.h>

#include "cli/cmd.h"
#include "netconf/keys.h"

static int	pubkey_main(const struct cmd *, int, char **);

const struct cmd cmd_pubkey = {
	"pubkey", "< private-key",
	"read a private key on stdin, print its public key", pubkey_main
};

static int
pubkey_main(const struct cmd *self, int argc, char **argv)
{
	const char	*why;
	uint8_t		 sk[KEY_LEN], pk[KEY_LEN];
	char		 text[KEY_TEXT_LEN + 1];

	if (argc != 1)
		cmd_usage(self);
	if (key_read_stream(stdin, sk, &why) == -1) {
		fprintf(stderr, "mesh pubkey: stdin: %s\n", why);
		return 1;
	}
	key_public(pk, sk);
	key_wipe(sk, sizeof(sk));
	key_to_text(text, pk);
	printf("%s\n", text);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("mesh pubkey: stdout");
		return 1;
	}
	return 0;
}
