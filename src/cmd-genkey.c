/* mesh genkey [workbit N] [namespace NS]: a private key whose public key
 * meets the proof of work of a namespace. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "keys.h"
#include "netconf.h"

static int	genkey_main(const struct cmd *, int, char **);

const struct cmd cmd_genkey = {
	"genkey", "[workbit N] [namespace NS]",
	"print a new private key meeting a namespace's proof of work",
	genkey_main
};

struct genkey_progress {
	unsigned	bits;
	int		shown;
};

static void
progress(uint64_t tried, double secs, void *arg)
{
	struct genkey_progress	*p = arg;
	unsigned		 bits = p->bits;
	double			 expect;

	if (secs < 1.0)
		return;
	expect = bits >= 64 ? 1.8e19 : (double)(1ULL << bits);
	p->shown = 1;
	fprintf(stderr, "\rgenkey: %llu keys tried in %.0f s (%.0f/s), "
	    "about %.0f expected for %u workbits", (unsigned long long)tried,
	    secs, (double)tried / secs, expect, bits);
}

/* Warn when the key is about to land where group or others may read it.
 * Standard output that is a regular file (mesh genkey > k.sk: the shell
 * made it, or it existed) is judged by its mode, as wg genkey does; a pipe
 * (mesh genkey | tee k.sk) by the umask the next program creates the file
 * with. A terminal gets no warning. */
static void
genkey_check_mode(void)
{
	struct stat	st;
	mode_t		um;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((st.st_mode & 077) != 0)
			fprintf(stderr, "mesh genkey: warning: the key file is "
			    "open to group or others (mode %04o); chmod 600 "
			    "it\n", (unsigned)(st.st_mode & 07777));
		return;
	}
	if (isatty(STDOUT_FILENO))
		return;
	um = umask(077);
	umask(um);
	if ((um & 066) != 066)
		fprintf(stderr, "mesh genkey: warning: umask %04o lets group "
		    "or others read the key file; use umask 077 or chmod 600 "
		    "it\n", (unsigned)um);
}

static int
genkey_main(const struct cmd *self, int argc, char **argv)
{
	struct genkey_progress	 p;
	const char	*ns = NETCONF_DEFAULT_NS, *why;
	unsigned	 bits = NETCONF_DEFAULT_WORKBIT;
	uint8_t		 sk[KEY_LEN];
	char		 text[KEY_TEXT_LEN + 1];
	long		 ncpu;
	int		 i;

	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			cmd_usage(self);
		if (strcmp(argv[i], "workbit") == 0) {
			if (netconf_parse_workbit(argv[i + 1], &bits, &why)) {
				fprintf(stderr, "mesh genkey: workbit '%s': "
				    "%s\n", argv[i + 1], why);
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "namespace") == 0) {
			if (netconf_parse_namespace(argv[i + 1], &why)) {
				fprintf(stderr, "mesh genkey: namespace '%s': "
				    "%s\n", argv[i + 1], why);
				return EXIT_USAGE;
			}
			ns = argv[i + 1];
		} else
			cmd_usage(self);
	}

	genkey_check_mode();

	if ((ncpu = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		ncpu = 1;
	p.bits = bits;
	p.shown = 0;
	if (key_search(sk, ns, bits, (unsigned)ncpu, progress, &p) == -1) {
		fprintf(stderr, "mesh genkey: cannot start threads\n");
		return 1;
	}
	if (p.shown)
		fprintf(stderr, "\n");
	key_to_text(text, sk);
	key_wipe(sk, sizeof(sk));
	printf("%s\n", text);
	key_wipe(text, sizeof(text));
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("mesh genkey: stdout");
		return 1;
	}
	return 0;
}
