/* mesh genkey [workbit N] [namespace NS]: a private key whose public key
 * meets the proof of work of a namespace. mesh genkey admin: an admin key
 * (adminkey.h), which signs netconfigs and needs no proof of work. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "netconf/adminkey.h"
#include "netconf/keys.h"
#include "netconf/netconf.h"
#include "dht/pow.h"

static int	genkey_main(const struct cmd *, int, char **);

const struct cmd cmd_genkey = {
	"genkey", "[workbit N] [namespace NS] | admin",
	"print a new private key meeting a namespace's proof of work, "
	    "or an admin key",
	genkey_main
};

/* Progress on standard error. A search expected to take a while (from
 * GENKEY_ANNOUNCE_BITS workbits: 16,384 tries, half a second at a typical
 * 35,000 keys/s on two cores) says so at once, so that a lucky short run
 * shows something too; after that, on a terminal one status line is
 * rewritten in place every 250 ms once a second has passed, elsewhere (a
 * log file, a pipe) a whole line every GENKEY_LOG_SECS seconds, so that the
 * output stays readable line by line. Whatever was shown ends with a line
 * saying what was found. */
#define GENKEY_ANNOUNCE_BITS	14
#define GENKEY_LOG_SECS		10.0

struct genkey_progress {
	unsigned	bits;
	int		tty;		/* stderr is a terminal */
	int		shown;		/* something was printed */
	size_t		width;		/* of the status line on a terminal */
	double		next_log;	/* when the next line is due, not tty */
};

static double
expected_tries(unsigned bits)
{
	return bits >= 64 ? 1.8e19 : (double)(1ULL << bits);
}

/* One status line: in place on a terminal (padded over the previous one),
 * else newline-terminated. */
static void
status(struct genkey_progress *p, const char *line)
{
	size_t	n = strlen(line);

	if (p->tty) {
		fprintf(stderr, "\r%s%*s", line,
		    n < p->width ? (int)(p->width - n) : 0, "");
		if (n > p->width)
			p->width = n;
	} else
		fprintf(stderr, "%s\n", line);
	fflush(stderr);
	p->shown = 1;
}

static void
progress(uint64_t tried, double secs, void *arg)
{
	struct genkey_progress	*p = arg;
	char			 line[160];

	if (p->tty ? secs < 1.0 : secs < p->next_log)
		return;
	p->next_log = secs + GENKEY_LOG_SECS;
	snprintf(line, sizeof(line), "mesh genkey: %llu keys tried in %.0f s "
	    "(%.0f/s), about %.0f expected for %u workbits",
	    (unsigned long long)tried, secs, (double)tried / secs,
	    expected_tries(p->bits), p->bits);
	status(p, line);
}

static double
genkey_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
genkey_admin(void)
{
	uint8_t	sk[ADMIN_SK_LEN];
	char	text[ADMIN_SK_TEXT_LEN + 1];

	genkey_check_mode();
	admin_generate(sk);
	admin_to_text(text, sk);
	key_wipe(sk, sizeof(sk));
	printf("%s\n", text);
	key_wipe(text, sizeof(text));
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("mesh genkey: stdout");
		return 1;
	}
	return 0;
}

static int
genkey_main(const struct cmd *self, int argc, char **argv)
{
	struct genkey_progress	 p;
	const char	*ns = NETCONF_DEFAULT_NS, *why;
	unsigned	 bits = NETCONF_DEFAULT_WORKBIT;
	uint8_t		 sk[KEY_LEN], pk[KEY_LEN];
	char		 text[KEY_TEXT_LEN + 1], line[160];
	double		 t0;
	long		 ncpu;
	int		 i;

	if (argc == 2 && strcmp(argv[1], "admin") == 0)
		return genkey_admin();
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
	memset(&p, 0, sizeof(p));
	p.bits = bits;
	p.tty = isatty(STDERR_FILENO);
	p.next_log = GENKEY_LOG_SECS;
	if (bits >= GENKEY_ANNOUNCE_BITS) {
		snprintf(line, sizeof(line), "mesh genkey: searching for a key "
		    "with %u workbits in namespace \"%s\" (about %.0f tries "
		    "on %ld threads)", bits, ns, expected_tries(bits), ncpu);
		status(&p, line);
	}
	t0 = genkey_now();
	if (key_search(sk, ns, bits, (unsigned)ncpu, progress, &p) == -1) {
		if (p.shown && p.tty)
			fprintf(stderr, "\n");
		fprintf(stderr, "mesh genkey: cannot start threads\n");
		return 1;
	}
	if (p.shown) {
		key_public(pk, sk);
		snprintf(line, sizeof(line), "mesh genkey: found a key with %u "
		    "workbits in %.1f s", pow_workbits(ns, strlen(ns), pk),
		    genkey_now() - t0);
		status(&p, line);
		if (p.tty)
			fprintf(stderr, "\n");
	}
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
