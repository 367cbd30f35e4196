/* mesh workbit [namespace NS]: public key on stdin, its workbits on stdout. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "dht/pow.h"

static int	workbit_main(const struct cmd *, int, char **);

const struct cmd cmd_workbit = {
	"workbit", "[namespace NS] < public-key",
	"read a public key on stdin, print its proof-of-work bits",
	workbit_main
};

static int
workbit_main(const struct cmd *self, int argc, char **argv)
{
	const char	*ns = NETCONF_DEFAULT_NS, *why;
	uint8_t		 pk[KEY_LEN];

	if (argc == 3 && strcmp(argv[1], "namespace") == 0) {
		if (netconf_parse_namespace(argv[2], &why) == -1) {
			fprintf(stderr, "mesh workbit: namespace '%s': %s\n",
			    argv[2], why);
			return EXIT_USAGE;
		}
		ns = argv[2];
	} else if (argc != 1)
		cmd_usage(self);
	if (key_read_stream(stdin, pk, &why) == -1) {
		fprintf(stderr, "mesh workbit: stdin: %s\n", why);
		return 1;
	}
	printf("%u\n", pow_workbits(ns, strlen(ns), pk));
	return 0;
}
